/* proc.h - running the real tether binary from a test, on the test's
 * loop: its stdout arrives line by line, its stderr is kept, and the test
 * learns its exit status from the exit callback, never by sleeping. */
#ifndef TETHER_TEST_PROC_H
#define TETHER_TEST_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

typedef struct tt_proc tt_proc;
typedef void (*tt_proc_line_cb)(tt_proc *p, const char *line, size_t len,
                                void *arg);

struct tt_proc {
  uv_process_t process;
  uv_pipe_t out, err;
  tt_proc_line_cb on_line;
  void *arg;
  char *line;          /* stdout bytes of a line not yet ended */
  size_t line_len, line_cap;
  char *errtext;       /* all of stderr, NUL-terminated */
  size_t err_len, err_cap;
  int open;            /* handles not yet closed */
  bool exited;
  int64_t exit_status;
  int term_signal;
};

/* The tether binary under test ($TETHER, set by CTest). */
const char *tt_proc_tether(void);

/* Starts argv (argv[0] is the program path) with stdin closed. Returns 0
 * or a libuv error. */
int tt_proc_spawn(uv_loop_t *loop, tt_proc *p, char **argv,
                  tt_proc_line_cb on_line, void *arg);

/* True once the process exited and every pipe closed. */
bool tt_proc_done(const tt_proc *p);

void tt_proc_kill(tt_proc *p, int signum);
void tt_proc_free(tt_proc *p);

#endif

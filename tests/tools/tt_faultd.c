/* tt_faultd.c - a fault server for the test scripts: `tt_faultd KIND`
 * serves on a free loopback port, prints the port on a line of its own and
 * serves until it gets SIGTERM or SIGINT (or its stdin, when a pipe,
 * closes). KIND is respond
 * (answers "+PONG" to each line), echo, silent or refuse. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"

static tt_fault *fault;
static uv_signal_t sigterm, sigint;
static uv_pipe_t input;

static void end(void) {
  tt_fault_close(fault);
  uv_close((uv_handle_t *)&sigterm, NULL);
  uv_close((uv_handle_t *)&sigint, NULL);
  if (!uv_is_closing((uv_handle_t *)&input))
    uv_close((uv_handle_t *)&input, NULL);
}

static void signal_cb(uv_signal_t *h, int signum) {
  end();
}

static void alloc_cb(uv_handle_t *h, size_t size, uv_buf_t *buf) {
  static char b[256];
  *buf = uv_buf_init(b, sizeof b);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  if (n < 0)
    end();
}

int main(int argc, char **argv) {
  static const struct {
    const char *name;
    tt_fault_kind kind;
  } kinds[] = {
    { "respond", TT_FAULT_RESPOND },
    { "echo", TT_FAULT_ECHO },
    { "silent", TT_FAULT_SILENT },
    { "refuse", TT_FAULT_REFUSE },
  };
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND };
  if (argc != 2) {
    fprintf(stderr, "usage: tt_faultd respond|echo|silent|refuse\n");
    return 2;
  }
  size_t i;
  for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(argv[1], kinds[i].name) == 0)
      break;
  if (i == sizeof kinds / sizeof kinds[0]) {
    fprintf(stderr, "tt_faultd: unknown kind '%s'\n", argv[1]);
    return 2;
  }
  o.kind = kinds[i].kind;
  signal(SIGPIPE, SIG_IGN);
  uv_loop_t *loop = uv_default_loop();
  int err = tt_fault_start(loop, &o, &fault);
  if (err < 0) {
    fprintf(stderr, "tt_faultd: %s\n", uv_strerror(err));
    return 1;
  }
  printf("%u\n", (unsigned)tt_fault_port(fault));
  fflush(stdout);
  uv_signal_init(loop, &sigterm);
  uv_signal_start(&sigterm, signal_cb, SIGTERM);
  uv_signal_init(loop, &sigint);
  uv_signal_start(&sigint, signal_cb, SIGINT);
  /* Only a pipe is watched: a background job's stdin is /dev/null. */
  uv_pipe_init(loop, &input, 0);
  struct stat st;
  if (fstat(STDIN_FILENO, &st) == 0 && S_ISFIFO(st.st_mode) &&
      uv_pipe_open(&input, STDIN_FILENO) == 0)
    uv_read_start((uv_stream_t *)&input, alloc_cb, read_cb);
  uv_run(loop, UV_RUN_DEFAULT);
  uv_loop_close(loop);
  return 0;
}

/* rusage.c - runs a command and reports what it cost, from wait4(): user
 * and system CPU seconds, the peak resident set size, and how often it was
 * descheduled: waiting (voluntary) or preempted (involuntary).
 *
 *   rusage [-o FILE] COMMAND [ARG ...]
 *
 * The command keeps this program's stdin, stdout and stderr. The report is
 * one line of key=value pairs, appended to FILE (stderr by default):
 *   user_s=0.412 sys_s=0.230 cpu_s=0.642 maxrss_kib=5120 vcsw=9 ivcsw=2 exit=0
 * exit is the command's exit status, or 128+N when signal N ended it; this
 * program exits with the same value (127 when the command cannot run). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static double seconds(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv) {
  const char *out = NULL;
  int argi = 1;
  if (argi + 1 < argc && strcmp(argv[argi], "-o") == 0) {
    out = argv[argi + 1];
    argi += 2;
  }
  if (argi < argc && strcmp(argv[argi], "--") == 0)
    argi++;
  if (argi >= argc) {
    fprintf(stderr, "usage: rusage [-o FILE] COMMAND [ARG ...]\n");
    return 2;
  }

  pid_t pid = fork();
  if (pid < 0) {
    perror("rusage: fork");
    return 127;
  }
  if (pid == 0) {
    execvp(argv[argi], argv + argi);
    fprintf(stderr, "rusage: %s: %s\n", argv[argi], strerror(errno));
    _exit(127);
  }

  /* A ^C reaches the command too (same process group); this program only
   * waits for it, so that its cost is still reported. */
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);

  int status;
  struct rusage ru;
  pid_t r;
  do
    r = wait4(pid, &status, 0, &ru);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    perror("rusage: wait4");
    return 127;
  }
  int code = WIFEXITED(status)     ? WEXITSTATUS(status)
             : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                   : 127;

  FILE *f = stderr;
  if (out != NULL && (f = fopen(out, "a")) == NULL) {
    fprintf(stderr, "rusage: %s: %s\n", out, strerror(errno));
    f = stderr;
  }
  double user = seconds(ru.ru_utime), sys = seconds(ru.ru_stime);
  fprintf(f,
          "user_s=%.3f sys_s=%.3f cpu_s=%.3f maxrss_kib=%ld vcsw=%ld "
          "ivcsw=%ld exit=%d\n",
          user, sys, user + sys, ru.ru_maxrss, ru.ru_nvcsw, ru.ru_nivcsw, code);
  if (f != stderr)
    fclose(f);
  return code;
}

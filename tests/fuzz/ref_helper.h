/* ref_helper.h - glibc's regcomp/regexec asked in a helper process, for
 * fuzz_pattern: glibc's compiler is exponential on some small patterns
 * (stacked repetitions of anything that matches the empty string take
 * minutes), which no cheap test of the pattern foresees in full. A
 * question not answered within REF_HELPER_MS is given up on: the helper
 * is killed and another started, so glibc can never hang the fuzzer. */
#ifndef TETHER_FUZZ_REF_HELPER_H
#define TETHER_FUZZ_REF_HELPER_H

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../support/ere_ref.h"

#define REF_HELPER_MS 1000

/* glibc's answers. */
enum {
  REF_NO_MATCH = 0,
  REF_MATCH = 1,
  REF_NOT_COMPARABLE, /* its answer on this reply is not to be trusted */
  REF_TOO_LARGE,      /* REG_ESPACE or REG_ESIZE */
  REF_REFUSED,        /* any other regcomp error: the pattern is wrong */
  REF_GAVE_UP,        /* no answer in time (or no helper) */
};

static pid_t ref_pid = -1;
static int ref_to = -1, ref_from = -1;

static bool ref_full(int fd, void *buf, size_t n, bool reading) {
  char *p = buf;
  while (n > 0) {
    ssize_t r = reading ? read(fd, p, n) : write(fd, p, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    p += r;
    n -= (size_t)r;
  }
  return true;
}

/* The helper: a question is the pattern's length, the pattern, the
 * reply's length, the reply; the answer one byte. Ends when the fuzzer
 * does. */
static void ref_serve(int in, int out) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  for (;;) {
    uint32_t plen, n;
    if (!ref_full(in, &plen, sizeof plen, true))
      _exit(0);
    char *src = malloc((size_t)plen + 1);
    if (src == NULL || !ref_full(in, src, plen, true) ||
        !ref_full(in, &n, sizeof n, true))
      _exit(1);
    src[plen] = '\0';
    char *reply = malloc((size_t)n + 1);
    if (reply == NULL || !ref_full(in, reply, n, true))
      _exit(1);
    regex_t re;
    int rc = tt_ref_compile(&re, src);
    unsigned char a;
    if (rc == 0) {
      if (!tt_ref_comparable(src, reply, n))
        a = REF_NOT_COMPARABLE;
      else
        a = tt_ref_match(&re, reply, n) ? REF_MATCH : REF_NO_MATCH;
      regfree(&re);
    } else {
      a = rc == REG_ESPACE || rc == REG_ESIZE ? REF_TOO_LARGE : REF_REFUSED;
    }
    free(src);
    free(reply);
    if (!ref_full(out, &a, 1, false))
      _exit(0);
  }
}

static void ref_stop(void) {
  if (ref_pid > 0) {
    kill(ref_pid, SIGKILL);
    waitpid(ref_pid, NULL, 0);
  }
  if (ref_to >= 0)
    close(ref_to);
  if (ref_from >= 0)
    close(ref_from);
  ref_pid = -1;
  ref_to = ref_from = -1;
}

static bool ref_start(void) {
  int q[2], a[2];
  if (pipe(q) != 0)
    return false;
  if (pipe(a) != 0) {
    close(q[0]);
    close(q[1]);
    return false;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(q[1]);
    close(a[0]);
    ref_serve(q[0], a[1]);
  }
  close(q[0]);
  close(a[1]);
  if (pid < 0) {
    close(q[1]);
    close(a[0]);
    return false;
  }
  ref_pid = pid;
  ref_to = q[1];
  ref_from = a[0];
  return true;
}

/* glibc's answer on src and reply[0..n), or REF_GAVE_UP. */
static int ref_ask(const char *src, const char *reply, size_t n) {
  static bool once;
  if (!once) {
    signal(SIGPIPE, SIG_IGN); /* a helper gone is a write error */
    once = true;
  }
  if (ref_pid < 0 && !ref_start())
    return REF_GAVE_UP;
  uint32_t plen = (uint32_t)strlen(src), rlen = (uint32_t)n;
  unsigned char answer;
  struct pollfd p = { .fd = ref_from, .events = POLLIN };
  int r;
  if (!ref_full(ref_to, &plen, sizeof plen, false) ||
      !ref_full(ref_to, (void *)src, plen, false) ||
      !ref_full(ref_to, &rlen, sizeof rlen, false) ||
      !ref_full(ref_to, (void *)reply, n, false))
    goto give_up;
  do
    r = poll(&p, 1, REF_HELPER_MS);
  while (r < 0 && errno == EINTR);
  if (r == 1 && ref_full(ref_from, &answer, 1, true))
    return answer;
give_up:
  ref_stop(); /* the next question starts another */
  return REF_GAVE_UP;
}

#endif

/* pattern.c - the cost of matching a reply: tether's engine against glibc's
 * regexec, measured in the same run, on the presets' and hostile patterns. */
#include <locale.h>
#include <regex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pattern.h"

/* Built and run from the top of the tree:
 *
 *   cc -std=c11 -O2 -D_GNU_SOURCE -Icore -o bench/out/pattern \
 *      bench/pattern.c core/pattern.c core/pattern_parse.c \
 *      core/pattern_prog.c core/pattern_dfa.c
 *   bench/out/pattern [SECONDS_PER_CASE]
 *
 * It prints its figures and asserts nothing. glibc runs in a child process
 * with a time limit, since on hostile patterns it may not finish. */

#define GLIBC_LIMIT_S 10 /* one glibc measurement, at most */

typedef struct reply {
  const char *name;
  const char *head; /* the reply starts so; the rest is fill */
  char fill;        /* 0: "random", a and b ending in 16 b's */
} reply;

static const struct bench_case {
  const char *pattern;
  reply replies[2];
} cases[] = {
  {"^\\+PONG", {{"match", "+PONG", 'x'}, {"miss", "-ERR", 'x'}}},
  {"^HTTP/1\\.[01] [0-9]{3}",
   {{"match", "HTTP/1.1 200 OK\r\n", 'x'}, {"miss", "HTTP/2 200\r\n", 'x'}}},
  {"^220( |$)", {{"match", "220 mx ESMTP", 'x'}, {"miss", "554 no", 'x'}}},
  {"^SSH-", {{"match", "SSH-2.0-OpenSSH_9.2", 'x'}, {"miss", "HTTP", 'x'}}},
  {"(a|aa)*b", {{"a...", "", 'a'}, {NULL, NULL, 0}}},
  {"(a*)*b", {{"a...", "", 'a'}, {NULL, NULL, 0}}},
  {"(x+x+)+y", {{"x...", "", 'x'}, {NULL, NULL, 0}}},
  {"(.{100}){10}c", {{"a...", "", 'a'}, {"random", "", 0}}},
  {"(a|b)*a(a|b){12}", {{"b...", "", 'b'}, {NULL, NULL, 0}}},
  {"(a|b)*a(a|b){12}$", {{"random", "", 0}, {NULL, NULL, 0}}},
};

static const size_t sizes[] = {4096, 1 << 20};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *make_reply(const reply *r, size_t n) {
  char *buf = malloc(n + 1);
  if (buf == NULL)
    abort();
  uint64_t x = 88172645463325252u;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    buf[i] = r->fill ? r->fill : "ab"[x >> 63];
  }
  if (!r->fill)
    memset(buf + n - 16, 'b', 16);
  memcpy(buf, r->head, strlen(r->head));
  buf[n] = '\0';
  return buf;
}

/* Seconds per call of tether's matcher, after a first call has built the
 * states (the pattern is shared by every target and runs all day). */
static double time_ours(tt_pattern *p, const char *buf, size_t n,
                        double budget, bool *ok, double *steps) {
  tt_pattern_stats a, b;
  *ok = tt_pattern_match(p, buf, n);
  tt_pattern_get_stats(p, &a);
  long runs = 0;
  double t0 = now_s(), t;
  do {
    tt_pattern_match(p, buf, n);
    runs++;
  } while ((t = now_s() - t0) < budget);
  tt_pattern_get_stats(p, &b);
  *steps = (double)(b.work - a.work) / (double)runs / (double)n;
  return t / (double)runs;
}

/* The same for regexec, in a child that is killed past GLIBC_LIMIT_S;
 * returns -1 then. */
static double time_glibc(const char *src, const char *buf, size_t n,
                         double budget, bool *ok) {
  int fds[2];
  if (pipe(fds) != 0)
    return -2;
  pid_t pid = fork();
  if (pid == 0) {
    regex_t re;
    double out[2] = {-2, 0};
    alarm(GLIBC_LIMIT_S);
    if (regcomp(&re, src, REG_EXTENDED | REG_NOSUB) == 0) {
      regmatch_t m = {.rm_so = 0, .rm_eo = (regoff_t)n};
      long runs = 0;
      double t0 = now_s(), t;
      do {
        out[1] = regexec(&re, buf, 1, &m, REG_STARTEND) == 0;
        runs++;
      } while ((t = now_s() - t0) < budget);
      out[0] = t / (double)runs;
    }
    if (write(fds[1], out, sizeof out) != sizeof out)
      _exit(1);
    _exit(0);
  }
  close(fds[1]);
  double in[2] = {-1, 0};
  if (read(fds[0], in, sizeof in) != sizeof in)
    in[0] = -1;
  close(fds[0]);
  waitpid(pid, NULL, 0);
  *ok = in[1] != 0;
  return in[0];
}

/* Nanoseconds a call and a byte, or why there are none. */
static void show_time(char *call, char *byte, size_t size, double s, size_t n) {
  if (s < 0) {
    snprintf(call, size, s == -1 ? "> %d s" : "refused", GLIBC_LIMIT_S);
    snprintf(byte, size, "-");
    return;
  }
  snprintf(call, size, "%.0f", s * 1e9);
  snprintf(byte, size, s * 1e9 / (double)n < 10 ? "%.3f" : "%.0f",
           s * 1e9 / (double)n);
}

int main(int argc, char **argv) {
  double budget = argc > 1 ? atof(argv[1]) : 0.3;
  setlocale(LC_ALL, "C");
  printf("%-22s %-10s %7s %12s %12s %9s %9s %8s %6s\n", "pattern", "reply",
         "bytes", "tether ns", "glibc ns", "tether/B", "glibc/B", "glibc/us",
         "steps/B");
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tt_pattern p;
    char err[160];
    if (tt_pattern_compile(&p, cases[i].pattern, err, sizeof err) != 0) {
      printf("%s: %s\n", cases[i].pattern, err);
      return 1;
    }
    for (size_t r = 0; r < 2 && cases[i].replies[r].name != NULL; r++) {
      for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        char *buf = make_reply(&cases[i].replies[r], n);
        bool ours_ok, ref_ok = false;
        double steps;
        double ours = time_ours(&p, buf, n, budget, &ours_ok, &steps);
        double ref = time_glibc(cases[i].pattern, buf, n, budget, &ref_ok);
        char a[32], b[32], c[32], d[32], ratio[16] = "-";
        show_time(a, b, sizeof a, ours, n);
        show_time(c, d, sizeof c, ref, n);
        if (ref > 0)
          snprintf(ratio, sizeof ratio, "%.1f", ref / ours);
        printf("%-22s %-10s %7zu %12s %12s %9s %9s %8s %6.1f%s\n",
               cases[i].pattern, cases[i].replies[r].name, n, a, c, b, d,
               ratio, steps,
               ref > 0 && ours_ok != ref_ok ? "  ANSWERS DIFFER" : "");
        fflush(stdout);
        free(buf);
      }
    }
    tt_pattern_free(&p);
  }
  return 0;
}

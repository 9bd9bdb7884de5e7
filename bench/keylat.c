/* keylat.c - how long the dashboard takes to answer a key, with no
 * terminal emulator in between: runs a command on a pseudo-terminal of
 * its own, types what it is told, and times from each timed key to the
 * moment its answer is in the command's output.
 *
 *   keylat [-s COLSxROWS] [-w TEXT] [-k 'KEYS=>TEXT']... [-t 'KEY=>TEXT']...
 *          [-n N] -- COMMAND [ARG ...]
 *
 *   -s   the terminal's size (default 160x50)
 *   -w   wait for TEXT in the output before anything else (the first screen)
 *   -k   type KEYS (C escapes: \r, \e) and wait for TEXT: -k 'KEYS=>TEXT';
 *        in order, once each, before timing (switching views on)
 *   -t   a timed key and the text that answers it ('KEY=>TEXT'); they are
 *        pressed in turn, N presses in all (default 20), each at a random
 *        moment 100..1000 ms after the last answer
 *
 * Prints one line per timed key (milliseconds), then lets the command run
 * to its end and prints its exit status. Exits 1 when an answer does not
 * come within 5 s. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WINDOW (1 << 16) /* output kept for searching */

static int master = -1;
static char seen[WINDOW + 1];
static size_t seen_len;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reads what the command wrote for up to ms milliseconds (or until the
 * output holds text, when it is not NULL). Returns 1 when the text came,
 * 0 on timeout, -1 at the end of the output. */
static int drain(double ms, const char *text) {
  double end = now_ms() + ms;
  for (;;) {
    if (text != NULL && memmem(seen, seen_len, text, strlen(text)) != NULL)
      return 1;
    double left = end - now_ms();
    if (left <= 0)
      return 0;
    struct pollfd p = {master, POLLIN, 0};
    int r = poll(&p, 1, (int)left + 1);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      continue;
    char buf[8192];
    ssize_t n = read(master, buf, sizeof(buf));
    if (n <= 0)
      return -1;
    /* Keep the last WINDOW bytes: the search only needs what is new. */
    if (seen_len + (size_t)n > WINDOW) {
      size_t drop = seen_len + (size_t)n - WINDOW;
      memmove(seen, seen + drop, seen_len - drop);
      seen_len -= drop;
    }
    memcpy(seen + seen_len, buf, (size_t)n);
    seen_len += (size_t)n;
  }
}

/* Types s, its C escapes read. */
static void type(const char *s) {
  char out[256];
  size_t n = 0;
  for (; *s != '\0' && n < sizeof(out); s++) {
    if (s[0] == '\\' && s[1] == 'r') {
      out[n++] = '\r';
      s++;
    } else if (s[0] == '\\' && s[1] == 'e') {
      out[n++] = 27;
      s++;
    } else {
      out[n++] = *s;
    }
  }
  if (write(master, out, n) != (ssize_t)n)
    perror("keylat: write");
}

int main(int argc, char **argv) {
  struct winsize ws = {.ws_col = 160, .ws_row = 50};
  const char *first = NULL;
  const char *setup[16], *timed[16];
  size_t nsetup = 0, ntimed = 0;
  int presses = 20, opt;

  while ((opt = getopt(argc, argv, "s:w:k:t:n:")) != -1) {
    switch (opt) {
    case 's':
      if (sscanf(optarg, "%hux%hu", &ws.ws_col, &ws.ws_row) != 2)
        return 2;
      break;
    case 'w': first = optarg; break;
    case 'k': if (nsetup < 16) setup[nsetup++] = optarg; break;
    case 't': if (ntimed < 16) timed[ntimed++] = optarg; break;
    case 'n': presses = atoi(optarg); break;
    default:
      fprintf(stderr, "usage: keylat [-s CxR] [-w TEXT] [-k 'KEYS=>TEXT']... "
                      "[-t 'KEY=>TEXT']... [-n N] -- COMMAND [ARG ...]\n");
      return 2;
    }
  }
  if (optind >= argc)
    return 2;

  pid_t pid = forkpty(&master, NULL, NULL, &ws);
  if (pid < 0) {
    perror("keylat: forkpty");
    return 1;
  }
  if (pid == 0) {
    execvp(argv[optind], argv + optind);
    _exit(127);
  }
  srand((unsigned)getpid());
  if (first != NULL && drain(60000, first) != 1) {
    fprintf(stderr, "keylat: never saw \"%s\"\n", first);
    kill(pid, SIGTERM);
    return 1;
  }
  for (size_t i = 0; i < nsetup; i++) {
    char keys[256];
    const char *arrow = strstr(setup[i], "=>");
    if (arrow == NULL)
      return 2;
    snprintf(keys, sizeof(keys), "%.*s", (int)(arrow - setup[i]), setup[i]);
    seen_len = 0;
    type(keys);
    if (drain(5000, arrow + 2) != 1) {
      fprintf(stderr, "keylat: \"%s\" did not bring \"%s\"\n", keys, arrow + 2);
      kill(pid, SIGTERM);
      return 1;
    }
  }
  for (int k = 0; k < presses && ntimed > 0; k++) {
    const char *t = timed[k % ntimed];
    const char *arrow = strstr(t, "=>");
    char key[64];
    if (arrow == NULL)
      return 2;
    snprintf(key, sizeof(key), "%.*s", (int)(arrow - t), t);
    /* At no fixed phase of the redraws. */
    if (drain(100 + rand() % 900, NULL) < 0)
      break;
    seen_len = 0;
    double t0 = now_ms();
    type(key);
    if (drain(5000, arrow + 2) != 1) {
      fprintf(stderr, "keylat: \"%s\" did not bring \"%s\" within 5 s\n",
              key, arrow + 2);
      if (getenv("KEYLAT_DUMP") != NULL)
        fwrite(seen, 1, seen_len, stderr);
      kill(pid, SIGTERM);
      return 1;
    }
    printf("%.1f\n", now_ms() - t0);
    fflush(stdout);
  }
  while (drain(1000, NULL) >= 0) {
  }
  int status;
  waitpid(pid, &status, 0);
  printf("exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128);
  return 0;
}

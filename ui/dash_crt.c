/* dash_crt.c - curses set-up and tear-down, the fatal-signal handler that
 * gives the terminal back with async-signal-safe calls only, and the
 * role-to-attribute tables for colour and monochrome terminals. */
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>
#include <uv.h>

#include "dash_crt.h"

/* A sanitizer that finds a fault ends the process with _exit(), past
 * atexit() and the signal handlers: it has its own hook for this. */
#if defined(__SANITIZE_ADDRESS__)
#define TT_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TT_SANITIZER 1
#endif
#endif
#ifdef TT_SANITIZER
#include <sanitizer/common_interface_defs.h>
#endif

/* What the crash path needs lives in statics: a signal handler can reach
 * nothing else. Only one dashboard owns the terminal at a time. */
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define NFATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static struct sigaction crt_old_actions[NFATAL];
static volatile sig_atomic_t crt_armed;
static struct termios crt_termios;
static bool crt_have_termios;
static int crt_stdin_flags = -1;
static char crt_reset[512];
static size_t crt_reset_len;
static bool crt_atexit_set;

/* Async-signal-safe: tcsetattr, write and fcntl only. */
static void crt_emergency_restore(void) {
  if (!crt_armed)
    return;
  crt_armed = 0;
  if (crt_have_termios)
    tcsetattr(STDOUT_FILENO, TCSANOW, &crt_termios);
  if (crt_stdin_flags >= 0)
    fcntl(STDIN_FILENO, F_SETFL, crt_stdin_flags);
  size_t off = 0;
  while (off < crt_reset_len) {
    ssize_t w = write(STDOUT_FILENO, crt_reset + off, crt_reset_len - off);
    if (w <= 0)
      break;
    off += (size_t)w;
  }
}

static void crt_fatal_handler(int sig) {
  crt_emergency_restore();
  /* Put back whatever handled the signal before (the default, or a
   * sanitizer's) and let it have the signal. A fault re-executes the
   * faulting instruction on return; raise() covers abort() and kill. */
  for (size_t i = 0; i < NFATAL; i++)
    if (fatal_signals[i] == sig)
      sigaction(sig, &crt_old_actions[i], NULL);
  raise(sig);
}

static void crt_atexit(void) {
  crt_emergency_restore();
}

/* Appends a terminfo string without its padding ("$<5>"): the handler
 * writes it raw, and a terminal shows padding as text. */
static void reset_add(const char *cap) {
  char *s = tigetstr(cap);
  if (s == NULL || s == (char *)-1)
    return;
  for (; *s != '\0' && crt_reset_len < sizeof(crt_reset) - 1; s++) {
    if (s[0] == '$' && s[1] == '<') {
      const char *end = strchr(s, '>');
      if (end != NULL) {
        s = (char *)end;
        continue;
      }
    }
    crt_reset[crt_reset_len++] = *s;
  }
}

static void crt_arm(void) {
  crt_reset_len = 0;
  reset_add("sgr0");
  reset_add("op");
  reset_add("cnorm");
  reset_add("rmkx");
  reset_add("rmcup");
  if (crt_reset_len < sizeof(crt_reset) - 2) {
    crt_reset[crt_reset_len++] = '\r';
    crt_reset[crt_reset_len++] = '\n';
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = crt_fatal_handler;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < NFATAL; i++)
    sigaction(fatal_signals[i], &sa, &crt_old_actions[i]);
  if (!crt_atexit_set && atexit(crt_atexit) == 0) {
    crt_atexit_set = true;
#ifdef TT_SANITIZER
    __sanitizer_set_death_callback(crt_atexit);
#endif
  }
  crt_armed = 1;
}

static void crt_disarm(void) {
  if (!crt_armed)
    return;
  crt_armed = 0;
  for (size_t i = 0; i < NFATAL; i++)
    sigaction(fatal_signals[i], &crt_old_actions[i], NULL);
}

void tt_crt_keep_stdin_flags(int flags) {
  crt_stdin_flags = flags;
}

bool tt_crt_locale_utf8(void) {
  setlocale(LC_ALL, "");
  /* Only the character type matters to the screen; a decimal comma would
   * corrupt the JSON that --log writes from the same process. */
  setlocale(LC_NUMERIC, "C");
  const char *cs = nl_langinfo(CODESET);
  return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* The look of each role, with colour pairs numbered from 1. */
enum {
  PAIR_GREEN = 1, PAIR_YELLOW, PAIR_RED, PAIR_CYAN, PAIR_MUTED,
  PAIR_ON_CYAN, PAIR_ON_YELLOW
};

static void roles_mono(tt_crt *c) {
  attr_t *a = c->attr;
  a[TT_ROLE_NORMAL] = A_NORMAL;
  a[TT_ROLE_MUTED] = A_DIM;
  a[TT_ROLE_UP] = A_NORMAL;
  a[TT_ROLE_DEGRADED] = A_BOLD;
  a[TT_ROLE_CONNECTING] = A_DIM;
  a[TT_ROLE_DOWN] = A_BOLD | A_REVERSE;
  a[TT_ROLE_SPARK] = A_NORMAL;
  a[TT_ROLE_FAIL] = A_BOLD;
  a[TT_ROLE_LATE] = A_BOLD;
  a[TT_ROLE_HEADING] = A_REVERSE;
  a[TT_ROLE_HEADING_SORT] = A_REVERSE | A_BOLD | A_UNDERLINE;
  a[TT_ROLE_TITLE] = A_BOLD;
  a[TT_ROLE_KEY] = A_REVERSE;
  a[TT_ROLE_PAUSED] = A_REVERSE | A_BOLD;
  a[TT_ROLE_SELECTED] = A_REVERSE | A_BOLD;
  a[TT_ROLE_GROUP] = A_BOLD;
  a[TT_ROLE_NOTICE] = A_BOLD;
  a[TT_ROLE_ALERT] = A_BOLD | A_REVERSE;
}

static void roles_color(tt_crt *c) {
  short bg = use_default_colors() == OK ? -1 : COLOR_BLACK;
  init_pair(PAIR_GREEN, COLOR_GREEN, bg);
  init_pair(PAIR_YELLOW, COLOR_YELLOW, bg);
  init_pair(PAIR_RED, COLOR_RED, bg);
  init_pair(PAIR_CYAN, COLOR_CYAN, bg);
  init_pair(PAIR_ON_CYAN, COLOR_BLACK, COLOR_CYAN);
  init_pair(PAIR_ON_YELLOW, COLOR_BLACK, COLOR_YELLOW);
  attr_t muted = A_DIM;
  /* Grey where the terminal has one; dim otherwise. */
  if (COLORS >= 256) {
    init_pair(PAIR_MUTED, 245, bg);
    muted = COLOR_PAIR(PAIR_MUTED);
  } else if (COLORS >= 16) {
    init_pair(PAIR_MUTED, 8, bg);
    muted = COLOR_PAIR(PAIR_MUTED);
  }
  attr_t *a = c->attr;
  a[TT_ROLE_NORMAL] = A_NORMAL;
  a[TT_ROLE_MUTED] = muted;
  a[TT_ROLE_UP] = COLOR_PAIR(PAIR_GREEN);
  a[TT_ROLE_DEGRADED] = COLOR_PAIR(PAIR_YELLOW) | A_BOLD;
  a[TT_ROLE_CONNECTING] = COLOR_PAIR(PAIR_CYAN);
  a[TT_ROLE_DOWN] = COLOR_PAIR(PAIR_RED) | A_BOLD;
  a[TT_ROLE_SPARK] = COLOR_PAIR(PAIR_CYAN);
  a[TT_ROLE_FAIL] = COLOR_PAIR(PAIR_RED) | A_BOLD;
  a[TT_ROLE_LATE] = COLOR_PAIR(PAIR_YELLOW) | A_BOLD;
  a[TT_ROLE_HEADING] = A_REVERSE;
  a[TT_ROLE_HEADING_SORT] = COLOR_PAIR(PAIR_ON_CYAN) | A_BOLD;
  a[TT_ROLE_TITLE] = A_BOLD;
  a[TT_ROLE_KEY] = COLOR_PAIR(PAIR_ON_CYAN);
  a[TT_ROLE_PAUSED] = COLOR_PAIR(PAIR_ON_YELLOW) | A_BOLD;
  /* One look across the selected row: bold reverse video of the
   * terminal's own colours, whatever the cells' roles (and not the
   * headings' plain reverse). */
  a[TT_ROLE_SELECTED] = A_REVERSE | A_BOLD;
  a[TT_ROLE_GROUP] = COLOR_PAIR(PAIR_CYAN) | A_BOLD;
  a[TT_ROLE_NOTICE] = COLOR_PAIR(PAIR_CYAN) | A_BOLD;
  a[TT_ROLE_ALERT] = COLOR_PAIR(PAIR_RED) | A_BOLD;
}

int tt_crt_open(tt_crt *c, bool utf8, bool want_color) {
  memset(c, 0, sizeof(*c));
  c->utf8 = utf8;
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
    return UV_ENOTTY;
  /* A terminal that cannot move the cursor (TERM=dumb) would get a
   * smear of text: refuse it, so that the caller can say --plain. */
  int err;
  if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
    return UV_ENOTTY;
  char *cup = tigetstr("cup");
  bool addressable = cup != NULL && cup != (char *)-1;
  del_curterm(cur_term);
  if (!addressable)
    return UV_ENOTTY;
  crt_have_termios = tcgetattr(STDOUT_FILENO, &crt_termios) == 0;
  /* newterm, unlike initscr, returns NULL for an unknown terminal instead
   * of exiting. */
  c->screen = newterm(NULL, stdout, stdin);
  if (c->screen == NULL)
    return UV_ENOTTY;
  set_term(c->screen);
  c->active = true;
  crt_arm();
  cbreak();
  noecho();
  nonl();
  intrflush(stdscr, FALSE);
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  curs_set(0);
  leaveok(stdscr, TRUE);
  if (want_color && has_colors() && start_color() == OK) {
    c->color = true;
    roles_color(c);
  } else {
    roles_mono(c);
  }
  return 0;
}

void tt_crt_close(tt_crt *c) {
  if (!c->active)
    return;
  c->active = false;
  endwin();
  delscreen(c->screen);
  c->screen = NULL;
  if (crt_stdin_flags >= 0)
    fcntl(STDIN_FILENO, F_SETFL, crt_stdin_flags);
  crt_disarm();
}

void tt_crt_resize(tt_crt *c) {
  struct winsize ws;
  if (!c->active)
    return;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
      ws.ws_col > 0)
    resizeterm(ws.ws_row, ws.ws_col);
}

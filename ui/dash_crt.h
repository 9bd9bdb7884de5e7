/* dash_crt.h - the terminal under the dashboard: taking it over, giving it
 * back from every exit path (a crash included), its size, and what each
 * role looks like on it (htop's CRT.c). */
#ifndef TETHER_DASH_CRT_H
#define TETHER_DASH_CRT_H

#include <curses.h>
#include <stdbool.h>

#include "dash_line.h"

typedef struct tt_crt {
  SCREEN *screen;
  bool active;
  bool utf8;   /* the locale's character set is UTF-8 */
  bool color;  /* drawing in colour */
  attr_t attr[TT_ROLE_COUNT];
} tt_crt;

/* Sets the locale's character type from the environment (numbers stay in
 * the C locale, for the JSON written alongside) and says whether it is
 * UTF-8. */
bool tt_crt_locale_utf8(void);

/* Takes over the terminal on stdin/stdout: curses in cbreak, no echo,
 * keypad, non-blocking reads, a 25 ms escape delay, no cursor, colours
 * when want_color and the terminal has them. From here until
 * tt_crt_close() a fatal signal (SEGV, BUS, FPE, ILL, ABRT) or exit()
 * gives the terminal back before the process dies. Returns 0, or
 * UV_ENOTTY with the terminal untouched. */
int tt_crt_open(tt_crt *c, bool utf8, bool want_color);

/* Gives the terminal back: curses ended, modes and screen restored, the
 * fatal-signal handlers removed. Calling it again does nothing. */
void tt_crt_close(tt_crt *c);

/* Reads the terminal's size again and resizes curses to it. */
void tt_crt_resize(tt_crt *c);

/* Records the descriptor flags of stdin to put back when the terminal is
 * given back, even from a crash (libuv's poll makes stdin non-blocking,
 * and the shell shares that open file). */
void tt_crt_keep_stdin_flags(int flags);

#endif

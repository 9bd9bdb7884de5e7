/* format.h - how numbers read in every front end: RTTs, ages, loss and
 * timestamps, into caller buffers. */
#ifndef TETHER_FORMAT_H
#define TETHER_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An RTT in microseconds, 3 significant digits: "87us", "812us", "1.23ms",
 * "15.0ms", "150ms", "1.50s". Returns the length. */
int tt_fmt_rtt(char *buf, size_t n, uint32_t us);

/* v in decimal at the end of buf (TT_FMT_U64 bytes, no NUL): returns
 * where its digits start. Cheaper than printf, for JSON's many numbers. */
#define TT_FMT_U64 20
size_t tt_fmt_u64(char buf[TT_FMT_U64], unsigned long long v);

/* An age or a span in milliseconds, coarsely: "0s", "45s", "12m03s",
 * "3h05m", "2d04h". Returns the length. */
int tt_fmt_age(char *buf, size_t n, uint64_t ms);

/* How long something lasted, finer than an age while it is short:
 * "350ms", "14.2s", then as tt_fmt_age ("3m05s"). */
int tt_fmt_span(char *buf, size_t n, uint64_t ms);

/* A loss percentage: "0%", "0.3%", "12%", "100%". */
int tt_fmt_pct(char *buf, size_t n, double pct);

/* RFC 3339 UTC with microseconds: "2026-11-25T10:04:05.123456Z". */
int tt_fmt_rfc3339(char *buf, size_t n, uint64_t wall_us);

/* ---- Text for the screen (the dashboard's cells) ---- */

/* The number of terminal columns the UTF-8 text s[0..len) takes (wcwidth
 * of each character; what wcwidth cannot size counts as one column). */
unsigned tt_fmt_width(const char *s, size_t len);

enum { TT_FIT_LEFT = 0, TT_FIT_RIGHT = 1, TT_FIT_TAIL = 2 };

/* Writes src[0..len) into dst taking exactly width columns: padded with
 * spaces on the right (TT_FIT_LEFT, TT_FIT_TAIL) or on the left
 * (TT_FIT_RIGHT), or cut at a whole character with an ellipsis ("…" when
 * utf8, else "~") as its last column, or for TT_FIT_TAIL as its first, so
 * that the end stays visible (an address's port). dst is always
 * NUL-terminated; returns its length. */
int tt_fmt_fit(char *dst, size_t n, const char *src, size_t len,
               unsigned width, int align, bool utf8);

/* Local wall-clock time "HH:MM:SS". */
int tt_fmt_clock(char *buf, size_t n, uint64_t wall_us);

/* Text that is already escape output (an engine's error detail) made safe
 * to show: tt_escape() with flags, keeping its backslashes, so that it is
 * never shown raw and never escaped twice. Returns the length written. */
size_t tt_fmt_escaped(char *dst, size_t n, const char *src, int flags);

/* The length in bytes of the longest run of whole characters at the start
 * of s[0..len) that fits in cols terminal columns. */
size_t tt_fmt_prefix(const char *s, size_t len, unsigned cols);

#endif

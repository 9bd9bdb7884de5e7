/* frame.h - reply framing as a pure function over bytes: what reads bring
 * goes in, complete replies come out. No socket, no clock, no session:
 * the same unit frames plain TCP and, beneath it, any transport. */
#ifndef TETHER_FRAME_H
#define TETHER_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A reply ends at the first `end` (reply_end), or after exactly `fixed`
 * bytes (reply_bytes) when fixed > 0; it is never longer than `max`
 * bytes, its end included. With end "\n", a CR before it is not the
 * reply's (line protocols end in CR LF). */
typedef struct tt_framer {
  const char *end;
  uint32_t end_len;
  uint32_t fixed;
  uint32_t max;
  /* The bytes of a reply not yet ended, kept between reads. */
  char *buf;
  uint32_t len, cap;
  uint32_t scanned;  /* buf[0..scanned) holds no end */
  uint32_t taken;    /* the reply last handed out from buf, end included */
  /* The input of the current read not yet framed. */
  char *in;
  size_t in_len;
} tt_framer;

typedef enum tt_frame_result {
  TT_FRAME_MORE,     /* no complete reply in what came: wait for more */
  TT_FRAME_REPLY,    /* a complete reply, without its end */
  TT_FRAME_OVERLONG, /* max bytes came without an end */
  TT_FRAME_NOMEM
} tt_frame_result;

void tt_framer_init(tt_framer *f, const char *end, size_t end_len,
                    uint32_t fixed, uint32_t max);

/* Hands over the bytes of one read. They are framed by tt_framer_next
 * calls until it returns TT_FRAME_MORE; data must stay valid until then.
 * A reply lying whole in data is handed out in place. */
void tt_framer_feed(tt_framer *f, char *data, size_t len);

/* The next complete reply: *reply and *n (the end not included) stay
 * valid until the next call. reply[*n] may be written (it is the end's
 * first byte, or one byte of slack). */
tt_frame_result tt_framer_next(tt_framer *f, char **reply, size_t *n);

/* Forgets what is buffered and what is left of the input; returns how
 * many bytes that was. */
size_t tt_framer_discard(tt_framer *f);

/* Bytes buffered of a reply not yet ended. */
static inline size_t tt_framer_pending(const tt_framer *f) {
  return f->len - f->taken;
}

void tt_framer_free(tt_framer *f);

#endif

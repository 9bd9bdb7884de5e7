/* fault_kind.c - what each kind of fault server does with a request:
 * its reply, when it goes out, or how the connection ends instead. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fault_conn.h"
#include "rng.h"

/* Control bytes, a clear-screen and a clipboard-setting escape, a NUL and
 * bytes that are not UTF-8: what a downstream display must survive. It
 * starts with a control byte, so it cannot match "^\+PONG". */
static const char fault_garbage[] =
    "\x01\x02\x08\x7f"
    "\x1b[2J"
    "\x1b]52;c;dGV0aGVy\x07"
    "\0"
    "\xff\xfe\xc0\xaf"
    "garbage\r\n";

static uint64_t fault_random(tt_fault *f) {
  return tt_rng_next(&f->rng);
}

bool tt_fault_writes(tt_fault_kind kind) {
  return kind != TT_FAULT_SILENT && kind != TT_FAULT_RESET &&
         kind != TT_FAULT_CLOSE && kind != TT_FAULT_UNREAD;
}

static uint64_t fault_slow_ms(tt_fault *f) {
  if (f->jitter_ms == 0)
    return f->delay_ms;
  uint64_t span = 2 * (uint64_t)f->jitter_ms + 1;
  int64_t d = (int64_t)f->delay_ms - (int64_t)f->jitter_ms +
              (int64_t)(fault_random(f) % span);
  return d > 0 ? (uint64_t)d : 0;
}

/* One framed request (request_end included). */
void tt_fault_conn_request(fault_conn *c, const char *req, size_t len) {
  tt_fault *f = c->fault;
  uint64_t now = uv_hrtime();
  uint64_t delay_ms = 0;
  int err = 0;
  f->requests++;
  c->nreq++;
  switch (f->kind) {
  case TT_FAULT_SLOW:
    delay_ms = fault_slow_ms(f);
    /* fall through */
  case TT_FAULT_RESPOND:
    if (f->drop_after > 0 && c->nreq > f->drop_after) {
      if (!f->drop_partial) {
        tt_fault_conn_drain(c);
        break;
      }
      c->end_after_write = true;
      err = tt_fault_conn_enqueue(c, f->reply, f->reply_len / 2, now, false,
                                  false);
      break;
    }
    if (f->close_after > 0 && c->nreq == f->close_after)
      c->end_after_write = true;
    /* fall through */
  case TT_FAULT_FLAP:
    err = tt_fault_conn_enqueue(c, f->reply, f->reply_len,
                                now + delay_ms * FAULT_NS_PER_MS, false, false);
    break;
  case TT_FAULT_LATE:
    if (c->nreq % f->every == 0)
      delay_ms = f->delay_ms;
    err = tt_fault_conn_enqueue(c, f->reply, f->reply_len,
                                now + delay_ms * FAULT_NS_PER_MS, false, false);
    break;
  case TT_FAULT_SPLIT:
    err = tt_fault_conn_enqueue(c, f->reply, f->reply_len, now, true, false);
    break;
  case TT_FAULT_ECHO:
    err = tt_fault_conn_enqueue(c, req, len, now, false, true);
    break;
  case TT_FAULT_GARBAGE:
    err = tt_fault_conn_enqueue(c, fault_garbage, sizeof(fault_garbage) - 1,
                                now, false, false);
    break;
  case TT_FAULT_OVERSIZE:
    err = tt_fault_conn_enqueue(c, f->oversize, f->size, now, false, false);
    break;
  case TT_FAULT_RESET:
    tt_fault_conn_end(c, true);
    break;
  case TT_FAULT_CLOSE:
    tt_fault_conn_drain(c);
    break;
  case TT_FAULT_SILENT:
  case TT_FAULT_REFUSE:
  case TT_FAULT_STALL:
  case TT_FAULT_UNREAD:
    break;
  }
  if (err != 0)
    tt_fault_conn_end(c, true);
}

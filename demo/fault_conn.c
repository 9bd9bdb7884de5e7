/* fault_conn.c - one connection of a fault server: requests framed from
 * its input, replies queued and written in order once due, and its end. */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fault_conn.h"

/* A connection whose unframed input grows past this is dropped: the demo
 * exposes these servers, and no peer gets to make them buffer without end. */
#define FAULT_MAX_INPUT (64u * 1024)
/* Reply bytes a connection may have waiting (queued or being written)
 * before it stops reading requests; it reads again below half of it. */
#define FAULT_MAX_QUEUED (1024u * 1024)
/* CLOSE sends its FIN first and then waits this long for the client's own
 * before it lets the connection go. */
#define FAULT_CLOSE_LINGER_MS 5000

#define CONTAINER_OF(ptr, type, field) \
  ((type *)((char *)(ptr) - offsetof(type, field)))

/* One answer waiting for its turn. Written whole, it is its own write
 * request and is freed in the write callback; written a byte at a time
 * (SPLIT), each byte is copied into its own request. */
struct fault_reply {
  uv_write_t req;
  fault_reply *next;
  fault_conn *conn;
  uint64_t due_ns; /* uv_hrtime() from which it may go out */
  const char *data;
  size_t len;
  size_t off;      /* bytes already handed to libuv (split only) */
  bool split;
  char own[];      /* the bytes, when the reply carries its own (ECHO) */
};

typedef struct fault_byte {
  uv_write_t req;
  fault_conn *conn;
  char byte;
} fault_byte;

static void conn_process(fault_conn *c);
static void conn_pump(fault_conn *c);
static void conn_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void conn_close_cb(uv_handle_t *h) {
  fault_conn *c = h->data;
  if (--c->pending > 0)
    return;
  tt_fault *f = c->fault;
  if (c->prev != NULL)
    c->prev->next = c->next;
  else
    f->conns = c->next;
  if (c->next != NULL)
    c->next->prev = c->prev;
  free(c->in);
  free(c);
  f->pending--;
  tt_fault_maybe_free(f);
}

/* Ends a connection, with a reset (RST) or a normal close. Replies that
 * were not handed to libuv yet are dropped; those being written come back
 * to their callbacks as cancelled before the close callbacks run. */
void tt_fault_conn_end(fault_conn *c, bool reset) {
  if (c->closing)
    return;
  c->closing = true;
  c->reading = false;
  fault_reply *r = c->head;
  while (r != NULL) {
    fault_reply *next = r->next;
    c->queued -= sizeof(*r) + (r->len - r->off);
    free(r);
    r = next;
  }
  c->head = c->tail = NULL;
  uv_close((uv_handle_t *)&c->timer, conn_close_cb);
  /* close_reset refuses a stream that was shut down (CLOSE's drain): that
   * one has sent its FIN already and closes normally. */
  if (!reset || uv_tcp_close_reset(&c->tcp, conn_close_cb) != 0)
    uv_close((uv_handle_t *)&c->tcp, conn_close_cb);
}

/* A write finished: let requests in again once the backlog has shrunk. */
static void conn_written(fault_conn *c, int status) {
  if (c->closing)
    return;
  if (status < 0) {
    tt_fault_conn_end(c, true);
    return;
  }
  if (c->end_after_write && c->head == NULL) {
    if (c->fault->close_reset)
      tt_fault_conn_end(c, true);
    else if (!c->draining)
      tt_fault_conn_drain(c);
    return;
  }
  if (!c->reading && !c->draining && c->queued <= FAULT_MAX_QUEUED / 2)
    conn_process(c);
}

static void reply_write_cb(uv_write_t *req, int status) {
  fault_reply *r = CONTAINER_OF(req, fault_reply, req);
  fault_conn *c = r->conn;
  c->queued -= sizeof(*r) + r->len;
  free(r);
  conn_written(c, status);
}

static void byte_write_cb(uv_write_t *req, int status) {
  fault_byte *b = CONTAINER_OF(req, fault_byte, req);
  fault_conn *c = b->conn;
  c->queued -= 1;
  free(b);
  conn_written(c, status);
}

static int conn_write_byte(fault_conn *c, char byte) {
  fault_byte *b = malloc(sizeof(*b));
  if (b == NULL)
    return UV_ENOMEM;
  b->conn = c;
  b->byte = byte;
  uv_buf_t buf = uv_buf_init(&b->byte, 1);
  int err = uv_write(&b->req, (uv_stream_t *)&c->tcp, &buf, 1, byte_write_cb);
  if (err != 0)
    free(b);
  return err;
}

/* Queues an answer due at due_ns. copy: the reply keeps its own bytes
 * (otherwise data outlives the connection: it belongs to the fault). */
int tt_fault_conn_enqueue(fault_conn *c, const char *data, size_t len,
                          uint64_t due_ns, bool split, bool copy) {
  fault_reply *r = malloc(sizeof(*r) + (copy ? len : 0));
  if (r == NULL)
    return UV_ENOMEM;
  r->next = NULL;
  r->conn = c;
  r->due_ns = due_ns;
  r->len = len;
  r->off = 0;
  r->split = split;
  if (copy) {
    memcpy(r->own, data, len);
    r->data = r->own;
  } else {
    r->data = data;
  }
  if (c->tail != NULL)
    c->tail->next = r;
  else
    c->head = r;
  c->tail = r;
  c->queued += sizeof(*r) + len;
  return 0;
}

static void conn_pop(fault_conn *c) {
  c->head = c->head->next;
  if (c->head == NULL)
    c->tail = NULL;
}

static void conn_timer_cb(uv_timer_t *t) {
  fault_conn *c = t->data;
  if (c->draining)
    tt_fault_conn_end(c, false);
  else
    conn_pump(c);
}

/* Writes what is due, strictly in order: a reply that is not due yet
 * holds back every reply behind it, and the timer waits for it. Due times
 * are on uv_hrtime(), so a reply never leaves before its delay even when
 * the loop's cached clock lags. */
static void conn_pump(fault_conn *c) {
  tt_fault *f = c->fault;
  fault_reply *r;
  while (!c->closing && (r = c->head) != NULL) {
    uint64_t now = uv_hrtime();
    if (r->due_ns > now) {
      uint64_t ms = (r->due_ns - now + FAULT_NS_PER_MS - 1) / FAULT_NS_PER_MS;
      uv_timer_start(&c->timer, conn_timer_cb, ms, 0);
      return;
    }
    int err;
    if (r->split) {
      err = conn_write_byte(c, r->data[r->off]);
      if (err != 0) {
        tt_fault_conn_end(c, true);
        return;
      }
      r->off++; /* the byte stays counted until its write is done */
      if (r->off < r->len) {
        r->due_ns = now + (uint64_t)f->delay_ms * FAULT_NS_PER_MS;
        continue;
      }
      conn_pop(c);
      c->queued -= sizeof(*r);
      free(r);
      continue;
    }
    conn_pop(c);
    uv_buf_t buf = uv_buf_init((char *)r->data, (unsigned)r->len);
    err = uv_write(&r->req, (uv_stream_t *)&c->tcp, &buf, 1, reply_write_cb);
    if (err != 0) {
      c->queued -= sizeof(*r) + r->len;
      free(r);
      tt_fault_conn_end(c, true);
      return;
    }
  }
}

static void conn_shutdown_cb(uv_shutdown_t *req, int status) {
  fault_conn *c = CONTAINER_OF(req, fault_conn, shutdown);
  if (status < 0)
    tt_fault_conn_end(c, false);
}

/* CLOSE: the FIN goes out now, and the connection reads on until the
 * client's own, so nothing is left unread when it closes (unread input
 * would turn the close into a reset). */
void tt_fault_conn_drain(fault_conn *c) {
  c->draining = true;
  if (uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, conn_shutdown_cb) != 0) {
    tt_fault_conn_end(c, false);
    return;
  }
  uv_timer_start(&c->timer, conn_timer_cb, FAULT_CLOSE_LINGER_MS, 0);
}

static void conn_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  fault_conn *c = h->data;
  buf->base = c->fault->rbuf;
  buf->len = sizeof(c->fault->rbuf);
}

/* Takes every complete request from the input, unless the replies waiting
 * have grown too large: then reading stops until writes drain them. */
static void conn_process(fault_conn *c) {
  tt_fault *f = c->fault;
  size_t pos = 0;
  size_t scan = c->scan;
  bool blocked = false;
  for (;;) {
    if (c->closing || c->draining)
      return;
    if (c->queued > FAULT_MAX_QUEUED) {
      blocked = true;
      break;
    }
    char *hit = NULL;
    if (scan < c->in_len)
      hit = memmem(c->in + scan, c->in_len - scan, f->end, f->end_len);
    if (hit == NULL)
      break;
    size_t stop = (size_t)(hit - c->in) + f->end_len;
    tt_fault_conn_request(c, c->in + pos, stop - pos);
    pos = scan = stop;
  }
  if (pos > 0) {
    memmove(c->in, c->in + pos, c->in_len - pos);
    c->in_len -= pos;
    scan -= pos;
  }
  /* A request_end may straddle this read and the next. */
  if (!blocked && c->in_len >= f->end_len)
    scan = c->in_len - (f->end_len - 1);
  c->scan = scan;

  conn_pump(c);
  if (c->closing)
    return;
  if (blocked) {
    if (c->reading) {
      uv_read_stop((uv_stream_t *)&c->tcp);
      c->reading = false;
    }
    return;
  }
  if (c->in_len > FAULT_MAX_INPUT) {
    tt_fault_conn_end(c, true);
    return;
  }
  if (!c->reading) {
    if (uv_read_start((uv_stream_t *)&c->tcp, conn_alloc_cb, conn_read_cb) != 0) {
      tt_fault_conn_end(c, true);
      return;
    }
    c->reading = true;
  }
}

static void conn_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  fault_conn *c = s->data;
  if (nread == 0)
    return;
  if (nread < 0) {
    tt_fault_conn_end(c, false);
    return;
  }
  if (c->draining)
    return;
  size_t n = (size_t)nread;
  if (c->in_len + n > c->in_cap) {
    size_t cap = c->in_cap ? c->in_cap : 256;
    while (cap < c->in_len + n)
      cap *= 2;
    char *in = realloc(c->in, cap);
    if (in == NULL) {
      tt_fault_conn_end(c, true);
      return;
    }
    c->in = in;
    c->in_cap = cap;
  }
  memcpy(c->in + c->in_len, buf->base, n);
  c->in_len += n;
  conn_process(c);
}

void tt_fault_connection_cb(uv_stream_t *server, int status) {
  tt_fault *f = server->data;
  if (status < 0)
    return;
  /* Without memory the connection stays in the kernel's queue, and libuv
   * stops polling the listener until a later accept: degraded, not broken. */
  fault_conn *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return;
  c->fault = f;
  uv_tcp_init(f->loop, &c->tcp);
  uv_timer_init(f->loop, &c->timer);
  c->tcp.data = c;
  c->timer.data = c;
  c->pending = 2;
  c->next = f->conns;
  if (f->conns != NULL)
    f->conns->prev = c;
  f->conns = c;
  f->pending++;
  if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
    tt_fault_conn_end(c, false);
    return;
  }
  f->accepted++;
  /* Replies, and SPLIT's single bytes above all, leave as written. */
  uv_tcp_nodelay(&c->tcp, 1);
  if (f->kind == TT_FAULT_UNREAD)
    return; /* what the client writes piles up in the kernel, then stalls */
  if (f->banner != NULL && tt_fault_writes(f->kind) &&
      tt_fault_conn_enqueue(c, f->banner, f->banner_len, 0, false,
                            false) != 0) {
    tt_fault_conn_end(c, true);
    return;
  }
  conn_process(c); /* starts reading and writes the banner */
}

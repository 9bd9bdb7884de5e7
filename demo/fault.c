/* fault.c - loopback servers that misbehave on purpose, one kind each, for
 * the demo and the tests; everything runs on the caller's loop. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fault.h"
#include "rng.h"

/* A connection whose unframed input grows past this is dropped: the demo
 * exposes these servers, and no peer gets to make them buffer without end. */
#define FAULT_MAX_INPUT (64u * 1024)
/* Reply bytes a connection may have waiting (queued or being written)
 * before it stops reading requests; it reads again below half of it. */
#define FAULT_MAX_QUEUED (1024u * 1024)
#define FAULT_MAX_SIZE (16u * 1024 * 1024) /* OVERSIZE's largest answer */
#define FAULT_READ_SIZE (64u * 1024)
#define FAULT_BACKLOG 128
/* CLOSE sends its FIN first and then waits this long for the client's own
 * before it lets the connection go. */
#define FAULT_CLOSE_LINGER_MS 5000
#define FAULT_NS_PER_MS 1000000u

#define CONTAINER_OF(ptr, type, field) \
  ((type *)((char *)(ptr) - offsetof(type, field)))

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

typedef struct fault_conn fault_conn;
typedef struct fault_reply fault_reply;

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

struct fault_conn {
  uv_tcp_t tcp;
  uv_timer_t timer;      /* the head reply's due time; CLOSE's linger */
  uv_shutdown_t shutdown;
  tt_fault *fault;
  fault_conn *prev, *next;
  char *in;              /* input not yet taken as requests */
  size_t in_len, in_cap;
  size_t scan;           /* where to look for request_end next */
  fault_reply *head, *tail;
  size_t queued;         /* reply bytes (plus bookkeeping) not yet written */
  uint64_t nreq;
  int pending;           /* handles not yet closed */
  bool closing;
  bool reading;
  bool draining;         /* CLOSE: FIN sent, reading until the peer's */
  bool end_after_write;  /* close_after: end once the last reply is out */
};

struct tt_fault {
  uv_loop_t *loop;
  tt_fault_kind kind;
  char *banner;
  size_t banner_len;
  char *reply;
  size_t reply_len;
  char *end;
  size_t end_len;
  char *oversize;
  uint32_t delay_ms, jitter_ms, every, period_ms, size;
  uint32_t close_after, drop_after;
  bool close_reset, drop_partial;
  uint64_t rng;
  struct sockaddr_storage addr; /* the port is filled in by the first bind */
  uv_timer_t timer;             /* FLAP's period */
  uv_tcp_t *listener;           /* NULL while not listening */
  int hold_fd;                  /* bound, not listening: refuses; or -1 */
  int stall_fd;                 /* STALL's listener that never accepts */
  int stall_client[2];          /* the connects that fill its queue */
  fault_conn *conns;
  uint64_t accepted, requests;
  unsigned pending;             /* the timer, listeners, connections */
  bool paused;
  bool closing;
  char rbuf[FAULT_READ_SIZE];   /* read_cb consumes it before the next read */
};

static void conn_process(fault_conn *c);
static void conn_pump(fault_conn *c);
static void conn_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static uint64_t fault_random(tt_fault *f) {
  return tt_rng_next(&f->rng);
}

static socklen_t fault_addr_len(const tt_fault *f) {
  return f->addr.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                       : sizeof(struct sockaddr_in);
}

static void fault_set_port(tt_fault *f, uint16_t port) {
  if (f->addr.ss_family == AF_INET6)
    ((struct sockaddr_in6 *)&f->addr)->sin6_port = htons(port);
  else
    ((struct sockaddr_in *)&f->addr)->sin_port = htons(port);
}

uint16_t tt_fault_port(const tt_fault *f) {
  if (f->addr.ss_family == AF_INET6)
    return ntohs(((const struct sockaddr_in6 *)&f->addr)->sin6_port);
  return ntohs(((const struct sockaddr_in *)&f->addr)->sin_port);
}

uint64_t tt_fault_accepted(const tt_fault *f) {
  return f->accepted;
}

uint64_t tt_fault_requests(const tt_fault *f) {
  return f->requests;
}

/* Remembers the port the kernel chose, so that pause, resume and FLAP
 * come back where they were. */
static int fault_learn_port(tt_fault *f, const struct sockaddr_storage *ss) {
  if (ss->ss_family != f->addr.ss_family)
    return UV_EINVAL;
  if (ss->ss_family == AF_INET6)
    fault_set_port(f, ntohs(((const struct sockaddr_in6 *)ss)->sin6_port));
  else
    fault_set_port(f, ntohs(((const struct sockaddr_in *)ss)->sin_port));
  return 0;
}

static int fault_learn_fd_port(tt_fault *f, int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
    return -errno;
  return fault_learn_port(f, &ss);
}

static void fault_free(tt_fault *f) {
  free(f->banner);
  free(f->reply);
  free(f->end);
  free(f->oversize);
  free(f);
}

static void fault_maybe_free(tt_fault *f) {
  if (f->closing && f->pending == 0)
    fault_free(f);
}

static void fault_handle_close_cb(uv_handle_t *h) {
  tt_fault *f = h->data;
  free(h);
  f->pending--;
  fault_maybe_free(f);
}

static void fault_timer_close_cb(uv_handle_t *h) {
  tt_fault *f = h->data;
  f->pending--;
  fault_maybe_free(f);
}

/* ---- connections ---- */

static bool fault_writes(tt_fault_kind kind) {
  return kind != TT_FAULT_SILENT && kind != TT_FAULT_RESET &&
         kind != TT_FAULT_CLOSE && kind != TT_FAULT_UNREAD;
}

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
  fault_maybe_free(f);
}

/* Ends a connection, with a reset (RST) or a normal close. Replies that
 * were not handed to libuv yet are dropped; those being written come back
 * to their callbacks as cancelled before the close callbacks run. */
static void conn_end(fault_conn *c, bool reset) {
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
static void conn_drain(fault_conn *c);

static void conn_written(fault_conn *c, int status) {
  if (c->closing)
    return;
  if (status < 0) {
    conn_end(c, true);
    return;
  }
  if (c->end_after_write && c->head == NULL) {
    if (c->fault->close_reset)
      conn_end(c, true);
    else if (!c->draining)
      conn_drain(c);
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
static int conn_enqueue(fault_conn *c, const char *data, size_t len,
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
    conn_end(c, false);
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
        conn_end(c, true);
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
      conn_end(c, true);
      return;
    }
  }
}

static void conn_shutdown_cb(uv_shutdown_t *req, int status) {
  fault_conn *c = CONTAINER_OF(req, fault_conn, shutdown);
  if (status < 0)
    conn_end(c, false);
}

/* CLOSE: the FIN goes out now, and the connection reads on until the
 * client's own, so nothing is left unread when it closes (unread input
 * would turn the close into a reset). */
static void conn_drain(fault_conn *c) {
  c->draining = true;
  if (uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, conn_shutdown_cb) != 0) {
    conn_end(c, false);
    return;
  }
  uv_timer_start(&c->timer, conn_timer_cb, FAULT_CLOSE_LINGER_MS, 0);
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
static void conn_request(fault_conn *c, const char *req, size_t len) {
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
        conn_drain(c);
        break;
      }
      c->end_after_write = true;
      err = conn_enqueue(c, f->reply, f->reply_len / 2, now, false, false);
      break;
    }
    if (f->close_after > 0 && c->nreq == f->close_after)
      c->end_after_write = true;
    /* fall through */
  case TT_FAULT_FLAP:
    err = conn_enqueue(c, f->reply, f->reply_len,
                       now + delay_ms * FAULT_NS_PER_MS, false, false);
    break;
  case TT_FAULT_LATE:
    if (c->nreq % f->every == 0)
      delay_ms = f->delay_ms;
    err = conn_enqueue(c, f->reply, f->reply_len,
                       now + delay_ms * FAULT_NS_PER_MS, false, false);
    break;
  case TT_FAULT_SPLIT:
    err = conn_enqueue(c, f->reply, f->reply_len, now, true, false);
    break;
  case TT_FAULT_ECHO:
    err = conn_enqueue(c, req, len, now, false, true);
    break;
  case TT_FAULT_GARBAGE:
    err = conn_enqueue(c, fault_garbage, sizeof(fault_garbage) - 1, now,
                       false, false);
    break;
  case TT_FAULT_OVERSIZE:
    err = conn_enqueue(c, f->oversize, f->size, now, false, false);
    break;
  case TT_FAULT_RESET:
    conn_end(c, true);
    break;
  case TT_FAULT_CLOSE:
    conn_drain(c);
    break;
  case TT_FAULT_SILENT:
  case TT_FAULT_REFUSE:
  case TT_FAULT_STALL:
  case TT_FAULT_UNREAD:
    break;
  }
  if (err != 0)
    conn_end(c, true);
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
    conn_request(c, c->in + pos, stop - pos);
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
    conn_end(c, true);
    return;
  }
  if (!c->reading) {
    if (uv_read_start((uv_stream_t *)&c->tcp, conn_alloc_cb, conn_read_cb) != 0) {
      conn_end(c, true);
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
    conn_end(c, false);
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
      conn_end(c, true);
      return;
    }
    c->in = in;
    c->in_cap = cap;
  }
  memcpy(c->in + c->in_len, buf->base, n);
  c->in_len += n;
  conn_process(c);
}

static void fault_connection_cb(uv_stream_t *server, int status) {
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
    conn_end(c, false);
    return;
  }
  f->accepted++;
  /* Replies, and SPLIT's single bytes above all, leave as written. */
  uv_tcp_nodelay(&c->tcp, 1);
  if (f->kind == TT_FAULT_UNREAD)
    return; /* what the client writes piles up in the kernel, then stalls */
  if (f->banner != NULL && fault_writes(f->kind) &&
      conn_enqueue(c, f->banner, f->banner_len, 0, false, false) != 0) {
    conn_end(c, true);
    return;
  }
  conn_process(c); /* starts reading and writes the banner */
}

/* ---- the port: listening, held, or stalled ---- */

static int fault_listen(tt_fault *f) {
  uv_tcp_t *l = malloc(sizeof(*l));
  if (l == NULL)
    return UV_ENOMEM;
  int err = uv_tcp_init(f->loop, l);
  if (err != 0) {
    free(l);
    return err;
  }
  l->data = f;
  f->pending++;
  /* A bind conflict shows only at listen(): libuv defers it. */
  err = uv_tcp_bind(l, (const struct sockaddr *)&f->addr, 0);
  if (err == 0 && f->kind == TT_FAULT_UNREAD) {
    /* Set before listen() so that accepted sockets inherit a small
     * window: a client's writes then back up after a few KiB. */
    int size = 4096;
    err = uv_recv_buffer_size((uv_handle_t *)l, &size);
  }
  if (err == 0)
    err = uv_listen((uv_stream_t *)l, FAULT_BACKLOG, fault_connection_cb);
  if (err == 0) {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    err = uv_tcp_getsockname(l, (struct sockaddr *)&ss, &len);
    if (err == 0)
      err = fault_learn_port(f, &ss);
  }
  if (err != 0) {
    uv_close((uv_handle_t *)l, fault_handle_close_cb);
    return err;
  }
  f->listener = l;
  return 0;
}

/* Binds the port without listening, so connects are refused. Without
 * SO_REUSEADDR nobody else can bind the port, but then a connection of
 * ours in TIME_WAIT on it blocks the bind too: only then is it set. */
static int fault_hold(tt_fault *f) {
  if (f->hold_fd >= 0)
    return 0;
  int fd = socket(f->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  int err = 0;
  if (bind(fd, (const struct sockaddr *)&f->addr, fault_addr_len(f)) != 0) {
    err = -errno;
    int one = 1;
    if (err == UV_EADDRINUSE &&
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0)
      err = bind(fd, (const struct sockaddr *)&f->addr, fault_addr_len(f)) == 0
                ? 0 : -errno;
  }
  if (err == 0)
    err = fault_learn_fd_port(f, fd);
  if (err != 0) {
    close(fd);
    return err;
  }
  f->hold_fd = fd;
  return 0;
}

static void fault_release(tt_fault *f) {
  if (f->hold_fd >= 0) {
    close(f->hold_fd);
    f->hold_fd = -1;
  }
}

static void fault_unstall(tt_fault *f) {
  for (int i = 0; i < 2; i++) {
    if (f->stall_client[i] >= 0) {
      close(f->stall_client[i]);
      f->stall_client[i] = -1;
    }
  }
  if (f->stall_fd >= 0) {
    close(f->stall_fd);
    f->stall_fd = -1;
  }
}

/* A listener with a backlog of 0 that is never accepted from. The first
 * of our own connects fills its accept queue; from then on the kernel
 * drops every SYN, so connects neither complete nor fail. This is a raw
 * socket because a libuv listener would accept behind our back. */
static int fault_stall(tt_fault *f) {
  int err = 0;
  int one = 1;
  f->stall_fd = socket(f->addr.ss_family,
                       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (f->stall_fd < 0) {
    err = -errno;
    goto fail;
  }
  /* As libuv's listeners do, so pause and resume rebind at once. */
  if (setsockopt(f->stall_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      bind(f->stall_fd, (const struct sockaddr *)&f->addr, fault_addr_len(f)) != 0 ||
      listen(f->stall_fd, 0) != 0) {
    err = -errno;
    goto fail;
  }
  err = fault_learn_fd_port(f, f->stall_fd);
  if (err != 0)
    goto fail;
  for (int i = 0; i < 2; i++) {
    int fd = socket(f->addr.ss_family,
                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      err = -errno;
      goto fail;
    }
    f->stall_client[i] = fd;
    if (connect(fd, (const struct sockaddr *)&f->addr, fault_addr_len(f)) != 0 &&
        errno != EINPROGRESS) {
      err = -errno;
      goto fail;
    }
  }
  return 0;

fail:
  fault_unstall(f);
  return err;
}

static int fault_serve(tt_fault *f) {
  switch (f->kind) {
  case TT_FAULT_REFUSE:
    return fault_hold(f);
  case TT_FAULT_STALL:
    return fault_stall(f);
  default:
    return fault_listen(f);
  }
}

/* Stops serving: the listener goes, every connection is reset. */
static void fault_unserve(tt_fault *f) {
  if (f->listener != NULL) {
    uv_close((uv_handle_t *)f->listener, fault_handle_close_cb);
    f->listener = NULL;
  }
  fault_unstall(f);
  for (fault_conn *c = f->conns; c != NULL; c = c->next)
    conn_end(c, true);
}

void tt_fault_pause(tt_fault *f) {
  if (f->closing || f->paused)
    return;
  f->paused = true;
  if (f->kind == TT_FAULT_REFUSE)
    return; /* it refuses already */
  fault_unserve(f);
  /* Should this fail, connects are refused all the same; only the port
   * is not reserved against others. */
  (void)fault_hold(f);
}

int tt_fault_resume(tt_fault *f) {
  if (f->closing)
    return UV_EINVAL;
  if (!f->paused)
    return 0;
  if (f->kind != TT_FAULT_REFUSE) {
    fault_release(f);
    int err = fault_serve(f);
    if (err != 0) {
      (void)fault_hold(f);
      return err;
    }
  }
  f->paused = false;
  return 0;
}

static void fault_flap_cb(uv_timer_t *t) {
  tt_fault *f = t->data;
  if (f->paused)
    (void)tt_fault_resume(f); /* on failure, the next period tries again */
  else
    tt_fault_pause(f);
}

void tt_fault_close(tt_fault *f) {
  if (f->closing)
    return;
  f->closing = true;
  fault_unserve(f);
  fault_release(f);
  uv_close((uv_handle_t *)&f->timer, fault_timer_close_cb);
}

/* ---- starting ---- */

static char *fault_strdup(const char *s, size_t *len) {
  *len = strlen(s);
  char *d = malloc(*len + 1);
  if (d != NULL)
    memcpy(d, s, *len + 1);
  return d;
}

static int fault_check(const tt_fault_opts *o) {
  if (o == NULL)
    return UV_EINVAL;
  if ((unsigned)o->kind > TT_FAULT_UNREAD)
    return UV_EINVAL;
  if (o->kind == TT_FAULT_LATE && o->every == 0)
    return UV_EINVAL;
  if (o->kind == TT_FAULT_FLAP && o->period_ms == 0)
    return UV_EINVAL;
  if (o->kind == TT_FAULT_OVERSIZE && (o->size == 0 || o->size > FAULT_MAX_SIZE))
    return UV_EINVAL;
  if ((o->request_end != NULL && o->request_end[0] == '\0') ||
      (o->reply != NULL && o->reply[0] == '\0'))
    return UV_EINVAL;
  return 0;
}

static int fault_setup(tt_fault *f, const tt_fault_opts *o) {
  const char *host = o->host != NULL ? o->host : "127.0.0.1";
  if (uv_ip4_addr(host, o->port, (struct sockaddr_in *)&f->addr) != 0 &&
      uv_ip6_addr(host, o->port, (struct sockaddr_in6 *)&f->addr) != 0)
    return UV_EINVAL;
  f->reply = fault_strdup(o->reply != NULL ? o->reply : "+PONG\r\n",
                          &f->reply_len);
  f->end = fault_strdup(o->request_end != NULL ? o->request_end : "\n",
                        &f->end_len);
  if (f->reply == NULL || f->end == NULL)
    return UV_ENOMEM;
  if (o->banner != NULL && o->banner[0] != '\0') {
    f->banner = fault_strdup(o->banner, &f->banner_len);
    if (f->banner == NULL)
      return UV_ENOMEM;
  }
  if (o->kind == TT_FAULT_OVERSIZE) {
    f->oversize = malloc(o->size);
    if (f->oversize == NULL)
      return UV_ENOMEM;
    memset(f->oversize, 'A', o->size);
  }
  return 0;
}

int tt_fault_start(uv_loop_t *loop, const tt_fault_opts *opts,
                   tt_fault **out) {
  int err = fault_check(opts);
  if (err != 0)
    return err;
  tt_fault *f = calloc(1, sizeof(*f));
  if (f == NULL)
    return UV_ENOMEM;
  f->loop = loop;
  f->kind = opts->kind;
  f->delay_ms = opts->delay_ms;
  f->jitter_ms = opts->jitter_ms;
  f->every = opts->every;
  f->period_ms = opts->period_ms;
  f->size = opts->size;
  f->close_after = opts->close_after;
  f->close_reset = opts->close_reset;
  f->drop_after = opts->drop_after;
  f->drop_partial = opts->drop_partial;
  f->rng = opts->seed != 0 ? opts->seed : TT_RNG_SEED_FALLBACK;
  f->hold_fd = -1;
  f->stall_fd = -1;
  f->stall_client[0] = f->stall_client[1] = -1;
  err = fault_setup(f, opts);
  if (err != 0)
    goto fail_setup;

  uv_timer_init(loop, &f->timer);
  f->timer.data = f;
  f->pending = 1;
  err = fault_serve(f);
  if (err != 0)
    goto fail_serve;
  if (f->kind == TT_FAULT_FLAP)
    uv_timer_start(&f->timer, fault_flap_cb, f->period_ms, f->period_ms);
  *out = f;
  return 0;

fail_serve:
  /* What was opened is closing; the memory goes with its callbacks. */
  tt_fault_close(f);
  return err;
fail_setup:
  fault_free(f);
  return err;
}

/* httpd.c - the HTTP/1.1 responder: one request at a time per connection,
 * read into a fixed buffer, answered in slices, every phase on a deadline,
 * so that no client can hold more than a few buffers or a slot for ever.
 * httpd_head.c reads the requests' heads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "httpd.h"
#include "httpd_head.h"

#define DEF_MAX_CLIENTS 16
#define DEF_MAX_HEAD (8 * 1024)
#define DEF_HEAD_TIMEOUT_MS 10000
#define DEF_IDLE_TIMEOUT_MS 60000
#define DEF_WRITE_TIMEOUT_MS 60000
#define DEF_SLICE (64 * 1024)
/* After an answer that closes the connection, what the client still sends
 * is read and dropped for a while (at most this much), so that closing
 * with unread bytes does not reset the connection under the answer. */
#define LINGER_MS 2000
#define LINGER_BYTES (64 * 1024)
/* What deflate holds for one stream at level 1, windowBits 15, memLevel
 * 8 (zlib's own figure), for the accounting of what clients hold. */
#define ZLIB_HELD (256 * 1024 + 6 * 1024)
/* Room kept before a slice for its chunk size line ("ffffffff\r\n"). */
#define CHUNK_HEAD 10

typedef enum phase {
  P_READING, /* waiting for a request, or for the rest of one */
  P_WRITING, /* a response is being written; reading is stopped */
  P_LINGER,  /* answered and shut down: dropping what still comes */
  P_CLOSING
} phase;

typedef struct conn conn;

struct conn {
  uv_tcp_t tcp;
  uv_timer_t timer;
  uv_write_t wreq;
  uv_shutdown_t sreq;
  tt_httpd *h;
  conn *prev, *next;
  phase phase;
  int open;            /* handles not yet closed */
  bool answered;       /* at least one response: the idle deadline
                          applies between requests */
  uint64_t idle_since; /* loop time it started waiting for a request */
  size_t lingered;
  /* The response being written. */
  tt_http_body body;   /* next is set while a body is being made */
  bool chunked;
  bool keep_alive;
  bool gzip;
  bool more;           /* the body has more slices */
  z_stream z;
  bool z_on;
  tt_bytes out;        /* what the write in flight holds */
  tt_bytes raw;        /* a slice before it is compressed */
  size_t in_len;
  char in[];           /* max_head bytes of request */
};

struct tt_httpd {
  uv_loop_t *loop;
  uv_tcp_t listener;
  tt_httpd_opts o;
  conn *conns;
  size_t nconns;       /* connections not closing */
  int open;            /* the listener's handle, connections, refusals */
  bool closing;
  void (*closed_cb)(void *arg);
  void *closed_arg;
  tt_httpd_stats st;
};

static void conn_close(conn *c);
static void process(conn *c);

/* ---- bookkeeping -------------------------------------------------------- */

static void maybe_freed(tt_httpd *h) {
  if (!h->closing || h->open > 0)
    return;
  void (*cb)(void *) = h->closed_cb;
  void *arg = h->closed_arg;
  free(h);
  if (cb != NULL)
    cb(arg);
}

static size_t held_by(const tt_httpd *h, const conn *c) {
  return h->o.max_head + c->out.cap + c->raw.cap + (c->z_on ? ZLIB_HELD : 0);
}

static size_t held_now(const tt_httpd *h) {
  size_t n = 0;
  for (const conn *c = h->conns; c != NULL; c = c->next)
    if (c->phase != P_CLOSING)
      n += held_by(h, c);
  return n;
}

static void note_held(tt_httpd *h) {
  size_t n = held_now(h);
  if (n > h->st.held_max)
    h->st.held_max = n;
}

void tt_httpd_stats_get(const tt_httpd *h, tt_httpd_stats *out) {
  *out = h->st;
  out->clients = h->nconns;
  out->held = held_now(h);
}

uint16_t tt_httpd_port(const tt_httpd *h) {
  struct sockaddr_storage ss;
  int len = sizeof ss;
  if (uv_tcp_getsockname(&h->listener, (struct sockaddr *)&ss, &len) != 0)
    return 0;
  if (ss.ss_family == AF_INET6)
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* ---- deadlines --------------------------------------------------------- */

static void timer_cb(uv_timer_t *t) {
  conn *c = t->data;
  c->h->st.timeouts++;
  conn_close(c);
}

static void deadline(conn *c, uint64_t ms) {
  uv_timer_start(&c->timer, timer_cb, ms, 0);
}

/* ---- closing ---------------------------------------------------------- */

static void end_body(conn *c) {
  if (c->body.done != NULL)
    c->body.done(c->body.state);
  memset(&c->body, 0, sizeof c->body);
  c->more = false;
  if (c->z_on) {
    deflateEnd(&c->z);
    c->z_on = false;
  }
}

static void conn_closed_cb(uv_handle_t *hd) {
  conn *c = hd->data;
  tt_httpd *h = c->h;
  if (--c->open > 0)
    return;
  if (c->prev != NULL)
    c->prev->next = c->next;
  else
    h->conns = c->next;
  if (c->next != NULL)
    c->next->prev = c->prev;
  tt_bytes_free(&c->out);
  tt_bytes_free(&c->raw);
  free(c);
  h->open--;
  maybe_freed(h);
}

static void conn_close(conn *c) {
  if (c->phase == P_CLOSING)
    return;
  end_body(c);
  c->phase = P_CLOSING;
  c->h->nconns--;
  uv_close((uv_handle_t *)&c->tcp, conn_closed_cb);
  uv_close((uv_handle_t *)&c->timer, conn_closed_cb);
}

/* ---- reading ---------------------------------------------------------- */

static void alloc_cb(uv_handle_t *hd, size_t suggested, uv_buf_t *buf) {
  static char sink[4096]; /* lingering bytes are dropped unread */
  conn *c = hd->data;
  if (c->phase == P_LINGER) {
    *buf = uv_buf_init(sink, sizeof sink);
    return;
  }
  *buf = uv_buf_init(c->in + c->in_len,
                     (unsigned)(c->h->o.max_head - c->in_len));
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  conn *c = s->data;
  if (c->phase == P_CLOSING)
    return;
  if (nread < 0) {
    /* The client is done (or gone). A request cut short gets nothing. */
    conn_close(c);
    return;
  }
  if (nread == 0)
    return;
  if (c->phase == P_LINGER) {
    c->lingered += (size_t)nread;
    if (c->lingered > LINGER_BYTES)
      conn_close(c);
    return;
  }
  if (c->phase != P_READING)
    return;
  /* The first byte of a request starts its deadline: a client that
   * trickles its headers gets head_timeout in all, not per byte. */
  if (c->in_len == 0)
    deadline(c, c->h->o.head_timeout_ms);
  c->in_len += (size_t)nread;
  process(c);
}

/* ---- writing ---------------------------------------------------------- */

static void write_cb(uv_write_t *w, int status);

static void write_out(conn *c, const char *p, size_t n) {
  uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
  note_held(c->h);
  int r = uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, write_cb);
  if (r < 0)
    conn_close(c);
}

/* Compresses raw into out after its CHUNK_HEAD; flushed at every slice,
 * so that every slice yields bytes to send (a few bytes' cost). */
static int deflate_slice(conn *c, bool last) {
  c->z.next_in = (Bytef *)c->raw.p;
  c->z.avail_in = (uInt)c->raw.len;
  do {
    char *room = tt_bytes_room(&c->out, 16 * 1024);
    if (room == NULL)
      return -1;
    c->z.next_out = (Bytef *)room;
    c->z.avail_out = 16 * 1024;
    int r = deflate(&c->z, last ? Z_FINISH : Z_SYNC_FLUSH);
    if (r == Z_STREAM_ERROR)
      return -1;
    c->out.len += 16 * 1024 - c->z.avail_out;
  } while (c->z.avail_out == 0);
  return 0;
}

static void make_slice(conn *c);

/* The CPU time of the loop's thread: what making a slice costs, without
 * the time others' processes took the CPU meanwhile. */
static uint64_t thread_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Makes the next slice of the body and writes it, timed: how long a
 * slice holds the loop is what a scrape costs the heartbeats. */
static void write_slice(conn *c) {
  tt_httpd *h = c->h;
  uint64_t t0 = thread_ns();
  make_slice(c);
  uint64_t ns = thread_ns() - t0;
  h->st.slices++;
  h->st.slice_ns += ns;
  if (ns > h->st.slice_ns_max)
    h->st.slice_ns_max = ns;
}

/* Makes the next slice of the body and writes it, as a chunk when the
 * response is chunked. */
static void make_slice(conn *c) {
  tt_httpd *h = c->h;
  size_t head = c->chunked ? CHUNK_HEAD : 0;
  c->out.len = 0;
  if (tt_bytes_room(&c->out, head) == NULL) {
    conn_close(c);
    return;
  }
  c->out.len = head;
  if (c->gzip) {
    c->raw.len = 0;
    c->more = c->body.next(c->body.state, &c->raw, h->o.slice);
    if (c->raw.oom || deflate_slice(c, !c->more) != 0) {
      conn_close(c);
      return;
    }
  } else {
    c->more = c->body.next(c->body.state, &c->out, h->o.slice);
  }
  if (c->out.oom) {
    conn_close(c);
    return;
  }
  size_t data = c->out.len - head, from = 0;
  if (c->chunked) {
    char line[CHUNK_HEAD + 1];
    int n = snprintf(line, sizeof line, "%zx\r\n", data);
    from = head - (size_t)n;
    memcpy(c->out.p + from, line, (size_t)n);
    if (data > 0)
      tt_bytes_put(&c->out, "\r\n", 2);
    else
      from = c->out.len; /* an empty chunk would end the body */
    if (!c->more)
      tt_bytes_put(&c->out, "0\r\n\r\n", 5);
  }
  if (c->out.len == from) {
    /* Nothing to send yet (an empty slice): the next one, on the next
     * write callback, costs nothing to wait for. */
    if (c->more) {
      write_out(c, "", 0);
      return;
    }
  }
  write_out(c, c->out.p + from, c->out.len - from);
}

static void linger_timer_cb(uv_timer_t *t) {
  conn_close(t->data);
}

static void shutdown_cb(uv_shutdown_t *r, int status) {
  conn *c = r->data;
  if (c->phase == P_CLOSING)
    return;
  if (status < 0 || uv_read_start((uv_stream_t *)&c->tcp, alloc_cb,
                                  read_cb) != 0) {
    conn_close(c);
    return;
  }
  c->phase = P_LINGER;
  uv_timer_start(&c->timer, linger_timer_cb, LINGER_MS, 0);
}

/* The response is written: the next request, or the end. */
static void finish(conn *c) {
  tt_httpd *h = c->h;
  end_body(c);
  /* A made body's buffers go back: an idle connection holds only its
   * request buffer. */
  tt_bytes_free(&c->out);
  tt_bytes_free(&c->raw);
  c->answered = true;
  if (!c->keep_alive || h->closing) {
    c->sreq.data = c;
    if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, shutdown_cb) != 0)
      conn_close(c);
    else
      uv_timer_stop(&c->timer);
    return;
  }
  c->phase = P_READING;
  c->idle_since = uv_now(h->loop);
  deadline(c, c->in_len > 0 ? h->o.head_timeout_ms : h->o.idle_timeout_ms);
  if (uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) != 0) {
    conn_close(c);
    return;
  }
  /* A request that came along with the last one (pipelining). */
  if (c->in_len > 0)
    process(c);
}

static void write_cb(uv_write_t *w, int status) {
  conn *c = w->data;
  if (c->phase == P_CLOSING)
    return;
  if (status < 0) {
    conn_close(c);
    return;
  }
  if (c->more)
    write_slice(c);
  else
    finish(c);
}

/* ---- answering --------------------------------------------------------- */

static const char *reason(int status) {
  switch (status) {
  case 200: return "OK";
  case 400: return "Bad Request";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 431: return "Request Header Fields Too Large";
  case 500: return "Internal Server Error";
  case 503: return "Service Unavailable";
  case 505: return "HTTP Version Not Supported";
  default: return "Unknown";
  }
}

/* "Tue, 25 Nov 2026 10:04:05 GMT", whatever the locale. */
static void http_date(char *buf, size_t n) {
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                     "Thu", "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
           tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
           tm.tm_min, tm.tm_sec);
}

/* Starts writing resp to the request r (the connection stops reading
 * until it is written). */
static void respond(conn *c, const tt_http_head *r, tt_http_resp *resp) {
  tt_httpd *h = c->h;
  char date[40];
  bool made = resp->text == NULL && resp->body.next != NULL;

  c->keep_alive = r->keep_alive && !r->has_body && !h->closing &&
                  (!made || r->minor >= 1);
  c->chunked = made && r->minor >= 1;
  c->gzip = made && r->gzip && h->o.gzip && !r->req.head;
  c->body = resp->body;
  c->more = made && !r->req.head;
  h->st.requests++;

  if (c->gzip) {
    memset(&c->z, 0, sizeof c->z);
    if (deflateInit2(&c->z, 1, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      c->gzip = false;
    } else {
      c->z_on = true;
    }
  }

  http_date(date, sizeof date);
  c->out.len = 0;
  tt_bytes_printf(&c->out, "HTTP/1.1 %d %s\r\nDate: %s\r\n", resp->status,
                  reason(resp->status), date);
  tt_bytes_printf(&c->out, "Content-Type: %s\r\n",
                  resp->content_type ? resp->content_type
                                     : "text/plain; charset=utf-8");
  if (resp->allow != NULL)
    tt_bytes_printf(&c->out, "Allow: %s\r\n", resp->allow);
  if (!made)
    tt_bytes_printf(&c->out, "Content-Length: %zu\r\n",
                    resp->text ? strlen(resp->text) : 0);
  else if (c->chunked)
    tt_bytes_puts(&c->out, "Transfer-Encoding: chunked\r\n");
  if (made && h->o.gzip)
    tt_bytes_puts(&c->out, "Vary: Accept-Encoding\r\n");
  if (c->gzip)
    tt_bytes_puts(&c->out, "Content-Encoding: gzip\r\n");
  tt_bytes_printf(&c->out, "Connection: %s\r\n\r\n",
                  c->keep_alive ? "keep-alive" : "close");
  if (!made && resp->text != NULL && !r->req.head)
    tt_bytes_puts(&c->out, resp->text);
  if (made && r->req.head)
    end_body(c);
  if (c->out.oom) {
    conn_close(c);
    return;
  }

  c->phase = P_WRITING;
  uv_read_stop((uv_stream_t *)&c->tcp);
  deadline(c, h->o.write_timeout_ms);
  write_out(c, c->out.p, c->out.len);
}


static void answer_error(conn *c, tt_http_head *r, int status) {
  tt_http_resp resp = { .status = status };
  switch (status) {
  case 431: resp.text = "request head too large\n"; break;
  case 505: resp.text = "HTTP/1.0 and HTTP/1.1 only\n"; break;
  default: resp.text = "malformed request\n"; break;
  }
  r->keep_alive = false;
  c->h->st.bad++;
  respond(c, r, &resp);
}

/* Answers the request at the start of in, if it is whole. */
static void process(conn *c) {
  tt_httpd *h = c->h;
  tt_http_head r;
  size_t end = tt_http_head_end(c->in, c->in_len);

  if (end == 0) {
    if (c->in_len == h->o.max_head) {
      memset(&r, 0, sizeof r);
      answer_error(c, &r, 431);
    }
    return;
  }
  tt_http_head_parse(c->in, end, &r);
  if (r.error != 0) {
    answer_error(c, &r, r.error);
    return;
  }
  tt_http_resp resp = { .status = 500, .text = "no handler\n" };
  h->o.handler(&r.req, &resp, h->o.arg);
  /* The request is answered: what follows it stays for the next one. */
  memmove(c->in, c->in + end, c->in_len - end);
  c->in_len -= end;
  respond(c, &r, &resp);
}

/* ---- accepting ------------------------------------------------------- */

typedef struct refusal {
  uv_tcp_t tcp;
  tt_httpd *h;
} refusal;

static void refusal_closed_cb(uv_handle_t *hd) {
  refusal *f = hd->data;
  tt_httpd *h = f->h;
  free(f);
  h->open--;
  maybe_freed(h);
}

/* Every slot is busy with a request: the newcomer is told so at once,
 * and closed, rather than left waiting in the backlog. */
static void refuse(tt_httpd *h) {
  static const char busy[] =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
      "Retry-After: 1\r\nConnection: close\r\n\r\n";
  refusal *f = malloc(sizeof *f);
  if (f == NULL)
    return;
  f->h = h;
  uv_tcp_init(h->loop, &f->tcp);
  f->tcp.data = f;
  h->open++;
  if (uv_accept((uv_stream_t *)&h->listener, (uv_stream_t *)&f->tcp) == 0) {
    uv_buf_t b = uv_buf_init((char *)busy, sizeof busy - 1);
    uv_try_write((uv_stream_t *)&f->tcp, &b, 1);
    h->st.refused++;
  }
  uv_close((uv_handle_t *)&f->tcp, refusal_closed_cb);
}

/* Closes the connection that has waited longest for a next request, if
 * any: a kept-alive scraper reconnects, a newcomer gets a slot. */
static bool evict_idle(tt_httpd *h) {
  conn *oldest = NULL;
  for (conn *c = h->conns; c != NULL; c = c->next)
    if (c->phase == P_READING && c->in_len == 0 &&
        (oldest == NULL || c->idle_since < oldest->idle_since))
      oldest = c;
  if (oldest == NULL)
    return false;
  h->st.evicted++;
  conn_close(oldest);
  return true;
}

static void connection_cb(uv_stream_t *server, int status) {
  tt_httpd *h = server->data;
  if (status < 0 || h->closing)
    return;
  if (h->nconns >= h->o.max_clients && !evict_idle(h)) {
    refuse(h);
    return;
  }
  conn *c = calloc(1, sizeof *c + h->o.max_head);
  if (c == NULL) {
    refuse(h);
    return;
  }
  c->h = h;
  uv_tcp_init(h->loop, &c->tcp);
  uv_timer_init(h->loop, &c->timer);
  c->tcp.data = c->timer.data = c->wreq.data = c;
  c->open = 2;
  c->next = h->conns;
  if (h->conns != NULL)
    h->conns->prev = c;
  h->conns = c;
  h->nconns++;
  h->open++;
  c->phase = P_READING;
  c->idle_since = uv_now(h->loop);
  if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 ||
      uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) != 0) {
    conn_close(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  h->st.accepted++;
  deadline(c, h->o.head_timeout_ms);
  note_held(h);
}

/* ---- the server ------------------------------------------------------ */

int tt_httpd_start(uv_loop_t *loop, const struct sockaddr *addr,
                   const tt_httpd_opts *opts, tt_httpd **out) {
  tt_httpd *h = calloc(1, sizeof *h);
  int r;
  if (h == NULL)
    return UV_ENOMEM;
  h->loop = loop;
  h->o = *opts;
  if (h->o.max_clients == 0)
    h->o.max_clients = DEF_MAX_CLIENTS;
  if (h->o.max_head == 0)
    h->o.max_head = DEF_MAX_HEAD;
  if (h->o.head_timeout_ms == 0)
    h->o.head_timeout_ms = DEF_HEAD_TIMEOUT_MS;
  if (h->o.idle_timeout_ms == 0)
    h->o.idle_timeout_ms = DEF_IDLE_TIMEOUT_MS;
  if (h->o.write_timeout_ms == 0)
    h->o.write_timeout_ms = DEF_WRITE_TIMEOUT_MS;
  if (h->o.slice == 0)
    h->o.slice = DEF_SLICE;

  if ((r = uv_tcp_init(loop, &h->listener)) < 0) {
    free(h);
    return r;
  }
  h->listener.data = h;
  h->open = 1;
  if ((r = uv_tcp_bind(&h->listener, addr, 0)) < 0 ||
      (r = uv_listen((uv_stream_t *)&h->listener, 64, connection_cb)) < 0) {
    /* libuv defers some bind errors to listen; either way, nothing
     * stays open. */
    tt_httpd_close(h, NULL, NULL);
    return r;
  }
  *out = h;
  return 0;
}

static void listener_closed_cb(uv_handle_t *hd) {
  tt_httpd *h = hd->data;
  h->open--;
  maybe_freed(h);
}

void tt_httpd_close(tt_httpd *h, void (*closed_cb)(void *arg), void *arg) {
  if (h->closing)
    return;
  h->closing = true;
  h->closed_cb = closed_cb;
  h->closed_arg = arg;
  for (conn *c = h->conns; c != NULL; c = c->next)
    conn_close(c);
  uv_close((uv_handle_t *)&h->listener, listener_closed_cb);
}

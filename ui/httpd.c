/* httpd.c - the HTTP/1.1 responder: one request at a time per connection,
 * read into a fixed buffer, answered in slices, every phase on a deadline,
 * so that no client can hold more than a few buffers or a slot for ever.
 * Here connections come, read and go; httpd_head.c reads the requests'
 * heads and httpd_reply.c writes the answers. */
#include <stdlib.h>
#include <string.h>

#include "httpd_conn.h"

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

static void process(conn *c);

/* ---- bookkeeping -------------------------------------------------------- */

static void maybe_freed(tt_httpd *h) {
  if (!h->closing || h->open > 0)
    return;
  tt_free_and_tell(h, h->closed);
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

void tt_httpd_note_held(tt_httpd *h) {
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
  tt_httpd_conn_close(c);
}

void tt_httpd_deadline(conn *c, uint64_t ms) {
  uv_timer_start(&c->timer, timer_cb, ms, 0);
}

/* ---- closing ---------------------------------------------------------- */

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

void tt_httpd_conn_close(conn *c) {
  if (c->phase == P_CLOSING)
    return;
  tt_httpd_end_body(c);
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
    tt_httpd_conn_close(c);
    return;
  }
  if (nread == 0)
    return;
  if (c->phase == P_LINGER) {
    c->lingered += (size_t)nread;
    if (c->lingered > LINGER_BYTES)
      tt_httpd_conn_close(c);
    return;
  }
  if (c->phase != P_READING)
    return;
  /* The first byte of a request starts its deadline: a client that
   * trickles its headers gets head_timeout in all, not per byte. */
  if (c->in_len == 0)
    tt_httpd_deadline(c, c->h->o.head_timeout_ms);
  c->in_len += (size_t)nread;
  process(c);
}

/* ---- after a response ------------------------------------------------ */

static void linger_timer_cb(uv_timer_t *t) {
  tt_httpd_conn_close(t->data);
}

static void shutdown_cb(uv_shutdown_t *r, int status) {
  conn *c = r->data;
  if (c->phase == P_CLOSING)
    return;
  if (status < 0 || uv_read_start((uv_stream_t *)&c->tcp, alloc_cb,
                                  read_cb) != 0) {
    tt_httpd_conn_close(c);
    return;
  }
  c->phase = P_LINGER;
  uv_timer_start(&c->timer, linger_timer_cb, LINGER_MS, 0);
}

/* The response is written: the next request, or the end. */
void tt_httpd_finish(conn *c) {
  tt_httpd *h = c->h;
  tt_httpd_end_body(c);
  /* A made body's buffers go back: an idle connection holds only its
   * request buffer. */
  tt_bytes_free(&c->out);
  tt_bytes_free(&c->raw);
  c->answered = true;
  if (!c->keep_alive || h->closing) {
    c->sreq.data = c;
    if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, shutdown_cb) != 0)
      tt_httpd_conn_close(c);
    else
      uv_timer_stop(&c->timer);
    return;
  }
  c->phase = P_READING;
  c->idle_since = uv_now(h->loop);
  tt_httpd_deadline(c, c->in_len > 0 ? h->o.head_timeout_ms
                                     : h->o.idle_timeout_ms);
  if (uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) != 0) {
    tt_httpd_conn_close(c);
    return;
  }
  /* A request that came along with the last one (pipelining). */
  if (c->in_len > 0)
    process(c);
}

/* ---- answering --------------------------------------------------------- */

static void answer_error(conn *c, tt_http_head *r, int status) {
  tt_http_resp resp = { .status = status };
  switch (status) {
  case 431: resp.text = "request head too large\n"; break;
  case 505: resp.text = "HTTP/1.0 and HTTP/1.1 only\n"; break;
  default: resp.text = "malformed request\n"; break;
  }
  r->keep_alive = false;
  c->h->st.bad++;
  tt_httpd_respond(c, r, &resp);
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
  tt_httpd_respond(c, &r, &resp);
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
  tt_httpd_conn_close(oldest);
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
    tt_httpd_conn_close(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  h->st.accepted++;
  tt_httpd_deadline(c, h->o.head_timeout_ms);
  tt_httpd_note_held(h);
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
  h->closed = (tt_on_closed){ closed_cb, arg };
  for (conn *c = h->conns; c != NULL; c = c->next)
    tt_httpd_conn_close(c);
  uv_close((uv_handle_t *)&h->listener, listener_closed_cb);
}

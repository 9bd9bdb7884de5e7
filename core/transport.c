/* transport.c - what lies beneath a session: reading and writing plain
 * TCP, or TLS over it (core/tls.c driven by the reads), so that every
 * probe mode and preset sees plaintext only; and leaving politely. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "classify.h"
#include "session.h"

/* One write in flight: the bytes go with it (a reload may free the
 * config whose send string it was, and TLS records are made for it). */
typedef struct tt_write {
  uv_write_t req;
  uint64_t seq; /* the ping it carries, 0 for none */
  size_t len;
  char data[];
} tt_write;

/* ---- reading -------------------------------------------------------------- */

static void alloc_cb(uv_handle_t *handle, size_t hint, uv_buf_t *buf) {
  tt_conn *c = handle->data;
  buf->base = c->engine->readbuf;
  buf->len = sizeof c->engine->readbuf - 1;
}

/* The class of a read that ended the stream. libuv reports UV_EOF when
 * poll says the peer hung up after a short read, without reading again:
 * a reset that came right behind the data is then only in the socket's
 * pending error, which is where it is looked for. */
static tt_class read_end(tt_conn *c, int status, char *detail, size_t n) {
  uv_os_fd_t fd;
  int err = 0;
  socklen_t len = sizeof err;
  if (status == UV_EOF && uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0 &&
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0)
    status = uv_translate_sys_error(err);
  return tt_classify(status, TT_PHASE_READ, detail, n);
}

static void flush_tls(tt_session *s, tt_conn *c, uint64_t seq);

/* A TLS session's failure, in its class: tls, or error when the local
 * machine is out of memory. */
static void fail_tls(tt_session *s, tt_tls *t) {
  char detail[TT_ERROR_MAX];
  snprintf(detail, sizeof detail, "%s", tt_tls_detail(t));
  tt_session_fail(s, tt_tls_failure_of(t) == TT_TLS_FAIL_NOMEM
                         ? TT_CLASS_ERROR
                         : TT_CLASS_TLS,
                  detail);
}

/* Hands the plaintext TLS has decrypted to the session, for as long as
 * the session keeps this connection. */
static void pump_tls(tt_session *s, tt_conn *c, uint64_t now_ns) {
  tt_engine *e = c->engine;
  for (;;) {
    ssize_t n = tt_tls_read(c->tls, e->plainbuf, sizeof e->plainbuf - 1);
    if (n == TT_TLS_AGAIN)
      break;
    if (n == TT_TLS_CLOSED) {
      tt_session_closed(s, TT_CLASS_EOF,
                        "peer closed the connection (TLS close_notify)");
      return;
    }
    if (n < 0) {
      flush_tls(s, c, 0);
      fail_tls(s, c->tls);
      return;
    }
    tt_session_feed(s, e->plainbuf, (size_t)n, now_ns);
    if (s->conn != c)
      return;
  }
  flush_tls(s, c, 0);
}

/* Keeps the facts of the certificate the handshake showed, and says so
 * when it is the target's first or a different one. Returns false when
 * the session must not go on. */
static bool learn_cert(tt_session *s, tt_conn *c) {
  tt_tls_info info;
  if (tt_tls_info_get(c->tls, &info) != 0)
    return true;
  bool news = s->cert == NULL || s->cert->not_after != info.not_after ||
              strcmp(s->cert->subject, info.subject) != 0 ||
              strcmp(s->cert->issuer, info.issuer) != 0;
  if (s->cert == NULL && (s->cert = malloc(sizeof *s->cert)) == NULL) {
    tt_session_fail(s, TT_CLASS_ERROR,
                    "out of memory (a local fault, not the target's)");
    return false;
  }
  *s->cert = info;
  s->view.cert = s->cert;
  if (!news)
    return true;
  uint32_t gen = s->gen;
  tt_event ev = { .kind = TT_EVENT_TLS, .view = &s->view,
                  .ts_us = tt_wall_us(), .tls_us = s->view.tls_us,
                  .has_tls = true, .error = "" };
  tt_engine_emit(s->engine, &ev);
  return s->gen == gen && s->conn == c;
}

static void drive_tls(tt_session *s, tt_conn *c, uint64_t now_ns) {
  int r = tt_tls_handshake(c->tls);
  flush_tls(s, c, 0);
  if (s->conn != c || r == TT_TLS_AGAIN)
    return;
  if (r != 0) {
    fail_tls(s, c->tls);
    return;
  }
  /* Measured from the ClientHello to the last message of the server's
   * that completed it: the TCP handshake is not in it. */
  s->view.tls_us = (uint32_t)((now_ns - s->t_tls_ns) / 1000);
  uint32_t gen = s->gen;
  if (!s->upgrading && !learn_cert(s, c))
    return;
  tt_session_tls_done(s);
  /* The server may have spoken already, behind its last handshake
   * message. */
  if (s->conn == c && s->gen == gen)
    pump_tls(s, c, now_ns);
}

static void read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  /* The arrival time is taken first: everything below is our own cost. */
  uint64_t now_ns = uv_hrtime();
  tt_conn *c = stream->data;
  tt_session *s = c->session;
  if (s == NULL || nread == 0)
    return;
  if (nread < 0) {
    char detail[TT_ERROR_MAX];
    tt_class cls = read_end(c, (int)nread, detail, sizeof detail);
    if (cls == TT_CLASS_EOF || cls == TT_CLASS_RESET)
      tt_session_closed(s, cls, detail);
    else
      tt_session_fail(s, cls, detail);
    return;
  }
  if (c->tls == NULL) {
    tt_session_feed(s, buf->base, (size_t)nread, now_ns);
    return;
  }
  if (tt_tls_feed(c->tls, buf->base, (size_t)nread) != 0) {
    fail_tls(s, c->tls);
    return;
  }
  if (s->doing == TT_DO_HANDSHAKE)
    drive_tls(s, c, now_ns);
  else
    pump_tls(s, c, now_ns);
}

int tt_transport_start(tt_session *s) {
  return uv_read_start((uv_stream_t *)&s->conn->tcp, alloc_cb, read_cb);
}

void tt_transport_start_tls(tt_session *s, bool insecure) {
  const tt_target *t = s->t;
  tt_conn *c = s->conn;
  char err[TT_ERROR_MAX];
  tt_tls_ctx *ctx = tt_engine_tls_ctx(s->engine, t->ca_file, err, sizeof err);
  if (ctx == NULL) {
    tt_session_fail(s, TT_CLASS_ERROR, err);
    return;
  }
  c->tls = tt_tls_new(ctx, t->server_name ? t->server_name : t->host,
                      insecure);
  if (c->tls == NULL) {
    tt_session_fail(s, TT_CLASS_ERROR,
                    "out of memory (a local fault, not the target's)");
    return;
  }
  /* Within the connect deadline, which the TCP handshake started. */
  s->doing = TT_DO_HANDSHAKE;
  s->t_tls_ns = uv_hrtime();
  tt_session_arm_at(s, s->deadline_ms);
  drive_tls(s, c, s->t_tls_ns);
}

/* ---- writing -------------------------------------------------------------- */

static void write_cb(uv_write_t *req, int status) {
  tt_write *w = (tt_write *)req;
  uint64_t seq = w->seq;
  tt_conn *c = req->handle->data;
  free(w);
  tt_session *s = c->session;
  if (s == NULL || status == UV_ECANCELED || c != s->conn)
    return;
  if (status < 0) {
    char detail[TT_ERROR_MAX];
    tt_class cls = tt_classify(status, TT_PHASE_WRITE, detail, sizeof detail);
    if (cls == TT_CLASS_RESET)
      tt_session_closed(s, cls, detail);
    else
      tt_session_fail(s, cls, detail);
    return;
  }
  if (seq != 0 && seq == s->ping_seq)
    s->write_pending = false;
}

/* Writes bytes on c as they are. 0 or a libuv error. */
static int write_raw(tt_conn *c, const void *data, size_t len, uint64_t seq) {
  tt_write *w = malloc(sizeof *w + len);
  if (w == NULL)
    return UV_ENOMEM;
  w->seq = seq;
  w->len = len;
  memcpy(w->data, data, len);
  uv_buf_t buf = uv_buf_init(w->data, (unsigned)len);
  int r = uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, write_cb);
  if (r < 0)
    free(w);
  return r;
}

/* Sends every TLS record waiting; seq marks the ping they carry. */
static void flush_tls(tt_session *s, tt_conn *c, uint64_t seq) {
  size_t n;
  while ((n = tt_tls_pending_out(c->tls)) > 0) {
    tt_write *w = malloc(sizeof *w + n);
    int r = UV_ENOMEM;
    if (w != NULL) {
      w->seq = seq;
      w->len = tt_tls_take_out(c->tls, w->data, n);
      uv_buf_t buf = uv_buf_init(w->data, (unsigned)w->len);
      r = uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, write_cb);
      if (r < 0)
        free(w);
    }
    if (r < 0) {
      char detail[TT_ERROR_MAX];
      tt_class cls = tt_classify(r, TT_PHASE_WRITE, detail, sizeof detail);
      tt_session_fail(s, cls, detail);
      return;
    }
  }
}

int tt_transport_send(tt_session *s, const char *data, size_t len,
                      uint64_t seq) {
  tt_conn *c = s->conn;
  if (c->tls == NULL)
    return write_raw(c, data, len, seq);
  if (tt_tls_write(c->tls, data, len) != 0)
    return UV_ENOMEM;
  uint32_t gen = s->gen;
  flush_tls(s, c, seq);
  return s->gen == gen ? 0 : UV_ECANCELED;
}

/* ---- leaving --------------------------------------------------------------- */

void tt_transport_goodbye(tt_session *s, tt_conn *c) {
  const tt_target *t = s->t;
  if (c->tls == NULL) {
    if (t->quit != NULL)
      tt_conn_linger(c, t->quit, t->quit_len, t->timeout_ms);
    else
      tt_conn_let_go(c);
    return;
  }
  /* The goodbye inside TLS, then close_notify; the server's own
   * close_notify is not waited for, only its close. */
  if (t->quit != NULL)
    (void)tt_tls_write(c->tls, t->quit, t->quit_len);
  (void)tt_tls_shutdown(c->tls);
  size_t n = tt_tls_pending_out(c->tls);
  char *bytes = n > 0 ? malloc(n) : NULL;
  if (bytes != NULL)
    n = tt_tls_take_out(c->tls, bytes, n);
  tt_conn_linger(c, bytes, bytes != NULL ? n : 0, t->timeout_ms);
  free(bytes);
}

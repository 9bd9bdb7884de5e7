/* session.c - one target's probing: resolution, connection, pings paired
 * with their replies, deadlines, and reconnects, in both probe modes. */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "escape.h"
#include "session.h"
#include "state.h"

/* In connect mode a name is looked up again at most this often. */
#define TT_RESOLVE_CACHE_MS 30000

#define container_of(ptr, type, member) \
  ((type *)((char *)(ptr) - offsetof(type, member)))

static void timer_cb(uv_timer_t *timer);
static void attempt(tt_session *s);
static void send_ping(tt_session *s);

static uint64_t now_ms(const tt_session *s) {
  return uv_now(s->engine->loop);
}

static void arm(tt_session *s, uint64_t delay_ms) {
  uv_timer_start(&s->timer, timer_cb, delay_ms, 0);
}

static void arm_at(tt_session *s, uint64_t at_ms) {
  uint64_t now = now_ms(s);
  arm(s, at_ms > now ? at_ms - now : 0);
}

static bool live(const tt_session *s) {
  return s->phase != TT_P_FINISHED;
}

/* ---- state and results ------------------------------------------------ */

static void set_state(tt_session *s, tt_state to, tt_class cause,
                      const char *detail) {
  tt_view *v = &s->view;
  tt_state from = v->state;
  if (to == from)
    return;
  uint64_t now = now_ms(s);
  v->time_in_state_ms[from] += now - v->state_since_ms;
  if ((from == TT_STATE_UP || from == TT_STATE_DEGRADED) &&
      to == TT_STATE_DOWN)
    v->stats.flaps++;
  v->state = to;
  v->state_since_ms = now;
  v->state_since_us = tt_wall_us();

  tt_event ev = {
    .kind = TT_EVENT_STATE,
    .view = v,
    .ts_us = v->state_since_us,
    .cls = cause,
    .from = from,
    .to = to,
    .error = detail,
  };
  tt_engine_emit(s->engine, &ev);
}

static void finish(tt_session *s);

/* Records one heartbeat result, reports it, and moves the state. Returns
 * false when the caller must not go on with what it was doing: the session
 * reached its count, or an event callback stopped the engine or reconnected
 * the target. */
static bool result(tt_session *s, uint64_t seq, tt_class cls, uint32_t rtt_us,
                   const char *detail) {
  tt_view *v = &s->view;
  const tt_target *t = s->t;
  uint32_t gen = s->gen;

  v->seq = seq;
  v->last_class = cls;
  tt_stats_heartbeat(&v->stats, cls, rtt_us);
  if (cls == TT_CLASS_TIMEOUT || cls == TT_CLASS_WRITE_TIMEOUT) {
    s->misses++;
  } else {
    s->misses = 0;
  }
  if (cls == TT_CLASS_OK) {
    s->backoff_step = 0;
  } else {
    v->last_failure = cls;
    snprintf(v->last_error, sizeof v->last_error, "%s", detail);
  }

  tt_event ev = {
    .kind = TT_EVENT_HEARTBEAT,
    .view = v,
    .ts_us = tt_wall_us(),
    .seq = seq,
    .cls = cls,
    .has_rtt = cls == TT_CLASS_OK,
    .rtt_us = rtt_us,
    .error = cls == TT_CLASS_OK ? "" : v->last_error,
  };
  tt_engine_emit(s->engine, &ev);
  if (!live(s) || s->gen != gen)
    return false;

  bool slow = cls == TT_CLASS_OK && t->rtt_warn_ms > 0 &&
              rtt_us > t->rtt_warn_ms * 1000;
  char why[TT_ERROR_MAX];
  const char *cause = ev.error;
  if (slow) {
    snprintf(why, sizeof why, "rtt %u us above rtt_warn %llu ms",
             (unsigned)rtt_us, (unsigned long long)t->rtt_warn_ms);
    cause = why;
  }
  set_state(s, tt_state_next(v->state, cls, s->misses, t->miss_threshold,
                             slow),
            cls, cause);
  if (!live(s) || s->gen != gen)
    return false;

  uint64_t count = s->engine->opts.count;
  if (count > 0 && v->stats.sent >= count) {
    finish(s);
    return false;
  }
  return true;
}

static void late(tt_session *s, uint64_t seq, uint32_t rtt_us) {
  tt_stats_late(&s->view.stats, seq, rtt_us);
  tt_event ev = {
    .kind = TT_EVENT_LATE,
    .view = &s->view,
    .ts_us = tt_wall_us(),
    .seq = seq,
    .cls = TT_CLASS_OK,
    .has_rtt = true,
    .rtt_us = rtt_us,
    .error = "",
  };
  tt_engine_emit(s->engine, &ev);
}

/* ---- connections and resolutions -------------------------------------- */

static void conn_close_cb(uv_handle_t *handle) {
  tt_conn *c = handle->data;
  tt_engine *e = c->engine;
  free(c);
  tt_engine_handle_closed(e);
}

/* Lets go of the connection: it closes on its own, and whatever its
 * callbacks still report is ignored. Pings still owed a reply are
 * forgotten with it. */
static void drop_conn(tt_session *s) {
  tt_conn *c = s->conn;
  s->gen++;
  s->ping_pending = false;
  s->write_pending = false;
  s->owed = s->ping_seq + 1;
  s->rlen = 0;
  s->scanned = 0;
  s->greeting_bytes = 0;
  free(s->note);
  s->note = NULL;
  if (c == NULL)
    return;
  s->conn = NULL;
  c->session = NULL;
  uv_close((uv_handle_t *)&c->tcp, conn_close_cb);
}

/* Forgets a resolution in flight; its callback frees the request. */
static void abandon_gai(tt_session *s) {
  uv_getaddrinfo_t *req = s->gai;
  if (req == NULL)
    return;
  s->gai = NULL;
  uv_cancel((uv_req_t *)req);
}

static uint64_t backoff_delay(tt_session *s) {
  const tt_target *t = s->t;
  uint64_t base = t->backoff_initial_ms;
  for (uint32_t i = 0; i < s->backoff_step && base < t->backoff_max_ms; i++)
    base *= 2;
  if (base > t->backoff_max_ms)
    base = t->backoff_max_ms;
  if (s->backoff_step < 64)
    s->backoff_step++;
  /* "Equal jitter": somewhere in the upper half, so that targets that
   * failed together do not retry together, yet the spacing still grows. */
  uint64_t half = base / 2;
  return base - half + tt_engine_random(s->engine) % (half + 1);
}

/* The next probe slot of a connect-mode target: slots keep the interval's
 * cadence; a slot missed while a probe ran is skipped, not bunched. */
static void arm_next_probe(tt_session *s) {
  uint64_t now = now_ms(s);
  do
    s->next_ms += s->t->interval_ms;
  while (s->next_ms <= now);
  arm_at(s, s->next_ms);
}

static void wait_for_next_attempt(tt_session *s) {
  s->phase = TT_P_IDLE;
  if (s->t->mode == TT_MODE_CONNECT)
    arm_next_probe(s);
  else
    arm(s, backoff_delay(s));
}

/* A failure that ends the current attempt or connection. The result goes
 * to the ping waiting for its reply, or else is a heartbeat of its own. */
static void fail(tt_session *s, tt_class cls, const char *detail) {
  uint64_t seq = s->ping_pending ? s->ping_seq : ++s->seq;
  drop_conn(s);
  abandon_gai(s);
  s->phase = TT_P_IDLE;
  uv_timer_stop(&s->timer);
  if (!result(s, seq, cls, 0, detail))
    return;
  wait_for_next_attempt(s);
}

static void fail_status(tt_session *s, int status, tt_phase phase) {
  char detail[TT_ERROR_MAX];
  tt_class cls = tt_classify(status, phase, detail, sizeof detail);
  fail(s, cls, detail);
}

static void fail_deadline(tt_session *s, tt_phase phase, uint64_t ms) {
  char detail[TT_ERROR_MAX];
  tt_class cls = tt_classify_deadline(phase, ms, detail, sizeof detail);
  fail(s, cls, detail);
}

static void finish(tt_session *s) {
  s->phase = TT_P_FINISHED;
  s->view.finished = true;
  drop_conn(s);
  abandon_gai(s);
  uv_timer_stop(&s->timer);
  tt_engine_session_finished(s->engine);
}

/* ---- replies ------------------------------------------------------------ */

/* "what did not match RE: the reply", every byte of both escaped. */
static void mismatch_detail(char *buf, size_t n, const char *what,
                            const char *re, const char *data, size_t len) {
  char esc_re[64];
  tt_escape(esc_re, sizeof esc_re, re, strlen(re), TT_ESC_KEEP_BACKSLASH);
  int k = snprintf(buf, n, "%s did not match %s: ", what, esc_re);
  if (k < 0 || (size_t)k >= n)
    return;
  tt_escape(buf + k, n - (size_t)k, data, len, TT_ESC_ASCII);
}

/* A greeting may follow other lines: SSH servers may send some before their
 * version (RFC 4253), SMTP greetings may span "220-" lines (RFC 5321). Lines
 * that do not match are skipped until one does, the deadline passes, or
 * max_reply bytes went by; the last one is remembered for the detail.
 * Returns true while the greeting is still awaited. */
static bool skip_greeting(tt_session *s, const char *re, char *data,
                          size_t n) {
  char detail[TT_ERROR_MAX];
  s->greeting_bytes += (uint32_t)(n + s->t->reply_end_len);
  if (s->note == NULL && (s->note = malloc(TT_ERROR_MAX)) == NULL) {
    fail_status(s, UV_ENOMEM, TT_PHASE_READ);
    return false;
  }
  mismatch_detail(s->note, TT_ERROR_MAX, "greeting", re, data, n);
  if (s->greeting_bytes < s->t->max_reply)
    return true;
  memcpy(detail, s->note, TT_ERROR_MAX);
  fail(s, TT_CLASS_PROTOCOL, detail);
  return false;
}

static void probe_ok(tt_session *s) {
  uint64_t seq = ++s->seq;
  drop_conn(s);
  s->phase = TT_P_IDLE;
  uv_timer_stop(&s->timer);
  if (!result(s, seq, TT_CLASS_OK, s->handshake_us, ""))
    return;
  arm_next_probe(s);
}

/* Handles one complete reply (without its reply_end). Returns true while
 * the connection goes on reading. */
static bool reply(tt_session *s, char *data, size_t n, uint64_t now_ns) {
  const tt_target *t = s->t;
  char detail[TT_ERROR_MAX];

  /* A line protocol's CR LF ends like "\n"; the CR is not the reply's. */
  if (t->reply_end_len == 1 && t->reply_end[0] == '\n' && n > 0 &&
      data[n - 1] == '\r')
    n--;

  switch (s->phase) {
  case TT_P_GREETING:
    if (!tt_pattern_match(t->banner_pattern, data, n))
      return skip_greeting(s, t->banner, data, n);
    free(s->note);
    s->note = NULL;
    s->phase = TT_P_READY;
    s->next_ms = now_ms(s);
    send_ping(s);
    return s->phase == TT_P_READY;

  case TT_P_PROBING:
    if (t->expect != NULL && !tt_pattern_match(t->expect_pattern, data, n)) {
      /* With nothing sent, what comes is a greeting (ssh's banner). */
      if (t->send == NULL)
        return skip_greeting(s, t->expect, data, n);
      mismatch_detail(detail, sizeof detail, "reply", t->expect, data, n);
      fail(s, TT_CLASS_PROTOCOL, detail);
      return false;
    }
    probe_ok(s);
    return false;

  case TT_P_READY: {
    /* Replies pair with pings in order: this one answers the oldest ping
     * still owed a reply, whether or not that ping has timed out. */
    uint64_t seq = s->owed++;
    bool ok = t->expect == NULL || tt_pattern_match(t->expect_pattern, data, n);
    uint32_t rtt_us =
      (uint32_t)((now_ns - s->sent_ns[seq % s->ring_len]) / 1000);
    if (seq == s->ping_seq && s->ping_pending) {
      if (!ok) {
        mismatch_detail(detail, sizeof detail, "reply", t->expect, data, n);
        fail(s, TT_CLASS_PROTOCOL, detail);
        return false;
      }
      s->ping_pending = false;
      s->write_pending = false;
      if (!result(s, seq, TT_CLASS_OK, rtt_us, ""))
        return false;
      arm_at(s, s->next_ms);
      return true;
    }
    /* The ping timed out already: its reply is late and it stays lost. A
     * late reply that does not match is not a reply to report. */
    uint32_t gen = s->gen;
    if (ok)
      late(s, seq, rtt_us);
    else
      s->view.stats.discarded_bytes += n;
    return s->phase == TT_P_READY && s->gen == gen;
  }

  default:
    return false;
  }
}

static bool expecting(const tt_session *s) {
  switch (s->phase) {
  case TT_P_GREETING:
  case TT_P_PROBING:
    return true;
  case TT_P_READY:
    return s->owed <= s->ping_seq;
  default:
    return false;
  }
}

static void consume(tt_session *s, size_t k) {
  memmove(s->rbuf, s->rbuf + k, s->rlen - k);
  s->rlen -= (uint32_t)k;
  s->scanned = 0;
}

static bool reserve(tt_session *s, size_t need) {
  if (need <= s->rcap)
    return true;
  size_t cap = s->rcap ? s->rcap : 64;
  while (cap < need)
    cap *= 2;
  if (cap > s->t->max_reply)
    cap = s->t->max_reply;
  char *p = realloc(s->rbuf, cap);
  if (p == NULL)
    return false;
  s->rbuf = p;
  s->rcap = (uint32_t)cap;
  return true;
}

static void fail_overlong(tt_session *s) {
  const tt_target *t = s->t;
  char end_esc[4 * TT_MAX_REPLY_END + 1];
  char detail[TT_ERROR_MAX];
  tt_escape(end_esc, sizeof end_esc, t->reply_end, t->reply_end_len,
            TT_ESC_ASCII);
  snprintf(detail, sizeof detail, "reply reached max_reply (%u bytes) without %s",
           (unsigned)t->max_reply, end_esc);
  fail(s, TT_CLASS_PROTOCOL, detail);
}

/* Frames the bytes of one read into replies. Bytes that come while no
 * reply is owed are discarded (and counted); a reply is never longer than
 * max_reply, its reply_end included. data is the loop's read buffer, which
 * reply() may write a byte of. */
static void feed(tt_session *s, char *data, size_t len, uint64_t now_ns) {
  const tt_target *t = s->t;
  const size_t end_len = t->reply_end_len;

  /* With nothing buffered, whole replies are handled where they lie: most
   * targets never need a buffer of their own. */
  while (s->rlen == 0 && len > 0 && expecting(s)) {
    char *end = memmem(data, len, t->reply_end, end_len);
    if (end == NULL)
      break;
    size_t n = (size_t)(end - data);
    if (n + end_len > t->max_reply) {
      fail_overlong(s);
      return;
    }
    if (!reply(s, data, n, now_ns))
      return;
    data += n + end_len;
    len -= n + end_len;
  }

  for (;;) {
    while (s->rlen > 0 && expecting(s)) {
      const char *end = memmem(s->rbuf + s->scanned, s->rlen - s->scanned,
                               t->reply_end, end_len);
      if (end == NULL) {
        /* The end may straddle this read and the next. */
        s->scanned = s->rlen >= end_len ? s->rlen - (uint32_t)end_len + 1 : 0;
        break;
      }
      size_t n = (size_t)(end - s->rbuf);
      if (!reply(s, s->rbuf, n, now_ns))
        return;
      consume(s, n + end_len);
    }
    if (!expecting(s)) {
      s->view.stats.discarded_bytes += s->rlen + len;
      s->rlen = 0;
      s->scanned = 0;
      return;
    }
    if (s->rlen >= t->max_reply) {
      fail_overlong(s);
      return;
    }
    if (len == 0)
      return;
    size_t take = t->max_reply - s->rlen;
    if (take > len)
      take = len;
    if (!reserve(s, s->rlen + take)) {
      fail_status(s, UV_ENOMEM, TT_PHASE_READ);
      return;
    }
    memcpy(s->rbuf + s->rlen, data, take);
    s->rlen += (uint32_t)take;
    data += take;
    len -= take;
  }
}

static void alloc_cb(uv_handle_t *handle, size_t hint, uv_buf_t *buf) {
  tt_conn *c = handle->data;
  buf->base = c->engine->readbuf;
  buf->len = sizeof c->engine->readbuf;
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
    tt_class cls = tt_classify((int)nread, TT_PHASE_READ, detail, sizeof detail);
    if (cls == TT_CLASS_EOF && s->phase != TT_P_READY)
      snprintf(detail, sizeof detail, "peer closed the connection before %s",
               s->phase == TT_P_GREETING ? "its greeting" : "replying");
    fail(s, cls, detail);
    return;
  }
  feed(s, buf->base, (size_t)nread, now_ns);
}

/* ---- writes ------------------------------------------------------------- */

static void write_cb(uv_write_t *req, int status) {
  uint64_t seq = (uint64_t)(uintptr_t)req->data;
  tt_conn *c = req->handle->data;
  free(req);
  tt_session *s = c->session;
  if (s == NULL || status == UV_ECANCELED)
    return;
  if (status < 0) {
    fail_status(s, status, TT_PHASE_WRITE);
    return;
  }
  if (seq == s->ping_seq)
    s->write_pending = false;
}

/* Writes the target's send string; seq says which ping it carries (0 for
 * a connect-mode probe). Returns 0 or a libuv error. */
static int write_send(tt_session *s, uint64_t seq) {
  uv_write_t *req = malloc(sizeof *req);
  if (req == NULL)
    return UV_ENOMEM;
  req->data = (void *)(uintptr_t)seq;
  uv_buf_t buf = uv_buf_init(s->t->send, (unsigned)s->t->send_len);
  int r = uv_write(req, (uv_stream_t *)&s->conn->tcp, &buf, 1, write_cb);
  if (r < 0)
    free(req);
  return r;
}

static void send_ping(tt_session *s) {
  uint64_t now = now_ms(s);
  uint64_t seq = ++s->seq;
  s->ping_seq = seq;
  s->ping_pending = true;
  s->write_pending = true;
  /* Keep the cadence; after a stall, skip what was missed. */
  s->next_ms += s->t->interval_ms;
  if (s->next_ms <= now)
    s->next_ms = now + s->t->interval_ms;
  s->sent_ns[seq % s->ring_len] = uv_hrtime();
  int r = write_send(s, seq);
  if (r < 0) {
    fail_status(s, r, TT_PHASE_WRITE);
    return;
  }
  arm(s, s->t->timeout_ms);
}

/* ---- attempts ----------------------------------------------------------- */

static void connect_cb(uv_connect_t *req, int status) {
  uint64_t now_ns = uv_hrtime();
  tt_conn *c = container_of(req, tt_conn, connect_req);
  tt_session *s = c->session;
  if (s == NULL)
    return;
  if (status < 0) {
    fail_status(s, status, TT_PHASE_CONNECT);
    return;
  }
  s->handshake_us = (uint32_t)((now_ns - s->t0_ns) / 1000);
  int r = uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb);
  if (r < 0) {
    fail_status(s, r, TT_PHASE_READ);
    return;
  }

  const tt_target *t = s->t;
  if (t->mode == TT_MODE_PERSISTENT) {
    s->ping_seq = s->seq;
    s->owed = s->seq + 1;
    s->misses = 0;
    if (t->banner != NULL) {
      s->phase = TT_P_GREETING;
      arm(s, t->timeout_ms);
      return;
    }
    s->phase = TT_P_READY;
    s->next_ms = now_ms(s);
    send_ping(s);
    return;
  }

  if (t->expect == NULL) {
    probe_ok(s);
    return;
  }
  if (t->send != NULL && (r = write_send(s, 0)) < 0) {
    fail_status(s, r, TT_PHASE_WRITE);
    return;
  }
  s->phase = TT_P_PROBING;
  arm(s, t->timeout_ms);
}

static void connect_now(tt_session *s) {
  tt_engine *e = s->engine;
  tt_conn *c = calloc(1, sizeof *c);
  if (c == NULL) {
    fail_status(s, UV_ENOMEM, TT_PHASE_CONNECT);
    return;
  }
  uv_tcp_init(e->loop, &c->tcp);
  e->live++;
  c->tcp.data = c;
  c->session = s;
  c->engine = e;
  s->conn = c;
  /* Set before the socket exists: libuv applies it when it creates one. */
  uv_tcp_nodelay(&c->tcp, 1);

  s->phase = TT_P_CONNECTING;
  s->t0_ns = uv_hrtime();
  int r = uv_tcp_connect(&c->connect_req, &c->tcp, &s->addr.sa, connect_cb);
  if (r < 0) {
    fail_status(s, r, TT_PHASE_CONNECT);
    return;
  }
  arm(s, s->t->connect_timeout_ms);
}

static void set_ip(tt_session *s) {
  if (s->addr.sa.sa_family == AF_INET6)
    uv_ip6_name(&s->addr.in6, s->view.ip, sizeof s->view.ip);
  else
    uv_ip4_name(&s->addr.in4, s->view.ip, sizeof s->view.ip);
}

static void gai_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
  tt_session *s = req->data;
  tt_engine *e = s->engine;
  bool current = s->gai == req;
  free(req);

  if (current) {
    s->gai = NULL;
    const struct addrinfo *ai = res;
    while (ai != NULL && ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
      ai = ai->ai_next;
    if (status < 0) {
      fail_status(s, status, TT_PHASE_RESOLVE);
    } else if (ai == NULL) {
      fail_status(s, UV_EAI_NODATA, TT_PHASE_RESOLVE);
    } else {
      memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen);
      if (ai->ai_family == AF_INET6)
        s->addr.in6.sin6_port = htons(s->t->port);
      else
        s->addr.in4.sin_port = htons(s->t->port);
      s->have_addr = true;
      s->resolved_ms = now_ms(s);
      set_ip(s);
      connect_now(s);
    }
  }
  uv_freeaddrinfo(res);
  /* Last: when the engine is stopping, this may complete the stop. */
  tt_engine_handle_closed(e);
}

static void resolve(tt_session *s) {
  tt_engine *e = s->engine;
  const tt_target *t = s->t;
  uv_getaddrinfo_t *req = malloc(sizeof *req);
  if (req == NULL) {
    fail_status(s, UV_ENOMEM, TT_PHASE_RESOLVE);
    return;
  }
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = t->family == TT_FAMILY_IPV4   ? AF_INET
                    : t->family == TT_FAMILY_IPV6 ? AF_INET6
                                                  : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  req->data = s;
  int r = uv_getaddrinfo(e->loop, req, gai_cb, t->host, NULL, &hints);
  if (r < 0) {
    free(req);
    fail_status(s, r, TT_PHASE_RESOLVE);
    return;
  }
  e->live++;
  s->gai = req;
  s->phase = TT_P_RESOLVING;
  arm(s, t->connect_timeout_ms);
}

static void attempt(tt_session *s) {
  const tt_target *t = s->t;
  if (t->mode == TT_MODE_PERSISTENT && s->seq > 0)
    s->view.stats.reconnects++;
  /* Persistent sessions look a name up again on every reconnect, connect
   * probes at most every TT_RESOLVE_CACHE_MS. */
  bool cached = t->literal_family != 0 ||
                (s->have_addr && t->mode == TT_MODE_CONNECT &&
                 now_ms(s) - s->resolved_ms < TT_RESOLVE_CACHE_MS);
  if (cached)
    connect_now(s);
  else
    resolve(s);
}

static void timer_cb(uv_timer_t *timer) {
  tt_session *s = container_of(timer, tt_session, timer);
  const tt_target *t = s->t;
  switch (s->phase) {
  case TT_P_IDLE:
    attempt(s);
    break;
  case TT_P_RESOLVING:
    fail_deadline(s, TT_PHASE_RESOLVE, t->connect_timeout_ms);
    break;
  case TT_P_CONNECTING:
    fail_deadline(s, TT_PHASE_CONNECT, t->connect_timeout_ms);
    break;
  case TT_P_GREETING:
  case TT_P_PROBING:
    if (s->note != NULL) {
      /* Lines came, none of them the one expected. */
      char detail[TT_ERROR_MAX];
      memcpy(detail, s->note, sizeof detail);
      fail(s, TT_CLASS_PROTOCOL, detail);
      break;
    }
    fail_deadline(s, TT_PHASE_READ, t->timeout_ms);
    break;
  case TT_P_READY:
    if (!s->ping_pending) {
      send_ping(s);
      break;
    }
    {
      /* The ping stays owed: if its reply comes after all, it is late. */
      char detail[TT_ERROR_MAX];
      tt_class cls = tt_classify_deadline(
        s->write_pending ? TT_PHASE_WRITE : TT_PHASE_READ, t->timeout_ms,
        detail, sizeof detail);
      s->ping_pending = false;
      if (!result(s, s->ping_seq, cls, 0, detail))
        break;
      if (tt_state_must_reconnect(cls, s->misses, t->miss_threshold)) {
        drop_conn(s);
        wait_for_next_attempt(s);
        break;
      }
      arm_at(s, s->next_ms);
    }
    break;
  case TT_P_FINISHED:
    break;
  }
}

/* ---- engine entry points ------------------------------------------------ */

void tt_session_init(tt_session *s, tt_engine *e, const tt_target *t,
                     size_t index, uint64_t *sent_ns, uint32_t ring_len) {
  memset(s, 0, sizeof *s);
  s->engine = e;
  s->t = t;
  s->sent_ns = sent_ns;
  s->ring_len = ring_len;
  s->owed = 1;
  s->phase = TT_P_IDLE;
  s->view.target = t;
  s->view.index = index;
  s->view.state = TT_STATE_CONNECTING;
  s->view.last_class = TT_CLASS_OK;
  s->view.last_failure = TT_CLASS_OK;
  tt_stats_init(&s->view.stats);

  if (t->literal_family == 4) {
    uv_ip4_addr(t->host, t->port, &s->addr.in4);
    s->have_addr = true;
    set_ip(s);
  } else if (t->literal_family == 6) {
    uv_ip6_addr(t->host, t->port, &s->addr.in6);
    s->have_addr = true;
    set_ip(s);
  }
}

void tt_session_start(tt_session *s, uint64_t delay_ms) {
  tt_engine *e = s->engine;
  uv_timer_init(e->loop, &s->timer);
  e->live++;
  s->view.state_since_ms = uv_now(e->loop);
  s->view.state_since_us = tt_wall_us();
  s->next_ms = s->view.state_since_ms + delay_ms;
  arm(s, delay_ms);
}

void tt_session_reconnect(tt_session *s) {
  if (!live(s))
    return;
  drop_conn(s);
  abandon_gai(s);
  s->backoff_step = 0;
  s->phase = TT_P_IDLE;
  s->next_ms = now_ms(s);
  arm(s, 0);
}

static void timer_close_cb(uv_handle_t *handle) {
  tt_session *s = container_of((uv_timer_t *)handle, tt_session, timer);
  tt_engine_handle_closed(s->engine);
}

void tt_session_stop(tt_session *s) {
  bool started = s->timer.loop != NULL; /* tt_session_start ran */
  s->phase = TT_P_FINISHED;
  drop_conn(s);
  abandon_gai(s);
  if (started && !uv_is_closing((uv_handle_t *)&s->timer))
    uv_close((uv_handle_t *)&s->timer, timer_close_cb);
}

void tt_session_free(tt_session *s) {
  free(s->rbuf);
  free(s->note);
  s->rbuf = NULL;
  s->note = NULL;
}

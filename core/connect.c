/* connect.c - getting a session a connection: the name resolved to every
 * address, attempts raced over them (RFC 8305: the families alternate, a
 * new attempt every 250 ms or as soon as one fails), the first to connect
 * kept, and each address's result remembered for the detail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "session.h"

/* RFC 8305's Connection Attempt Delay: the next address gets its turn
 * after this long even while the previous attempt still runs. */
#define ATTEMPT_DELAY_MS 250

/* A name is looked up again at most this often while connections to its
 * addresses keep working; after a failed connection, at once. */
#define RESOLVE_CACHE_MS 30000

/* addr_status: an attempt's libuv error, or one of these. */
enum { AS_UNTRIED = 0, AS_OK = 1, AS_DEADLINE = 2 };

#define container_of(ptr, type, member) \
  ((type *)((char *)(ptr) - offsetof(type, member)))

static uint64_t now_ms(const tt_session *s) {
  return uv_now(s->engine->loop);
}

/* ---- letting go ---------------------------------------------------------- */

static void conn_free(tt_conn *c) {
  if (c->tls != NULL)
    tt_tls_free(c->tls);
  free(c);
}

static void conn_close_cb(uv_handle_t *handle) {
  tt_conn *c = handle->data;
  tt_engine *e = c->engine;
  conn_free(c);
  tt_engine_handle_closed(e);
}

void tt_conn_let_go(tt_conn *c) {
  c->session = NULL;
  c->next = NULL;
  uv_close((uv_handle_t *)&c->tcp, conn_close_cb);
}

/* A connection closing politely: its goodbye written, our side shut
 * down, and what the server still says read and dropped until it closes
 * too (or the deadline): a close with unread bytes would be a reset, and
 * servers log those. Freed in the last close callback. */
typedef struct tt_linger {
  uv_timer_t timer;
  uv_write_t write;
  uv_shutdown_t shutdown;
  tt_conn *c;
  tt_engine *e;
  struct tt_linger *prev, *next; /* the engine's, for a stop */
  int open;                      /* handles not yet closed */
  size_t len;
  char bytes[];                  /* the goodbye, while it is written */
} tt_linger;

static void linger_closed_cb(uv_handle_t *h) {
  /* The timer's data is the linger; the connection's stays the
   * connection, which writes still in flight are handed back with. */
  tt_linger *l = h->type == UV_TIMER ? h->data : ((tt_conn *)h->data)->linger;
  tt_engine *e = l->e;
  if (h->type != UV_TIMER)
    conn_free(l->c);
  if (--l->open == 0)
    free(l);
  tt_engine_handle_closed(e);
}

static void linger_end(tt_linger *l) {
  if (uv_is_closing((uv_handle_t *)&l->timer))
    return;
  if (l->prev != NULL)
    l->prev->next = l->next;
  else
    l->e->lingering = l->next;
  if (l->next != NULL)
    l->next->prev = l->prev;
  uv_close((uv_handle_t *)&l->timer, linger_closed_cb);
  uv_close((uv_handle_t *)&l->c->tcp, linger_closed_cb);
}

static void linger_timer_cb(uv_timer_t *t) {
  linger_end(t->data);
}

static void linger_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  tt_conn *c = h->data;
  buf->base = c->engine->readbuf;
  buf->len = sizeof c->engine->readbuf - 1;
}

static void linger_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *b) {
  tt_conn *c = s->data;
  if (nread < 0)
    linger_end(c->linger);
}

static void linger_written_cb(uv_write_t *req, int status) {
  if (status < 0 && status != UV_ECANCELED)
    linger_end(req->data);
}

static void linger_shutdown_cb(uv_shutdown_t *req, int status) {
  if (status < 0 && status != UV_ECANCELED)
    linger_end(req->data);
}

void tt_conn_linger(tt_conn *c, const void *bytes, size_t len,
                    uint64_t timeout_ms) {
  tt_engine *e = c->engine;
  tt_linger *l = calloc(1, sizeof *l + len);
  c->session = NULL;
  if (l == NULL) {
    tt_conn_let_go(c);
    return;
  }
  l->c = c;
  l->e = e;
  l->open = 2;
  uv_timer_init(e->loop, &l->timer);
  e->live++; /* the timer; the connection was counted already */
  l->timer.data = l;
  l->write.data = l;
  l->shutdown.data = l;
  c->linger = l;
  l->next = e->lingering;
  if (l->next != NULL)
    l->next->prev = l;
  e->lingering = l;
  uv_timer_start(&l->timer, linger_timer_cb, timeout_ms, 0);
  /* A copy: the bytes may be a TLS record made for this close, or the
   * preset's, which a reload must not be able to pull away. */
  if (len > 0)
    memcpy(l->bytes, bytes, len);
  l->len = len;
  uv_buf_t b = uv_buf_init(l->bytes, (unsigned)len);
  uv_read_stop((uv_stream_t *)&c->tcp);
  if ((len > 0 && uv_write(&l->write, (uv_stream_t *)&c->tcp, &b, 1,
                           linger_written_cb) != 0) ||
      uv_shutdown(&l->shutdown, (uv_stream_t *)&c->tcp,
                  linger_shutdown_cb) != 0 ||
      uv_read_start((uv_stream_t *)&c->tcp, linger_alloc_cb,
                    linger_read_cb) != 0)
    linger_end(l);
}

void tt_conn_linger_stop(tt_engine *e) {
  while (e->lingering != NULL)
    linger_end(e->lingering);
}

/* Abandons the attempts still racing. */
static void let_go_attempts(tt_session *s) {
  tt_conn *c = s->attempts;
  s->attempts = NULL;
  while (c != NULL) {
    tt_conn *next = c->next;
    tt_conn_let_go(c);
    c = next;
  }
}

void tt_connect_abandon(tt_session *s) {
  let_go_attempts(s);
  tt_resolve_cancel(&s->lookup);
}

/* ---- addresses ----------------------------------------------------------- */

static void ip_name(const tt_sockaddr *a, char *buf, size_t n) {
  if (a->sa.sa_family == AF_INET6)
    uv_ip6_name(&a->in6, buf, n);
  else
    uv_ip4_name(&a->in4, buf, n);
}

/* Room for n addresses and their attempts' results, in one block (freed
 * with s->addrs): one for an IP literal, TT_MAX_ADDRS for a name. */
static int alloc_addrs(tt_session *s, size_t n) {
  if (s->addrs != NULL)
    return 0;
  s->addrs = calloc(1, n * (sizeof *s->addrs + sizeof *s->addr_status));
  if (s->addrs == NULL)
    return UV_ENOMEM;
  s->addr_status = (int32_t *)(s->addrs + n);
  return 0;
}

int tt_connect_literal(tt_session *s) {
  const tt_target *t = s->t;
  int r = alloc_addrs(s, 1);
  if (r < 0)
    return r;
  if (t->literal_family == 6)
    r = uv_ip6_addr(t->host, t->port, &s->addrs[0].in6);
  else
    r = uv_ip4_addr(t->host, t->port, &s->addrs[0].in4);
  if (r < 0)
    return r;
  s->naddrs = 1;
  ip_name(&s->addrs[0], s->view.ip, sizeof s->view.ip);
  return 0;
}

/* Keeps the addresses of a lookup in the order RFC 8305 tries them: the
 * resolver's first address, then the families taking turns, each in the
 * resolver's order. */
static void keep_addrs(tt_session *s, const tt_addr *addrs, size_t n) {
  const tt_addr *by_family[2][TT_MAX_ADDRS];
  size_t count[2] = { 0, 0 };
  int first = -1;
  for (size_t k = 0; k < n; k++) {
    int f = addrs[k].sa.sa_family == AF_INET6 ? 1 : 0;
    if (count[f] == TT_MAX_ADDRS)
      continue;
    if (first < 0)
      first = f;
    by_family[f][count[f]++] = &addrs[k];
  }
  size_t kept = 0, i[2] = { 0, 0 };
  for (int f = first; kept < TT_MAX_ADDRS && (i[0] < count[0] || i[1] < count[1]);
       f = !f) {
    if (i[f] == count[f])
      continue;
    const tt_addr *a = by_family[f][i[f]++];
    if (f == 1) {
      s->addrs[kept].in6 = a->in6;
      s->addrs[kept].in6.sin6_port = htons(s->t->port);
    } else {
      s->addrs[kept].in4 = a->in4;
      s->addrs[kept].in4.sin_port = htons(s->t->port);
    }
    kept++;
  }
  s->naddrs = (uint8_t)kept;
}

/* ---- attempts ------------------------------------------------------------ */

static void start_attempts(tt_session *s);

/* The detail of a connect that failed on every address: the one result,
 * or each address's ("::1: connection refused; 127.0.0.1: ..."). The
 * class is shared when every address failed alike, else the first
 * address's (the one the resolver prefers). */
static tt_class failure_of(tt_session *s, char *detail, size_t n) {
  const tt_target *t = s->t;
  tt_class cls = TT_CLASS_ERROR;
  size_t used = 0;
  bool same = true;
  detail[0] = '\0';
  for (uint8_t i = 0; i < s->naddrs; i++) {
    char what[TT_ERROR_MAX], ip[TT_IP_MAX];
    tt_class c;
    int st = s->addr_status[i];
    if (st == AS_UNTRIED) {
      c = TT_CLASS_CONNECT_TIMEOUT;
      snprintf(what, sizeof what, "not tried");
    } else if (st == AS_DEADLINE) {
      c = tt_classify_deadline(TT_PHASE_CONNECT, t->connect_timeout_ms, what,
                               sizeof what);
    } else {
      c = tt_classify(st, TT_PHASE_CONNECT, what, sizeof what);
    }
    if (i == 0)
      cls = c;
    else if (c != cls && st != AS_UNTRIED)
      same = false;
    if (s->naddrs == 1) {
      snprintf(detail, n, "%s", what);
      break;
    }
    ip_name(&s->addrs[i], ip, sizeof ip);
    int w = snprintf(detail + used, n - used, "%s%s: %s", i ? "; " : "", ip,
                     what);
    if (w < 0 || (size_t)w >= n - used)
      break;
    used += (size_t)w;
  }
  (void)same; /* the first address's class stands either way */
  return cls;
}

static void fail_all(tt_session *s) {
  char detail[TT_ERROR_MAX];
  let_go_attempts(s);
  s->addrs_good = false;
  tt_class cls = failure_of(s, detail, sizeof detail);
  tt_session_fail(s, cls, detail);
}

static void connect_cb(uv_connect_t *req, int status) {
  uint64_t now_ns = uv_hrtime();
  tt_conn *c = container_of(req, tt_conn, connect_req);
  tt_session *s = c->session;
  if (s == NULL)
    return;
  /* Out of the race. */
  for (tt_conn **p = &s->attempts; *p != NULL; p = &(*p)->next) {
    if (*p == c) {
      *p = c->next;
      break;
    }
  }
  c->next = NULL;
  if (status < 0) {
    s->addr_status[c->addr] = status;
    tt_conn_let_go(c);
    if (s->next_addr < s->naddrs)
      start_attempts(s);
    else if (s->attempts == NULL)
      fail_all(s);
    return;
  }
  s->addr_status[c->addr] = AS_OK;
  let_go_attempts(s);
  s->conn = c;
  s->addrs_good = true;
  s->handshake_us = (uint32_t)((now_ns - c->t0_ns) / 1000);
  ip_name(&s->addrs[c->addr], s->view.ip, sizeof s->view.ip);
  tt_session_connected(s);
}

/* Starts the next address's attempt (and, when one fails at once, the
 * ones after it); arms the timer for the next turn or the deadline. */
static void start_attempts(tt_session *s) {
  tt_engine *e = s->engine;
  while (s->next_addr < s->naddrs) {
    uint8_t i = s->next_addr++;
    tt_conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
      s->addr_status[i] = UV_ENOMEM;
      continue;
    }
    uv_tcp_init(e->loop, &c->tcp);
    e->live++;
    c->tcp.data = c;
    c->session = s;
    c->engine = e;
    c->addr = i;
    /* Set before the socket exists: libuv applies it when it creates one. */
    uv_tcp_nodelay(&c->tcp, 1);
    c->t0_ns = uv_hrtime();
    int r = uv_tcp_connect(&c->connect_req, &c->tcp, &s->addrs[i].sa,
                           connect_cb);
    if (r < 0) {
      s->addr_status[i] = r;
      tt_conn_let_go(c);
      continue;
    }
    ip_name(&s->addrs[i], s->view.ip, sizeof s->view.ip);
    c->next = s->attempts;
    s->attempts = c;
    break;
  }
  if (s->attempts == NULL) {
    fail_all(s);
    return;
  }
  uint64_t at = s->deadline_ms;
  if (s->next_addr < s->naddrs && now_ms(s) + ATTEMPT_DELAY_MS < at)
    at = now_ms(s) + ATTEMPT_DELAY_MS;
  tt_session_arm_at(s, at);
}

static void connect_addrs(tt_session *s) {
  s->doing = TT_DO_CONNECTING;
  s->next_addr = 0;
  memset(s->addr_status, 0, s->naddrs * sizeof *s->addr_status);
  s->deadline_ms = now_ms(s) + s->t->connect_timeout_ms;
  start_attempts(s);
}

/* ---- resolution ---------------------------------------------------------- */

static void resolved_cb(tt_resolve_req *req, int status, const tt_addr *addrs,
                        size_t n) {
  tt_session *s = req->data;
  char detail[TT_ERROR_MAX];
  if (status == UV_EAI_CANCELED)
    return; /* the engine is stopping */
  if (status == 0)
    keep_addrs(s, addrs, n);
  if (status < 0 || s->naddrs == 0) {
    tt_class cls = tt_classify(status < 0 ? status : UV_EAI_NODATA,
                               TT_PHASE_RESOLVE, detail, sizeof detail);
    tt_session_fail(s, cls, detail);
    return;
  }
  s->resolved_ms = now_ms(s);
  connect_addrs(s);
}

/* Names are looked up by the engine's resolver, on the loop: a name whose
 * server never answers holds nothing but its own lookup (resolve.c). */
static void resolve(tt_session *s) {
  const tt_target *t = s->t;
  s->lookup.data = s;
  int r = tt_resolve(s->engine->resolver, &s->lookup, t->host, t->family,
                     resolved_cb);
  if (r < 0) {
    char detail[TT_ERROR_MAX];
    tt_class cls = tt_classify(r, TT_PHASE_RESOLVE, detail, sizeof detail);
    tt_session_fail(s, cls, detail);
    return;
  }
  s->naddrs = 0;
  s->doing = TT_DO_RESOLVING;
  s->deadline_ms = now_ms(s) + t->connect_timeout_ms;
  tt_session_arm_at(s, s->deadline_ms);
}

void tt_connect_start(tt_session *s) {
  int r = alloc_addrs(s, TT_MAX_ADDRS);
  if (r < 0) {
    char detail[TT_ERROR_MAX];
    tt_class cls = tt_classify(r, TT_PHASE_CONNECT, detail, sizeof detail);
    tt_session_fail(s, cls, detail);
    return;
  }
  bool cached = s->t->literal_family != 0 ||
                (s->naddrs > 0 && s->addrs_good &&
                 now_ms(s) - s->resolved_ms < RESOLVE_CACHE_MS);
  if (cached)
    connect_addrs(s);
  else
    resolve(s);
}

void tt_connect_timer(tt_session *s) {
  char detail[TT_ERROR_MAX];
  if (s->doing == TT_DO_RESOLVING) {
    tt_connect_abandon(s);
    tt_class cls = tt_classify_deadline(TT_PHASE_RESOLVE,
                                        s->t->connect_timeout_ms, detail,
                                        sizeof detail);
    tt_session_fail(s, cls, detail);
    return;
  }
  if (now_ms(s) < s->deadline_ms) {
    start_attempts(s); /* the next address's turn */
    return;
  }
  for (tt_conn *c = s->attempts; c != NULL; c = c->next)
    s->addr_status[c->addr] = AS_DEADLINE;
  fail_all(s);
}

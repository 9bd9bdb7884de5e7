/* resolve.c - every address of a name, without blocking: c-ares driven by
 * the loop (its sockets on uv_poll, its timeouts on one uv_timer).
 *
 * Why c-ares rather than getaddrinfo in libuv's thread pool: getaddrinfo
 * blocks a thread until the name server answers or gives up, libuv has 4
 * such threads for the whole process, and a running getaddrinfo cannot be
 * cancelled. Four names whose server never answers then hold every thread
 * for the resolver's full timeout (5 s x 2 tries by default): names from
 * /etc/hosts wait behind them and fail their own deadline, and a stop
 * waits for the last callback. c-ares instead sends the queries from the
 * loop and gets their answers through the loop, so a name that hangs
 * holds nothing but its own query, a name found in /etc/hosts is answered
 * within the same turn of the loop, and ares_destroy() ends every query at
 * once. A bounded pool of our own threads would still leave a hanging
 * getaddrinfo() running past a stop, to be abandoned or waited for.
 *
 * The trade-off: c-ares is not the system's resolver. It reads
 * /etc/resolv.conf (servers, search, ndots), /etc/hosts and the hosts line
 * of /etc/nsswitch.conf (its `files` and `dns`, in the order given) and
 * nothing else: names that only another NSS module knows (mdns for .local,
 * sss/ldap, systemd's myhostname and resolve, nis) do not resolve here
 * while they do for getaddrinfo, curl or ssh. /etc/hosts is read again for
 * each lookup, so edits to it are seen at once; resolv.conf is read once,
 * when the resolver is made (glibc notices a changed one; this does not
 * until tether restarts).
 *
 * What c-ares 1.18 (Debian 12) does with hosts entries and localhost:
 * every line of /etc/hosts naming the host gives its address when the
 * family fits, so a name on `::1` and `127.0.0.1` gets both. A name with
 * an address of the family asked there is never asked of DNS; one whose
 * lines are all of the other family is (asked for IPv6, a name with only
 * an IPv4 line goes on to DNS, as with glibc).
 * `localhost` found in /etc/hosts gives exactly what is written there for
 * the family asked (a file with only `127.0.0.1 localhost` gives no ::1);
 * where the file has nothing for that family, the answer is ::1 and/or
 * 127.0.0.1 (RFC 6761; made below, see localhost()), and localhost is
 * never sent to a name server. The list is sorted by RFC 6724 (::1 before
 * 127.0.0.1 where ::1 is configured).
 *
 * Lookups are shared: one c-ares query per (host, family) in flight, with
 * every request waiting on it linked to it. A cancel unlinks its request
 * only; a query nobody waits for any more runs to its end (c-ares cannot
 * stop one query alone) and can still be joined by a new request. */
#include <ares.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "resolve.h"

/* Each name server gets 1 s for a query's first try and 2 s for its second
 * (c-ares doubles the timeout each round), then c-ares gives up with
 * ARES_ETIMEOUT: 3 s for one server, 3 s per server for several (each
 * search domain tried is one more such round). One retry covers a lost
 * datagram; the session's connect_timeout (2 s by default) is what the
 * user waits for anyway, and it cancels its request at that deadline, so
 * this only bounds how long a query nobody waits for keeps its memory and
 * the server's attention. c-ares' defaults (5 s and 4 tries, each doubled)
 * would keep a black-holed query 75 s per server. These replace
 * resolv.conf's `options timeout:` and `attempts:`. */
#define TT_RESOLVE_TIMEOUT_MS 1000
#define TT_RESOLVE_TRIES 2

/* A longest name, with room for a final dot. */
#define TT_RESOLVE_HOST_MAX 254

/* Answers beyond this many records are not looked at (a TCP answer can
 * carry thousands; only TT_RESOLVE_MAX are kept). */
#define TT_RESOLVE_SCAN_MAX 256

#define container_of(ptr, type, member) \
  ((type *)((char *)(ptr) - offsetof(type, member)))

/* A socket c-ares has open, and its watcher. Freed in its close callback. */
typedef struct tt_sock {
  uv_poll_t poll;
  tt_resolver *r;
  ares_socket_t fd;
  struct tt_sock *next;
} tt_sock;

struct tt_resolve_query {
  tt_resolver *r;
  /* In the table's chain while in flight, then in the list of answers to
   * deliver; never both. */
  tt_resolve_query *next;
  tt_resolve_req *waiters;
  tt_addr *addrs;
  size_t naddrs;
  int status;
  int family; /* AF_INET, AF_INET6 or AF_UNSPEC */
  size_t hash;
  char host[];
};

struct tt_resolver {
  uv_loop_t *loop;
  ares_channel channel;
  uv_timer_t timer;    /* c-ares' next timeout */
  uv_idle_t deliver;   /* runs answers' callbacks, never from a call in */
  tt_sock *socks;      /* open, watched */
  tt_resolve_query **table; /* queries in flight, by host and family */
  size_t nbuckets;
  size_t nflight;
  tt_resolve_query *done; /* answered, callbacks not yet run */
  tt_resolve_query **done_tail;
  unsigned closing_handles;
  bool closing;
  void (*closed_cb)(void *arg);
  void *closed_arg;
};

static void arm_timer(tt_resolver *r);
static void timer_cb(uv_timer_t *timer);
static void deliver_cb(uv_idle_t *idle);

/* ---- errors ----------------------------------------------------------- */

/* c-ares' status as the UV_EAI_* code glibc's getaddrinfo would have given
 * for the same outcome, so that classify.c words it as before. */
static int status_from_ares(int status) {
  switch (status) {
  case ARES_SUCCESS:
    return 0;
  case ARES_ENOTFOUND:
  case ARES_EBADNAME:
    return UV_EAI_NONAME;
  case ARES_ENODATA:
    return UV_EAI_NODATA;
  case ARES_ETIMEOUT:
  case ARES_ECONNREFUSED: /* no server listening: nobody answered */
    return UV_EAI_AGAIN;
  case ARES_EBADFAMILY:
    return UV_EAI_FAMILY;
  case ARES_ENOMEM:
    return UV_ENOMEM;
  case ARES_ECANCELLED:
  case ARES_EDESTRUCTION:
    return UV_EAI_CANCELED;
  default: /* ESERVFAIL, EREFUSED, EFORMERR, EBADRESP, ENOTIMP, EFILE... */
    return UV_EAI_FAIL;
  }
}

/* ---- the table of queries in flight ------------------------------------ */

static size_t hash_of(const char *host, int family) {
  uint64_t h = 0xcbf29ce484222325u; /* FNV-1a, over the lowered name */
  for (const unsigned char *p = (const unsigned char *)host; *p; p++) {
    unsigned char c = *p >= 'A' && *p <= 'Z' ? *p + 32 : *p;
    h = (h ^ c) * 0x100000001b3u;
  }
  h = (h ^ (unsigned)family) * 0x100000001b3u;
  return (size_t)h;
}

static tt_resolve_query *table_find(tt_resolver *r, const char *host,
                                    int family, size_t hash) {
  tt_resolve_query *q = r->table[hash & (r->nbuckets - 1)];
  for (; q != NULL; q = q->next)
    if (q->hash == hash && q->family == family && strcasecmp(q->host, host) == 0)
      return q;
  return NULL;
}

static void table_link(tt_resolve_query **table, size_t nbuckets,
                       tt_resolve_query *q) {
  tt_resolve_query **b = &table[q->hash & (nbuckets - 1)];
  q->next = *b;
  *b = q;
}

/* Keeps the chains short: doubles the buckets when they are outnumbered.
 * A failed allocation only leaves the chains longer. */
static void table_grow(tt_resolver *r) {
  size_t n = r->nbuckets * 2;
  tt_resolve_query **t = calloc(n, sizeof *t);
  if (t == NULL)
    return;
  for (size_t i = 0; i < r->nbuckets; i++) {
    tt_resolve_query *q = r->table[i], *next;
    for (; q != NULL; q = next) {
      next = q->next;
      table_link(t, n, q);
    }
  }
  free(r->table);
  r->table = t;
  r->nbuckets = n;
}

static void table_add(tt_resolver *r, tt_resolve_query *q) {
  if (r->nflight >= r->nbuckets)
    table_grow(r);
  table_link(r->table, r->nbuckets, q);
  r->nflight++;
}

static void table_remove(tt_resolver *r, tt_resolve_query *q) {
  tt_resolve_query **p = &r->table[q->hash & (r->nbuckets - 1)];
  while (*p != NULL && *p != q)
    p = &(*p)->next;
  if (*p == q) {
    *p = q->next;
    r->nflight--;
  }
  q->next = NULL;
}

/* ---- queries and their waiters ----------------------------------------- */

static tt_resolve_query *query_new(tt_resolver *r, const char *host,
                                   size_t len, int family, size_t hash) {
  tt_resolve_query *q = calloc(1, sizeof *q + len + 1);
  if (q == NULL)
    return NULL;
  q->r = r;
  q->family = family;
  q->hash = hash;
  memcpy(q->host, host, len + 1);
  return q;
}

static void query_free(tt_resolve_query *q) {
  free(q->addrs);
  free(q);
}

static void wait_on(tt_resolve_query *q, tt_resolve_req *req,
                    tt_resolve_cb cb) {
  req->cb = cb;
  req->query = q;
  req->prev = NULL;
  req->next = q->waiters;
  if (q->waiters != NULL)
    q->waiters->prev = req;
  q->waiters = req;
}

static void unwait(tt_resolve_req *req) {
  tt_resolve_query *q = req->query;
  if (req->prev != NULL)
    req->prev->next = req->next;
  else
    q->waiters = req->next;
  if (req->next != NULL)
    req->next->prev = req->prev;
  req->prev = req->next = NULL;
  req->query = NULL;
}

/* Queues an answered query for deliver_cb: callbacks never run from
 * within tt_resolve() (c-ares answers /etc/hosts names and literals from
 * inside ares_getaddrinfo) nor from within c-ares. */
static void done_push(tt_resolver *r, tt_resolve_query *q) {
  q->next = NULL;
  *r->done_tail = q;
  r->done_tail = &q->next;
  if (!r->closing)
    uv_idle_start(&r->deliver, deliver_cb);
}

/* Runs the callback of every request still waiting on q. A callback may
 * cancel other requests, make new ones (for other queries) or close the
 * resolver; the requests left after a close get UV_EAI_CANCELED. */
static void answer(tt_resolver *r, tt_resolve_query *q) {
  tt_resolve_req *req;
  while ((req = q->waiters) != NULL) {
    tt_resolve_cb cb = req->cb;
    unwait(req);
    if (r->closing)
      cb(req, UV_EAI_CANCELED, NULL, 0);
    else if (q->status < 0)
      cb(req, q->status, NULL, 0);
    else
      cb(req, 0, q->addrs, q->naddrs);
  }
}

static void deliver_cb(uv_idle_t *idle) {
  tt_resolver *r = container_of(idle, tt_resolver, deliver);
  /* Only what is queued now: answers queued by the callbacks (a name in
   * /etc/hosts asked again at once) wait for the next turn of the loop,
   * so that a loop of callbacks cannot starve the rest of it. */
  tt_resolve_query *list = r->done, *q;
  r->done = NULL;
  r->done_tail = &r->done;
  uv_idle_stop(idle);
  while ((q = list) != NULL) {
    list = q->next;
    answer(r, q);
    query_free(q);
  }
}

/* ---- the answer -------------------------------------------------------- */

static bool same_addr(const struct sockaddr *a, const struct sockaddr *b) {
  if (a->sa_family != b->sa_family)
    return false;
  if (a->sa_family == AF_INET)
    return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
                  &((const struct sockaddr_in *)b)->sin_addr,
                  sizeof(struct in_addr)) == 0;
  return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                &((const struct sockaddr_in6 *)b)->sin6_addr,
                sizeof(struct in6_addr)) == 0 &&
         ((const struct sockaddr_in6 *)a)->sin6_scope_id ==
             ((const struct sockaddr_in6 *)b)->sin6_scope_id;
}

/* The nodes worth keeping: IPv4 or IPv6, of a sane length, and not the
 * same address as an earlier node (hosts files and DNS repeat them). */
static bool usable(const struct ares_addrinfo_node *first,
                   const struct ares_addrinfo_node *node) {
  const struct sockaddr *sa = node->ai_addr;
  if (sa == NULL)
    return false;
  if (!(sa->sa_family == AF_INET &&
        node->ai_addrlen >= sizeof(struct sockaddr_in)) &&
      !(sa->sa_family == AF_INET6 &&
        node->ai_addrlen >= sizeof(struct sockaddr_in6)))
    return false;
  for (const struct ares_addrinfo_node *p = first; p != node; p = p->ai_next)
    if (p->ai_addr != NULL && same_addr(p->ai_addr, sa))
      return false;
  return true;
}

/* Copies the addresses of res into q, in c-ares' (RFC 6724) order, at
 * most TT_RESOLVE_MAX. When there are more, neither family takes the
 * other's half: a connection tries the families in turn, and a name with
 * 20 IPv6 addresses sorted first must not lose all its IPv4 ones. */
static int keep_addrs(tt_resolve_query *q, const struct ares_addrinfo *res) {
  const struct ares_addrinfo_node *first = res != NULL ? res->nodes : NULL;
  const struct ares_addrinfo_node *node;
  size_t n4 = 0, n6 = 0, seen = 0;

  for (node = first; node != NULL && seen < TT_RESOLVE_SCAN_MAX;
       node = node->ai_next, seen++) {
    if (!usable(first, node))
      continue;
    if (node->ai_addr->sa_family == AF_INET)
      n4++;
    else
      n6++;
  }
  if (n4 + n6 == 0)
    return UV_EAI_NODATA;

  size_t room4 = n4, room6 = n6, half = TT_RESOLVE_MAX / 2;
  if (n4 + n6 > TT_RESOLVE_MAX) {
    room6 = n6 <= half ? n6 : n4 <= half ? TT_RESOLVE_MAX - n4 : half;
    room4 = TT_RESOLVE_MAX - room6;
  }
  q->addrs = calloc(room4 + room6, sizeof *q->addrs);
  if (q->addrs == NULL)
    return UV_ENOMEM;

  seen = 0;
  for (node = first; node != NULL && seen < TT_RESOLVE_SCAN_MAX;
       node = node->ai_next, seen++) {
    if (!usable(first, node))
      continue;
    tt_addr *a = &q->addrs[q->naddrs];
    if (node->ai_addr->sa_family == AF_INET) {
      if (room4 == 0)
        continue;
      room4--;
      memcpy(&a->in4, node->ai_addr, sizeof a->in4);
      a->in4.sin_port = 0;
    } else {
      if (room6 == 0)
        continue;
      room6--;
      memcpy(&a->in6, node->ai_addr, sizeof a->in6);
      a->in6.sin6_port = 0;
    }
    q->naddrs++;
  }
  return 0;
}

/* c-ares' callback, from within ares_getaddrinfo(), ares_process_fd() or
 * ares_destroy(): records the outcome and queues the query for delivery. */
static void answer_cb(void *arg, int status, int timeouts,
                      struct ares_addrinfo *res) {
  tt_resolve_query *q = arg;
  tt_resolver *r = q->r;
  (void)timeouts;

  table_remove(r, q);
  if (q->waiters == NULL) {
    /* Everyone cancelled: nothing to tell. */
    query_free(q);
  } else {
    if (r->closing)
      q->status = UV_EAI_CANCELED;
    else if (status != ARES_SUCCESS)
      q->status = status_from_ares(status);
    else
      q->status = keep_addrs(q, res);
    done_push(r, q);
  }
  if (res != NULL)
    ares_freeaddrinfo(res);
}

/* An IP literal is its own answer (c-ares would send "::1" asked for IPv4
 * to DNS, and "127.1" too). Returns false when host is a name. */
static bool literal(tt_resolve_query *q, const char *host) {
  tt_addr a;
  memset(&a, 0, sizeof a);
  if (uv_ip4_addr(host, 0, &a.in4) != 0 && uv_ip6_addr(host, 0, &a.in6) != 0)
    return false;
  if (q->family != AF_UNSPEC && q->family != a.sa.sa_family) {
    q->status = UV_EAI_ADDRFAMILY;
    return true;
  }
  q->addrs = malloc(sizeof *q->addrs);
  if (q->addrs == NULL) {
    q->status = UV_ENOMEM;
    return true;
  }
  q->addrs[0] = a;
  q->naddrs = 1;
  return true;
}

/* Whether /etc/hosts gives localhost an address of family (AF_UNSPEC:
 * any), read as c-ares reads it: comments cut, the address first, then
 * names compared without regard to case; scoped IPv6 addresses are not
 * addresses to c-ares. */
static bool hosts_localhost(int family) {
  char line[1024];
  bool found = false;
  FILE *f = fopen("/etc/hosts", "r");
  if (f == NULL)
    return false;
  while (!found && fgets(line, sizeof line, f) != NULL) {
    char *save, *addr, *name, *hash = strchr(line, '#');
    unsigned char bin[16];
    int af;
    if (hash != NULL)
      *hash = '\0';
    addr = strtok_r(line, " \t\r\n", &save);
    if (addr == NULL)
      continue;
    if (uv_inet_pton(AF_INET, addr, bin) == 0)
      af = AF_INET;
    else if (strchr(addr, '%') == NULL && uv_inet_pton(AF_INET6, addr, bin) == 0)
      af = AF_INET6;
    else
      continue;
    if (family != AF_UNSPEC && family != af)
      continue;
    while (!found && (name = strtok_r(NULL, " \t\r\n", &save)) != NULL)
      found = strcasecmp(name, "localhost") == 0;
  }
  fclose(f);
  return found;
}

/* localhost that /etc/hosts does not list in the family asked for gets
 * ::1 and 127.0.0.1 (RFC 6761), as c-ares would answer; but c-ares 1.18
 * leaks a copy of the name each time it does (fixed in 1.19), so that
 * answer is made here, and c-ares only asked when /etc/hosts will answer.
 * Returns false when host is to be asked. */
static bool localhost(tt_resolve_query *q, const char *host) {
  if (strcasecmp(host, "localhost") != 0 || hosts_localhost(q->family))
    return false;
  q->addrs = calloc(2, sizeof *q->addrs);
  if (q->addrs == NULL) {
    q->status = UV_ENOMEM;
    return true;
  }
  if (q->family != AF_INET) {
    q->addrs[q->naddrs].in6.sin6_family = AF_INET6;
    q->addrs[q->naddrs].in6.sin6_addr = in6addr_loopback;
    q->naddrs++;
  }
  if (q->family != AF_INET6) {
    q->addrs[q->naddrs].in4.sin_family = AF_INET;
    q->addrs[q->naddrs].in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    q->naddrs++;
  }
  return true;
}

/* ---- c-ares on the loop ------------------------------------------------ */

static void arm_timer(tt_resolver *r) {
  struct timeval tv;
  if (ares_timeout(r->channel, NULL, &tv) == NULL) {
    uv_timer_stop(&r->timer); /* nothing in flight */
    return;
  }
  uint64_t ms = (uint64_t)tv.tv_sec * 1000 + ((uint64_t)tv.tv_usec + 999) / 1000;
  uv_timer_start(&r->timer, timer_cb, ms, 0);
}

static void timer_cb(uv_timer_t *timer) {
  tt_resolver *r = container_of(timer, tt_resolver, timer);
  ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  arm_timer(r);
}

static void poll_cb(uv_poll_t *poll, int status, int events) {
  tt_sock *s = container_of(poll, tt_sock, poll);
  tt_resolver *r = s->r;
  ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;
  if (status < 0) {
    /* Let c-ares meet the error itself, reading or writing. */
    rfd = wfd = s->fd;
  } else {
    if (events & UV_READABLE)
      rfd = s->fd;
    if (events & UV_WRITABLE)
      wfd = s->fd;
  }
  /* This may close s (through sock_state_cb): not touched after. */
  ares_process_fd(r->channel, rfd, wfd);
  arm_timer(r);
}

static void closed_handle(tt_resolver *r);

static void sock_closed_cb(uv_handle_t *h) {
  tt_sock *s = container_of((uv_poll_t *)h, tt_sock, poll);
  tt_resolver *r = s->r;
  free(s);
  closed_handle(r);
}

static void sock_close(tt_resolver *r, tt_sock *s) {
  tt_sock **p = &r->socks;
  while (*p != s)
    p = &(*p)->next;
  *p = s->next;
  r->closing_handles++;
  uv_close((uv_handle_t *)&s->poll, sock_closed_cb);
}

/* c-ares opens, watches and closes its sockets through this: readable and
 * writable say what it waits for, neither that the socket is about to be
 * closed (c-ares calls this before close(), so the poll handle stops
 * watching a descriptor still open, and a new socket reusing the number
 * gets a handle of its own). */
static void sock_state_cb(void *data, ares_socket_t fd, int readable,
                          int writable) {
  tt_resolver *r = data;
  tt_sock *s = r->socks;
  while (s != NULL && s->fd != fd)
    s = s->next;

  if (!readable && !writable) {
    if (s != NULL)
      sock_close(r, s);
    return;
  }
  if (s == NULL) {
    s = calloc(1, sizeof *s);
    if (s == NULL)
      return; /* unwatched: its queries end at their timeout */
    if (uv_poll_init_socket(r->loop, &s->poll, fd) != 0) {
      free(s);
      return;
    }
    s->r = r;
    s->fd = fd;
    s->next = r->socks;
    r->socks = s;
  }
  uv_poll_start(&s->poll,
                (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0),
                poll_cb);
}

/* ---- the interface ----------------------------------------------------- */

int tt_resolver_new(uv_loop_t *loop, tt_resolver **out) {
  struct ares_options o;
  int rc;

  *out = NULL;
  tt_resolver *r = calloc(1, sizeof *r);
  if (r == NULL)
    return UV_ENOMEM;
  r->loop = loop;
  r->done_tail = &r->done;
  r->nbuckets = 64;
  r->table = calloc(r->nbuckets, sizeof *r->table);
  if (r->table == NULL) {
    rc = UV_ENOMEM;
    goto fail_table;
  }
  rc = ares_library_init(ARES_LIB_INIT_ALL);
  if (rc != ARES_SUCCESS) {
    rc = status_from_ares(rc);
    goto fail_library;
  }
  memset(&o, 0, sizeof o);
  o.timeout = TT_RESOLVE_TIMEOUT_MS;
  o.tries = TT_RESOLVE_TRIES;
  o.sock_state_cb = sock_state_cb;
  o.sock_state_cb_data = r;
  rc = ares_init_options(&r->channel, &o,
                         ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                             ARES_OPT_SOCK_STATE_CB);
  if (rc != ARES_SUCCESS) {
    rc = status_from_ares(rc);
    goto fail_channel;
  }
  uv_timer_init(loop, &r->timer);
  r->timer.data = r;
  uv_idle_init(loop, &r->deliver);
  r->deliver.data = r;
  *out = r;
  return 0;

fail_channel:
  ares_library_cleanup();
fail_library:
  free(r->table);
fail_table:
  free(r);
  return rc;
}

int tt_resolver_set_servers(tt_resolver *r, const char *servers) {
  if (r->closing || servers == NULL)
    return UV_EINVAL;
  if (r->nflight > 0)
    return UV_EBUSY;
  switch (ares_set_servers_ports_csv(r->channel, servers)) {
  case ARES_SUCCESS:
    return 0;
  case ARES_ENOMEM:
    return UV_ENOMEM;
  case ARES_ENOTIMP: /* c-ares still has queries of its own in flight */
    return UV_EBUSY;
  default:
    return UV_EINVAL;
  }
}

int tt_resolve(tt_resolver *r, tt_resolve_req *req, const char *host,
               tt_family family, tt_resolve_cb cb) {
  if (r->closing || cb == NULL || host == NULL)
    return UV_EINVAL;
  size_t len = strlen(host);
  if (len == 0 || len > TT_RESOLVE_HOST_MAX)
    return UV_EINVAL;
  int af = family == TT_FAMILY_IPV4   ? AF_INET
           : family == TT_FAMILY_IPV6 ? AF_INET6
                                      : AF_UNSPEC;
  size_t hash = hash_of(host, af);

  tt_resolve_query *q = table_find(r, host, af, hash);
  if (q != NULL) {
    wait_on(q, req, cb);
    return 0;
  }
  q = query_new(r, host, len, af, hash);
  if (q == NULL)
    return UV_ENOMEM;
  wait_on(q, req, cb);
  if (literal(q, host) || localhost(q, host)) {
    done_push(r, q);
    return 0;
  }

  struct ares_addrinfo_hints hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = af;
  hints.ai_socktype = SOCK_STREAM;
  /* In the table first: c-ares may answer (from /etc/hosts) before
   * ares_getaddrinfo() returns, and answer_cb takes it out again. */
  table_add(r, q);
  ares_getaddrinfo(r->channel, q->host, NULL, &hints, answer_cb, q);
  arm_timer(r);
  return 0;
}

void tt_resolve_cancel(tt_resolve_req *req) {
  if (req->query != NULL)
    unwait(req);
}

static void finish_close(tt_resolver *r) {
  void (*cb)(void *) = r->closed_cb;
  void *arg = r->closed_arg;
  tt_resolve_query *q;

  /* Every query ended in ares_destroy() and waits here, with whatever
   * was answered but not yet delivered. */
  while ((q = r->done) != NULL) {
    r->done = q->next;
    answer(r, q);
    query_free(q);
  }
  free(r->table);
  free(r);
  ares_library_cleanup();
  if (cb != NULL)
    cb(arg);
}

static void closed_handle(tt_resolver *r) {
  if (--r->closing_handles == 0 && r->closing)
    finish_close(r);
}

static void handle_closed_cb(uv_handle_t *h) {
  closed_handle(h->data);
}

void tt_resolver_close(tt_resolver *r, void (*closed_cb)(void *arg),
                       void *arg) {
  if (r == NULL || r->closing)
    return;
  r->closing = true;
  r->closed_cb = closed_cb;
  r->closed_arg = arg;
  /* Ends every query at once (answer_cb with ARES_EDESTRUCTION) and
   * closes c-ares' sockets, through sock_state_cb. */
  ares_destroy(r->channel);
  r->channel = NULL;
  while (r->socks != NULL)
    sock_close(r, r->socks);
  r->closing_handles += 2;
  uv_close((uv_handle_t *)&r->timer, handle_closed_cb);
  uv_close((uv_handle_t *)&r->deliver, handle_closed_cb);
}

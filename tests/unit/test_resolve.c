/* test_resolve.c - the resolver against /etc/hosts and a name server of the
 * test's own on 127.0.0.1: every address, families, shared lookups,
 * cancels, hanging names and a close that leaves nothing behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "classify.h"
#include "dnsd.h"
#include "harness.h"
#include "resolve.h"
#include "support.h"

#define SAFETY_MS 5000 /* a net under every wait; tests end on callbacks */
#define TEXT 64

/* 20 IPv4 and 12 IPv6 addresses: more than TT_RESOLVE_MAX, each family
 * beyond its half; each answer still fits a 512-byte datagram. */
#define V4_20 "192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5 192.0.2.6 " \
              "192.0.2.7 192.0.2.8 192.0.2.9 192.0.2.10 192.0.2.11 "         \
              "192.0.2.12 192.0.2.13 192.0.2.14 192.0.2.15 192.0.2.16 "      \
              "192.0.2.17 192.0.2.18 192.0.2.19 192.0.2.20"
#define V6_12 "2001:db8::1 2001:db8::2 2001:db8::3 2001:db8::4 2001:db8::5 " \
              "2001:db8::6 2001:db8::7 2001:db8::8 2001:db8::9 2001:db8::a " \
              "2001:db8::b 2001:db8::c"

static const tt_dnsd_name names[] = {
  {"dual.test", TT_DNSD_ANSWER, "192.0.2.1 2001:db8::1 192.0.2.2"},
  {"v4only.test", TT_DNSD_ANSWER, "192.0.2.3"},
  {"dup.test", TT_DNSD_ANSWER, "192.0.2.4 192.0.2.4 2001:db8::4 2001:db8::4"},
  {"many.test", TT_DNSD_ANSWER, V4_20 " " V6_12},
  {"many6.test", TT_DNSD_ANSWER, V6_12 " 192.0.2.1 192.0.2.2 192.0.2.3"},
  {"nosuch.test", TT_DNSD_NXDOMAIN, NULL},
  {"hang1.test", TT_DNSD_SILENT, NULL},
  {"hang2.test", TT_DNSD_SILENT, NULL},
  {"hang3.test", TT_DNSD_SILENT, NULL},
  {"hang4.test", TT_DNSD_SILENT, NULL},
  {"hang5.test", TT_DNSD_SILENT, NULL},
  {"hang6.test", TT_DNSD_SILENT, NULL},
  {"hang7.test", TT_DNSD_SILENT, NULL},
  {"hang8.test", TT_DNSD_SILENT, NULL},
};

/* One request and what its callback saw. */
typedef struct probe {
  tt_resolve_req req; /* first: the callback casts back */
  const char *host;
  int calls;
  int status;
  size_t n;
  char addrs[TT_RESOLVE_MAX][TEXT];
  uint64_t at_ms; /* loop time of the callback */
} probe;

static struct {
  uv_loop_t loop;
  tt_resolver *r;
  tt_dnsd dnsd;
  int fd_start;
  int answered; /* callbacks, all probes */
  int want;     /* done once answered reaches it */
  bool done;
  int closed;   /* closed_cb runs */
  bool is_closed;
  bool close_in_cb; /* the next callback closes the resolver */
} fx;

static void addr_text(const tt_addr *a, char *buf, size_t len) {
  if (a->sa.sa_family == AF_INET6)
    uv_ip6_name(&a->in6, buf, len);
  else
    uv_ip4_name(&a->in4, buf, len);
}

static void closed_cb(void *arg) {
  (void)arg;
  fx.closed++;
  fx.is_closed = true;
}

static void probe_cb(tt_resolve_req *req, int status, const tt_addr *addrs,
                     size_t n) {
  probe *p = (probe *)req;
  p->calls++;
  p->status = status;
  p->n = n;
  p->at_ms = uv_now(&fx.loop);
  assert_true(status == 0 ? n >= 1 && addrs != NULL : n == 0);
  assert_true(n <= TT_RESOLVE_MAX);
  for (size_t i = 0; i < n; i++) {
    addr_text(&addrs[i], p->addrs[i], TEXT);
    /* Ports are the caller's to set. */
    assert_int_equal(addrs[i].sa.sa_family == AF_INET6 ? addrs[i].in6.sin6_port
                                                       : addrs[i].in4.sin_port,
                     0);
  }
  fx.answered++;
  if (fx.answered >= fx.want)
    fx.done = true;
  if (fx.close_in_cb) {
    fx.close_in_cb = false;
    tt_resolver_close(fx.r, closed_cb, NULL);
  }
}

static void ask(probe *p, const char *host, tt_family family) {
  memset(p, 0, sizeof *p);
  p->host = host;
  int rc = tt_resolve(fx.r, &p->req, host, family, probe_cb);
  if (rc != 0)
    fail_msg("tt_resolve(%s): %s", host, uv_strerror(rc));
}

/* Runs the loop until `want` callbacks in all have run. */
static void wait_answers(int want) {
  fx.want = want;
  fx.done = fx.answered >= want;
  if (!tt_test_run_until(&fx.loop, &fx.done, SAFETY_MS))
    fail_msg("%d of %d callbacks within %d ms", fx.answered, want, SAFETY_MS);
}

/* Runs the loop until the test's name server has had n queries for name
 * (a timer looks every 5 ms: the server counts, it calls nobody back). */
static struct {
  const char *name;
  uint64_t n;
  bool done;
} watch;

static void watch_cb(uv_timer_t *t) {
  (void)t;
  watch.done = tt_dnsd_queries(&fx.dnsd, watch.name) >= watch.n;
}

static void wait_queries(const char *name, uint64_t n) {
  uv_timer_t t;
  watch.name = name;
  watch.n = n;
  watch.done = tt_dnsd_queries(&fx.dnsd, name) >= n;
  uv_timer_init(&fx.loop, &t);
  uv_timer_start(&t, watch_cb, 5, 5);
  bool ok = tt_test_run_until(&fx.loop, &watch.done, SAFETY_MS);
  uv_close((uv_handle_t *)&t, NULL);
  uv_run(&fx.loop, UV_RUN_NOWAIT);
  if (!ok)
    fail_msg("%s: %llu queries of %llu within %d ms", name,
             (unsigned long long)tt_dnsd_queries(&fx.dnsd, name),
             (unsigned long long)n, SAFETY_MS);
}

static void wait_closed(void) {
  if (!tt_test_run_until(&fx.loop, &fx.is_closed, SAFETY_MS))
    fail_msg("closed_cb did not run within %d ms", SAFETY_MS);
}

static int cmp_text(const void *a, const void *b) {
  return strcmp(a, b);
}

/* The addresses of p, sorted and joined: "192.0.2.1,2001:db8::1". */
static const char *addr_set(probe *p, char *buf, size_t len) {
  char sorted[TT_RESOLVE_MAX][TEXT];
  memcpy(sorted, p->addrs, sizeof sorted);
  qsort(sorted, p->n, TEXT, cmp_text);
  buf[0] = '\0';
  for (size_t i = 0; i < p->n; i++) {
    if (i > 0)
      strncat(buf, ",", len - strlen(buf) - 1);
    strncat(buf, sorted[i], len - strlen(buf) - 1);
  }
  return buf;
}

static void assert_addrs(probe *p, const char *expected) {
  char got[TT_RESOLVE_MAX * TEXT];
  if (p->status != 0)
    fail_msg("%s: %s, expected %s", p->host, uv_err_name(p->status), expected);
  assert_string_equal(addr_set(p, got, sizeof got), expected);
}

static size_t count_family(const probe *p, bool v6) {
  size_t c = 0;
  for (size_t i = 0; i < p->n; i++)
    if ((strchr(p->addrs[i], ':') != NULL) == v6)
      c++;
  return c;
}

static int setup(void **state) {
  (void)state;
  char servers[64];
  memset(&fx, 0, sizeof fx);
  tt_test_libuv_once();
  fx.fd_start = tt_test_fd_count();
  assert_int_equal(uv_loop_init(&fx.loop), 0);
  assert_int_equal(tt_dnsd_start(&fx.loop, &fx.dnsd, names,
                                 sizeof names / sizeof names[0]), 0);
  assert_int_equal(tt_resolver_new(&fx.loop, &fx.r), 0);
  tt_dnsd_address(&fx.dnsd, servers, sizeof servers);
  assert_int_equal(tt_resolver_set_servers(fx.r, servers), 0);
  return 0;
}

/* Closes the resolver and runs the loop until closed_cb. */
static void close_resolver(void) {
  int before = fx.closed;
  if (fx.r == NULL)
    return;
  tt_resolver_close(fx.r, closed_cb, NULL);
  fx.r = NULL;
  wait_closed();
  assert_int_equal(fx.closed, before + 1);
}

static int teardown(void **state) {
  (void)state;
  close_resolver();
  tt_dnsd_close(&fx.dnsd);
  tt_h_assert_clean(&fx.loop, fx.fd_start);
  return 0;
}

/* ---- every address ------------------------------------------------------ */

/* The addresses /etc/hosts gives localhost in family (0: both), as the
 * resolver writes them, sorted and joined; "" when it lists none. */
static void hosts_localhost(int family, char *buf, size_t len) {
  char found[TT_RESOLVE_MAX][TEXT];
  size_t n = 0;
  char line[1024];
  FILE *f = fopen("/etc/hosts", "r");
  buf[0] = '\0';
  while (f != NULL && fgets(line, sizeof line, f) != NULL) {
    char *hash = strchr(line, '#'), *save, *addr, *name;
    if (hash != NULL)
      *hash = '\0';
    addr = strtok_r(line, " \t\n", &save);
    if (addr == NULL)
      continue;
    bool match = false;
    while ((name = strtok_r(NULL, " \t\n", &save)) != NULL)
      match = match || strcasecmp(name, "localhost") == 0;
    tt_addr a;
    char text[TEXT];
    if (!match)
      continue;
    if ((family == 0 || family == AF_INET) && uv_ip4_addr(addr, 0, &a.in4) == 0)
      uv_ip4_name(&a.in4, text, sizeof text);
    else if ((family == 0 || family == AF_INET6) &&
             uv_ip6_addr(addr, 0, &a.in6) == 0)
      uv_ip6_name(&a.in6, text, sizeof text);
    else
      continue;
    bool dup = false;
    for (size_t i = 0; i < n; i++)
      dup = dup || strcmp(found[i], text) == 0;
    if (!dup && n < TT_RESOLVE_MAX)
      snprintf(found[n++], TEXT, "%s", text);
  }
  if (f != NULL)
    fclose(f);
  qsort(found, n, TEXT, cmp_text);
  for (size_t i = 0; i < n; i++) {
    if (i > 0)
      strncat(buf, ",", len - strlen(buf) - 1);
    strncat(buf, found[i], len - strlen(buf) - 1);
  }
}

/* localhost gets every address /etc/hosts gives it, both families when
 * both are listed; with none listed for a family, c-ares answers the
 * loopback address itself (RFC 6761), and never asks a name server. */
static void test_localhost_gives_every_address_in_hosts(void **state) {
  (void)state;
  char all[256], v4[256], v6[256];
  probe p, p4, p6;
  hosts_localhost(0, all, sizeof all);
  hosts_localhost(AF_INET, v4, sizeof v4);
  hosts_localhost(AF_INET6, v6, sizeof v6);
  if (all[0] == '\0')
    snprintf(all, sizeof all, "127.0.0.1,::1");
  if (v4[0] == '\0')
    snprintf(v4, sizeof v4, "127.0.0.1");
  if (v6[0] == '\0')
    snprintf(v6, sizeof v6, "::1");

  ask(&p, "localhost", TT_FAMILY_AUTO);
  ask(&p4, "localhost", TT_FAMILY_IPV4);
  ask(&p6, "localhost", TT_FAMILY_IPV6);
  wait_answers(3);
  print_message("localhost: /etc/hosts gives %s; resolver, in order:", all);
  for (size_t i = 0; i < p.n; i++)
    print_message(" %s", p.addrs[i]);
  print_message("\n");
  assert_addrs(&p, all);
  assert_addrs(&p4, v4);
  assert_addrs(&p6, v6);
  assert_int_equal(fx.dnsd.others, 0);
}

static void test_dns_name_gives_every_address_of_both_families(void **state) {
  (void)state;
  probe p;
  ask(&p, "dual.test", TT_FAMILY_AUTO);
  wait_answers(1);
  assert_int_equal(p.calls, 1);
  assert_addrs(&p, "192.0.2.1,192.0.2.2,2001:db8::1");
}

static void test_family_filters_addresses(void **state) {
  (void)state;
  probe p4, p6, none;
  ask(&p4, "dual.test", TT_FAMILY_IPV4);
  ask(&p6, "dual.test", TT_FAMILY_IPV6);
  ask(&none, "v4only.test", TT_FAMILY_IPV6);
  wait_answers(3);
  assert_addrs(&p4, "192.0.2.1,192.0.2.2");
  assert_addrs(&p6, "2001:db8::1");
  /* The name exists, without an IPv6 address. */
  assert_int_equal(none.status, UV_EAI_NODATA);
  assert_int_equal(tt_classify(none.status, TT_PHASE_RESOLVE, NULL, 0),
                   TT_CLASS_DNS);
}

static void test_repeated_addresses_come_once(void **state) {
  (void)state;
  probe p;
  ask(&p, "dup.test", TT_FAMILY_AUTO);
  wait_answers(1);
  assert_addrs(&p, "192.0.2.4,2001:db8::4");
}

/* Beyond TT_RESOLVE_MAX, each family keeps its half, or all it has when
 * that is less, so that a connection can still alternate. */
static void test_many_addresses_keep_both_families(void **state) {
  (void)state;
  probe both, few4;
  ask(&both, "many.test", TT_FAMILY_AUTO);
  ask(&few4, "many6.test", TT_FAMILY_AUTO);
  wait_answers(2);
  assert_int_equal(both.status, 0);
  assert_int_equal(both.n, TT_RESOLVE_MAX);
  assert_int_equal(count_family(&both, false), TT_RESOLVE_MAX / 2);
  assert_int_equal(count_family(&both, true), TT_RESOLVE_MAX / 2);
  assert_int_equal(few4.status, 0);
  assert_int_equal(few4.n, 15);
  assert_int_equal(count_family(&few4, false), 3);
  assert_int_equal(count_family(&few4, true), 12);
}

static void test_name_not_found_is_class_dns(void **state) {
  (void)state;
  char detail[128];
  probe p;
  ask(&p, "nosuch.test", TT_FAMILY_AUTO);
  wait_answers(1);
  assert_int_equal(p.status, UV_EAI_NONAME);
  assert_int_equal(tt_classify(p.status, TT_PHASE_RESOLVE, detail,
                               sizeof detail),
                   TT_CLASS_DNS);
  assert_string_equal(detail, "name not found");
}

/* IP literals are answered as themselves, never sent anywhere. */
static void test_literals_answer_themselves(void **state) {
  (void)state;
  probe v4, v6, wrong;
  ask(&v4, "192.0.2.9", TT_FAMILY_AUTO);
  ask(&v6, "2001:db8::9", TT_FAMILY_IPV6);
  ask(&wrong, "::1", TT_FAMILY_IPV4);
  wait_answers(3);
  assert_addrs(&v4, "192.0.2.9");
  assert_addrs(&v6, "2001:db8::9");
  assert_int_equal(wrong.status, UV_EAI_ADDRFAMILY);
  assert_int_equal(fx.dnsd.others, 0);
}

static void test_bad_hosts_are_refused_at_once(void **state) {
  (void)state;
  probe p;
  char long_name[300];
  memset(long_name, 'a', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  memset(&p, 0, sizeof p);
  assert_int_equal(tt_resolve(fx.r, &p.req, "", TT_FAMILY_AUTO, probe_cb),
                   UV_EINVAL);
  assert_int_equal(tt_resolve(fx.r, &p.req, long_name, TT_FAMILY_AUTO,
                              probe_cb),
                   UV_EINVAL);
  assert_int_equal(p.calls, 0);
}

/* ---- when callbacks run ------------------------------------------------- */

/* Even an answer c-ares has at once (/etc/hosts) comes from the loop. */
static void test_callback_never_runs_inside_tt_resolve(void **state) {
  (void)state;
  probe p, lit;
  ask(&p, "localhost", TT_FAMILY_AUTO);
  ask(&lit, "127.0.0.1", TT_FAMILY_AUTO);
  assert_int_equal(p.calls, 0);
  assert_int_equal(lit.calls, 0);
  wait_answers(2);
  assert_int_equal(p.calls, 1);
  assert_int_equal(lit.calls, 1);
}

/* ---- shared lookups ----------------------------------------------------- */

/* 1000 overlapping requests for one name (its case aside) are one query
 * per record type; a request after the answer is a query of its own. */
static void test_overlapping_requests_share_one_query(void **state) {
  (void)state;
  enum { N = 1000 };
  probe *p = calloc(N, sizeof *p);
  probe later;
  assert_non_null(p);
  for (int i = 0; i < N; i++)
    ask(&p[i], i % 2 ? "DUAL.test" : "dual.test", TT_FAMILY_AUTO);
  wait_answers(N);
  for (int i = 0; i < N; i++) {
    assert_int_equal(p[i].calls, 1);
    assert_addrs(&p[i], "192.0.2.1,192.0.2.2,2001:db8::1");
  }
  assert_int_equal(tt_dnsd_queries(&fx.dnsd, "dual.test"), 2); /* A, AAAA */

  ask(&later, "dual.test", TT_FAMILY_AUTO);
  wait_answers(N + 1);
  assert_addrs(&later, "192.0.2.1,192.0.2.2,2001:db8::1");
  assert_int_equal(tt_dnsd_queries(&fx.dnsd, "dual.test"), 4);
  free(p);
}

/* Families are not shared: IPv4 and IPv6 requests are separate queries. */
static void test_families_are_separate_queries(void **state) {
  (void)state;
  probe p4a, p4b, p6;
  ask(&p4a, "dual.test", TT_FAMILY_IPV4);
  ask(&p4b, "dual.test", TT_FAMILY_IPV4);
  ask(&p6, "dual.test", TT_FAMILY_IPV6);
  wait_answers(3);
  assert_addrs(&p4a, "192.0.2.1,192.0.2.2");
  assert_addrs(&p4b, "192.0.2.1,192.0.2.2");
  assert_addrs(&p6, "2001:db8::1");
  assert_int_equal(tt_dnsd_queries(&fx.dnsd, "dual.test"), 2);
}

/* Hundreds of different names in flight at once, each answered. */
static void test_many_names_in_flight(void **state) {
  (void)state;
  enum { N = 300 };
  probe *p = calloc(N, sizeof *p);
  char (*host)[32] = calloc(N, sizeof *host);
  assert_non_null(p);
  assert_non_null(host);
  for (int i = 0; i < N; i++) {
    snprintf(host[i], sizeof host[i], "name%d.test", i);
    ask(&p[i], host[i], TT_FAMILY_IPV4);
  }
  wait_answers(N);
  for (int i = 0; i < N; i++) {
    assert_int_equal(p[i].calls, 1);
    assert_int_equal(p[i].status, UV_EAI_NONAME);
  }
  free(host);
  free(p);
}

/* ---- cancels ------------------------------------------------------------ */

static void test_cancel_before_the_answer_means_no_callback(void **state) {
  (void)state;
  probe hosts, dns, after;
  ask(&hosts, "localhost", TT_FAMILY_AUTO);
  ask(&dns, "dual.test", TT_FAMILY_AUTO);
  tt_resolve_cancel(&hosts.req);
  tt_resolve_cancel(&dns.req);
  tt_resolve_cancel(&dns.req); /* twice is harmless */
  /* Asked after, answered after: once it is in, so were the others. */
  ask(&after, "v4only.test", TT_FAMILY_IPV4);
  wait_answers(1);
  assert_int_equal(after.calls, 1);
  assert_int_equal(tt_dnsd_queries(&fx.dnsd, "dual.test"), 2);
  assert_int_equal(hosts.calls, 0);
  assert_int_equal(dns.calls, 0);
}

/* After a cancel nothing refers to the request: it may be freed at once
 * (AddressSanitizer watches the answer that still arrives). */
static void test_cancelled_request_may_be_freed_at_once(void **state) {
  (void)state;
  probe *gone = malloc(sizeof *gone);
  probe after;
  assert_non_null(gone);
  ask(gone, "dual.test", TT_FAMILY_AUTO);
  tt_resolve_cancel(&gone->req);
  free(gone);
  ask(&after, "v4only.test", TT_FAMILY_IPV4);
  wait_answers(1);
  assert_int_equal(fx.answered, 1);
  assert_int_equal(tt_dnsd_queries(&fx.dnsd, "dual.test"), 2);
}

static void test_cancel_one_of_two_for_a_name(void **state) {
  (void)state;
  probe a, b;
  ask(&a, "dual.test", TT_FAMILY_AUTO);
  ask(&b, "dual.test", TT_FAMILY_AUTO);
  tt_resolve_cancel(&a.req);
  wait_answers(1);
  assert_int_equal(a.calls, 0);
  assert_int_equal(b.calls, 1);
  assert_addrs(&b, "192.0.2.1,192.0.2.2,2001:db8::1");
}

/* A query nobody waits for still runs, and a new request joins it. */
static void test_new_request_joins_a_cancelled_query(void **state) {
  (void)state;
  probe a, b;
  ask(&a, "dual.test", TT_FAMILY_AUTO);
  tt_resolve_cancel(&a.req);
  ask(&b, "dual.test", TT_FAMILY_AUTO);
  wait_answers(1);
  assert_int_equal(a.calls, 0);
  assert_addrs(&b, "192.0.2.1,192.0.2.2,2001:db8::1");
  assert_int_equal(tt_dnsd_queries(&fx.dnsd, "dual.test"), 2);
}

static void test_request_is_reusable_after_its_callback(void **state) {
  (void)state;
  probe p;
  ask(&p, "localhost", TT_FAMILY_IPV4);
  wait_answers(1);
  assert_int_equal(p.status, 0);
  assert_int_equal(tt_resolve(fx.r, &p.req, "dual.test", TT_FAMILY_IPV4,
                              probe_cb), 0);
  wait_answers(2);
  assert_int_equal(p.calls, 2);
  assert_addrs(&p, "192.0.2.1,192.0.2.2");
}

/* ---- names that hang ---------------------------------------------------- */

/* Eight names whose server never answers hold nothing but their own
 * queries: a name in /etc/hosts and a name the server does answer both
 * come at once, and a close ends the eight at once. */
static void test_hanging_names_do_not_delay_others(void **state) {
  (void)state;
  probe hang[8], hosts, dns;
  char host[8][16];
  uint64_t t0 = uv_now(&fx.loop);
  for (int i = 0; i < 8; i++) {
    snprintf(host[i], sizeof host[i], "hang%d.test", i + 1);
    ask(&hang[i], host[i], TT_FAMILY_AUTO);
  }
  ask(&hosts, "localhost", TT_FAMILY_AUTO);
  ask(&dns, "dual.test", TT_FAMILY_AUTO);
  wait_answers(2);
  assert_int_equal(hosts.calls, 1);
  assert_int_equal(dns.calls, 1);
  assert_int_equal(hosts.status, 0);
  assert_addrs(&dns, "192.0.2.1,192.0.2.2,2001:db8::1");
  assert_true(hosts.at_ms - t0 < 200);
  assert_true(dns.at_ms - t0 < 200);
  /* The eight did reach the server, and hang there. */
  for (int i = 0; i < 8; i++) {
    wait_queries(host[i], 2);
    assert_int_equal(hang[i].calls, 0);
  }
  /* Closing with the eight still pending takes a turn of the loop. */
  uint64_t c0 = uv_hrtime();
  close_resolver();
  assert_true(uv_hrtime() - c0 < 100 * 1000000ull);
  for (int i = 0; i < 8; i++)
    assert_int_equal(hang[i].status, UV_EAI_CANCELED);
}

/* c-ares gives a server that never answers 1 s, then 2 s, and gives up:
 * UV_EAI_AGAIN, class dns, after two queries (one per try). */
static void test_black_holed_name_gives_up_after_two_tries(void **state) {
  (void)state;
  char detail[128];
  probe p;
  uint64_t t0;
  uv_update_time(&fx.loop);
  t0 = uv_now(&fx.loop);
  ask(&p, "hang1.test", TT_FAMILY_IPV4);
  wait_answers(1);
  assert_int_equal(p.status, UV_EAI_AGAIN);
  assert_int_equal(tt_classify(p.status, TT_PHASE_RESOLVE, detail,
                               sizeof detail),
                   TT_CLASS_DNS);
  assert_string_equal(detail, "temporary failure in name resolution");
  print_message("gave up after %llu ms\n",
                (unsigned long long)(p.at_ms - t0));
  assert_true(p.at_ms - t0 >= 2900);
  assert_true(p.at_ms - t0 < 4000);
  assert_int_equal(tt_dnsd_queries(&fx.dnsd, "hang1.test"), 2);
}

/* ---- closing ------------------------------------------------------------ */

/* A close with lookups in flight, answered and cancelled: each pending
 * request hears UV_EAI_CANCELED once, the cancelled one nothing, closed_cb
 * runs once, and the loop, the descriptors and the memory are as before
 * (teardown and LeakSanitizer check those). */
static void test_close_with_requests_in_flight(void **state) {
  (void)state;
  probe hang[3], cancelled, answered_not_run;
  char host[3][16];
  for (int i = 0; i < 3; i++) {
    snprintf(host[i], sizeof host[i], "hang%d.test", i + 1);
    ask(&hang[i], host[i], TT_FAMILY_AUTO);
  }
  ask(&cancelled, "hang4.test", TT_FAMILY_AUTO);
  tt_resolve_cancel(&cancelled.req);
  /* Let the queries reach the server, so that c-ares has sockets open. */
  for (int i = 0; i < 3; i++)
    wait_queries(host[i], 2);
  wait_queries("hang4.test", 2);
  ask(&answered_not_run, "localhost", TT_FAMILY_AUTO);

  uint64_t t0 = uv_hrtime();
  tt_resolver *r = fx.r;
  tt_resolver_close(r, closed_cb, NULL);
  fx.r = NULL;
  tt_resolver_close(r, closed_cb, NULL); /* a second call does nothing */
  assert_int_equal(tt_resolve(r, &cancelled.req, "localhost", TT_FAMILY_AUTO,
                              probe_cb),
                   UV_EINVAL);
  assert_int_equal(fx.answered, 0); /* nothing from within the close */
  wait_answers(4);
  wait_closed();
  assert_int_equal(fx.closed, 1);
  assert_true(uv_hrtime() - t0 < 100 * 1000000ull);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(hang[i].calls, 1);
    assert_int_equal(hang[i].status, UV_EAI_CANCELED);
  }
  assert_int_equal(answered_not_run.calls, 1);
  assert_int_equal(answered_not_run.status, UV_EAI_CANCELED);
  assert_int_equal(cancelled.calls, 0);
}

/* A callback may close the resolver: the requests not yet told hear
 * UV_EAI_CANCELED. */
static void test_close_from_a_callback(void **state) {
  (void)state;
  probe first, second;
  ask(&first, "localhost", TT_FAMILY_AUTO);
  ask(&second, "localhost", TT_FAMILY_IPV4);
  fx.close_in_cb = true;
  wait_answers(2);
  fx.r = NULL; /* closed by the first callback */
  wait_closed();
  assert_int_equal(fx.closed, 1);
  assert_int_equal(first.status, 0);
  assert_int_equal(second.calls, 1);
  assert_int_equal(second.status, UV_EAI_CANCELED);
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    T(test_localhost_gives_every_address_in_hosts),
    T(test_dns_name_gives_every_address_of_both_families),
    T(test_family_filters_addresses),
    T(test_repeated_addresses_come_once),
    T(test_many_addresses_keep_both_families),
    T(test_name_not_found_is_class_dns),
    T(test_literals_answer_themselves),
    T(test_bad_hosts_are_refused_at_once),
    T(test_callback_never_runs_inside_tt_resolve),
    T(test_overlapping_requests_share_one_query),
    T(test_families_are_separate_queries),
    T(test_many_names_in_flight),
    T(test_cancel_before_the_answer_means_no_callback),
    T(test_cancelled_request_may_be_freed_at_once),
    T(test_cancel_one_of_two_for_a_name),
    T(test_new_request_joins_a_cancelled_query),
    T(test_request_is_reusable_after_its_callback),
    T(test_hanging_names_do_not_delay_others),
    T(test_black_holed_name_gives_up_after_two_tries),
    T(test_close_with_requests_in_flight),
    T(test_close_from_a_callback),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

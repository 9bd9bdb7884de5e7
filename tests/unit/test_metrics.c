/* test_metrics.c - the Prometheus exposition: what a running engine's
 * scrape says (and that it says what the events said), labels and tags,
 * the RTT histogram from the statistics' own, slices that add up to the
 * whole while targets come and go, promtool's verdict, and /metrics served
 * over HTTP next to heartbeats that a slow or oversized client must not
 * disturb. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "httpc.h"
#include "metrics.h"
#include "metrics_server.h"
#include "support.h"

#define FAST TT_H_FAST

/* ---- reading an exposition ----------------------------------------------- */

/* The value of the sample of family name (with suffix) whose labels hold
 * target="target" and, when not NULL, extra (such as class="ok"); -1 when
 * there is none. */
static double value_of(const char *body, const char *name, const char *target,
                       const char *extra) {
  char want[256];
  size_t nlen = strlen(name);
  snprintf(want, sizeof want, "target=\"%s\"", target);
  for (const char *line = body; *line != '\0';) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    if (len > nlen && strncmp(line, name, nlen) == 0 && line[nlen] == '{') {
      char *l = strndup(line, len);
      const char *close = strrchr(l, '}');
      bool match = close != NULL && strstr(l, want) != NULL &&
                   (extra == NULL || strstr(l, extra) != NULL);
      double v = match ? strtod(close + 2, NULL) : -1;
      free(l);
      if (match)
        return v;
    }
    line += len + (end != NULL);
  }
  return -1;
}

static size_t count_lines(const char *body, const char *prefix) {
  size_t n = 0, k = strlen(prefix);
  for (const char *p = body; p != NULL && *p != '\0';) {
    if (strncmp(p, prefix, k) == 0)
      n++;
    p = strchr(p, '\n');
    if (p != NULL)
      p++;
  }
  return n;
}

/* promtool check metrics on body: its verdict, as the tool prints it. */
static void assert_promtool_accepts(const char *body, size_t len) {
  char path[] = "/tmp/tether-metrics-XXXXXX";
  char cmd[256], out[4096];
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, body, len), (ssize_t)len);
  close(fd);
  if (system("command -v promtool >/dev/null 2>&1") != 0) {
    unlink(path);
    fail_msg("promtool is missing: install Debian's prometheus package "
             "(build.sh does)");
  }
  snprintf(cmd, sizeof cmd, "promtool check metrics < %s 2>&1", path);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t n = fread(out, 1, sizeof out - 1, p);
  out[n] = '\0';
  int status = pclose(p);
  unlink(path);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || n > 0)
    fail_msg("promtool check metrics: %s", out);
}

static char *scrape(const tt_engine *e, const tt_metrics_opts *o) {
  tt_bytes b = {0};
  assert_int_equal(tt_metrics_write(e, o, &b), 0);
  tt_bytes_put(&b, "", 1);
  return b.p;
}

/* ---- a running engine ------------------------------------------------- */

typedef struct want {
  size_t index;
  uint64_t sent;
} want;

static bool sent_enough(void *arg) {
  tt_harness *h = arg;
  const want *w = h->user;
  const tt_view *v = tt_engine_view(h->engine, w->index);
  return v != NULL && v->stats.sent >= w->sent;
}

static void run_until_sent(tt_harness *h, size_t index, uint64_t sent) {
  want w = { index, sent };
  h->user = &w;
  if (!tt_test_run_until_fn(&h->loop, sent_enough, h, 10000))
    fail_msg("target %zu did not reach %llu heartbeats", index,
             (unsigned long long)sent);
  h->user = NULL;
}

#define THREE "defaults:\n  " FAST "targets:\n" \
  "  - { name: up, address: \"127.0.0.1:%u\", preset: redis,\n" \
  "      tags: [prod, team-a, team_a, \"caf\\u00e9\"] }\n" \
  "  - { name: down, address: \"127.0.0.1:%u\", preset: redis }\n" \
  "  - { name: \"we\\\"ird\\\\\\\\name\", address: \"127.0.0.1:%u\", " \
  "mode: connect }\n"

static void three(tt_harness *h) {
  tt_fault *up = tt_h_serve(h, TT_FAULT_RESPOND);
  tt_fault *down = tt_h_serve(h, TT_FAULT_REFUSE);
  tt_h_config(h, THREE, tt_fault_port(up), tt_fault_port(down),
              tt_fault_port(up));
  tt_h_start(h);
  run_until_sent(h, 0, 4);
  run_until_sent(h, 1, 2);
}

/* What the series say of an up and a down target, with every label. */
static void test_a_scrape_of_a_running_engine(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  three(&h);
  tt_metrics_opts o = tt_metrics_default_opts();
  char *body = scrape(h.engine, &o);
  const tt_view *up = tt_engine_view(h.engine, 0);

  assert_non_null(strstr(body, "tether_build_info{version=\"" TT_VERSION
                               "\"} 1\n"));
  assert_non_null(strstr(body, "\ntether_targets 3\n"));
  assert_true(value_of(body, "tether_up", "up", NULL) == 1);
  assert_true(value_of(body, "tether_up", "down", NULL) == 0);
  assert_true(value_of(body, "tether_state", "up", "state=\"up\"") == 1);
  assert_true(value_of(body, "tether_state", "up", "state=\"down\"") == 0);
  assert_true(value_of(body, "tether_state", "down", "state=\"down\"") == 1);
  assert_true(value_of(body, "tether_heartbeats_total", "up", "class=\"ok\"") ==
              (double)up->stats.received);
  /* A class appears once seen: refused for the down target, nothing but
   * ok for the other. */
  assert_true(value_of(body, "tether_heartbeats_total", "down",
                       "class=\"refused\"") >= 2);
  assert_true(value_of(body, "tether_heartbeats_total", "down",
                       "class=\"ok\"") == 0);
  assert_true(value_of(body, "tether_heartbeats_total", "up",
                       "class=\"timeout\"") == -1);
  assert_true(value_of(body, "tether_state_changes_total", "up", NULL) == 1);
  assert_true(value_of(body, "tether_late_replies_total", "up", NULL) == 0);
  assert_true(value_of(body, "tether_reconnects_total", "up", NULL) == 0);
  /* RTTs only where a reply came. */
  assert_true(value_of(body, "tether_last_rtt_seconds", "up", NULL) > 0);
  assert_true(value_of(body, "tether_last_rtt_seconds", "down", NULL) == -1);
  assert_true(value_of(body, "tether_rtt_seconds_count", "up", NULL) ==
              (double)up->stats.received);
  assert_true(value_of(body, "tether_rtt_seconds_bucket", "up",
                       "le=\"+Inf\"") == (double)up->stats.received);
  assert_true(value_of(body, "tether_rtt_seconds_sum", "up", NULL) > 0);

  /* Labels: the address, a label per tag (two tags that only differ in
   * what a label name cannot hold are one label), the tags as written in
   * the info series, and escapes in a name. */
  assert_non_null(strstr(body, "tether_up{target=\"up\",address=\"127.0.0.1:"));
  assert_non_null(strstr(body, ",tag_prod=\"1\",tag_team_a=\"1\",tag_caf__=\"1\"}"));
  assert_null(strstr(body, "tag_team_a=\"1\",tag_team_a"));
  assert_non_null(strstr(body, "tags=\",prod,team-a,team_a,caf\xc3\xa9,\""));
  assert_non_null(strstr(body, "mode=\"persistent\",preset=\"redis\""));
  assert_true(value_of(body, "tether_up", "we\\\"ird\\\\\\\\name", NULL) >= 0);
  assert_promtool_accepts(body, strlen(body));
  free(body);
  tt_h_teardown(&h);
}

/* The scrape and the events agree at the same moment: tether_up with the
 * latest state change, ok heartbeats with the ok heartbeat events. */
static void test_a_scrape_agrees_with_the_events(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  three(&h);
  char *body = scrape(h.engine, NULL);
  for (size_t i = 0; i < 2; i++) {
    const char *name = i == 0 ? "up" : "down";
    size_t ok = 0, n = tt_h_count(&h, i, TT_EVENT_HEARTBEAT);
    for (size_t k = 0; k < n; k++)
      ok += tt_h_hb(&h, i, k)->cls == TT_CLASS_OK;
    size_t changes = tt_h_count(&h, i, TT_EVENT_STATE);
    const tt_rec *last = tt_h_change(&h, i, changes - 1);
    assert_true(value_of(body, "tether_heartbeats_total", name,
                         "class=\"ok\"") == (double)ok);
    assert_true(value_of(body, "tether_up", name, NULL) ==
                (last->to == TT_STATE_UP));
    assert_true(value_of(body, "tether_state_changes_total", name, NULL) ==
                (double)changes);
  }
  free(body);
  tt_h_teardown(&h);
}

/* Without histograms, tether_rtt_seconds is a summary of _sum and _count:
 * two series a target, and rate(_sum)/rate(_count) reads the same. */
static void test_histograms_can_be_left_out(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  three(&h);
  tt_metrics_opts o;
  assert_int_equal(tt_metrics_query("histograms=0", 12, &o), 0);
  char *body = scrape(h.engine, &o);
  assert_non_null(strstr(body, "# TYPE tether_rtt_seconds summary\n"));
  assert_int_equal(count_lines(body, "tether_rtt_seconds_bucket"), 0);
  assert_int_equal(count_lines(body, "tether_rtt_seconds_count"), 3);
  assert_int_equal(count_lines(body, "tether_rtt_seconds_sum"), 3);
  assert_promtool_accepts(body, strlen(body));
  free(body);
  tt_h_teardown(&h);
}

static void test_query_parameters(void **unused) {
  tt_metrics_opts o;
  assert_int_equal(tt_metrics_query(NULL, 0, &o), 0);
  assert_true(o.histograms);
  assert_int_equal(tt_metrics_query("", 0, &o), 0);
  assert_int_equal(tt_metrics_query("histograms=false", 16, &o), 0);
  assert_false(o.histograms);
  assert_int_equal(tt_metrics_query("histograms=1&histograms=0", 25, &o), 0);
  assert_false(o.histograms);
  assert_int_equal(tt_metrics_query("histograms=true", 15, &o), 0);
  assert_true(o.histograms);
  assert_int_equal(tt_metrics_query("histograms", 10, &o), -1);
  assert_int_equal(tt_metrics_query("histograms=2", 12, &o), -1);
  assert_int_equal(tt_metrics_query("debug=1", 7, &o), -1);
}

static void test_tag_label_names(void **unused) {
  char b[96];
  assert_int_equal(tt_metrics_tag_label("prod", b, sizeof b), 8);
  assert_string_equal(b, "tag_prod");
  tt_metrics_tag_label("team-a.b/c", b, sizeof b);
  assert_string_equal(b, "tag_team_a_b_c");
  tt_metrics_tag_label("9lives", b, sizeof b);
  assert_string_equal(b, "tag_9lives");
  tt_metrics_tag_label("caf\xc3\xa9", b, sizeof b);
  assert_string_equal(b, "tag_caf__");
  assert_int_equal(tt_metrics_tag_label("abcdef", b, 7), 6);
  assert_string_equal(b, "tag_ab");
}

/* ---- the histogram from the statistics' buckets ------------------------ */

/* A config loaded but not started: its views, to fill by hand. */
static void idle_engine(tt_harness *h, size_t n) {
  enum { LINE = 96 };
  char *yaml = malloc(n * LINE + 64);
  size_t w = (size_t)sprintf(yaml, "targets:\n");
  assert_non_null(yaml);
  for (size_t i = 0; i < n; i++)
    w += (size_t)sprintf(yaml + w,
                         "  - { name: t%zu, address: \"127.0.0.1:%zu\", "
                         "tags: [a] }\n",
                         i, 1000 + i);
  tt_h_config(h, "%s", yaml);
  free(yaml);
  tt_engine_opts o = { .seed = 1 };
  assert_int_equal(tt_engine_new(&h->loop, &h->cfg, &o, &h->engine), 0);
}

/* Views belong to the engine; a test may write the statistics of one
 * that never started. */
static tt_stats *stats_of(tt_harness *h, size_t i) {
  return &((tt_view *)tt_engine_view(h->engine, i))->stats;
}

static double bucket(const char *body, const char *le) {
  char extra[32];
  snprintf(extra, sizeof extra, "le=\"%s\"", le);
  return value_of(body, "tether_rtt_seconds_bucket", "t0", extra);
}

static void test_buckets_from_the_statistics(void **unused) {
  static const uint32_t rtts[] = { 120, 400, 499, 700, 1000, 4000, 30000,
                                   30000, 900000, 2000000 };
  tt_harness h;
  tt_h_setup(&h);
  idle_engine(&h, 1);
  for (size_t i = 0; i < sizeof rtts / sizeof rtts[0]; i++)
    tt_stats_heartbeat(stats_of(&h, 0), TT_CLASS_OK, rtts[i]);
  tt_stats_heartbeat(stats_of(&h, 0), TT_CLASS_TIMEOUT, 0);
  char *body = scrape(h.engine, NULL);
  /* Exact where a bound is far from every RTT ... */
  assert_true(bucket(body, "0.0005") == 3);
  assert_true(bucket(body, "0.0025") == 5);
  assert_true(bucket(body, "0.005") == 6);
  assert_true(bucket(body, "0.025") == 6);
  assert_true(bucket(body, "0.05") == 8);
  assert_true(bucket(body, "0.5") == 8);
  assert_true(bucket(body, "1") == 9);
  assert_true(bucket(body, "+Inf") == 10);
  /* ... and within the 6% bucket holding it where one is that close:
   * 1000 us is at or below 0.001, or not. */
  assert_true(bucket(body, "0.001") >= 4 && bucket(body, "0.001") <= 5);
  assert_true(value_of(body, "tether_rtt_seconds_count", "t0", NULL) == 10);
  assert_true(value_of(body, "tether_rtt_seconds_sum", "t0", NULL) ==
              2.9667190);
  assert_true(value_of(body, "tether_heartbeats_total", "t0",
                       "class=\"timeout\"") == 1);
  assert_promtool_accepts(body, strlen(body));
  free(body);
  tt_h_teardown(&h);
}

/* Bounds below the smallest RTT count 0, above the largest every reply,
 * and the counts never decrease, however the replies fall. */
static void test_buckets_are_cumulative(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  idle_engine(&h, 1);
  uint64_t x = 12345;
  for (int i = 0; i < 5000; i++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    tt_stats_heartbeat(stats_of(&h, 0), TT_CLASS_OK,
                       (uint32_t)(300 + (x >> 33) % 1500000));
  }
  char *body = scrape(h.engine, NULL);
  static const char *const les[] = { "0.0005", "0.001", "0.0025", "0.005",
                                     "0.01", "0.025", "0.05", "0.1",
                                     "0.25", "0.5", "1", "+Inf" };
  double prev = 0;
  for (size_t k = 0; k < sizeof les / sizeof les[0]; k++) {
    double v = bucket(body, les[k]);
    assert_true(v >= prev);
    prev = v;
  }
  assert_true(prev == 5000);
  free(body);
  tt_h_teardown(&h);
}

/* ---- slices ------------------------------------------------------------ */

/* Slices of any budget add up to the whole exposition, each a whole
 * number of lines, none much beyond its budget. */
static void test_slices_add_up_to_the_whole(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  idle_engine(&h, 500);
  char *whole = scrape(h.engine, NULL);
  static const size_t budgets[] = { 1, 100, 4096, 65536 };
  for (size_t k = 0; k < sizeof budgets / sizeof budgets[0]; k++) {
    tt_expo x;
    tt_bytes all = {0}, slice = {0};
    size_t n = 0;
    bool more;
    tt_expo_begin(&x, h.engine, NULL);
    do {
      slice.len = 0;
      more = tt_expo_next(&x, &slice, budgets[k]);
      /* Only the last may be empty (families with nothing to say). */
      assert_true(slice.len > 0 || !more);
      assert_true(slice.len == 0 || slice.p[slice.len - 1] == '\n');
      /* Past the budget by one target's lines at most. */
      assert_true(slice.len <= budgets[k] + 2048);
      tt_bytes_put(&all, slice.p, slice.len);
      n++;
    } while (more);
    tt_bytes_put(&all, "", 1);
    assert_string_equal(all.p, whole);
    /* Slices reach their budget, but for the last. */
    assert_true(n <= strlen(whole) / budgets[k] + 1);
    tt_bytes_free(&all);
    tt_bytes_free(&slice);
  }
  free(whole);
  tt_h_teardown(&h);
}

/* Targets that leave between slices are not written any more; those
 * that join are written in the families still ahead. */
static void test_targets_that_come_and_go_during_a_scrape(void **unused) {
  tt_harness h;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  unsigned p = tt_fault_port(f);
  tt_h_config(&h, "defaults:\n  " FAST "targets:\n"
                  "  - { name: a, address: \"127.0.0.1:%u\", preset: redis }\n"
                  "  - { name: b, address: \"127.0.0.1:%u\", preset: redis }\n",
              p, p);
  tt_h_start(&h);
  tt_expo x;
  tt_bytes out = {0};
  tt_expo_begin(&x, h.engine, NULL);
  /* Up to the first target's tether_up line. */
  const char *needle = "tether_up{target=\"a\"";
  do
    assert_true(tt_expo_next(&x, &out, 1));
  while (memmem(out.p, out.len, needle, strlen(needle)) == NULL);
  tt_reload_report rep = tt_h_reload(&h, "defaults:\n  " FAST "targets:\n"
                  "  - { name: a, address: \"127.0.0.1:%u\", preset: redis }\n"
                  "  - { name: c, address: \"127.0.0.1:%u\", preset: redis }\n",
              p, p);
  tt_reload_report_free(&rep);
  while (tt_expo_next(&x, &out, 1))
    ;
  tt_bytes_put(&out, "", 1);
  /* b left before its tether_up line: it has none, nor any after. */
  assert_true(value_of(out.p, "tether_up", "b", NULL) == -1);
  assert_true(value_of(out.p, "tether_state", "b", NULL) == -1);
  /* c joined: in the families still ahead. */
  assert_true(value_of(out.p, "tether_up", "c", NULL) == 0);
  assert_true(value_of(out.p, "tether_state", "c", "state=\"connecting\"") == 1);
  assert_promtool_accepts(out.p, out.len - 1);
  tt_bytes_free(&out);
  tt_h_teardown(&h);
}

/* ---- --metrics [ADDR:]PORT --------------------------------------------- */

static void assert_listen(const char *arg, const char *ip, uint16_t port) {
  struct sockaddr_storage ss;
  char why[200], name[64];
  if (tt_metrics_listen_parse(arg, &ss, why, sizeof why) != 0)
    fail_msg("%s: %s", arg, why);
  if (ss.ss_family == AF_INET6) {
    uv_ip6_name((struct sockaddr_in6 *)&ss, name, sizeof name);
    assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), port);
  } else {
    uv_ip4_name((struct sockaddr_in *)&ss, name, sizeof name);
    assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), port);
  }
  assert_string_equal(name, ip);
}

static void assert_listen_refused(const char *arg, const char *why_part) {
  struct sockaddr_storage ss;
  char why[200];
  if (tt_metrics_listen_parse(arg, &ss, why, sizeof why) != -1)
    fail_msg("%s was taken", arg);
  if (strstr(why, why_part) == NULL)
    fail_msg("%s: '%s' does not say '%s'", arg, why, why_part);
}

static void test_listen_addresses(void **unused) {
  assert_listen("9798", "127.0.0.1", 9798);
  assert_listen("0.0.0.0:1", "0.0.0.0", 1);
  assert_listen("192.0.2.1:65535", "192.0.2.1", 65535);
  assert_listen("localhost:9798", "127.0.0.1", 9798);
  assert_listen("[::1]:9798", "::1", 9798);
  assert_listen("[::]:80", "::", 80);
  assert_listen_refused("", "port must be a number");
  assert_listen_refused("0", "port must be a number");
  assert_listen_refused("65536", "port must be a number");
  assert_listen_refused("98x", "port must be a number");
  assert_listen_refused("1.2.3.4:", "port must be a number");
  assert_listen_refused(":9798", "0.0.0.0:9798 for every IPv4 address");
  assert_listen_refused("::1:9798", "IPv6 address in brackets");
  assert_listen_refused("[::1]9798", "IPv6 address in brackets");
  assert_listen_refused("db.example:9798", "'db.example' is not an IP address");
  assert_listen_refused("[1.2.3.4]:80", "is not an IP address");
}

/* ---- served over HTTP ---------------------------------------------------- */

typedef struct served {
  tt_metrics_server *m;
  uint16_t port;
  bool closed;
} served;

static void serve(tt_harness *h, served *s) {
  struct sockaddr_storage ss;
  memset(s, 0, sizeof *s);
  /* Port 0, which --metrics refuses, is what a test needs. */
  uv_ip4_addr("127.0.0.1", 0, (struct sockaddr_in *)&ss);
  assert_int_equal(tt_metrics_server_start(&h->loop, (struct sockaddr *)&ss,
                                           h->engine, NULL, &s->m),
                   0);
  s->port = tt_metrics_server_port(s->m);
}

static void closed_cb(void *arg) {
  *(bool *)arg = true;
}

static void unserve(tt_harness *h, served *s) {
  tt_metrics_server_close(s->m, closed_cb, &s->closed);
  assert_true(tt_test_run_until(&h->loop, &s->closed, 5000));
}

static void test_served_at_metrics(void **unused) {
  tt_harness h;
  served s;
  tt_httpc_resp r;
  char v[128];
  tt_h_setup(&h);
  three(&h);
  serve(&h, &s);

  assert_int_equal(tt_httpc_get(&h.loop, s.port,
                                "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &r),
                   200);
  assert_string_equal(tt_httpc_header(&r, "Content-Type", v, sizeof v),
                      "text/plain; version=0.0.4; charset=utf-8");
  assert_true(value_of(r.body, "tether_up", "up", NULL) == 1);
  assert_promtool_accepts(r.body, r.body_len);
  tt_httpc_resp_free(&r);

  /* As Prometheus asks: gzip. */
  assert_int_equal(tt_httpc_get(&h.loop, s.port,
                                "GET /metrics HTTP/1.1\r\nHost: x\r\n"
                                "Accept-Encoding: gzip\r\n\r\n", &r),
                   200);
  assert_string_equal(tt_httpc_header(&r, "Content-Encoding", v, sizeof v),
                      "gzip");
  assert_int_equal(tt_httpc_gunzip(&r), 0);
  assert_true(value_of(r.body, "tether_up", "down", NULL) == 0);
  tt_httpc_resp_free(&r);

  assert_int_equal(tt_httpc_get(&h.loop, s.port,
                                "GET /metrics?histograms=0 HTTP/1.1\r\n"
                                "Host: x\r\n\r\n", &r),
                   200);
  assert_int_equal(count_lines(r.body, "tether_rtt_seconds_bucket"), 0);
  tt_httpc_resp_free(&r);

  assert_int_equal(tt_httpc_get(&h.loop, s.port,
                                "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &r),
                   200);
  assert_int_equal(r.body_len, 0);
  tt_httpc_resp_free(&r);

  assert_int_equal(tt_httpc_get(&h.loop, s.port,
                                "GET /other HTTP/1.1\r\nHost: x\r\n\r\n", NULL),
                   404);
  assert_int_equal(tt_httpc_get(&h.loop, s.port,
                                "GET / HTTP/1.1\r\nHost: x\r\n\r\n", NULL),
                   404);
  assert_int_equal(tt_httpc_get(&h.loop, s.port,
                                "GET /metrics/ HTTP/1.1\r\nHost: x\r\n\r\n", NULL),
                   404);
  assert_int_equal(tt_httpc_get(&h.loop, s.port,
                                "POST /metrics HTTP/1.1\r\nHost: x\r\n"
                                "Content-Length: 2\r\n\r\nhi", &r),
                   405);
  assert_string_equal(tt_httpc_header(&r, "Allow", v, sizeof v), "GET, HEAD");
  tt_httpc_resp_free(&r);
  assert_int_equal(tt_httpc_get(&h.loop, s.port,
                                "get /metrics HTTP/1.1\r\nHost: x\r\n\r\n", NULL),
                   405);
  assert_int_equal(tt_httpc_get(&h.loop, s.port,
                                "GET /metrics?debug=1 HTTP/1.1\r\nHost: x\r\n\r\n",
                                NULL),
                   400);
  unserve(&h, &s);
  tt_h_teardown(&h);
}

/* While a slowloris trickles, a 1 MB request is refused and a scraper of
 * 2 000 targets stops reading, heartbeats of 100 ms go on on time: none
 * lost, no slot skipped, and what the clients hold stays a few buffers. */
static void test_bad_clients_do_not_disturb_heartbeats(void **unused) {
  enum { N = 2000 };
  tt_harness h;
  served s;
  tt_httpc slow, big, stalled;
  tt_httpc_resp r;
  tt_h_setup(&h);
  tt_fault *f = tt_h_serve(&h, TT_FAULT_RESPOND);
  char *yaml = malloc(N * 120 + 256);
  size_t w = (size_t)sprintf(yaml, "defaults:\n  interval: 100ms\n"
                                   "  timeout: 80ms\ntargets:\n"
                                   "  - { name: hb, address: \"127.0.0.1:%u\", "
                                   "preset: redis }\n",
                             tt_fault_port(f));
  /* Targets that hardly ever probe (a connect an hour, each at its own
   * phase): there to make the scrape large. */
  for (size_t i = 1; i < N; i++)
    w += (size_t)sprintf(yaml + w, "  - { name: idle%zu, address: "
                                   "\"127.0.0.1:%u\", mode: connect, "
                                   "interval: 1h, timeout: 1s }\n",
                         i, tt_fault_port(f));
  tt_h_config(&h, "%s", yaml);
  free(yaml);
  tt_h_start(&h);
  serve(&h, &s);

  tt_httpc_connect(&h.loop, &slow, s.port);
  const char *req = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  tt_httpc_trickle(&slow, req, strlen(req), 100);
  tt_httpc_connect(&h.loop, &big, s.port);
  size_t n = 1024 * 1024;
  char *junk = malloc(n);
  memcpy(junk, "GET /metrics HTTP/1.1\r\nX: ", 26);
  memset(junk + 26, 'j', n - 26);
  tt_httpc_send(&big, junk, n);
  free(junk);
  tt_httpc_connect(&h.loop, &stalled, s.port);
  tt_httpc_reading(&stalled, false);
  tt_httpc_sends(&stalled, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");

  assert_int_equal(tt_httpc_response(&big, false, &r, 5000), 1);
  assert_int_equal(r.status, 431);
  tt_httpc_resp_free(&r);
  uint64_t before = tt_engine_view(h.engine, 0)->stats.sent;
  run_until_sent(&h, 0, before + 20); /* 2 s of heartbeats */

  const tt_view *v = tt_engine_view(h.engine, 0);
  assert_int_equal(v->stats.lost, 0);
  assert_int_equal(v->stats.skipped, 0);
  tt_httpd_stats st;
  tt_metrics_server_stats(s.m, &st);
  assert_true(st.held_max < 3 * 8 * 1024 + 4 * 64 * 1024 + 512 * 1024);
  /* The slowloris and the stalled scrape (a few slices of a body of
   * megabytes) are still there; the 1 MB request is gone. */
  assert_int_equal(st.clients, 2);

  tt_httpc_close(&slow);
  tt_httpc_close(&big);
  tt_httpc_close(&stalled);
  unserve(&h, &s);
  while (slow.open + big.open + stalled.open > 0)
    uv_run(&h.loop, UV_RUN_ONCE);
  tt_h_teardown(&h);
}

/* Closing the server while a scrape is being written. */
static void test_close_during_a_scrape(void **unused) {
  tt_harness h;
  served s;
  tt_httpc c;
  tt_h_setup(&h);
  idle_engine(&h, 3000);
  serve(&h, &s);
  tt_httpc_connect(&h.loop, &c, s.port);
  tt_httpc_reading(&c, false);
  tt_httpc_sends(&c, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 20; i++)
    uv_run(&h.loop, UV_RUN_NOWAIT);
  unserve(&h, &s);
  tt_httpc_close(&c);
  while (c.open > 0)
    uv_run(&h.loop, UV_RUN_ONCE);
  tt_h_teardown(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_a_scrape_of_a_running_engine),
    cmocka_unit_test(test_a_scrape_agrees_with_the_events),
    cmocka_unit_test(test_histograms_can_be_left_out),
    cmocka_unit_test(test_query_parameters),
    cmocka_unit_test(test_tag_label_names),
    cmocka_unit_test(test_buckets_from_the_statistics),
    cmocka_unit_test(test_buckets_are_cumulative),
    cmocka_unit_test(test_slices_add_up_to_the_whole),
    cmocka_unit_test(test_targets_that_come_and_go_during_a_scrape),
    cmocka_unit_test(test_listen_addresses),
    cmocka_unit_test(test_served_at_metrics),
    cmocka_unit_test(test_bad_clients_do_not_disturb_heartbeats),
    cmocka_unit_test(test_close_during_a_scrape),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

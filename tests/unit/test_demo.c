/* test_demo.c - `tether --demo` starts its servers, writes a config that
 * names them, serves each behaviour on the port the config gives, and
 * closes down to nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "demo.h"
#include "harness.h"
#include "support.h"

#define SAFETY_MS 5000

static const char *const demo_names[] = {
  "redis-ok", "echo-ok",   "slow-150ms",    "late-replies",
  "flapping-3s",   "refused",        "resets", "closes",
  "garbage", "silent",         "black-hole",
};
#define NNAMES (sizeof(demo_names) / sizeof(demo_names[0]))

typedef struct fixture {
  uv_loop_t loop;
  int fds;
  tt_demo *demo;
  char *yaml;
  size_t len;
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof(*fx));
  if (fx == NULL)
    return -1;
  tt_test_libuv_once();
  fx->fds = tt_test_fd_count();
  if (uv_loop_init(&fx->loop) != 0)
    return -1;
  if (tt_demo_start(&fx->loop, &fx->demo, &fx->yaml, &fx->len) != 0)
    return -1;
  *state = fx;
  return 0;
}

/* The demo closes every server, and then nothing is left: no handle, no
 * descriptor, no memory (the sanitizer build checks that last). */
static int teardown(void **state) {
  fixture *fx = *state;
  tt_demo_close(fx->demo);
  free(fx->yaml);
  tt_h_assert_clean(&fx->loop, fx->fds);
  free(fx);
  return 0;
}

/* The port the config gives the target called name. */
static uint16_t port_of(const fixture *fx, const char *name) {
  char key[64];
  snprintf(key, sizeof(key), "- name: %s\n", name);
  const char *at = strstr(fx->yaml, key);
  assert_non_null(at);
  unsigned port = 0;
  assert_int_equal(sscanf(at + strlen(key), " address: 127.0.0.1:%u", &port),
                   1);
  assert_true(port > 0 && port < 65536);
  return (uint16_t)port;
}

static void test_demo_writes_a_config_naming_every_target(void **state) {
  fixture *fx = *state;
  assert_non_null(fx->yaml);
  assert_int_equal(strlen(fx->yaml), fx->len);
  assert_non_null(strstr(fx->yaml, "defaults:\n"
                                   "  interval: 1s\n"
                                   "  timeout: 500ms\n"
                                   "  connect_timeout: 1s\n"
                                   "  backoff: { initial: 500ms, max: 4s }\n"
                                   "targets:\n"));
  uint16_t ports[NNAMES];
  for (size_t i = 0; i < NNAMES; i++) {
    ports[i] = port_of(fx, demo_names[i]);
    for (size_t j = 0; j < i; j++)
      assert_int_not_equal(ports[i], ports[j]);
  }
  /* No tab or control byte: it is shown to people and parsed as YAML. */
  for (size_t i = 0; i < fx->len; i++)
    assert_true(fx->yaml[i] == '\n' || (fx->yaml[i] >= ' ' && fx->yaml[i] < 0x7f));
}

/* ---- a plain client, to see each server do its part ---- */

typedef struct probe {
  uv_tcp_t tcp;
  uv_connect_t connect;
  uv_write_t write;
  bool connected;
  int connect_status;
  bool ended;
  int read_error;
  bool done;        /* a line arrived, or the connection ended */
  char data[256];
  size_t len;
} probe;

static void probe_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  probe *p = h->data;
  buf->base = p->data + p->len;
  buf->len = sizeof(p->data) - p->len;
}

static void probe_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  probe *p = s->data;
  if (n < 0) {
    p->ended = true;
    p->done = true;
    p->read_error = (int)n;
    uv_read_stop(s);
    return;
  }
  p->len += (size_t)n;
  if (p->len > 0 && p->data[p->len - 1] == '\n')
    p->done = true;
}

static void probe_connect_cb(uv_connect_t *req, int status) {
  probe *p = req->handle->data;
  p->connected = true;
  p->connect_status = status;
  if (status == 0)
    uv_read_start((uv_stream_t *)&p->tcp, probe_alloc_cb, probe_read_cb);
}

static void probe_write_cb(uv_write_t *req, int status) {
}

static probe *probe_start(fixture *fx, const char *name) {
  probe *p = calloc(1, sizeof(*p));
  assert_non_null(p);
  assert_int_equal(uv_tcp_init(&fx->loop, &p->tcp), 0);
  p->tcp.data = p;
  struct sockaddr_in sin;
  assert_int_equal(uv_ip4_addr("127.0.0.1", port_of(fx, name), &sin), 0);
  assert_int_equal(uv_tcp_connect(&p->connect, &p->tcp,
                                  (const struct sockaddr *)&sin,
                                  probe_connect_cb), 0);
  return p;
}

static void probe_send(probe *p, const char *s) {
  uv_buf_t buf = uv_buf_init((char *)s, (unsigned)strlen(s));
  assert_int_equal(uv_write(&p->write, (uv_stream_t *)&p->tcp, &buf, 1,
                            probe_write_cb), 0);
}

static void probe_free_cb(uv_handle_t *h) {
  free(h->data);
}

static void probe_close(probe *p) {
  uv_close((uv_handle_t *)&p->tcp, probe_free_cb);
}

/* Connects, sends a ping and waits for a line or the end. */
static probe *probe_ping(fixture *fx, const char *name, const char *ping) {
  probe *p = probe_start(fx, name);
  assert_true(tt_test_run_until(&fx->loop, &p->connected, SAFETY_MS));
  assert_int_equal(p->connect_status, 0);
  probe_send(p, ping);
  assert_true(tt_test_run_until(&fx->loop, &p->done, SAFETY_MS));
  return p;
}

static void test_demo_servers_serve_their_behaviour(void **state) {
  fixture *fx = *state;
  probe *p = probe_ping(fx, "redis-ok", "PING\r\n");
  assert_int_equal(p->len, 7);
  assert_memory_equal(p->data, "+PONG\r\n", 7);
  probe_close(p);

  p = probe_ping(fx, "echo-ok", "tether\n");
  assert_int_equal(p->len, 7);
  assert_memory_equal(p->data, "tether\n", 7);
  probe_close(p);

  p = probe_ping(fx, "resets", "PING\r\n");
  assert_int_equal(p->read_error, UV_ECONNRESET);
  probe_close(p);

  p = probe_ping(fx, "closes", "PING\r\n");
  assert_int_equal(p->read_error, UV_EOF);
  probe_close(p);

  p = probe_ping(fx, "garbage", "PING\r\n");
  assert_true(p->len > 0);
  assert_non_null(memchr(p->data, '\x1b', p->len));
  probe_close(p);

  p = probe_start(fx, "refused");
  assert_true(tt_test_run_until(&fx->loop, &p->connected, SAFETY_MS));
  assert_int_equal(p->connect_status, UV_ECONNREFUSED);
  probe_close(p);

  p = probe_start(fx, "black-hole");
  assert_false(tt_test_run_until(&fx->loop, &p->connected, 300));
  probe_close(p);

  p = probe_start(fx, "silent");
  assert_true(tt_test_run_until(&fx->loop, &p->connected, SAFETY_MS));
  assert_int_equal(p->connect_status, 0);
  probe_send(p, "PING\r\n");
  assert_false(tt_test_run_until(&fx->loop, &p->done, 300));
  assert_int_equal(p->len, 0);
  probe_close(p);
}

/* ---- the config, as tether loads it ---- */

static const tt_target *target_named(const tt_config *cfg, const char *name) {
  for (size_t i = 0; i < cfg->ntargets; i++)
    if (strcmp(cfg->targets[i].name, name) == 0)
      return &cfg->targets[i];
  fail_msg("no target %s", name);
  return NULL;
}

static void load(const fixture *fx, tt_config *cfg) {
  tt_diags diags;
  tt_diags_init(&diags);
  tt_config_input in = {.buffer = fx->yaml, .buffer_len = fx->len,
                        .buffer_name = "demo"};
  int rc = tt_config_load(&in, cfg, &diags);
  for (size_t i = 0; i < diags.n; i++)
    print_error("%s\n", diags.v[i].text);
  size_t ndiags = diags.n;
  tt_diags_free(&diags);
  assert_int_equal(rc, 0);
  assert_int_equal(ndiags, 0);
}

static void test_demo_config_loads_as_meant(void **state) {
  fixture *fx = *state;
  tt_config cfg;
  load(fx, &cfg);
  assert_int_equal(cfg.ntargets, NNAMES);
  for (size_t i = 0; i < NNAMES; i++) {
    const tt_target *t = target_named(&cfg, demo_names[i]);
    assert_string_equal(t->host, "127.0.0.1");
    assert_int_equal(t->port, port_of(fx, demo_names[i]));
    assert_non_null(t->preset);
    /* The demo's defaults reach every target. */
    assert_int_equal(t->interval_ms, 1000);
    assert_int_equal(t->timeout_ms, 500);
    assert_int_equal(t->connect_timeout_ms, 1000);
    assert_int_equal(t->backoff_initial_ms, 500);
    assert_int_equal(t->backoff_max_ms, 4000);
    bool connect_mode = strcmp(demo_names[i], "refused") == 0 ||
                        strcmp(demo_names[i], "black-hole") == 0;
    assert_int_equal(t->mode, connect_mode ? TT_MODE_CONNECT
                                           : TT_MODE_PERSISTENT);
    assert_int_equal(t->rtt_warn_ms,
                     strcmp(demo_names[i], "slow-150ms") == 0 ? 100 : 0);
  }
  assert_string_equal(target_named(&cfg, "redis-ok")->preset->name,
                      "redis");
  assert_string_equal(target_named(&cfg, "echo-ok")->preset->name,
                      "echo");
  assert_string_equal(target_named(&cfg, "black-hole")->preset->name, "tcp");
  tt_config_free(&cfg);
}

/* Whether the reply, without its reply_end (and a CR before a "\n" end),
 * matches the target's expect: how the engine judges it. */
static bool reply_matches(const tt_target *t, const probe *p) {
  size_t len = p->len;
  if (len >= t->reply_end_len &&
      memcmp(p->data + len - t->reply_end_len, t->reply_end,
             t->reply_end_len) == 0)
    len -= t->reply_end_len;
  if (t->reply_end_len == 1 && t->reply_end[0] == '\n' && len > 0 &&
      p->data[len - 1] == '\r')
    len--;
  return tt_pattern_match(t->expect_pattern, p->data, len);
}

/* Each persistent target's own ping, sent to its server: the healthy and
 * the slow ones answer what the preset expects, the garbage does not. */
static void test_demo_servers_answer_their_presets(void **state) {
  fixture *fx = *state;
  tt_config cfg;
  load(fx, &cfg);
  static const struct {
    const char *name;
    bool matches;
  } cases[] = {
    {"redis-ok", true},  {"echo-ok", true},
    {"slow-150ms", true},     {"late-replies", true},
    {"flapping-3s", true},    {"garbage", false},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const tt_target *t = target_named(&cfg, cases[i].name);
    assert_non_null(t->send);
    assert_non_null(t->expect);
    char ping[64];
    assert_true(t->send_len < sizeof(ping));
    memcpy(ping, t->send, t->send_len);
    ping[t->send_len] = '\0';
    probe *p = probe_ping(fx, cases[i].name, ping);
    assert_false(p->ended);
    assert_int_equal(reply_matches(t, p), cases[i].matches);
    probe_close(p);
  }
  tt_config_free(&cfg);
}

/* Starting and closing twice on one loop reuses nothing by accident. */
static void test_demo_starts_again_after_close(void **state) {
  fixture *fx = *state;
  tt_demo *again = NULL;
  char *yaml = NULL;
  size_t len = 0;
  assert_int_equal(tt_demo_start(&fx->loop, &again, &yaml, &len), 0);
  assert_non_null(again);
  assert_int_equal(strlen(yaml), len);
  tt_demo_close(again);
  free(yaml);
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    T(test_demo_writes_a_config_naming_every_target),
    T(test_demo_servers_serve_their_behaviour),
    T(test_demo_config_loads_as_meant),
    T(test_demo_servers_answer_their_presets),
    T(test_demo_starts_again_after_close),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

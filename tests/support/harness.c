/* harness.c - runs an engine against fault servers and records events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "support.h"

void tt_h_setup(tt_harness *h) {
  memset(h, 0, sizeof *h);
  tt_test_libuv_once();
  h->fd_start = tt_test_fd_count();
  assert_int_equal(uv_loop_init(&h->loop), 0);
}

tt_fault *tt_h_fault(tt_harness *h, const tt_fault_opts *o) {
  tt_fault *f = NULL;
  assert_true(h->nfaults < TT_H_FAULTS);
  int r = tt_fault_start(&h->loop, o, &f);
  if (r != 0)
    fail_msg("tt_fault_start: %s", uv_strerror(r));
  h->faults[h->nfaults++] = f;
  return f;
}

static void load_yaml(tt_config *cfg, const char *fmt, va_list ap) {
  enum { YAML_MAX = 256 * 1024 };
  char *yaml = malloc(YAML_MAX);
  assert_non_null(yaml);
  int len = vsnprintf(yaml, YAML_MAX, fmt, ap);
  assert_true(len > 0 && len < YAML_MAX);

  tt_config_input in = {
    .buffer = yaml,
    .buffer_len = (size_t)len,
    .buffer_name = "test.yaml",
  };
  tt_diags d;
  tt_diags_init(&d);
  int r = tt_config_load(&in, cfg, &d);
  for (size_t i = 0; i < d.n; i++)
    fprintf(stderr, "%s\n", d.v[i].text);
  tt_diags_free(&d);
  if (r != 0)
    fail_msg("the test's config did not load:\n%.2000s", yaml);
  free(yaml);
}

void tt_h_config(tt_harness *h, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  load_yaml(&h->cfg, fmt, ap);
  va_end(ap);
  h->have_cfg = true;
}

tt_reload_report tt_h_reload(tt_harness *h, const char *fmt, ...) {
  tt_config next;
  tt_reload_report rep;
  va_list ap;
  va_start(ap, fmt);
  load_yaml(&next, fmt, ap);
  va_end(ap);
  assert_int_equal(tt_engine_reload(h->engine, &next, &rep), 0);
  tt_config_free(&h->cfg);
  h->cfg = next;
  return rep;
}

static void event_cb(const tt_event *ev, void *arg) {
  tt_harness *h = arg;
  if (h->n < TT_H_EVENTS) {
    tt_rec *r = &h->ev[h->n++];
    r->kind = ev->kind;
    r->index = ev->view->index;
    r->seq = ev->seq;
    r->cls = ev->cls;
    r->has_rtt = ev->has_rtt;
    r->rtt_us = ev->rtt_us;
    r->has_reply = ev->has_reply;
    r->reply_us = ev->reply_us;
    snprintf(r->ip, sizeof r->ip, "%s", ev->view->ip);
    r->at_us = uv_hrtime() / 1000;
    r->from = ev->from;
    r->to = ev->to;
    snprintf(r->error, sizeof r->error, "%s", ev->error);
    r->at_ms = uv_now(&h->loop);
  }
  if (h->on_event != NULL)
    h->on_event(h, ev);
}

static void finished_cb(tt_engine *e, void *arg) {
  ((tt_harness *)arg)->finished = true;
}

static void stopped_cb(tt_engine *e, void *arg) {
  ((tt_harness *)arg)->stopped = true;
}

static void start(tt_harness *h, uint64_t count) {
  tt_engine_opts o = {
    .count = count,
    .on_event = event_cb,
    .on_finished = finished_cb,
    .arg = h,
    .seed = 42,
    .dns_servers = h->dns_servers[0] != '\0' ? h->dns_servers : NULL,
  };
  assert_int_equal(tt_engine_new(&h->loop, &h->cfg, &o, &h->engine), 0);
  assert_int_equal(tt_engine_start(h->engine), 0);
}

void tt_h_start(tt_harness *h) {
  start(h, 0);
}

void tt_h_run(tt_harness *h, uint64_t count, uint64_t timeout_ms) {
  start(h, count);
  if (!tt_test_run_until(&h->loop, &h->finished, timeout_ms))
    fail_msg("the engine did not finish within %llu ms (%zu events)",
             (unsigned long long)timeout_ms, h->n);
}

void tt_h_teardown(tt_harness *h) {
  if (h->engine != NULL) {
    tt_engine_stop(h->engine, stopped_cb, h);
    assert_true(tt_test_run_until(&h->loop, &h->stopped, 10000));
  }
  for (size_t i = 0; i < h->nfaults; i++)
    tt_fault_close(h->faults[i]);
  uv_run(&h->loop, UV_RUN_DEFAULT);
  tt_h_assert_clean(&h->loop, h->fd_start);
  tt_engine_free(h->engine);
  if (h->have_cfg)
    tt_config_free(&h->cfg);
}

void tt_h_assert_clean(uv_loop_t *loop, int fd_start) {
  int active = tt_test_active_handles(loop);
  int rc = tt_test_loop_close(loop);
  assert_int_equal(active, 0);
  assert_int_equal(rc, 0);
  assert_int_equal(tt_test_fd_count(), fd_start);
}

tt_fault *tt_h_serve(tt_harness *h, tt_fault_kind kind) {
  tt_fault_opts o = { .kind = kind };
  return tt_h_fault(h, &o);
}

const tt_rec *tt_h_hb(const tt_harness *h, size_t idx, size_t i) {
  const tt_rec *r = tt_h_nth(h, idx, TT_EVENT_HEARTBEAT, i);
  if (r == NULL)
    fail_msg("no heartbeat #%zu of target %zu (%zu events)", i + 1, idx, h->n);
  return r;
}

const tt_rec *tt_h_change(const tt_harness *h, size_t idx, size_t i) {
  const tt_rec *r = tt_h_nth(h, idx, TT_EVENT_STATE, i);
  if (r == NULL)
    fail_msg("no state change #%zu of target %zu", i + 1, idx);
  return r;
}

void tt_h_assert_change(const tt_rec *r, tt_state from, tt_state to,
                        tt_class cls) {
  if (r->from != from || r->to != to || r->cls != cls)
    fail_msg("state change %s -> %s (%s), expected %s -> %s (%s)",
             tt_state_name(r->from), tt_state_name(r->to),
             tt_class_name(r->cls), tt_state_name(from), tt_state_name(to),
             tt_class_name(cls));
}

const tt_rec *tt_h_nth(const tt_harness *h, size_t idx, tt_event_kind kind,
                       size_t i) {
  for (size_t k = 0; k < h->n; k++) {
    if (h->ev[k].index != idx || h->ev[k].kind != kind)
      continue;
    if (i-- == 0)
      return &h->ev[k];
  }
  return NULL;
}

size_t tt_h_count(const tt_harness *h, size_t idx, tt_event_kind kind) {
  size_t c = 0;
  for (size_t k = 0; k < h->n; k++)
    c += h->ev[k].index == idx && h->ev[k].kind == kind;
  return c;
}

/* test_config_replies.c - how a reply is asked for and judged: replies of
 * a fixed length, HTTP path and status for the presets that judge HTTP,
 * and what each preset brings to its targets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "configrun.h"

/* ---- reply_bytes ---- */

static void test_reply_bytes(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(
      &r, "targets:\n  - address: h:1\n    send: x\n    reply_bytes: 8\n"
          "  - address: h:2\n    send: x\n    reply_bytes: 4096\n"
          "  - address: h:3\n    send: x\n",
      0);
  assert_int_equal(t->reply_bytes, 8);
  assert_int_equal(r.cfg.targets[1].reply_bytes, 4096);
  assert_int_equal(r.cfg.targets[2].reply_bytes, 0);
  tt_run_done(&r);
}

static void test_reply_bytes_bounds(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    send: x\n    reply_bytes: 0\n"
             "  - address: h:2\n    send: x\n    reply_bytes: 100\n"
             "    max_reply: 64\n"
             "  - address: h:3\n    send: x\n    reply_bytes: 5000\n",
             "t.yaml:4:18: reply_bytes '0' must be a whole number of bytes "
             "from 1 to 1048576\n"
             "t.yaml:7:5: reply_bytes (100) must not exceed max_reply (64)\n"
             "t.yaml:11:5: reply_bytes (5000) must not exceed max_reply "
             "(4096)\n");
}

/* One place, two ways to end a reply: a contradiction. Across layers,
 * the later one decides. */
static void test_reply_end_and_reply_bytes(void **state) {
  tt_cfgrun r;
  tt_refuses("targets:\n  - address: h:1\n    send: x\n    reply_bytes: 4\n"
             "    reply_end: \"\\r\\n\"\n",
             "t.yaml:5:5: give reply_end or reply_bytes, not both "
             "(reply_bytes ends a reply after that many bytes)\n");
  tt_accepts(&r, "defaults:\n  reply_bytes: 4\ntargets:\n"
                 "  - address: h:1\n    send: x\n    reply_end: \"\\r\\n\"\n"
                 "  - address: h:2\n    send: x\n",
             0);
  assert_int_equal(r.cfg.targets[0].reply_bytes, 0);
  tt_assert_bytes(r.cfg.targets[0].reply_end, r.cfg.targets[0].reply_end_len,
                  "\r\n", 2);
  assert_int_equal(r.cfg.targets[1].reply_bytes, 4);
  tt_run_done(&r);
}

/* ---- path and status ---- */

static void test_http_gets_path_and_status_by_default(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(
      &r, "targets:\n  - address: web:80\n    preset: http\n"
          "  - address: db:1\n    preset: redis\n",
      0);
  assert_string_equal(t->path, "/");
  assert_int_equal(t->nstatus, 1);
  assert_int_equal(t->status[0].lo, 200);
  assert_int_equal(t->status[0].hi, 399);
  assert_non_null(memmem(t->send, t->send_len, "HEAD / HTTP/1.1\r\n", 17));
  assert_non_null(memmem(t->send, t->send_len, "Host: web:80\r\n", 14));
  /* Only a preset that judges HTTP has them. */
  assert_null(r.cfg.targets[1].path);
  assert_null(r.cfg.targets[1].status);
  assert_int_equal(r.cfg.targets[1].nstatus, 0);
  tt_run_done(&r);
}

static void test_path_goes_into_the_request(void **state) {
  tt_cfgrun r;
  const tt_target *t = tt_accepts(
      &r, "defaults:\n  path: /healthz\ntargets:\n"
          "  - address: web:80\n    preset: http\n"
          "  - address: web:81\n    preset: http\n    path: /a%20b?c=d\n"
          "  - address: db:1\n    preset: redis\n",
      0);
  assert_string_equal(t->path, "/healthz");
  assert_non_null(memmem(t->send, t->send_len,
                         "HEAD /healthz HTTP/1.1\r\nHost: web:80\r\n", 37));
  t = &r.cfg.targets[1];
  assert_non_null(memmem(t->send, t->send_len, "HEAD /a%20b?c=d HTTP/1.1\r\n",
                         26));
  /* path in defaults is for the targets that ask HTTP. */
  assert_null(r.cfg.targets[2].path);
  tt_run_done(&r);
}

static void test_status_forms(void **state) {
  tt_cfgrun r;
  tt_accepts(&r, "targets:\n"
                 "  - {address: h:1, preset: http, status: 204}\n"
                 "  - {address: h:2, preset: http, status: \"200-299\"}\n"
                 "  - {address: h:3, preset: http, status: 301-308}\n"
                 "  - address: h:4\n    preset: http\n"
                 "    status: [200, 204, \"301-308\", 401-403]\n",
             0);
  const tt_target *t = r.cfg.targets;
  assert_int_equal(t[0].nstatus, 1);
  assert_int_equal(t[0].status[0].lo, 204);
  assert_int_equal(t[0].status[0].hi, 204);
  assert_int_equal(t[1].status[0].lo, 200);
  assert_int_equal(t[1].status[0].hi, 299);
  assert_int_equal(t[2].status[0].lo, 301);
  assert_int_equal(t[2].status[0].hi, 308);
  assert_int_equal(t[3].nstatus, 4);
  assert_int_equal(t[3].status[1].lo, 204);
  assert_int_equal(t[3].status[3].lo, 401);
  assert_int_equal(t[3].status[3].hi, 403);
  tt_run_done(&r);
}

static void test_status_errors(void **state) {
  tt_refuses("targets:\n"
             "  - {address: h:1, preset: http, status: 99}\n"
             "  - {address: h:2, preset: http, status: [200, 600]}\n"
             "  - {address: h:3, preset: http, status: 2xx}\n"
             "  - {address: h:4, preset: http, status: 399-200}\n"
             "  - {address: h:5, preset: http, status: []}\n"
             "  - {address: h:6, preset: http, status: [[200]]}\n"
             "  - {address: h:7, preset: http, status: {ok: 200}}\n",
             "t.yaml:2:42: status '99' must be HTTP statuses from 100 to 599\n"
             "t.yaml:3:48: status '600' must be HTTP statuses from 100 to "
             "599\n"
             "t.yaml:4:42: status '2xx' must be an HTTP status such as 200, or "
             "a range such as 200-399\n"
             "t.yaml:5:42: status '399-200' is a range that ends before it "
             "starts\n"
             "t.yaml:6:42: status is empty\n"
             "t.yaml:7:43: status: expected an HTTP status from 100 to 599, a "
             "range such as \"200-399\", or a list of them, found a list\n"
             "t.yaml:8:42: status: expected an HTTP status from 100 to 599, a "
             "range such as \"200-399\", or a list of them, found a "
             "mapping\n");
}

static void test_path_errors(void **state) {
  tt_refuses("targets:\n"
             "  - {address: h:1, preset: http, path: health}\n"
             "  - {address: h:2, preset: http, path: \"/a b\"}\n"
             "  - {address: h:3, preset: http, path: \"/\\r\\nX: y\"}\n"
             "  - {address: h:4, preset: http, path: \"/caf\xc3\xa9\"}\n"
             "  - {address: h:5, preset: http, path: \"\"}\n",
             "t.yaml:2:40: path 'health' must start with /\n"
             "t.yaml:3:40: path '/a b' must hold only visible ASCII characters "
             "(percent-encode the rest, as in /a%20b)\n"
             "t.yaml:4:40: path '/\\r\\nX: y' must hold only visible ASCII "
             "characters (percent-encode the rest, as in /a%20b)\n"
             "t.yaml:5:40: path '/caf\xc3\xa9' must hold only visible ASCII "
             "characters (percent-encode the rest, as in /a%20b)\n"
             "t.yaml:6:40: path is empty\n");
}

/* path and status in a target whose preset does not judge HTTP are a
 * mistake, said at the key. */
static void test_path_and_status_need_an_http_preset(void **state) {
  tt_refuses("targets:\n"
             "  - address: h:1\n    preset: redis\n    path: /x\n"
             "  - address: h:2\n    send: x\n    status: 200\n",
             "t.yaml:4:5: path is only for presets that judge HTTP (http, https); "
             "this target's preset is redis\n"
             "t.yaml:7:5: status is only for presets that judge HTTP (http, https); "
             "this target has no preset\n");
}

/* ---- what a preset brings ---- */

/* Every preset's fields reach its targets: mode, the bytes it sends
 * ({address} and {path} replaced), what it expects, how replies end, its
 * greeting and its goodbye. */
static void test_every_preset_resolves_into_its_targets(void **state) {
  size_t n;
  const tt_preset *all = tt_preset_all(&n);
  for (size_t i = 0; i < n; i++) {
    const tt_preset *p = &all[i];
    char yaml[256];
    tt_cfgrun r;
    snprintf(yaml, sizeof(yaml),
             "targets:\n  - address: \"h:1\"\n    preset: %s\n", p->name);
    const tt_target *t = tt_accepts(&r, yaml, 0);
    assert_ptr_equal(t->preset, p);
    assert_int_equal(t->mode, p->mode);
    assert_int_equal(t->reply_bytes, p->reply_bytes);
    assert_ptr_equal(t->quit, p->quit);
    assert_int_equal(t->quit_len, p->quit == NULL ? 0
                                  : p->quit_len ? p->quit_len
                                                : strlen(p->quit));
    if (p->expect != NULL)
      assert_string_equal(t->expect, p->expect);
    else
      assert_null(t->expect);
    tt_assert_bytes(t->reply_end, t->reply_end_len,
                    p->reply_end ? p->reply_end : "\n",
                    strlen(p->reply_end ? p->reply_end : "\n"));
    if (p->send == NULL) {
      assert_null(t->send);
    } else if (p->send_len > 0) {
      /* Binary: the bytes as they are, NULs included. */
      tt_assert_bytes(t->send, t->send_len, p->send, p->send_len);
    } else {
      assert_null(memmem(t->send, t->send_len, "{address}", 9));
      assert_null(memmem(t->send, t->send_len, "{path}", 6));
      if (strstr(p->send, "{") == NULL)
        tt_assert_bytes(t->send, t->send_len, p->send, strlen(p->send));
    }
    if (p->judge == TT_JUDGE_HTTP) {
      assert_non_null(t->path);
      assert_non_null(t->status);
    } else {
      assert_null(t->path);
      assert_null(t->status);
    }
    tt_run_done(&r);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_reply_bytes),
    cmocka_unit_test(test_reply_bytes_bounds),
    cmocka_unit_test(test_reply_end_and_reply_bytes),
    cmocka_unit_test(test_http_gets_path_and_status_by_default),
    cmocka_unit_test(test_path_goes_into_the_request),
    cmocka_unit_test(test_status_forms),
    cmocka_unit_test(test_status_errors),
    cmocka_unit_test(test_path_errors),
    cmocka_unit_test(test_path_and_status_need_an_http_preset),
    cmocka_unit_test(test_every_preset_resolves_into_its_targets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

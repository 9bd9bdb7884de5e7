/* test_cli_faults.c - the real binary, `tether --json`, against fault
 * servers on 127.0.0.1: each fault gives its class and state sequence,
 * the summary agrees with the events, the exit status follows the rule,
 * and no control byte from the network reaches the output raw. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fault.h"
#include "harness.h"
#include "jsonl.h"
#include "proc.h"
#include "support.h"
#include "tether.h"

#define MAX_EVENTS 256

typedef struct run {
  uv_loop_t loop;
  tt_fault *fault;
  tt_proc proc;
  tt_json_obj ev[MAX_EVENTS];
  size_t n;
  char *raw;        /* all of stdout */
  size_t raw_len;
  bool bad_json;
  bool plain;       /* output is plain lines, not JSON */
  /* Optional: react to an event (drive the fault, stop the run). */
  void (*on_event)(struct run *r, const tt_json_obj *ev);
  int fd_start;
} run;

static void line_cb(tt_proc *p, const char *line, size_t len, void *arg) {
  run *r = arg;
  char *q = realloc(r->raw, r->raw_len + len + 2);
  assert_non_null(q);
  r->raw = q;
  memcpy(r->raw + r->raw_len, line, len);
  r->raw_len += len;
  r->raw[r->raw_len++] = '\n';
  r->raw[r->raw_len] = '\0';
  if (r->plain || r->n >= MAX_EVENTS)
    return;
  if (tt_json_parse(line, len, &r->ev[r->n]) != 0) {
    fprintf(stderr, "not JSON: %.*s\n", (int)len, line);
    r->bad_json = true;
    return;
  }
  r->n++;
  if (r->on_event != NULL)
    r->on_event(r, &r->ev[r->n - 1]);
}

static void start_fault(run *r, const tt_fault_opts *o) {
  memset(r, 0, sizeof *r);
  tt_test_libuv_once();
  r->fd_start = tt_test_fd_count();
  assert_int_equal(uv_loop_init(&r->loop), 0);
  assert_int_equal(tt_fault_start(&r->loop, o, &r->fault), 0);
}

/* Runs tether with the given arguments (NULL-terminated) until it exits. */
static void run_tether(run *r, ...) {
  char *argv[32];
  size_t argc = 0;
  argv[argc++] = (char *)tt_proc_tether();
  va_list ap;
  va_start(ap, r);
  char *a;
  while ((a = va_arg(ap, char *)) != NULL && argc < 31)
    argv[argc++] = a;
  va_end(ap);
  argv[argc] = NULL;

  assert_int_equal(tt_proc_spawn(&r->loop, &r->proc, argv, line_cb, r), 0);
  /* Poll the process's own state: the loop runs until it exits. */
  while (!tt_proc_done(&r->proc))
    if (uv_run(&r->loop, UV_RUN_ONCE) == 0)
      break;
  assert_true(tt_proc_done(&r->proc));
  assert_false(r->bad_json);
}

static void finish(run *r) {
  tt_fault_close(r->fault);
  uv_run(&r->loop, UV_RUN_DEFAULT);
  for (size_t i = 0; i < r->n; i++)
    tt_json_free(&r->ev[i]);
  tt_proc_free(&r->proc);
  free(r->raw);
  tt_h_assert_clean(&r->loop, r->fd_start);
}

static const char *field(const tt_json_obj *o, const char *k) {
  const char *s = tt_json_str(o, k);
  return s ? s : "";
}

static bool is(const tt_json_obj *o, const char *event) {
  return strcmp(field(o, "event"), event) == 0;
}

/* The i-th event of a kind, or a failed test. */
static const tt_json_obj *nth(const run *r, const char *event, size_t i) {
  for (size_t k = 0; k < r->n; k++)
    if (is(&r->ev[k], event) && i-- == 0)
      return &r->ev[k];
  fail_msg("no %s event #%zu in:\n%s", event, i, r->raw ? r->raw : "");
  return NULL;
}

static size_t count(const run *r, const char *event) {
  size_t c = 0;
  for (size_t k = 0; k < r->n; k++)
    c += is(&r->ev[k], event);
  return c;
}

static double num(const tt_json_obj *o, const char *k) {
  bool found;
  double v = tt_json_num(o, k, &found);
  if (!found)
    fail_msg("no number %s", k);
  return v;
}

/* The state events, as "from>to:class,..." */
static void state_sequence(const run *r, char *buf, size_t n) {
  buf[0] = '\0';
  for (size_t k = 0; k < r->n; k++) {
    const tt_json_obj *o = &r->ev[k];
    if (!is(o, "state"))
      continue;
    size_t len = strlen(buf);
    snprintf(buf + len, n - len, "%s%s>%s:%s", len ? "," : "",
             field(o, "from"), field(o, "to"), field(o, "class"));
  }
}

/* Every event has the common fields; the summary agrees with the events. */
static void check_consistency(const run *r) {
  uint64_t classes[TT_CLASS_COUNT] = { 0 };
  uint64_t heartbeats = 0, ok = 0;
  for (size_t k = 0; k < r->n; k++) {
    const tt_json_obj *o = &r->ev[k];
    const char *ts = field(o, "ts");
    assert_int_equal(strlen(ts), strlen("2026-11-25T10:04:05.123456Z"));
    assert_int_equal(ts[strlen(ts) - 1], 'Z');
    assert_true(tt_json_has(o, "target"));
    assert_true(tt_json_has(o, "address"));
    if (!is(o, "heartbeat"))
      continue;
    heartbeats++;
    tt_class c;
    assert_int_equal(tt_class_from_name(field(o, "class"), &c), 0);
    classes[c]++;
    assert_int_equal(num(o, "seq"), (double)heartbeats);
    if (c == TT_CLASS_OK) {
      ok++;
      assert_true(tt_json_has(o, "rtt_us"));
      assert_false(tt_json_has(o, "error"));
    } else {
      assert_false(tt_json_has(o, "rtt_us"));
      assert_true(strlen(field(o, "error")) > 0);
    }
  }
  const tt_json_obj *s = nth(r, "summary", 0);
  assert_int_equal(num(s, "sent"), (double)heartbeats);
  assert_int_equal(num(s, "received"), (double)ok);
  assert_int_equal(num(s, "lost"), (double)(heartbeats - ok));
  assert_int_equal(num(s, "late"), (double)count(r, "late"));
  for (int c = 0; c < TT_CLASS_COUNT; c++) {
    char key[64];
    snprintf(key, sizeof key, "classes.%s", tt_class_name(c));
    assert_int_equal(num(s, key), (double)classes[c]);
  }
}

static char *target_arg(char *buf, size_t n, const char *preset, uint16_t port) {
  snprintf(buf, n, "t=%s://127.0.0.1:%u", preset, port);
  return buf;
}

/* Runs one fault with `tether --json -c count` and checks the class of
 * the first heartbeat and the whole state sequence. */
static void expect_fault(tt_fault_kind kind, const char *count_s,
                         const char *cls, const char *states) {
  run r;
  tt_fault_opts o = { .kind = kind };
  start_fault(&r, &o);
  char target[64], seq[256];
  run_tether(&r, "--json", "-c", count_s, "-i", "400ms", "-t", "200ms",
             "--connect-timeout", "300ms",
             target_arg(target, sizeof target, "redis", tt_fault_port(r.fault)),
             (char *)NULL);
  if (strcmp(field(nth(&r, "heartbeat", 0), "class"), cls) != 0)
    fail_msg("class %s, expected %s:\n%s", field(nth(&r, "heartbeat", 0), "class"),
             cls, r.raw);
  state_sequence(&r, seq, sizeof seq);
  assert_string_equal(seq, states);
  assert_true(r.proc.exited);
  assert_int_equal(r.proc.exit_status, strcmp(cls, "ok") == 0 ? 0 : 1);
  check_consistency(&r);
  finish(&r);
}

static void test_refused(void **u) {
  expect_fault(TT_FAULT_REFUSE, "2", "refused", "connecting>down:refused");
}
static void test_accept_then_close(void **u) {
  expect_fault(TT_FAULT_CLOSE, "1", "eof", "connecting>down:eof");
}
static void test_accept_then_reset(void **u) {
  expect_fault(TT_FAULT_RESET, "1", "reset", "connecting>down:reset");
}
static void test_never_replies(void **u) {
  expect_fault(TT_FAULT_SILENT, "2", "timeout", "connecting>down:timeout");
}
static void test_garbage(void **u) {
  expect_fault(TT_FAULT_GARBAGE, "1", "protocol", "connecting>down:protocol");
}
static void test_split_reply(void **u) {
  expect_fault(TT_FAULT_SPLIT, "2", "ok", "connecting>up:ok");
}
static void test_connect_never_completes(void **u) {
  expect_fault(TT_FAULT_STALL, "1", "connect_timeout",
               "connecting>down:connect_timeout");
}

static void test_reply_over_max_reply(void **u) {
  run r;
  tt_fault_opts o = { .kind = TT_FAULT_OVERSIZE, .size = 3000 };
  start_fault(&r, &o);
  char dir[] = "/tmp/tether-test-XXXXXX", path[128], seq[256];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/max.yaml", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fprintf(f, "targets:\n  - name: big\n    address: 127.0.0.1:%u\n"
             "    preset: redis\n    max_reply: 1000\n",
          tt_fault_port(r.fault));
  fclose(f);
  run_tether(&r, "--json", "-c", "1", path, (char *)NULL);
  unlink(path);
  rmdir(dir);
  const tt_json_obj *h = nth(&r, "heartbeat", 0);
  assert_string_equal(field(h, "class"), "protocol");
  assert_string_equal(field(h, "error"),
                      "reply reached max_reply (1000 bytes) without \\n");
  state_sequence(&r, seq, sizeof seq);
  assert_string_equal(seq, "connecting>down:protocol");
  check_consistency(&r);
  finish(&r);
}

/* Every 2nd reply comes 300 ms late with a 150 ms timeout: each such ping
 * is a timeout, then a late event with its own seq, and never an ok. */
static void test_late_replies(void **u) {
  run r;
  tt_fault_opts o = { .kind = TT_FAULT_LATE, .every = 2, .delay_ms = 300 };
  start_fault(&r, &o);
  char target[64], seq[256];
  run_tether(&r, "--json", "-c", "4", "-i", "500ms", "-t", "150ms",
             target_arg(target, sizeof target, "redis", tt_fault_port(r.fault)),
             (char *)NULL);
  for (size_t i = 0; i < 4; i++) {
    const tt_json_obj *h = nth(&r, "heartbeat", i);
    assert_string_equal(field(h, "class"), i % 2 ? "timeout" : "ok");
  }
  /* The reply to ping 4 may come after the run stopped at 4 heartbeats;
   * the reply to ping 2 came before ping 3. */
  assert_true(count(&r, "late") >= 1);
  const tt_json_obj *late = nth(&r, "late", 0);
  assert_int_equal(num(late, "seq"), 2);
  assert_true(num(late, "rtt_us") >= 280000);
  state_sequence(&r, seq, sizeof seq);
  assert_string_equal(seq, "connecting>up:ok,up>degraded:timeout,"
                           "degraded>up:ok,up>degraded:timeout");
  assert_int_equal(r.proc.exit_status, 1);
  check_consistency(&r);
  finish(&r);
}

/* The listener goes away once the target is up and comes back once it is
 * down; once up again the run is ended with SIGTERM, and ends cleanly. */
static void away_and_back(run *r, const tt_json_obj *ev) {
  if (!is(ev, "state"))
    return;
  const char *from = field(ev, "from"), *to = field(ev, "to");
  if (strcmp(from, "connecting") == 0 && strcmp(to, "up") == 0)
    tt_fault_pause(r->fault);
  else if (strcmp(to, "down") == 0)
    assert_int_equal(tt_fault_resume(r->fault), 0);
  else if (strcmp(from, "down") == 0 && strcmp(to, "up") == 0)
    tt_proc_kill(&r->proc, SIGTERM);
}

static void test_listener_away_and_back(void **u) {
  run r;
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND };
  start_fault(&r, &o);
  r.on_event = away_and_back;
  char target[64], seq[256];
  run_tether(&r, "--json", "-i", "300ms", "-t", "150ms", "-d", "20s",
             target_arg(target, sizeof target, "redis", tt_fault_port(r.fault)),
             (char *)NULL);
  state_sequence(&r, seq, sizeof seq);
  /* The pause resets the idle connection (the first reply had just come):
   * a quiet reconnect, whose connect is refused. */
  if (strcmp(seq, "connecting>up:ok,up>down:refused,down>up:ok") != 0)
    fail_msg("state sequence %s", seq);
  assert_int_equal(count(&r, "reconnect"), 1);
  assert_string_equal(field(nth(&r, "reconnect", 0), "class"), "reset");
  /* SIGTERM ends the run cleanly: summaries written, status by the rule. */
  assert_int_equal(r.proc.term_signal, 0);
  assert_int_equal(r.proc.exit_status, 0);
  const tt_json_obj *s = nth(&r, "summary", 0);
  assert_string_equal(field(s, "state"), "up");
  assert_int_equal(num(s, "flaps"), 1);
  check_consistency(&r);
  finish(&r);
}

/* Control bytes from the network never reach the output raw, in JSON or
 * in plain lines. */
static void test_control_bytes_are_escaped(void **u) {
  const char *modes[] = { "--json", "--plain" };
  for (size_t m = 0; m < 2; m++) {
    run r;
    tt_fault_opts o = { .kind = TT_FAULT_GARBAGE };
    start_fault(&r, &o);
    r.plain = m == 1;
    char target[64];
    run_tether(&r, modes[m], "-c", "2",
               target_arg(target, sizeof target, "redis", tt_fault_port(r.fault)),
               (char *)NULL);
    assert_non_null(r.raw);
    assert_non_null(strstr(r.raw, "\\x1b"));
    for (size_t i = 0; i < r.raw_len; i++) {
      unsigned char c = (unsigned char)r.raw[i];
      if (c != '\n' && (c < 0x20 || c == 0x7f))
        fail_msg("%s: raw control byte 0x%02x at %zu:\n%s", modes[m], c, i,
                 r.raw);
    }
    finish(&r);
  }
}

static void test_all_up_exits_zero_with_plain_summary(void **u) {
  run r;
  tt_fault_opts o = { .kind = TT_FAULT_RESPOND };
  start_fault(&r, &o);
  r.plain = true;
  char target[64];
  run_tether(&r, "--plain", "-c", "2",
             target_arg(target, sizeof target, "redis", tt_fault_port(r.fault)),
             (char *)NULL);
  assert_int_equal(r.proc.exit_status, 0);
  assert_non_null(strstr(r.raw, "state   connecting -> up"));
  assert_non_null(strstr(r.raw, "#1     ok"));
  assert_non_null(strstr(r.raw, "NAME"));
  assert_non_null(strstr(r.raw, "SENT"));
  finish(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_refused),
    cmocka_unit_test(test_accept_then_close),
    cmocka_unit_test(test_accept_then_reset),
    cmocka_unit_test(test_never_replies),
    cmocka_unit_test(test_garbage),
    cmocka_unit_test(test_split_reply),
    cmocka_unit_test(test_connect_never_completes),
    cmocka_unit_test(test_reply_over_max_reply),
    cmocka_unit_test(test_late_replies),
    cmocka_unit_test(test_listener_away_and_back),
    cmocka_unit_test(test_control_bytes_are_escaped),
    cmocka_unit_test(test_all_up_exits_zero_with_plain_summary),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

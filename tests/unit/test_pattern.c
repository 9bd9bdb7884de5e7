/* test_pattern.c - reply matching: the memcmp fast path for anchored
 * literals must agree with regexec everywhere, and the rest is regexec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pattern.h"

static void compile_ok(tt_pattern *p, const char *src) {
  char err[160];
  if (tt_pattern_compile(p, src, err, sizeof err) != 0)
    fail_msg("%s: %s", src, err);
}

/* Matches text through tt_pattern_match with a writable copy that has a
 * byte after it, as replies in the engine's buffer do. */
static bool match(const tt_pattern *p, const char *text, size_t n) {
  char buf[256];
  assert_true(n < sizeof buf);
  memcpy(buf, text, n);
  buf[n] = '\n';
  bool ok = tt_pattern_match(p, buf, n);
  assert_int_equal(buf[n], '\n'); /* left as it was */
  return ok;
}

static void test_preset_patterns_are_literals(void **state) {
  static const struct { const char *src, *lit; bool exact; } cases[] = {
    { "^\\+PONG", "+PONG", false },
    { "^VERSION ", "VERSION ", false },
    { "^SSH-", "SSH-", false },
    { "^250", "250", false },
    { "^tether$", "tether", true },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tt_pattern p;
    compile_ok(&p, cases[i].src);
    assert_non_null(p.literal);
    assert_int_equal(p.literal_len, strlen(cases[i].lit));
    assert_memory_equal(p.literal, cases[i].lit, p.literal_len);
    assert_int_equal(p.literal_exact, cases[i].exact);
    tt_pattern_free(&p);
  }
}

static void test_expressions_are_not_literals(void **state) {
  static const char *const srcs[] = {
    "^220( |$)", "^HTTP/1\\.[01] [0-9]{3}", "PONG", "^a*", "^a|b", "^\\d",
    "^a$b", "^caf\xc3\xa9",
  };
  for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
    tt_pattern p;
    compile_ok(&p, srcs[i]);
    if (p.literal != NULL)
      fail_msg("%s was taken for a literal", srcs[i]);
    tt_pattern_free(&p);
  }
}

/* The fast path and regexec agree on every pattern and reply below. */
static void test_literal_agrees_with_regexec(void **state) {
  static const char *const srcs[] = {
    "^\\+PONG", "^VERSION ", "^tether$", "^250", "^", "^$", "^\\.\\*\\$",
  };
  static const char *const texts[] = {
    "+PONG", "+PONGS", "+PON", "-ERR", " +PONG", "VERSION 1.6", "VERSION",
    "tether", "tethers", "tethe", "250 OK", "25", "", ".*$", ".*", "x",
  };
  for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
    tt_pattern p;
    compile_ok(&p, srcs[i]);
    assert_non_null(p.literal);
    for (size_t j = 0; j < sizeof texts / sizeof texts[0]; j++) {
      bool want = regexec(&p.re, texts[j], 0, NULL, 0) == 0;
      if (match(&p, texts[j], strlen(texts[j])) != want)
        fail_msg("%s on \"%s\": fast path says %d, regexec %d", srcs[i],
                 texts[j], !want, want);
    }
    tt_pattern_free(&p);
  }
}

static void test_replies_may_hold_nul_bytes(void **state) {
  tt_pattern lit, re;
  compile_ok(&lit, "^\\+PONG");
  compile_ok(&re, "^\\+PO(NG|ND)");
  assert_true(match(&lit, "+PONG\0x", 7));
  assert_false(match(&lit, "+PO\0NG", 6));
  assert_true(match(&re, "+PONG\0x", 7));
  assert_false(match(&re, "+PO\0NG", 6));
  tt_pattern_free(&lit);
  tt_pattern_free(&re);
}

static void test_only_the_reply_is_searched(void **state) {
  /* A match just past the reply's end must not count. */
  tt_pattern p;
  compile_ok(&p, "PONG");
  char buf[] = "+PONG";
  assert_false(tt_pattern_match(&p, buf, 3)); /* "+PO" */
  assert_true(tt_pattern_match(&p, buf, 5));
  tt_pattern_free(&p);
}

static void test_bad_expression_says_why(void **state) {
  tt_pattern p;
  char err[160];
  assert_int_equal(tt_pattern_compile(&p, "(", err, sizeof err), -1);
  assert_true(strlen(err) > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_preset_patterns_are_literals),
    cmocka_unit_test(test_expressions_are_not_literals),
    cmocka_unit_test(test_literal_agrees_with_regexec),
    cmocka_unit_test(test_replies_may_hold_nul_bytes),
    cmocka_unit_test(test_only_the_reply_is_searched),
    cmocka_unit_test(test_bad_expression_says_why),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_duration.c - how durations are read ("250ms", "1.5s", "2m") and
 * written back, and every way a duration can be wrong. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "duration.h"

/* Parses s, which must be valid, and returns its milliseconds. */
static uint64_t ms_of(const char *s) {
  const char *why = NULL;
  uint64_t ms = 12345;
  assert_int_equal(tt_duration_parse(s, &ms, &why), 0);
  assert_null(why);
  return ms;
}

/* Parses s, which must be refused, and returns the reason. */
static const char *why_not(const char *s) {
  const char *why = NULL;
  uint64_t ms = 12345;
  assert_int_equal(tt_duration_parse(s, &ms, &why), -1);
  assert_non_null(why);
  assert_int_equal(ms, 12345); /* untouched */
  return why;
}

static const char *fmt(uint64_t ms) {
  static char buf[32];
  int n = tt_duration_format(ms, buf, sizeof(buf));
  assert_int_equal(n, (int)strlen(buf));
  return buf;
}

/* ---- reading ---- */

static void test_each_unit(void **state) {
  assert_int_equal(ms_of("250ms"), 250);
  assert_int_equal(ms_of("2s"), 2000);
  assert_int_equal(ms_of("1m"), 60000);
  assert_int_equal(ms_of("1h"), 3600000);
}

static void test_fractions(void **state) {
  assert_int_equal(ms_of("1.5s"), 1500);
  assert_int_equal(ms_of("0.5m"), 30000);
  assert_int_equal(ms_of("0.25h"), 900000);
  assert_int_equal(ms_of("0.001s"), 1);
  assert_int_equal(ms_of("2.0ms"), 2);
}

static void test_trailing_zeros_do_not_count(void **state) {
  assert_int_equal(ms_of("1.500000000000000000000s"), 1500);
}

static void test_zero_is_a_duration(void **state) {
  /* Whether 0 is allowed is the caller's business ("must be greater"). */
  assert_int_equal(ms_of("0s"), 0);
  assert_int_equal(ms_of("0ms"), 0);
}

static void test_leading_zeros(void **state) {
  assert_int_equal(ms_of("007s"), 7000);
}

static void test_24h_is_the_limit(void **state) {
  assert_int_equal(ms_of("24h"), 86400000);
  assert_int_equal(ms_of("1440m"), 86400000);
  assert_int_equal(ms_of("86400000ms"), 86400000);
}

/* ---- refusing ---- */

static void test_no_unit(void **state) {
  assert_string_equal(why_not("5"), "needs a unit: 250ms, 2s, 1m");
  assert_string_equal(why_not("1.5"), "needs a unit: 250ms, 2s, 1m");
  assert_string_equal(why_not("0"), "needs a unit: 250ms, 2s, 1m");
}

static void test_negative(void **state) {
  assert_string_equal(why_not("-1s"), "cannot be negative");
  assert_string_equal(why_not("-0ms"), "cannot be negative");
}

static void test_empty(void **state) {
  assert_string_equal(why_not(""),
                      "is empty; write a duration like 250ms, 2s, 1m");
  assert_string_equal(why_not(NULL),
                      "is empty; write a duration like 250ms, 2s, 1m");
}

static void test_not_a_number(void **state) {
  const char *expected = "is not a duration; write one like 250ms, 2s, 1m";
  assert_string_equal(why_not("abc"), expected);
  assert_string_equal(why_not("+1s"), expected);
  assert_string_equal(why_not(" 1s"), expected);
  assert_string_equal(why_not("s"), expected);
}

static void test_unknown_unit(void **state) {
  const char *expected = "has an unknown unit; use ms, s, m, h or d";
  assert_string_equal(why_not("5w"), expected);
  assert_string_equal(why_not("5 s"), expected);
  assert_string_equal(why_not("5S"), expected);
  assert_string_equal(why_not("5sec"), expected);
  assert_string_equal(why_not("1h30m"), expected);
  assert_string_equal(why_not("5s "), expected);
  assert_string_equal(why_not("1e3ms"), expected);
}

static void test_decimal_point_needs_digits(void **state) {
  assert_string_equal(why_not(".5s"),
                      "needs a digit before the decimal point, as in 0.5s");
  assert_string_equal(why_not("1.s"),
                      "needs a digit after the decimal point, as in 1.5s");
  assert_string_equal(why_not("1."),
                      "needs a digit after the decimal point, as in 1.5s");
}

static void test_not_whole_milliseconds(void **state) {
  const char *expected = "is not a whole number of milliseconds";
  assert_string_equal(why_not("1.5ms"), expected);
  assert_string_equal(why_not("0.0001s"), expected);
  assert_string_equal(why_not("0.0000000001h"), expected);
}

static void test_longer_than_24h(void **state) {
  const char *expected = "is longer than 24h";
  assert_string_equal(why_not("25h"), expected);
  assert_string_equal(why_not("24.001h"), expected);
  assert_string_equal(why_not("86400001ms"), expected);
  assert_string_equal(why_not("99999999999999999999999999s"), expected);
}

/* ---- writing ---- */

static void test_format_below_a_second_is_ms(void **state) {
  assert_string_equal(fmt(0), "0ms");
  assert_string_equal(fmt(1), "1ms");
  assert_string_equal(fmt(250), "250ms");
  assert_string_equal(fmt(999), "999ms");
}

static void test_format_prefers_the_largest_exact_unit(void **state) {
  assert_string_equal(fmt(1000), "1s");
  assert_string_equal(fmt(1500), "1.5s");
  assert_string_equal(fmt(1001), "1.001s");
  assert_string_equal(fmt(61000), "61s");
  assert_string_equal(fmt(60000), "1m");
  assert_string_equal(fmt(90000), "1.5m");
  assert_string_equal(fmt(75000), "1.25m");
  assert_string_equal(fmt(3600000), "1h");
  assert_string_equal(fmt(5400000), "1.5h");
  assert_string_equal(fmt(3601000), "3601s");
  assert_string_equal(fmt(86400000), "24h");
  assert_string_equal(fmt(2 * 86400000ull), "2d");
}

/* Days, for what is counted in days (a certificate's warning): 1d is 24h,
 * and only a parse with a larger maximum goes past it. */
static void test_days(void **state) {
  uint64_t ms;
  const char *why;
  assert_int_equal(tt_duration_parse("1d", &ms, &why), 0);
  assert_int_equal(ms, 86400000);
  assert_string_equal(why_not("2d"), "is longer than 24h");
  assert_int_equal(tt_duration_parse_max("14d", TT_DURATION_LONGEST_MS, &ms,
                                         &why), 0);
  assert_int_equal(ms, 14ull * 86400000);
  assert_int_equal(tt_duration_parse_max("3651d", TT_DURATION_LONGEST_MS, &ms,
                                         &why), -1);
  assert_string_equal(why, "is too long");
  assert_string_equal(fmt(14ull * 86400000), "14d");
}

static void test_format_reads_back(void **state) {
  static const uint64_t samples[] = {0,     1,       7,       999,
                                     1000,  1234,    59999,   60000,
                                     90500, 3599999, 3600000, 86400000};
  for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
    assert_int_equal(ms_of(fmt(samples[i])), samples[i]);
}

static void test_format_truncates_like_snprintf(void **state) {
  char small[3];
  assert_int_equal(tt_duration_format(1500, small, sizeof(small)), 4);
  assert_string_equal(small, "1.");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_each_unit),
    cmocka_unit_test(test_fractions),
    cmocka_unit_test(test_trailing_zeros_do_not_count),
    cmocka_unit_test(test_zero_is_a_duration),
    cmocka_unit_test(test_leading_zeros),
    cmocka_unit_test(test_24h_is_the_limit),
    cmocka_unit_test(test_no_unit),
    cmocka_unit_test(test_negative),
    cmocka_unit_test(test_empty),
    cmocka_unit_test(test_not_a_number),
    cmocka_unit_test(test_unknown_unit),
    cmocka_unit_test(test_decimal_point_needs_digits),
    cmocka_unit_test(test_not_whole_milliseconds),
    cmocka_unit_test(test_longer_than_24h),
    cmocka_unit_test(test_format_below_a_second_is_ms),
    cmocka_unit_test(test_format_prefers_the_largest_exact_unit),
    cmocka_unit_test(test_days),
    cmocka_unit_test(test_format_reads_back),
    cmocka_unit_test(test_format_truncates_like_snprintf),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

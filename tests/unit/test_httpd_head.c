/* test_httpd_head.c - request heads without a socket: where a head ends,
 * the request line, keep-alive by version and Connection, gzip by its
 * weight, a body's length, Host, and the heads that are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "httpd_head.h"

/* Parses head, which must be one whole head, from a buffer of exactly its
 * length (so that the sanitizers see a read past it); returns the buffer,
 * which r points into, for the caller to free. */
static char *parse(const char *head, tt_http_head *r) {
  size_t n = strlen(head);
  char *in = malloc(n);
  assert_non_null(in);
  memcpy(in, head, n);
  assert_int_equal(tt_http_head_end(in, n), n);
  tt_http_head_parse(in, n, r);
  return in;
}

/* The status a head is refused with, or 0. */
static int refusal(const char *head) {
  tt_http_head r;
  free(parse(head, &r));
  return r.error;
}

static bool keeps_alive(const char *head) {
  tt_http_head r;
  free(parse(head, &r));
  assert_int_equal(r.error, 0);
  return r.keep_alive;
}

static bool takes_gzip(const char *encodings) {
  char head[256];
  tt_http_head r;
  snprintf(head, sizeof head,
           "GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: %s\r\n\r\n",
           encodings);
  free(parse(head, &r));
  assert_int_equal(r.error, 0);
  return r.gzip;
}

static bool has_body(const char *header) {
  char head[256];
  tt_http_head r;
  snprintf(head, sizeof head, "GET / HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n",
           header);
  free(parse(head, &r));
  assert_int_equal(r.error, 0);
  return r.has_body;
}

static void test_a_head_ends_after_its_empty_line(void **unused) {
  static const char crlf[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next";
  static const char lf[] = "GET / HTTP/1.0\n\nGET /next";
  assert_int_equal(tt_http_head_end(crlf, strlen(crlf)),
                   strlen("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  assert_int_equal(tt_http_head_end(lf, strlen(lf)),
                   strlen("GET / HTTP/1.0\n\n"));
}

static void test_a_head_without_its_empty_line_is_not_whole(void **unused) {
  static const char head[] = "GET / HTTP/1.1\r\nHost: x\r\n\r";
  assert_int_equal(tt_http_head_end(head, strlen(head)), 0);
  assert_int_equal(tt_http_head_end(head, 0), 0);
}

static void test_the_request_line_points_into_the_head(void **unused) {
  tt_http_head r;
  char *in = parse("GET /metrics?a=1&b HTTP/1.1\r\nHost: x\r\n\r\n", &r);
  assert_int_equal(r.error, 0);
  assert_int_equal(r.minor, 1);
  assert_ptr_equal(r.req.method, in);
  assert_int_equal(r.req.method_len, 3);
  assert_ptr_equal(r.req.path, in + 4);
  assert_int_equal(r.req.path_len, strlen("/metrics"));
  assert_ptr_equal(r.req.query, in + 13);
  assert_int_equal(r.req.query_len, strlen("a=1&b"));
  assert_false(r.req.head);
  free(in);
}

static void test_no_query_is_null(void **unused) {
  tt_http_head r;
  char *in = parse("GET /metrics HTTP/1.0\r\n\r\n", &r);
  assert_int_equal(r.error, 0);
  assert_int_equal(r.minor, 0);
  assert_int_equal(r.req.path_len, strlen("/metrics"));
  assert_null(r.req.query);
  assert_int_equal(r.req.query_len, 0);
  free(in);
}

/* Methods are case-sensitive: "head" is some other method, not HEAD. */
static void test_head_is_head_in_capitals_only(void **unused) {
  tt_http_head r;
  free(parse("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", &r));
  assert_int_equal(r.error, 0);
  assert_true(r.req.head);
  free(parse("head / HTTP/1.1\r\nHost: x\r\n\r\n", &r));
  assert_int_equal(r.error, 0);
  assert_false(r.req.head);
}

static void test_one_empty_line_before_the_request_line(void **unused) {
  tt_http_head r;
  char *in = parse("\r\nGET /x HTTP/1.1\r\nHost: x\r\n\r\n", &r);
  assert_int_equal(r.error, 0);
  assert_ptr_equal(r.req.method, in + 2);
  assert_int_equal(r.req.path_len, 2);
  free(in);
}

static void test_keep_alive_by_version_and_connection(void **unused) {
  assert_true(keeps_alive("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  assert_false(keeps_alive("GET / HTTP/1.0\r\n\r\n"));
  assert_true(keeps_alive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
  assert_false(keeps_alive(
      "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n\r\n"));
  assert_false(keeps_alive(
      "GET / HTTP/1.1\r\nHost: x\r\nConnection: TE ,\tClose \r\n\r\n"));
}

static void test_gzip_unless_its_weight_is_zero(void **unused) {
  assert_true(takes_gzip("gzip"));
  assert_true(takes_gzip("deflate, GZIP;q=0.5"));
  assert_true(takes_gzip("x-gzip"));
  assert_true(takes_gzip("gzip;q=0.001"));
  assert_false(takes_gzip("gzip;q=0"));
  assert_false(takes_gzip("gzip; q=0.000, br"));
  assert_false(takes_gzip("br, deflate"));
  assert_false(takes_gzip("gzipped"));
}

static void test_a_body_by_length_or_transfer_encoding(void **unused) {
  assert_false(has_body("Content-Length: 0"));
  assert_false(has_body("Content-Length: 000"));
  assert_true(has_body("Content-Length: 10"));
  assert_true(has_body("Transfer-Encoding: chunked"));
  assert_false(has_body("X-Content-Length: 10"));
}

static void test_host_once_in_http11_only(void **unused) {
  assert_int_equal(refusal("GET / HTTP/1.1\r\n\r\n"), 400);
  assert_int_equal(refusal("GET / HTTP/1.1\r\nHost: x\r\nhost: y\r\n\r\n"),
                   400);
  assert_int_equal(refusal("GET / HTTP/1.0\r\n\r\n"), 0);
}

static void test_versions_other_than_1_0_and_1_1_are_505(void **unused) {
  assert_int_equal(refusal("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
  assert_int_equal(refusal("GET / HTTP/1.2\r\nHost: x\r\n\r\n"), 505);
  assert_int_equal(refusal("GET / HTTP/1.10\r\nHost: x\r\n\r\n"), 505);
  assert_int_equal(refusal("GET / HTTPS/1.1\r\nHost: x\r\n\r\n"), 400);
}

static void test_malformed_heads_are_400(void **unused) {
  static const char *const heads[] = {
    "hello\r\n\r\n",
    "GET /text\r\n\r\n",
    " GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET text HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /te\x01xt HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /te\x7fxt HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /text HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n",
    "GET /text HTTP/1.1\r\nHost : x\r\n\r\n",
    "GET /text HTTP/1.1\r\nHost x\r\n\r\n",
    "GET /text HTTP/1.1\r\n: x\r\nHost: x\r\n\r\n",
    "GET /text HTTP/1.1\r\nHost: x\r\nX-A: a\x01z\r\n\r\n",
    "GET /text HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n",
    "GET /text HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n",
  };
  for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
    int status = refusal(heads[i]);
    if (status != 400)
      fail_msg("%d for head %zu, expected 400", status, i);
  }
}

/* A tab in a value is no control byte to refuse; the value is trimmed. */
static void test_tabs_around_and_in_values(void **unused) {
  assert_int_equal(
      refusal("GET / HTTP/1.1\r\nHost:\tx\r\nX-A: a\tb \t\r\n\r\n"), 0);
  assert_true(takes_gzip("\tgzip\t"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_a_head_ends_after_its_empty_line),
    cmocka_unit_test(test_a_head_without_its_empty_line_is_not_whole),
    cmocka_unit_test(test_the_request_line_points_into_the_head),
    cmocka_unit_test(test_no_query_is_null),
    cmocka_unit_test(test_head_is_head_in_capitals_only),
    cmocka_unit_test(test_one_empty_line_before_the_request_line),
    cmocka_unit_test(test_keep_alive_by_version_and_connection),
    cmocka_unit_test(test_gzip_unless_its_weight_is_zero),
    cmocka_unit_test(test_a_body_by_length_or_transfer_encoding),
    cmocka_unit_test(test_host_once_in_http11_only),
    cmocka_unit_test(test_versions_other_than_1_0_and_1_1_are_505),
    cmocka_unit_test(test_malformed_heads_are_400),
    cmocka_unit_test(test_tabs_around_and_in_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_judge.c - what a reply says of the service in its own protocol,
 * judged without a socket: HTTP statuses against the accepted ranges, SMTP
 * codes, redis, POP3 and IMAP errors, PostgreSQL's and MySQL's first
 * answers, each at the edges of its rule; and never a byte past the reply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "judge.h"
#include "preset.h"

#define RANGES(...) (tt_status_range[]){__VA_ARGS__}, \
  sizeof((tt_status_range[]){__VA_ARGS__}) / sizeof(tt_status_range)

/* Judges reply[0..n) for a target whose preset judges with j and accepts
 * the nst HTTP statuses st (none: what a target made by hand has). reply
 * may hold more than n bytes: they are not the reply's. */
static void check_n(tt_judge j, const tt_status_range *st, size_t nst,
                    const char *reply, size_t n, tt_class cls,
                    const char *detail) {
  tt_preset p = { .name = "judged", .judge = j };
  tt_target t = { .name = "t", .preset = &p,
                  .status = (tt_status_range *)st, .nstatus = nst };
  char buf[512], got[512] = "";
  size_t len = strlen(reply);
  memcpy(buf, reply, len + 1);
  assert_true(n <= len);
  assert_int_equal(tt_judge_reply(&t, buf, n, got, sizeof got), cls);
  /* A reply that is well says nothing. */
  assert_string_equal(got, cls == TT_CLASS_OK ? "" : detail);
}

static void check(tt_judge j, const char *reply, tt_class cls,
                  const char *detail) {
  check_n(j, NULL, 0, reply, strlen(reply), cls, detail);
}

static void check_http(const tt_status_range *st, size_t nst,
                       const char *reply, tt_class cls, const char *detail) {
  check_n(TT_JUDGE_HTTP, st, nst, reply, strlen(reply), cls, detail);
}

/* ---- HTTP ------------------------------------------------------------------ */

/* A target made by hand, with no status loaded, accepts 200-399. */
static void test_http_default_is_200_to_399(void **unused) {
  check(TT_JUDGE_HTTP, "HTTP/1.1 200 OK", TT_CLASS_OK, NULL);
  check(TT_JUDGE_HTTP, "HTTP/1.1 399 Odd", TT_CLASS_OK, NULL);
  check(TT_JUDGE_HTTP, "HTTP/1.1 199 Odd", TT_CLASS_UNHEALTHY,
        "HTTP/1.1 199 Odd (accepted: 200-399)");
  check(TT_JUDGE_HTTP, "HTTP/1.1 400 Bad Request", TT_CLASS_UNHEALTHY,
        "HTTP/1.1 400 Bad Request (accepted: 200-399)");
}

/* Every range is inclusive at both ends, and every range counts. */
static void test_http_accepted_ranges(void **unused) {
  const char *said = " (accepted: 200, 204, 301-308)";
  char want[128];
  static const struct { const char *line; bool ok; } cases[] = {
    {"HTTP/1.1 200 OK", true},       {"HTTP/1.1 201 Created", false},
    {"HTTP/1.1 203 Odd", false},     {"HTTP/1.1 204 No Content", true},
    {"HTTP/1.1 205 Odd", false},     {"HTTP/1.1 300 Odd", false},
    {"HTTP/1.1 301 Moved", true},    {"HTTP/1.1 305 Odd", true},
    {"HTTP/1.1 308 Permanent", true}, {"HTTP/1.1 309 Odd", false},
    {"HTTP/1.1 199 Odd", false},     {"HTTP/1.1 503 Busy", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(want, sizeof want, "%s%s", cases[i].line, said);
    check_http(RANGES({200, 200}, {204, 204}, {301, 308}), cases[i].line,
               cases[i].ok ? TT_CLASS_OK : TT_CLASS_UNHEALTHY, want);
  }
  /* One code only. */
  check_http(RANGES({204, 204}), "HTTP/1.1 204 No Content", TT_CLASS_OK,
             NULL);
  check_http(RANGES({204, 204}), "HTTP/1.1 200 OK", TT_CLASS_UNHEALTHY,
             "HTTP/1.1 200 OK (accepted: 204)");
}

/* The status line is "HTTP/x.y NNN": twelve bytes at least, the slash,
 * the space and three digits where they belong; anything else is not HTTP
 * (protocol), whatever its number would say. */
static void test_http_status_line_shape(void **unused) {
  check(TT_JUDGE_HTTP, "HTTP/1.0 200", TT_CLASS_OK, NULL);
  check(TT_JUDGE_HTTP, "HTTP/1.1 900 Odd", TT_CLASS_UNHEALTHY,
        "HTTP/1.1 900 Odd (accepted: 200-399)");
  static const char *not_http[] = {
    "HTTPX1.1 200 OK", "XTTP/1.1 200 OK", "HTTP/1.1-200 OK",
    "HTTP/1.1 x00 OK", "HTTP/1.1 2x0 OK", "HTTP/1.1 20x OK",
    "HTTP/1.1 :00 OK", "HTTP/1.1 2/0 OK", "SSH-2.0-OpenSSH",
  };
  char want[128];
  for (size_t i = 0; i < sizeof not_http / sizeof not_http[0]; i++) {
    snprintf(want, sizeof want, "not an HTTP status line: %s", not_http[i]);
    check(TT_JUDGE_HTTP, not_http[i], TT_CLASS_PROTOCOL, want);
  }
}

/* A status line cut short is not one, whatever bytes lie after it. */
static void test_http_reply_cut_short(void **unused) {
  check_n(TT_JUDGE_HTTP, NULL, 0, "HTTP/1.1 200 OK", 11, TT_CLASS_PROTOCOL,
          "not an HTTP status line: HTTP/1.1 20");
}

/* The detail quotes the first line only, escaped, at most 100 bytes. */
static void test_http_detail_quotes_the_first_line(void **unused) {
  check(TT_JUDGE_HTTP, "HTTP/1.1 503 Busy\r\nServer: x\r\n", TT_CLASS_UNHEALTHY,
        "HTTP/1.1 503 Busy (accepted: 200-399)");
  check(TT_JUDGE_HTTP, "HTTP/1.1 503 Busy\nServer: x", TT_CLASS_UNHEALTHY,
        "HTTP/1.1 503 Busy (accepted: 200-399)");
  check(TT_JUDGE_HTTP, "HTTP/1.1 503 \x1b[2J", TT_CLASS_UNHEALTHY,
        "HTTP/1.1 503 \\x1b[2J (accepted: 200-399)");
}

static void test_status_list(void **unused) {
  tt_target t = { .name = "t" };
  char buf[96];
  tt_judge_status_list(&t, buf, sizeof buf);
  assert_string_equal(buf, "200-399");
  tt_status_range three[] = {{200, 200}, {204, 204}, {301, 308}};
  t.status = three;
  t.nstatus = 3;
  tt_judge_status_list(&t, buf, sizeof buf);
  assert_string_equal(buf, "200, 204, 301-308");
  /* Cut to fit. */
  tt_judge_status_list(&t, buf, 8);
  assert_string_equal(buf, "200, 20");
}

/* ---- SMTP ------------------------------------------------------------------ */

/* 2xx and 3xx are well; 4xx and 5xx are not. */
static void test_smtp_codes(void **unused) {
  check(TT_JUDGE_SMTP, "220 mail.example ESMTP", TT_CLASS_OK, NULL);
  check(TT_JUDGE_SMTP, "354 go ahead", TT_CLASS_OK, NULL);
  check(TT_JUDGE_SMTP, "421 4.3.2 too busy", TT_CLASS_UNHEALTHY,
        "421 4.3.2 too busy");
  check(TT_JUDGE_SMTP, "554 5.3.2 no service\r\n", TT_CLASS_UNHEALTHY,
        "554 5.3.2 no service");
  /* An empty reply has no code to judge. */
  check_n(TT_JUDGE_SMTP, NULL, 0, "554", 0, TT_CLASS_OK, NULL);
}

/* ---- answers that start with an error ------------------------------------- */

static void test_redis_errors(void **unused) {
  check(TT_JUDGE_REDIS, "+PONG", TT_CLASS_OK, NULL);
  check(TT_JUDGE_REDIS, "-LOADING Redis is loading the dataset in memory",
        TT_CLASS_UNHEALTHY, "-LOADING Redis is loading the dataset in memory");
  check(TT_JUDGE_REDIS, "-", TT_CLASS_UNHEALTHY, "-");
  check_n(TT_JUDGE_REDIS, NULL, 0, "-ERR", 0, TT_CLASS_OK, NULL);
}

/* The error's whole word is needed: a reply that stops inside it is not
 * that error, whatever bytes lie after it. */
static void test_pop3_err(void **unused) {
  check(TT_JUDGE_POP3, "+OK dovecot ready.", TT_CLASS_OK, NULL);
  check(TT_JUDGE_POP3, "-ERR maintenance", TT_CLASS_UNHEALTHY,
        "-ERR maintenance");
  check(TT_JUDGE_POP3, "-ERR", TT_CLASS_UNHEALTHY, "-ERR");
  check_n(TT_JUDGE_POP3, NULL, 0, "-ERR", 3, TT_CLASS_OK, NULL);
}

static void test_imap_bye(void **unused) {
  check(TT_JUDGE_IMAP, "* OK [CAPABILITY IMAP4rev1] ready", TT_CLASS_OK, NULL);
  check(TT_JUDGE_IMAP, "* PREAUTH welcome", TT_CLASS_OK, NULL);
  check(TT_JUDGE_IMAP, "* BYE too many connections", TT_CLASS_UNHEALTHY,
        "* BYE too many connections");
  check(TT_JUDGE_IMAP, "* BYE", TT_CLASS_UNHEALTHY, "* BYE");
  check_n(TT_JUDGE_IMAP, NULL, 0, "* BYE", 4, TT_CLASS_OK, NULL);
}

/* The detail is the first line, at most 100 bytes of it, and never more
 * than the reply. */
static void test_error_detail_is_the_first_line(void **unused) {
  char long_err[160], want[104];
  memset(long_err, 'x', sizeof long_err - 1);
  long_err[0] = '-';
  long_err[sizeof long_err - 1] = '\0';
  memcpy(want, long_err, 100);
  want[100] = '\0';
  check(TT_JUDGE_REDIS, long_err, TT_CLASS_UNHEALTHY, want);
  check_n(TT_JUDGE_POP3, NULL, 0, "-ERR maintenance", 8, TT_CLASS_UNHEALTHY,
          "-ERR mai");
  check(TT_JUDGE_POP3, "-ERR a\nb", TT_CLASS_UNHEALTHY, "-ERR a");
  check(TT_JUDGE_POP3, "-ERR a\rb", TT_CLASS_UNHEALTHY, "-ERR a");
}

/* ---- PostgreSQL and MySQL -------------------------------------------------- */

/* The answer to an SSLRequest: S or N is well, E an error message. */
static void test_postgres_answers(void **unused) {
  check(TT_JUDGE_POSTGRES, "S", TT_CLASS_OK, NULL);
  check(TT_JUDGE_POSTGRES, "N", TT_CLASS_OK, NULL);
  check(TT_JUDGE_POSTGRES, "E", TT_CLASS_UNHEALTHY,
        "the server answered with an error message");
  check(TT_JUDGE_POSTGRES, "H", TT_CLASS_PROTOCOL,
        "not a PostgreSQL answer to SSLRequest: H");
  check(TT_JUDGE_POSTGRES, "F", TT_CLASS_PROTOCOL,
        "not a PostgreSQL answer to SSLRequest: F");
  /* No answer at all is none of them, whatever lies after. */
  check_n(TT_JUDGE_POSTGRES, NULL, 0, "S", 0, TT_CLASS_PROTOCOL,
          "not a PostgreSQL answer to SSLRequest: ");
  check_n(TT_JUDGE_POSTGRES, NULL, 0, "E", 0, TT_CLASS_PROTOCOL,
          "not a PostgreSQL answer to SSLRequest: ");
}

/* Bytes with NULs: judged with their length, not strlen. */
static void check_bytes(tt_judge j, const char *bytes, size_t n, size_t len,
                        tt_class cls, const char *detail) {
  tt_preset p = { .name = "judged", .judge = j };
  tt_target t = { .name = "t", .preset = &p };
  char buf[64], got[256] = "";
  memcpy(buf, bytes, len);
  assert_int_equal(tt_judge_reply(&t, buf, n, got, sizeof got), cls);
  assert_string_equal(got, cls == TT_CLASS_OK ? "" : detail);
}

#define BYTES(s) s, sizeof(s) - 1, sizeof(s) - 1

/* A greeting: 3 bytes of length, sequence number 0, protocol 10; an error
 * packet has 0xff where the protocol would be. Five bytes decide. */
static void test_mysql_greeting(void **unused) {
  check_bytes(TT_JUDGE_MYSQL, BYTES("\x4a\0\0\0\x0a" "5.7.1"), TT_CLASS_OK,
              NULL);
  check_bytes(TT_JUDGE_MYSQL, BYTES("\x4a\0\0\0\x0a"), TT_CLASS_OK, NULL);
  check_bytes(TT_JUDGE_MYSQL, BYTES("\x17\0\0\0\xff"), TT_CLASS_UNHEALTHY,
              "the server sent an error packet instead of its greeting "
              "(too many connections? host blocked?)");
  check_bytes(TT_JUDGE_MYSQL, BYTES("\x4a\0\0\1\x0a"), TT_CLASS_PROTOCOL,
              "not a MySQL greeting (protocol 10): J\\x00\\x00\\x01\\n");
  check_bytes(TT_JUDGE_MYSQL, BYTES("\x17\0\0\1\xff"), TT_CLASS_PROTOCOL,
              "not a MySQL greeting (protocol 10): \\x17\\x00\\x00\\x01\\xff");
  check_bytes(TT_JUDGE_MYSQL, BYTES("\x4a\0\0\0\x09xyz"), TT_CLASS_PROTOCOL,
              "not a MySQL greeting (protocol 10): J\\x00\\x00\\x00\\t");
  check_bytes(TT_JUDGE_MYSQL, BYTES("\x17\0\0\0\xfe"), TT_CLASS_PROTOCOL,
              "not a MySQL greeting (protocol 10): \\x17\\x00\\x00\\x00\\xfe");
}

/* Fewer than five bytes are no greeting, whatever lies after them. */
static void test_mysql_reply_cut_short(void **unused) {
  check_bytes(TT_JUDGE_MYSQL, "\x4a\0\0\0\x0a", 4, 5, TT_CLASS_PROTOCOL,
              "not a MySQL greeting (protocol 10): J\\x00\\x00\\x00");
  check_bytes(TT_JUDGE_MYSQL, "\x17\0\0\0\xff", 4, 5, TT_CLASS_PROTOCOL,
              "not a MySQL greeting (protocol 10): \\x17\\x00\\x00\\x00");
}

/* ---- who is judged --------------------------------------------------------- */

static void test_no_judge_no_verdict(void **unused) {
  check(TT_JUDGE_NONE, "HTTP/1.1 503 Busy", TT_CLASS_OK, NULL);
  check(TT_JUDGE_NONE, "-ERR", TT_CLASS_OK, NULL);
  tt_target t = { .name = "t" };
  char buf[] = "HTTP/1.1 503 Busy", got[64] = "";
  assert_int_equal(tt_judge_reply(&t, buf, strlen(buf), got, sizeof got),
                   TT_CLASS_OK);
  assert_string_equal(got, "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_http_default_is_200_to_399),
    cmocka_unit_test(test_http_accepted_ranges),
    cmocka_unit_test(test_http_status_line_shape),
    cmocka_unit_test(test_http_reply_cut_short),
    cmocka_unit_test(test_http_detail_quotes_the_first_line),
    cmocka_unit_test(test_status_list),
    cmocka_unit_test(test_smtp_codes),
    cmocka_unit_test(test_redis_errors),
    cmocka_unit_test(test_pop3_err),
    cmocka_unit_test(test_imap_bye),
    cmocka_unit_test(test_error_detail_is_the_first_line),
    cmocka_unit_test(test_postgres_answers),
    cmocka_unit_test(test_mysql_greeting),
    cmocka_unit_test(test_mysql_reply_cut_short),
    cmocka_unit_test(test_no_judge_no_verdict),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

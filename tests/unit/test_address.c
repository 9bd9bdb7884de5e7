/* test_address.c - "host:port", "[v6]:port", hosts and ports as written in
 * a config or on the command line, and the mistakes people make there. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "address.h"

static tt_hostport parsed(const char *s) {
  tt_hostport hp;
  const char *why = NULL;
  memset(&hp, 0x55, sizeof(hp));
  assert_int_equal(tt_address_parse(s, &hp, &why), 0);
  assert_null(why);
  return hp;
}

static const char *refused(const char *s) {
  tt_hostport hp;
  const char *why = NULL;
  assert_int_equal(tt_address_parse(s, &hp, &why), -1);
  assert_non_null(why);
  return why;
}

static const char *host_refused(const char *s) {
  tt_hostport hp;
  const char *why = NULL;
  assert_int_equal(tt_host_parse(s, &hp, &why), -1);
  assert_non_null(why);
  return why;
}

static const char *port_refused(const char *s) {
  uint16_t port = 7;
  const char *why = NULL;
  assert_int_equal(tt_port_parse(s, &port, &why), -1);
  assert_int_equal(port, 7);
  return why;
}

/* ---- addresses that are right ---- */

static void test_name_and_port(void **state) {
  tt_hostport hp = parsed("db1.example:5432");
  assert_string_equal(hp.host, "db1.example");
  assert_int_equal(hp.port, 5432);
  assert_int_equal(hp.literal_family, 0);
}

static void test_ipv4_literal(void **state) {
  tt_hostport hp = parsed("10.0.0.7:6379");
  assert_string_equal(hp.host, "10.0.0.7");
  assert_int_equal(hp.port, 6379);
  assert_int_equal(hp.literal_family, 4);
}

static void test_bracketed_ipv6(void **state) {
  tt_hostport hp = parsed("[::1]:8080");
  assert_string_equal(hp.host, "::1");
  assert_int_equal(hp.port, 8080);
  assert_int_equal(hp.literal_family, 6);
  hp = parsed("[2001:db8::5]:22");
  assert_string_equal(hp.host, "2001:db8::5");
  assert_int_equal(hp.literal_family, 6);
}

static void test_port_bounds_accepted(void **state) {
  assert_int_equal(parsed("h:1").port, 1);
  assert_int_equal(parsed("h:65535").port, 65535);
}

static void test_leading_zeros_are_decimal(void **state) {
  assert_int_equal(parsed("h:080").port, 80);
}

static void test_host_of_253_bytes(void **state) {
  char s[300];
  memset(s, 'a', 253);
  strcpy(s + 253, ":1");
  assert_int_equal(strlen(parsed(s).host), 253);
}

/* ---- addresses that are wrong ---- */

static void test_unbracketed_ipv6_gets_a_hint(void **state) {
  const char *expected =
      "looks like an IPv6 address; write it in brackets: [::1]:8080";
  assert_string_equal(refused("::1:80"), expected);
  assert_string_equal(refused("2001:db8::1:443"), expected);
  assert_string_equal(refused("::1"), expected);
}

static void test_no_port(void **state) {
  assert_string_equal(refused("db1"), "needs a port: host:port");
  assert_string_equal(refused("db1:"),
                      "needs a port after the colon: host:port");
  assert_string_equal(refused("[::1]"), "needs a port after the ]: [::1]:8080");
  assert_string_equal(refused("[::1]:"),
                      "needs a port after the ]: [::1]:8080");
  assert_string_equal(refused("[::1]80"),
                      "needs a port after the ]: [::1]:8080");
}

static void test_no_host(void **state) {
  assert_string_equal(refused(":80"),
                      "needs a host before the port: host:port");
}

static void test_empty(void **state) {
  assert_string_equal(refused(""), "is empty; write host:port");
  assert_string_equal(refused(NULL), "is empty; write host:port");
}

static void test_bad_ports(void **state) {
  const char *expected = "has a port that is not a number from 1 to 65535";
  assert_string_equal(refused("h:0"), expected);
  assert_string_equal(refused("h:65536"), expected);
  assert_string_equal(refused("h:abc"), expected);
  assert_string_equal(refused("h:+1"), expected);
  assert_string_equal(refused("h: 80"), expected);
  assert_string_equal(refused("h:0x50"), expected);
  assert_string_equal(refused("h:99999999999999999999"), expected);
  assert_string_equal(refused("[::1]:0"), expected);
}

static void test_brackets(void **state) {
  assert_string_equal(refused("[::1:80"), "has '[' without a closing ']'");
  assert_string_equal(refused("[10.0.0.1]:80"),
                      "must hold an IPv6 address inside [ ]");
  assert_string_equal(refused("[db1]:80"),
                      "must hold an IPv6 address inside [ ]");
  assert_string_equal(refused("[]:80"), "must hold an IPv6 address inside [ ]");
}

static void test_spaces_and_controls(void **state) {
  const char *expected = "must not contain spaces or control characters";
  assert_string_equal(refused("db 1:80"), expected);
  assert_string_equal(refused(" db1:80"), expected);
  assert_string_equal(refused("db\t1:80"), expected);
  assert_string_equal(refused("db\x7f:80"), expected);
}

/* A host is the default name: plain text, and no '=' (which would make
 * NAME=HOST ambiguous). */
static void test_hosts_are_plain_text(void **state) {
  const char *unsafe =
      "must be UTF-8 without invisible or bidirectional characters";
  assert_string_equal(refused("b=c:1"),
                      "has a host with '=', which no host name holds");
  assert_string_equal(host_refused("b=c"), "must not contain '='");
  assert_string_equal(refused("x\xc2\x9b" "2J:80"), unsafe);
  assert_string_equal(refused("db\xe2\x80\xae" ":80"), unsafe);
  assert_string_equal(refused("db\xef\xbb\xbf" ":80"), unsafe);
  assert_string_equal(refused("db\xff:80"), unsafe);
  assert_string_equal(host_refused("\xe2\x81\xa6" "db"), unsafe);
  assert_string_equal(parsed("b\xc3\xbc" "cher.example:80").host,
                      "b\xc3\xbc" "cher.example");
}

static void test_host_too_long(void **state) {
  char s[300];
  memset(s, 'a', 254);
  strcpy(s + 254, ":1");
  assert_string_equal(refused(s), "has a host longer than 253 bytes");
}

static void test_numeric_host_must_be_ipv4(void **state) {
  const char *expected = "has a host that is not a valid IPv4 address";
  assert_string_equal(refused("10.1:80"), expected);
  assert_string_equal(refused("300.1.1.1:80"), expected);
  assert_string_equal(refused("3232235777:80"), expected);
}

static void test_url_is_not_an_address(void **state) {
  assert_string_equal(
      refused("http://example.com:80"),
      "is a URL; write host:port (and choose the protocol with a preset)");
}

/* ---- hosts on their own (host: and port: keys) ---- */

static void test_host_forms(void **state) {
  tt_hostport hp;
  const char *why;
  assert_int_equal(tt_host_parse("db1", &hp, &why), 0);
  assert_string_equal(hp.host, "db1");
  assert_int_equal(hp.literal_family, 0);
  assert_int_equal(tt_host_parse("192.0.2.1", &hp, &why), 0);
  assert_int_equal(hp.literal_family, 4);
  assert_int_equal(tt_host_parse("::1", &hp, &why), 0);
  assert_string_equal(hp.host, "::1");
  assert_int_equal(hp.literal_family, 6);
  assert_int_equal(tt_host_parse("[2001:db8::1]", &hp, &why), 0);
  assert_string_equal(hp.host, "2001:db8::1");
  assert_int_equal(hp.literal_family, 6);
}

static void test_host_errors(void **state) {
  char s[300];
  assert_string_equal(host_refused(""), "is empty");
  assert_string_equal(host_refused("db 1"),
                      "must not contain spaces or control characters");
  assert_string_equal(host_refused("1.2.3"), "is not a valid IPv4 address");
  assert_string_equal(host_refused("[::1"), "has '[' without a closing ']'");
  assert_string_equal(host_refused("[db1]"), "is not a valid IPv6 address");
  assert_string_equal(
      host_refused("db1:80"),
      "is neither a host name nor an IPv6 address (a port goes in port:)");
  memset(s, 'a', 254);
  s[254] = '\0';
  assert_string_equal(host_refused(s), "is longer than 253 bytes");
}

/* ---- ports on their own ---- */

static void test_port_values(void **state) {
  uint16_t port;
  const char *why;
  assert_int_equal(tt_port_parse("1", &port, &why), 0);
  assert_int_equal(port, 1);
  assert_int_equal(tt_port_parse("65535", &port, &why), 0);
  assert_int_equal(port, 65535);
}

static void test_port_errors(void **state) {
  assert_string_equal(port_refused(""), "is empty");
  assert_string_equal(port_refused("0"), "must be from 1 to 65535");
  assert_string_equal(port_refused("65536"), "must be from 1 to 65535");
  assert_string_equal(port_refused("abc"), "must be a number from 1 to 65535");
  assert_string_equal(port_refused("+1"), "must be a number from 1 to 65535");
  assert_string_equal(port_refused(" 80"), "must be a number from 1 to 65535");
  assert_string_equal(port_refused("-1"), "must be a number from 1 to 65535");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_name_and_port),
    cmocka_unit_test(test_ipv4_literal),
    cmocka_unit_test(test_bracketed_ipv6),
    cmocka_unit_test(test_port_bounds_accepted),
    cmocka_unit_test(test_leading_zeros_are_decimal),
    cmocka_unit_test(test_host_of_253_bytes),
    cmocka_unit_test(test_unbracketed_ipv6_gets_a_hint),
    cmocka_unit_test(test_no_port),
    cmocka_unit_test(test_no_host),
    cmocka_unit_test(test_empty),
    cmocka_unit_test(test_bad_ports),
    cmocka_unit_test(test_brackets),
    cmocka_unit_test(test_spaces_and_controls),
    cmocka_unit_test(test_hosts_are_plain_text),
    cmocka_unit_test(test_host_too_long),
    cmocka_unit_test(test_numeric_host_must_be_ipv4),
    cmocka_unit_test(test_url_is_not_an_address),
    cmocka_unit_test(test_host_forms),
    cmocka_unit_test(test_host_errors),
    cmocka_unit_test(test_port_values),
    cmocka_unit_test(test_port_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_classify.c - every libuv error tether knows by name lands in its
 * class with its words; the rest say what the OS said. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "classify.h"

static const tt_phase all_phases[] = {TT_PHASE_RESOLVE, TT_PHASE_CONNECT,
                                      TT_PHASE_WRITE, TT_PHASE_READ};
#define NPHASES (sizeof(all_phases) / sizeof(all_phases[0]))

typedef struct row {
  int status;
  tt_class cls;
  const char *detail;
} row;

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

static void check(int status, tt_phase phase, tt_class cls,
                  const char *detail) {
  char buf[256];
  memset(buf, 'Z', sizeof(buf));
  assert_int_equal(tt_classify(status, phase, buf, sizeof(buf)), cls);
  assert_string_equal(buf, detail);
}

/* Rows that mean the same in every phase. */
static void check_everywhere(const row *rows, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (size_t p = 0; p < NPHASES; p++)
      check(rows[i].status, all_phases[p], rows[i].cls, rows[i].detail);
}

static void test_refused(void **state) {
  static const row rows[] = {
      {UV_ECONNREFUSED, TT_CLASS_REFUSED, "connection refused"},
  };
  check_everywhere(rows, NROWS(rows));
}

static void test_unreachable(void **state) {
  static const row rows[] = {
      {UV_ENETUNREACH, TT_CLASS_UNREACHABLE, "network unreachable"},
      {UV_EHOSTUNREACH, TT_CLASS_UNREACHABLE, "no route to host"},
      {UV_ENETDOWN, TT_CLASS_UNREACHABLE, "network is down"},
      {UV_EHOSTDOWN, TT_CLASS_UNREACHABLE, "host is down"},
  };
  check_everywhere(rows, NROWS(rows));
}

static void test_not_permitted_while_connecting_is_unreachable(void **state) {
  check(UV_EACCES, TT_PHASE_CONNECT, TT_CLASS_UNREACHABLE,
        "connection not permitted (prohibited route or firewall)");
  check(UV_EPERM, TT_PHASE_CONNECT, TT_CLASS_UNREACHABLE,
        "connection not permitted (prohibited route or firewall)");
}

static void test_not_permitted_elsewhere_is_an_error(void **state) {
  check(UV_EACCES, TT_PHASE_WRITE, TT_CLASS_ERROR,
        "permission denied (EACCES)");
  check(UV_EPERM, TT_PHASE_READ, TT_CLASS_ERROR,
        "operation not permitted (EPERM)");
  check(UV_EACCES, TT_PHASE_RESOLVE, TT_CLASS_ERROR,
        "permission denied (EACCES)");
}

static void test_reset(void **state) {
  static const row rows[] = {
      {UV_ECONNRESET, TT_CLASS_RESET, "connection reset by peer"},
      {UV_EPIPE, TT_CLASS_RESET, "broken pipe (the peer reset the connection)"},
      {UV_ECONNABORTED, TT_CLASS_RESET, "connection aborted"},
  };
  check_everywhere(rows, NROWS(rows));
}

static void test_eof(void **state) {
  static const row rows[] = {
      {UV_EOF, TT_CLASS_EOF, "peer closed the connection"},
  };
  check_everywhere(rows, NROWS(rows));
}

static void test_kernel_timeout_while_connecting(void **state) {
  check(UV_ETIMEDOUT, TT_PHASE_CONNECT, TT_CLASS_CONNECT_TIMEOUT,
        "connection timed out (kernel)");
}

static void test_kernel_timeout_once_connected(void **state) {
  check(UV_ETIMEDOUT, TT_PHASE_WRITE, TT_CLASS_TIMEOUT,
        "connection timed out (kernel retransmissions)");
  check(UV_ETIMEDOUT, TT_PHASE_READ, TT_CLASS_TIMEOUT,
        "connection timed out (kernel retransmissions)");
}

static void test_kernel_timeout_while_resolving_is_dns(void **state) {
  check(UV_ETIMEDOUT, TT_PHASE_RESOLVE, TT_CLASS_DNS,
        "name resolution timed out");
}

static void test_dns_errors_with_their_own_words(void **state) {
  static const row rows[] = {
      {UV_EAI_NONAME, TT_CLASS_DNS, "name not found"},
      {UV_EAI_AGAIN, TT_CLASS_DNS, "temporary failure in name resolution"},
      {UV_EAI_FAIL, TT_CLASS_DNS, "name server failure"},
      {UV_EAI_NODATA, TT_CLASS_DNS, "name has no address"},
      {UV_EAI_ADDRFAMILY, TT_CLASS_DNS, "name has no address in this family"},
  };
  check_everywhere(rows, NROWS(rows));
}

static void test_other_dns_errors_use_libuv_words(void **state) {
  static const int others[] = {
      UV_EAI_BADFLAGS, UV_EAI_BADHINTS, UV_EAI_CANCELED, UV_EAI_FAMILY,
      UV_EAI_MEMORY,   UV_EAI_OVERFLOW, UV_EAI_PROTOCOL, UV_EAI_SERVICE,
      UV_EAI_SOCKTYPE,
  };
  char want[128];
  for (size_t i = 0; i < NROWS(others); i++) {
    uv_strerror_r(others[i], want, sizeof(want));
    for (size_t p = 0; p < NPHASES; p++)
      check(others[i], all_phases[p], TT_CLASS_DNS, want);
    /* A name that does not resolve is never the local machine's fault. */
    assert_false(tt_classify_is_local(others[i]));
  }
  check(UV_EAI_CANCELED, TT_PHASE_RESOLVE, TT_CLASS_DNS, "request canceled");
}

static void test_local_faults_say_so(void **state) {
  static const row rows[] = {
      {UV_EMFILE, TT_CLASS_ERROR,
       "out of file descriptors (a local fault, not the target's)"},
      {UV_ENFILE, TT_CLASS_ERROR,
       "the system is out of file descriptors (a local fault, not the "
       "target's)"},
      {UV_EADDRNOTAVAIL, TT_CLASS_ERROR,
       "no free local address or port (a local fault, not the target's)"},
      {UV_EADDRINUSE, TT_CLASS_ERROR,
       "local address in use (a local fault, not the target's)"},
      {UV_ENOBUFS, TT_CLASS_ERROR,
       "out of socket buffers (a local fault, not the target's)"},
      {UV_ENOMEM, TT_CLASS_ERROR,
       "out of memory (a local fault, not the target's)"},
  };
  check_everywhere(rows, NROWS(rows));
  for (size_t i = 0; i < NROWS(rows); i++)
    assert_true(tt_classify_is_local(rows[i].status));
}

static void test_remote_faults_are_not_local(void **state) {
  static const int remote[] = {
      0,          UV_ECONNREFUSED, UV_EHOSTUNREACH, UV_EACCES,
      UV_EPERM,   UV_ECONNRESET,   UV_EOF,          UV_ETIMEDOUT,
      UV_EAI_NONAME, UV_EAI_MEMORY, UV_EINVAL,      -99999,
  };
  for (size_t i = 0; i < NROWS(remote); i++)
    assert_false(tt_classify_is_local(remote[i]));
}

static void test_untabled_error_names_the_os_error(void **state) {
  for (size_t p = 0; p < NPHASES; p++) {
    check(UV_ECANCELED, all_phases[p], TT_CLASS_ERROR,
          "operation canceled (ECANCELED)");
    check(UV_EINVAL, all_phases[p], TT_CLASS_ERROR,
          "invalid argument (EINVAL)");
  }
}

static void test_unknown_errno_is_an_error(void **state) {
  check(-99999, TT_PHASE_READ, TT_CLASS_ERROR, "Unknown system error -99999");
}

static void test_success_is_ok_with_no_detail(void **state) {
  check(0, TT_PHASE_READ, TT_CLASS_OK, "");
}

static void test_detail_is_cut_to_fit(void **state) {
  char buf[9];
  memset(buf, 'Z', sizeof(buf));
  assert_int_equal(tt_classify(UV_ECONNREFUSED, TT_PHASE_CONNECT, buf, 9),
                   TT_CLASS_REFUSED);
  assert_string_equal(buf, "connecti");

  memset(buf, 'Z', sizeof(buf));
  tt_classify(UV_EMFILE, TT_PHASE_CONNECT, buf, 4);
  assert_string_equal(buf, "out");
  assert_int_equal(buf[4], 'Z');

  memset(buf, 'Z', sizeof(buf));
  tt_classify(-99999, TT_PHASE_READ, buf, 1);
  assert_string_equal(buf, "");
  assert_int_equal(buf[1], 'Z');
}

static void test_class_without_a_detail_buffer(void **state) {
  char buf[1] = {'Z'};
  assert_int_equal(tt_classify(UV_EOF, TT_PHASE_READ, NULL, 0), TT_CLASS_EOF);
  assert_int_equal(tt_classify(UV_EOF, TT_PHASE_READ, buf, 0), TT_CLASS_EOF);
  assert_int_equal(buf[0], 'Z');
  assert_int_equal(tt_classify(0, TT_PHASE_READ, NULL, 0), TT_CLASS_OK);
  assert_int_equal(tt_classify(0, TT_PHASE_READ, buf, 0), TT_CLASS_OK);
  assert_int_equal(buf[0], 'Z');
  assert_int_equal(tt_classify_deadline(TT_PHASE_WRITE, 5, NULL, 0),
                   TT_CLASS_WRITE_TIMEOUT);
}

static void check_deadline(tt_phase phase, uint64_t ms, tt_class cls,
                           const char *detail) {
  char buf[128];
  assert_int_equal(tt_classify_deadline(phase, ms, buf, sizeof(buf)), cls);
  assert_string_equal(buf, detail);
}

static void test_deadline_while_resolving_is_dns(void **state) {
  check_deadline(TT_PHASE_RESOLVE, 5000, TT_CLASS_DNS,
                 "name not resolved within 5000 ms");
}

static void test_deadline_while_connecting_is_connect_timeout(void **state) {
  check_deadline(TT_PHASE_CONNECT, 2000, TT_CLASS_CONNECT_TIMEOUT,
                 "no connection within 2000 ms");
}

static void test_deadline_while_writing_is_write_timeout(void **state) {
  check_deadline(TT_PHASE_WRITE, 1000, TT_CLASS_WRITE_TIMEOUT,
                 "ping not written within 1000 ms");
}

static void test_deadline_while_reading_is_timeout(void **state) {
  check_deadline(TT_PHASE_READ, 250, TT_CLASS_TIMEOUT,
                 "no reply within 250 ms");
  check_deadline(TT_PHASE_READ, UINT64_MAX, TT_CLASS_TIMEOUT,
                 "no reply within 18446744073709551615 ms");
}

static void test_deadline_detail_is_cut_to_fit(void **state) {
  char buf[8];
  tt_classify_deadline(TT_PHASE_READ, 250, buf, sizeof(buf));
  assert_string_equal(buf, "no repl");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_refused),
      cmocka_unit_test(test_unreachable),
      cmocka_unit_test(test_not_permitted_while_connecting_is_unreachable),
      cmocka_unit_test(test_not_permitted_elsewhere_is_an_error),
      cmocka_unit_test(test_reset),
      cmocka_unit_test(test_eof),
      cmocka_unit_test(test_kernel_timeout_while_connecting),
      cmocka_unit_test(test_kernel_timeout_once_connected),
      cmocka_unit_test(test_kernel_timeout_while_resolving_is_dns),
      cmocka_unit_test(test_dns_errors_with_their_own_words),
      cmocka_unit_test(test_other_dns_errors_use_libuv_words),
      cmocka_unit_test(test_local_faults_say_so),
      cmocka_unit_test(test_remote_faults_are_not_local),
      cmocka_unit_test(test_untabled_error_names_the_os_error),
      cmocka_unit_test(test_unknown_errno_is_an_error),
      cmocka_unit_test(test_success_is_ok_with_no_detail),
      cmocka_unit_test(test_detail_is_cut_to_fit),
      cmocka_unit_test(test_class_without_a_detail_buffer),
      cmocka_unit_test(test_deadline_while_resolving_is_dns),
      cmocka_unit_test(test_deadline_while_connecting_is_connect_timeout),
      cmocka_unit_test(test_deadline_while_writing_is_write_timeout),
      cmocka_unit_test(test_deadline_while_reading_is_timeout),
      cmocka_unit_test(test_deadline_detail_is_cut_to_fit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

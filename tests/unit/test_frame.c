/* test_frame.c - reply framing without a socket: replies split over reads
 * and joined in one, ends that straddle reads, CR LF, fixed-size replies,
 * max_reply, and what is discarded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "frame.h"

/* Feeds the reads one after the other and collects every reply as
 * "a|b|c"; an overlong reply is "!" and stops. */
static void frame_all(tt_framer *f, const char *const *reads, size_t nreads,
                      char *out, size_t outn) {
  char copy[256];
  out[0] = '\0';
  for (size_t i = 0; i < nreads; i++) {
    size_t len = strlen(reads[i]);
    memcpy(copy, reads[i], len + 1);
    tt_framer_feed(f, copy, len);
    char *r;
    size_t n;
    tt_frame_result res;
    while ((res = tt_framer_next(f, &r, &n)) == TT_FRAME_REPLY) {
      /* Whoever reads a reply may write r[n] (the matcher puts a NUL there
       * for a moment). */
      char saved = r[n];
      r[n] = '\0';
      size_t used = strlen(out);
      snprintf(out + used, outn - used, "%s%.*s", used ? "|" : "", (int)n, r);
      r[n] = saved;
    }
    if (res == TT_FRAME_OVERLONG) {
      size_t used = strlen(out);
      snprintf(out + used, outn - used, "%s!", used ? "|" : "");
      return;
    }
    assert_int_equal(res, TT_FRAME_MORE);
  }
}

static void check(const char *end, uint32_t fixed, uint32_t max,
                  const char *const *reads, size_t n, const char *want) {
  tt_framer f;
  char out[512];
  tt_framer_init(&f, end, strlen(end), fixed, max);
  frame_all(&f, reads, n, out, sizeof out);
  tt_framer_free(&f);
  assert_string_equal(out, want);
}

#define READS(...) (const char *const[]){__VA_ARGS__}, \
  sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)

static void test_one_reply_per_read(void **unused) {
  check("\n", 0, 100, READS("+PONG\n", "+PONG\n"), "+PONG|+PONG");
}

static void test_replies_joined_in_one_read(void **unused) {
  check("\n", 0, 100, READS("a\nb\nc\n"), "a|b|c");
}

static void test_reply_split_over_reads(void **unused) {
  check("\n", 0, 100, READS("+P", "ON", "G\n"), "+PONG");
  check("\n", 0, 100, READS("a\nb", "c\nd", "\n"), "a|bc|d");
}

static void test_end_straddles_reads(void **unused) {
  check("\r\n\r\n", 0, 100, READS("HTTP/1.1 200 OK\r\n\r", "\n"),
        "HTTP/1.1 200 OK");
  check("\r\n\r\n", 0, 100, READS("X\r", "\n", "\r", "\nY\r\n\r\n"), "X|Y");
}

static void test_cr_before_newline_is_not_the_replys(void **unused) {
  check("\n", 0, 100, READS("+PONG\r\n"), "+PONG");
  check("\n", 0, 100, READS("+PONG\r", "\n"), "+PONG");
  /* Only for "\n": with another end, or none, a CR is data. */
  check(";", 0, 100, READS("a\r;"), "a\r");
  check("\n\n", 0, 100, READS("a\r\n\n"), "a\r");
  check("\n", 2, 100, READS("a\r"), "a\r");
}

/* An empty reply has no last byte: what lies before it is not looked at. */
static void test_empty_reply_looks_at_nothing_before_it(void **unused) {
  tt_framer f;
  char data[] = "\r\n";
  char *r;
  size_t n = 99;
  tt_framer_init(&f, "\n", 1, 0, 100);
  tt_framer_feed(&f, data + 1, 1);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_REPLY);
  assert_int_equal(n, 0);
  tt_framer_free(&f);
}

static void test_fixed_size_replies(void **unused) {
  check("\n", 1, 100, READS("SN"), "S|N");
  check("\n", 3, 100, READS("ab", "cde", "f"), "abc|def");
  /* No end is looked for: "\n" is data. */
  check("\n", 2, 100, READS("\n\n"), "\n\n");
}

static void test_max_reply_counts_the_end(void **unused) {
  /* "abc\n" is 4 bytes: within max 4, over max 3. */
  check("\n", 0, 4, READS("abc\n"), "abc");
  check("\n", 0, 3, READS("abc\n"), "!");
  check("\n", 0, 4, READS("ab", "c\n"), "abc");
  check("\n", 0, 3, READS("ab", "c\n"), "!");
}

static void test_no_end_within_max_is_overlong(void **unused) {
  check("\n", 0, 8, READS("0123", "4567", "89\n"), "!");
  check("\n", 0, 8, READS("0123456789"), "!");
}

static void test_reply_after_a_buffered_one(void **unused) {
  /* A reply taken from the buffer is dropped before the next one. */
  check("\n", 0, 100, READS("a", "\nbb\nc", "c\n"), "a|bb|cc");
  /* The search for the next end starts again at the start of what is left,
   * not where it stopped before the reply was dropped. */
  check("\n", 0, 100, READS("abc", "\nx\nyyyyyy\n"), "abc|x|yyyyyy");
}

/* A fixed-size reply completed from the buffer takes only the bytes it
 * lacks: the next whole reply in the read is handed out where it lies. */
static void test_fixed_reply_after_a_buffered_one_is_not_copied(void **unused) {
  tt_framer f;
  char first[] = "a", second[] = "bcd";
  char *r;
  size_t n;
  tt_framer_init(&f, "\n", 1, 2, 100);
  tt_framer_feed(&f, first, 1);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_MORE);
  tt_framer_feed(&f, second, 3);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_REPLY);
  assert_int_equal(n, 2);
  assert_memory_equal(r, "ab", 2);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_REPLY);
  assert_ptr_equal(r, second + 1);
  assert_int_equal(n, 2);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_MORE);
  tt_framer_free(&f);
}

/* r[n] may be written even when the reply fills all that was buffered: a
 * fixed-size reply as long as the buffer's first capacity (64 bytes), and
 * one of exactly max_reply bytes. A write past the buffer shows in a
 * sanitized build (the one tests/mutation/mutate.sh makes). */
static void test_a_buffered_reply_has_a_byte_after_it(void **unused) {
  char ten[11], fifty_four[55], sixty_four[65];
  memset(ten, 'x', 10);
  ten[10] = '\0';
  memset(fifty_four, 'x', 54);
  fifty_four[54] = '\0';
  memset(sixty_four, 'x', 64);
  sixty_four[64] = '\0';
  check("\n", 64, 100, READS(ten, fifty_four), sixty_four);
  check("\n", 4, 4, READS("ab", "cd"), "abcd");
}

static void test_discard_forgets_everything(void **unused) {
  tt_framer f;
  char data[] = "partial";
  char more[] = "\nnext\n";
  char *r;
  size_t n;
  tt_framer_init(&f, "\n", 1, 0, 100);
  tt_framer_feed(&f, data, strlen(data));
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_MORE);
  assert_int_equal(tt_framer_pending(&f), 7);
  assert_int_equal(tt_framer_discard(&f), 7);
  assert_int_equal(tt_framer_pending(&f), 0);
  tt_framer_feed(&f, more, strlen(more));
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_REPLY);
  assert_int_equal(n, 0); /* the tail of the dropped reply */
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_REPLY);
  assert_int_equal(n, 4);
  assert_memory_equal(r, "next", 4);
  /* The rest of an input can be discarded too. */
  char two[] = "x\ny\n";
  tt_framer_feed(&f, two, 4);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_REPLY);
  assert_int_equal(tt_framer_discard(&f), 2);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_MORE);
  /* A reply handed out from the buffer is not counted with what follows. */
  char ab[] = "ab", rest[] = "c\nxyz";
  tt_framer_feed(&f, ab, 2);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_MORE);
  tt_framer_feed(&f, rest, 5);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_REPLY);
  assert_memory_equal(r, "abc", 3);
  assert_int_equal(tt_framer_discard(&f), 3);
  assert_int_equal(tt_framer_pending(&f), 0);
  tt_framer_free(&f);
}

static void test_whole_replies_are_not_copied(void **unused) {
  tt_framer f;
  char data[] = "a\nb\n";
  char *r;
  size_t n;
  tt_framer_init(&f, "\n", 1, 0, 100);
  tt_framer_feed(&f, data, 4);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_REPLY);
  assert_ptr_equal(r, data);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_REPLY);
  assert_ptr_equal(r, data + 2);
  assert_null(f.buf);
  tt_framer_free(&f);
}

static void test_binary_bytes_and_nul(void **unused) {
  tt_framer f;
  char data[] = { 'a', '\0', 'b', '\n', '\xff', '\n' };
  char *r;
  size_t n;
  tt_framer_init(&f, "\n", 1, 0, 100);
  tt_framer_feed(&f, data, sizeof data);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_REPLY);
  assert_int_equal(n, 3);
  assert_memory_equal(r, "a\0b", 3);
  assert_int_equal(tt_framer_next(&f, &r, &n), TT_FRAME_REPLY);
  assert_int_equal(n, 1);
  tt_framer_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_one_reply_per_read),
    cmocka_unit_test(test_replies_joined_in_one_read),
    cmocka_unit_test(test_reply_split_over_reads),
    cmocka_unit_test(test_end_straddles_reads),
    cmocka_unit_test(test_cr_before_newline_is_not_the_replys),
    cmocka_unit_test(test_empty_reply_looks_at_nothing_before_it),
    cmocka_unit_test(test_fixed_size_replies),
    cmocka_unit_test(test_max_reply_counts_the_end),
    cmocka_unit_test(test_no_end_within_max_is_overlong),
    cmocka_unit_test(test_reply_after_a_buffered_one),
    cmocka_unit_test(test_fixed_reply_after_a_buffered_one_is_not_copied),
    cmocka_unit_test(test_a_buffered_reply_has_a_byte_after_it),
    cmocka_unit_test(test_discard_forgets_everything),
    cmocka_unit_test(test_whole_replies_are_not_copied),
    cmocka_unit_test(test_binary_bytes_and_nul),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_escape.c - what may reach a terminal from the network, how output is
 * cut to fit, and how typed escapes are read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"

#define BIG 4096

/* Escapes len bytes of src into a large buffer and returns it. */
static const char *esc(const char *src, size_t len, int flags) {
  static char out[BIG];
  size_t n = tt_escape(out, sizeof(out), src, len, flags);
  assert_int_equal(n, strlen(out));
  return out;
}

#define ESC(lit) esc(lit, sizeof(lit) - 1, 0)
#define ESC_ASCII(lit) esc(lit, sizeof(lit) - 1, TT_ESC_ASCII)

/* ---- the rules, one by one ---- */

static void test_printable_ascii_passes(void **state) {
  assert_string_equal(ESC("GET / HTTP/1.1 ~!@#$%^&*()_+{}|:\"<>?'"),
                      "GET / HTTP/1.1 ~!@#$%^&*()_+{}|:\"<>?'");
  assert_string_equal(ESC_ASCII("+PONG"), "+PONG");
}

static void test_backslash_is_doubled(void **state) {
  assert_string_equal(ESC("a\\b"), "a\\\\b");
  assert_string_equal(ESC("\\x41"), "\\\\x41");
}

static void test_keep_backslash_leaves_a_regex_readable(void **state) {
  assert_string_equal(esc("^\\+PONG\x1b", 8, TT_ESC_KEEP_BACKSLASH),
                      "^\\+PONG\\x1b");
  assert_string_equal(esc("\\d+\r", 4, TT_ESC_KEEP_BACKSLASH), "\\d+\\r");
}

static void test_cr_lf_tab_have_their_names(void **state) {
  assert_string_equal(ESC("+PONG\r\n"), "+PONG\\r\\n");
  assert_string_equal(ESC("a\tb"), "a\\tb");
}

static void test_other_c0_and_del_are_hex(void **state) {
  assert_string_equal(ESC("\x01\x07\x08\x0b\x0c\x1b\x1f\x7f"),
                      "\\x01\\x07\\x08\\x0b\\x0c\\x1b\\x1f\\x7f");
}

static void test_nul_is_escaped_not_an_end(void **state) {
  assert_string_equal(esc("a\0b", 3, 0), "a\\x00b");
}

static void test_hex_is_lowercase(void **state) {
  assert_string_equal(ESC_ASCII("\xAB\xFF"), "\\xab\\xff");
}

static void test_valid_utf8_passes(void **state) {
  /* Boundaries of each length: U+00A0, U+07FF, U+0800, U+D7FF, U+E000,
   * U+FFFF, U+10000, U+10FFFF. */
  static const char *const ok[] = {
      "\xc2\xa0",         "\xdf\xbf",         "\xe0\xa0\x80",
      "\xed\x9f\xbf",     "\xee\x80\x80",     "\xef\xbf\xbf",
      "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "caf\xc3\xa9 \xe2\x9c\x93",
  };
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
    assert_string_equal(esc(ok[i], strlen(ok[i]), 0), ok[i]);
}

static void test_ascii_flag_escapes_all_high_bytes(void **state) {
  assert_string_equal(ESC_ASCII("caf\xc3\xa9"), "caf\\xc3\\xa9");
  assert_string_equal(ESC_ASCII("\xf0\x9f\x98\x80"),
                      "\\xf0\\x9f\\x98\\x80");
}

/* Characters that reorder or hide text (a name that reads "admin" but is
 * not) are shown escaped, as controls are. */
static void test_bidi_and_invisible_characters_are_escaped(void **state) {
  /* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE,
   * U+200B ZERO WIDTH SPACE, U+FEFF, U+00AD SOFT HYPHEN, U+E0041. */
  assert_string_equal(ESC("a\xe2\x80\xae" "b"), "a\\xe2\\x80\\xaeb");
  assert_string_equal(ESC("\xe2\x81\xa6"), "\\xe2\\x81\\xa6");
  assert_string_equal(ESC("\xe2\x80\x8b"), "\\xe2\\x80\\x8b");
  assert_string_equal(ESC("\xef\xbb\xbf"), "\\xef\\xbb\\xbf");
  assert_string_equal(ESC("\xc2\xad"), "\\xc2\\xad");
  assert_string_equal(ESC("\xf3\xa0\x81\x81"), "\\xf3\\xa0\\x81\\x81");
  /* Their neighbours are ordinary text. */
  assert_string_equal(ESC("\xe2\x80\x90"), "\xe2\x80\x90"); /* U+2010 */
  assert_string_equal(ESC("\xef\xb8\x8f"), "\xef\xb8\x8f"); /* VS16 */
}

static void test_unsafe_characters(void **state) {
  static const uint32_t unsafe[] = {
      0x00,   0x1b,   0x7f,   0x80,   0x9b,   0x9f,   0xad,   0x061c,
      0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x202a, 0x202e,
      0x2060, 0x2064, 0x2066, 0x2069, 0x180e, 0xfeff, 0xe0001, 0xe007f};
  static const uint32_t safe[] = {0x20,   0x7e,   0xa0,   0xe9,  0x2010,
                                   0x2030, 0x3000, 0xfe0f, 0xffff, 0x1f600};
  for (size_t i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
    assert_true(tt_char_unsafe(unsafe[i]));
  for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
    assert_false(tt_char_unsafe(safe[i]));
}

static void test_unsafe_characters_are_named(void **state) {
  char buf[80];
  assert_string_equal(tt_char_describe(0x202e, buf, sizeof(buf)),
                      "U+202E RIGHT-TO-LEFT OVERRIDE");
  assert_string_equal(tt_char_describe(0x9b, buf, sizeof(buf)),
                      "U+009B CONTROL SEQUENCE INTRODUCER");
  assert_string_equal(tt_char_describe(0x200b, buf, sizeof(buf)),
                      "U+200B ZERO WIDTH SPACE");
  assert_string_equal(tt_char_describe(0x81, buf, sizeof(buf)),
                      "U+0081 (a C1 control character)");
  assert_string_equal(tt_char_describe(0xe0041, buf, sizeof(buf)),
                      "U+E0041 (an invisible format character)");
  assert_string_equal(tt_char_describe(TT_CP_INVALID, buf, sizeof(buf)),
                      "a byte that is not UTF-8");
}

static void test_text_check_finds_the_first_unsafe_character(void **state) {
  uint32_t cp = 0;
  assert_int_equal(tt_text_check("caf\xc3\xa9", 5, &cp), 5);
  assert_int_equal(tt_text_check("ab\xe2\x80\xae" "cd", 7, &cp), 2);
  assert_int_equal(cp, 0x202e);
  assert_int_equal(tt_text_check("a\tb", 3, &cp), 1);
  assert_int_equal(cp, '\t');
  assert_int_equal(tt_text_check("ok\xff", 3, &cp), 2);
  assert_int_equal(cp, TT_CP_INVALID);
  assert_int_equal(tt_text_check("x\xc2\x9b", 3, &cp), 1);
  assert_int_equal(cp, 0x9b);
}

static void test_c1_controls_are_escaped_bytewise(void **state) {
  /* U+0080, U+0085 (NEL), U+009B (CSI), U+009F. */
  assert_string_equal(ESC("\xc2\x80"), "\\xc2\\x80");
  assert_string_equal(ESC("\xc2\x85"), "\\xc2\\x85");
  assert_string_equal(ESC("\xc2\x9b" "2J"), "\\xc2\\x9b2J");
  assert_string_equal(ESC("\xc2\x9f"), "\\xc2\\x9f");
  /* A bare 8-bit CSI is not UTF-8 at all. */
  assert_string_equal(ESC("\x9b" "2J"), "\\x9b2J");
}

static void test_overlong_forms_are_escaped(void **state) {
  assert_string_equal(ESC("\xc0\xaf"), "\\xc0\\xaf");
  assert_string_equal(ESC("\xc1\xbf"), "\\xc1\\xbf");
  assert_string_equal(ESC("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");
  assert_string_equal(ESC("\xe0\x9f\xbf"), "\\xe0\\x9f\\xbf");
  assert_string_equal(ESC("\xf0\x80\x80\xaf"), "\\xf0\\x80\\x80\\xaf");
  assert_string_equal(ESC("\xf0\x8f\xbf\xbf"), "\\xf0\\x8f\\xbf\\xbf");
}

static void test_surrogates_are_escaped(void **state) {
  assert_string_equal(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80");
  assert_string_equal(ESC("\xed\xbf\xbf"), "\\xed\\xbf\\xbf");
}

static void test_beyond_u10ffff_is_escaped(void **state) {
  assert_string_equal(ESC("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
  assert_string_equal(ESC("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80");
  assert_string_equal(ESC("\xff\xfe"), "\\xff\\xfe");
}

static void test_truncated_sequences_are_escaped(void **state) {
  /* At the end of the input... */
  assert_string_equal(ESC("ok\xe2\x82"), "ok\\xe2\\x82");
  assert_string_equal(ESC("\xf0\x9f\x98"), "\\xf0\\x9f\\x98");
  /* ...and cut short by another character, which survives. */
  assert_string_equal(ESC("\xe2\x82" "A"), "\\xe2\\x82A");
  assert_string_equal(ESC("\xf0\x9f\x98" "\xf0\x9f\x98\x80"),
                      "\\xf0\\x9f\\x98\xf0\x9f\x98\x80");
  assert_string_equal(ESC("\xc3\r"), "\\xc3\\r");
}

static void test_stray_continuation_is_escaped(void **state) {
  assert_string_equal(ESC("\x80" "a\xbf"), "\\x80a\\xbf");
}

static void test_terminal_clear_screen_is_defused(void **state) {
  assert_string_equal(ESC("\x1b[2J\x1b[H"), "\\x1b[2J\\x1b[H");
}

static void test_osc52_clipboard_write_is_defused(void **state) {
  /* OSC 52 would set the clipboard; both terminators are escaped. */
  assert_string_equal(ESC("\x1b]52;c;cm0gLXJmIH4=\x07"),
                      "\\x1b]52;c;cm0gLXJmIH4=\\x07");
  assert_string_equal(ESC("\x1b]52;c;eA==\x1b\\"),
                      "\\x1b]52;c;eA==\\x1b\\\\");
}

/* Every single byte, in both modes, becomes exactly what the rules say. */
static void test_every_byte_alone(void **state) {
  for (int flags = 0; flags <= TT_ESC_ASCII; flags += TT_ESC_ASCII) {
    for (int b = 0; b < 256; b++) {
      char in = (char)b, want[8];
      if (b == '\\')
        strcpy(want, "\\\\");
      else if (b == '\r')
        strcpy(want, "\\r");
      else if (b == '\n')
        strcpy(want, "\\n");
      else if (b == '\t')
        strcpy(want, "\\t");
      else if (b >= 0x20 && b < 0x7f)
        snprintf(want, sizeof(want), "%c", b);
      else /* a lone byte >= 0x80 is never well-formed UTF-8 */
        snprintf(want, sizeof(want), "\\x%02x", b);
      assert_string_equal(esc(&in, 1, flags), want);
    }
  }
}

/* The output never holds a byte a terminal would act on, and reading it
 * back gives the input. */
static void check_safe_and_reversible(const char *src, size_t len,
                                      int flags) {
  char back[BIG];
  const char *why = NULL;
  const char *out = esc(src, len, flags);
  size_t olen = strlen(out);

  for (size_t i = 0; i < olen; i++) {
    unsigned char c = (unsigned char)out[i];
    assert_true(c >= 0x20 && c != 0x7f);
    if (flags & TT_ESC_ASCII)
      assert_true(c < 0x80);
    /* No C1 control in its UTF-8 form. */
    if (c == 0xc2 && i + 1 < olen)
      assert_false((unsigned char)out[i + 1] < 0xa0);
  }
  assert_true(olen < sizeof(back));
  memcpy(back, out, olen + 1);
  long n = tt_unescape(back, &why);
  assert_int_equal(n, (long)len);
  assert_memory_equal(back, src, len);
}

static void test_all_256_bytes_in_one_buffer(void **state) {
  char all[256];
  for (int b = 0; b < 256; b++)
    all[b] = (char)b;
  check_safe_and_reversible(all, sizeof(all), 0);
  check_safe_and_reversible(all, sizeof(all), TT_ESC_ASCII);
}

static void test_random_bytes_are_safe_and_reversible(void **state) {
  uint32_t seed = 12345;
  char buf[300];
  for (int round = 0; round < 2000; round++) {
    size_t len = 0;
    seed = seed * 1103515245u + 12345u;
    len = (seed >> 16) % sizeof(buf);
    for (size_t i = 0; i < len; i++) {
      seed = seed * 1103515245u + 12345u;
      /* Favour the interesting bytes: UTF-8 leads and continuations. */
      uint32_t r = seed >> 16;
      buf[i] = (char)(r & 1 ? 0x80 | (r >> 1 & 0x7f) : r >> 1 & 0xff);
    }
    check_safe_and_reversible(buf, len, round & 1 ? TT_ESC_ASCII : 0);
  }
}

/* ---- cutting to fit ---- */

static void test_empty_input(void **state) {
  char out[4] = "zzz";
  assert_int_equal(tt_escape(out, sizeof(out), "", 0, 0), 0);
  assert_string_equal(out, "");
  assert_int_equal(tt_escape(out, 1, NULL, 0, 0), 0);
  assert_string_equal(out, "");
}

static void test_size_one_gives_empty_string(void **state) {
  char out[2] = "z";
  assert_int_equal(tt_escape(out, 1, "abc", 3, 0), 0);
  assert_string_equal(out, "");
}

static void test_size_zero_writes_nothing(void **state) {
  char out[1] = {'z'};
  assert_int_equal(tt_escape(out, 0, "abc", 3, 0), 0);
  assert_int_equal(out[0], 'z');
}

static void test_exact_fit_is_not_cut(void **state) {
  char out[8];
  assert_int_equal(tt_escape(out, 6, "hello", 5, 0), 5);
  assert_string_equal(out, "hello");
}

static void test_cut_ends_in_ellipsis(void **state) {
  char out[16];
  assert_int_equal(tt_escape(out, 8, "hello world", 11, 0), 7);
  assert_string_equal(out, "hell...");
}

static void test_too_small_for_ellipsis_gives_dots(void **state) {
  char out[4];
  tt_escape(out, 3, "abc", 3, 0);
  assert_string_equal(out, "..");
  tt_escape(out, 2, "abc", 3, 0);
  assert_string_equal(out, ".");
}

static void test_cut_never_splits_an_escape(void **state) {
  char out[16];
  /* "\x01\x02" needs 8; with 7 of room only "\x01" plus "..." fits. */
  tt_escape(out, 8, "\x01\x02", 2, 0);
  assert_string_equal(out, "\\x01...");
  tt_escape(out, 7, "\x01\x02", 2, 0);
  assert_string_equal(out, "...");
}

static void test_cut_never_splits_utf8(void **state) {
  char out[16];
  /* "a" then U+1F600 (4 bytes) then "b": 6 bytes, 5 of room. */
  tt_escape(out, 6, "a\xf0\x9f\x98\x80" "b", 6, 0);
  assert_string_equal(out, "a...");
}

/* For every n, the output is NUL-terminated inside n, is the full output
 * when that fits, and is otherwise the longest whole-unit prefix of the
 * full output that leaves room for "...", followed by "...". */
static void check_cuts(const char *src, size_t len, int flags) {
  char full[BIG];
  size_t flen = tt_escape(full, sizeof(full), src, len, flags);
  size_t last_kept = 0;
  assert_true(flen + 1 < sizeof(full));

  for (size_t n = 1; n <= 64; n++) {
    char out[96], kept[96], again[96];
    const char *why = NULL;
    memset(out, 'Z', sizeof(out));
    size_t got = tt_escape(out, n, src, len, flags);

    assert_true(got < n);
    assert_int_equal(out[got], '\0');
    assert_int_equal(strlen(out), got);
    for (size_t k = n; k < sizeof(out); k++)
      assert_int_equal(out[k], 'Z');

    if (flen < n) {
      assert_string_equal(out, full);
      continue;
    }
    if (n - 1 < 3) {
      assert_int_equal(got, n - 1);
      assert_memory_equal(out, "...", got);
      continue;
    }
    assert_true(got >= 3);
    assert_string_equal(out + got - 3, "...");
    size_t p = got - 3;
    /* A prefix of the full output, growing with n. */
    assert_memory_equal(out, full, p);
    assert_true(p >= last_kept);
    last_kept = p;
    /* Cut at a whole unit: the kept text reads back to a prefix of the
     * input whose own escape is exactly the kept text (a split escape
     * would not read back; a split UTF-8 sequence would escape
     * differently). */
    memcpy(kept, out, p);
    kept[p] = '\0';
    long k = tt_unescape(kept, &why);
    assert_true(k >= 0);
    assert_memory_equal(kept, src, (size_t)k);
    assert_int_equal(tt_escape(again, sizeof(again), src, (size_t)k, flags),
                     p);
    assert_memory_equal(again, out, p);
    /* Nothing that fitted was dropped: the next unit is at most 4. */
    assert_true(p + 3 + 4 > n - 1);
  }
}

static void test_cuts_at_every_size(void **state) {
  static const struct {
    const char *s;
    size_t len;
  } inputs[] = {
#define IN(lit) {lit, sizeof(lit) - 1}
      IN("plain ascii text that is longer than sixty-four bytes, certainly"),
      IN("\\\\\\\r\n\t\\x\\"),
      IN("\x1b[2J\x1b[H\x1b]52;c;cm0gLXJmIH4=\x07"),
      IN("a\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80z\xc3\xa9\xe2\x9c\x93\xf0\x9f"
         "\x98\x80\xf4\x8f\xbf\xbf"),
      IN("\xc2\x85\xe2\x82\xed\xa0\x80\xf0\x9f\x98\xc3\xa9\xc0\xaf\xff"),
      IN("\x01\xc3\xa9\x02\xf0\x9f\x98\x80\x03\\\x04\r\x05"),
      IN("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"),
#undef IN
  };
  char all[256];
  for (int b = 0; b < 256; b++)
    all[b] = (char)b;

  for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
    check_cuts(inputs[i].s, inputs[i].len, 0);
    check_cuts(inputs[i].s, inputs[i].len, TT_ESC_ASCII);
  }
  check_cuts(all, sizeof(all), 0);
  check_cuts(all, sizeof(all), TT_ESC_ASCII);
}

/* ---- reading escapes ---- */

static long unesc(char *s) {
  const char *why = NULL;
  return tt_unescape(s, &why);
}

static void test_unescape_plain_text_is_unchanged(void **state) {
  char s[] = "PING";
  assert_int_equal(unesc(s), 4);
  assert_string_equal(s, "PING");
  char e[] = "";
  assert_int_equal(unesc(e), 0);
}

static void test_unescape_named_escapes(void **state) {
  char s[] = "\\r\\n\\t\\\\\\e\\\"\\'";
  assert_int_equal(unesc(s), 7);
  assert_memory_equal(s, "\r\n\t\\\033\"'", 8);
}

static void test_unescape_nul_is_kept(void **state) {
  char s[] = "a\\0b";
  assert_int_equal(unesc(s), 3);
  assert_memory_equal(s, "a\0b", 4);
}

static void test_unescape_hex_takes_exactly_two_digits(void **state) {
  char s[] = "\\x41\\xfF\\x414";
  assert_int_equal(unesc(s), 4);
  assert_memory_equal(s, "A\xff" "A4", 5);
}

static void test_unescape_http_request(void **state) {
  char s[] = "HEAD / HTTP/1.1\\r\\nConnection: keep-alive\\r\\n\\r\\n";
  const char want[] = "HEAD / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n";
  assert_int_equal(unesc(s), (long)sizeof(want) - 1);
  assert_string_equal(s, want);
}

static void check_malformed(const char *text, const char *word) {
  char s[32];
  const char *why = NULL;
  strcpy(s, text);
  assert_int_equal(tt_unescape(s, &why), -1);
  assert_non_null(why);
  assert_non_null(strstr(why, word));
  /* Left as it was, for the caller to quote. */
  assert_string_equal(s, text);
}

static void test_unescape_unknown_escape_fails(void **state) {
  check_malformed("\\q", "unknown escape");
  check_malformed("ok\\r\\a", "unknown escape");
  check_malformed("\\1", "unknown escape");
}

static void test_unescape_trailing_backslash_fails(void **state) {
  check_malformed("PING\\", "backslash ends");
  check_malformed("\\", "backslash ends");
}

static void test_unescape_short_hex_fails(void **state) {
  check_malformed("\\x", "two hex digits");
  check_malformed("\\x4", "two hex digits");
  check_malformed("\\x4g", "two hex digits");
  check_malformed("\\xg4", "two hex digits");
}

static void test_unescape_accepts_null_why(void **state) {
  char s[] = "\\z";
  assert_int_equal(tt_unescape(s, NULL), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_printable_ascii_passes),
      cmocka_unit_test(test_backslash_is_doubled),
    cmocka_unit_test(test_keep_backslash_leaves_a_regex_readable),
      cmocka_unit_test(test_cr_lf_tab_have_their_names),
      cmocka_unit_test(test_other_c0_and_del_are_hex),
      cmocka_unit_test(test_nul_is_escaped_not_an_end),
      cmocka_unit_test(test_hex_is_lowercase),
      cmocka_unit_test(test_valid_utf8_passes),
      cmocka_unit_test(test_ascii_flag_escapes_all_high_bytes),
      cmocka_unit_test(test_c1_controls_are_escaped_bytewise),
      cmocka_unit_test(test_bidi_and_invisible_characters_are_escaped),
      cmocka_unit_test(test_unsafe_characters),
      cmocka_unit_test(test_unsafe_characters_are_named),
      cmocka_unit_test(test_text_check_finds_the_first_unsafe_character),
      cmocka_unit_test(test_overlong_forms_are_escaped),
      cmocka_unit_test(test_surrogates_are_escaped),
      cmocka_unit_test(test_beyond_u10ffff_is_escaped),
      cmocka_unit_test(test_truncated_sequences_are_escaped),
      cmocka_unit_test(test_stray_continuation_is_escaped),
      cmocka_unit_test(test_terminal_clear_screen_is_defused),
      cmocka_unit_test(test_osc52_clipboard_write_is_defused),
      cmocka_unit_test(test_every_byte_alone),
      cmocka_unit_test(test_all_256_bytes_in_one_buffer),
      cmocka_unit_test(test_random_bytes_are_safe_and_reversible),
      cmocka_unit_test(test_empty_input),
      cmocka_unit_test(test_size_one_gives_empty_string),
      cmocka_unit_test(test_size_zero_writes_nothing),
      cmocka_unit_test(test_exact_fit_is_not_cut),
      cmocka_unit_test(test_cut_ends_in_ellipsis),
      cmocka_unit_test(test_too_small_for_ellipsis_gives_dots),
      cmocka_unit_test(test_cut_never_splits_an_escape),
      cmocka_unit_test(test_cut_never_splits_utf8),
      cmocka_unit_test(test_cuts_at_every_size),
      cmocka_unit_test(test_unescape_plain_text_is_unchanged),
      cmocka_unit_test(test_unescape_named_escapes),
      cmocka_unit_test(test_unescape_nul_is_kept),
      cmocka_unit_test(test_unescape_hex_takes_exactly_two_digits),
      cmocka_unit_test(test_unescape_http_request),
      cmocka_unit_test(test_unescape_unknown_escape_fails),
      cmocka_unit_test(test_unescape_trailing_backslash_fails),
      cmocka_unit_test(test_unescape_short_hex_fails),
      cmocka_unit_test(test_unescape_accepts_null_why),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

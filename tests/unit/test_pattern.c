/* test_pattern.c - reply matching: glibc's answers on every pattern taken,
 * refusals with advice, linear time on patterns that stall backtrackers. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ere_ref.h"
#include "pattern.h"
#include "pattern_prog.h"
#include "rng.h"

static void compile_ok(tt_pattern *p, const char *src) {
  char err[160];
  if (tt_pattern_compile(p, src, err, sizeof err) != 0)
    fail_msg("%s: %s", src, err);
}

/* Matches n bytes through a buffer of exactly n bytes, so that a read past
 * the reply's end is caught by the sanitizers. */
static bool match(const tt_pattern *p, const char *text, size_t n) {
  char *buf = malloc(n > 0 ? n : 1);
  assert_non_null(buf);
  memcpy(buf, text, n);
  bool ok = tt_pattern_match(p, buf, n);
  free(buf);
  return ok;
}

/* The ways a program can run: as shipped, each engine alone, and with
 * caches so small that states are flushed all the time or do not fit. */
static const struct engine {
  const char *name;
  int mode;
  size_t cache_max;
} engines[] = {
  {"auto", TT_RE_MODE_AUTO, TT_PATTERN_CACHE_MAX},
  {"dfa", TT_RE_MODE_DFA, TT_PATTERN_CACHE_MAX},
  {"nfa", TT_RE_MODE_NFA, TT_PATTERN_CACHE_MAX},
  {"auto, 600-byte cache", TT_RE_MODE_AUTO, 600},
  {"dfa, 300-byte cache", TT_RE_MODE_DFA, 300},
  {"dfa, 40-byte cache", TT_RE_MODE_DFA, 40},
};
#define NENGINES (sizeof(engines) / sizeof(engines[0]))

static void use_engine(tt_pattern *p, const struct engine *e) {
  tt_re_cache_free(p->prog);
  p->prog->mode = e->mode;
  p->prog->cache_max = e->cache_max;
}

static void show(char *out, size_t size, const char *s, size_t n) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 5 < size; i++) {
    unsigned char c = (unsigned char)s[i];
    o += (size_t)snprintf(out + o, size - o,
                          c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
  }
  out[o] = '\0';
}

/* Compares src on text with glibc under every engine; returns whether a
 * comparison was made (see tt_ref_comparable). */
static bool agrees(const char *src, const char *text, size_t n) {
  regex_t re;
  if (tt_ref_compile(&re, src) != 0)
    fail_msg("glibc refuses %s, which the table says it takes", src);
  bool comparable = tt_ref_comparable(src, text, n);
  if (comparable) {
    bool want = tt_ref_match(&re, text, n);
    tt_pattern p;
    compile_ok(&p, src);
    for (size_t e = 0; e < NENGINES; e++) {
      use_engine(&p, &engines[e]);
      /* Twice: from an empty cache, then from what the first run left. */
      for (int round = 0; round < 2; round++) {
        if (match(&p, text, n) != want) {
          char shown[256];
          show(shown, sizeof shown, text, n);
          fail_msg("%s on \"%s\" (%s, round %d): we say %d, glibc %d", src,
                   shown, engines[e].name, round, !want, want);
        }
      }
    }
    tt_pattern_free(&p);
  }
  regfree(&re);
  return comparable;
}

#define T(lit) {lit, sizeof(lit) - 1}

static const struct text {
  const char *s;
  size_t n;
} texts[] = {
  T(""), T("a"), T("b"), T("c"), T("x"), T("y"), T("aa"), T("ab"), T("ba"),
  T("abc"), T("aab"), T("aaab"), T("abab"), T("bcd"), T("xay"), T("xaay"),
  T("xy"), T("aaaaaaaaaaaaaaaaaaaa"), T("aaaaaaaaaaaaaaaaaaab"),
  T("xxxxxxxxxxxxxy"), T("xxxxxxxxxxxxxx"), T("a\nb"), T("a\n"), T("\na"),
  T("\n"), T("\0"), T("a\0b"), T("\0a"), T("a\0"), T("\0\0\0"), T("\xe9"),
  T("caf\xe9"), T("\x80\xff"), T("\x7f"), T("\x01"), T("+PONG"), T("+PONG\r"),
  T("-ERR"), T(" +PONG"), T("HTTP/1.1 200 OK"), T("HTTP/1.0 404 Not Found"),
  T("HTTP/2 200"), T("HTTP/1.1 20"), T("220 mx ESMTP"), T("220"), T("2200"),
  T("220-mx"), T("221 bye"), T("SSH-2.0-OpenSSH_9.2"), T("SSH"),
  T("VERSION 1.6.21"), T("tether"), T("tethers"), T("OK"), T("OK done"),
  T("a-c"), T("]"), T("-"), T("!"), T("["), T("\\"), T("{"), T("}"), T("("),
  T(")"), T("|"), T("^"), T("$"), T("*"), T("."), T("_"), T(" "), T("\t"),
  T("\r\n"), T("AZaz09"), T("a b\tc"), T("x^y"), T("x$y"), T("a]b"), T("{2}"),
  T("ab\0ab\0c"), T("d"), T("dddd"), T("aaaa"), T("aaaaa"), T("aaaaaa"),
};

/* Patterns glibc takes as well: each runs on every text above. */
static const char *const table[] = {
  /* What presets and the documentation use. */
  "^\\+PONG", "^HTTP/1\\.[01] [0-9]{3}", "^220( |$)", "^SSH-", "^VERSION ",
  "^tether$", "^250", "^OK( |$)", "^\\* OK", "^\\+OK", "^ok [0-9]+$",
  /* Literals, empties, alternation. */
  "", "a", "abc", "a|b", "a||b", "|a", "a|", "()", "(|a)", "(a|)", "(a|b|)",
  "(())", "((a)|b)", "x(a|b)y", "(ab|a)(c|bcd)", "(a|ab)(c|bcd)(d*)",
  /* Repetition, nested and stacked. */
  "a*", "a+", "a?", "a{2}", "a{2,}", "a{2,3}", "a{0}", "a{0,0}b", "a{0,1}",
  "(ab){2}", "(a|bc){1,3}d", "x(a|b)*y", "(a*)*", "(a*)+b",
  "(a+)*b", "(a?){3}a{3}", "(a|aa)*b", "(x+x+)+y", "((a)|b)+c", "a**", "a+*",
  "a?*", "a*?", "a+?", "a?+", "a{1}{2}", "a*{2}", "a{2}{3}", "a{2,}{2}",
  "(a{2}){2,3}", "(a{1,2}){2}b", "a{01}", "a{255}", "(a|b){3,5}c",
  "(()|a)*b", "(a*|b)*c", "(|a)+b", "(a{0,2}b?){2}c",
  /* Anchors anywhere. */
  "^", "$", "^$", "$^", "x$", "^x", "^x$", "^(a|b)$", "a^b", "x$y", "(^)*a",
  "(^a|b)c", "a$|b", "(a$)|b", "(^|x)a", "a($|x)", "(^a)*b",
  "(a|^b)*c", "x|^", "$|x", "^a*$", "^(a|b)*$", "(a$)*",
  /* Brackets. */
  "[abc]", "[^abc]", "[a-c]", "[^a-c]", "[]a]", "[^]a]", "[]-a]", "[a-]",
  "[-a]", "[--]", "[!--]", "[a-c-]", "[---]", "[%--]", "[[.-.]]",
  "[[.].]]", "[[.a.]-c]", "[a-[.c.]]", "[[.-.]-/]", "[[=a=]]", "[[=a=]b]",
  "[[:alpha:]]", "[[:digit:][:upper:]]", "[^[:space:]]", "[[:punct:]]+",
  "[[:cntrl:]]", "[[:print:]]", "[[:graph:]]", "[[:blank:]]",
  "[[:xdigit:]]{2}", "[[:lower:]]", "[[:alnum:]_]", "[[:alpha:]-]",
  "[[]", "[a[]", "[[a]", "[^^]", "[\\]", "[a\\]+", "[\\\\]", "[\\.]",
  "[.]", "[*]", "[$]", "[x^]", "a[]]b", "[a-a]", "[ -~]+", "[^\x01-\x7f]",
  "[\x80-\xff]+", "[a-\xe9]", "\xe9", "caf\xe9$", "[^b-x]",
  /* GNU classes, the dot, escaped specials. */
  "\\w+", "\\W", "\\s", "\\S+", "\\w\\s\\W\\S", ".", "..", "a.c", ".*", "^.*$",
  "^.$", "^..$", "a.*b", ".+b", "\\.", "\\*", "\\[", "\\]", "\\(\\)", "\\{",
  "\\}", "\\|", "\\^", "\\$", "\\\\", "\\/", "\\-", "\\ ", "\\!", "\\_",
  "a\\+", "\\.\\*\\$", "}", "]", "a}", "a]b",
};

static void test_agrees_with_glibc_on_the_table(void **state) {
  size_t compared = 0;
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    for (size_t j = 0; j < sizeof texts / sizeof texts[0]; j++)
      compared += agrees(table[i], texts[j].s, texts[j].n);
  /* Most pairs compare; only anchors beside newlines are left out. */
  assert_true(compared > 9 * (sizeof table / sizeof table[0]) *
                             (sizeof texts / sizeof texts[0]) / 10);
}

/* Random patterns from pieces that interact, on random texts: thousands
 * of cases no one would think of, the same ones every run. */
static void test_agrees_with_glibc_on_random_patterns(void **state) {
  static const char *const pieces[] = {
    "a", "b", "x", ".", "*", "+", "?", "|", "(", "(", ")", "^", "$", "{2}",
    "{1,3}", "{0,}", "{0}", "[ab]", "[^a]", "[a-c]", "[]a]", "[[:alpha:]]",
    "\\.", "\\w", "\\s", "\\W", "\\S", "()", "(a|)", "[-a]", "[[.a.]-c]",
    "a*", "(a|b)*", "[^[:alnum:]]", "\xe9", "[\x80-\xff]", "\\(", "\\$",
  };
  static const char alphabet[] = "abcx.\n\0_ -]\xe9$^()|*+?{}\\/!";
  const size_t npieces = sizeof pieces / sizeof pieces[0];
  uint64_t rng = 20261125;
  size_t accepted = 0, compared = 0;
  for (int it = 0; it < 3000; it++) {
    char src[160] = "";
    int count = 1 + (int)(tt_rng_next(&rng) % 10);
    for (int k = 0; k < count; k++)
      strcat(src, pieces[tt_rng_next(&rng) % npieces]);
    tt_pattern p;
    char err[160];
    if (tt_pattern_compile(&p, src, err, sizeof err) != 0)
      continue;
    tt_pattern_free(&p);
    regex_t re;
    if (tt_ref_compile(&re, src) != 0)
      fail_msg("we take %s, glibc does not", src);
    regfree(&re);
    accepted++;
    for (int t = 0; t < 6; t++) {
      char text[48];
      size_t n = tt_rng_next(&rng) % (t < 3 ? 6 : sizeof text);
      for (size_t j = 0; j < n; j++)
        text[j] = alphabet[tt_rng_next(&rng) % (sizeof alphabet - 1)];
      compared += agrees(src, text, n);
    }
  }
  assert_true(accepted > 1000);
  assert_true(compared > 5000);
}

/* ---- on purpose unlike glibc ---- */

static void test_dot_and_negations_match_any_byte(void **state) {
  tt_pattern p;
  compile_ok(&p, "a.b");
  assert_true(match(&p, "a\0b", 3)); /* glibc's '.' skips NUL */
  tt_pattern_free(&p);
  compile_ok(&p, "^[^x]\\W\\S$");
  assert_true(match(&p, "\0\0\0", 3));
  tt_pattern_free(&p);
  compile_ok(&p, "^.{4}$");
  assert_true(match(&p, "\xff\x80\0\n", 4));
  assert_false(match(&p, "caf\xc3\xa9", 5)); /* bytes, not characters */
  tt_pattern_free(&p);
}

static void test_anchors_hold_only_at_the_ends(void **state) {
  /* glibc lets these match beside a newline that '.' or a bracket took,
   * as if REG_NEWLINE were set; POSIX without it does not. */
  static const char *const srcs[] = {"a.^b", "a[^x]^b", "a\\s^b", "a$.b",
                                     "a$[[:space:]]b", "a$\\W"};
  for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
    tt_pattern p;
    compile_ok(&p, srcs[i]);
    assert_false(match(&p, "a\nb", 3));
    assert_false(match(&p, "a\n", 2));
    tt_pattern_free(&p);
  }
}

static void test_counted_groups_mean_the_group_written_out(void **state) {
  /* glibc finds b(^|x){2} in "bx", but not b(^|x)(^|x). */
  tt_pattern p, q;
  compile_ok(&p, "b(^|x){2}");
  compile_ok(&q, "b(^|x)(^|x)");
  assert_false(match(&p, "bx", 2));
  assert_false(match(&q, "bx", 2));
  assert_true(match(&p, "bxx", 3));
  tt_pattern_free(&p);
  tt_pattern_free(&q);
}

/* ---- refusals ---- */

static void test_refusals_say_what_to_write(void **state) {
  static const struct {
    const char *src, *err;
  } cases[] = {
    {"(a*)\\1*c", "backreferences (\\1) are not supported: they can make "
                  "matching take exponential time"},
    {"(a)(b)\\2", "backreferences (\\2) are not supported: they can make "
                  "matching take exponential time"},
    {"\\d+", "\\d is not supported: use [0-9]"},
    {"\\D", "\\D is not supported: use [^0-9]"},
    {"a\\nb", "\\n is not a newline here: put the character itself in the "
              "pattern (in YAML, \"\\n\" in double quotes)"},
    {"\\t", "\\t is not a tab here: put the character itself in the pattern "
            "(in YAML, \"\\t\" in double quotes)"},
    {"\\bword", "word boundaries (\\b) are not supported: match the byte "
                "beside the word, as in (^|[^_[:alnum:]])"},
    {"\\<", "word boundaries (\\<) are not supported: match the byte beside "
            "the word, as in (^|[^_[:alnum:]])"},
    {"\\`a", "\\` is not supported: use ^"},
    {"a\\'", "\\' is not supported: use $"},
    {"\\x41", "\\x escapes are not supported: put the byte itself in the "
              "pattern (in YAML, \"\\x41\" in double quotes)"},
    {"\\q", "\\q has no meaning: write q alone"},
    {"\\0", "\\0 has no meaning: write 0 alone"},
    {"\\\xe9", "a backslash before \\xe9 has no meaning: leave it out"},
    {"a\\", "trailing backslash (write \\\\ for a literal \\)"},
    {"+PONG", "nothing before + to repeat (write \\+ for a literal +)"},
    {"*a", "nothing before * to repeat (write \\* for a literal *)"},
    {"a|?b", "nothing before ? to repeat (write \\? for a literal ?)"},
    {"(*a)", "nothing before * to repeat (write \\* for a literal *)"},
    {"{1}", "nothing before { to repeat (write \\{ for a literal {)"},
    {"^*", "* after an anchor repeats nothing (write \\* for a literal *)"},
    {"a$+", "+ after an anchor repeats nothing (write \\+ for a literal +)"},
    {"^{2}", "{ after an anchor repeats nothing (write \\{ for a literal {)"},
    {"(ab", "unmatched ( (write \\( for a literal ()"},
    {"a)", "unmatched ) (write \\) for a literal ))"},
    {"[a", "unmatched [ (write \\[ for a literal [)"},
    {"[]", "unmatched [ (write \\[ for a literal [)"},
    {"[^]", "unmatched [ (write \\[ for a literal [)"},
    {"[a-", "unmatched [ (write \\[ for a literal [)"},
    {"[[:alpha:]", "unmatched [ (write \\[ for a literal [)"},
    {"[[:alpha]", "[: without its :] in a bracket expression"},
    {"[[:foo:]]", "unknown class [:foo:] (the classes: alnum alpha blank "
                  "cntrl digit graph lower print punct space upper xdigit)"},
    {"[z-a]", "range z-a is backwards: write a-z"},
    {"[a-\\]", "range a-\\ is backwards: write \\-a"},
    {"[a-c-e]", "a - inside [ ] must come first or last, or end a range"},
    {"[[:alpha:]-z]", "a - inside [ ] must come first or last, or end a range"},
    {"[a-[:alpha:]]", "a range inside [ ] cannot end with a class"},
    {"[[.ab.]]", "[.ab.] is not a single character: only one character may "
                 "stand between [. and .]"},
    {"[[==]]", "[==] is not a single character: only one character may "
               "stand between [= and =]"},
    {"[\\d]", "inside [ ], \\d is a backslash and a d: write a class such as "
              "[:digit:] or [:space:] instead (or [d\\] for both)"},
    {"a{1", "{ must start a count such as {2}, {2,} or {2,5} (write \\{ for "
            "a literal {)"},
    {"a{x}", "{ must start a count such as {2}, {2,} or {2,5} (write \\{ for "
             "a literal {)"},
    {"a{1,2,3}", "{ must start a count such as {2}, {2,} or {2,5} (write \\{ "
                 "for a literal {)"},
    {"a{,3}", "{,3} is not a count: write {0,3}"},
    {"a{,}", "{,} is not a count: write *"},
    {"a{256}", "counts in { } go up to 255"},
    {"a{1,1000}", "counts in { } go up to 255"},
    {"a{3,2}", "{3,2}: the first count is over the second"},
    {"(.{255}){9}", "too big: 2296 states once counts are expanded, the most "
                    "is 2048 (use smaller counts)"},
    {"((a{255}){255}){255}", "too big: 16581376 states once counts are "
                             "expanded, the most is 2048 (use smaller counts)"},
    {"(((a{255}){255}){255}){255}", "too big: over 100000000 states once "
                                    "counts are expanded, the most is 2048 "
                                    "(use smaller counts)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tt_pattern p;
    char err[160];
    if (tt_pattern_compile(&p, cases[i].src, err, sizeof err) == 0)
      fail_msg("%s was taken", cases[i].src);
    if (strcmp(err, cases[i].err) != 0)
      fail_msg("%s:\n  want: %s\n  got:  %s", cases[i].src, cases[i].err, err);
    /* The config's buffer for it is 160 bytes. */
    assert_true(strlen(err) < sizeof err - 1);
  }
}

static void test_nesting_and_sets_are_bounded(void **state) {
  char src[204], err[160];
  tt_pattern p;
  memset(src, '(', 101);
  src[101] = 'a';
  memset(src + 102, ')', 101);
  src[203] = '\0';
  assert_int_equal(tt_pattern_compile(&p, src, err, sizeof err), -1);
  assert_string_equal(err, "parentheses nest deeper than 100");
  src[202] = '\0';
  compile_ok(&p, src + 1); /* 100 deep */
  tt_pattern_free(&p);

  /* 257 different two-byte brackets. */
  char *big = malloc(257 * 4 + 1);
  size_t o = 0;
  assert_non_null(big);
  for (int k = 0; k < 257; k++) {
    big[o++] = '[';
    big[o++] = "abc"[k / 128];
    big[o++] = (char)(0x80 + k % 128);
    big[o++] = ']';
  }
  big[o] = '\0';
  assert_int_equal(tt_pattern_compile(&p, big, err, sizeof err), -1);
  assert_string_equal(err, "more than 256 different bracket expressions");
  big[256 * 4] = '\0';
  compile_ok(&p, big);
  tt_pattern_free(&p);
  free(big);
}

/* ---- linear time ---- */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef struct cost {
  uint64_t work, states;
  size_t cache, memory, size;
} cost;

/* Matches n bytes and says what it took. */
static cost measure(tt_pattern *p, const char *text, size_t n, bool *ok) {
  tt_pattern_stats a, b;
  tt_pattern_get_stats(p, &a);
  *ok = match(p, text, n);
  tt_pattern_get_stats(p, &b);
  return (cost){.work = b.work - a.work, .states = b.states - a.states,
                .cache = b.cache, .memory = b.memory, .size = b.size};
}

/* The patterns that stall backtracking engines (glibc took 9.5 s on the
 * first against 400 bytes), over replies that make them work hardest:
 * every step is bounded by the program's size, the cache by its budget,
 * and where the DFA settles a byte costs about one step. */
static void test_hostile_patterns_cost_linear_time(void **state) {
  static const struct {
    const char *src;
    char fill;      /* the reply's bytes: this one, or random a/b (0),
                       ending in b's */
    bool settles;   /* the DFA stops building states */
  } cases[] = {
    {"(a|aa)*b", 'a', true},
    {"(a*)*b", 'a', true},
    {"(x+x+)+y", 'x', true},
    {"(.{100}){10}c", 'a', true},
    {"(a|b)*a(a|b){12}", 'b', true},
    {"(a|b)*a(a|b){12}$", 0, false}, /* 8192 DFA states: it thrashes */
    {"(a|b)*a(a|b){12}c", 0, false},
    {"(.{100}){10}c", 0, true},
  };
  static const size_t sizes[] = {4096, 1 << 20};
  for (size_t s = 0; s < 2; s++) {
    size_t n = sizes[s];
    char *text = malloc(n);
    assert_non_null(text);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      tt_pattern p;
      compile_ok(&p, cases[i].src);
      uint64_t rng = 7;
      for (size_t j = 0; j < n; j++)
        text[j] = cases[i].fill ? cases[i].fill
                                : "ab"[tt_rng_next(&rng) >> 63];
      if (!cases[i].fill)
        memset(text + n - 16, 'b', 16); /* no a 13 bytes from the end */
      bool ok;
      uint64_t t0 = now_ns();
      cost c = measure(&p, text, n, &ok);
      uint64_t ms = (now_ns() - t0) / 1000000;
      print_message("%-20s %7zu bytes: %s, %.1f steps a byte, %llu states, "
                    "%zu bytes of cache, %llu ms\n",
                    cases[i].src, n, ok ? "match" : "no match",
                    (double)c.work / (double)n,
                    (unsigned long long)c.states, c.cache,
                    (unsigned long long)ms);
      assert_false(ok);
      /* The guarantee: each byte visits each instruction at most twice. */
      assert_true(c.work <= 2 * (n + 1) * c.size);
      assert_true(c.cache <= TT_PATTERN_CACHE_MAX);
      assert_true(c.memory <= 80 * 1024);
      /* Settling takes at most about one state per instruction, each
       * built in as many steps; after that a byte is one step. */
      if (cases[i].settles && n > 4096)
        assert_true(c.work <= n + 2 * c.size * c.size);
      /* A second reply finds the states built. */
      if (cases[i].settles && c.size < 100) {
        c = measure(&p, text, n, &ok);
        assert_int_equal(c.states, 0);
        assert_int_equal(c.work, n);
      }
      /* Wall time, with room for sanitizers and a busy machine. */
      assert_true(ms < 10000);
      tt_pattern_free(&p);
    }
    free(text);
  }
}

/* The largest program allowed, made to thrash: the bound still holds. */
static void test_the_biggest_pattern_stays_within_its_bound(void **state) {
  tt_pattern p;
  compile_ok(&p, "(a|b)*a([ab]{255}){7}$");
  size_t n = 64 * 1024;
  char *text = malloc(n);
  assert_non_null(text);
  uint64_t rng = 11;
  for (size_t j = 0; j < n; j++)
    text[j] = "ab"[tt_rng_next(&rng) >> 63];
  bool ok;
  cost c = measure(&p, text, n, &ok);
  print_message("%zu instructions, %zu bytes: %.1f steps a byte, %zu bytes "
                "held\n", c.size, n, (double)c.work / (double)n, c.memory);
  assert_true(c.size > 1700 && c.size <= TT_PATTERN_MAX_SIZE);
  assert_true(c.work <= 2 * (n + 1) * c.size);
  assert_true(c.cache <= TT_PATTERN_CACHE_MAX);
  assert_true(c.memory <= 80 * 1024);
  tt_pattern_free(&p);
  free(text);
}

/* ---- the fast path and the API ---- */

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
    "^220( |$)", "^HTTP/1\\.[01] [0-9]{3}", "PONG", "^a*", "^a|b", "^\\/",
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

/* The fast path answers as the engine does. */
static void test_literal_agrees_with_the_engine(void **state) {
  static const char *const srcs[] = {
    "^\\+PONG", "^VERSION ", "^tether$", "^250", "^", "^$", "^\\.\\*\\$",
  };
  for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
    tt_pattern p;
    compile_ok(&p, srcs[i]);
    assert_non_null(p.literal);
    for (size_t j = 0; j < sizeof texts / sizeof texts[0]; j++) {
      bool fast = match(&p, texts[j].s, texts[j].n);
      bool slow = tt_re_match(p.prog, (const unsigned char *)texts[j].s,
                              texts[j].n);
      if (fast != slow)
        fail_msg("%s on text %zu: fast path says %d, engine %d", srcs[i], j,
                 fast, slow);
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

/* Thousands of targets share a pattern: a preset's costs little, and once
 * its states are built a reply allocates nothing. */
static void test_memory_per_pattern(void **state) {
  tt_pattern p;
  tt_pattern_stats st;
  compile_ok(&p, "^HTTP/1\\.[01] [0-9]{3}");
  assert_true(match(&p, "HTTP/1.1 200 OK", 15));
  tt_pattern_get_stats(&p, &st);
  print_message("%s: %zu instructions, %zu bytes held (%zu of cache)\n",
                p.source, st.size, st.memory, st.cache);
  assert_true(st.memory < 4096);
  size_t before = st.cache;
  uint64_t states = st.states;
  assert_false(match(&p, "HTTP/1.1 2x0", 12));
  assert_true(match(&p, "HTTP/1.0 404", 12));
  tt_pattern_get_stats(&p, &st);
  assert_int_equal(st.cache, before);
  assert_true(st.states <= states + 2);
  tt_pattern_free(&p);
}

int main(void) {
  setlocale(LC_ALL, "C");
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_agrees_with_glibc_on_the_table),
    cmocka_unit_test(test_agrees_with_glibc_on_random_patterns),
    cmocka_unit_test(test_dot_and_negations_match_any_byte),
    cmocka_unit_test(test_anchors_hold_only_at_the_ends),
    cmocka_unit_test(test_counted_groups_mean_the_group_written_out),
    cmocka_unit_test(test_refusals_say_what_to_write),
    cmocka_unit_test(test_nesting_and_sets_are_bounded),
    cmocka_unit_test(test_hostile_patterns_cost_linear_time),
    cmocka_unit_test(test_the_biggest_pattern_stays_within_its_bound),
    cmocka_unit_test(test_preset_patterns_are_literals),
    cmocka_unit_test(test_expressions_are_not_literals),
    cmocka_unit_test(test_literal_agrees_with_the_engine),
    cmocka_unit_test(test_replies_may_hold_nul_bytes),
    cmocka_unit_test(test_only_the_reply_is_searched),
    cmocka_unit_test(test_memory_per_pattern),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

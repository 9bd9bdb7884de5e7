/* test_dash_text.c - the dashboard's lines besides table rows as
 * specifications: the header (what is in view, fitting any width with the
 * clock kept), the key bar and help read from the key table, roll-up
 * lines, event log lines with outage lengths, and the detail view. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dash_fleet.h"
#include "dash_text.h"
#include "format.h"
#include "tls.h"

/* ---- header ---- */

static void test_header_counts_targets_per_state(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_line l;
  tt_text_header(&l, &m, "examples/prod.yaml", 100);
  assert_int_equal(l.cols, 100);
  assert_non_null(strstr(l.buf, "examples/prod.yaml"));
  assert_non_null(strstr(l.buf, "2 up  1 degraded  1 connecting  1 down"));
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* The header says which lines are in view. */
static void test_header_says_which_lines_are_shown(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_line l;
  tt_text_header(&l, &m, "demo", 100);
  assert_non_null(strstr(l.buf, "1\xe2\x80\x93" "5 of 5"));
  tt_dash_set_page(&m, 2);
  press(&m, 'G');
  tt_text_header(&l, &m, "demo", 100);
  assert_non_null(strstr(l.buf, "4\xe2\x80\x93" "5 of 5"));
  m.utf8 = false;
  tt_text_header(&l, &m, "demo", 100);
  assert_non_null(strstr(l.buf, "4-5 of 5"));
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_header_shows_the_filter_x_and_grouping(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_line l;
  press(&m, 'x');
  press(&m, 't');
  press(&m, '/');
  type(&m, "10.0");
  tt_text_header(&l, &m, "x\x1b]0;title\x07.yaml", 160);
  assert_non_null(strstr(l.buf, "by tag"));
  assert_non_null(strstr(l.buf, "not up only"));
  assert_non_null(strstr(l.buf, "filter \"10.0\" 2/5"));
  assert_null(strchr(l.buf, '\x1b'));
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* Whatever the width and the flags, the header fits and keeps the
 * clock; at 80 columns a filter still shows. */
static void test_header_fits_and_keeps_the_clock(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_line l;
  char clock[16];
  tt_fmt_clock(clock, sizeof(clock), T0);
  press(&m, '/');
  type(&m, "state:down,degraded !tag:broken-and-more-words");
  press(&m, TT_KEY_ENTER);
  m.behind = 1234;
  for (unsigned cols = 40; cols <= 200; cols += 4) {
    tt_text_header(&l, &m, "a/rather/long/path/to/the/targets.yaml", cols);
    assert_true(l.cols <= cols);
    assert_non_null(strstr(l.buf, clock));
    assert_non_null(strstr(l.buf, "BEHIND 1234"));
    assert_non_null(strstr(l.buf, "down"));
  }
  m.behind = 0;
  tt_text_header(&l, &m, "targets.yaml", 80);
  assert_non_null(strstr(l.buf, "filter \"state:"));
  if (strstr(l.buf, "2/5") == NULL)
    fail_msg("header: [%s]", l.buf);
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_header_says_how_old_a_pause_is(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_line l;
  press(&m, 'p');
  tt_dash_set_clock(&m, T0 + 4200000);
  tt_text_header(&l, &m, "demo", 100);
  assert_non_null(strstr(l.buf, " PAUSED 4s "));
  press(&m, 'p');
  tt_text_header(&l, &m, "demo", 100);
  assert_null(strstr(l.buf, "PAUSED"));
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* ---- key bar and help, from the key table ---- */

/* The key bar's hints, as "key label" strings. */
static size_t bar_hints(const tt_dash_model *m, unsigned cols,
                        char hints[][40], size_t max) {
  tt_line l;
  tt_text_keybar(&l, m, cols);
  size_t n = 0;
  for (size_t s = 0; s < l.nseg && n < max; s++) {
    if (l.seg[s].role != TT_ROLE_KEY)
      continue;
    /* A key, a space, its label up to the next double space. */
    const char *label = l.buf + l.seg[s].off + l.seg[s].len + 1;
    size_t len = strcspn(label, " ");
    snprintf(hints[n++], 40, "%.*s %.*s", (int)l.seg[s].len,
             l.buf + l.seg[s].off, (int)len, label);
  }
  return n;
}

static bool bar_has(const tt_dash_model *m, const char *hint) {
  char h[48][40];
  size_t n = bar_hints(m, 400, h, 48);
  for (size_t i = 0; i < n; i++)
    if (strcmp(h[i], hint) == 0)
      return true;
  return false;
}

/* Every hint of the key bar is a row of the key table with that label,
 * in the table's rank order, and every row with a label is on a wide
 * enough bar. */
static void test_keybar_is_the_key_table(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  size_t nb;
  const tt_dash_binding *b = tt_dash_bindings(&nb);
  char h[48][40];
  size_t n = bar_hints(&m, 400, h, 48);
  unsigned last_rank = 0;
  for (size_t i = 0; i < n; i++) {
    bool found = false;
    for (size_t j = 0; j < nb && !found; j++) {
      char name[8], hint[40];
      if (b[j].bar == NULL || !(b[j].screens & TT_SCREEN_TABLE))
        continue;
      const char *label = b[j].bar_label != NULL ? b[j].bar_label(&m)
                                                 : b[j].bar;
      if (label == NULL)
        continue;
      snprintf(hint, sizeof(hint), "%s %s", tt_dash_key_name(b[j].key, name),
               label[0] != '\0' ? label : b[j].bar);
      if (strcmp(hint, h[i]) == 0) {
        found = true;
        assert_true(b[j].bar_rank >= last_rank);
        last_rank = b[j].bar_rank;
      }
    }
    if (!found)
      fail_msg("the key bar shows \"%s\", which no key table row says", h[i]);
  }
  size_t want = 0;
  for (size_t j = 0; j < nb; j++) {
    if (b[j].bar == NULL || !(b[j].screens & TT_SCREEN_TABLE))
      continue;
    if (b[j].bar_label == NULL || b[j].bar_label(&m) != NULL)
      want++;
  }
  assert_int_equal(n, want);
  /* At 80 columns it is cut at a whole hint, the first ones first. */
  tt_line l;
  tt_text_keybar(&l, &m, 80);
  assert_true(l.cols <= 80);
  assert_memory_equal(l.buf, " q Quit  ? Help ", 16);
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_keybar_follows_the_moment(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  assert_true(bar_has(&m, "p Pause"));
  assert_false(bar_has(&m, "Esc Clear"));
  press(&m, 'p');
  assert_true(bar_has(&m, "p Resume"));
  press(&m, '/');
  type(&m, "a");
  press(&m, TT_KEY_ENTER);
  assert_true(bar_has(&m, "Esc Clear"));
  press(&m, TT_KEY_ENTER);
  assert_int_equal(m.screen, TT_SCREEN_DETAIL);
  assert_true(bar_has(&m, "Esc Back"));
  assert_false(bar_has(&m, "q Quit"));
  assert_false(bar_has(&m, "s Sort"));
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_keybar_prompt_and_notice(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_line l;
  press(&m, '/');
  type(&m, "ab\x1b");
  tt_text_keybar(&l, &m, 80);
  assert_non_null(strstr(l.buf, "Filter: ab"));
  assert_null(strchr(l.buf, '\x1b'));
  press(&m, TT_KEY_ESC);
  press(&m, 'r');
  tt_text_keybar(&l, &m, 80);
  assert_non_null(strstr(l.buf, "reconnecting bravo"));
  /* A notice lasts a few seconds. */
  tt_dash_set_clock(&m, T0 + 30000000);
  tt_text_keybar(&l, &m, 80);
  assert_null(strstr(l.buf, "reconnecting"));
  tt_dash_notice(&m, true, "targets.yaml:3:5: unknown key", true);
  tt_text_keybar(&l, &m, 80);
  assert_non_null(strstr(l.buf, "targets.yaml:3:5"));
  tt_dash_model_free(&m);
  fleet_free(f);
}

static char help_text[16384];

/* The help screen at cols, its lines joined; returns how many. */
static size_t help_at(const tt_dash_model *m, unsigned cols) {
  tt_line l;
  size_t k = 0;
  help_text[0] = '\0';
  for (; tt_text_help_line(&l, m, k, cols); k++) {
    assert_true(l.cols <= cols);
    strncat(help_text, l.buf, sizeof(help_text) - strlen(help_text) - 2);
    strcat(help_text, "\n");
  }
  return k;
}

/* Help lists every row of the key table by its keys (aliases with the
 * row they follow), and all of it fits in 80x24 under the header and
 * above the key bar. */
static void test_help_is_the_key_table_and_fits_80x24(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  press(&m, '?');
  size_t lines = help_at(&m, TT_DASH_FULL_COLS);
  assert_true(lines <= TT_DASH_FULL_ROWS - 2);
  size_t nb;
  const tt_dash_binding *b = tt_dash_bindings(&nb);
  for (size_t i = 0; i < nb; i++) {
    if (b[i].help == NULL)
      continue;
    char keys[40], name[8];
    snprintf(keys, sizeof(keys), "  %s", tt_dash_key_name(b[i].key, name));
    for (size_t j = i + 1; j < nb && b[j].help == NULL; j++) {
      size_t len = strlen(keys);
      snprintf(keys + len, sizeof(keys) - len, " %s",
               tt_dash_key_name(b[j].key, name));
    }
    if (strstr(help_text, keys) == NULL)
      fail_msg("help lacks the keys \"%s\" in:\n%s", keys, help_text);
    char what[32];
    snprintf(what, sizeof(what), "%.20s", b[i].help);
    if (strstr(help_text, what) == NULL)
      fail_msg("help lacks \"%s\" in:\n%s", what, help_text);
  }
  static const char *keys[] = {"  Up k ", "  Down j ", "  g Home ",
                               "  G End ", "  + = ", "  ^L "};
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    assert_non_null(strstr(help_text, keys[i]));
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* The columns that sort are listed, as the column table says. */
static void test_help_lists_the_sort_columns(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  help_at(&m, 120);
  char want[256] = " Sort   ";
  /* CERT too once a target uses TLS; none of these does. */
  for (int c = 0; c < TT_COL_COUNT; c++) {
    if (tt_columns[c].key == NULL || c == TT_COL_CERT)
      continue;
    strcat(want, " ");
    strcat(want, tt_columns[c].title);
  }
  strcat(want, "\n");
  assert_non_null(strstr(help_text, want));
  assert_non_null(strstr(help_text, "state:down"));
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* ---- roll-ups and the event log ---- */

static void test_rollup_line(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  press(&m, 't');
  tt_line l;
  tt_text_group_line(&l, &m, m.lines[0].group, 80);
  assert_string_equal(l.buf, "\xe2\x96\xb8 prod  2 up  1 down");
  press(&m, TT_KEY_ENTER);
  tt_text_group_line(&l, &m, m.lines[0].group, 80);
  assert_string_equal(l.buf, "\xe2\x96\xbe prod  2 up  1 down");
  m.utf8 = false;
  tt_text_group_line(&l, &m, m.lines[4].group, 80);
  assert_string_equal(l.buf, "+ (no tag)  1 connecting");
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_log_lines_say_outage_lengths(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_event ev = fleet_state(f, 0, T0 + 1000000, TT_STATE_DOWN,
                            TT_CLASS_REFUSED, "connection refused");
  feed(&m, &ev);
  ev = fleet_state(f, 0, T0 + 15200000, TT_STATE_UP, TT_CLASS_OK, "");
  feed(&m, &ev);
  const tt_dash_change *e[2];
  tt_dash_log_page(&m, e, 2);
  tt_line l;
  tt_text_log_line(&l, &m, e[0], 120);
  assert_non_null(strstr(l.buf, "down \xe2\x86\x92 up"));
  assert_non_null(strstr(l.buf, "down 14.2s"));
  tt_text_log_line(&l, &m, e[1], 120);
  assert_non_null(strstr(l.buf, "alpha"));
  assert_non_null(strstr(l.buf, "up \xe2\x86\x92 down"));
  assert_non_null(strstr(l.buf, "connection refused"));
  assert_null(strstr(l.buf, "up 1.0s"));
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_log_title_says_what_is_shown(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_event ev = fleet_state(f, 0, T0 + 1, TT_STATE_DOWN, TT_CLASS_EOF, "");
  feed(&m, &ev);
  tt_line l;
  tt_text_log_title(&l, &m, 100);
  assert_non_null(strstr(l.buf, "1 entry"));
  press(&m, 'x');
  tt_text_log_title(&l, &m, 100);
  assert_non_null(strstr(l.buf, "of the targets shown"));
  assert_int_equal(l.cols, 100);
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* ---- the detail view ---- */

static void detail_text(const tt_dash_model *m, size_t i, unsigned cols,
                        char *all, size_t n) {
  tt_line lines[24];
  size_t k = tt_text_detail(lines, 24, m, i, cols);
  all[0] = '\0';
  for (size_t j = 0; j < k; j++) {
    assert_true(lines[j].cols <= cols);
    strncat(all, lines[j].buf, n - strlen(all) - 2);
    strcat(all, "\n");
  }
}

static void test_detail_shows_settings_and_statistics(void **state) {
  fleet *f = fleet_five();
  free(f->t[0]->reply_end);
  f->t[0]->reply_end = fleet_strdup("\n");
  f->t[0]->send = (char *)"PING\r\n";
  f->t[0]->send_len = 6;
  f->t[0]->expect = "^\\+PONG";
  snprintf(f->v[0].ip, sizeof(f->v[0].ip), "10.0.0.1");
  tt_dash_model m;
  model_on(&m, f);
  tt_event ev = fleet_beat(f, 0, T0, TT_CLASS_TIMEOUT, 0);
  feed(&m, &ev);
  snprintf(f->v[0].last_error, sizeof(f->v[0].last_error),
           "no reply within 1s");
  char all[8192];
  detail_text(&m, 0, 200, all, sizeof(all));
  static const char *want[] = {
      "alpha", "10.0.0.1:80", "10.0.0.1", "tags prod", "mode persistent",
      "interval 1s", "timeout 1s", "connect timeout 2s", "miss threshold 3",
      "send \"PING\\r\\n\"", "expect \"^\\+PONG\"", "sent 2", "received 1",
      "lost 1", "loss last 60s 100%", "whole run 50%", "p99", "jitter",
      "flaps", "reconnects", "skipped", "ok 1", "timeout 1",
      "no reply within 1s"};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    if (strstr(all, want[i]) == NULL)
      fail_msg("detail lacks \"%s\" in:\n%s", want[i], all);
  f->t[0]->send = NULL;
  f->t[0]->expect = NULL;
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* Over TLS: the handshake and the certificate, with what is wrong with
 * it; escaped like every byte a server sent. */
static void test_detail_shows_the_certificate(void **state) {
  fleet *f = fleet_five();
  tt_tls_info c;
  memset(&c, 0, sizeof(c));
  snprintf(c.version, sizeof(c.version), "TLSv1.3");
  snprintf(c.cipher, sizeof(c.cipher), "TLS_AES_256_GCM_SHA384");
  snprintf(c.subject, sizeof(c.subject), "CN=api.internal\x1b[2J");
  snprintf(c.issuer, sizeof(c.issuer), "CN=Tether Test CA");
  snprintf(c.sans, sizeof(c.sans), "api.internal, 127.0.0.1");
  c.not_after = (int64_t)(T0 / 1000000) + 19 * 86400 + 60;
  c.trusted = false;
  snprintf(c.verdict, sizeof(c.verdict), "unknown CA");
  f->v[0].cert = &c;
  f->v[0].tls_us = 1500;
  tt_dash_model m;
  model_on(&m, f);
  tt_dash_set_clock(&m, T0);
  char all[8192];
  detail_text(&m, 0, 200, all, sizeof(all));
  static const char *want[] = {
      "tls TLSv1.3", "cipher TLS_AES_256_GCM_SHA384", "handshake 1.50ms",
      "subject CN=api.internal\\x1b[2J", "issuer CN=Tether Test CA",
      "names api.internal, 127.0.0.1", "(19 days)", "NOT TRUSTED",
      "why unknown CA"};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    if (strstr(all, want[i]) == NULL)
      fail_msg("detail lacks \"%s\" in:\n%s", want[i], all);
  assert_null(strchr(all, 0x1b));
  f->v[0].cert = NULL;
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_detail_wraps_at_80_and_40_columns(void **state) {
  fleet *f = fleet_five();
  f->t[0]->rtt_warn_ms = 250;
  tt_dash_model m;
  model_on(&m, f);
  for (uint32_t k = 0; k < 20; k++) {
    tt_event ev = fleet_beat(f, 0, T0 + k, TT_CLASS_OK, 1234 + k * 4321);
    feed(&m, &ev);
  }
  char all[8192];
  detail_text(&m, 0, 80, all, sizeof(all));
  assert_non_null(strstr(all, "miss threshold 3"));
  assert_non_null(strstr(all, "rtt warn 250ms"));
  assert_non_null(strstr(all, "jitter "));
  detail_text(&m, 0, 40, all, sizeof(all));
  assert_non_null(strstr(all, "alpha"));
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* A target that left while the display was paused keeps its numbers;
 * its settings are gone with it. */
static void test_detail_of_a_target_that_left(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  press(&m, 'p');
  tt_event ev = fleet_event(f, 0, TT_EVENT_REMOVED, T0 + 1);
  feed(&m, &ev);
  f->gone[0] = true;
  char all[8192];
  detail_text(&m, 0, 120, all, sizeof(all));
  assert_non_null(strstr(all, "alpha"));
  assert_non_null(strstr(all, "no longer watched"));
  assert_non_null(strstr(all, "sent 1"));
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_recent_events_of_a_target(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_event ev = fleet_state(f, 1, T0, TT_STATE_DOWN, TT_CLASS_REFUSED,
                            "connection refused");
  feed(&m, &ev);
  tt_line l;
  assert_true(tt_text_recent_line(&l, &m, 1, 0, 80));
  assert_non_null(strstr(l.buf, "down \xe2\x86\x92 down"));
  assert_non_null(strstr(l.buf, "refused"));
  /* Then the heartbeats, newest first. */
  assert_true(tt_text_recent_line(&l, &m, 1, 1, 80));
  assert_non_null(strstr(l.buf, "#1"));
  assert_non_null(strstr(l.buf, "refused"));
  assert_false(tt_text_recent_line(&l, &m, 1, 2, 80));
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_histogram_covers_every_answer(void **state) {
  tt_stats st;
  tt_stats_init(&st);
  for (uint32_t i = 0; i < 1000; i++)
    tt_stats_heartbeat(&st, TT_CLASS_OK, 100 + i * 97);
  tt_hist_row rows[10];
  size_t n = tt_histogram(&st, rows, 10);
  assert_true(n > 0 && n <= 10);
  uint64_t total = 0;
  for (size_t k = 0; k < n; k++) {
    total += rows[k].count;
    assert_true(rows[k].lo <= rows[k].hi);
    if (k > 0)
      assert_true(rows[k].lo > rows[k - 1].hi);
  }
  assert_int_equal(total, 1000);
  assert_true(rows[0].lo <= 100);
  assert_true(rows[n - 1].hi >= 100 + 999 * 97);
  tt_line l;
  tt_text_hist_line(&l, &rows[0], rows[0].count, 40, true);
  assert_true(l.cols <= 40);
  tt_stats_free(&st);
  tt_stats_init(&st);
  assert_int_equal(tt_histogram(&st, rows, 10), 0);
}

static void test_hist_title_says_step_and_scale(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  char title[96];
  tt_text_hist_title(title, sizeof(title), &m, 20);
  assert_string_equal(title, "HISTORY 1s");
  press(&m, '-');
  press(&m, 'l');
  tt_event ev = fleet_beat(f, 0, T0, TT_CLASS_OK, 80);
  feed(&m, &ev);
  ev = fleet_beat(f, 2, T0, TT_CLASS_OK, 210000);
  feed(&m, &ev);
  tt_text_hist_title(title, sizeof(title), &m, 40);
  assert_string_equal(title, "HISTORY 4s log 80us-210ms");
  /* Narrow, the scale's word stays. */
  tt_text_hist_title(title, sizeof(title), &m, 12);
  assert_string_equal(title, "HIST 4s log");
  tt_text_hist_title(title, sizeof(title), &m, 10);
  assert_string_equal(title, "4s log");
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_too_small_says_what_is_needed(void **state) {
  tt_line l;
  tt_text_too_small(&l, 38, 9, true);
  assert_non_null(strstr(l.buf, "too small"));
  assert_non_null(strstr(l.buf, "38x9"));
  assert_non_null(strstr(l.buf, "40x10"));
  assert_true(l.cols <= 38);
}

int main(void) {
  if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
    setlocale(LC_CTYPE, "");
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_header_counts_targets_per_state),
    cmocka_unit_test(test_header_says_which_lines_are_shown),
    cmocka_unit_test(test_header_shows_the_filter_x_and_grouping),
    cmocka_unit_test(test_header_fits_and_keeps_the_clock),
    cmocka_unit_test(test_header_says_how_old_a_pause_is),
    cmocka_unit_test(test_keybar_is_the_key_table),
    cmocka_unit_test(test_keybar_follows_the_moment),
    cmocka_unit_test(test_keybar_prompt_and_notice),
    cmocka_unit_test(test_help_is_the_key_table_and_fits_80x24),
    cmocka_unit_test(test_help_lists_the_sort_columns),
    cmocka_unit_test(test_rollup_line),
    cmocka_unit_test(test_log_lines_say_outage_lengths),
    cmocka_unit_test(test_log_title_says_what_is_shown),
    cmocka_unit_test(test_detail_shows_settings_and_statistics),
    cmocka_unit_test(test_detail_shows_the_certificate),
    cmocka_unit_test(test_detail_wraps_at_80_and_40_columns),
    cmocka_unit_test(test_detail_of_a_target_that_left),
    cmocka_unit_test(test_recent_events_of_a_target),
    cmocka_unit_test(test_histogram_covers_every_answer),
    cmocka_unit_test(test_hist_title_says_step_and_scale),
    cmocka_unit_test(test_too_small_says_what_is_needed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

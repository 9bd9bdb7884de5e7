/* test_dash_log.c - the dashboard's model, continued (test_dash_model.c):
 * the event log (news, not the start; outages with their length; the
 * filter; scrolling; its bound), the keys that act (r, R, Enter and the
 * detail view), and a front end's own keys, as a replay adds them. */
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
#include "dash_model.h"
#include "dash_text.h"

/* ---- the event log ---- */

static void test_event_log_keeps_news_not_the_start(void **state) {
  fleet *f = fleet_empty();
  for (int i = 0; i < 10; i++)
    fleet_add(f, i == 9 ? "last" : "t", "h:1", "", TT_STATE_CONNECTING);
  tt_dash_model m;
  model_on(&m, f);
  for (size_t i = 0; i < 10; i++) {
    tt_event ev = fleet_state(f, i, T0 + i, i == 9 ? TT_STATE_DOWN
                                                   : TT_STATE_UP,
                              i == 9 ? TT_CLASS_REFUSED : TT_CLASS_OK, "");
    feed(&m, &ev);
  }
  assert_int_equal(tt_dash_log_shown(&m), 1);
  /* Each target still has all its changes. */
  tt_dash_mini mini[TT_DASH_MINI_LEN];
  assert_int_equal(tt_dash_target_changes(&m, 0, mini, TT_DASH_MINI_LEN), 1);
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_event_log_says_how_long_an_outage_lasted(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_event ev = fleet_state(f, 0, T0 + 1000000, TT_STATE_DOWN,
                            TT_CLASS_REFUSED, "connection refused");
  feed(&m, &ev);
  ev = fleet_state(f, 0, T0 + 15200000, TT_STATE_UP, TT_CLASS_OK, "");
  feed(&m, &ev);
  const tt_dash_change *e[2];
  assert_int_equal(tt_dash_log_page(&m, e, 2), 2);
  assert_int_equal(e[0]->from, TT_STATE_DOWN);
  assert_int_equal(e[0]->lasted_ms, 14200);
  assert_string_equal(tt_dash_log_text(&m.log, e[1]), "connection refused");
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_event_log_follows_the_filter(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  for (size_t i = 0; i < 5; i++) {
    tt_event ev = fleet_state(f, i, T0 + i, TT_STATE_DOWN, TT_CLASS_EOF, "");
    feed(&m, &ev);
  }
  tt_dash_notice(&m, false, "reloaded: 0 added, 0 removed, 0 changed", true);
  assert_int_equal(tt_dash_log_shown(&m), 6);
  press(&m, '/');
  type(&m, "tag:prod");
  /* alpha, bravo, echo, and the notice (no target: always shown). */
  assert_int_equal(tt_dash_log_shown(&m), 4);
  const tt_dash_change *e[8];
  size_t n = tt_dash_log_page(&m, e, 8);
  assert_int_equal(n, 4);
  assert_int_equal(e[0]->kind, TT_LOG_NOTICE);
  assert_string_equal(tt_dash_name(&m, e[1]->target), "echo");
  assert_string_equal(tt_dash_name(&m, e[3]->target), "alpha");
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_event_log_scrolls_and_holds_its_place(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  for (int k = 0; k < 30; k++) {
    tt_event ev = fleet_state(f, 0, T0 + (uint64_t)k,
                              k % 2 ? TT_STATE_UP : TT_STATE_DOWN,
                              TT_CLASS_EOF, "");
    feed(&m, &ev);
  }
  press(&m, 'e');
  assert_true(m.show_log);
  assert_false(m.log_focus);
  press(&m, TT_KEY_TAB);
  assert_true(m.log_focus);
  tt_dash_set_log_page(&m, 5);
  size_t sel = m.sel;
  press(&m, 'j');
  press(&m, TT_KEY_PGDN);
  assert_int_equal(m.sel, sel); /* the keys moved the log, not the table */
  const tt_dash_change *e[5];
  tt_dash_log_page(&m, e, 5);
  assert_int_equal(e[0]->ts_us, T0 + 29 - 6);
  assert_int_equal(tt_dash_log_above(&m), 6);
  /* New entries do not move what is in view. */
  tt_event ev = fleet_state(f, 0, T0 + 99, TT_STATE_DOWN, TT_CLASS_EOF, "");
  feed(&m, &ev);
  tt_dash_log_page(&m, e, 5);
  assert_int_equal(e[0]->ts_us, T0 + 23);
  assert_int_equal(tt_dash_log_above(&m), 7);
  /* g: back to the newest, following again. */
  press(&m, 'g');
  tt_dash_log_page(&m, e, 5);
  assert_int_equal(e[0]->ts_us, T0 + 99);
  /* Enter opens the detail view of the target at the top. */
  press(&m, TT_KEY_ENTER);
  assert_int_equal(m.screen, TT_SCREEN_DETAIL);
  assert_string_equal(tt_dash_name(&m, tt_dash_selected(&m)), "alpha");
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_event_log_is_bounded_and_large(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  for (uint64_t k = 0; k < TT_DASH_LOG_LEN + 10; k++) {
    tt_event ev = fleet_state(f, k % 5, T0 + k, TT_STATE_DOWN, TT_CLASS_EOF,
                              "a detail of some length to fill the text ring");
    tt_dash_record(&m, &ev);
  }
  assert_true(TT_DASH_LOG_LEN >= 20000);
  assert_int_equal(tt_dash_log_shown(&m), TT_DASH_LOG_LEN);
  const tt_dash_change *e[1];
  tt_dash_log_page(&m, e, 1);
  assert_int_equal(e[0]->ts_us, T0 + TT_DASH_LOG_LEN + 9);
  assert_string_equal(tt_dash_log_text(&m.log, e[0]),
                      "a detail of some length to fill the text ring");
  /* The oldest kept is the eleventh. */
  assert_null(tt_dash_log_at(&m.log, 9));
  assert_int_equal(tt_dash_log_at(&m.log, 10)->ts_us, T0 + 10);
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* ---- keys that act ---- */

static void test_r_asks_for_a_reconnect_and_says_so(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  unsigned fl = press(&m, 'r');
  assert_true(fl & TT_DO_RECONNECT);
  assert_string_equal(tt_dash_name(&m, tt_dash_selected(&m)), "bravo");
  assert_non_null(strstr(m.notice, "reconnecting bravo"));
  assert_true(m.notice_until_us > m.wall_us);
  const tt_dash_change *e[1];
  assert_int_equal(tt_dash_log_page(&m, e, 1), 1);
  assert_int_equal(e[0]->kind, TT_LOG_NOTICE);
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_R_asks_for_a_reload(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  assert_true(press(&m, 'R') & TT_DO_RELOAD);
  assert_non_null(strstr(m.notice, "reloading"));
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_enter_opens_detail_and_esc_enter_q_leave(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  static const int leave[] = {TT_KEY_ESC, TT_KEY_ENTER, 'q'};
  for (size_t i = 0; i < 3; i++) {
    press(&m, TT_KEY_ENTER);
    assert_int_equal(m.screen, TT_SCREEN_DETAIL);
    unsigned fl = press(&m, leave[i]);
    assert_int_equal(m.screen, TT_SCREEN_TABLE);
    assert_false(fl & TT_DO_QUIT);
  }
  /* In the table, q quits; in help, any key leaves help. */
  press(&m, '?');
  assert_int_equal(m.screen, TT_SCREEN_HELP);
  assert_false(press(&m, 'q') & TT_DO_QUIT);
  assert_int_equal(m.screen, TT_SCREEN_TABLE);
  assert_true(press(&m, 'q') & TT_DO_QUIT);
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* The detail view stays on its target when a filter on states lets it
 * go from the rows. */
static void test_detail_stays_on_its_target(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  press(&m, 'x');
  press(&m, TT_KEY_ENTER);
  assert_string_equal(tt_dash_name(&m, tt_dash_selected(&m)), "bravo");
  tt_event ev = fleet_state(f, 1, T0 + 3, TT_STATE_UP, TT_CLASS_OK, "");
  feed(&m, &ev);
  assert_int_equal(m.screen, TT_SCREEN_DETAIL);
  assert_string_equal(tt_dash_name(&m, tt_dash_selected(&m)), "bravo");
  /* When it leaves, the detail view closes. */
  ev = fleet_event(f, 1, TT_EVENT_REMOVED, T0 + 4);
  feed(&m, &ev);
  assert_int_equal(m.screen, TT_SCREEN_TABLE);
  assert_int_not_equal(tt_dash_selected(&m), 1);
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* ---- a replay drives the same model ---- */

static unsigned replay_step(tt_dash_model *m) {
  *(int *)m->owner += 1;
  return TT_DIRTY_DRAW;
}

static void test_a_front_end_adds_keys_and_rewinds(void **state) {
  static const tt_dash_binding extra[] = {
    {'t', TT_SCREEN_TABLE, replay_step, "jump to a time", "Time", 5, NULL},
  };
  fleet *f = fleet_five();
  tt_dash_model m;
  int steps = 0;
  model_on(&m, f);
  m.extra = extra;
  m.nextra = 1;
  m.owner = &steps;
  press(&m, 't');
  assert_int_equal(steps, 1);
  assert_false(m.grouped); /* its key comes first */
  tt_event ev = fleet_beat(f, 0, T0, TT_CLASS_REFUSED, 0);
  feed(&m, &ev);
  ev = fleet_state(f, 0, T0, TT_STATE_DOWN, TT_CLASS_REFUSED, "");
  feed(&m, &ev);
  tt_dash_forget(&m);
  assert_int_equal(tt_dash_log_shown(&m), 0);
  assert_int_equal(tt_dash_series_of(&m, 0)->hist.last[0], 0);
  tt_dash_mini mini[1];
  assert_int_equal(tt_dash_target_changes(&m, 0, mini, 1), 0);
  tt_dash_model_free(&m);
  fleet_free(f);
}

int main(void) {
  if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
    setlocale(LC_CTYPE, "");
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_event_log_keeps_news_not_the_start),
    cmocka_unit_test(test_event_log_says_how_long_an_outage_lasted),
    cmocka_unit_test(test_event_log_follows_the_filter),
    cmocka_unit_test(test_event_log_scrolls_and_holds_its_place),
    cmocka_unit_test(test_event_log_is_bounded_and_large),
    cmocka_unit_test(test_r_asks_for_a_reconnect_and_says_so),
    cmocka_unit_test(test_R_asks_for_a_reload),
    cmocka_unit_test(test_enter_opens_detail_and_esc_enter_q_leave),
    cmocka_unit_test(test_detail_stays_on_its_target),
    cmocka_unit_test(test_a_front_end_adds_keys_and_rewinds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

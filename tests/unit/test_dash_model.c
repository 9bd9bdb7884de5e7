/* test_dash_model.c - the dashboard's model as specifications: what is in
 * view (the worst rows, pinned until the selection moves), sorting, the
 * filter language and x, grouping by tag with roll-ups, targets that join
 * and leave, reloads, the pause, HISTORY on one time grid for every row.
 * The event log and the keys that act: test_dash_log.c. No terminal: the
 * model is fed as the engine (or a replay) would feed it. */
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

/* ---- what is in view ---- */

static void test_state_sorts_worst_first(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  assert_int_equal(m.sort_col, TT_COL_STATE);
  assert_string_equal(line_name(&m, 0), "bravo");   /* down */
  assert_string_equal(line_name(&m, 1), "delta");   /* connecting */
  assert_string_equal(line_name(&m, 2), "charlie"); /* degraded */
  assert_string_equal(line_name(&m, 3), "alpha");   /* up, config order */
  assert_string_equal(line_name(&m, 4), "echo");
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* At start every target connects and the selection is the first row;
 * as targets fail they come to the top, and so does the view. */
static void test_the_worst_rows_stay_in_view_until_one_moves(void **state) {
  fleet *f = fleet_empty();
  for (int i = 0; i < 40; i++) {
    char name[16];
    snprintf(name, sizeof(name), "t%02d", i);
    fleet_add(f, name, "127.0.0.1:1", "", TT_STATE_CONNECTING);
  }
  tt_dash_model m;
  model_on(&m, f);
  tt_dash_set_page(&m, 10);
  for (int i = 0; i < 40; i++) {
    tt_event ev = fleet_state(f, (size_t)i, T0 + 1000, i == 33 ? TT_STATE_DOWN
                                                               : TT_STATE_UP,
                              TT_CLASS_OK, "");
    feed(&m, &ev);
  }
  assert_true(m.pinned);
  assert_int_equal(m.top, 0);
  assert_int_equal(m.sel, 0);
  assert_string_equal(line_name(&m, m.sel), "t33");
  /* Moving unpins: the selection then stays on its target. */
  press(&m, 'j');
  assert_false(m.pinned);
  assert_string_equal(tt_dash_name(&m, tt_dash_selected(&m)), "t00");
  tt_event ev = fleet_state(f, 7, T0 + 2000, TT_STATE_DOWN, TT_CLASS_EOF, "");
  feed(&m, &ev);
  assert_string_equal(tt_dash_name(&m, tt_dash_selected(&m)), "t00");
  assert_int_equal(m.sel, 2);
  /* g pins it to the top again. */
  press(&m, 'g');
  assert_true(m.pinned);
  assert_string_equal(line_name(&m, m.sel), "t07");
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* A heartbeat moves numbers, not states: the rows are sorted again by
 * RTT on every one, by STATE only on a state change (at 10 000 targets
 * a redraw then goes over the rows in view only). */
static void test_rows_move_with_what_they_depend_on(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_event ev = fleet_beat(f, 0, T0 + 1, TT_CLASS_OK, 100);
  unsigned dirty = feed(&m, &ev);
  assert_true(dirty & TT_DIRTY_DATA);
  assert_false(dirty & TT_DIRTY_STATES);
  f->v[0].state = TT_STATE_DOWN; /* not said yet */
  ev = fleet_beat(f, 0, T0 + 2, TT_CLASS_OK, 100);
  feed(&m, &ev);
  assert_string_equal(line_name(&m, 0), "bravo");
  f->v[0].state = TT_STATE_UP;
  ev = fleet_state(f, 0, T0 + 3, TT_STATE_DOWN, TT_CLASS_EOF, "");
  assert_true(feed(&m, &ev) & TT_DIRTY_STATES);
  assert_string_equal(line_name(&m, 0), "alpha");
  /* By RTT, every heartbeat counts. */
  press(&m, 's');
  assert_string_equal(line_name(&m, 0), "alpha"); /* 100us */
  ev = fleet_beat(f, 4, T0 + 4, TT_CLASS_OK, 50);
  feed(&m, &ev);
  assert_string_equal(line_name(&m, 0), "echo");
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_s_cycles_columns_and_S_reverses(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  unsigned fl = press(&m, 's');
  assert_true(fl & TT_DIRTY_ORDER);
  assert_int_equal(m.sort_col, TT_COL_RTT);
  /* By RTT: echo 1ms, alpha 5ms, charlie 9ms; no RTT goes last. */
  assert_string_equal(line_name(&m, 0), "echo");
  assert_string_equal(line_name(&m, 1), "alpha");
  assert_string_equal(line_name(&m, 2), "charlie");
  press(&m, 'S');
  assert_true(m.reverse);
  assert_string_equal(line_name(&m, 0), "charlie");
  assert_string_equal(line_name(&m, 2), "echo");
  /* Rows without a value stay last in either direction. */
  assert_string_equal(line_name(&m, 3), "bravo");
  assert_string_equal(line_name(&m, 4), "delta");
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_s_visits_every_sortable_column(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  bool seen[TT_COL_COUNT] = {false};
  int presses = 0;
  do {
    seen[m.sort_col] = true;
    press(&m, 's');
  } while (m.sort_col != TT_COL_STATE && ++presses < 3 * TT_COL_COUNT);
  /* CERT only once a target uses TLS: none of these does. */
  for (int c = 0; c < TT_COL_COUNT; c++)
    assert_int_equal(seen[c], tt_columns[c].key != NULL && c != TT_COL_CERT);
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_moving_the_selection(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_dash_set_page(&m, 2);
  press(&m, 'G');
  assert_int_equal(m.sel, 4);
  assert_int_equal(m.top, 3);
  press(&m, 'k');
  assert_int_equal(m.sel, 3);
  press(&m, TT_KEY_PGUP);
  assert_int_equal(m.sel, 1);
  assert_int_equal(m.top, 1);
  press(&m, 'g');
  assert_int_equal(m.sel, 0);
  assert_int_equal(m.top, 0);
  press(&m, TT_KEY_UP);
  assert_int_equal(m.sel, 0);
  press(&m, TT_KEY_PGDN);
  assert_int_equal(m.sel, 2);
  press(&m, TT_KEY_END);
  press(&m, TT_KEY_DOWN);
  assert_int_equal(m.sel, 4);
  press(&m, TT_KEY_HOME);
  assert_int_equal(m.sel, 0);
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* ---- the filter language ---- */

static size_t rows_for(tt_dash_model *m, const char *filter) {
  press(m, TT_KEY_KILL_LINE);
  type(m, filter);
  return m->nrows;
}

static void test_filter_words_match_name_address_ip_or_tag(void **state) {
  fleet *f = fleet_five();
  snprintf(f->v[2].ip, sizeof(f->v[2].ip), "192.0.2.9");
  tt_dash_model m;
  model_on(&m, f);
  press(&m, '/');
  assert_true(m.prompt);
  assert_int_equal(rows_for(&m, "CHAR"), 1);
  assert_string_equal(line_name(&m, 0), "charlie");
  assert_int_equal(rows_for(&m, "example"), 1); /* charlie's address */
  assert_int_equal(rows_for(&m, "192.0.2"), 1); /* charlie's resolved IP */
  assert_int_equal(rows_for(&m, "cach"), 1);    /* echo's tag */
  assert_string_equal(line_name(&m, 0), "echo");
  /* Enter keeps the filter, Esc in the table clears it. */
  press(&m, TT_KEY_ENTER);
  assert_false(m.prompt);
  assert_string_equal(m.filter_text, "cach");
  assert_int_equal(m.screen, TT_SCREEN_TABLE);
  press(&m, TT_KEY_ESC);
  assert_string_equal(m.filter_text, "");
  assert_int_equal(m.nrows, 5);
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_filter_fields_negation_and_and(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  press(&m, '/');
  assert_int_equal(rows_for(&m, "state:down"), 1);
  assert_string_equal(line_name(&m, 0), "bravo");
  /* A state name alone is the state: /down finds what is down. */
  assert_int_equal(rows_for(&m, "down"), 1);
  assert_int_equal(rows_for(&m, "!up"), 3);
  assert_int_equal(rows_for(&m, "state:d"), 2);  /* degraded or down */
  assert_int_equal(rows_for(&m, "state:up,down"), 3);
  assert_int_equal(rows_for(&m, "class:refused"), 1);
  assert_int_equal(rows_for(&m, "class:ok"), 3);
  assert_int_equal(rows_for(&m, "tag:prod"), 3);
  assert_int_equal(rows_for(&m, "tag:pro"), 0);  /* tags whole */
  assert_int_equal(rows_for(&m, "tag:prod !up"), 1);
  assert_int_equal(rows_for(&m, "tag:prod 10.0.0"), 3);
  assert_int_equal(rows_for(&m, "!tag:prod !state:up"), 2);
  assert_int_equal(rows_for(&m, "name:10.0"), 0);
  assert_int_equal(rows_for(&m, "addr:10.0"), 4);
  assert_int_equal(rows_for(&m, "10.0.0.5:6379"), 1); /* ':' in a word */
  /* Half typed, a term does not hide everything. */
  assert_int_equal(rows_for(&m, "tag:"), 5);
  assert_int_equal(rows_for(&m, "!"), 5);
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* A filter on states follows the targets as their states change. */
static void test_state_filter_follows_changes(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  press(&m, '/');
  type(&m, "state:down");
  press(&m, TT_KEY_ENTER);
  assert_int_equal(m.nrows, 1);
  tt_event ev = fleet_state(f, 0, T0 + 5, TT_STATE_DOWN, TT_CLASS_RESET, "");
  feed(&m, &ev);
  assert_int_equal(m.nrows, 2);
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_filter_prompt_edits_and_esc_clears(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  press(&m, '/');
  type(&m, "10.0.0.x");
  assert_int_equal(m.nrows, 0);
  assert_int_equal(tt_dash_selected(&m), SIZE_MAX);
  press(&m, TT_KEY_BACKSPACE);
  press(&m, TT_KEY_BACKSPACE);
  assert_string_equal(m.filter_text, "10.0.0");
  assert_int_equal(m.nrows, 4);
  /* Keys that are commands elsewhere are text in the prompt. */
  type(&m, "q");
  assert_string_equal(m.filter_text, "10.0.0q");
  tt_dash_key(&m, 0xe9); /* é */
  assert_string_equal(m.filter_text, "10.0.0q\xc3\xa9");
  tt_dash_key(&m, TT_KEY_BACKSPACE);
  assert_string_equal(m.filter_text, "10.0.0q");
  press(&m, TT_KEY_ESC);
  assert_false(m.prompt);
  assert_string_equal(m.filter_text, "");
  assert_int_equal(m.nrows, 5);
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_x_shows_only_what_is_not_up(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  assert_true(press(&m, 'x') & TT_DIRTY_FILTER);
  assert_int_equal(m.nrows, 3);
  for (size_t l = 0; l < m.nlines; l++)
    assert_int_not_equal(tt_dash_view(&m, m.lines[l].target)->state,
                         TT_STATE_UP);
  /* With a filter: both must hold. */
  press(&m, '/');
  type(&m, "tag:prod");
  assert_int_equal(m.nrows, 1);
  assert_string_equal(line_name(&m, 0), "bravo");
  /* A target that recovers leaves. */
  tt_event ev = fleet_state(f, 1, T0 + 9, TT_STATE_UP, TT_CLASS_OK, "");
  feed(&m, &ev);
  assert_int_equal(m.nrows, 0);
  press(&m, TT_KEY_ESC);
  press(&m, 'x');
  assert_int_equal(m.nrows, 5);
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* ---- grouping ---- */

static const tt_dash_group *group_named(const tt_dash_model *m,
                                        const char *tag) {
  for (size_t l = 0; l < m->nlines; l++) {
    const tt_dash_line *x = &m->lines[l];
    if (x->target == TT_DASH_NO_TARGET &&
        strcmp(tt_dash_group_name(m, x->group), tag) == 0)
      return &m->groups.g[x->group];
  }
  return NULL;
}

/* The addresses of one name (addresses: all) stay together where their
 * worst would be, under a roll-up that counts them ("api  2/3 up") and
 * folds them into one line. */
static void test_a_names_addresses_fold_into_one_line(void **state) {
  fleet *f = fleet_empty();
  fleet_add(f, "db", "db:5432", "", TT_STATE_UP);
  fleet_add(f, "api[10.0.0.1]", "api:80", "", TT_STATE_UP);
  fleet_add(f, "zz", "zz:80", "", TT_STATE_DOWN);
  fleet_add(f, "api[10.0.0.2]", "api:80", "", TT_STATE_DOWN);
  fleet_add(f, "api[10.0.0.3]", "api:80", "", TT_STATE_UP);
  f->t[1]->of_name = f->t[3]->of_name = f->t[4]->of_name = "api";
  tt_dash_model m;
  model_on(&m, f);
  /* zz and api[10.0.0.2] are down, zz first in config order: then the
   * name's lines, open, in sort order, where api[10.0.0.2] would be. */
  assert_int_equal(m.nlines, 6);
  assert_string_equal(line_name(&m, 0), "zz");
  assert_string_equal(line_name(&m, 1), "[api]");
  assert_string_equal(line_name(&m, 2), "api[10.0.0.2]");
  assert_string_equal(line_name(&m, 3), "api[10.0.0.1]");
  assert_string_equal(line_name(&m, 4), "api[10.0.0.3]");
  assert_string_equal(line_name(&m, 5), "db");
  tt_line l;
  tt_text_group_line(&l, &m, m.lines[1].group, 80);
  assert_non_null(strstr(l.buf, "api  2/3 up  1 down"));
  /* Enter on the roll-up folds the name into its line. */
  press(&m, 'j');
  press(&m, TT_KEY_ENTER);
  assert_int_equal(m.nlines, 3);
  assert_string_equal(line_name(&m, 1), "[api]");
  assert_string_equal(line_name(&m, 2), "db");
  /* The filter takes the name's rows as it takes any row. */
  press(&m, TT_KEY_ENTER);
  assert_int_equal(m.nlines, 6);
  press(&m, 'x');
  assert_int_equal(m.nlines, 3);
  assert_string_equal(line_name(&m, 2), "api[10.0.0.2]");
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_t_groups_by_tag_with_rollups(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  press(&m, 't');
  assert_true(m.grouped);
  /* Folded: one line per group, the group of the worst row first. */
  assert_int_equal(m.nlines, 4);
  assert_string_equal(line_name(&m, 0), "[prod]"); /* bravo, down */
  assert_string_equal(line_name(&m, 1), "[]");     /* delta, untagged */
  assert_string_equal(line_name(&m, 2), "[db]");
  assert_string_equal(line_name(&m, 3), "[cache]");
  const tt_dash_group *prod = group_named(&m, "prod");
  assert_int_equal(prod->rows, 3); /* alpha, bravo, echo */
  assert_int_equal(prod->counts[TT_STATE_UP], 2);
  assert_int_equal(prod->counts[TT_STATE_DOWN], 1);
  /* echo is in both of its groups. */
  assert_int_equal(group_named(&m, "cache")->counts[TT_STATE_UP], 1);
  /* Enter opens the selected group: its rows follow, in sort order. */
  press(&m, TT_KEY_ENTER);
  assert_int_equal(m.screen, TT_SCREEN_TABLE);
  assert_int_equal(m.nlines, 7);
  assert_string_equal(line_name(&m, 1), "bravo");
  assert_string_equal(line_name(&m, 2), "alpha");
  assert_string_equal(line_name(&m, 3), "echo");
  assert_string_equal(line_name(&m, 4), "[]");
  /* Roll-ups follow states as they change. */
  tt_event ev = fleet_state(f, 0, T0 + 7, TT_STATE_DOWN, TT_CLASS_EOF, "");
  feed(&m, &ev);
  assert_int_equal(group_named(&m, "prod")->counts[TT_STATE_DOWN], 2);
  /* And the filter. */
  press(&m, 'x');
  assert_int_equal(group_named(&m, "prod")->rows, 2);
  assert_null(group_named(&m, "cache"));
  press(&m, 't');
  assert_false(m.grouped);
  assert_int_equal(m.nlines, m.nrows);
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_selection_on_a_group_line_stays_on_it(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  press(&m, 't');
  press(&m, 'j');
  press(&m, 'j');
  assert_string_equal(line_name(&m, m.sel), "[db]");
  assert_int_equal(tt_dash_selected(&m), SIZE_MAX);
  /* charlie (db) goes down: its group moves up, the selection with it. */
  tt_event ev = fleet_state(f, 2, T0 + 7, TT_STATE_DOWN, TT_CLASS_EOF, "");
  feed(&m, &ev);
  assert_string_equal(line_name(&m, m.sel), "[db]");
  assert_int_equal(m.sel, 1); /* after prod, bravo's */
  /* r on a group line does nothing. */
  assert_int_equal(press(&m, 'r') & TT_DO_RECONNECT, 0);
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* ---- targets that come and go ---- */

static void test_a_target_that_joins_gets_a_row(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  size_t i = fleet_add(f, "foxtrot", "10.0.0.6:80", "new", TT_STATE_DOWN);
  tt_event ev = fleet_event(f, i, TT_EVENT_ADDED, T0 + 10);
  assert_true(feed(&m, &ev) & TT_DIRTY_FILTER);
  assert_int_equal(m.nrows, 6);
  assert_string_equal(line_name(&m, 0), "bravo");
  assert_string_equal(line_name(&m, 1), "foxtrot");
  assert_int_equal(m.name_want, 7);
  /* It has a HISTORY of its own from now. */
  ev = fleet_beat(f, i, T0 + 20, TT_CLASS_REFUSED, 0);
  feed(&m, &ev);
  assert_non_null(tt_dash_series_of(&m, i));
  assert_int_equal(tt_dash_series_of(&m, i)->hist.last[0], (T0 + 20) / 1000000 + 1);
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_a_target_that_leaves_loses_its_row(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  press(&m, 'j'); /* delta, unpinned */
  assert_string_equal(tt_dash_name(&m, tt_dash_selected(&m)), "delta");
  tt_event ev = fleet_event(f, 3, TT_EVENT_REMOVED, T0 + 10);
  feed(&m, &ev);
  f->gone[3] = true; /* after the event the engine has let it go */
  tt_dash_refresh(&m, TT_DIRTY_DATA);
  assert_int_equal(m.nrows, 4);
  assert_null(tt_dash_view(&m, 3));
  assert_null(tt_dash_series_of(&m, 3));
  /* The selection stays at its height, on what is there now. */
  assert_int_equal(m.sel, 1);
  assert_string_equal(line_name(&m, 1), "charlie");
  /* Its number is not reused: the next one joins as 5. */
  size_t i = fleet_add(f, "foxtrot", "10.0.0.6:80", "", TT_STATE_UP);
  assert_int_equal(i, 5);
  ev = fleet_event(f, i, TT_EVENT_ADDED, T0 + 11);
  feed(&m, &ev);
  assert_int_equal(m.nrows, 5);
  /* Both are in the event log, the one that left by its name. */
  const tt_dash_change *e[4];
  assert_int_equal(tt_dash_log_page(&m, e, 4), 2);
  assert_int_equal(e[0]->kind, TT_LOG_ADDED);
  assert_int_equal(e[1]->kind, TT_LOG_REMOVED);
  assert_string_equal(tt_dash_name(&m, e[1]->target), "delta");
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* After a reload the old targets are freed: nothing may point into them,
 * the pause's copy included (the sanitizer build sees a kept pointer). */
static void test_a_reload_leaves_no_pointer_behind(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  press(&m, 'p');
  for (size_t i = 0; i < f->n; i++)
    assert_null(m.frozen[i].target);
  fleet_reload(f);
  tt_dash_targets_changed(&m);
  press(&m, 's'); /* NAME... every key reads through the source */
  press(&m, 'S');
  press(&m, 't');
  press(&m, '/');
  type(&m, "tag:prod");
  assert_int_equal(m.nrows, 3);
  assert_ptr_equal(tt_dash_target(&m, 0), f->t[0]);
  press(&m, TT_KEY_ENTER);
  press(&m, 'p');
  assert_int_equal(m.nrows, 3);
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* ---- the pause ---- */

static void test_pause_freezes_the_display(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  tt_dash_set_clock(&m, T0 + 5000000);
  tt_event b0 = fleet_beat(f, 0, T0 + 4500000, TT_CLASS_OK, 100);
  feed(&m, &b0);
  press(&m, 'p');
  assert_true(m.paused);
  tt_hcell before[4], after[4];
  tt_hist_cells(&tt_dash_series_of(&m, 0)->hist, m.step_us, 0, T0 + 5000000,
                4, before);
  /* The engine goes on: alpha goes down, a target joins, one leaves. */
  tt_event ev = fleet_beat(f, 0, T0 + 6000000, TT_CLASS_RESET, 0);
  assert_int_equal(tt_dash_record(&m, &ev), 0);
  ev = fleet_state(f, 0, T0 + 6000000, TT_STATE_DOWN, TT_CLASS_RESET,
                   "connection reset by peer");
  assert_int_equal(tt_dash_record(&m, &ev), 0);
  size_t i = fleet_add(f, "foxtrot", "10.0.0.6:80", "", TT_STATE_UP);
  ev = fleet_event(f, i, TT_EVENT_ADDED, T0 + 6000000);
  tt_dash_record(&m, &ev);
  ev = fleet_event(f, 3, TT_EVENT_REMOVED, T0 + 6000000);
  tt_dash_record(&m, &ev);
  f->gone[3] = true;
  tt_dash_set_clock(&m, T0 + 9000000);
  tt_dash_refresh(&m, TT_DIRTY_FILTER);
  assert_int_equal(tt_dash_view(&m, 0)->state, TT_STATE_UP);
  assert_int_equal(tt_dash_wall_us(&m), T0 + 5000000);
  /* What is remembered over time is frozen too: HISTORY, LOSS, changes. */
  tt_event b1 = fleet_beat(f, 0, T0 + 5100000, TT_CLASS_RESET, 0);
  tt_dash_record(&m, &b1);
  tt_hist_cells(&tt_dash_series_of(&m, 0)->hist, m.step_us, 0, T0 + 5000000,
                4, after);
  assert_memory_equal(before, after, sizeof(before));
  tt_dash_mini mini[TT_DASH_MINI_LEN];
  assert_int_equal(tt_dash_target_changes(&m, 0, mini, TT_DASH_MINI_LEN), 0);
  assert_int_equal(tt_dash_log_shown(&m), 0);
  assert_int_equal(m.nrows, 5); /* delta still shown, foxtrot not yet */
  assert_non_null(tt_dash_view(&m, 3));
  assert_null(tt_dash_target(&m, 3)); /* its settings are gone though */
  /* Resuming shows everything that happened meanwhile. */
  press(&m, 'p');
  assert_false(m.paused);
  assert_int_equal(tt_dash_view(&m, 0)->state, TT_STATE_DOWN);
  assert_int_equal(tt_dash_log_shown(&m), 3);
  assert_int_equal(m.nrows, 5);
  assert_null(tt_dash_view(&m, 3));
  assert_null(tt_dash_series_of(&m, 3));
  tt_dash_model_free(&m);
  fleet_free(f);
}

/* ---- HISTORY on one time grid ---- */

/* Two targets that fail at the same moment have their marks in the same
 * column, whatever came before: here one probes four times as often and
 * joined later. */
static void test_same_moment_same_column(void **state) {
  fleet *f = fleet_empty();
  size_t a = fleet_add(f, "a", "10.0.0.1:1", "", TT_STATE_UP);
  size_t b = fleet_add(f, "b", "10.0.0.2:1", "", TT_STATE_UP);
  f->t[b]->interval_ms = 250;
  fleet_add(f, "c", "10.0.0.3:1", "", TT_STATE_UP);
  tt_dash_model m;
  model_on(&m, f);
  assert_int_equal(m.step_us, 1000000); /* the most common interval */
  uint64_t s0 = T0 - T0 % 1000000;
  for (uint64_t t = 0; t < 20000000; t += 1000000) {
    tt_event ev = fleet_beat(f, a, s0 + t + 300000, TT_CLASS_OK, 100);
    feed(&m, &ev);
  }
  for (uint64_t t = 12000000; t < 20000000; t += 250000) {
    tt_event ev = fleet_beat(f, b, s0 + t + 10000, TT_CLASS_OK, 100);
    feed(&m, &ev);
  }
  tt_event ev = fleet_beat(f, a, s0 + 20000000 + 420000, TT_CLASS_RESET, 0);
  feed(&m, &ev);
  ev = fleet_beat(f, b, s0 + 20000000 + 420300, TT_CLASS_RESET, 0);
  feed(&m, &ev);
  tt_dash_set_clock(&m, s0 + 22500000);
  tt_hcell ca[30], cb[30];
  tt_hist_cells(&tt_dash_series_of(&m, a)->hist, m.step_us, 0, m.wall_us, 30,
                ca);
  tt_hist_cells(&tt_dash_series_of(&m, b)->hist, m.step_us, 0, m.wall_us, 30,
                cb);
  for (size_t k = 0; k < 30; k++)
    assert_int_equal((ca[k] & TT_HCELL_FAIL) != 0, (cb[k] & TT_HCELL_FAIL) != 0);
  assert_true(ca[27] & TT_HCELL_FAIL); /* two seconds before now */
  /* Zoomed out, still together. */
  press(&m, '-');
  assert_int_equal(tt_dash_hist_span_ms(&m), 4000);
  tt_hist_cells(&tt_dash_series_of(&m, a)->hist, m.step_us, 1, m.wall_us, 8,
                ca);
  tt_hist_cells(&tt_dash_series_of(&m, b)->hist, m.step_us, 1, m.wall_us, 8,
                cb);
  for (size_t k = 0; k < 8; k++)
    assert_int_equal((ca[k] & TT_HCELL_FAIL) != 0, (cb[k] & TT_HCELL_FAIL) != 0);
  tt_dash_model_free(&m);
  fleet_free(f);
}

static void test_zoom_and_scale_keys(void **state) {
  fleet *f = fleet_five();
  tt_dash_model m;
  model_on(&m, f);
  assert_int_equal(press(&m, '+'), 0); /* already the finest */
  for (int k = 0; k < TT_HIST_LEVELS + 2; k++)
    press(&m, '-');
  assert_int_equal(m.zoom, TT_HIST_LEVELS - 1);
  press(&m, '=');
  assert_int_equal(m.zoom, TT_HIST_LEVELS - 2);
  assert_false(m.shared_scale);
  press(&m, 'l');
  assert_true(m.shared_scale);
  tt_cell_ctx ctx;
  tt_event ev = fleet_beat(f, 0, T0, TT_CLASS_OK, 90);
  feed(&m, &ev);
  ev = fleet_beat(f, 2, T0, TT_CLASS_OK, 200000);
  feed(&m, &ev);
  tt_dash_cell_ctx(&m, 4, 20, &ctx);
  assert_true(ctx.shared);
  assert_int_equal(ctx.lo, tt_hist_code(90));
  assert_int_equal(ctx.hi, tt_hist_code(200000));
  press(&m, 'T');
  assert_true(m.show_tags);
  tt_dash_model_free(&m);
  fleet_free(f);
}

int main(void) {
  if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
    setlocale(LC_CTYPE, "");
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_state_sorts_worst_first),
    cmocka_unit_test(test_the_worst_rows_stay_in_view_until_one_moves),
    cmocka_unit_test(test_rows_move_with_what_they_depend_on),
    cmocka_unit_test(test_s_cycles_columns_and_S_reverses),
    cmocka_unit_test(test_s_visits_every_sortable_column),
    cmocka_unit_test(test_moving_the_selection),
    cmocka_unit_test(test_filter_words_match_name_address_ip_or_tag),
    cmocka_unit_test(test_filter_fields_negation_and_and),
    cmocka_unit_test(test_state_filter_follows_changes),
    cmocka_unit_test(test_filter_prompt_edits_and_esc_clears),
    cmocka_unit_test(test_x_shows_only_what_is_not_up),
    cmocka_unit_test(test_t_groups_by_tag_with_rollups),
    cmocka_unit_test(test_a_names_addresses_fold_into_one_line),
    cmocka_unit_test(test_selection_on_a_group_line_stays_on_it),
    cmocka_unit_test(test_a_target_that_joins_gets_a_row),
    cmocka_unit_test(test_a_target_that_leaves_loses_its_row),
    cmocka_unit_test(test_a_reload_leaves_no_pointer_behind),
    cmocka_unit_test(test_pause_freezes_the_display),
    cmocka_unit_test(test_same_moment_same_column),
    cmocka_unit_test(test_zoom_and_scale_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

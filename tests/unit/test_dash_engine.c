/* test_dash_engine.c - the dashboard's model on a real engine: fed its
 * events as cli/main.c feeds them, through a reload that removes a
 * target, adds one and changes one while the display is paused. The old
 * config is freed by the reload, so that a pointer the model kept into it
 * is a use-after-free the sanitizer build reports. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "columns.h"
#include "dash_model.h"
#include "dash_text.h"
#include "harness.h"
#include "support.h"

static const tt_view *engine_view(void *src, size_t i) {
  return tt_engine_view(src, i);
}

static void feed_cb(tt_harness *h, const tt_event *ev) {
  tt_dash_model *m = h->user;
  tt_dash_set_clock(m, tt_wall_us());
  tt_dash_refresh(m, tt_dash_record(m, ev));
}

typedef struct until_sent {
  tt_harness *h;
  size_t index;
  uint64_t sent;
} until_sent;

static bool sent_enough(void *arg) {
  const until_sent *w = arg;
  const tt_view *v = tt_engine_view(w->h->engine, w->index);
  return v != NULL && v->stats.sent >= w->sent;
}

static void run_until_sent(tt_harness *h, size_t index, uint64_t sent) {
  until_sent w = {h, index, sent};
  if (!tt_test_run_until_fn(&h->loop, sent_enough, &w, 10000))
    fail_msg("target %zu did not reach %llu heartbeats", index,
             (unsigned long long)sent);
}

static size_t rows_named(const tt_dash_model *m, const char *name) {
  size_t n = 0;
  for (size_t r = 0; r < m->nrows; r++)
    n += strcmp(tt_dash_name(m, m->rows[r]), name) == 0;
  return n;
}

/* Every line of the table, the header and the detail view of target i,
 * formatted as a redraw would. */
static void format_all(tt_dash_model *m, size_t i) {
  tt_line l, lines[12];
  tt_layout lay;
  unsigned want[TT_COL_COUNT] = {[TT_COL_NAME] = m->name_want,
                                 [TT_COL_ADDRESS] = m->address_want,
                                 [TT_COL_TAGS] = m->tags_want + 1};
  tt_layout_compute(&lay, 200, want);
  for (size_t r = 0; r < m->nrows; r++) {
    tt_cell_ctx ctx;
    tt_dash_cell_ctx(m, m->rows[r], lay.width[TT_COL_HISTORY], &ctx);
    tt_line_clear(&l);
    tt_row_format(&l, tt_dash_view(m, m->rows[r]), &lay, &ctx);
  }
  tt_text_header(&l, m, "t.yaml", 120);
  tt_text_detail(lines, 12, m, i, 120);
}

#define CFG "defaults:\n  " TT_H_FAST "targets:\n"

static void test_a_reload_under_a_paused_dashboard(void **unused) {
  tt_harness h;
  tt_dash_model m;
  tt_h_setup(&h);
  unsigned p = tt_fault_port(tt_h_serve(&h, TT_FAULT_RESPOND));
  tt_h_config(&h, CFG
    "  - { name: a, address: \"127.0.0.1:%u\", preset: redis, tags: [x] }\n"
    "  - { name: b, address: \"127.0.0.1:%u\", preset: redis, tags: [x] }\n",
    p, p);
  tt_h_start(&h);
  tt_dash_model_opts o = {.view_at = engine_view, .src = h.engine,
                          .n = tt_engine_size(h.engine), .utf8 = true,
                          .wall_us = tt_wall_us()};
  assert_int_equal(tt_dash_model_init(&m, &o), 0);
  h.user = &m;
  h.on_event = feed_cb;
  run_until_sent(&h, 1, 3);
  assert_int_equal(m.nrows, 2);

  /* Paused, a reload: b leaves, c joins, a changes its tags. */
  tt_dash_refresh(&m, tt_dash_key(&m, 'p'));
  tt_reload_report rep = tt_h_reload(&h, CFG
    "  - { name: a, address: \"127.0.0.1:%u\", preset: redis, tags: [z] }\n"
    "  - { name: c, address: \"127.0.0.1:%u\", preset: redis, tags: [x] }\n",
    p, p);
  assert_int_equal(rep.nadded + rep.nremoved + rep.nchanged, 3);
  tt_reload_report_free(&rep);
  tt_dash_targets_changed(&m);
  /* The pause still shows a and b, with what they were. */
  tt_dash_refresh(&m, TT_DIRTY_FILTER);
  assert_int_equal(rows_named(&m, "b"), 1);
  assert_int_equal(rows_named(&m, "c"), 0);
  assert_null(tt_dash_target(&m, 1));
  format_all(&m, 0);
  format_all(&m, 1);

  /* Resumed: a and c, a on its new settings. */
  tt_dash_refresh(&m, tt_dash_key(&m, 'p'));
  assert_int_equal(m.nrows, 2);
  assert_int_equal(rows_named(&m, "a"), 1);
  assert_int_equal(rows_named(&m, "c"), 1);
  assert_ptr_equal(tt_dash_target(&m, 0), &h.cfg.targets[0]);
  run_until_sent(&h, 2, 2);
  format_all(&m, 0);
  format_all(&m, 2);
  tt_dash_refresh(&m, tt_dash_key(&m, '/'));
  for (const char *s = "tag:z"; *s != '\0'; s++)
    tt_dash_refresh(&m, tt_dash_key(&m, (unsigned char)*s));
  assert_int_equal(m.nrows, 1);
  assert_int_equal(rows_named(&m, "a"), 1);
  /* The log says who joined and who left. */
  tt_dash_refresh(&m, tt_dash_key(&m, TT_KEY_ESC));
  const tt_dash_change *e[8];
  bool joined = false, left = false;
  size_t n = tt_dash_log_page(&m, e, 8);
  for (size_t k = 0; k < n; k++) {
    const char *who = tt_dash_name(&m, e[k]->target);
    joined |= e[k]->kind == TT_LOG_ADDED && strcmp(who, "c") == 0;
    left |= e[k]->kind == TT_LOG_REMOVED && strcmp(who, "b") == 0;
  }
  assert_true(joined);
  assert_true(left);

  h.on_event = NULL;
  tt_dash_model_free(&m);
  tt_h_teardown(&h);
}

int main(void) {
  if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
    setlocale(LC_CTYPE, "");
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_a_reload_under_a_paused_dashboard),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

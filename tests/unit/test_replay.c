/* test_replay.c - a recorded log opened for replay: views at any place,
 * reached by seeks in any order, backwards and forwards, equal those of a
 * sequential read; gzip replays as plain does; damage ends the log where
 * it is and is said; steps and windows find what they are asked for.
 *
 * The logs are written by the real JSON writer from a simulation that
 * moves its own reference views with core/view.c, as the engine does,
 * and keeps them after every event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "replay.h"
#include "replaylog.h"
#include "state.h"
#include "view.h"

#define K 6          /* targets */
#define T0 1795921200000000ull /* 2026-11-29T03:00:00Z */

typedef struct sim {
  tt_rlog log;
  tt_target t[K];
  char names[K][16];
  tt_view v[K];
  tt_machine m[K];
  bool present[K];
  uint64_t ts, t_max; /* as written; as a replay counts (never back) */
  uint64_t rng;
  size_t n, cap;      /* events written */
  tt_view *snap;      /* the views after n events: snap[n * K + i] */
  bool *there;        /* and which were there */
  uint64_t *time;     /* time[n]: the n-th event's (never back) */
} sim;

static uint32_t rnd(sim *s, uint32_t n) {
  s->rng ^= s->rng << 13;
  s->rng ^= s->rng >> 7;
  s->rng ^= s->rng << 17;
  return (uint32_t)(s->rng >> 33) % n;
}

/* Row `row` of the kept views becomes the views now, each with a
 * histogram of its own. */
static void put_row(sim *s, size_t row) {
  for (size_t i = 0; i < K; i++) {
    tt_view *v = &s->snap[row * K + i];
    tt_view_free(v);
    assert_int_equal(tt_view_copy(v, &s->v[i]), 0);
  }
}

/* After each event: the reference views, kept. */
static void keep(sim *s) {
  if (s->n + 1 >= s->cap) {
    size_t had = s->snap != NULL ? s->cap + 1 : 0;
    s->cap = s->cap ? s->cap * 2 : 1024;
    s->snap = realloc(s->snap, (s->cap + 1) * K * sizeof *s->snap);
    if (s->snap != NULL) /* no histograms in the new rows yet */
      memset(&s->snap[had * K], 0, (s->cap + 1 - had) * K * sizeof *s->snap);
    s->there = realloc(s->there, (s->cap + 1) * K * sizeof *s->there);
    s->time = realloc(s->time, (s->cap + 1) * sizeof *s->time);
    assert_non_null(s->snap);
    assert_non_null(s->there);
    assert_non_null(s->time);
  }
  s->time[s->n] = s->t_max;
  s->n++;
  put_row(s, s->n);
  memcpy(&s->there[s->n * K], s->present, sizeof s->present);
}

/* The clock moves on; now and then it stands still or steps back. */
static void tick(sim *s) {
  uint32_t r = rnd(s, 50);
  if (r == 0 && s->ts > T0 + 5000)
    s->ts -= 700;
  else if (r > 2)
    s->ts += 1000 + rnd(s, 9000);
  if (s->ts > s->t_max)
    s->t_max = s->ts;
}

static void start_target(sim *s, size_t i, bool added) {
  tick(s);
  tt_view_free(&s->v[i]);
  tt_view_init(&s->v[i], &s->t[i], i);
  s->v[i].state_since_ms = s->t_max / 1000;
  s->v[i].state_since_us = s->t_max;
  snprintf(s->v[i].ip, sizeof s->v[i].ip, "10.0.0.%zu", i + 1);
  tt_machine_init(&s->m[i]);
  s->present[i] = true;
  if (added) {
    tt_event e = { .kind = TT_EVENT_ADDED, .view = &s->v[i], .ts_us = s->ts,
                   .error = "" };
    tt_json_event(&s->log.sink, &e);
  } else {
    tt_json_target(&s->log.sink, &s->v[i], s->ts);
  }
  keep(s);
}

static void sim_init(sim *s, uint64_t seed) {
  static char *tags[] = { "prod", "cache" };
  memset(s, 0, sizeof *s);
  s->rng = seed;
  s->ts = s->t_max = T0;
  tt_rlog_open(&s->log);
  s->snap = NULL;
  keep(s); /* nothing applied: snap[0] */
  s->n = 0;
  for (size_t i = 0; i < K; i++) {
    tt_target_defaults(&s->t[i]);
    snprintf(s->names[i], sizeof s->names[i], "target-%zu", i);
    s->t[i].name = s->names[i];
    s->t[i].address = "10.0.0.1:6379";
    s->t[i].mode = TT_MODE_PERSISTENT;
    s->t[i].interval_ms = 500 + 500 * (i % 3);
    s->t[i].timeout_ms = 400;
    s->t[i].tags = tags;
    s->t[i].ntags = i % 3;
    tt_view_init(&s->v[i], &s->t[i], i);
  }
  put_row(s, 0);
  memcpy(&s->there[0], s->present, sizeof s->present);
}

static void heartbeat(sim *s, size_t i) {
  static const tt_class fails[] = { TT_CLASS_TIMEOUT, TT_CLASS_REFUSED,
                                    TT_CLASS_RESET, TT_CLASS_PROTOCOL };
  static const char *const why[] = { "no reply within 400 ms",
                                     "connection refused",
                                     "connection reset by peer",
                                     "reply did not match ^\\+PONG: -ERR" };
  tt_view *v = &s->v[i];
  uint32_t f = rnd(s, 10) < 7 ? 4 : rnd(s, 4);
  tt_class cls = f == 4 ? TT_CLASS_OK : fails[f];
  uint32_t rtt = cls == TT_CLASS_OK ? 50 + rnd(s, 200000) : 0;
  tt_rules rules = { 3, 150, 0, 0 };
  tick(s);
  tt_view_heartbeat(v, v->seq + 1, cls, rtt, f == 4 ? "" : why[f]);
  tt_event e = { .kind = TT_EVENT_HEARTBEAT, .view = v, .ts_us = s->ts,
                 .seq = v->seq, .cls = cls, .has_rtt = cls == TT_CLASS_OK,
                 .rtt_us = rtt, .error = f == 4 ? "" : v->last_error };
  tt_json_event(&s->log.sink, &e);
  keep(s);
  tt_step st = tt_state_step(&s->m[i], &rules, cls, rtt);
  if (st.to == st.from)
    return;
  tick(s);
  tt_view_enter_state(v, st.to, s->t_max / 1000, s->t_max);
  e = (tt_event){ .kind = TT_EVENT_STATE, .view = v, .ts_us = s->ts,
                  .cls = cls, .from = st.from, .to = st.to,
                  .error = f == 4 ? "" : why[f] };
  tt_json_event(&s->log.sink, &e);
  keep(s);
}

static void other(sim *s, size_t i) {
  tt_view *v = &s->v[i];
  tick(s);
  tt_event e = { .kind = TT_EVENT_LATE, .view = v, .ts_us = s->ts,
                 .seq = v->seq, .rtt_us = 450000, .error = "" };
  if (rnd(s, 2) == 0) {
    tt_stats_late(&v->stats, e.seq, e.rtt_us);
  } else {
    e = (tt_event){ .kind = TT_EVENT_RECONNECT, .view = v, .ts_us = s->ts,
                    .cls = TT_CLASS_EOF, .error = "peer closed" };
    v->stats.reconnects++;
  }
  tt_json_event(&s->log.sink, &e);
  keep(s);
}

static void leave(sim *s, size_t i) {
  tick(s);
  tt_event e = { .kind = TT_EVENT_REMOVED, .view = &s->v[i],
                 .ts_us = s->ts, .error = "" };
  tt_json_event(&s->log.sink, &e);
  s->present[i] = false;
  keep(s);
  tt_json_summary(&s->log.sink, &s->v[i], s->ts);
  keep(s);
}

/* A run of n events or a few more, every target started first. */
static void sim_run(sim *s, size_t n) {
  for (size_t i = 0; i < K; i++)
    start_target(s, i, false);
  while (s->n < n) {
    size_t i = rnd(s, K);
    uint32_t r = rnd(s, 100);
    if (!s->present[i])
      start_target(s, i, true);
    else if (r < 85)
      heartbeat(s, i);
    else if (r < 98)
      other(s, i);
    else
      leave(s, i);
  }
  tt_rlog_flush(&s->log);
}

static void sim_free(sim *s) {
  tt_rlog_done(&s->log);
  for (size_t i = 0; s->snap != NULL && i < (s->cap + 1) * K; i++)
    tt_view_free(&s->snap[i]);
  for (size_t i = 0; i < K; i++)
    tt_view_free(&s->v[i]);
  free(s->snap);
  free(s->there);
  free(s->time);
}

/* The replay's views are the reference's after n events. */
static void assert_views(tt_replay *r, const sim *s, uint64_t n) {
  assert_int_equal(tt_replay_position(r), n);
  for (size_t i = 0; i < K; i++) {
    size_t k = tt_replay_find(r, s->names[i]);
    const tt_view *v = k == SIZE_MAX ? NULL : tt_replay_view(r, k);
    if (!s->there[n * K + i]) {
      if (v != NULL)
        fail_msg("after %llu events %s is there", (unsigned long long)n,
                 s->names[i]);
      continue;
    }
    if (v == NULL)
      fail_msg("after %llu events %s is not there", (unsigned long long)n,
               s->names[i]);
    tt_assert_view_equal(v, &s->snap[n * K + i], TT_CMP_ALL);
    assert_int_equal(v->target->interval_ms, s->t[i].interval_ms);
    assert_int_equal(v->target->ntags, s->t[i].ntags);
  }
}

static tt_replay *open_log(const char *path, uint64_t stride, size_t budget) {
  tt_replay_opts o = { .budget = budget, .min_stride = stride };
  tt_replay *r;
  assert_int_equal(tt_replay_open(path, &o, &r), 0);
  return r;
}

/* Seeks to random places, by event and by time, and the ends. */
static void seek_around(tt_replay *r, sim *s, unsigned rounds) {
  for (unsigned k = 0; k < rounds; k++) {
    uint64_t n = rnd(s, (uint32_t)s->n + 1);
    if (k % 2 == 0) {
      assert_int_equal(tt_replay_seek_event(r, n), 0);
    } else {
      /* By time: every event at or before it. */
      uint64_t t = n == 0 ? T0 - 1 : s->time[n - 1];
      assert_int_equal(tt_replay_seek(r, t), 0);
      while (n < s->n && s->time[n] <= t)
        n++;
      assert_int_equal(tt_replay_now_us(r), t);
    }
    assert_views(r, s, n);
  }
  assert_int_equal(tt_replay_seek_event(r, s->n), 0);
  assert_views(r, s, s->n);
  assert_int_equal(tt_replay_seek(r, 0), 0);
  assert_views(r, s, 0);
}

static void test_seeks_in_any_order_equal_a_sequential_read(void **unused) {
  sim s;
  tt_replay_info in;
  sim_init(&s, 1);
  sim_run(&s, 3000);
  /* Checkpoints every 16 events at first, then thinned to the budget. */
  tt_replay *r = open_log(s.log.path, 16, 40000);
  tt_replay_info_get(r, &in);
  assert_int_equal(in.events, s.n);
  assert_int_equal(in.lines, s.n);
  assert_false(in.damaged);
  assert_false(in.gzip);
  assert_int_equal(in.targets, K);
  assert_int_equal(in.first_us, s.time[0]);
  assert_int_equal(in.last_us, s.time[s.n - 1]);
  assert_true(in.stride > 16);
  assert_true(in.checkpoints > 4);
  /* A sequential read, one event after another. */
  assert_views(r, &s, 0);
  for (uint64_t n = 1; n <= s.n; n++) {
    assert_int_equal(tt_replay_step(r, 1, SIZE_MAX, TT_REPLAY_ANY), 1);
    assert_views(r, &s, n);
  }
  assert_int_equal(tt_replay_step(r, 1, SIZE_MAX, TT_REPLAY_ANY), 0);
  seek_around(r, &s, 300);
  tt_replay_close(r);
  sim_free(&s);
}

static void test_gzip_replays_as_plain(void **unused) {
  sim s;
  tt_replay_info in;
  char gz[64];
  sim_init(&s, 2);
  sim_run(&s, 4000);
  tt_rlog_gzip(s.log.path, gz, 3, 0);
  tt_replay *r = open_log(gz, 32, 0);
  tt_replay_info_get(r, &in);
  assert_true(in.gzip);
  assert_false(in.damaged);
  assert_int_equal(in.events, s.n);
  seek_around(r, &s, 200);
  tt_replay_close(r);
  unlink(gz);
  sim_free(&s);
}

static void test_a_large_gzip_log_seeks_through_access_points(void **unused) {
  sim s;
  tt_replay_info in;
  char gz[64];
  sim_init(&s, 3);
  sim_run(&s, 40000); /* several MiB: many deflate blocks */
  tt_rlog_gzip(s.log.path, gz, 1, 0);
  tt_replay *r = open_log(gz, 2000, 0);
  tt_replay_info_get(r, &in);
  /* 20 strides; a checkpoint waits for the first deflate block boundary
   * past the lines already cut from the stream, so fewer are made, but
   * many more than the one at the start. */
  assert_true(in.checkpoints >= 6);
  seek_around(r, &s, 40);
  tt_replay_close(r);
  unlink(gz);
  sim_free(&s);
}

/* ---- damage ------------------------------------------------------------ */

/* A log of n good events, then what damage appends; the replay reads the
 * good events and says where the damage is. */
static void assert_damaged_at(const char *path, sim *s, uint64_t line,
                              const char *words) {
  tt_replay_info in;
  tt_replay *r = open_log(path, 8, 0);
  tt_replay_info_get(r, &in);
  assert_true(in.damaged);
  assert_int_equal(in.damage_line, line);
  if (strstr(in.damage, words) == NULL)
    fail_msg("the damage is '%s', not '%s'", in.damage, words);
  assert_int_equal(in.events, line - 1);
  assert_int_equal(in.lines, line - 1);
  seek_around(r, s, 20);
  assert_int_equal(tt_replay_seek(r, UINT64_MAX), 0);
  assert_views(r, s, line - 1);
  tt_replay_close(r);
}

static void test_a_cut_last_line_is_damage(void **unused) {
  sim s;
  sim_init(&s, 4);
  sim_run(&s, 300);
  tt_rlog_raw(&s.log, "{\"ts\":\"2026-11-29T04:00:00Z\",\"event\":\"hea");
  tt_rlog_flush(&s.log);
  assert_damaged_at(s.log.path, &s, s.n + 1, "cut short");
  sim_free(&s);
}

static void test_a_garbage_line_ends_the_log_there(void **unused) {
  sim s;
  sim_init(&s, 5);
  sim_run(&s, 300);
  size_t good = s.n;
  tt_rlog_raw(&s.log, "\x7f""ELF\x02\x01\x01 binary garbage\n");
  sim_run(&s, 400); /* never read */
  s.n = good;
  assert_damaged_at(s.log.path, &s, good + 1, "not an object");
  sim_free(&s);
}

static void test_a_line_too_long_is_damage(void **unused) {
  sim s;
  char *big = malloc(TT_RP_LINE_MAX + 2);
  assert_non_null(big);
  memset(big, 'x', TT_RP_LINE_MAX + 1);
  big[TT_RP_LINE_MAX + 1] = '\0';
  sim_init(&s, 6);
  sim_run(&s, 300);
  tt_sink_write(&s.log.sink, big, TT_RP_LINE_MAX + 1);
  tt_rlog_raw(&s.log, "\n");
  tt_rlog_flush(&s.log);
  assert_damaged_at(s.log.path, &s, s.n + 1, "longer than 65536");
  free(big);
  sim_free(&s);
}

static void test_gzip_cut_short_is_read_up_to_the_cut(void **unused) {
  sim s;
  char gz[64];
  tt_replay_info in;
  sim_init(&s, 7);
  sim_run(&s, 20000);
  tt_rlog_gzip(s.log.path, gz, 1, 5000);
  tt_replay *r = open_log(gz, 500, 0);
  tt_replay_info_get(r, &in);
  assert_true(in.damaged);
  assert_non_null(strstr(in.damage, "cut short"));
  assert_true(in.events > 1000 && in.events < s.n);
  assert_int_equal(in.damage_line, in.events + 1);
  s.n = in.events;
  seek_around(r, &s, 30);
  tt_replay_close(r);
  unlink(gz);
  sim_free(&s);
}

static void test_no_events_and_no_file(void **unused) {
  tt_rlog l;
  tt_replay *r;
  tt_replay_info in;
  uint64_t t;
  char why[200];
  tt_rlog_open(&l);
  assert_int_equal(tt_replay_open(l.path, NULL, &r), 0);
  tt_replay_info_get(r, &in);
  assert_int_equal(in.events, 0);
  assert_false(in.damaged);
  assert_int_equal(tt_replay_size(r), 0);
  assert_int_equal(tt_replay_seek(r, 12345), 0);
  assert_int_equal(tt_replay_step(r, 1, SIZE_MAX, TT_REPLAY_ANY), 0);
  assert_int_equal(tt_replay_step(r, -1, SIZE_MAX, TT_REPLAY_ANY), 0);
  assert_int_equal(tt_replay_parse_time(r, "03:00", &t, why, sizeof why), -1);
  tt_replay_close(r);
  tt_rlog_done(&l);
  assert_int_equal(tt_replay_open("/nonexistent/log", NULL, &r), -ENOENT);
  assert_null(r);
  assert_int_equal(tt_replay_open("/tmp", NULL, &r), -EISDIR);
}

/* ---- steps and windows --------------------------------------------------- */

/* The reference's answer: the first (dir > 0) matching event at or after
 * p, or the last before p, or -1. */
static int64_t expect_step(const sim *s, const char *log, uint64_t p,
                           int dir, size_t target, int what) {
  int64_t found = -1;
  for (uint64_t n = 0; n < s->n; n++) {
    bool change = false, mine = target == SIZE_MAX;
    /* The n-th line says what it is. */
    const char *line = log;
    for (uint64_t k = 0; k < n; k++)
      line = strchr(line, '\n') + 1;
    change = strncmp(strstr(line, "\"event\":") + 8, "\"state\"", 7) == 0;
    if (!mine) {
      char want[48];
      snprintf(want, sizeof want, "\"target\":\"%s\"", s->names[target]);
      const char *end = strchr(line, '\n');
      const char *at = strstr(line, want);
      mine = at != NULL && at < end;
    }
    if (!mine || (what == TT_REPLAY_CHANGES && !change))
      continue;
    if (dir > 0 && n >= p)
      return (int64_t)n;
    if (dir < 0 && n < p)
      found = (int64_t)n;
  }
  return found;
}

static char *slurp_text(const char *path) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static void test_steps_find_the_next_and_previous(void **unused) {
  sim s;
  sim_init(&s, 8);
  sim_run(&s, 600);
  char *text = slurp_text(s.log.path);
  tt_replay *r = open_log(s.log.path, 16, 0);
  for (unsigned k = 0; k < 300; k++) {
    uint64_t p = rnd(&s, (uint32_t)s.n + 1);
    int dir = rnd(&s, 2) ? 1 : -1;
    int what = rnd(&s, 2) ? TT_REPLAY_ANY : TT_REPLAY_CHANGES;
    size_t target = rnd(&s, 3) == 0 ? SIZE_MAX : rnd(&s, K);
    size_t k_target = target == SIZE_MAX ? SIZE_MAX
                                         : tt_replay_find(r, s.names[target]);
    int64_t want = expect_step(&s, text, p, dir, target, what);
    assert_int_equal(tt_replay_seek_event(r, p), 0);
    int moved = tt_replay_step(r, dir, k_target, what);
    if (want < 0) {
      assert_int_equal(moved, 0);
      assert_views(r, &s, p);
      continue;
    }
    assert_int_equal(moved, 1);
    /* Forward: just after it; back: just before it. */
    assert_views(r, &s, (uint64_t)want + (dir > 0 ? 1 : 0));
  }
  tt_replay_close(r);
  free(text);
  sim_free(&s);
}

typedef struct window {
  uint64_t from, to;
  size_t calls;
  uint64_t next;  /* the place the next call should have */
  size_t stop_after;
} window;

static bool window_cb(const tt_replay_event *e, void *arg) {
  window *w = arg;
  assert_true(e->t_us >= w->from && e->t_us <= w->to);
  assert_true(e->n >= w->next);
  w->next = e->n + 1;
  w->calls++;
  return w->calls != w->stop_after;
}

static void test_a_window_holds_the_events_of_its_time(void **unused) {
  sim s;
  sim_init(&s, 9);
  sim_run(&s, 2000);
  tt_replay *r = open_log(s.log.path, 16, 0);
  for (unsigned k = 0; k < 50; k++) {
    uint64_t a = rnd(&s, (uint32_t)s.n), b = a + rnd(&s, 300);
    window w = { .from = s.time[a], .to = s.time[b < s.n ? b : s.n - 1] };
    size_t want = 0;
    for (uint64_t n = 0; n < s.n; n++)
      want += s.time[n] >= w.from && s.time[n] <= w.to;
    uint64_t before = tt_replay_position(r);
    assert_int_equal(tt_replay_each(r, w.from, w.to, SIZE_MAX, window_cb, &w),
                     0);
    assert_int_equal(w.calls, want);
    assert_int_equal(tt_replay_position(r), before); /* the cursor stayed */
  }
  window w = { .from = 0, .to = UINT64_MAX, .stop_after = 5 };
  assert_int_equal(tt_replay_each(r, 0, UINT64_MAX, SIZE_MAX, window_cb, &w),
                   0);
  assert_int_equal(w.calls, 5);
  tt_replay_close(r);
  sim_free(&s);
}

/* ---- what a log says of its targets --------------------------------------- */

#define HB(ts, name, seq)                                                   \
  "{\"ts\":\"2026-11-29T03:00:" ts "Z\",\"event\":\"heartbeat\",\"target\":" \
  "\"" name "\",\"address\":\"h:1\",\"seq\":" #seq ",\"class\":\"ok\","    \
  "\"rtt_us\":100}\n"

static tt_replay *open_text(tt_rlog *l, const char *text) {
  tt_replay *r;
  tt_rlog_open(l);
  tt_rlog_raw(l, "%s", text);
  tt_rlog_flush(l);
  assert_int_equal(tt_replay_open(l->path, NULL, &r), 0);
  return r;
}

static void test_a_log_without_settings_guesses_the_interval(void **unused) {
  tt_rlog l;
  tt_replay *r = open_text(&l, HB("00.001", "a", 1) HB("02.003", "a", 2)
                               HB("04.002", "a", 3) HB("06.004", "a", 4)
                               HB("08.001", "a", 5));
  assert_int_equal(tt_replay_seek(r, UINT64_MAX), 0);
  const tt_view *v = tt_replay_view(r, 0);
  assert_non_null(v);
  assert_string_equal(v->target->name, "a");
  assert_string_equal(v->target->address, "h:1");
  assert_int_equal(v->target->interval_ms, 2000);
  assert_true(tt_replay_interval_guessed(r, 0));
  assert_int_equal(v->stats.sent, 5);
  /* Known only from its first event: connecting since then. */
  assert_int_equal(v->stats.changes, 0);
  assert_int_equal(v->state, TT_STATE_CONNECTING);
  tt_replay_close(r);
  tt_rlog_done(&l);
}

static void test_a_new_run_starts_afresh(void **unused) {
  tt_rlog l;
  /* A run killed before its summaries, then another: seq starts again. */
  tt_replay *r = open_text(&l, HB("00.000", "a", 1) HB("01.000", "a", 2)
                               HB("02.000", "a", 3) HB("10.000", "a", 1)
                               HB("11.000", "a", 2));
  assert_int_equal(tt_replay_seek(r, UINT64_MAX), 0);
  assert_int_equal(tt_replay_view(r, 0)->stats.sent, 2);
  assert_int_equal(tt_replay_view(r, 0)->state_since_us,
                   T0 + 10 * 1000000ull);
  assert_int_equal(tt_replay_step(r, -1, SIZE_MAX, TT_REPLAY_ANY), 1);
  assert_int_equal(tt_replay_view(r, 0)->stats.sent, 1);
  assert_int_equal(tt_replay_step(r, -1, SIZE_MAX, TT_REPLAY_ANY), 1);
  assert_int_equal(tt_replay_view(r, 0)->stats.sent, 3);
  tt_replay_close(r);
  tt_rlog_done(&l);
}

#define TARGET(ts, address, interval)                                     \
  "{\"ts\":\"2026-11-29T03:00:" ts "Z\",\"event\":\"target\",\"target\":" \
  "\"a\",\"address\":\"" address "\",\"tags\":[\"x\"],\"mode\":"          \
  "\"connect\",\"interval_ms\":" #interval ",\"timeout_ms\":100}\n"

static void test_a_reload_changes_settings_and_a_new_address(void **unused) {
  tt_rlog l;
  tt_replay *r = open_text(&l, TARGET("00.000", "h:1", 1000)
                               HB("01.000", "a", 1) HB("02.000", "a", 2)
                               TARGET("02.500", "h:1", 250)
                               HB("03.000", "a", 3)
                               TARGET("03.500", "h:2", 250)
                               "{\"ts\":\"2026-11-29T03:00:04Z\",\"event\":"
                               "\"heartbeat\",\"target\":\"a\",\"address\":"
                               "\"h:2\",\"seq\":1,\"class\":\"refused\","
                               "\"error\":\"connection refused\"}\n");
  assert_int_equal(tt_replay_seek(r, T0 + 2600000), 0);
  const tt_view *v = tt_replay_view(r, 0);
  /* The same address: statistics kept, the new interval in force. */
  assert_int_equal(v->stats.sent, 2);
  assert_int_equal(v->target->interval_ms, 250);
  assert_int_equal(v->target->mode, TT_MODE_CONNECT);
  assert_string_equal(v->target->tags[0], "x");
  assert_int_equal(tt_replay_seek(r, T0 + 1500000), 0);
  assert_int_equal(tt_replay_view(r, 0)->target->interval_ms, 1000);
  /* Another address: statistics start again, as in the engine. */
  assert_int_equal(tt_replay_seek(r, UINT64_MAX), 0);
  v = tt_replay_view(r, 0);
  assert_int_equal(v->stats.sent, 1);
  assert_int_equal(v->stats.lost, 1);
  assert_string_equal(v->target->address, "h:2");
  assert_string_equal(v->last_error, "connection refused");
  assert_false(tt_replay_interval_guessed(r, 0));
  tt_replay_close(r);
  tt_rlog_done(&l);
}

/* ---- times people type ---------------------------------------------------- */

static void assert_time(tt_replay *r, const char *text, uint64_t want) {
  uint64_t t;
  char why[200];
  if (tt_replay_parse_time(r, text, &t, why, sizeof why) != 0)
    fail_msg("%s: %s", text, why);
  if (t != want)
    fail_msg("%s is %llu, not %llu", text, (unsigned long long)t,
             (unsigned long long)want);
}

static void assert_no_time(tt_replay *r, const char *text, const char *words) {
  uint64_t t;
  char why[200];
  if (tt_replay_parse_time(r, text, &t, why, sizeof why) == 0)
    fail_msg("%s was taken", text);
  if (strstr(why, words) == NULL)
    fail_msg("%s: '%s' does not say '%s'", text, why, words);
}

#define AT(day, hms)                                                         \
  "{\"ts\":\"2026-11-" day "T" hms "Z\",\"event\":\"removed\",\"target\":" \
  "\"a\"}\n"

static void test_times_of_day_on_the_days_of_the_log(void **unused) {
  tt_rlog l;
  setenv("TZ", "UTC", 1);
  tzset();
  /* From 22:00 to 03:30 the next day: each time of day is there once. */
  tt_replay *r = open_text(&l, AT("28", "22:00:00") AT("29", "03:30:00"));
  assert_time(r, "23:15", T0 - 3 * 3600000000ull - 45 * 60000000ull);
  assert_time(r, "03:12:40", T0 + 12 * 60000000ull + 40000000);
  assert_time(r, "03:12:40.25", T0 + 12 * 60000000ull + 40250000);
  assert_time(r, "2026-11-29T03:12:40Z", T0 + 760000000);
  assert_time(r, "2026-11-29T04:12:40+01:00", T0 + 760000000);
  assert_time(r, "2026-11-29 03:12", T0 + 720000000);
  assert_no_time(r, "21:00", "not in the log");
  assert_no_time(r, "2026-11-29T04:00:00Z", "after the log");
  assert_no_time(r, "2026-11-28T21:00:00Z", "before the log");
  assert_no_time(r, "25:00", "not a time");
  assert_no_time(r, "3pm", "not a time");
  tt_replay_close(r);
  tt_rlog_done(&l);
  /* Over two days a time of day is there twice: which one is asked. */
  r = open_text(&l, AT("27", "12:00:00") AT("29", "12:00:00"));
  assert_no_time(r, "13:00", "on 2 days");
  assert_time(r, "2026-11-28 13:00", T0 - 14 * 3600000000ull);
  tt_replay_close(r);
  tt_rlog_done(&l);
  /* Local time is local. */
  setenv("TZ", "CET-1", 1);
  tzset();
  r = open_text(&l, AT("28", "22:00:00") AT("29", "03:30:00"));
  assert_time(r, "04:12:40", T0 + 760000000);
  tt_replay_close(r);
  tt_rlog_done(&l);
  unsetenv("TZ");
  tzset();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seeks_in_any_order_equal_a_sequential_read),
    cmocka_unit_test(test_gzip_replays_as_plain),
    cmocka_unit_test(test_a_large_gzip_log_seeks_through_access_points),
    cmocka_unit_test(test_a_cut_last_line_is_damage),
    cmocka_unit_test(test_a_garbage_line_ends_the_log_there),
    cmocka_unit_test(test_a_line_too_long_is_damage),
    cmocka_unit_test(test_gzip_cut_short_is_read_up_to_the_cut),
    cmocka_unit_test(test_no_events_and_no_file),
    cmocka_unit_test(test_steps_find_the_next_and_previous),
    cmocka_unit_test(test_a_window_holds_the_events_of_its_time),
    cmocka_unit_test(test_a_log_without_settings_guesses_the_interval),
    cmocka_unit_test(test_a_new_run_starts_afresh),
    cmocka_unit_test(test_a_reload_changes_settings_and_a_new_address),
    cmocka_unit_test(test_times_of_day_on_the_days_of_the_log),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

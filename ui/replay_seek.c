/* replay_seek.c - the replay's cursor: a seek restores the checkpoint
 * before the moment and applies what follows (at most a stride of
 * events), or goes on from where the cursor is when that is nearer;
 * steps and windows read with a reader of their own, passing over spans
 * that hold nothing they look for. */
#include <errno.h>
#include <string.h>

#include "replay_index.h"

/* ---- readers ------------------------------------------------------------ */

int tt_rp_reader_at(tt_replay *r, tt_rp_reader *rd, const tt_rp_mark *m) {
  int err;
  if (!rd->ready) {
    if ((err = tt_rp_stream_open(&rd->s, r->fd)) < 0) {
      tt_rp_stream_close(&rd->s);
      return err;
    }
    rd->ready = true;
  }
  rd->pos = m->event;
  rd->last_t = m->time_us;
  return tt_rp_stream_seek(&rd->s, m->has_ap ? &m->ap : NULL, m->offset,
                           m->line);
}

int tt_rp_reader_next(tt_replay *r, tt_rp_reader *rd, tt_rp_event *ev,
                      uint64_t *t) {
  char why[160];
  while (rd->pos < r->info.events) {
    const char *line;
    size_t len;
    uint64_t off;
    /* Everything up to info.events was read whole when the log was
     * opened: anything else now is the file changing under us. */
    if (tt_rp_stream_line(&rd->s, &line, &len, &off) <= 0)
      return -EIO;
    int p = tt_rp_parse(line, len, ev, why, sizeof why);
    if (p < 0)
      return -EIO;
    if (p == 0)
      continue;
    rd->pos++;
    *t = rd->last_t = ev->ts_us > rd->last_t ? ev->ts_us : rd->last_t;
    return 1;
  }
  return 0;
}

/* ---- checkpoints -------------------------------------------------------- */

/* The last checkpoint at or before event n. */
static size_t mark_by_event(const tt_replay *r, uint64_t n) {
  size_t lo = 0, hi = r->nmarks;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (r->marks[mid].event <= n)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

/* The last checkpoint whose events are all at or before t (strict:
 * before t). */
static size_t mark_by_time(const tt_replay *r, uint64_t t, bool strict) {
  size_t lo = 0, hi = r->nmarks;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    uint64_t mt = r->marks[mid].time_us;
    if (strict ? mt < t : mt <= t)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

/* ---- the cursor --------------------------------------------------------- */

uint64_t tt_replay_position(const tt_replay *r) {
  return r->cursor.pos - (r->have_next ? 1 : 0);
}

uint64_t tt_replay_now_us(const tt_replay *r) {
  return r->now_us;
}

uint64_t tt_replay_now_ms(const tt_replay *r) {
  return r->now_us / 1000;
}

static int restore(tt_replay *r, size_t k) {
  tt_rp_snap_load(r, &r->marks[k]);
  r->have_next = false;
  r->applied_t = r->marks[k].time_us;
  return tt_rp_reader_at(r, &r->cursor, &r->marks[k]);
}

int tt_rp_rewind(tt_replay *r) {
  int err = restore(r, 0);
  r->now_us = r->info.first_us > 0 ? r->info.first_us - 1 : 0;
  return err;
}

/* Applies the events after the cursor while there are fewer than n
 * applied and their time is at most until. */
static int forward(tt_replay *r, uint64_t n, uint64_t until) {
  while (tt_replay_position(r) < n) {
    if (!r->have_next) {
      int rc = tt_rp_reader_next(r, &r->cursor, &r->next, &r->next_t);
      if (rc <= 0)
        return rc;
      r->have_next = true;
    }
    if (r->next_t > until)
      break;
    tt_rp_apply(r, &r->next, r->next_t);
    r->applied_t = r->next_t;
    r->have_next = false;
  }
  return 0;
}

/* A read error leaves the cursor where it is not: back to the start. */
static int failed(tt_replay *r, int err) {
  restore(r, 0);
  r->now_us = 0;
  return err;
}

int tt_replay_seek(tt_replay *r, uint64_t t_us) {
  size_t k = mark_by_time(r, t_us, false);
  int err = 0;
  if (tt_replay_position(r) < r->marks[k].event || r->applied_t > t_us)
    err = restore(r, k);
  if (err == 0)
    err = forward(r, UINT64_MAX, t_us);
  if (err < 0)
    return failed(r, err);
  r->now_us = t_us;
  return 0;
}

int tt_replay_seek_event(tt_replay *r, uint64_t n) {
  if (n > r->info.events)
    n = r->info.events;
  size_t k = mark_by_event(r, n);
  uint64_t pos = tt_replay_position(r);
  int err = 0;
  if (pos > n || pos < r->marks[k].event)
    err = restore(r, k);
  if (err == 0)
    err = forward(r, n, UINT64_MAX);
  if (err < 0)
    return failed(r, err);
  if (n > 0)
    r->now_us = r->applied_t;
  else
    r->now_us = r->info.first_us > 0 ? r->info.first_us - 1 : 0;
  return 0;
}

/* ---- searching ---------------------------------------------------------- */

static bool span_may(const tt_replay *r, size_t k, size_t target, int what) {
  const tt_rp_mark *m = &r->marks[k];
  if (target == SIZE_MAX)
    return what == TT_REPLAY_ANY || m->changes > 0;
  return tt_rp_bit(what == TT_REPLAY_ANY ? &m->seen : &m->changed, target);
}

static bool match(const tt_replay *r, const tt_rp_event *ev, size_t target,
                  int what) {
  if (what == TT_REPLAY_CHANGES && ev->kind != TT_RP_STATE)
    return false;
  if (target == SIZE_MAX)
    return true;
  return ev->has_target && ev->kind != TT_RP_OTHER &&
         strcmp(ev->target, r->slots[target].view.target->name) == 0;
}

static uint64_t span_end(const tt_replay *r, size_t k) {
  return k + 1 < r->nmarks ? r->marks[k + 1].event : r->info.events;
}

/* In span k, the first (forward) or last matching event at or after lo
 * and before hi, into *found. Returns 1, 0 (none), or a negative errno. */
static int scan_span(tt_replay *r, size_t k, uint64_t lo, uint64_t hi,
                     size_t target, int what, bool first, uint64_t *found) {
  uint64_t t;
  int rc, hit = 0;
  if ((rc = tt_rp_reader_at(r, &r->scan, &r->marks[k])) < 0)
    return rc;
  while (r->scan.pos < hi &&
         (rc = tt_rp_reader_next(r, &r->scan, &r->ev, &t)) > 0) {
    uint64_t n = r->scan.pos - 1;
    if (n < lo || !match(r, &r->ev, target, what))
      continue;
    *found = n;
    hit = 1;
    if (first)
      return 1;
  }
  return rc < 0 ? rc : hit;
}

/* The first matching event at or after p, or the last before p. */
static int find(tt_replay *r, uint64_t p, int dir, size_t target, int what,
                uint64_t *found) {
  bool any = target == SIZE_MAX && what == TT_REPLAY_ANY;
  if (dir > 0) {
    if (p >= r->info.events)
      return 0;
    if (any) {
      *found = p;
      return 1;
    }
    for (size_t k = mark_by_event(r, p); k < r->nmarks; k++) {
      if (span_end(r, k) <= p || !span_may(r, k, target, what))
        continue;
      int rc = scan_span(r, k, p, span_end(r, k), target, what, true, found);
      if (rc != 0)
        return rc;
    }
    return 0;
  }
  if (p == 0)
    return 0;
  if (any) {
    *found = p - 1;
    return 1;
  }
  for (size_t k = mark_by_event(r, p - 1);; k--) {
    if (span_may(r, k, target, what)) {
      uint64_t hi = span_end(r, k) < p ? span_end(r, k) : p;
      int rc = scan_span(r, k, 0, hi, target, what, false, found);
      if (rc != 0)
        return rc;
    }
    if (k == 0)
      return 0;
  }
}

int tt_replay_step(tt_replay *r, int dir, size_t target, int what) {
  uint64_t q;
  if (target != SIZE_MAX && target >= r->n)
    return 0;
  int rc = find(r, tt_replay_position(r), dir, target, what, &q);
  if (rc <= 0)
    return rc;
  rc = tt_replay_seek_event(r, dir > 0 ? q + 1 : q);
  return rc < 0 ? rc : 1;
}

int tt_replay_each(tt_replay *r, uint64_t from_us, uint64_t to_us,
                   size_t target, tt_replay_event_cb cb, void *arg) {
  uint64_t t;
  int rc;
  if (from_us > to_us)
    return 0;
  if ((rc = tt_rp_reader_at(r, &r->scan,
                            &r->marks[mark_by_time(r, from_us, true)])) < 0)
    return rc;
  while ((rc = tt_rp_reader_next(r, &r->scan, &r->ev, &t)) > 0) {
    if (t > to_us)
      break;
    if (t < from_us || !match(r, &r->ev, target, TT_REPLAY_ANY))
      continue;
    tt_replay_event e = {
      .n = r->scan.pos - 1,
      .t_us = t,
      .target = r->ev.has_target && r->ev.kind != TT_RP_OTHER
                  ? tt_rp_lookup(r, r->ev.target)
                  : SIZE_MAX,
      .ev = &r->ev,
    };
    if (!cb(&e, arg))
      break;
  }
  return rc < 0 ? rc : 0;
}

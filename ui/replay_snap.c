/* replay_snap.c - every target's slot packed into a checkpoint and back:
 * numbers as LEB128 varints, the histogram's zero buckets left out and
 * recent results as one small number each, so that a view of 1.6 KiB
 * takes a few hundred bytes. What is packed is only ever read back by
 * this file, from this process's memory. */
#include <stdlib.h>
#include <string.h>

#include "replay_index.h"
#include "view.h"

/* Bytes a slot may take packed, at most. */
#define SLOT_MAX                                                    \
  (16 * 10 + (TT_STATE_COUNT + TT_CLASS_COUNT) * 10 + TT_ERROR_MAX + \
   TT_IP_MAX + 2 * TT_HIST_BUCKETS * 10 + TT_RING_LEN * 5 + 64)

typedef struct out {
  unsigned char *p;
} out;

static void put(out *o, uint64_t v) {
  while (v >= 0x80) {
    *o->p++ = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  *o->p++ = (unsigned char)v;
}

static uint64_t get(const unsigned char **p) {
  uint64_t v = 0;
  for (unsigned shift = 0;; shift += 7) {
    unsigned char c = *(*p)++;
    v |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80))
      return v;
  }
}

static void put_str(out *o, const char *s, size_t cap) {
  size_t n = strnlen(s, cap - 1);
  put(o, n);
  memcpy(o->p, s, n);
  o->p += n;
}

static void get_str(const unsigned char **p, char *s) {
  size_t n = (size_t)get(p);
  memcpy(s, *p, n);
  s[n] = '\0';
  *p += n;
}

static uint64_t sample_pack(tt_sample s) {
  return (uint64_t)s.rtt_us << 5 | (uint64_t)s.cls << 1 | s.late;
}

static tt_sample sample_unpack(uint64_t v) {
  return (tt_sample){ .rtt_us = (uint32_t)(v >> 5) & TT_SAMPLE_RTT_MAX,
                      .cls = (uint32_t)(v >> 1) & 15,
                      .late = (uint32_t)v & 1 };
}

static void pack_stats(out *o, const tt_stats *st) {
  put(o, st->sent);
  put(o, st->received);
  put(o, st->lost);
  put(o, st->late);
  for (int c = 0; c < TT_CLASS_COUNT; c++)
    put(o, st->classes[c]);
  put(o, st->rtt_sum_us);
  put(o, st->rtt_min_us);
  put(o, st->rtt_max_us);
  put(o, st->last_rtt_us);
  memcpy(o->p, &st->jitter_us, sizeof st->jitter_us);
  o->p += sizeof st->jitter_us;
  put(o, st->flaps);
  put(o, st->changes);
  put(o, st->reconnects);
  put(o, st->skipped);
  put(o, st->discarded_bytes);
  /* The buckets in use, as (zero buckets passed over, count) pairs, their
   * number first: one byte kept for it, any histogram has fewer than 128
   * buckets in use or takes a second. */
  _Static_assert(TT_HIST_BUCKETS < 128 * 128, "two bytes count buckets");
  unsigned char *count = o->p;
  size_t nz = 0, at = 0;
  o->p += 2;
  for (size_t b = st->hist_lo; b < (size_t)st->hist_lo + st->hist_n; b++) {
    if (tt_stats_bucket(st, b) == 0)
      continue;
    put(o, b - at);
    put(o, tt_stats_bucket(st, b));
    at = b + 1;
    nz++;
  }
  count[0] = (unsigned char)(nz | 0x80);
  count[1] = (unsigned char)(nz >> 7);
  /* A ring that never went round holds its samples from 0. */
  put(o, st->ring_len);
  put(o, st->ring_next);
  for (uint32_t i = 0; i < st->ring_len; i++)
    put(o, sample_pack(st->ring[i]));
}

static void unpack_stats(const unsigned char **p, tt_stats *st) {
  tt_stats_init(st);
  st->sent = get(p);
  st->received = get(p);
  st->lost = get(p);
  st->late = get(p);
  for (int c = 0; c < TT_CLASS_COUNT; c++)
    st->classes[c] = get(p);
  st->rtt_sum_us = get(p);
  st->rtt_min_us = (uint32_t)get(p);
  st->rtt_max_us = (uint32_t)get(p);
  st->last_rtt_us = (uint32_t)get(p);
  memcpy(&st->jitter_us, *p, sizeof st->jitter_us);
  *p += sizeof st->jitter_us;
  st->flaps = (uint32_t)get(p);
  st->changes = (uint32_t)get(p);
  st->reconnects = (uint32_t)get(p);
  st->skipped = get(p);
  st->discarded_bytes = get(p);
  size_t nz = (size_t)get(p), at = 0;
  for (size_t i = 0; i < nz; i++) {
    at += (size_t)get(p);
    uint32_t count = (uint32_t)get(p);
    /* Out of memory, the percentiles fall back to the largest RTT. */
    tt_stats_set_bucket(st, at++, count);
  }
  st->ring_len = (uint32_t)get(p);
  st->ring_next = (uint32_t)get(p);
  for (uint32_t i = 0; i < st->ring_len; i++)
    st->ring[i] = sample_unpack(get(p));
}

static void pack_slot(out *o, const tt_rp_slot *s) {
  const tt_view *v = &s->view;
  put(o, (uint64_t)s->present | (uint64_t)s->ended << 1 |
           (uint64_t)v->finished << 2);
  put(o, s->def);
  put(o, v->state);
  put(o, v->state_since_us);
  put(o, v->state_since_ms);
  for (int i = 0; i < TT_STATE_COUNT; i++)
    put(o, v->time_in_state_ms[i]);
  put(o, v->seq);
  put(o, v->last_class);
  put(o, v->last_failure);
  put_str(o, v->last_error, sizeof v->last_error);
  put_str(o, v->ip, sizeof v->ip);
  put(o, v->tls_us);
  pack_stats(o, &v->stats);
}

static void unpack_slot(tt_replay *r, const unsigned char **p, size_t i) {
  tt_rp_slot *s = &r->slots[i];
  tt_view *v = &s->view;
  uint64_t flags = get(p);
  s->present = flags & 1;
  s->ended = flags >> 1 & 1;
  s->def = (uint32_t)get(p);
  tt_view_free(v);
  memset(v, 0, sizeof *v);
  v->target = &r->defs[s->def].t;
  v->index = i;
  v->finished = flags >> 2 & 1;
  v->state = (tt_state)get(p);
  v->state_since_us = get(p);
  v->state_since_ms = get(p);
  for (int k = 0; k < TT_STATE_COUNT; k++)
    v->time_in_state_ms[k] = get(p);
  v->seq = get(p);
  v->last_class = (tt_class)get(p);
  v->last_failure = (tt_class)get(p);
  get_str(p, v->last_error);
  get_str(p, v->ip);
  v->tls_us = (uint32_t)get(p);
  unpack_stats(p, &v->stats);
}

int tt_rp_snap_make(const tt_replay *r, tt_rp_mark *m) {
  /* Room for the worst case of the next slot, made as it is needed. */
  size_t cap = 4 * SLOT_MAX, used = 0;
  unsigned char *buf = malloc(cap);
  if (buf == NULL)
    return -1;
  for (size_t i = 0; i < r->n; i++) {
    if (cap - used < SLOT_MAX) {
      unsigned char *b = realloc(buf, cap * 2);
      if (b == NULL) {
        free(buf);
        return -1;
      }
      buf = b;
      cap *= 2;
    }
    out o = { buf + used };
    pack_slot(&o, &r->slots[i]);
    used = (size_t)(o.p - buf);
  }
  m->snap_len = used;
  m->snap = realloc(buf, used + 1);
  if (m->snap == NULL)
    m->snap = buf;
  m->ntargets = r->n;
  return 0;
}

void tt_rp_snap_load(tt_replay *r, const tt_rp_mark *m) {
  const unsigned char *p = m->snap;
  for (size_t i = 0; i < m->ntargets; i++)
    unpack_slot(r, &p, i);
  for (size_t i = m->ntargets; i < r->n; i++)
    tt_rp_slot_reset(r, i);
}

/* replay_index.h - private to replay*.c: a replay's targets, its index of
 * checkpoints, and the cursor's state. */
#ifndef TETHER_REPLAY_INDEX_H
#define TETHER_REPLAY_INDEX_H

#include "config.h"
#include "replay.h"
#include "replay_stream.h"

#define NONE UINT32_MAX

/* One version of a target's settings: a new one whenever a recording
 * states other settings (a reload) or another address. */
typedef struct tt_rp_def {
  tt_target t;       /* name, address owned; the rest defaults */
  size_t target;     /* whose */
  uint32_t next;     /* the target's next version, or NONE */
  bool guessed;      /* the interval was guessed from heartbeats */
  bool owns_tags;    /* else shared with the version it came from */
} tt_rp_def;

/* A bit per target. */
typedef struct tt_rp_bits {
  uint8_t *b;
  size_t n;          /* bits there is room for */
  bool all;          /* out of memory: take every bit as set */
} tt_rp_bits;

/* One target at the cursor. */
typedef struct tt_rp_slot {
  tt_view view;
  uint32_t def;      /* its settings, r->defs[def] */
  bool present;      /* there at the cursor */
  bool ended;        /* its run wrote its summary (or it was never seen) */
} tt_rp_slot;

/* A checkpoint: every slot as it was after `event` events, and where the
 * next line starts. The span from it to the next one says which targets
 * had events and state changes, so that a search can pass it over. */
typedef struct tt_rp_mark {
  uint64_t event;
  uint64_t time_us;   /* of the last event before it (0: none) */
  uint64_t offset, line;
  bool has_ap;        /* gzip: start inflating at ap (else at the start) */
  tt_rp_access ap;
  size_t ntargets;    /* slots packed (the targets known by then) */
  unsigned char *snap;
  size_t snap_len;
  tt_rp_bits seen, changed; /* targets with events, state changes */
  uint64_t changes;   /* state changes in the span */
} tt_rp_mark;

/* A reader of events: a stream with its place. The cursor has one; each
 * search and window has one of its own. */
typedef struct tt_rp_reader {
  tt_rp_stream s;
  uint64_t pos;       /* events read so far */
  uint64_t last_t;    /* time of the last one (times never go back) */
  bool ready;
} tt_rp_reader;

struct tt_replay {
  int fd;
  tt_replay_opts opts;
  tt_replay_info info;
  /* Targets: slots by number, names hashed (open addressing, i + 1). */
  tt_rp_slot *slots;
  size_t n, cap;
  uint32_t *hash;
  size_t hash_mask;
  uint32_t *first_def; /* per target */
  tt_rp_def *defs;
  size_t ndefs, defcap;
  /* The index. */
  tt_rp_mark *marks;
  size_t nmarks, markcap;
  size_t mark_bytes;
  /* The cursor: `reader.pos` events applied; a read-ahead event that
   * comes after the time sought waits in next. */
  tt_rp_reader cursor;
  bool have_next;
  tt_rp_event next;
  uint64_t next_t;
  uint64_t applied_t;  /* time of the last event applied */
  uint64_t now_us;
  tt_rp_reader scan;   /* for searches and windows */
  tt_rp_event ev;      /* scratch */
};

/* replay.c: ev (of time t) applied to the slots. */
void tt_rp_apply(tt_replay *r, const tt_rp_event *ev, uint64_t t);

/* replay_targets.c: targets by name; a new one's number (SIZE_MAX: out
 * of memory); the version of target i's settings that ev speaks of
 * (found, or made while the log is indexed); a slot as before its
 * target's first event. */
size_t tt_rp_lookup(const tt_replay *r, const char *name);
size_t tt_rp_add_target(tt_replay *r, const tt_rp_event *ev);
uint32_t tt_rp_def_for(tt_replay *r, size_t i, const tt_rp_event *ev,
                       uint32_t base);
void tt_rp_slot_reset(tt_replay *r, size_t i);
void tt_rp_def_free(tt_rp_def *d);

/* replay_build.c: the pass that indexes a file of size bytes. */
int tt_rp_build(tt_replay *r, uint64_t size);
bool tt_rp_bit(const tt_rp_bits *b, size_t i);
void tt_rp_mark_free(tt_rp_mark *m);

/* replay_snap.c: the slots 0..n-1 packed into a checkpoint and back. */
int tt_rp_snap_make(const tt_replay *r, tt_rp_mark *m);
void tt_rp_snap_load(tt_replay *r, const tt_rp_mark *m);

/* replay_seek.c: the cursor back before the first event; readers. */
int tt_rp_rewind(tt_replay *r);
int tt_rp_reader_at(tt_replay *r, tt_rp_reader *rd, const tt_rp_mark *m);
/* The next event: 1 (with *t), 0 at the end of what was indexed, -1. */
int tt_rp_reader_next(tt_replay *r, tt_rp_reader *rd, tt_rp_event *ev,
                      uint64_t *t);

#endif

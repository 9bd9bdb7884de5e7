/* dash_model.h - what the dashboard shows, without drawing it: the rows
 * (filtered, sorted, with a selection that follows its target), the screen
 * in front, the pause snapshot, the event log, and the key table whose
 * actions change all that and say what to redraw (htop's Action.c). Pure,
 * so that tests can drive it without a terminal. */
#ifndef TETHER_DASH_MODEL_H
#define TETHER_DASH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "columns.h"
#include "engine.h"

/* What changed, as actions and events report it (tmux's redraw flags).
 * The dashboard ORs them together and one check per refresh period acts
 * on them. */
enum {
  TT_DIRTY_DRAW = 1u << 0,   /* something shown changed: draw */
  TT_DIRTY_DATA = 1u << 1,   /* the targets' numbers moved */
  TT_DIRTY_ORDER = 1u << 2,  /* sort again */
  TT_DIRTY_FILTER = 1u << 3, /* filter again, then sort */
  TT_DIRTY_LAYOUT = 1u << 4, /* the terminal's size changed */
  TT_DO_QUIT = 1u << 8,      /* the user asked to quit */
  TT_DO_RECONNECT = 1u << 9  /* reconnect the selected target */
};

/* Keys as the model knows them: Unicode code points for characters, and
 * these above them for the rest. */
enum {
  TT_KEY_UP = 0x110000,
  TT_KEY_DOWN,
  TT_KEY_PGUP,
  TT_KEY_PGDN,
  TT_KEY_HOME,
  TT_KEY_END,
  TT_KEY_ENTER,
  TT_KEY_ESC,
  TT_KEY_BACKSPACE,
  TT_KEY_KILL_LINE, /* ^U */
  TT_KEY_REDRAW     /* ^L */
};

typedef enum tt_dash_screen {
  TT_SCREEN_TABLE = 1,
  TT_SCREEN_DETAIL = 2,
  TT_SCREEN_HELP = 4
} tt_dash_screen;

/* A state change as the event log keeps it. */
typedef struct tt_dash_change {
  uint64_t ts_us;
  size_t target;
  uint8_t from, to, cls;
  char error[TT_ERROR_MAX]; /* as the engine gave it (escape to show) */
} tt_dash_change;

/* A state change as a target's own short history keeps it. */
typedef struct tt_dash_mini {
  uint64_t ts_us;
  uint8_t from, to, cls;
} tt_dash_mini;

#define TT_DASH_LOG_LEN 1000   /* state changes of all targets */
#define TT_DASH_MINI_LEN 8     /* state changes kept per target */
#define TT_DASH_FILTER_MAX 128 /* bytes of a filter */

typedef const tt_view *(*tt_view_fn)(void *src, size_t i);

typedef struct tt_dash_target_log {
  tt_dash_mini m[TT_DASH_MINI_LEN];
  uint32_t total;
} tt_dash_target_log;

struct tt_sortitem;

typedef struct tt_dash_model {
  /* The live targets. */
  tt_view_fn view_at;
  void *src;
  size_t n;
  bool utf8;
  uint64_t now_ms;  /* loop time and wall clock, set by the owner */
  uint64_t wall_us;
  uint64_t behind;  /* probe slots let pass in the last seconds, set by
                       the owner: the loop cannot keep up */

  /* While paused: a copy of every view, and the moment it was taken. */
  bool paused;
  tt_view *frozen;
  uint64_t frozen_ms, frozen_wall_us, frozen_log_total;

  /* The rows: indices of the targets that pass the filter, sorted. */
  uint32_t *rows;
  size_t nrows;
  struct tt_sortitem *items, *tmp;
  tt_col_id sort_col;
  bool reverse;
  char filter[TT_DASH_FILTER_MAX];
  size_t filter_len;
  bool prompt; /* the filter prompt is open */

  /* The selection is a target, so that it stays on it when rows move. */
  size_t sel;     /* target index, or SIZE_MAX when there are no rows */
  size_t sel_row; /* its row */
  size_t top;     /* the first row shown */
  unsigned page;  /* rows the table shows */

  tt_dash_screen screen;
  tt_dash_screen help_from; /* where help goes back to */
  bool show_log;

  /* Every state change, newest last, in a ring; and a few per target. */
  tt_dash_change *log;
  uint64_t log_total;
  tt_dash_target_log *tlog;

  unsigned name_want, address_want; /* widest escaped name and address */
} tt_dash_model;

/* Sets the model up on n targets read through view_at(src, i). Rows start
 * sorted by STATE (worst first). Returns 0 or -ENOMEM. */
int tt_dash_model_init(tt_dash_model *m, size_t n, tt_view_fn view_at,
                       void *src, bool utf8);
void tt_dash_model_free(tt_dash_model *m);

/* Target i as shown: live, or its copy while paused. */
const tt_view *tt_dash_view(const tt_dash_model *m, size_t i);

/* The loop time and wall clock shown: now, or the moment of the pause. */
uint64_t tt_dash_now_ms(const tt_dash_model *m);
uint64_t tt_dash_wall_us(const tt_dash_model *m);

/* Filters and sorts again as dirty asks (TT_DIRTY_FILTER, _ORDER, or
 * _DATA when the sort column's values move) and puts the selection back
 * on its target. */
void tt_dash_refresh(tt_dash_model *m, unsigned dirty);

/* Tells the model how many rows the table shows (for paging and
 * scrolling). */
void tt_dash_set_page(tt_dash_model *m, unsigned rows);

/* Handles a key; returns what to redraw and what to do. */
unsigned tt_dash_key(tt_dash_model *m, int key);

/* Takes in an engine event; returns what to redraw (nothing while
 * paused). */
unsigned tt_dash_record(tt_dash_model *m, const tt_event *ev);

/* The event log as shown, newest first: how many, and the k-th. */
size_t tt_dash_log_count(const tt_dash_model *m);
const tt_dash_change *tt_dash_log_get(const tt_dash_model *m, size_t k);

/* Target i's latest state changes, newest first, into out; returns how
 * many. */
size_t tt_dash_target_changes(const tt_dash_model *m, size_t i,
                              tt_dash_mini *out, size_t max);

/* Targets per state, over all targets (the filter aside). */
void tt_dash_counts(const tt_dash_model *m, size_t counts[TT_STATE_COUNT]);

/* Whether target t passes filter (case-insensitive substring of its name,
 * address or one of its tags; an empty filter passes everything). */
bool tt_dash_matches(const tt_target *t, const char *filter);

/* The key table, for the help screen. Entries with a NULL label are
 * aliases of the one before. */
typedef unsigned (*tt_dash_action)(tt_dash_model *m);

typedef struct tt_dash_binding {
  int key;
  unsigned screens;  /* tt_dash_screen bits it works on */
  tt_dash_action act;
  const char *label; /* how help and the key bar name it */
  const char *help;
} tt_dash_binding;

const tt_dash_binding *tt_dash_bindings(size_t *n);

#endif

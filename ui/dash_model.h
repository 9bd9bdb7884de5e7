/* dash_model.h - what the dashboard shows, without drawing it: the
 * targets as they come and go, the rows (filtered, sorted, grouped by tag)
 * with a selection, the screen in front, the pause snapshot, what is
 * remembered over time (HISTORY, LOSS, the event log), and the key table
 * whose actions change all that and say what to redraw (htop's
 * Action.c). Pure, so that tests drive it without a terminal.
 *
 * It is fed through three doors only, so that a live engine and a
 * replayed log feed it alike:
 *   - a view source, view_at(src, i): target i's tt_view now, NULL for a
 *     target that left (numbers are never reused);
 *   - events, tt_dash_record(): every tt_event in the order it happened
 *     (ADDED and REMOVED included), whose ts_us is all the model uses for
 *     time;
 *   - a clock, tt_dash_set_clock(): the wall time shown as now.
 * It never keeps a tt_target pointer between calls: names are copied
 * (a number keeps its name), the rest is read through view_at when used. */
#ifndef TETHER_DASH_MODEL_H
#define TETHER_DASH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "columns.h"
#include "dash_filter.h"
#include "dash_hist.h"
#include "dash_log.h"
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
  TT_DIRTY_STATES = 1u << 5, /* a target's state changed: what filters,
                                sorts or rolls up by state moves */
  TT_DO_QUIT = 1u << 8,      /* the user asked to quit */
  TT_DO_RECONNECT = 1u << 9, /* reconnect the selected target */
  TT_DO_RELOAD = 1u << 10    /* reload the configuration */
};
#define TT_DO_MASK (TT_DO_QUIT | TT_DO_RECONNECT | TT_DO_RELOAD)

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
  TT_KEY_TAB,
  TT_KEY_KILL_LINE, /* ^U */
  TT_KEY_REDRAW,    /* ^L */
  TT_KEY_LEFT,
  TT_KEY_RIGHT
};

typedef enum tt_dash_screen {
  TT_SCREEN_TABLE = 1,
  TT_SCREEN_DETAIL = 2,
  TT_SCREEN_HELP = 4
} tt_dash_screen;

/* A state change as a target's own short history keeps it. */
typedef struct tt_dash_mini {
  uint64_t ts_us;
  uint8_t from, to, cls;
} tt_dash_mini;

#define TT_DASH_MINI_LEN 8     /* state changes kept per target */
#define TT_DASH_FILTER_MAX 128 /* bytes of a filter */
#define TT_DASH_NO_GROUP UINT32_MAX
#define TT_DASH_NOTICE_MAX 200
#define TT_DASH_STATUS_MAX 96
#define TT_DASH_ASK_MAX 64

/* What the model remembers of a target over time: its HISTORY cells,
 * LOSS window and latest state changes. Freed when the target leaves;
 * a pause shows a copy. */
typedef struct tt_dash_series {
  tt_hist hist;
  tt_loss loss;
  tt_dash_mini mini[TT_DASH_MINI_LEN];
  uint32_t mini_total;
} tt_dash_series;

/* One target number. */
typedef struct tt_dash_track {
  char *name;              /* a copy; NULL for a number never seen */
  bool present;            /* in the source now */
  uint8_t state;           /* as the last state event left it */
  uint64_t since_us;       /* when it entered that state */
  tt_dash_series *series;
} tt_dash_track;

/* A line of the table: a target (group is TT_DASH_NO_GROUP unless
 * grouped), or a group's roll-up (target is TT_DASH_NO_TARGET). */
typedef struct tt_dash_line {
  uint32_t target;
  uint32_t group;
} tt_dash_line;

/* Rows grouped by tag (t): one group per tag, a target in each group of
 * its tags, the targets without one in a group of their own. */
typedef struct tt_dash_group {
  char *tag;                       /* NULL: the untagged */
  bool open;                       /* its rows shown under its roll-up */
  uint32_t counts[TT_STATE_COUNT]; /* its rows (filtered) per state */
  uint32_t rows;
  uint32_t first;                  /* scratch for building the lines */
} tt_dash_group;

typedef struct tt_dash_groups {
  tt_dash_group *g;
  size_t n, cap;
  uint32_t *hash;   /* open addressing on the tags: group + 1, 0 empty */
  size_t hash_cap;
  uint32_t untagged; /* its group, or TT_DASH_NO_GROUP */
  uint32_t *order;   /* groups that have rows, first row first */
  size_t norder;
  tt_dash_line *pairs; /* scratch: (target, group) memberships */
  uint32_t *sorted;    /* scratch: memberships in group order */
  size_t npairs, pairs_cap;
} tt_dash_groups;

typedef const tt_view *(*tt_view_fn)(void *src, size_t i);

typedef struct tt_dash_model_opts {
  tt_view_fn view_at;
  void *src;
  size_t n;          /* targets numbered 0 .. n-1 to begin with */
  bool utf8;
  uint64_t step_ms;  /* HISTORY's time step; 0: the most common interval */
  uint64_t wall_us;  /* the clock at the start */
} tt_dash_model_opts;

struct tt_sortitem;
struct tt_dash_binding;

typedef struct tt_dash_model {
  tt_view_fn view_at;
  void *src;
  size_t n, cap;      /* target numbers 0 .. n-1 */
  tt_dash_track *tracks;
  bool utf8;
  uint64_t wall_us;   /* now (tt_dash_set_clock) */
  uint64_t behind;    /* probe slots let pass in the last seconds, set by
                         the owner: the loop cannot keep up */

  /* While paused: a copy of every view (no target pointer in it; index
   * SIZE_MAX for one that was not there) and of what is remembered of
   * it, and the moment they were taken. */
  bool paused;
  tt_view *frozen;
  tt_dash_series *frozen_series;
  tt_hist_scale *frozen_scale;
  size_t frozen_n;
  uint64_t frozen_wall_us, frozen_log_total;

  /* The rows: targets that pass the filter and x, sorted. */
  char filter_text[TT_DASH_FILTER_MAX];
  size_t filter_len;
  tt_filter filter;
  bool prompt;        /* the filter prompt is open */
  bool problems;      /* x: only what is not up */
  uint8_t *passes;    /* per number: passes the filter and x */
  uint32_t *rows;
  size_t nrows;
  struct tt_sortitem *items, *tmp;
  tt_col_id sort_col;
  bool reverse;

  /* The lines drawn: the rows, or groups and their rows. Grouped by tag
   * (t), or else the addresses of one name (addresses: all) under a
   * roll-up of their own, open until folded. */
  bool grouped;
  tt_dash_groups groups;
  tt_dash_groups names;
  tt_dash_line *lines;
  size_t nlines, lines_cap;

  /* The selection is a line's identity, so that it stays on its target
   * (or group) when lines move; while pinned it is the first line. */
  bool pinned;
  uint32_t sel_target, sel_group;
  size_t sel;         /* its line */
  size_t top;         /* the first line shown */
  unsigned page;      /* lines the table shows */

  tt_dash_screen screen;
  tt_dash_screen help_from; /* where help goes back to */

  /* The event log pane: shown, given the movement keys (Tab), and the
   * entry at its top when scrolled away from the newest. */
  bool show_log, log_focus, log_follow;
  uint64_t log_top;
  unsigned log_page;
  tt_dash_log log;

  /* HISTORY: its step, zoom level (TT_HIST_ZOOM to the power) and scale;
   * the optional TAGS column. */
  uint64_t step_us;
  unsigned zoom;
  bool shared_scale;
  tt_hist_scale *scale;
  bool show_tags;

  /* A message in place of the key bar until notice_until_us. */
  char notice[TT_DASH_NOTICE_MAX];
  bool notice_error;
  uint64_t notice_until_us;

  /* Keys a front end adds (a replay's time keys); looked up before the
   * model's own, and a model's key of the same name gives way to them
   * (in help and the key bar too). owner is theirs. */
  const struct tt_dash_binding *extra;
  size_t nextra;
  void *owner;

  /* A front end's word in the header, before the clock (a replay's
   * position and speed); "" for none. */
  char status[TT_DASH_STATUS_MAX];

  /* A front end's one-line question (a replay's "Time: "), open while
   * ask_title is set: printable characters go into ask_text, Enter calls
   * ask_done(m, true), Esc ask_done(m, false); it closes before either.
   * ask_hint follows the text on the key bar. */
  const char *ask_title, *ask_hint;
  char ask_text[TT_DASH_ASK_MAX];
  size_t ask_len;
  unsigned (*ask_done)(struct tt_dash_model *m, bool ok);

  unsigned name_want, address_want, tags_want; /* widest, escaped */
  unsigned cert_want; /* the CERT column's width while a target uses TLS */
} tt_dash_model;

/* Sets the model up on o->n targets. Rows start sorted by STATE (worst
 * first), the selection pinned to the first. Returns 0 or -ENOMEM. */
int tt_dash_model_init(tt_dash_model *m, const tt_dash_model_opts *o);
void tt_dash_model_free(tt_dash_model *m);

/* Sets now (wall clock, microseconds since the epoch). */
void tt_dash_set_clock(tt_dash_model *m, uint64_t wall_us);

/* Forgets what was remembered over time (HISTORY, LOSS windows, the
 * event log, state changes), for a replay that moves its cursor back and
 * feeds the events again. */
void tt_dash_forget(tt_dash_model *m);

/* Takes again from the source which targets are there, with their
 * states (a replay whose cursor jumped: events fed since then may say
 * otherwise of targets that came and went). Returns what to redraw. */
unsigned tt_dash_resync(tt_dash_model *m);

/* Target i as shown (live, or its copy while paused), NULL when it is
 * not there; its settings, NULL when it is not watched now; its name
 * ("" for a number never seen); what is remembered of it. */
const tt_view *tt_dash_view(const tt_dash_model *m, size_t i);
const tt_target *tt_dash_target(const tt_dash_model *m, size_t i);
const char *tt_dash_name(const tt_dash_model *m, size_t i);
const tt_dash_series *tt_dash_series_of(const tt_dash_model *m, size_t i);

/* Freezes the display (a copy of every view and of what is remembered
 * of it; events go on being recorded) or thaws it. Returns what to
 * redraw. */
unsigned tt_dash_pause(tt_dash_model *m, bool on);

/* The shared scale's cells as shown (a copy while paused). */
const tt_hist_scale *tt_dash_scale(const tt_dash_model *m);

/* The wall clock shown: now, or the moment of the pause. */
uint64_t tt_dash_wall_us(const tt_dash_model *m);

/* The selected target, or SIZE_MAX (none, or a group's line). */
size_t tt_dash_selected(const tt_dash_model *m);

/* Filters, sorts and groups again as dirty asks (TT_DIRTY_FILTER,
 * _ORDER; _STATES or _DATA when the filter, the sort column or the
 * roll-ups depend on states or on every heartbeat) and puts the
 * selection back on its line. */
void tt_dash_refresh(tt_dash_model *m, unsigned dirty);

/* Tells the model how many lines the table and the log pane show. */
void tt_dash_set_page(tt_dash_model *m, unsigned lines);
void tt_dash_set_log_page(tt_dash_model *m, unsigned lines);

/* Handles a key; returns what to redraw and what to do. */
unsigned tt_dash_key(tt_dash_model *m, int key);

/* Takes in an event; returns what to redraw (nothing while paused, but
 * it is remembered). */
unsigned tt_dash_record(tt_dash_model *m, const tt_event *ev);

/* Shows text instead of the key bar for a while, and in the event log.
 * Returns what to redraw. */
unsigned tt_dash_notice(tt_dash_model *m, bool error, const char *text,
                        bool log);

/* The targets' addresses and tags may have changed (a reload): measure
 * them again. */
void tt_dash_targets_changed(tt_dash_model *m);

/* Target i's latest state changes, newest first, into out; returns how
 * many. */
size_t tt_dash_target_changes(const tt_dash_model *m, size_t i,
                              tt_dash_mini *out, size_t max);

/* Targets per state, over all targets (the filter aside). */
void tt_dash_counts(const tt_dash_model *m, size_t counts[TT_STATE_COUNT]);

/* Whether target i passes the filter (and x). */
bool tt_dash_passes(const tt_dash_model *m, size_t i);

/* The event log as shown (the filter followed, newer entries hidden while
 * paused): the number of entries that pass, and up to max of them from
 * the pane's top down (newest first); returns how many. */
size_t tt_dash_log_shown(const tt_dash_model *m);
size_t tt_dash_log_page(const tt_dash_model *m, const tt_dash_change **out,
                        size_t max);
/* How many passing entries are newer than the pane's top. */
size_t tt_dash_log_above(const tt_dash_model *m);

/* The formatting context of target i's cells (HISTORY's zoom and scale
 * for a column of width hist_width). */
void tt_dash_cell_ctx(const tt_dash_model *m, size_t i, unsigned hist_width,
                      tt_cell_ctx *ctx);

/* For the key actions: selects a line (and unpins nothing); moves the
 * log pane's top by delta shown entries (positive: older; at the newest
 * it follows new entries again), returning whether it moved. */
void tt_dash_select_line(tt_dash_model *m, size_t line);
bool tt_dash_log_scroll(tt_dash_model *m, long delta);

/* Whether s may sort by column c now: it has a sort key, and is shown
 * when some target needs it (CERT: a target over TLS). */
bool tt_dash_can_sort(const tt_dash_model *m, tt_col_id c);

/* HISTORY's cell span in milliseconds at the current zoom. */
uint64_t tt_dash_hist_span_ms(const tt_dash_model *m);

/* ---- the key table (dash_keys.c) ---- */

typedef unsigned (*tt_dash_action)(tt_dash_model *m);

/* One key. Rows with a NULL help are aliases of the row above (the same
 * action): help names them together. bar is the key bar's label, shown
 * when bar_when is NULL or returns true, in bar_rank order. */
typedef struct tt_dash_binding {
  int key;
  unsigned screens;  /* tt_dash_screen bits it works on */
  tt_dash_action act;
  const char *help;
  const char *bar;
  uint8_t bar_rank;
  const char *(*bar_label)(const tt_dash_model *m); /* NULL: bar; may
                                                       return NULL: hidden */
} tt_dash_binding;

const tt_dash_binding *tt_dash_bindings(size_t *n);

/* The k-th key of m: a front end's own (extra) first, then the model's
 * that none of them takes the place of; NULL past the last. */
const tt_dash_binding *tt_dash_binding_at(const tt_dash_model *m, size_t k);

/* Runs the model's own action for key, whatever a front end's keys say
 * (a replay gives grouping and zoom keys of their own). */
unsigned tt_dash_model_key(tt_dash_model *m, int key);

/* Opens the front end's question (see ask_title). Returns what to
 * redraw. */
unsigned tt_dash_ask(tt_dash_model *m, const char *title, const char *hint,
                     unsigned (*done)(tt_dash_model *m, bool ok));

/* A key's name as help and the key bar show it: "Up", "PgDn", "Enter",
 * "^L", "q". */
const char *tt_dash_key_name(int key, char buf[8]);

/* Grouping (dash_group.c), called by tt_dash_refresh. */
void tt_dash_groups_free(tt_dash_groups *g);
int tt_dash_group_lines(tt_dash_model *m);
/* The rows in sort order, the addresses of one name together under its
 * roll-up line, where the first of them would be. */
int tt_dash_name_lines(tt_dash_model *m);
/* The groups the lines refer to now: by tag, or by name. */
tt_dash_groups *tt_dash_groups_shown(tt_dash_model *m);
const tt_dash_groups *tt_dash_groups_shown_c(const tt_dash_model *m);
/* The group of a roll-up line's name ("" for the untagged). */
const char *tt_dash_group_name(const tt_dash_model *m, uint32_t group);

#endif

/* loader.h - the config loader's insides, shared by its files (private):
 * diag.c reports, keys.c reads settings from the file, layers.c combines
 * them, targets.c reads targets, config.c runs it all. */
#ifndef TETHER_LOADER_H
#define TETHER_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "settings.h"
#include "yamldoc.h"

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

#define QUOTE_SIZE 64 /* how much of a value a message quotes, escaped */

/* Where a setting's value came from, so that a problem found only once the
 * layers are combined is reported where it can be fixed. */
enum origin {
  FROM_BUILTIN = 0,
  FROM_CONFIG, /* the file, or a TARGET argument */
  FROM_OPTION  /* a command-line option (in->overrides) */
};

typedef struct where {
  unsigned char origin;
  bool preset;       /* set by the preset named at line:col */
  unsigned line, col;
} where;

/* One layer as written: values, where each key stood, and which keys
 * were written but refused (so that no follow-on problem is reported). */
typedef struct layer {
  tt_settings s;
  where at[TT_SET_COUNT];
  uint32_t bad;
} layer;

/* A problem waiting to be handed over in order. */
typedef struct pending {
  unsigned line, col;
  bool option;       /* a command-line problem: after the file's */
  size_t seq;
  char *text;
} pending;

typedef struct loader {
  const tt_config_input *in;
  char *source;      /* the file's name, escaped for messages */
  tt_ydoc doc;
  char *filebuf;     /* the file's bytes, for positions within values */
  layer defaults;
  layer overrides;
  uint32_t as_default; /* overrides that stand for defaults: (TT_BIT) */
  tt_config *cfg;
  uint32_t *names;   /* hash of target names: index + 1, 0 when free */
  size_t names_mask;
  tt_pattern **pats; /* hash of compiled patterns by source */
  size_t pats_mask;
  struct ca_seen *cas; /* every ca_file checked, with its verdict */
  void **owned;      /* memory the layers borrow, freed with the loader */
  size_t nowned, capowned;
  pending *diags;
  size_t ndiags, capdiags, seq;
  bool failed;
  bool truncated;
} loader;

/* What a target's problems are reported against. */
typedef struct tctx {
  const char *arg;    /* the TARGET argument, escaped; NULL for the file */
  unsigned line, col; /* the target's mapping in the file */
} tctx;

/* A target as read, before its settings are combined. */
typedef struct draft {
  tctx ctx;
  layer lay;
  /* keys of a target in the file */
  const tt_ynode *key[TT_SET_COUNT];
  const tt_ynode *val[TT_SET_COUNT];
  /* where the name (explicit or defaulted) is reported */
  unsigned name_line, name_col;
  bool refused; /* an address key seems misspelt: do not call it missing */
} draft;

/* ---- diag.c ---- */

char *ld_format(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Escapes len bytes of s into buf for quoting in a message. */
const char *ld_quote(char *buf, size_t n, const char *s, size_t len);
/* "FILE:LINE:COL: message", or "FILE: message" when line is 0. */
void ld_file_diag(loader *L, unsigned line, unsigned col, const char *fmt,
                  ...) PRINTF_LIKE(4, 5);
/* A command-line problem, already prefixed by its caller. */
void ld_option_diag(loader *L, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* A target's problem: at line:col (its mapping when line is 0), or
 * "TARGET 'x': message" for a command-line target. */
void ld_target_diag(loader *L, const tctx *t, unsigned line, unsigned col,
                    const char *fmt, ...) PRINTF_LIKE(5, 6);
/* A problem of combined settings, at the key that set the deciding value
 * (at, when it came from the file) or at the target. */
void ld_where_diag(loader *L, const draft *d, const where *at,
                   const char *fmt, ...) PRINTF_LIKE(4, 5);
/* Hands every problem over: the file's by position, then the command
 * line's as found. */
void ld_flush_diags(loader *L, tt_diags *out);
/* Keeps p until the loader is done (or frees it and fails). */
void *ld_keep(loader *L, void *p);

/* ---- keys.c ---- */

/* The kinds of mapping keys are checked in. */
enum place { AT_TOP, AT_DEFAULTS, AT_TARGET };

const tt_ynode *ld_node(const loader *L, uint32_t i);
const char *ld_text(const loader *L, const tt_ynode *n);
bool ld_next_pair(const loader *L, uint32_t *k, const tt_ynode **key,
                  const tt_ynode **val);
void ld_wrong_kind(loader *L, const tt_ynode *v, const char *key,
                   const char *expected);
/* The text of a value that must be a scalar (and plain text unless
 * bytes_ok: no NUL, no !!binary), or NULL after reporting. */
const char *ld_scalar(loader *L, const tt_ynode *v, const char *key,
                      const char *expected, bool bytes_ok);
/* Reads the keys of a defaults: or target mapping into lay. For a target,
 * keys and vals (TT_SET_COUNT each) get the identity keys' nodes, and
 * *refused is set when an address key seems misspelt. */
void ld_read_settings(loader *L, const tt_ynode *map, enum place place,
                      layer *lay, const tt_ynode **keys, const tt_ynode **vals,
                      bool *refused);
/* The top level: defaults: and targets:. Returns -1 when the document is
 * not a config at all. */
int ld_read_top(loader *L, const tt_ynode **defaults,
                const tt_ynode **targets);

/* ---- layers.c ---- */

/* Checks the command-line overrides once and makes a layer of them. */
void ld_load_overrides(loader *L);
/* Combines the layers for one target whose name and address are known
 * (or were refused), checks the result and fills in the target. */
void ld_finish_target(loader *L, draft *d, size_t index);

/* ---- targets.c ---- */

/* FNV-1a, for the loader's hash tables of names and patterns. */
uint32_t ld_hash(const char *s);

void ld_load_file_target(loader *L, const tt_ynode *map, size_t index);
void ld_load_adhoc(loader *L, const char *arg, size_t index);

#endif

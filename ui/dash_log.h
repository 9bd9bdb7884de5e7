/* dash_log.h - the dashboard's event log: state changes, targets joining
 * and leaving, notices, in a large bounded ring whose texts (error
 * details) live in a ring of bytes of their own, so that an entry costs
 * a few dozen bytes and not the longest detail. */
#ifndef TETHER_DASH_LOG_H
#define TETHER_DASH_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TT_DASH_LOG_LEN 50000        /* entries kept */
#define TT_DASH_LOG_TEXT (1u << 20)  /* bytes of texts kept */
#define TT_DASH_NO_TARGET UINT32_MAX

typedef enum tt_log_kind {
  TT_LOG_STATE = 0, /* from -> to, cls the cause, text the detail */
  TT_LOG_ADDED,     /* the target joined */
  TT_LOG_REMOVED,   /* the target left */
  TT_LOG_NOTICE     /* text only (a reload's result); no target */
} tt_log_kind;

typedef struct tt_dash_change {
  uint64_t ts_us;
  uint32_t target;    /* its number, or TT_DASH_NO_TARGET */
  uint8_t kind;       /* tt_log_kind */
  uint8_t from, to, cls;
  uint32_t lasted_ms; /* how long the state it left had lasted; 0 when
                         not known (the run began in it) */
  uint32_t text_len;
  uint64_t text_at;   /* where its text began in the text ring */
} tt_dash_change;

typedef struct tt_dash_log {
  tt_dash_change *e;
  uint64_t total;     /* entries ever added: entry j is e[j % LEN] */
  char *text;
  uint64_t text_total;
} tt_dash_log;

int tt_dash_log_init(tt_dash_log *l); /* 0 or -ENOMEM */
void tt_dash_log_free(tt_dash_log *l);
/* Forgets every entry. */
void tt_dash_log_clear(tt_dash_log *l);

/* Appends c (its text fields are set here from text). */
void tt_dash_log_add(tt_dash_log *l, const tt_dash_change *c,
                     const char *text);

/* The oldest entry still kept (entries are numbered from 0 as added). */
uint64_t tt_dash_log_first(const tt_dash_log *l);

/* Entry j, or NULL when it is not kept. */
const tt_dash_change *tt_dash_log_at(const tt_dash_log *l, uint64_t j);

/* Its text ("" when none, or when the bytes were written over). */
const char *tt_dash_log_text(const tt_dash_log *l, const tt_dash_change *c);

#endif

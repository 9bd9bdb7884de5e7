/* preset.h - named protocol presets (redis, http, ...) that fill in a
 * target's mode, what it sends and what it expects back. */
#ifndef TETHER_PRESET_H
#define TETHER_PRESET_H

#include <stdbool.h>
#include <stddef.h>

#include "tether.h"

/* How a preset reads the status its protocol carries in a reply that
 * matched: an answer in the right protocol that says "not well" is class
 * unhealthy. */
typedef enum tt_judge {
  TT_JUDGE_NONE = 0,
  TT_JUDGE_HTTP,  /* status line: accepted when in the target's status */
  TT_JUDGE_SMTP,  /* reply code: 4xx and 5xx are unhealthy */
  TT_JUDGE_REDIS, /* "-ERR", "-LOADING", "-MASTERDOWN", "-BUSY"... */
  TT_JUDGE_POP3,  /* "-ERR" */
  TT_JUDGE_IMAP,  /* "* BYE" */
  TT_JUDGE_POSTGRES, /* the SSLRequest's answer: S or N; E an error */
  TT_JUDGE_MYSQL  /* the greeting packet: protocol 10, or an error packet */
} tt_judge;

typedef struct tt_preset {
  const char *name;
  tt_mode mode;
  /* Sent as each ping (persistent) or after the handshake (connect); NULL
   * for none. "{address}" is replaced by the target's configured address,
   * so that the http preset can name the Host it asks. */
  const char *send;
  const char *expect;    /* regex a reply must match, or NULL */
  const char *reply_end; /* NULL: the default "\n" */
  unsigned reply_bytes;  /* replies of exactly this many bytes; 0: none */
  size_t send_len;       /* send's length when it holds NUL bytes; 0:
                            strlen(send) */
  /* Connect mode: sent once the reply matched, before closing, so that
   * the server sees a polite goodbye rather than a lost client ("QUIT"). */
  const char *quit;
  size_t quit_len;       /* quit's length when it holds NUL bytes; 0:
                            strlen(quit) */
  bool tls;              /* the probe runs inside TLS */
  /* Connect mode: a reply starting with this byte means the server will
   * now speak TLS (PostgreSQL's S): a handshake follows, not judged, so
   * that the probe can leave with close_notify rather than abandon a
   * handshake the server waits for. 0: none. */
  char tls_after;
  tt_judge judge;
  const char *summary;   /* one line for --help and the man page */
} tt_preset;

/* Returns the preset called name, or NULL. */
const tt_preset *tt_preset_find(const char *name);

/* All presets, in a stable order. */
const tt_preset *tt_preset_all(size_t *n);

#endif

/* preset.h - named protocol presets (redis, http, ...) that fill in a
 * target's mode, what it sends and what it expects back. */
#ifndef TETHER_PRESET_H
#define TETHER_PRESET_H

#include <stddef.h>

#include "tether.h"

typedef struct tt_preset {
  const char *name;
  tt_mode mode;
  /* Sent as each ping (persistent) or after the handshake (connect); NULL
   * for none. "{address}" is replaced by the target's configured address,
   * so that the http preset can name the Host it asks. */
  const char *send;
  const char *expect;    /* regex a reply must match, or NULL */
  const char *banner;    /* regex the greeting after connect must match */
  const char *reply_end; /* NULL: the default "\n" */
  const char *summary;   /* one line for --help and the man page */
} tt_preset;

/* Returns the preset called name, or NULL. */
const tt_preset *tt_preset_find(const char *name);

/* All presets, in a stable order. */
const tt_preset *tt_preset_all(size_t *n);

#endif

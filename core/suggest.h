/* suggest.h - did-you-mean: the word closest to a misspelt one, and the
 * message for a preset name that is not one. */
#ifndef TETHER_SUGGEST_H
#define TETHER_SUGGEST_H

#include <stddef.h>

/* The candidate close enough to word to be what was meant, or NULL: one
 * edit away (case ignored, transpositions counted once) for short names,
 * two for names of six bytes or more. */
const char *tt_closest(const char *word, const char *const *cands, size_t n);

/* "tcp, echo, redis, ..." */
void tt_preset_names(char *buf, size_t n);

/* "unknown preset 'rediss' (did you mean 'redis'?); presets: tcp, ..."
 * for the len bytes at name. */
void tt_unknown_preset(const char *name, size_t len, char *buf, size_t n);

#endif

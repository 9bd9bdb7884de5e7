/* classify.h - the one place where OS and libuv errors, and tether's own
 * deadlines, become error classes with a human detail. */
#ifndef TETHER_CLASSIFY_H
#define TETHER_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "tether.h"

/* Where in a probe an error was met; the same errno can mean different
 * things (ETIMEDOUT while connecting is a connect timeout). */
typedef enum tt_phase {
  TT_PHASE_RESOLVE,
  TT_PHASE_CONNECT,
  TT_PHASE_WRITE,
  TT_PHASE_READ
} tt_phase;

/* Maps a libuv status (negative errno or UV_EAI_*) met in phase to its
 * class and writes the human detail ("connection refused", "out of file
 * descriptors (a local fault, not the target's)") into detail. */
tt_class tt_classify(int status, tt_phase phase, char *detail, size_t n);

/* The detail of a reply (or greeting: what) that did not match the
 * pattern re: "what did not match RE: the reply", every byte escaped. */
void tt_classify_mismatch(char *detail, size_t n, const char *what,
                          const char *re, const char *data, size_t len);

/* The class and detail of one of tether's own deadlines expiring in phase
 * after ms milliseconds: connect_timeout, write_timeout or timeout. */
tt_class tt_classify_deadline(tt_phase phase, uint64_t ms, char *detail,
                              size_t n);

/* True for errors that are the local machine's fault (descriptors, ports,
 * memory), which a front end may want to stress. */
int tt_classify_is_local(int status);

#endif

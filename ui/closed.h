/* closed.h - the last step of an object that closes its handles one by
 * one (the metrics server, the hooks): once the last has closed, it is
 * freed and its owner told, in that order (the owner may then free what
 * held it). */
#ifndef TETHER_CLOSED_H
#define TETHER_CLOSED_H

#include <stdlib.h>

typedef struct tt_on_closed {
  void (*cb)(void *arg); /* may be NULL */
  void *arg;
} tt_on_closed;

/* Frees obj, then calls done. */
static inline void tt_free_and_tell(void *obj, tt_on_closed done) {
  free(obj);
  if (done.cb != NULL)
    done.cb(done.arg);
}

#endif

/* grow.h - room for one more element in an array that doubles as it
 * fills: the one way arrays of diagnostics, sessions and the like grow. */
#ifndef TETHER_GROW_H
#define TETHER_GROW_H

#include <stddef.h>
#include <stdlib.h>

/* Returns v, or v reallocated with room for more than n elements of size
 * bytes (*cap updated; first elements the first time), or NULL when out
 * of memory, v then left as it was. */
static inline void *tt_grow(void *v, size_t *cap, size_t n, size_t size,
                            size_t first) {
  if (n < *cap)
    return v;
  size_t want = *cap ? *cap * 2 : first;
  void *p = realloc(v, want * size);
  if (p != NULL)
    *cap = want;
  return p;
}

#endif

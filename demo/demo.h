/* demo.h - `tether --demo`: a set of misbehaving loopback servers started
 * in-process, and the config that watches them. */
#ifndef TETHER_DEMO_H
#define TETHER_DEMO_H

#include <stddef.h>
#include <uv.h>

typedef struct tt_demo tt_demo;

/* Starts the demo servers on loop and writes the YAML config that targets
 * them into *yaml (malloc'd, NUL-terminated). Returns 0 or a negative
 * libuv error. */
int tt_demo_start(uv_loop_t *loop, tt_demo **out, char **yaml, size_t *len);

/* Closes every server; memory is freed once the loop runs their close
 * callbacks. */
void tt_demo_close(tt_demo *d);

#endif

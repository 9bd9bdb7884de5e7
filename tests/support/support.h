/* support.h - what every tether test needs: counting descriptors, running
 * a loop until a condition or a deadline, and closing a loop cleanly. */
#ifndef TETHER_TEST_SUPPORT_H
#define TETHER_TEST_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

/* Opens libuv's process-wide descriptors once, so that descriptor counts
 * taken afterwards compare like with like. */
void tt_test_libuv_once(void);

/* Open descriptors of this process (from /proc/self/fd). */
int tt_test_fd_count(void);

/* Runs loop until *done becomes true or timeout_ms passes (a safety net,
 * not a wait: tests end on their callbacks). Returns true when done. */
bool tt_test_run_until(uv_loop_t *loop, const bool *done, uint64_t timeout_ms);

/* The same, until done(arg) returns true. */
bool tt_test_run_until_fn(uv_loop_t *loop, bool (*done)(void *arg),
                          void *arg, uint64_t timeout_ms);

/* Closes every handle still open, runs the loop until they are closed and
 * returns uv_loop_close()'s result (0 when nothing leaked). */
int tt_test_loop_close(uv_loop_t *loop);

/* Counts handles that are not closing (a test asserts 0 before closing). */
int tt_test_active_handles(uv_loop_t *loop);

#endif

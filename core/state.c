/* state.c - the session states of PRODUCT.md "States": where a heartbeat
 * result takes a target, and when it costs the connection. */
#include "state.h"

/* A miss is the one failure a target may survive for a while: the ping
 * went unanswered, but the connection may still be good. */
static bool is_miss(tt_class cls) {
  return cls == TT_CLASS_TIMEOUT || cls == TT_CLASS_WRITE_TIMEOUT;
}

tt_state tt_state_next(tt_state cur, tt_class cls, uint32_t misses,
                       uint32_t miss_threshold, bool slow) {
  switch (cur) {
  case TT_STATE_UP:
  case TT_STATE_DEGRADED:
    /* From up/degraded: success -> up (or degraded when RTT > rtt_warn);
     * timeout/write_timeout -> degraded until miss_threshold consecutive
     * misses, then down; any other failure -> down. */
    if (cls == TT_CLASS_OK)
      return slow ? TT_STATE_DEGRADED : TT_STATE_UP;
    if (is_miss(cls))
      return misses >= miss_threshold ? TT_STATE_DOWN : TT_STATE_DEGRADED;
    return TT_STATE_DOWN;

  case TT_STATE_CONNECTING:
  case TT_STATE_DOWN:
  default:
    /* From connecting/down: success -> up; any failure -> down. */
    return cls == TT_CLASS_OK ? TT_STATE_UP : TT_STATE_DOWN;
  }
}

bool tt_state_must_reconnect(tt_class cls, uint32_t misses,
                             uint32_t miss_threshold) {
  if (cls == TT_CLASS_OK)
    return false;
  /* After a miss the stream is still in step (a late reply pairs with its
   * own ping), so it is kept until the threshold. Any other failure means
   * the connection is gone or out of step with its pings. */
  if (is_miss(cls))
    return misses >= miss_threshold;
  return true;
}

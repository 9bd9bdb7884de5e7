/* state.c - the session states of PRODUCT.md "States": where a heartbeat
 * result takes a target, when it costs the connection, and why. */
#include <stdio.h>
#include <time.h>

#include "state.h"
#include "units.h"

/* A miss is the one failure a target may survive for a while: the ping
 * went unanswered, but the connection may still be good. */
static bool is_miss(tt_class cls) {
  return cls == TT_CLASS_TIMEOUT || cls == TT_CLASS_WRITE_TIMEOUT;
}

bool tt_state_is_flap(tt_state from, tt_state to) {
  return (from == TT_STATE_UP || from == TT_STATE_DEGRADED) &&
         to == TT_STATE_DOWN;
}

void tt_machine_init(tt_machine *m) {
  m->state = TT_STATE_CONNECTING;
  m->misses = 0;
}

static tt_state next_state(tt_state cur, tt_class cls, uint32_t misses,
                           uint32_t threshold, bool slow) {
  switch (cur) {
  case TT_STATE_UP:
  case TT_STATE_DEGRADED:
    /* From up/degraded: success -> up (or degraded when RTT > rtt_warn);
     * timeout/write_timeout -> degraded until miss_threshold consecutive
     * misses, then down; any other failure -> down. */
    if (cls == TT_CLASS_OK)
      return slow ? TT_STATE_DEGRADED : TT_STATE_UP;
    if (is_miss(cls))
      return misses >= threshold ? TT_STATE_DOWN : TT_STATE_DEGRADED;
    return TT_STATE_DOWN;

  case TT_STATE_CONNECTING:
  case TT_STATE_DOWN:
  default:
    /* From connecting/down: success -> up; any failure -> down. */
    return cls == TT_CLASS_OK ? TT_STATE_UP : TT_STATE_DOWN;
  }
}

tt_step tt_state_step(tt_machine *m, const tt_rules *r, tt_class cls,
                      uint32_t rtt_us) {
  tt_step st = { .from = m->state };
  bool slow = cls == TT_CLASS_OK && r->rtt_warn_ms > 0 &&
              rtt_us > r->rtt_warn_ms * 1000;
  bool cert = cls == TT_CLASS_OK && r->cert_expires != 0;

  m->misses = is_miss(cls) ? m->misses + 1 : 0;
  st.to = next_state(m->state, cls, m->misses, r->miss_threshold,
                     slow || cert);
  st.slow = slow && st.to == TT_STATE_DEGRADED;
  st.cert_soon = cert && !slow && st.to == TT_STATE_DEGRADED;
  st.flap = tt_state_is_flap(st.from, st.to);
  /* After a miss the stream is still in step (a late reply pairs with its
   * own ping), so it is kept until the threshold. A service that answers
   * "not well" in its own protocol keeps a good connection too. Any other
   * failure means the connection is gone or out of step with its pings. */
  if (cls == TT_CLASS_OK || cls == TT_CLASS_UNHEALTHY)
    st.reconnect = false;
  else if (is_miss(cls))
    st.reconnect = m->misses >= r->miss_threshold;
  else
    st.reconnect = true;
  m->state = st.to;
  return st;
}

const char *tt_state_cause(const tt_step *st, const tt_rules *r, tt_class cls,
                           uint32_t rtt_us, const char *detail, char *buf,
                           size_t n) {
  if (st->slow) {
    char rtt[24], warn[24];
    tt_units_us(rtt, sizeof rtt, rtt_us, " ");
    tt_units_us(warn, sizeof warn, r->rtt_warn_ms * 1000, " ");
    snprintf(buf, n, "rtt %s above rtt_warn %s", rtt, warn);
  } else if (st->cert_soon) {
    time_t when = (time_t)r->cert_expires;
    int64_t days = (r->cert_expires - r->now) / 86400;
    struct tm tm;
    gmtime_r(&when, &tm);
    snprintf(buf, n, "certificate expires in %lld day%s (%04d-%02d-%02d)",
             (long long)days, days == 1 ? "" : "s", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday);
  } else {
    snprintf(buf, n, "%s", cls == TT_CLASS_OK ? "" : detail);
  }
  return buf;
}

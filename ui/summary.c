/* summary.c - one description of a summary's fields, read by the plain
 * table and the JSON writer alike. */
#include "summary.h"

static tt_value count(uint64_t u) {
  return (tt_value){ .kind = TT_V_COUNT, .u = u };
}

/* RTT statistics exist only once a reply came. */
static tt_value rtt(const tt_view *v, uint64_t us) {
  if (v->stats.received == 0)
    return (tt_value){ .kind = TT_V_NONE };
  return (tt_value){ .kind = TT_V_RTT, .u = us };
}

static tt_value get_state(const tt_summary_row *r) {
  return (tt_value){ .kind = TT_V_STR, .s = tt_state_name(r->v->state) };
}
static tt_value get_sent(const tt_summary_row *r) {
  return count(r->v->stats.sent);
}
static tt_value get_received(const tt_summary_row *r) {
  return count(r->v->stats.received);
}
static tt_value get_lost(const tt_summary_row *r) {
  return count(r->v->stats.lost);
}
static tt_value get_late(const tt_summary_row *r) {
  return count(r->v->stats.late);
}
static tt_value get_loss(const tt_summary_row *r) {
  return (tt_value){ .kind = TT_V_PCT, .d = tt_stats_loss_pct(&r->v->stats) };
}
static tt_value get_min(const tt_summary_row *r) {
  return rtt(r->v, r->v->stats.rtt_min_us);
}
static tt_value get_avg(const tt_summary_row *r) {
  return rtt(r->v, tt_stats_avg(&r->v->stats));
}
static tt_value get_max(const tt_summary_row *r) {
  return rtt(r->v, r->v->stats.rtt_max_us);
}
static tt_value get_p50(const tt_summary_row *r) {
  return rtt(r->v, tt_stats_percentile(&r->v->stats, 50));
}
static tt_value get_p90(const tt_summary_row *r) {
  return rtt(r->v, tt_stats_percentile(&r->v->stats, 90));
}
static tt_value get_p99(const tt_summary_row *r) {
  return rtt(r->v, tt_stats_percentile(&r->v->stats, 99));
}
static tt_value get_jitter(const tt_summary_row *r) {
  return rtt(r->v, (uint64_t)(r->v->stats.jitter_us + 0.5));
}
static tt_value get_flaps(const tt_summary_row *r) {
  return count(r->v->stats.flaps);
}
static tt_value get_reconnects(const tt_summary_row *r) {
  return count(r->v->stats.reconnects);
}
static tt_value get_skipped(const tt_summary_row *r) {
  return count(r->v->stats.skipped);
}
/* Events of this target that the output being written could not keep up
 * with (the output's own count: stdout's and the log's differ). */
static tt_value get_dropped(const tt_summary_row *r) {
  return count(r->dropped);
}

static const tt_summary_field fields[] = {
  { "STATE", "state", 10, get_state },
  { "SENT", "sent", 6, get_sent },
  { "RECV", "received", 6, get_received },
  { "LOST", "lost", 6, get_lost },
  { "LATE", "late", 5, get_late },
  { "LOSS", "loss_pct", 6, get_loss },
  { "MIN", "rtt_min_us", 8, get_min },
  { "AVG", "rtt_avg_us", 8, get_avg },
  { "MAX", "rtt_max_us", 8, get_max },
  { "P50", "rtt_p50_us", 8, get_p50 },
  { "P90", "rtt_p90_us", 8, get_p90 },
  { "P99", "rtt_p99_us", 8, get_p99 },
  { "JITTER", "rtt_jitter_us", 8, get_jitter },
  { "FLAPS", "flaps", 6, get_flaps },
  { "RECONN", "reconnects", 7, get_reconnects },
  { "SKIP", "skipped", 6, get_skipped },
  { "DROP", "dropped", 6, get_dropped },
};

const tt_summary_field *tt_summary_fields(size_t *n) {
  *n = sizeof fields / sizeof fields[0];
  return fields;
}

/* reloadtime.c - tether's engine on one loop, reloaded from files in turn,
 * timed from inside: what bench/reload.sh measures without the front end.
 *
 *   reloadtime SETTLE_S FILE0 FILE1 [FILE2 ...]
 *
 * Starts the engine on FILE0's targets and waits until every one is up.
 * Then, for each next file: the file loaded (before SETTLE_S seconds of
 * running, so that no window sees it: tether loads it in the thread
 * pool), tt_engine_reload() and the freeing of the previous config timed
 * on the loop as cli/reload.c runs them, and the rest of the loop's work
 * that follows (the replies that waited, the handles closed, the timers
 * that came due) up to its next wait. One line per reload:
 *
 *   case=1 targets=10200 added= removed= changed= load_ms= reload_ms=
 *   free_ms= after_ms= stall_ms= cpu_ms= gap_ms= ref_gap_ms= spread_max=
 *   spread_mean= ref_spread_max= up_s=
 *
 * stall_ms is the wall time from the reload to that wait, cpu_ms the
 * loop thread's CPU time over the same span (other tenants of a shared
 * machine count in the first, not in the second).
 * gap_ms is the longest time between two heartbeats (as the loop reported
 * them, uv_hrtime) from 0.5 s before the reload to 1.5 s after it (after
 * the freeing); ref_gap_ms the same over the 2 s before that window. spread_* count the
 * pings sent (ts - rtt) in 1 ms slots over one second starting 2 s after
 * the reload (new targets are up by then): the largest slot and the mean;
 * ref_spread_max over the second before the reload. up_s: from the end of
 * the reload until every target is up again (-1: not within 10 s). Prints, never
 * asserts; everything stops by itself (a time limit covers every case). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "engine.h"

#define MAX_HB 400000 /* heartbeats remembered per case */
#define SPREAD_MS 1000

static uv_loop_t *loop;
static tt_engine *engine;
static tt_config cfg, next_cfg;
static char **files;
static int nfiles, at_file;
static uint64_t settle_ms;
static uv_timer_t tick, limit;
static uv_prepare_t prepare;

/* Heartbeats of the current case: the loop's time of each (ns). */
static uint64_t *hb_ns;
static size_t nhb;
/* Send times in 1 ms slots: [0] the second before the reload, [1] the
 * second from 2 s after it. */
static uint32_t spread[2][SPREAD_MS];
static uint64_t spread_from_us[2];

typedef enum phase_t {
  WAIT_UP,      /* until every target is up */
  SETTLE,       /* running before the next reload */
  AFTER,        /* after a reload: until all up and the windows passed */
  DONE
} phase_t;
static phase_t phase = WAIT_UP;
static uint64_t phase_ns;      /* when the phase began */
static uint64_t reload_ns;     /* when tt_engine_reload began */
static uint64_t reload_end_ns; /* when the freeing after it ended */
static uint64_t after_end_ns;  /* the second prepare after it: the handles
                                  closed, what came meanwhile handled, the
                                  loop about to wait again */
static int prepares;
static uint64_t up_ns;
static uint64_t cpu0_ns, cpu_end_ns; /* the loop thread's CPU time */
static double load_ms, reload_ms, free_ms;
static tt_reload_report rep;

/* CPU time of the calling thread: on a shared machine the wall time of a
 * stall includes other tenants' turns on the CPU, this does not. */
static uint64_t cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void event_cb(const tt_event *ev, void *arg) {
  if (ev->kind != TT_EVENT_HEARTBEAT)
    return;
  if (nhb < MAX_HB)
    hb_ns[nhb++] = uv_hrtime();
  if (ev->cls != TT_CLASS_OK)
    return;
  uint64_t sent = ev->ts_us - ev->rtt_us;
  for (int w = 0; w < 2; w++)
    if (spread_from_us[w] != 0 && sent >= spread_from_us[w] &&
        sent < spread_from_us[w] + SPREAD_MS * 1000u)
      spread[w][(sent - spread_from_us[w]) / 1000]++;
}

static bool all_up(void) {
  size_t n = tt_engine_size(engine), up = 0, live = 0;
  for (size_t i = 0; i < n; i++) {
    const tt_view *v = tt_engine_view(engine, i);
    if (v == NULL)
      continue;
    live++;
    up += v->state == TT_STATE_UP;
  }
  return live > 0 && up == live;
}

/* The longest gap between heartbeats within [from, to). */
static double longest_gap_ms(uint64_t from, uint64_t to) {
  uint64_t best = 0, last = 0;
  for (size_t i = 0; i < nhb; i++) {
    if (hb_ns[i] < from)
      continue;
    if (hb_ns[i] >= to)
      break;
    if (last != 0 && hb_ns[i] - last > best)
      best = hb_ns[i] - last;
    last = hb_ns[i];
  }
  return best / 1e6;
}

static void spread_of(int w, uint32_t *max, double *mean) {
  uint64_t tot = 0;
  *max = 0;
  for (int i = 0; i < SPREAD_MS; i++) {
    tot += spread[w][i];
    if (spread[w][i] > *max)
      *max = spread[w][i];
  }
  *mean = (double)tot / SPREAD_MS;
}

static void stop(void) {
  phase = DONE;
  uv_timer_stop(&tick);
  uv_close((uv_handle_t *)&tick, NULL);
  uv_close((uv_handle_t *)&limit, NULL);
  uv_close((uv_handle_t *)&prepare, NULL);
  tt_engine_stop(engine, NULL, NULL);
}

static void report(void) {
  uint32_t smax, rmax;
  double smean, rmean;
  spread_of(1, &smax, &smean);
  spread_of(0, &rmax, &rmean);
  size_t live = 0;
  for (size_t i = 0; i < tt_engine_size(engine); i++)
    live += tt_engine_view(engine, i) != NULL;
  printf("case=%d targets=%zu added=%zu removed=%zu changed=%zu "
         "load_ms=%.1f reload_ms=%.2f free_ms=%.2f after_ms=%.2f "
         "stall_ms=%.2f cpu_ms=%.2f gap_ms=%.2f ref_gap_ms=%.2f spread_max=%u "
         "spread_mean=%.2f ref_spread_max=%u up_s=%.2f\n",
         at_file, live, rep.nadded, rep.nremoved, rep.nchanged, load_ms,
         reload_ms, free_ms, (after_end_ns - reload_end_ns) / 1e6,
         (after_end_ns - reload_ns) / 1e6, (cpu_end_ns - cpu0_ns) / 1e6,
         longest_gap_ms(reload_ns - 500000000u, reload_end_ns + 1500000000u),
         longest_gap_ms(reload_ns - 2500000000u, reload_ns - 500000000u),
         smax, smean, rmax, up_ns ? (up_ns - reload_end_ns) / 1e9 : -1.0);
  fflush(stdout);
  tt_reload_report_free(&rep);
}

/* Loads the next case's file, on the loop but long before its reload
 * (tether loads it in the thread pool): neither window sees it. */
static bool load_next(void) {
  tt_diags d;
  tt_diags_init(&d);
  uint64_t t0 = uv_hrtime();
  tt_config_input in = { .path = files[at_file] };
  if (tt_config_load(&in, &next_cfg, &d) != 0) {
    for (size_t i = 0; i < d.n; i++)
      fprintf(stderr, "%s\n", d.v[i].text);
    tt_diags_free(&d);
    stop();
    return false;
  }
  tt_diags_free(&d);
  load_ms = (uv_hrtime() - t0) / 1e6;
  return true;
}

static void do_reload(void) {
  /* The loop's clock now, as tether's is when the thread pool hands the
   * config back. */
  uv_update_time(loop);
  cpu0_ns = cpu_ns();
  reload_ns = uv_hrtime();
  int r = tt_engine_reload(engine, &next_cfg, &rep);
  uint64_t t1 = uv_hrtime();
  if (r < 0) {
    fprintf(stderr, "reloadtime: %s\n", uv_strerror(r));
    tt_config_free(&next_cfg);
    stop();
    return;
  }
  tt_config_free(&cfg);
  cfg = next_cfg;
  reload_end_ns = uv_hrtime();
  reload_ms = (t1 - reload_ns) / 1e6;
  free_ms = (reload_end_ns - t1) / 1e6;
  after_end_ns = 0;
  prepares = 0;
  up_ns = 0;
  phase = AFTER;
  phase_ns = reload_end_ns;
  spread_from_us[1] = tt_wall_us() + 2000000u;
  memset(spread[1], 0, sizeof spread[1]);
}

static void prepare_cb(uv_prepare_t *p) {
  /* The first prepare comes before the poll that the closing handles
   * follow; the second after them. */
  if (phase == AFTER && after_end_ns == 0 && ++prepares == 2) {
    after_end_ns = uv_hrtime();
    cpu_end_ns = cpu_ns();
  }
}

static void tick_cb(uv_timer_t *t) {
  uint64_t now = uv_hrtime();
  switch (phase) {
  case WAIT_UP:
    if (!all_up())
      return;
    at_file = 1;
    if (!load_next())
      return;
    phase = SETTLE;
    phase_ns = uv_hrtime();
    nhb = 0;
    break;
  case SETTLE:
    if (now - phase_ns >= (settle_ms - 1000) * 1000000u &&
        spread_from_us[0] == 0)
      spread_from_us[0] = tt_wall_us();
    if (now - phase_ns < settle_ms * 1000000u)
      return;
    do_reload();
    break;
  case AFTER:
    if (up_ns == 0 && all_up())
      up_ns = now;
    /* The windows: gaps up to 1.5 s, the spread up to 3 s after the
     * reload's end; then all up (at most 10 s). */
    if (now - reload_end_ns < 3200000000u ||
        (up_ns == 0 && now - reload_end_ns < 10000000000u))
      return;
    report();
    if (++at_file >= nfiles) {
      stop();
      return;
    }
    /* The next case's reference window starts now: keep only what the
     * gap and spread windows can still see. */
    if (!load_next())
      return;
    phase = SETTLE;
    phase_ns = uv_hrtime();
    nhb = 0;
    spread_from_us[0] = 0;
    memset(spread[0], 0, sizeof spread[0]);
    break;
  case DONE:
    break;
  }
}

static void limit_cb(uv_timer_t *t) {
  fprintf(stderr, "reloadtime: out of time (phase %d, file %d)\n", phase,
          at_file);
  if (phase != DONE)
    stop();
}

static void signal_cb(uv_signal_t *s, int signum) {
  uv_close((uv_handle_t *)s, NULL);
  if (phase != DONE)
    stop();
}

int main(int argc, char **argv) {
  tt_diags d;
  int r;
  if (argc < 4) {
    fprintf(stderr, "usage: reloadtime SETTLE_S FILE0 FILE1 [FILE2 ...]\n");
    return 2;
  }
  settle_ms = strtoull(argv[1], NULL, 10) * 1000;
  if (settle_ms < 3000) {
    fprintf(stderr, "reloadtime: SETTLE_S must be at least 3\n");
    return 2;
  }
  files = argv + 2;
  nfiles = argc - 2;
  signal(SIGPIPE, SIG_IGN);
  loop = uv_default_loop();
  hb_ns = malloc(MAX_HB * sizeof *hb_ns);
  if (hb_ns == NULL)
    return 3;
  tt_diags_init(&d);
  tt_config_input in = { .path = files[0] };
  if (tt_config_load(&in, &cfg, &d) != 0) {
    for (size_t i = 0; i < d.n; i++)
      fprintf(stderr, "%s\n", d.v[i].text);
    return 2;
  }
  tt_diags_free(&d);
  tt_engine_opts eo = { .on_event = event_cb };
  if ((r = tt_engine_new(loop, &cfg, &eo, &engine)) < 0) {
    fprintf(stderr, "reloadtime: %s\n", uv_strerror(r));
    return 3;
  }
  uv_signal_t sigterm;
  uv_signal_init(loop, &sigterm);
  uv_signal_start(&sigterm, signal_cb, SIGTERM);
  uv_unref((uv_handle_t *)&sigterm);
  uv_prepare_init(loop, &prepare);
  uv_prepare_start(&prepare, prepare_cb);
  uv_update_time(loop);
  uv_timer_init(loop, &tick);
  uv_timer_start(&tick, tick_cb, 10, 10);
  /* Waiting for all up, then per case: settle, 10 s at most after it. */
  uv_timer_init(loop, &limit);
  uv_timer_start(&limit, limit_cb,
                 150000 + (uint64_t)(nfiles - 1) * (settle_ms + 15000), 0);
  if ((r = tt_engine_start(engine)) < 0) {
    fprintf(stderr, "reloadtime: %s\n", uv_strerror(r));
    return 3;
  }
  uv_run(loop, UV_RUN_DEFAULT);
  if (!uv_is_closing((uv_handle_t *)&sigterm))
    uv_close((uv_handle_t *)&sigterm, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  tt_engine_free(engine);
  tt_config_free(&cfg);
  free(hb_ns);
  return uv_loop_close(loop) == 0 && at_file >= nfiles ? 0 : 1;
}

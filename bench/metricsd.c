/* metricsd.c - tether's engine and its /metrics on one loop, nothing else:
 * what bench/metrics.sh measures, with or without a scraper beside it.
 * Every answered heartbeat's RTT goes into a table of one slot per
 * microsecond (up to 1 s), so that percentiles are exact and memory does
 * not grow with the run.
 *
 *   metricsd FILE.yaml PORT SECONDS
 *
 * Prints "ready" once /metrics listens on 127.0.0.1:PORT, and at the end
 * one line: heartbeats= ok= p50_us= p99_us= max_us= cpu_s= scrapes=
 * held_max_kib= slices= slice_ms= (the loop's CPU time making and
 * writing bodies, in all) slice_max_us= (the most one slice took). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "config.h"
#include "engine.h"
#include "metrics_server.h"

#define SLOTS 1000000 /* microseconds of RTT kept one by one */

static uint32_t rtt_count[SLOTS];
static uint64_t over, heartbeats, ok;
static uv_timer_t end;
static uv_signal_t sigterm;
static tt_engine *engine;
static tt_metrics_server *metrics;
static tt_httpd_stats final_stats;

static void event_cb(const tt_event *ev, void *arg) {
  if (ev->kind != TT_EVENT_HEARTBEAT)
    return;
  heartbeats++;
  if (ev->cls != TT_CLASS_OK)
    return;
  ok++;
  if (ev->rtt_us < SLOTS)
    rtt_count[ev->rtt_us]++;
  else
    over++;
}

static uint64_t rank_us(double q) {
  uint64_t want = (uint64_t)(q * (double)ok / 100.0 + 0.999999), seen = 0;
  if (want == 0)
    want = 1;
  for (uint64_t us = 0; us < SLOTS; us++) {
    seen += rtt_count[us];
    if (seen >= want)
      return us;
  }
  return SLOTS;
}

static void stop(void) {
  if (metrics != NULL) {
    tt_metrics_server_stats(metrics, &final_stats);
    tt_metrics_server_close(metrics, NULL, NULL);
    metrics = NULL;
  }
  tt_engine_stop(engine, NULL, NULL);
  uv_close((uv_handle_t *)&end, NULL);
  uv_close((uv_handle_t *)&sigterm, NULL);
}

static void end_cb(uv_timer_t *t) {
  stop();
}

static void signal_cb(uv_signal_t *s, int signum) {
  stop();
}

int main(int argc, char **argv) {
  uv_loop_t *loop = uv_default_loop();
  tt_config cfg;
  tt_diags d;
  struct sockaddr_in sa;
  int r;

  if (argc != 4) {
    fprintf(stderr, "usage: metricsd FILE.yaml PORT SECONDS\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  tt_diags_init(&d);
  tt_config_input in = { .path = argv[1] };
  if (tt_config_load(&in, &cfg, &d) != 0) {
    for (size_t i = 0; i < d.n; i++)
      fprintf(stderr, "%s\n", d.v[i].text);
    return 2;
  }
  tt_diags_free(&d);
  tt_engine_opts eo = { .on_event = event_cb };
  if ((r = tt_engine_new(loop, &cfg, &eo, &engine)) < 0) {
    fprintf(stderr, "metricsd: %s\n", uv_strerror(r));
    return 3;
  }
  uv_ip4_addr("127.0.0.1", atoi(argv[2]), &sa);
  if ((r = tt_metrics_server_start(loop, (struct sockaddr *)&sa, engine, NULL,
                                   &metrics)) < 0) {
    fprintf(stderr, "metricsd: port %s: %s\n", argv[2], uv_strerror(r));
    return 3;
  }
  uv_timer_init(loop, &end);
  uv_signal_init(loop, &sigterm);
  uv_signal_start(&sigterm, signal_cb, SIGTERM);
  uv_update_time(loop);
  uv_timer_start(&end, end_cb, strtoull(argv[3], NULL, 10) * 1000, 0);
  if ((r = tt_engine_start(engine)) < 0) {
    fprintf(stderr, "metricsd: %s\n", uv_strerror(r));
    return 3;
  }
  printf("ready\n");
  fflush(stdout);
  uv_run(loop, UV_RUN_DEFAULT);

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  uint64_t max = 0;
  for (uint64_t us = 0; us < SLOTS; us++)
    if (rtt_count[us] > 0)
      max = us;
  if (over > 0)
    max = SLOTS;
  printf("heartbeats=%llu ok=%llu p50_us=%llu p99_us=%llu max_us=%llu "
         "cpu_s=%.3f scrapes=%llu held_max_kib=%zu slices=%llu "
         "slice_ms=%.1f slice_max_us=%llu\n",
         (unsigned long long)heartbeats, (unsigned long long)ok,
         (unsigned long long)rank_us(50), (unsigned long long)rank_us(99),
         (unsigned long long)max, cpu,
         (unsigned long long)final_stats.requests,
         final_stats.held_max / 1024,
         (unsigned long long)final_stats.slices,
         final_stats.slice_ns / 1e6,
         (unsigned long long)(final_stats.slice_ns_max / 1000));
  tt_engine_free(engine);
  tt_config_free(&cfg);
  return uv_loop_close(loop) == 0 ? 0 : 1;
}

/* metrics_dump.c - prints what /metrics would answer for a configuration:
 * the engine runs until every target did COUNT heartbeats, then the
 * exposition goes to stdout. For the scripts that check names against
 * the metrics that exist, before and besides a running tether.
 *
 *   metrics_dump FILE.yaml COUNT [QUERY]      (QUERY: "histograms=0") */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "engine.h"
#include "metrics.h"

static void finished_cb(tt_engine *e, void *arg) {
  *(bool *)arg = true;
}

static void stopped_cb(tt_engine *e, void *arg) {
  *(bool *)arg = true;
}

int main(int argc, char **argv) {
  uv_loop_t loop;
  tt_config cfg;
  tt_diags d;
  tt_engine *e;
  tt_metrics_opts mo;
  bool finished = false, stopped = false;

  if (argc < 3) {
    fprintf(stderr, "usage: metrics_dump FILE.yaml COUNT [QUERY]\n");
    return 2;
  }
  const char *q = argc > 3 ? argv[3] : "";
  if (tt_metrics_query(q, strlen(q), &mo) != 0) {
    fprintf(stderr, "metrics_dump: bad query '%s'\n", q);
    return 2;
  }
  tt_diags_init(&d);
  tt_config_input in = { .path = argv[1] };
  if (tt_config_load(&in, &cfg, &d) != 0) {
    for (size_t i = 0; i < d.n; i++)
      fprintf(stderr, "%s\n", d.v[i].text);
    return 2;
  }
  tt_diags_free(&d);
  uv_loop_init(&loop);
  tt_engine_opts eo = { .count = strtoull(argv[2], NULL, 10),
                        .on_finished = finished_cb, .arg = &finished };
  if (tt_engine_new(&loop, &cfg, &eo, &e) != 0 || tt_engine_start(e) != 0) {
    fprintf(stderr, "metrics_dump: cannot start the engine\n");
    return 3;
  }
  while (!finished && uv_run(&loop, UV_RUN_ONCE) != 0)
    ;
  tt_bytes b = {0};
  int rc = tt_metrics_write(e, &mo, &b) == 0 &&
                   fwrite(b.p, 1, b.len, stdout) == b.len
               ? 0
               : 3;
  tt_bytes_free(&b);
  eo.on_finished = NULL;
  tt_engine_stop(e, stopped_cb, &stopped);
  while (!stopped && uv_run(&loop, UV_RUN_ONCE) != 0)
    ;
  uv_run(&loop, UV_RUN_DEFAULT);
  tt_engine_free(e);
  tt_config_free(&cfg);
  uv_loop_close(&loop);
  return rc;
}

/* fault_serve.c - one of the fault servers (demo/fault.h) as a process of
 * its own, for scripts that need a server somewhere a test cannot reach
 * from its own loop (inside a network namespace).
 *
 *   fault_serve HOST PORT [REPLY]
 *
 * Serves "+PONG\r\n" replies (TT_FAULT_RESPOND), or REPLY and "\r\n", on
 * HOST:PORT (0: any free port), prints "ready PORT" once listening, and
 * exits 0 on SIGTERM or SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"

static tt_fault *server;
static uv_signal_t sigterm, sigint;

static void stop_cb(uv_signal_t *s, int signum) {
  (void)s;
  (void)signum;
  tt_fault_close(server);
  uv_close((uv_handle_t *)&sigterm, NULL);
  uv_close((uv_handle_t *)&sigint, NULL);
}

int main(int argc, char **argv) {
  uv_loop_t *loop = uv_default_loop();
  /* A client that goes away is seen as EPIPE, never as a fatal signal. */
  signal(SIGPIPE, SIG_IGN);
  static char reply[1024];
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: fault_serve HOST PORT [REPLY]\n");
    return 2;
  }
  tt_fault_opts o = {.kind = TT_FAULT_RESPOND,
                     .host = argv[1],
                     .port = (uint16_t)atoi(argv[2])};
  if (argc == 4) {
    snprintf(reply, sizeof reply, "%s\r\n", argv[3]);
    o.reply = reply;
  }
  int rc = tt_fault_start(loop, &o, &server);
  if (rc < 0) {
    fprintf(stderr, "fault_serve: %s:%s: %s\n", argv[1], argv[2],
            uv_strerror(rc));
    return 1;
  }
  uv_signal_init(loop, &sigterm);
  uv_signal_init(loop, &sigint);
  uv_signal_start(&sigterm, stop_cb, SIGTERM);
  uv_signal_start(&sigint, stop_cb, SIGINT);
  printf("ready %u\n", (unsigned)tt_fault_port(server));
  fflush(stdout);
  uv_run(loop, UV_RUN_DEFAULT);
  return uv_loop_close(loop) == 0 ? 0 : 1;
}

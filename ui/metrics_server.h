/* metrics_server.h - --metrics: GET /metrics on the loop, the exposition
 * of metrics.h over the responder of httpd.h. */
#ifndef TETHER_METRICS_SERVER_H
#define TETHER_METRICS_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "engine.h"
#include "httpd.h"

/* ADDR when --metrics gives only a port. */
#define TT_METRICS_DEFAULT_ADDR "127.0.0.1"

/* Reads the value of --metrics, [ADDR:]PORT: "9798", "127.0.0.1:9798",
 * "0.0.0.0:9798", "[::1]:9798", "[::]:9798", "localhost:9798". ADDR is
 * an IP address (IPv6 in brackets) or localhost. Returns 0 with *addr
 * set, or -1 with why set to words that follow "--metrics: ". */
int tt_metrics_listen_parse(const char *arg, struct sockaddr_storage *addr,
                            char *why, size_t n);

typedef struct tt_metrics_server tt_metrics_server;

/* Serves e's views at http://ADDR:PORT/metrics (opts may be NULL: the
 * responder's limits). Returns 0, or a negative libuv error such as
 * UV_EADDRINUSE with nothing left open (run the loop to let the listener
 * close). The engine must outlive the server: close the server first. */
int tt_metrics_server_start(uv_loop_t *loop, const struct sockaddr *addr,
                            const tt_engine *e, const tt_httpd_opts *opts,
                            tt_metrics_server **out);

/* The port it listens on. */
uint16_t tt_metrics_server_port(const tt_metrics_server *m);

/* What its responder saw (tests, --check-like reports). */
void tt_metrics_server_stats(const tt_metrics_server *m, tt_httpd_stats *out);

/* Stops listening and ends every scrape; closed_cb (may be NULL) runs
 * once every handle is closed, and m is freed then. Calling it again
 * before then is harmless. */
void tt_metrics_server_close(tt_metrics_server *m, void (*closed_cb)(void *),
                             void *arg);

#endif

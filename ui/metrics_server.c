/* metrics_server.c - what --metrics answers: /metrics in slices, 405 for
 * methods other than GET and HEAD, 404 elsewhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "metrics_server.h"

struct tt_metrics_server {
  tt_httpd *httpd;
  const tt_engine *engine;
  void (*closed_cb)(void *);
  void *closed_arg;
  bool closing;
};

static int port_of(const char *s, uint16_t *port) {
  unsigned long v = 0;
  if (*s == '\0')
    return -1;
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9')
      return -1;
    v = v * 10 + (unsigned long)(*s - '0');
    if (v > 65535)
      return -1;
  }
  if (v == 0)
    return -1;
  *port = (uint16_t)v;
  return 0;
}

int tt_metrics_listen_parse(const char *arg, struct sockaddr_storage *addr,
                            char *why, size_t n) {
  char host[64];
  const char *port_text;
  uint16_t port;

  memset(addr, 0, sizeof *addr);
  if (arg[0] == '[') {
    const char *close = strchr(arg, ']');
    if (close == NULL || close[1] != ':' ||
        (size_t)(close - arg - 1) >= sizeof host) {
      snprintf(why, n, "write an IPv6 address in brackets, then the port: "
                       "[::1]:9798");
      return -1;
    }
    memcpy(host, arg + 1, (size_t)(close - arg - 1));
    host[close - arg - 1] = '\0';
    port_text = close + 2;
  } else {
    const char *colon = strrchr(arg, ':');
    if (colon == NULL) {
      snprintf(host, sizeof host, "%s", TT_METRICS_DEFAULT_ADDR);
      port_text = arg;
    } else if (colon == arg) {
      snprintf(why, n, "give the address to listen on before the colon "
                       "(0.0.0.0:%s for every IPv4 address), or only the "
                       "port for %s", colon + 1, TT_METRICS_DEFAULT_ADDR);
      return -1;
    } else if (memchr(arg, ':', (size_t)(colon - arg)) != NULL) {
      snprintf(why, n, "write an IPv6 address in brackets: [::1]:9798");
      return -1;
    } else if ((size_t)(colon - arg) >= sizeof host) {
      snprintf(why, n, "the address is too long");
      return -1;
    } else {
      memcpy(host, arg, (size_t)(colon - arg));
      host[colon - arg] = '\0';
      port_text = colon + 1;
    }
  }
  if (port_of(port_text, &port) != 0) {
    snprintf(why, n, "the port must be a number from 1 to 65535, as in "
                     "[ADDR:]PORT");
    return -1;
  }
  if (strcmp(host, "localhost") == 0)
    snprintf(host, sizeof host, "127.0.0.1");
  if (arg[0] != '[' && uv_ip4_addr(host, port, (struct sockaddr_in *)addr) == 0)
    return 0;
  if (arg[0] == '[' && uv_ip6_addr(host, port, (struct sockaddr_in6 *)addr) == 0)
    return 0;
  snprintf(why, n, "'%.60s' is not an IP address (or localhost)", host);
  memset(addr, 0, sizeof *addr);
  return -1;
}

/* ---- the body ---------------------------------------------------------- */

static bool body_next(void *state, tt_bytes *out, size_t budget) {
  return tt_expo_next(state, out, budget);
}

static void body_done(void *state) {
  free(state);
}

static bool path_is(const tt_http_req *r, const char *path) {
  return r->path_len == strlen(path) && memcmp(r->path, path, r->path_len) == 0;
}

static bool method_is(const tt_http_req *r, const char *m) {
  return r->method_len == strlen(m) && memcmp(r->method, m, r->method_len) == 0;
}

static void handler(const tt_http_req *req, tt_http_resp *resp, void *arg) {
  tt_metrics_server *m = arg;
  tt_metrics_opts opts;

  if (!path_is(req, "/metrics")) {
    resp->status = 404;
    resp->text = "not found: tether serves /metrics\n";
    return;
  }
  if (!method_is(req, "GET") && !method_is(req, "HEAD")) {
    resp->status = 405;
    resp->allow = "GET, HEAD";
    resp->text = "/metrics answers GET and HEAD\n";
    return;
  }
  if (tt_metrics_query(req->query, req->query_len, &opts) != 0) {
    resp->status = 400;
    resp->text = "/metrics takes one parameter: histograms=0 (or 1)\n";
    return;
  }
  resp->status = 200;
  resp->content_type = TT_METRICS_CONTENT_TYPE;
  resp->text = NULL;
  resp->body.next = body_next;
  resp->body.done = body_done;
  resp->body.state = NULL;
  if (!req->head) {
    tt_expo *x = malloc(sizeof *x);
    if (x == NULL) {
      resp->status = 500;
      resp->text = "out of memory\n";
      resp->body.next = NULL;
      return;
    }
    tt_expo_begin(x, m->engine, &opts);
    resp->body.state = x;
  }
}

/* ---- the server -------------------------------------------------------- */

int tt_metrics_server_start(uv_loop_t *loop, const struct sockaddr *addr,
                            const tt_engine *e, const tt_httpd_opts *opts,
                            tt_metrics_server **out) {
  tt_metrics_server *m = calloc(1, sizeof *m);
  tt_httpd_opts o;
  if (m == NULL)
    return UV_ENOMEM;
  if (opts != NULL) {
    o = *opts;
  } else {
    memset(&o, 0, sizeof o);
    o.gzip = true;
  }
  o.handler = handler;
  o.arg = m;
  m->engine = e;
  int r = tt_httpd_start(loop, addr, &o, &m->httpd);
  if (r < 0) {
    free(m);
    return r;
  }
  *out = m;
  return 0;
}

uint16_t tt_metrics_server_port(const tt_metrics_server *m) {
  return tt_httpd_port(m->httpd);
}

void tt_metrics_server_stats(const tt_metrics_server *m, tt_httpd_stats *out) {
  tt_httpd_stats_get(m->httpd, out);
}

static void httpd_closed_cb(void *arg) {
  tt_metrics_server *m = arg;
  void (*cb)(void *) = m->closed_cb;
  void *cb_arg = m->closed_arg;
  free(m);
  if (cb != NULL)
    cb(cb_arg);
}

void tt_metrics_server_close(tt_metrics_server *m, void (*closed_cb)(void *),
                             void *arg) {
  if (m->closing)
    return;
  m->closing = true;
  m->closed_cb = closed_cb;
  m->closed_arg = arg;
  tt_httpd_close(m->httpd, httpd_closed_cb, m);
}

/* httpd.h - a small HTTP/1.1 responder on the loop: GET and HEAD, bodies
 * produced a slice at a time, and a bound on everything a client holds. */
#ifndef TETHER_HTTPD_H
#define TETHER_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "bytes.h"

/* A request, as the handler sees it. Strings point into the request and
 * are valid during the handler only; none is NUL-terminated. */
typedef struct tt_http_req {
  const char *method;
  size_t method_len;
  const char *path;  /* "/metrics", without the query */
  size_t path_len;
  const char *query; /* what follows '?', or NULL */
  size_t query_len;
  bool head;         /* HEAD: the headers of a GET, no body */
} tt_http_req;

/* A body made a slice at a time, each after the previous one was
 * written: a client that reads slowly holds one slice, never the whole. */
typedef struct tt_http_body {
  /* Appends about budget bytes to out; returns true while more remains. */
  bool (*next)(void *state, tt_bytes *out, size_t budget);
  /* The response ended, sent or not: state may go. May be NULL. */
  void (*done)(void *state);
  void *state;
} tt_http_body;

/* What the handler answers. */
typedef struct tt_http_resp {
  int status;               /* 200, 404, 405, ... */
  const char *content_type; /* NULL: text/plain; charset=utf-8 */
  const char *text;         /* a body known at once, or NULL */
  tt_http_body body;        /* or one made in slices (next not NULL) */
  const char *allow;        /* 405: the methods allowed */
} tt_http_resp;

typedef void (*tt_http_handler)(const tt_http_req *req, tt_http_resp *resp,
                                void *arg);

/* The limits; 0 takes the default. */
typedef struct tt_httpd_opts {
  tt_http_handler handler;
  void *arg;
  size_t max_clients;         /* 16 connections; beyond, the one idle the
                                 longest is closed, or the newcomer gets a
                                 503 */
  size_t max_head;            /* 8 KiB of request line and headers (431) */
  uint64_t head_timeout_ms;   /* 10 s: a request must be whole this long
                                 after its first byte (or after the
                                 connection opened) */
  uint64_t idle_timeout_ms;   /* 60 s between requests of a connection */
  uint64_t write_timeout_ms;  /* 60 s for a whole response */
  size_t slice;               /* 64 KiB: bytes made per slice of a body */
  bool gzip;                  /* compress made bodies when asked
                                 (Accept-Encoding: gzip) */
} tt_httpd_opts;

typedef struct tt_httpd tt_httpd;

/* Listens on addr. Returns 0 or a negative libuv error (UV_EADDRINUSE,
 * UV_EACCES, ...) with nothing left open. */
int tt_httpd_start(uv_loop_t *loop, const struct sockaddr *addr,
                   const tt_httpd_opts *opts, tt_httpd **out);

/* The port it listens on (what port 0 became). */
uint16_t tt_httpd_port(const tt_httpd *h);

/* Closes the listener and every connection (bodies being made end, their
 * done called); closed_cb (may be NULL) runs once the last handle closed,
 * and h is freed then. */
void tt_httpd_close(tt_httpd *h, void (*closed_cb)(void *arg), void *arg);

/* What happened so far, for tests and for the curious. */
typedef struct tt_httpd_stats {
  uint64_t accepted;   /* connections */
  uint64_t refused;    /* connections answered 503: every slot busy */
  uint64_t evicted;    /* idle connections closed for a newcomer */
  uint64_t requests;   /* requests answered, good or bad */
  uint64_t timeouts;   /* connections closed by a deadline */
  uint64_t bad;        /* requests answered 4xx for their form */
  size_t clients;      /* connections open now */
  size_t held;         /* bytes held for every client now (buffers) */
  size_t held_max;     /* the most ever held at once */
  uint64_t slices;     /* slices of bodies made and written */
  uint64_t slice_ns;   /* CPU time the loop spent on them, in all */
  uint64_t slice_ns_max; /* the most one of them took */
} tt_httpd_stats;

void tt_httpd_stats_get(const tt_httpd *h, tt_httpd_stats *out);

#endif

/* httpd_conn.h - private to the responder: a connection and the server it
 * belongs to; what httpd.c (its life) and httpd_reply.c (writing) share. */
#ifndef TETHER_HTTPD_CONN_H
#define TETHER_HTTPD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <zlib.h>

#include "bytes.h"
#include "closed.h"
#include "httpd.h"
#include "httpd_head.h"

typedef enum phase {
  P_READING, /* waiting for a request, or for the rest of one */
  P_WRITING, /* a response is being written; reading is stopped */
  P_LINGER,  /* answered and shut down: dropping what still comes */
  P_CLOSING
} phase;

typedef struct conn conn;

struct conn {
  uv_tcp_t tcp;
  uv_timer_t timer;
  uv_write_t wreq;
  uv_shutdown_t sreq;
  tt_httpd *h;
  conn *prev, *next;
  phase phase;
  int open;            /* handles not yet closed */
  bool answered;       /* at least one response: the idle deadline
                          applies between requests */
  uint64_t idle_since; /* loop time it started waiting for a request */
  size_t lingered;
  /* The response being written. */
  tt_http_body body;   /* next is set while a body is being made */
  bool chunked;
  bool keep_alive;
  bool gzip;
  bool more;           /* the body has more slices */
  z_stream z;
  bool z_on;
  tt_bytes out;        /* what the write in flight holds */
  tt_bytes raw;        /* a slice before it is compressed */
  size_t in_len;
  char in[];           /* max_head bytes of request */
};

struct tt_httpd {
  uv_loop_t *loop;
  uv_tcp_t listener;
  tt_httpd_opts o;
  conn *conns;
  size_t nconns;       /* connections not closing */
  int open;            /* the listener's handle, connections, refusals */
  bool closing;
  tt_on_closed closed;
  tt_httpd_stats st;
};

/* ---- httpd.c: a connection's life ---- */

/* Records what clients hold now, if it is the most yet. */
void tt_httpd_note_held(tt_httpd *h);
/* Closes the connection in ms (a timeout) unless its timer is set again
 * or stopped first. */
void tt_httpd_deadline(conn *c, uint64_t ms);
/* Ends the connection (its body too); idempotent. */
void tt_httpd_conn_close(conn *c);
/* The response is written: the next request, or the end. */
void tt_httpd_finish(conn *c);

/* ---- httpd_reply.c: writing a response ---- */

/* Starts writing resp to the request r (the connection stops reading
 * until it is written). */
void tt_httpd_respond(conn *c, const tt_http_head *r, tt_http_resp *resp);
/* The body being made ends (its done called) and deflate lets go. */
void tt_httpd_end_body(conn *c);

#endif

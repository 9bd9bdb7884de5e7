/* httpc.h - an HTTP client for tests, on the test's loop: it sends what
 * it is told (at once, or a byte at a time), may stop reading, keeps all
 * it receives, and reads responses from it: Content-Length, chunked, or
 * up to the close; gzip bodies are inflated on request. */
#ifndef TETHER_TEST_HTTPC_H
#define TETHER_TEST_HTTPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct tt_httpc {
  uv_loop_t *loop;
  uv_tcp_t tcp;
  uv_connect_t creq;
  uv_timer_t timer;        /* paces a trickle */
  int open;                /* handles not yet closed */
  bool connected;
  bool eof;                /* the server closed (or reset) */
  int error;               /* the first error, 0 while fine */
  bool reading;
  char *in;                /* everything received */
  size_t in_len, in_cap;
  size_t parsed;           /* responses read up to here */
  char *trickle;           /* bytes still to send one at a time */
  size_t trickle_len, trickle_at;
  uint64_t trickle_ms;
  size_t writes;           /* writes not yet completed */
  uint64_t sent;           /* bytes written so far */
} tt_httpc;

typedef struct tt_httpc_resp {
  int status;
  char *head;              /* the status line and headers, NUL-terminated */
  char *body;              /* decoded (chunks joined), NUL-terminated */
  size_t body_len;
  bool chunked;
} tt_httpc_resp;

/* Connects to 127.0.0.1:port, running the loop until it did (fails the
 * test otherwise). */
void tt_httpc_connect(uv_loop_t *loop, tt_httpc *c, uint16_t port);

/* Writes data (copied). */
void tt_httpc_send(tt_httpc *c, const void *data, size_t n);
void tt_httpc_sends(tt_httpc *c, const char *text);

/* Writes data one byte every every_ms (copied). */
void tt_httpc_trickle(tt_httpc *c, const char *data, size_t n,
                      uint64_t every_ms);

/* Stops or restarts reading: a client that does not read. */
void tt_httpc_reading(tt_httpc *c, bool on);

/* Runs the loop until a whole response to a request (a HEAD when head)
 * is in. Returns 1 with *out filled, 0 when the connection closed before
 * one came, -1 after timeout_ms. */
int tt_httpc_response(tt_httpc *c, bool head, tt_httpc_resp *out,
                      uint64_t timeout_ms);

/* Runs the loop until the server closed the connection; returns whether
 * it did within timeout_ms. */
bool tt_httpc_wait_closed(tt_httpc *c, uint64_t timeout_ms);

/* The value of header name in r (case-insensitive), in buf; NULL when
 * absent. */
const char *tt_httpc_header(const tt_httpc_resp *r, const char *name,
                            char *buf, size_t n);

/* Inflates a gzip body in place; returns 0 or -1. */
int tt_httpc_gunzip(tt_httpc_resp *r);

void tt_httpc_resp_free(tt_httpc_resp *r);

/* Closes the connection; the loop must run until open is 0 before c
 * goes. */
void tt_httpc_close(tt_httpc *c);

/* GET (or another method) in one go: connect, send, read one response,
 * close. Returns the status; *out may be NULL. */
int tt_httpc_get(uv_loop_t *loop, uint16_t port, const char *request,
                 tt_httpc_resp *out);

#endif

/* test_httpd.c - the HTTP/1.1 responder: framing as the client asks
 * (keep-alive, close, HTTP/1.0, HEAD, chunked, gzip, pipelining), bad and
 * oversized requests, and the bounds a client cannot push: deadlines for
 * a trickled head, an idle connection and a reader that stopped, a cap on
 * clients, and memory that stays a few buffers whatever the client does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "httpc.h"
#include "httpd.h"
#include "support.h"

/* ---- a server with a test's handler ------------------------------------ */

typedef struct made {
  size_t total;   /* bytes the body has */
  size_t written; /* bytes made so far */
} made;

static size_t made_started, made_ended, slices;

/* "line 00000001\n"... until total bytes (the last line cut short). */
static bool made_next(void *state, tt_bytes *out, size_t budget) {
  made *m = state;
  size_t start = out->len;
  slices++;
  while (m->written < m->total && out->len - start < budget) {
    char line[32];
    snprintf(line, sizeof line, "line %08zu\n", m->written / 14 % 100000000);
    size_t n = 14;
    if (n > m->total - m->written)
      n = m->total - m->written;
    tt_bytes_put(out, line, n);
    m->written += n;
  }
  return m->written < m->total;
}

static void made_done(void *state) {
  made_ended++;
  free(state);
}

static char *expected_body(size_t total) {
  char *b = malloc(total + 1);
  assert_non_null(b);
  for (size_t i = 0; i < total; i += 14) {
    char line[32];
    snprintf(line, sizeof line, "line %08zu\n", i / 14 % 100000000);
    memcpy(b + i, line, total - i < 14 ? total - i : 14);
  }
  b[total] = '\0';
  return b;
}

static bool path_is(const tt_http_req *r, const char *p) {
  return r->path_len == strlen(p) && memcmp(r->path, p, r->path_len) == 0;
}

static void handler(const tt_http_req *req, tt_http_resp *resp, void *arg) {
  if (path_is(req, "/text")) {
    resp->status = 200;
    resp->text = "hello\n";
  } else if (path_is(req, "/made")) {
    made *m = calloc(1, sizeof *m);
    assert_non_null(m);
    m->total = req->query ? strtoul(req->query, NULL, 10) : 1000;
    made_started++;
    resp->status = 200;
    resp->text = NULL;
    resp->body = (tt_http_body){ made_next, made_done, m };
  } else {
    resp->status = 404;
    resp->text = "no\n";
  }
}

typedef struct fixture {
  uv_loop_t loop;
  int fd_start;
  tt_httpd *h;
  uint16_t port;
  bool closed;
} fixture;

static void start_with(fixture *f, tt_httpd_opts o) {
  struct sockaddr_in sa;
  memset(f, 0, sizeof *f);
  tt_test_libuv_once();
  f->fd_start = tt_test_fd_count();
  made_started = made_ended = slices = 0;
  assert_int_equal(uv_loop_init(&f->loop), 0);
  o.handler = handler;
  uv_ip4_addr("127.0.0.1", 0, &sa);
  assert_int_equal(tt_httpd_start(&f->loop, (struct sockaddr *)&sa, &o, &f->h),
                   0);
  f->port = tt_httpd_port(f->h);
  assert_true(f->port != 0);
}

static void start(fixture *f) {
  start_with(f, (tt_httpd_opts){ .gzip = true });
}

static void closed_cb(void *arg) {
  *(bool *)arg = true;
}

static void stop(fixture *f) {
  tt_httpd_close(f->h, closed_cb, &f->closed);
  assert_true(tt_test_run_until(&f->loop, &f->closed, 5000));
  /* Every body that began was ended. */
  assert_int_equal(made_started, made_ended);
  tt_h_assert_clean(&f->loop, f->fd_start);
}

static void client_done(fixture *f, tt_httpc *c) {
  tt_httpc_close(c);
  while (c->open > 0)
    uv_run(&f->loop, UV_RUN_ONCE);
}

static tt_httpd_stats stats(const fixture *f) {
  tt_httpd_stats st;
  tt_httpd_stats_get(f->h, &st);
  return st;
}

static void assert_header(const tt_httpc_resp *r, const char *name,
                          const char *want) {
  char v[128];
  const char *got = tt_httpc_header(r, name, v, sizeof v);
  if (want == NULL) {
    if (got != NULL)
      fail_msg("%s: %s, expected none", name, got);
    return;
  }
  if (got == NULL || strcmp(got, want) != 0)
    fail_msg("%s: %s, expected %s", name, got ? got : "(none)", want);
}

/* ---- framing ------------------------------------------------------------ */

/* HTTP/1.1 keeps the connection: two requests, two answers, one
 * connection, which stays open. */
static void test_keep_alive(void **unused) {
  fixture f;
  tt_httpc c;
  tt_httpc_resp r;
  start(&f);
  tt_httpc_connect(&f.loop, &c, f.port);
  for (int i = 0; i < 2; i++) {
    tt_httpc_sends(&c, "GET /text HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "hello\n");
    assert_header(&r, "Content-Length", "6");
    assert_header(&r, "Connection", "keep-alive");
    assert_non_null(strstr(r.head, "\r\nDate: "));
    tt_httpc_resp_free(&r);
  }
  assert_false(c.eof);
  assert_int_equal(stats(&f).accepted, 1);
  assert_int_equal(stats(&f).requests, 2);
  client_done(&f, &c);
  stop(&f);
}

/* "Connection: close": answered, then closed by the server. */
static void test_connection_close(void **unused) {
  fixture f;
  tt_httpc c;
  tt_httpc_resp r;
  start(&f);
  tt_httpc_connect(&f.loop, &c, f.port);
  tt_httpc_sends(&c, "GET /text HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  assert_header(&r, "Connection", "close");
  assert_string_equal(r.body, "hello\n");
  tt_httpc_resp_free(&r);
  assert_true(tt_httpc_wait_closed(&c, 5000));
  assert_int_equal(c.error, 0); /* a close, not a reset */
  client_done(&f, &c);
  stop(&f);
}

/* HTTP/1.0 knows no chunks: a made body runs to the close. */
static void test_http10_body_to_the_close(void **unused) {
  fixture f;
  tt_httpc c;
  tt_httpc_resp r;
  char *want = expected_body(200000);
  start(&f);
  tt_httpc_connect(&f.loop, &c, f.port);
  tt_httpc_sends(&c, "GET /made?200000 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  assert_false(r.chunked);
  assert_header(&r, "Connection", "close");
  assert_header(&r, "Content-Length", NULL);
  assert_int_equal(r.body_len, 200000);
  assert_memory_equal(r.body, want, 200000);
  tt_httpc_resp_free(&r);
  free(want);
  client_done(&f, &c);
  stop(&f);
}

/* A made body goes out in chunks, one slice at a time. */
static void test_chunked_in_slices(void **unused) {
  fixture f;
  tt_httpc c;
  tt_httpc_resp r;
  char *want = expected_body(1000003);
  start_with(&f, (tt_httpd_opts){ .slice = 64 * 1024 });
  tt_httpc_connect(&f.loop, &c, f.port);
  tt_httpc_sends(&c, "GET /made?1000003 HTTP/1.1\r\nHost: x\r\n\r\n");
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  assert_true(r.chunked);
  assert_header(&r, "Transfer-Encoding", "chunked");
  assert_header(&r, "Content-Encoding", NULL);
  assert_int_equal(r.body_len, 1000003);
  assert_memory_equal(r.body, want, 1000003);
  assert_true(slices >= 1000003 / (64 * 1024));
  tt_httpc_resp_free(&r);
  /* The connection is good for another request. */
  tt_httpc_sends(&c, "GET /text HTTP/1.1\r\nHost: x\r\n\r\n");
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  assert_string_equal(r.body, "hello\n");
  tt_httpc_resp_free(&r);
  free(want);
  client_done(&f, &c);
  stop(&f);
}

/* HEAD: the headers of the GET, no body, and the connection stays in
 * step for the next request; no body is made for it. */
static void test_head(void **unused) {
  fixture f;
  tt_httpc c;
  tt_httpc_resp r;
  start(&f);
  tt_httpc_connect(&f.loop, &c, f.port);
  tt_httpc_sends(&c, "HEAD /made?5000 HTTP/1.1\r\nHost: x\r\n\r\n"
                     "HEAD /text HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /text HTTP/1.1\r\nHost: x\r\n\r\n");
  assert_int_equal(tt_httpc_response(&c, true, &r, 5000), 1);
  assert_int_equal(r.status, 200);
  assert_header(&r, "Transfer-Encoding", "chunked");
  tt_httpc_resp_free(&r);
  assert_int_equal(tt_httpc_response(&c, true, &r, 5000), 1);
  assert_header(&r, "Content-Length", "6");
  tt_httpc_resp_free(&r);
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  assert_string_equal(r.body, "hello\n");
  tt_httpc_resp_free(&r);
  assert_int_equal(slices, 0);
  client_done(&f, &c);
  stop(&f);
}

/* Requests sent together are answered in order. */
static void test_pipelined_requests(void **unused) {
  fixture f;
  tt_httpc c;
  tt_httpc_resp r;
  start(&f);
  tt_httpc_connect(&f.loop, &c, f.port);
  tt_httpc_sends(&c, "GET /made?100 HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /text HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  assert_int_equal(r.body_len, 100);
  tt_httpc_resp_free(&r);
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  assert_int_equal(r.status, 404);
  tt_httpc_resp_free(&r);
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  assert_string_equal(r.body, "hello\n");
  tt_httpc_resp_free(&r);
  assert_true(tt_httpc_wait_closed(&c, 5000));
  client_done(&f, &c);
  stop(&f);
}

/* gzip when asked for (and allowed), the same bytes once inflated; not
 * when its weight is 0. */
static void test_gzip_when_asked(void **unused) {
  fixture f;
  tt_httpc c;
  tt_httpc_resp r;
  char *want = expected_body(300000);
  start(&f);
  tt_httpc_connect(&f.loop, &c, f.port);
  tt_httpc_sends(&c, "GET /made?300000 HTTP/1.1\r\nHost: x\r\n"
                     "Accept-Encoding: deflate, gzip\r\n\r\n");
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  assert_header(&r, "Content-Encoding", "gzip");
  assert_header(&r, "Vary", "Accept-Encoding");
  assert_true(r.body_len < 300000 / 4);
  assert_int_equal(tt_httpc_gunzip(&r), 0);
  assert_int_equal(r.body_len, 300000);
  assert_memory_equal(r.body, want, 300000);
  tt_httpc_resp_free(&r);
  tt_httpc_sends(&c, "GET /made?300000 HTTP/1.1\r\nHost: x\r\n"
                     "Accept-Encoding: gzip;q=0, identity\r\n\r\n");
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  assert_header(&r, "Content-Encoding", NULL);
  assert_memory_equal(r.body, want, 300000);
  tt_httpc_resp_free(&r);
  free(want);
  client_done(&f, &c);
  stop(&f);
}

/* ---- bad requests -------------------------------------------------------- */

/* Sends one request on a new connection and expects status, then the
 * server's close. */
static void expect_refused(fixture *f, const char *request, int status) {
  tt_httpc c;
  tt_httpc_resp r;
  tt_httpc_connect(&f->loop, &c, f->port);
  tt_httpc_sends(&c, request);
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  if (r.status != status)
    fail_msg("%d for %.60s, expected %d", r.status, request, status);
  assert_header(&r, "Connection", "close");
  tt_httpc_resp_free(&r);
  assert_true(tt_httpc_wait_closed(&c, 5000));
  client_done(f, &c);
}

static void test_malformed_requests(void **unused) {
  fixture f;
  start(&f);
  expect_refused(&f, "hello\r\n\r\n", 400);
  expect_refused(&f, "GET /text\r\n\r\n", 400);
  expect_refused(&f, "GET /text HTTP/2.0\r\nHost: x\r\n\r\n", 505);
  expect_refused(&f, "GET text HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  expect_refused(&f, "GET /text HTTP/1.1\r\n\r\n", 400); /* no Host */
  expect_refused(&f, "GET /text HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400);
  expect_refused(&f, "GET /text HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n",
                 400);
  expect_refused(&f, "GET /text HTTP/1.1\r\nHost : x\r\n\r\n", 400);
  expect_refused(&f, "GET /text HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n",
                 400);
  expect_refused(&f, "GET /te\x01xt HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  assert_int_equal(stats(&f).bad, 10);
  stop(&f);
}

/* A request with a body: answered, and the connection closed after it
 * (the body is never read as a next request). What the client still
 * sends is drained, so that the answer is not lost to a reset. */
static void test_request_with_a_body_is_answered_then_closed(void **unused) {
  fixture f;
  tt_httpc c;
  tt_httpc_resp r;
  size_t n = 1024 * 1024;
  char *big = malloc(n);
  assert_non_null(big);
  memset(big, 'x', n);
  start(&f);
  tt_httpc_connect(&f.loop, &c, f.port);
  tt_httpc_sends(&c, "POST /text HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n");
  tt_httpc_send(&c, big, n);
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  assert_int_equal(r.status, 200);
  assert_header(&r, "Connection", "close");
  tt_httpc_resp_free(&r);
  assert_true(tt_httpc_wait_closed(&c, 5000));
  client_done(&f, &c);
  free(big);
  stop(&f);
}

/* A 1 MB request head: 431 once the head buffer is full, the rest is
 * never held, and the connection closes. */
static void test_a_1mb_request(void **unused) {
  fixture f;
  tt_httpc c;
  tt_httpc_resp r;
  size_t n = 1024 * 1024;
  char *big = malloc(n);
  assert_non_null(big);
  memcpy(big, "GET /text HTTP/1.1\r\nHost: x\r\nX-Big: ", 36);
  memset(big + 36, 'a', n - 36);
  start(&f);
  tt_httpc_connect(&f.loop, &c, f.port);
  tt_httpc_send(&c, big, n);
  assert_int_equal(tt_httpc_response(&c, false, &r, 5000), 1);
  assert_int_equal(r.status, 431);
  tt_httpc_resp_free(&r);
  assert_true(tt_httpc_wait_closed(&c, 5000));
  /* Held at most: the head buffer and the answer's buffer. */
  assert_true(stats(&f).held_max <= 8 * 1024 + 4096);
  client_done(&f, &c);
  free(big);
  stop(&f);
}

/* ---- deadlines and bounds ------------------------------------------------ */

/* A slowloris: a head a byte at a time never gets past head_timeout,
 * counted from its first byte. */
static void test_slowloris_is_cut_at_the_head_deadline(void **unused) {
  fixture f;
  tt_httpc c;
  const char *req = "GET /text HTTP/1.1\r\nHost: x\r\nX-Slow: "
                    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
  start_with(&f, (tt_httpd_opts){ .head_timeout_ms = 300 });
  tt_httpc_connect(&f.loop, &c, f.port);
  uint64_t t0 = uv_now(&f.loop);
  tt_httpc_trickle(&c, req, strlen(req), 20);
  assert_true(tt_httpc_wait_closed(&c, 5000));
  uint64_t took = uv_now(&f.loop) - t0;
  assert_true(took >= 290 && took < 1500);
  assert_true(c.sent < strlen(req));
  assert_int_equal(c.in_len, 0); /* nothing answered */
  assert_int_equal(stats(&f).timeouts, 1);
  client_done(&f, &c);
  stop(&f);
}

/* A connection that sends nothing is closed at head_timeout; one that
 * was answered may wait idle_timeout for its next request. */
static void test_idle_connections_are_closed(void **unused) {
  fixture f;
  tt_httpc a, b;
  tt_httpc_resp r;
  start_with(&f, (tt_httpd_opts){ .head_timeout_ms = 200,
                                   .idle_timeout_ms = 600 });
  tt_httpc_connect(&f.loop, &a, f.port);
  tt_httpc_connect(&f.loop, &b, f.port);
  uint64_t t0 = uv_now(&f.loop);
  tt_httpc_sends(&b, "GET /text HTTP/1.1\r\nHost: x\r\n\r\n");
  assert_int_equal(tt_httpc_response(&b, false, &r, 5000), 1);
  tt_httpc_resp_free(&r);
  assert_true(tt_httpc_wait_closed(&a, 5000));
  assert_true(uv_now(&f.loop) - t0 < 500);
  assert_false(b.eof);
  assert_true(tt_httpc_wait_closed(&b, 5000));
  assert_true(uv_now(&f.loop) - t0 >= 590);
  client_done(&f, &a);
  client_done(&f, &b);
  stop(&f);
}

static bool timed_out(void *arg) {
  return stats(arg).timeouts > 0;
}

/* A client that stops reading holds a slice, not the body: the rest is
 * never made, and write_timeout ends it. */
static void test_a_reader_that_stops_holds_one_slice(void **unused) {
  fixture f;
  tt_httpc c;
  start_with(&f, (tt_httpd_opts){ .write_timeout_ms = 1000,
                                   .slice = 16 * 1024 });
  tt_httpc_connect(&f.loop, &c, f.port);
  tt_httpc_reading(&c, false);
  uint64_t t0 = uv_now(&f.loop);
  tt_httpc_sends(&c, "GET /made?100000000 HTTP/1.1\r\nHost: x\r\n\r\n");
  assert_true(tt_test_run_until_fn(&f.loop, timed_out, &f, 5000));
  assert_true(uv_now(&f.loop) - t0 >= 990);
  /* What the sockets' buffers took, and a slice or two beyond: far from
   * the 100 MB asked for. */
  assert_true(slices * 16 * 1024 < 20 * 1024 * 1024);
  assert_true(stats(&f).held_max < 8 * 1024 + 4 * 16 * 1024);
  assert_int_equal(made_ended, 1);
  /* What it gets when it reads again: a body cut short, then the end. */
  assert_true(tt_httpc_wait_closed(&c, 5000));
  assert_true(c.in_len < 20 * 1024 * 1024);
  client_done(&f, &c);
  stop(&f);
}

/* Beyond max_clients, the connection idle the longest makes room; when
 * every connection is busy, the newcomer gets a 503 at once. */
static void test_client_cap(void **unused) {
  fixture f;
  tt_httpc a, b, c, d;
  tt_httpc_resp r;
  start_with(&f, (tt_httpd_opts){ .max_clients = 2 });
  tt_httpc_connect(&f.loop, &a, f.port);
  tt_httpc_connect(&f.loop, &b, f.port);
  /* b is busy: half a request. */
  tt_httpc_sends(&b, "GET /text HTTP/1.1\r\n");
  uv_run(&f.loop, UV_RUN_NOWAIT);
  tt_httpc_connect(&f.loop, &c, f.port);
  /* a, idle, made room for c. */
  assert_true(tt_httpc_wait_closed(&a, 5000));
  assert_int_equal(stats(&f).evicted, 1);
  tt_httpc_sends(&c, "GET /text HTTP/1.1\r\n");
  uv_run(&f.loop, UV_RUN_NOWAIT);
  tt_httpc_connect(&f.loop, &d, f.port);
  assert_int_equal(tt_httpc_response(&d, false, &r, 5000), 1);
  assert_int_equal(r.status, 503);
  tt_httpc_resp_free(&r);
  assert_true(tt_httpc_wait_closed(&d, 5000));
  assert_int_equal(stats(&f).refused, 1);
  /* The busy ones are still served. */
  tt_httpc_sends(&b, "Host: x\r\n\r\n");
  assert_int_equal(tt_httpc_response(&b, false, &r, 5000), 1);
  assert_int_equal(r.status, 200);
  tt_httpc_resp_free(&r);
  assert_int_equal(stats(&f).clients, 2);
  client_done(&f, &a);
  client_done(&f, &b);
  client_done(&f, &c);
  client_done(&f, &d);
  stop(&f);
}

/* Closing the server in the middle of a body ends it cleanly. */
static void test_close_during_a_body(void **unused) {
  fixture f;
  tt_httpc c;
  start_with(&f, (tt_httpd_opts){ .slice = 4096 });
  tt_httpc_connect(&f.loop, &c, f.port);
  tt_httpc_reading(&c, false);
  tt_httpc_sends(&c, "GET /made?50000000 HTTP/1.1\r\nHost: x\r\n\r\n");
  while (slices < 3)
    uv_run(&f.loop, UV_RUN_ONCE);
  assert_int_equal(made_ended, 0);
  tt_httpd_close(f.h, closed_cb, &f.closed);
  assert_true(tt_test_run_until(&f.loop, &f.closed, 5000));
  assert_int_equal(made_ended, 1);
  assert_true(tt_httpc_wait_closed(&c, 5000));
  client_done(&f, &c);
  tt_h_assert_clean(&f.loop, f.fd_start);
}

/* A port in use is an error, and nothing is left open. */
static void test_port_in_use(void **unused) {
  fixture f;
  tt_httpd *other = NULL;
  struct sockaddr_in sa;
  start(&f);
  uv_ip4_addr("127.0.0.1", f.port, &sa);
  tt_httpd_opts o = { .handler = handler };
  assert_int_equal(tt_httpd_start(&f.loop, (struct sockaddr *)&sa, &o, &other),
                   UV_EADDRINUSE);
  assert_null(other);
  stop(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_keep_alive),
    cmocka_unit_test(test_connection_close),
    cmocka_unit_test(test_http10_body_to_the_close),
    cmocka_unit_test(test_chunked_in_slices),
    cmocka_unit_test(test_head),
    cmocka_unit_test(test_pipelined_requests),
    cmocka_unit_test(test_gzip_when_asked),
    cmocka_unit_test(test_malformed_requests),
    cmocka_unit_test(test_request_with_a_body_is_answered_then_closed),
    cmocka_unit_test(test_a_1mb_request),
    cmocka_unit_test(test_slowloris_is_cut_at_the_head_deadline),
    cmocka_unit_test(test_idle_connections_are_closed),
    cmocka_unit_test(test_a_reader_that_stops_holds_one_slice),
    cmocka_unit_test(test_client_cap),
    cmocka_unit_test(test_close_during_a_body),
    cmocka_unit_test(test_port_in_use),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

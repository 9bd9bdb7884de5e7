/* test_fault.c - each fault server kind does exactly its misbehaviour, seen
 * through plain libuv clients on loopback, and leaves nothing behind. */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault.h"
#include "harness.h"
#include "support.h"

#define SAFETY_MS 5000 /* a net under every wait; tests end on callbacks */
#define CLIENT_MAX (256 * 1024)
#define MARKS 16

/* ---- a plain client ---- */

typedef struct client {
  uv_loop_t *loop;
  uv_tcp_t tcp;
  uv_connect_t connect;
  bool connected;   /* the connect callback ran */
  int connect_status;
  bool ended;       /* the read callback reported EOF or an error */
  int read_error;
  bool want_done;   /* len reached want */
  size_t want;
  char data[CLIENT_MAX];
  size_t len;
  int nreads;
  bool discard;     /* count bytes only, keep none (for floods) */
  size_t mark_size; /* when set, marks record when each mark_size arrived */
  uint64_t mark_at[MARKS];
  int marks;
} client;

typedef struct client_write {
  uv_write_t req;
  char data[];
} client_write;

static void client_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  client *c = h->data;
  size_t at = c->discard ? 0 : c->len;
  buf->base = c->data + at;
  buf->len = CLIENT_MAX - at;
}

static void client_check_want(client *c) {
  if (c->want > 0 && c->len >= c->want)
    c->want_done = true;
}

static void client_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  client *c = s->data;
  if (n < 0) {
    c->ended = true;
    c->read_error = (int)n;
    uv_read_stop(s);
    return;
  }
  if (n == 0)
    return;
  c->len += (size_t)n;
  c->nreads++;
  uint64_t now = uv_hrtime();
  while (c->mark_size > 0 && c->marks < MARKS &&
         c->len >= (size_t)(c->marks + 1) * c->mark_size)
    c->mark_at[c->marks++] = now;
  client_check_want(c);
}

static void client_connect_cb(uv_connect_t *req, int status) {
  client *c = req->handle->data;
  c->connected = true;
  c->connect_status = status;
  if (status == 0)
    assert_int_equal(uv_read_start((uv_stream_t *)&c->tcp, client_alloc_cb,
                                   client_read_cb), 0);
}

static client *client_new(uv_loop_t *loop) {
  client *c = calloc(1, sizeof(*c));
  assert_non_null(c);
  c->loop = loop;
  assert_int_equal(uv_tcp_init(loop, &c->tcp), 0);
  c->tcp.data = c;
  return c;
}

/* Starts a connect without waiting for it. */
static void client_start(client *c, const char *host, uint16_t port) {
  struct sockaddr_storage ss;
  if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) != 0)
    assert_int_equal(uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss), 0);
  assert_int_equal(uv_tcp_connect(&c->connect, &c->tcp,
                                  (const struct sockaddr *)&ss,
                                  client_connect_cb), 0);
}

/* Connects and waits for the outcome: the connect status. */
static int client_connect(client *c, const char *host, uint16_t port) {
  client_start(c, host, port);
  assert_true(tt_test_run_until(c->loop, &c->connected, SAFETY_MS));
  return c->connect_status;
}

static client *client_open(uv_loop_t *loop, const char *host, uint16_t port) {
  client *c = client_new(loop);
  assert_int_equal(client_connect(c, host, port), 0);
  return c;
}

static void client_write_cb(uv_write_t *req, int status) {
  free((client_write *)req); /* req is its first member */
}

static void client_send(client *c, const char *s, size_t n) {
  client_write *w = malloc(sizeof(*w) + n);
  assert_non_null(w);
  memcpy(w->data, s, n);
  uv_buf_t buf = uv_buf_init(w->data, (unsigned)n);
  assert_int_equal(uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1,
                            client_write_cb), 0);
}

static void client_sends(client *c, const char *s) {
  client_send(c, s, strlen(s));
}

/* Waits until n bytes in all have arrived (or the peer ended). */
static bool client_wait(client *c, size_t n) {
  c->want = n;
  c->want_done = false;
  client_check_want(c);
  tt_test_run_until(c->loop, &c->want_done, SAFETY_MS);
  return c->len >= n;
}

static void client_wait_end(client *c) {
  assert_true(tt_test_run_until(c->loop, &c->ended, SAFETY_MS));
}

/* Runs the loop for ms and reports whether flag became true meanwhile. */
static bool within(uv_loop_t *loop, const bool *flag, uint64_t ms) {
  return tt_test_run_until(loop, flag, ms);
}

static void client_free_cb(uv_handle_t *h) {
  free(h->data);
}

static void client_close(client *c) {
  uv_close((uv_handle_t *)&c->tcp, client_free_cb);
}

/* ---- fixture ---- */

typedef struct fixture {
  uv_loop_t loop;
  int fds;
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof(*fx));
  if (fx == NULL)
    return -1;
  tt_test_libuv_once();
  fx->fds = tt_test_fd_count();
  if (uv_loop_init(&fx->loop) != 0)
    return -1;
  *state = fx;
  return 0;
}

/* Every test has closed what it opened: nothing may be left active, the
 * loop must close, and the descriptors are back where they started. */
static int teardown(void **state) {
  fixture *fx = *state;
  tt_h_assert_clean(&fx->loop, fx->fds);
  free(fx);
  return 0;
}

static tt_fault *start(fixture *fx, tt_fault_opts o) {
  tt_fault *f = NULL;
  assert_int_equal(tt_fault_start(&fx->loop, &o, &f), 0);
  assert_non_null(f);
  assert_true(tt_fault_port(f) != 0);
  return f;
}

static const char *LOCAL = "127.0.0.1";

/* ---- RESPOND, banner, ECHO ---- */

static void test_respond_answers_each_request(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_RESPOND});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  client_sends(c, "PING\r\n");
  assert_true(client_wait(c, 7));
  client_sends(c, "PING\r\nPING\r\n");
  assert_true(client_wait(c, 21));
  assert_int_equal(c->len, 21);
  assert_memory_equal(c->data, "+PONG\r\n+PONG\r\n+PONG\r\n", 21);
  assert_int_equal(tt_fault_accepted(f), 1);
  assert_int_equal(tt_fault_requests(f), 3);
  client_close(c);
  tt_fault_close(f);
}

static void test_banner_comes_first(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_RESPOND,
                                          .banner = "220 tether ready\r\n",
                                          .reply = "250 ok\r\n"});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  assert_true(client_wait(c, 18));
  assert_memory_equal(c->data, "220 tether ready\r\n", 18);
  client_sends(c, "NOOP\r\n");
  assert_true(client_wait(c, 26));
  assert_int_equal(c->len, 26);
  assert_memory_equal(c->data + 18, "250 ok\r\n", 8);
  client_close(c);
  tt_fault_close(f);
}

static void test_echo_returns_each_request(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_ECHO});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  client_send(c, "hello\nwor\0ld\n", 13);
  assert_true(client_wait(c, 13));
  assert_int_equal(c->len, 13);
  assert_memory_equal(c->data, "hello\nwor\0ld\n", 13);
  assert_int_equal(tt_fault_requests(f), 2);
  client_close(c);
  tt_fault_close(f);
}

/* A request ends only at request_end, even when it straddles writes. */
static void test_requests_are_framed_by_request_end(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_ECHO,
                                          .request_end = "\r\n\r\n"});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  client_sends(c, "HEAD / HTTP/1.1\r\n\r\nHost: x\r\n");
  assert_true(client_wait(c, 19));
  client_sends(c, "\r");
  client_sends(c, "\n");
  assert_true(client_wait(c, 30));
  assert_int_equal(c->len, 30);
  assert_memory_equal(c->data, "HEAD / HTTP/1.1\r\n\r\nHost: x\r\n\r\n", 30);
  assert_int_equal(tt_fault_requests(f), 2);
  client_close(c);
  tt_fault_close(f);
}

static void test_ipv6_loopback_answers(void **state) {
  fixture *fx = *state;
  tt_fault *f = NULL;
  tt_fault_opts o = {.kind = TT_FAULT_RESPOND, .host = "::1"};
  int err = tt_fault_start(&fx->loop, &o, &f);
  if (err == UV_EADDRNOTAVAIL || err == UV_EAFNOSUPPORT) {
    skip(); /* no IPv6 loopback on this machine */
  }
  assert_int_equal(err, 0);
  client *c = client_open(&fx->loop, "::1", tt_fault_port(f));
  client_sends(c, "PING\r\n");
  assert_true(client_wait(c, 7));
  assert_memory_equal(c->data, "+PONG\r\n", 7);
  client_close(c);
  tt_fault_close(f);
}

/* ---- delays ---- */

static void test_slow_delays_every_reply(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_SLOW,
                                          .delay_ms = 80, .jitter_ms = 30,
                                          .seed = 42});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  for (int i = 1; i <= 3; i++) {
    uint64_t t0 = uv_hrtime();
    client_sends(c, "PING\r\n");
    assert_true(client_wait(c, 7 * (size_t)i));
    uint64_t took_ms = (uv_hrtime() - t0) / 1000000;
    assert_true(took_ms >= 80 - 30);
  }
  assert_memory_equal(c->data, "+PONG\r\n+PONG\r\n+PONG\r\n", 21);
  client_close(c);
  tt_fault_close(f);
}

/* Requests 1-4 at once: 1 and 2 are answered at once, 3 is late and 4,
 * due at once, waits behind it; then 5 is prompt again and 6 late. */
static void test_late_delays_every_nth_in_order(void **state) {
  fixture *fx = *state;
  const uint64_t delay_ms = 300;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_LATE,
                                          .delay_ms = (uint32_t)delay_ms,
                                          .every = 3});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  c->mark_size = 7;
  uint64_t t0 = uv_hrtime();
  client_sends(c, "PING\r\nPING\r\nPING\r\nPING\r\n");
  assert_true(client_wait(c, 28));
  assert_true(c->mark_at[1] - t0 < delay_ms * 1000000 * 2 / 3);
  assert_true(c->mark_at[2] - t0 >= delay_ms * 1000000);
  assert_true(c->mark_at[3] - t0 >= delay_ms * 1000000);

  uint64_t t1 = uv_hrtime();
  client_sends(c, "PING\r\nPING\r\n");
  assert_true(client_wait(c, 42));
  assert_true(c->mark_at[4] - t1 < delay_ms * 1000000 * 2 / 3);
  assert_true(c->mark_at[5] - t1 >= delay_ms * 1000000);
  assert_int_equal(c->len, 42);
  assert_int_equal(tt_fault_requests(f), 6);
  client_close(c);
  tt_fault_close(f);
}

static void test_split_writes_one_byte_at_a_time(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_SPLIT,
                                          .delay_ms = 15});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  uint64_t t0 = uv_hrtime();
  client_sends(c, "PING\r\n");
  assert_true(client_wait(c, 7));
  assert_true(uv_hrtime() - t0 >= 6 * 15 * 1000000ull);
  assert_int_equal(c->len, 7);
  assert_memory_equal(c->data, "+PONG\r\n", 7);
  assert_true(c->nreads >= 7);
  client_close(c);
  tt_fault_close(f);
}

static void test_split_without_delay_still_answers(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_SPLIT});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  client_sends(c, "PING\r\nPING\r\n");
  assert_true(client_wait(c, 14));
  assert_int_equal(c->len, 14);
  assert_memory_equal(c->data, "+PONG\r\n+PONG\r\n", 14);
  client_close(c);
  tt_fault_close(f);
}

/* ---- wrong answers ---- */

static void test_oversize_sends_size_bytes_without_end(void **state) {
  fixture *fx = *state;
  const size_t size = 100000;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_OVERSIZE,
                                          .size = (uint32_t)size});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  client_sends(c, "PING\r\n");
  assert_true(client_wait(c, size));
  bool more = false;
  c->want = size + 1;
  c->want_done = false;
  more = within(&fx->loop, &c->want_done, 100);
  assert_false(more);
  assert_int_equal(c->len, size);
  for (size_t i = 0; i < size; i++)
    assert_int_equal(c->data[i], 'A');
  assert_null(memchr(c->data, '\n', c->len));
  client_close(c);
  tt_fault_close(f);
}

static void test_garbage_holds_escapes_and_nul(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_GARBAGE});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  client_sends(c, "PING\r\n");
  c->want = 1;
  while (c->len == 0 || c->data[c->len - 1] != '\n') {
    c->want = c->len + 1;
    assert_true(client_wait(c, c->want));
  }
  assert_non_null(memchr(c->data, '\x1b', c->len));
  assert_non_null(memchr(c->data, '\0', c->len));
  assert_non_null(memmem(c->data, c->len, "\x1b[2J", 4));
  assert_non_null(memmem(c->data, c->len, "\x1b]52", 4));
  assert_non_null(memchr(c->data, '\xff', c->len)); /* never valid UTF-8 */
  assert_int_equal(c->data[c->len - 1], '\n');
  assert_ptr_equal(memchr(c->data, '\n', c->len), c->data + c->len - 1);

  regex_t re;
  assert_int_equal(regcomp(&re, "^\\+PONG", REG_EXTENDED | REG_NOSUB), 0);
  regmatch_t m = {.rm_so = 0, .rm_eo = (regoff_t)c->len};
  assert_int_equal(regexec(&re, c->data, 1, &m, REG_STARTEND), REG_NOMATCH);
  regfree(&re);
  client_close(c);
  tt_fault_close(f);
}

/* ---- silence and the port's refusals ---- */

static void test_silent_reads_but_never_answers(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_SILENT,
                                          .banner = "never sent\r\n"});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  client_sends(c, "PING\r\n");
  c->want = 1;
  assert_false(within(&fx->loop, &c->want_done, 300));
  assert_int_equal(c->len, 0);
  assert_false(c->ended);
  assert_int_equal(tt_fault_requests(f), 1);
  client_close(c);
  tt_fault_close(f);
}

/* Binding the port as a libuv server would (SO_REUSEADDR) must fail. */
static void assert_port_taken(uv_loop_t *loop, const char *host,
                              uint16_t port) {
  uv_tcp_t *t = malloc(sizeof(*t));
  assert_non_null(t);
  struct sockaddr_storage ss;
  if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) != 0)
    assert_int_equal(uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss), 0);
  assert_int_equal(uv_tcp_init(loop, t), 0);
  int err = uv_tcp_bind(t, (const struct sockaddr *)&ss, 0);
  if (err == 0)
    err = uv_listen((uv_stream_t *)t, 1, NULL);
  assert_int_equal(err, UV_EADDRINUSE);
  t->data = t;
  uv_close((uv_handle_t *)t, client_free_cb);
}

static void test_refuse_refuses_and_holds_the_port(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_REFUSE});
  client *c = client_new(&fx->loop);
  assert_int_equal(client_connect(c, LOCAL, tt_fault_port(f)),
                   UV_ECONNREFUSED);
  assert_port_taken(&fx->loop, LOCAL, tt_fault_port(f));
  assert_int_equal(tt_fault_accepted(f), 0);
  client_close(c);
  tt_fault_close(f);
}

static void test_reset_resets_after_first_request(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_RESET});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  client_sends(c, "PING\r\n");
  client_wait_end(c);
  assert_int_equal(c->read_error, UV_ECONNRESET);
  assert_int_equal(c->len, 0);
  assert_int_equal(tt_fault_requests(f), 1);
  client_close(c);
  tt_fault_close(f);
}

/* More input after the first request is read too, so the close is a FIN
 * (EOF) and not a reset. */
static void test_close_ends_with_eof_after_first_request(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_CLOSE});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  static char more[20000];
  memset(more, 'x', sizeof(more));
  memcpy(more, "PING\r\n", 6);
  client_send(c, more, sizeof(more));
  client_wait_end(c);
  assert_int_equal(c->read_error, UV_EOF);
  assert_int_equal(c->len, 0);
  assert_int_equal(tt_fault_requests(f), 1);
  client_close(c);
  tt_fault_close(f);
}

static void test_stall_connects_never_complete(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_STALL});
  client *c = client_new(&fx->loop);
  client_start(c, LOCAL, tt_fault_port(f));
  assert_false(within(&fx->loop, &c->connected, 300));
  assert_int_equal(tt_fault_accepted(f), 0);
  client_close(c); /* the connect ends cancelled */
  tt_fault_close(f);
}

/* ---- input bounds ---- */

static void test_unframed_input_is_bounded(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_RESPOND});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  static char flood[70 * 1024];
  memset(flood, 'x', sizeof(flood));
  client_send(c, flood, sizeof(flood));
  client_wait_end(c);
  assert_int_equal(c->read_error, UV_ECONNRESET);
  assert_int_equal(tt_fault_requests(f), 0);
  client_close(c);
  tt_fault_close(f);
}

/* Many requests at once from a client that reads: every one is answered,
 * although the server stops reading while its replies pile up past what
 * it lets a connection queue (1 MiB), and reads on as they drain. */
static void test_pipelined_flood_is_answered_in_full(void **state) {
  fixture *fx = *state;
  const size_t size = 100000, n = 40;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_OVERSIZE,
                                          .size = (uint32_t)size});
  client *c = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  c->discard = true;
  char reqs[40 * 2];
  for (size_t i = 0; i < n; i++)
    memcpy(reqs + 2 * i, "x\n", 2);
  client_send(c, reqs, sizeof(reqs));
  assert_true(client_wait(c, n * size));
  assert_int_equal(c->len, n * size);
  assert_int_equal(tt_fault_requests(f), n);
  client_close(c);
  tt_fault_close(f);
}

/* ---- pause, resume, flap ---- */

/* Connections are independent: each gets its own answers, and pausing
 * resets every one of them, whatever order they came and go in. */
static void test_pause_resets_every_connection(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_ECHO});
  enum { N = 4 };
  client *c[N];
  for (int i = 0; i < N; i++)
    c[i] = client_open(&fx->loop, LOCAL, tt_fault_port(f));
  for (int i = 0; i < N; i++) {
    char line[8];
    snprintf(line, sizeof(line), "c%d\n", i);
    client_sends(c[i], line);
  }
  for (int i = 0; i < N; i++) {
    char line[8];
    snprintf(line, sizeof(line), "c%d\n", i);
    assert_true(client_wait(c[i], 3));
    assert_int_equal(c[i]->len, 3);
    assert_memory_equal(c[i]->data, line, 3);
  }
  /* One in the middle and the newest leave first. */
  client_close(c[1]);
  client_close(c[N - 1]);
  uv_run(&fx->loop, UV_RUN_NOWAIT);
  tt_fault_pause(f);
  client_wait_end(c[0]);
  client_wait_end(c[2]);
  assert_int_equal(c[0]->read_error, UV_ECONNRESET);
  assert_int_equal(c[2]->read_error, UV_ECONNRESET);
  assert_int_equal(tt_fault_accepted(f), N);
  client_close(c[0]);
  client_close(c[2]);
  tt_fault_close(f);
}

static void test_pause_refuses_and_resume_serves_again(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_RESPOND});
  uint16_t port = tt_fault_port(f);
  client *a = client_open(&fx->loop, LOCAL, port);
  client_sends(a, "PING\r\n");
  assert_true(client_wait(a, 7));

  tt_fault_pause(f);
  tt_fault_pause(f);
  client_wait_end(a);
  assert_int_equal(a->read_error, UV_ECONNRESET);
  client *b = client_new(&fx->loop);
  assert_int_equal(client_connect(b, LOCAL, port), UV_ECONNREFUSED);
  assert_port_taken(&fx->loop, LOCAL, port);

  assert_int_equal(tt_fault_resume(f), 0);
  assert_int_equal(tt_fault_resume(f), 0);
  assert_int_equal(tt_fault_port(f), port);
  client *d = client_open(&fx->loop, LOCAL, port);
  client_sends(d, "PING\r\n");
  assert_true(client_wait(d, 7));
  assert_memory_equal(d->data, "+PONG\r\n", 7);
  assert_int_equal(tt_fault_accepted(f), 2);

  client_close(a);
  client_close(b);
  client_close(d);
  tt_fault_close(f);
}

/* Pausing a server that has closed connections in TIME_WAIT on its port
 * (CLOSE sends the first FIN) still holds the port. */
static void test_pause_after_close_kind_holds_port(void **state) {
  fixture *fx = *state;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_CLOSE});
  uint16_t port = tt_fault_port(f);
  client *a = client_open(&fx->loop, LOCAL, port);
  client_sends(a, "PING\r\n");
  client_wait_end(a);
  assert_int_equal(a->read_error, UV_EOF);
  client_close(a);
  /* The server sees our FIN and closes: its side is now in TIME_WAIT. */
  uv_run(&fx->loop, UV_RUN_NOWAIT);
  tt_fault_pause(f);
  client *b = client_new(&fx->loop);
  assert_int_equal(client_connect(b, LOCAL, port), UV_ECONNREFUSED);
  assert_int_equal(tt_fault_resume(f), 0);
  client *d = client_open(&fx->loop, LOCAL, port);
  client_close(b);
  client_close(d);
  tt_fault_close(f);
}

typedef struct flap_probe {
  client *c;
  uv_timer_t retry;
  uint16_t port;
  bool up;
} flap_probe;

static void flap_retry_cb(uv_timer_t *t);

static void flap_probe_connect_cb(uv_connect_t *req, int status) {
  flap_probe *p = req->data;
  if (status == 0) {
    p->up = true;
    client_connect_cb(req, status);
    return;
  }
  assert_int_equal(status, UV_ECONNREFUSED);
  client_close(p->c);
  p->c = NULL;
  uv_timer_start(&p->retry, flap_retry_cb, 10, 0);
}

static void flap_retry_cb(uv_timer_t *t) {
  flap_probe *p = t->data;
  p->c = client_new(t->loop);
  struct sockaddr_in sin;
  assert_int_equal(uv_ip4_addr(LOCAL, p->port, &sin), 0);
  p->c->connect.data = p;
  assert_int_equal(uv_tcp_connect(&p->c->connect, &p->c->tcp,
                                  (const struct sockaddr *)&sin,
                                  flap_probe_connect_cb), 0);
}

/* Up for a period (the connection works, then is reset), down for one
 * (refused), up again: twice round. */
static void test_flap_alternates(void **state) {
  fixture *fx = *state;
  const uint64_t period = 250;
  tt_fault *f = start(fx, (tt_fault_opts){.kind = TT_FAULT_FLAP,
                                          .period_ms = (uint32_t)period});
  flap_probe p = {.port = tt_fault_port(f)};
  assert_int_equal(uv_timer_init(&fx->loop, &p.retry), 0);
  p.retry.data = &p;
  p.c = client_open(&fx->loop, LOCAL, p.port);
  for (int round = 0; round < 2; round++) {
    client_sends(p.c, "PING\r\n");
    assert_true(client_wait(p.c, 7));
    assert_memory_equal(p.c->data, "+PONG\r\n", 7);
    client_wait_end(p.c);
    assert_int_equal(p.c->read_error, UV_ECONNRESET);
    uint64_t down_at = uv_hrtime();
    client_close(p.c);
    p.c = NULL;
    p.up = false;
    uv_timer_start(&p.retry, flap_retry_cb, 0, 0);
    assert_true(tt_test_run_until(&fx->loop, &p.up, SAFETY_MS));
    /* It was down (refused) for about a period before it came back. */
    assert_true(uv_hrtime() - down_at >= period / 2 * 1000000);
  }
  assert_true(tt_fault_accepted(f) == 3);
  client_close(p.c);
  uv_close((uv_handle_t *)&p.retry, NULL);
  tt_fault_close(f);
  uv_run(&fx->loop, UV_RUN_DEFAULT); /* p lives on this stack */
}

/* ---- starting and closing ---- */

static void test_start_rejects_bad_options(void **state) {
  fixture *fx = *state;
  tt_fault *f = NULL;
  tt_fault_opts bad[] = {
    {.kind = TT_FAULT_RESPOND, .host = "not an address"},
    {.kind = TT_FAULT_LATE, .every = 0},
    {.kind = TT_FAULT_FLAP, .period_ms = 0},
    {.kind = TT_FAULT_OVERSIZE, .size = 0},
    {.kind = TT_FAULT_ECHO, .request_end = ""},
    {.kind = (tt_fault_kind)99},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(tt_fault_start(&fx->loop, &bad[i], &f), UV_EINVAL);
  assert_null(f);
}

static void test_start_on_a_busy_port_fails_cleanly(void **state) {
  fixture *fx = *state;
  tt_fault *a = start(fx, (tt_fault_opts){.kind = TT_FAULT_RESPOND});
  tt_fault_kind kinds[] = {TT_FAULT_RESPOND, TT_FAULT_REFUSE, TT_FAULT_STALL};
  for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
    tt_fault *b = NULL;
    tt_fault_opts o = {.kind = kinds[i], .port = tt_fault_port(a)};
    assert_int_equal(tt_fault_start(&fx->loop, &o, &b), UV_EADDRINUSE);
    assert_null(b);
  }
  tt_fault_close(a);
}

/* Every kind, with a connection in the middle of something, closes down
 * to nothing (the teardown counts handles and descriptors). */
static void test_close_with_work_in_flight(void **state) {
  fixture *fx = *state;
  tt_fault_opts opts[] = {
    {.kind = TT_FAULT_RESPOND, .banner = "hi\r\n"},
    {.kind = TT_FAULT_ECHO},
    {.kind = TT_FAULT_SLOW, .delay_ms = 10000},
    {.kind = TT_FAULT_LATE, .delay_ms = 10000, .every = 1},
    {.kind = TT_FAULT_FLAP, .period_ms = 10000},
    {.kind = TT_FAULT_REFUSE},
    {.kind = TT_FAULT_RESET},
    {.kind = TT_FAULT_CLOSE},
    {.kind = TT_FAULT_GARBAGE},
    {.kind = TT_FAULT_SILENT},
    {.kind = TT_FAULT_OVERSIZE, .size = 4 * 1024 * 1024},
    {.kind = TT_FAULT_SPLIT, .delay_ms = 10000},
    {.kind = TT_FAULT_STALL},
  };
  enum { N = sizeof(opts) / sizeof(opts[0]) };
  tt_fault *f[N];
  client *c[N];
  for (size_t i = 0; i < N; i++) {
    f[i] = start(fx, opts[i]);
    c[i] = client_new(&fx->loop);
    client_start(c[i], LOCAL, tt_fault_port(f[i]));
  }
  /* Let the connects that can complete do so, and requests arrive. */
  for (int pass = 0; pass < 20; pass++)
    uv_run(&fx->loop, UV_RUN_NOWAIT);
  for (size_t i = 0; i < N; i++)
    if (c[i]->connected && c[i]->connect_status == 0)
      client_sends(c[i], "PING\r\nPING\r\n");
  for (int pass = 0; pass < 20; pass++)
    uv_run(&fx->loop, UV_RUN_NOWAIT);
  for (size_t i = 0; i < N; i++) {
    tt_fault_close(f[i]);
    tt_fault_close(f[i]); /* twice is harmless before the loop runs */
  }
  uv_run(&fx->loop, UV_RUN_NOWAIT);
  for (size_t i = 0; i < N; i++)
    client_close(c[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    T(test_respond_answers_each_request),
    T(test_banner_comes_first),
    T(test_echo_returns_each_request),
    T(test_requests_are_framed_by_request_end),
    T(test_ipv6_loopback_answers),
    T(test_slow_delays_every_reply),
    T(test_late_delays_every_nth_in_order),
    T(test_split_writes_one_byte_at_a_time),
    T(test_split_without_delay_still_answers),
    T(test_oversize_sends_size_bytes_without_end),
    T(test_garbage_holds_escapes_and_nul),
    T(test_silent_reads_but_never_answers),
    T(test_refuse_refuses_and_holds_the_port),
    T(test_reset_resets_after_first_request),
    T(test_close_ends_with_eof_after_first_request),
    T(test_stall_connects_never_complete),
    T(test_unframed_input_is_bounded),
    T(test_pipelined_flood_is_answered_in_full),
    T(test_pause_resets_every_connection),
    T(test_pause_refuses_and_resume_serves_again),
    T(test_pause_after_close_kind_holds_port),
    T(test_flap_alternates),
    T(test_start_rejects_bad_options),
    T(test_start_on_a_busy_port_fails_cleanly),
    T(test_close_with_work_in_flight),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

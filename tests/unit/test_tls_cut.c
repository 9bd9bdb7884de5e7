/* test_tls_cut.c - a TLS handshake that the server cuts short, over real
 * loopback sockets: a server that closes once it has read the ClientHello,
 * one that sends part of its real answer (or a record header promising
 * more) and closes, one that resets. Each is one failed heartbeat of the
 * class and words below, and leaves no handle, descriptor or byte behind
 * (LeakSanitizer in the ASan build). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ssl.h>

#include "harness.h"
#include "support.h"
#include "tlspeer.h"

/* What a peer closing mid-handshake reads as: a failed handshake, class
 * tls, the detail telling a close from a reset. */
#define CLOSED_WORDS "peer closed the connection during the TLS handshake"
#define RESET_WORDS "connection reset by peer during the TLS handshake"

/* How the server cuts the handshake, once the whole ClientHello came. */
typedef enum cut_kind {
  CUT_CLOSE,   /* closes (FIN) */
  CUT_PARTIAL, /* sends the first PARTIAL_BYTES of its real answer, closes */
  CUT_HEADER,  /* sends a handshake record's header alone, closes */
  CUT_RESET    /* resets (SO_LINGER 0) */
} cut_kind;

/* Bytes of the server's real flight sent before the close: the record
 * header and the ServerHello's first 35 bytes (up into its random). */
#define PARTIAL_BYTES 40

/* The cutting server, on the test's loop: one listener, any number of
 * connections (each freed in its close callback). */
typedef struct cutter {
  uv_tcp_t listener;
  cut_kind kind;
  SSL_CTX *server_ctx; /* CUT_PARTIAL: a real server's answer */
  int accepted;
  int hellos;          /* ClientHellos read whole */
  int cut;             /* connections cut */
  int open;            /* handles not yet closed */
} cutter;

typedef struct cut_conn {
  uv_tcp_t tcp;
  cutter *server;
  uv_write_t req;
  size_t got;
  bool done;                 /* it was cut: nothing more is read */
  unsigned char in[16384];   /* the ClientHello */
  unsigned char out[16384];  /* what goes back before the cut */
} cut_conn;

static tt_test_cert ca, leaf;
static char *ca_path;

static int group_setup(void **unused) {
  time_t now = time(NULL);
  tt_test_ca(&ca, "Tether Test CA");
  tt_test_cert_make(&leaf, &ca, "api.internal", "DNS:api.internal",
                    (int64_t)now - 86400, (int64_t)now + 90 * 86400);
  ca_path = tt_test_cert_file(&ca);
  return 0;
}

static int group_teardown(void **unused) {
  unlink(ca_path);
  free(ca_path);
  tt_test_cert_free(&leaf);
  tt_test_cert_free(&ca);
  return 0;
}

static void conn_closed_cb(uv_handle_t *h) {
  cut_conn *c = h->data;
  c->server->open--;
  free(c);
}

static void listener_closed_cb(uv_handle_t *h) {
  ((cutter *)h->data)->open--;
}

static void close_conn(cut_conn *c) {
  if (!uv_is_closing((uv_handle_t *)&c->tcp))
    uv_close((uv_handle_t *)&c->tcp, conn_closed_cb);
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  cut_conn *c = h->data;
  buf->base = (char *)c->in + c->got;
  buf->len = sizeof(c->in) - c->got;
}

static void written_cb(uv_write_t *req, int status) {
  cut_conn *c = req->data;
  assert_int_equal(status, 0);
  close_conn(c);
}

/* The answer of a real TLS 1.3 server to this ClientHello: its whole
 * first flight, of which the caller sends a part. */
static size_t real_answer(cut_conn *c) {
  tt_test_server srv;
  tt_test_server_start(&srv, c->server->server_ctx);
  assert_int_equal(BIO_write(srv.in, c->in, (int)c->got), (int)c->got);
  assert_int_equal(SSL_do_handshake(srv.ssl), -1);
  int n = BIO_read(srv.out, c->out, (int)sizeof(c->out));
  tt_test_server_free(&srv);
  /* A handshake record (22) whose first message is a ServerHello (2). */
  assert_true(n > PARTIAL_BYTES);
  assert_int_equal(c->out[0], 22);
  assert_int_equal(c->out[5], 2);
  return (size_t)n;
}

/* Sends len bytes of c->out, then closes. */
static void send_and_close(cut_conn *c, size_t len) {
  uv_buf_t buf = uv_buf_init((char *)c->out, (unsigned)len);
  c->req.data = c;
  assert_int_equal(uv_write(&c->req, (uv_stream_t *)&c->tcp, &buf, 1,
                            written_cb), 0);
}

static void cut(cut_conn *c) {
  static const unsigned char header[] = {22, 3, 3, 0, 122};
  c->done = true;
  c->server->cut++;
  uv_read_stop((uv_stream_t *)&c->tcp);
  switch (c->server->kind) {
  case CUT_CLOSE:
    close_conn(c);
    break;
  case CUT_PARTIAL:
    real_answer(c);
    send_and_close(c, PARTIAL_BYTES);
    break;
  case CUT_HEADER:
    memcpy(c->out, header, sizeof(header));
    send_and_close(c, sizeof(header));
    break;
  case CUT_RESET:
    assert_int_equal(uv_tcp_close_reset(&c->tcp, conn_closed_cb), 0);
    break;
  }
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  cut_conn *c = s->data;
  if (n < 0) {
    close_conn(c);
    return;
  }
  c->got += (size_t)n;
  /* The whole first record: its header says how long it is. Read to the
   * end, so that a close is a FIN, not a reset for unread bytes. */
  if (c->done || c->got < 5 || c->got < 5 + (size_t)(c->in[3] << 8 | c->in[4]))
    return;
  assert_int_equal(c->in[0], 22); /* handshake */
  assert_int_equal(c->in[5], 1);  /* ClientHello */
  c->server->hellos++;
  cut(c);
}

static void connection_cb(uv_stream_t *l, int status) {
  cutter *server = l->data;
  cut_conn *c = calloc(1, sizeof(*c));
  assert_int_equal(status, 0);
  assert_non_null(c);
  c->server = server;
  assert_int_equal(uv_tcp_init(l->loop, &c->tcp), 0);
  c->tcp.data = c;
  server->open++;
  assert_int_equal(uv_accept(l, (uv_stream_t *)&c->tcp), 0);
  server->accepted++;
  assert_int_equal(uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb),
                   0);
}

static uint16_t cutter_start(uv_loop_t *loop, cutter *server, cut_kind kind) {
  struct sockaddr_in addr;
  struct sockaddr_storage bound;
  int len = sizeof(bound);

  memset(server, 0, sizeof(*server));
  server->kind = kind;
  if (kind == CUT_PARTIAL)
    server->server_ctx = tt_test_server_ctx(&leaf, NULL);
  assert_int_equal(uv_ip4_addr("127.0.0.1", 0, &addr), 0);
  assert_int_equal(uv_tcp_init(loop, &server->listener), 0);
  server->listener.data = server;
  server->open++;
  assert_int_equal(uv_tcp_bind(&server->listener,
                               (const struct sockaddr *)&addr, 0), 0);
  assert_int_equal(uv_listen((uv_stream_t *)&server->listener, 16,
                             connection_cb), 0);
  assert_int_equal(uv_tcp_getsockname(&server->listener,
                                      (struct sockaddr *)&bound, &len), 0);
  return ntohs(((struct sockaddr_in *)&bound)->sin_port);
}

/* Closes the listener (connections close themselves); the harness's
 * teardown runs the loop that finishes it. */
static void cutter_close(cutter *server) {
  uv_close((uv_handle_t *)&server->listener, listener_closed_cb);
}

/* One target, over TLS against a server that cuts every handshake: in
 * connect mode (the tls preset) or persistent (a ping inside TLS). Runs
 * one heartbeat and checks it failed with cls and words, as did the
 * state change it caused; the teardown checks what is left. */
static void expect_cut(cut_kind kind, bool persistent, tt_class cls,
                       const char *words) {
  tt_harness h;
  cutter server;

  tt_h_setup(&h);
  uint16_t port = cutter_start(&h.loop, &server, kind);
  tt_h_config(&h,
              "defaults:\n  interval: 1s\n  timeout: 1s\n"
              "  connect_timeout: 3s\n"
              "  backoff: { initial: 50ms, max: 200ms }\n"
              "  ca_file: \"%s\"\n  server_name: api.internal\n"
              "targets:\n  - address: 127.0.0.1:%u\n%s",
              ca_path, port,
              persistent ? "    tls: true\n    send: \"PING\\n\"\n"
                           "    expect: \"^GNIP$\"\n"
                         : "    preset: tls\n");
  tt_h_run(&h, 1, 10000);

  const tt_rec *hb = tt_h_hb(&h, 0, 0);
  if (hb->cls != cls || strcmp(hb->error, words) != 0)
    fail_msg("heartbeat: %s \"%s\", expected %s \"%s\"",
             tt_class_name(hb->cls), hb->error, tt_class_name(cls), words);
  const tt_rec *change = tt_h_change(&h, 0, 0);
  tt_h_assert_change(change, TT_STATE_CONNECTING, TT_STATE_DOWN, cls);
  assert_string_equal(change->error, words);
  /* The handshake was cut where the test says: after a whole ClientHello,
   * on the one connection the heartbeat made. */
  assert_int_equal(tt_h_count(&h, 0, TT_EVENT_HEARTBEAT), 1);
  assert_int_equal(server.accepted, 1);
  assert_int_equal(server.hellos, 1);
  assert_int_equal(server.cut, 1);

  cutter_close(&server);
  tt_h_teardown(&h);
  assert_int_equal(server.open, 0);
  SSL_CTX_free(server.server_ctx);
}

/* ---- connect mode (the tls preset) ---- */

static void test_closed_after_the_client_hello(void **unused) {
  expect_cut(CUT_CLOSE, false, TT_CLASS_TLS, CLOSED_WORDS);
}

static void test_closed_within_the_server_hello(void **unused) {
  expect_cut(CUT_PARTIAL, false, TT_CLASS_TLS, CLOSED_WORDS);
}

static void test_closed_after_a_record_header(void **unused) {
  expect_cut(CUT_HEADER, false, TT_CLASS_TLS, CLOSED_WORDS);
}

static void test_reset_after_the_client_hello(void **unused) {
  expect_cut(CUT_RESET, false, TT_CLASS_TLS, RESET_WORDS);
}

/* ---- persistent (a ping inside TLS): the same, before any ping ---- */

static void test_persistent_closed_within_the_server_hello(void **unused) {
  expect_cut(CUT_PARTIAL, true, TT_CLASS_TLS, CLOSED_WORDS);
}

static void test_persistent_reset_after_the_client_hello(void **unused) {
  expect_cut(CUT_RESET, true, TT_CLASS_TLS, RESET_WORDS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_closed_after_the_client_hello),
    cmocka_unit_test(test_closed_within_the_server_hello),
    cmocka_unit_test(test_closed_after_a_record_header),
    cmocka_unit_test(test_reset_after_the_client_hello),
    cmocka_unit_test(test_persistent_closed_within_the_server_hello),
    cmocka_unit_test(test_persistent_reset_after_the_client_hello),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

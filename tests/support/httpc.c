/* httpc.c - the test's HTTP client: plain libuv, a growing receive
 * buffer, and a response reader that follows the framing the server
 * chose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include <cmocka.h>

#include "httpc.h"
#include "support.h"

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  tt_httpc *c = h->data;
  if (c->in_cap - c->in_len < 65536) {
    size_t cap = c->in_cap ? c->in_cap * 2 : 65536 * 2;
    while (cap - c->in_len < 65536)
      cap *= 2;
    c->in = realloc(c->in, cap + 1);
    assert_non_null(c->in);
    c->in_cap = cap;
  }
  *buf = uv_buf_init(c->in + c->in_len, 65536);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  tt_httpc *c = s->data;
  if (n < 0) {
    c->eof = true;
    if (n != UV_EOF && c->error == 0)
      c->error = (int)n;
    uv_read_stop(s);
    c->reading = false;
    return;
  }
  c->in_len += (size_t)n;
  c->in[c->in_len] = '\0';
}

static void connect_cb(uv_connect_t *r, int status) {
  tt_httpc *c = r->data;
  if (status < 0) {
    c->error = status;
    c->eof = true;
    return;
  }
  c->connected = true;
  tt_httpc_reading(c, true);
}

static bool connected_or_failed(void *arg) {
  tt_httpc *c = arg;
  return c->connected || c->error != 0;
}

void tt_httpc_connect(uv_loop_t *loop, tt_httpc *c, uint16_t port) {
  struct sockaddr_in sa;
  memset(c, 0, sizeof *c);
  c->loop = loop;
  uv_tcp_init(loop, &c->tcp);
  uv_timer_init(loop, &c->timer);
  c->tcp.data = c->timer.data = c->creq.data = c;
  c->open = 2;
  uv_ip4_addr("127.0.0.1", port, &sa);
  assert_int_equal(uv_tcp_connect(&c->creq, &c->tcp,
                                  (const struct sockaddr *)&sa, connect_cb),
                   0);
  assert_true(tt_test_run_until_fn(loop, connected_or_failed, c, 5000));
  if (!c->connected)
    fail_msg("cannot connect to port %u: %s", port, uv_strerror(c->error));
}

typedef struct wreq {
  uv_write_t w;
  tt_httpc *c;
  char data[];
} wreq;

static void write_cb(uv_write_t *w, int status) {
  wreq *r = (wreq *)w;
  r->c->writes--;
  if (status < 0 && r->c->error == 0)
    r->c->error = status;
  free(r);
}

void tt_httpc_send(tt_httpc *c, const void *data, size_t n) {
  wreq *r = malloc(sizeof *r + n);
  assert_non_null(r);
  r->c = c;
  memcpy(r->data, data, n);
  uv_buf_t b = uv_buf_init(r->data, (unsigned)n);
  if (uv_write(&r->w, (uv_stream_t *)&c->tcp, &b, 1, write_cb) != 0) {
    free(r);
    c->error = UV_EPIPE;
    return;
  }
  c->writes++;
  c->sent += n;
}

void tt_httpc_sends(tt_httpc *c, const char *text) {
  tt_httpc_send(c, text, strlen(text));
}

static void trickle_cb(uv_timer_t *t) {
  tt_httpc *c = t->data;
  if (c->eof || c->trickle_at >= c->trickle_len) {
    uv_timer_stop(t);
    return;
  }
  tt_httpc_send(c, c->trickle + c->trickle_at++, 1);
}

void tt_httpc_trickle(tt_httpc *c, const char *data, size_t n,
                      uint64_t every_ms) {
  free(c->trickle);
  c->trickle = malloc(n);
  assert_non_null(c->trickle);
  memcpy(c->trickle, data, n);
  c->trickle_len = n;
  c->trickle_at = 0;
  uv_timer_start(&c->timer, trickle_cb, 0, every_ms);
}

void tt_httpc_reading(tt_httpc *c, bool on) {
  if (on && !c->reading && !c->eof)
    c->reading = uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) == 0;
  else if (!on && c->reading) {
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = false;
  }
}

/* ---- reading responses ------------------------------------------------- */

static const char *find(const char *p, size_t n, const char *what) {
  size_t k = strlen(what);
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(p + i, what, k) == 0)
      return p + i;
  return NULL;
}

const char *tt_httpc_header(const tt_httpc_resp *r, const char *name,
                            char *buf, size_t n) {
  size_t k = strlen(name);
  for (const char *line = strstr(r->head, "\r\n"); line != NULL;
       line = strstr(line + 2, "\r\n")) {
    const char *p = line + 2;
    if (strncasecmp(p, name, k) == 0 && p[k] == ':') {
      p += k + 1;
      while (*p == ' ')
        p++;
      const char *end = strstr(p, "\r\n");
      size_t len = end ? (size_t)(end - p) : strlen(p);
      snprintf(buf, n, "%.*s", (int)len, p);
      return buf;
    }
  }
  return NULL;
}

/* Reads one response at in[at..]: 1 whole (*used set), 0 not yet, -1
 * malformed. */
static int parse(const tt_httpc *c, size_t at, bool head, tt_httpc_resp *r,
                 size_t *used) {
  const char *p = c->in + at;
  size_t n = c->in_len - at;
  const char *end = find(p, n, "\r\n\r\n");
  char v[64];
  if (end == NULL)
    return 0;
  size_t hlen = (size_t)(end - p) + 4;
  memset(r, 0, sizeof *r);
  r->head = strndup(p, hlen - 2);
  if (sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1)
    return -1;
  const char *te = tt_httpc_header(r, "Transfer-Encoding", v, sizeof v);
  const char *cl = tt_httpc_header(r, "Content-Length", v + 32, 32);
  const char *body = p + hlen;
  size_t avail = n - hlen;
  if (head || r->status == 204 || r->status == 304) {
    r->body = strdup("");
    *used = hlen;
    return 1;
  }
  if (te != NULL && strcasecmp(te, "chunked") == 0) {
    size_t off = 0, len = 0;
    char *out = malloc(avail + 1);
    r->chunked = true;
    for (;;) {
      const char *nl = find(body + off, avail - off, "\r\n");
      if (nl == NULL) {
        free(out);
        return 0;
      }
      size_t size = strtoul(body + off, NULL, 16);
      off = (size_t)(nl - body) + 2;
      if (size == 0) {
        if (avail - off < 2) {
          free(out);
          return 0;
        }
        off += 2; /* no trailers from tether */
        break;
      }
      if (avail - off < size + 2) {
        free(out);
        return 0;
      }
      memcpy(out + len, body + off, size);
      len += size;
      off += size + 2;
    }
    out[len] = '\0';
    r->body = out;
    r->body_len = len;
    *used = hlen + off;
    return 1;
  }
  if (cl != NULL) {
    size_t len = strtoul(cl, NULL, 10);
    if (avail < len)
      return 0;
    r->body = strndup(body, len);
    r->body_len = len;
    *used = hlen + len;
    return 1;
  }
  /* Up to the close. */
  if (!c->eof)
    return 0;
  r->body = strndup(body, avail);
  r->body_len = avail;
  *used = n;
  return 1;
}

typedef struct waiting {
  tt_httpc *c;
  bool head;
  tt_httpc_resp *r;
  int got;
} waiting;

static bool response_in(void *arg) {
  waiting *w = arg;
  size_t used = 0;
  if (w->got != 0)
    return true;
  int k = parse(w->c, w->c->parsed, w->head, w->r, &used);
  if (k == 1) {
    w->c->parsed += used;
    w->got = 1;
    return true;
  }
  if (k == 0)
    tt_httpc_resp_free(w->r);
  if (k < 0) {
    w->got = -2;
    return true;
  }
  if (w->c->eof) {
    w->got = 2;
    return true;
  }
  return false;
}

int tt_httpc_response(tt_httpc *c, bool head, tt_httpc_resp *out,
                      uint64_t timeout_ms) {
  waiting w = { c, head, out, 0 };
  memset(out, 0, sizeof *out);
  if (!tt_test_run_until_fn(c->loop, response_in, &w, timeout_ms))
    return -1;
  if (w.got == -2)
    fail_msg("malformed response: %.300s", c->in + c->parsed);
  return w.got == 1 ? 1 : 0;
}

static bool closed(void *arg) {
  return ((tt_httpc *)arg)->eof;
}

bool tt_httpc_wait_closed(tt_httpc *c, uint64_t timeout_ms) {
  tt_httpc_reading(c, true);
  return tt_test_run_until_fn(c->loop, closed, c, timeout_ms);
}

int tt_httpc_gunzip(tt_httpc_resp *r) {
  z_stream z;
  size_t cap = r->body_len * 8 + 1024, len = 0;
  char *out = malloc(cap + 1);
  memset(&z, 0, sizeof z);
  if (out == NULL || inflateInit2(&z, 15 + 16) != Z_OK) {
    free(out);
    return -1;
  }
  z.next_in = (Bytef *)r->body;
  z.avail_in = (uInt)r->body_len;
  int k;
  do {
    if (cap - len < 65536) {
      cap *= 2;
      out = realloc(out, cap + 1);
    }
    z.next_out = (Bytef *)out + len;
    z.avail_out = (uInt)(cap - len);
    k = inflate(&z, Z_NO_FLUSH);
    len = cap - z.avail_out;
  } while (k == Z_OK);
  inflateEnd(&z);
  if (k != Z_STREAM_END) {
    free(out);
    return -1;
  }
  out[len] = '\0';
  free(r->body);
  r->body = out;
  r->body_len = len;
  return 0;
}

void tt_httpc_resp_free(tt_httpc_resp *r) {
  free(r->head);
  free(r->body);
  memset(r, 0, sizeof *r);
}

static void closed_cb(uv_handle_t *h) {
  tt_httpc *c = h->data;
  if (--c->open == 0) {
    free(c->in);
    free(c->trickle);
    c->in = c->trickle = NULL;
  }
}

void tt_httpc_close(tt_httpc *c) {
  if (!uv_is_closing((uv_handle_t *)&c->tcp))
    uv_close((uv_handle_t *)&c->tcp, closed_cb);
  if (!uv_is_closing((uv_handle_t *)&c->timer))
    uv_close((uv_handle_t *)&c->timer, closed_cb);
}

int tt_httpc_get(uv_loop_t *loop, uint16_t port, const char *request,
                 tt_httpc_resp *out) {
  tt_httpc c;
  tt_httpc_resp r;
  tt_httpc_connect(loop, &c, port);
  tt_httpc_sends(&c, request);
  bool head = strncmp(request, "HEAD ", 5) == 0;
  if (tt_httpc_response(&c, head, &r, 10000) != 1)
    fail_msg("no response to %.80s", request);
  tt_httpc_close(&c);
  while (c.open > 0)
    uv_run(loop, UV_RUN_ONCE);
  int status = r.status;
  if (out != NULL)
    *out = r;
  else
    tt_httpc_resp_free(&r);
  return status;
}

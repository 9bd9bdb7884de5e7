/* httpd_reply.c - writes the responder's answers: status line and headers,
 * then a made body a slice at a time, chunked and gzipped as asked. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "httpd_conn.h"

/* Room kept before a slice for its chunk size line ("ffffffff\r\n"). */
#define CHUNK_HEAD 10

/* ---- writing ---------------------------------------------------------- */

static void write_cb(uv_write_t *w, int status);

static void write_out(conn *c, const char *p, size_t n) {
  uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
  tt_httpd_note_held(c->h);
  int r = uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, write_cb);
  if (r < 0)
    tt_httpd_conn_close(c);
}

/* Compresses raw into out after its CHUNK_HEAD; flushed at every slice,
 * so that every slice yields bytes to send (a few bytes' cost). */
static int deflate_slice(conn *c, bool last) {
  c->z.next_in = (Bytef *)c->raw.p;
  c->z.avail_in = (uInt)c->raw.len;
  do {
    char *room = tt_bytes_room(&c->out, 16 * 1024);
    if (room == NULL)
      return -1;
    c->z.next_out = (Bytef *)room;
    c->z.avail_out = 16 * 1024;
    int r = deflate(&c->z, last ? Z_FINISH : Z_SYNC_FLUSH);
    if (r == Z_STREAM_ERROR)
      return -1;
    c->out.len += 16 * 1024 - c->z.avail_out;
  } while (c->z.avail_out == 0);
  return 0;
}

static void make_slice(conn *c);

/* The CPU time of the loop's thread: what making a slice costs, without
 * the time others' processes took the CPU meanwhile. */
static uint64_t thread_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Makes the next slice of the body and writes it, timed: how long a
 * slice holds the loop is what a scrape costs the heartbeats. */
static void write_slice(conn *c) {
  tt_httpd *h = c->h;
  uint64_t t0 = thread_ns();
  make_slice(c);
  uint64_t ns = thread_ns() - t0;
  h->st.slices++;
  h->st.slice_ns += ns;
  if (ns > h->st.slice_ns_max)
    h->st.slice_ns_max = ns;
}

/* Makes the next slice of the body and writes it, as a chunk when the
 * response is chunked. */
static void make_slice(conn *c) {
  tt_httpd *h = c->h;
  size_t head = c->chunked ? CHUNK_HEAD : 0;
  c->out.len = 0;
  if (tt_bytes_room(&c->out, head) == NULL) {
    tt_httpd_conn_close(c);
    return;
  }
  c->out.len = head;
  if (c->gzip) {
    c->raw.len = 0;
    c->more = c->body.next(c->body.state, &c->raw, h->o.slice);
    if (c->raw.oom || deflate_slice(c, !c->more) != 0) {
      tt_httpd_conn_close(c);
      return;
    }
  } else {
    c->more = c->body.next(c->body.state, &c->out, h->o.slice);
  }
  if (c->out.oom) {
    tt_httpd_conn_close(c);
    return;
  }
  size_t data = c->out.len - head, from = 0;
  if (c->chunked) {
    char line[CHUNK_HEAD + 1];
    int n = snprintf(line, sizeof line, "%zx\r\n", data);
    from = head - (size_t)n;
    memcpy(c->out.p + from, line, (size_t)n);
    if (data > 0)
      tt_bytes_put(&c->out, "\r\n", 2);
    else
      from = c->out.len; /* an empty chunk would end the body */
    if (!c->more)
      tt_bytes_put(&c->out, "0\r\n\r\n", 5);
  }
  if (c->out.len == from) {
    /* Nothing to send yet (an empty slice): the next one, on the next
     * write callback, costs nothing to wait for. */
    if (c->more) {
      write_out(c, "", 0);
      return;
    }
  }
  write_out(c, c->out.p + from, c->out.len - from);
}

static void write_cb(uv_write_t *w, int status) {
  conn *c = w->data;
  if (c->phase == P_CLOSING)
    return;
  if (status < 0) {
    tt_httpd_conn_close(c);
    return;
  }
  if (c->more)
    write_slice(c);
  else
    tt_httpd_finish(c);
}

void tt_httpd_end_body(conn *c) {
  if (c->body.done != NULL)
    c->body.done(c->body.state);
  memset(&c->body, 0, sizeof c->body);
  c->more = false;
  if (c->z_on) {
    deflateEnd(&c->z);
    c->z_on = false;
  }
}

/* ---- answering --------------------------------------------------------- */

static const char *reason(int status) {
  switch (status) {
  case 200: return "OK";
  case 400: return "Bad Request";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 431: return "Request Header Fields Too Large";
  case 500: return "Internal Server Error";
  case 503: return "Service Unavailable";
  case 505: return "HTTP Version Not Supported";
  default: return "Unknown";
  }
}

/* "Tue, 25 Nov 2026 10:04:05 GMT", whatever the locale. */
static void http_date(char *buf, size_t n) {
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                     "Thu", "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
           tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
           tm.tm_min, tm.tm_sec);
}

/* Starts writing resp to the request r (the connection stops reading
 * until it is written). */
void tt_httpd_respond(conn *c, const tt_http_head *r, tt_http_resp *resp) {
  tt_httpd *h = c->h;
  char date[40];
  bool made = resp->text == NULL && resp->body.next != NULL;

  c->keep_alive = r->keep_alive && !r->has_body && !h->closing &&
                  (!made || r->minor >= 1);
  c->chunked = made && r->minor >= 1;
  c->gzip = made && r->gzip && h->o.gzip && !r->req.head;
  c->body = resp->body;
  c->more = made && !r->req.head;
  h->st.requests++;

  if (c->gzip) {
    memset(&c->z, 0, sizeof c->z);
    if (deflateInit2(&c->z, 1, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      c->gzip = false;
    } else {
      c->z_on = true;
    }
  }

  http_date(date, sizeof date);
  c->out.len = 0;
  tt_bytes_printf(&c->out, "HTTP/1.1 %d %s\r\nDate: %s\r\n", resp->status,
                  reason(resp->status), date);
  tt_bytes_printf(&c->out, "Content-Type: %s\r\n",
                  resp->content_type ? resp->content_type
                                     : "text/plain; charset=utf-8");
  if (resp->allow != NULL)
    tt_bytes_printf(&c->out, "Allow: %s\r\n", resp->allow);
  if (!made)
    tt_bytes_printf(&c->out, "Content-Length: %zu\r\n",
                    resp->text ? strlen(resp->text) : 0);
  else if (c->chunked)
    tt_bytes_puts(&c->out, "Transfer-Encoding: chunked\r\n");
  if (made && h->o.gzip)
    tt_bytes_puts(&c->out, "Vary: Accept-Encoding\r\n");
  if (c->gzip)
    tt_bytes_puts(&c->out, "Content-Encoding: gzip\r\n");
  tt_bytes_printf(&c->out, "Connection: %s\r\n\r\n",
                  c->keep_alive ? "keep-alive" : "close");
  if (!made && resp->text != NULL && !r->req.head)
    tt_bytes_puts(&c->out, resp->text);
  if (made && r->req.head)
    tt_httpd_end_body(c);
  if (c->out.oom) {
    tt_httpd_conn_close(c);
    return;
  }

  c->phase = P_WRITING;
  uv_read_stop((uv_stream_t *)&c->tcp);
  tt_httpd_deadline(c, h->o.write_timeout_ms);
  write_out(c, c->out.p, c->out.len);
}

/* httpd_head.h - reading an HTTP/1.1 request head: where it ends and what
 * it asks for. Pure (bytes in, a request out), so tests need no socket. */
#ifndef TETHER_HTTPD_HEAD_H
#define TETHER_HTTPD_HEAD_H

#include <stdbool.h>
#include <stddef.h>

#include "httpd.h"

/* What the request asked for, read from its head. */
typedef struct tt_http_head {
  tt_http_req req;
  int minor;          /* HTTP/1.minor */
  bool keep_alive;
  bool gzip;
  bool has_body;      /* Content-Length > 0 or Transfer-Encoding */
  int error;          /* a status for a head that cannot be served */
} tt_http_head;

/* Where the head in in[0..n) ends (just past its empty line), or 0. */
size_t tt_http_head_end(const char *in, size_t n);

/* Reads the head in[0..n) (which ends with an empty line: n is what
 * tt_http_head_end found). */
void tt_http_head_parse(const char *in, size_t n, tt_http_head *r);

#endif

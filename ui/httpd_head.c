/* httpd_head.c - reads a request head: its request line and the headers
 * the responder heeds, refusing what RFC 9112 says must be refused. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "httpd_head.h"

static bool tchar(char ch) {
  unsigned char u = (unsigned char)ch;
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
         (u >= '0' && u <= '9') || strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static bool same(const char *p, size_t n, const char *word) {
  return strlen(word) == n && strncasecmp(p, word, n) == 0;
}

/* Calls fn for each comma-separated element of a header value, trimmed,
 * with the parameters after ';' apart. */
static void each_token(const char *v, size_t n,
                       void (*fn)(const char *t, size_t tn, const char *par,
                                  size_t pn, tt_http_head *r),
                       tt_http_head *r) {
  size_t i = 0;
  while (i < n) {
    size_t end = i, semi;
    while (end < n && v[end] != ',')
      end++;
    for (semi = i; semi < end && v[semi] != ';'; semi++)
      ;
    size_t a = i, b = semi;
    while (a < b && (v[a] == ' ' || v[a] == '\t'))
      a++;
    while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
      b--;
    fn(v + a, b - a, v + semi, end - semi, r);
    i = end + 1;
  }
}

static void connection_token(const char *t, size_t n, const char *par,
                             size_t pn, tt_http_head *r) {
  if (same(t, n, "close"))
    r->keep_alive = false;
  else if (same(t, n, "keep-alive") && r->minor == 0)
    r->keep_alive = true;
}

/* gzip, unless its weight is 0 ("gzip;q=0", "gzip; q=0.000"). */
static void encoding_token(const char *t, size_t n, const char *par,
                           size_t pn, tt_http_head *r) {
  if (!same(t, n, "gzip") && !same(t, n, "x-gzip"))
    return;
  const char *q = NULL;
  for (size_t i = 0; i + 1 < pn; i++)
    if ((par[i] == 'q' || par[i] == 'Q') && par[i + 1] == '=')
      q = par + i + 2;
  if (q != NULL && q[0] == '0') {
    const char *p = q + 1;
    if (*p == '.')
      for (p++; *p == '0'; p++)
        ;
    if (p >= par + pn || *p == ',' || *p == ' ' || *p == ';' ||
        *p == '\t')
      return; /* q=0 */
  }
  r->gzip = true;
}

/* Reads one header line; returns false when the head is malformed. */
static bool header(const char *p, size_t n, tt_http_head *r, int *hosts) {
  size_t colon = 0;
  while (colon < n && tchar(p[colon]))
    colon++;
  if (colon == 0 || colon == n || p[colon] != ':')
    return false;
  const char *v = p + colon + 1;
  size_t vn = n - colon - 1;
  while (vn > 0 && (*v == ' ' || *v == '\t'))
    v++, vn--;
  while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
    vn--;
  for (size_t i = 0; i < vn; i++)
    if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
      return false;
  if (same(p, colon, "host")) {
    (*hosts)++;
  } else if (same(p, colon, "connection")) {
    each_token(v, vn, connection_token, r);
  } else if (same(p, colon, "accept-encoding")) {
    each_token(v, vn, encoding_token, r);
  } else if (same(p, colon, "transfer-encoding")) {
    r->has_body = true;
  } else if (same(p, colon, "content-length")) {
    if (vn == 0)
      return false;
    for (size_t i = 0; i < vn; i++)
      if (v[i] < '0' || v[i] > '9')
        return false;
    for (size_t i = 0; i < vn; i++)
      if (v[i] != '0')
        r->has_body = true;
  }
  return true;
}

/* The length of the line at p (its '\n' excluded, a '\r' before it too),
 * within n bytes; *next is where the following line starts. */
static size_t line_len(const char *p, size_t n, size_t *next) {
  const char *nl = memchr(p, '\n', n);
  size_t len = (size_t)(nl - p);
  *next = len + 1;
  if (len > 0 && p[len - 1] == '\r')
    len--;
  return len;
}

/* Reads the head in[0..n) (which ends with an empty line). */
void tt_http_head_parse(const char *in, size_t n, tt_http_head *r) {
  size_t at = 0, next, len;
  int hosts = 0;

  memset(r, 0, sizeof *r);
  /* Empty lines before a request line are allowed (RFC 9112, 2.2). */
  while ((len = line_len(in + at, n - at, &next)) == 0 && at + next < n)
    at += next;
  const char *p = in + at, *sp1, *sp2;
  sp1 = memchr(p, ' ', len);
  sp2 = sp1 ? memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - p)) : NULL;
  if (sp1 == NULL || sp2 == NULL || sp1 == p) {
    r->error = 400;
    return;
  }
  r->req.method = p;
  r->req.method_len = (size_t)(sp1 - p);
  for (size_t i = 0; i < r->req.method_len; i++)
    if (!tchar(p[i]))
      r->error = 400;
  const char *target = sp1 + 1;
  size_t tlen = (size_t)(sp2 - target);
  const char *version = sp2 + 1;
  size_t vlen = len - (size_t)(version - p);
  if (vlen == 8 && memcmp(version, "HTTP/1.", 7) == 0 &&
      (version[7] == '0' || version[7] == '1'))
    r->minor = version[7] - '0';
  else if (vlen >= 5 && memcmp(version, "HTTP/", 5) == 0)
    r->error = 505;
  else
    r->error = 400;
  if (tlen == 0 || target[0] != '/')
    r->error = r->error ? r->error : 400;
  for (size_t i = 0; i < tlen; i++)
    if ((unsigned char)target[i] <= ' ' || (unsigned char)target[i] >= 0x7f)
      r->error = r->error ? r->error : 400;
  if (r->error != 0)
    return;
  const char *q = memchr(target, '?', tlen);
  r->req.path = target;
  r->req.path_len = q ? (size_t)(q - target) : tlen;
  if (q != NULL) {
    r->req.query = q + 1;
    r->req.query_len = tlen - r->req.path_len - 1;
  }
  /* Methods are case-sensitive (RFC 9110, 9.1). */
  r->req.head = r->req.method_len == 4 && memcmp(r->req.method, "HEAD", 4) == 0;
  r->keep_alive = r->minor >= 1;

  for (at += next; at < n;) {
    len = line_len(in + at, n - at, &next);
    if (len == 0)
      break;
    /* A folded line (obsolete) or a bad header: refused (RFC 9112, 5.2). */
    if (in[at] == ' ' || in[at] == '\t' || !header(in + at, len, r, &hosts)) {
      r->error = 400;
      return;
    }
    at += next;
  }
  if (hosts > 1 || (r->minor >= 1 && hosts == 0))
    r->error = 400;
}

/* Where the head in in[0..n) ends (just past its empty line), or 0. */
size_t tt_http_head_end(const char *in, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (in[i] != '\n')
      continue;
    if (i + 1 < n && in[i + 1] == '\n')
      return i + 2;
    if (i + 2 < n && in[i + 1] == '\r' && in[i + 2] == '\n')
      return i + 3;
  }
  return 0;
}

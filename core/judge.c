/* judge.c - reading the status a protocol carries: an HTTP status line
 * against the target's accepted codes, SMTP reply codes, redis and POP3
 * errors, IMAP's BYE, PostgreSQL's and MySQL's first answers. */
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "judge.h"

#define QUOTE_MAX 100 /* bytes of a status line quoted in a detail */

/* What a target of an HTTP preset accepts when nothing was loaded (the
 * loader always gives one: this is for targets made by hand). */
static const tt_status_range default_status = { 200, 399 };

/* The first line of a reply, escaped for people. */
static const char *first_line(char *buf, size_t n, const char *reply,
                              size_t len) {
  size_t k = 0;
  while (k < len && k < QUOTE_MAX && reply[k] != '\r' && reply[k] != '\n')
    k++;
  tt_escape(buf, n, reply, k, TT_ESC_ASCII);
  return buf;
}

static bool status_ok(const tt_target *t, unsigned code) {
  const tt_status_range *r = t->nstatus ? t->status : &default_status;
  size_t nr = t->nstatus ? t->nstatus : 1;
  for (size_t i = 0; i < nr; i++)
    if (code >= r[i].lo && code <= r[i].hi)
      return true;
  return false;
}

void tt_judge_status_list(const tt_target *t, char *buf, size_t n) {
  const tt_status_range *r = t->nstatus ? t->status : &default_status;
  size_t nr = t->nstatus ? t->nstatus : 1, used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < nr && used < n; i++) {
    int w = r[i].lo == r[i].hi
              ? snprintf(buf + used, n - used, "%s%u", i ? ", " : "",
                         (unsigned)r[i].lo)
              : snprintf(buf + used, n - used, "%s%u-%u", i ? ", " : "",
                         (unsigned)r[i].lo, (unsigned)r[i].hi);
    if (w < 0)
      break;
    used += (size_t)w;
  }
}

static bool digit(char c) {
  return c >= '0' && c <= '9';
}

/* "HTTP/1.1 503 Service Unavailable" */
static tt_class judge_http(const tt_target *t, const char *r, size_t n,
                           char *detail, size_t dn) {
  char line[4 * QUOTE_MAX + 8], list[96];
  first_line(line, sizeof line, r, n);
  if (n < 12 || memcmp(r, "HTTP/", 5) != 0 || r[8] != ' ' || !digit(r[9]) ||
      !digit(r[10]) || !digit(r[11])) {
    snprintf(detail, dn, "not an HTTP status line: %s", line);
    return TT_CLASS_PROTOCOL;
  }
  unsigned code = (unsigned)((r[9] - '0') * 100 + (r[10] - '0') * 10 +
                             (r[11] - '0'));
  if (status_ok(t, code))
    return TT_CLASS_OK;
  tt_judge_status_list(t, list, sizeof list);
  snprintf(detail, dn, "%s (accepted: %s)", line, list);
  return TT_CLASS_UNHEALTHY;
}

/* An answer that starts with bad (e.g. "-" for redis) is unhealthy. */
static tt_class judge_prefix(const char *bad, const char *r, size_t n,
                             char *detail, size_t dn) {
  size_t k = strlen(bad);
  if (n < k || memcmp(r, bad, k) != 0)
    return TT_CLASS_OK;
  first_line(detail, dn, r, n);
  return TT_CLASS_UNHEALTHY;
}

/* SMTP reply codes: 2xx and 3xx are well, 4xx and 5xx are not. */
static tt_class judge_smtp(const char *r, size_t n, char *detail, size_t dn) {
  if (n >= 1 && (r[0] == '4' || r[0] == '5')) {
    first_line(detail, dn, r, n);
    return TT_CLASS_UNHEALTHY;
  }
  return TT_CLASS_OK;
}

/* The answer to an SSLRequest is one byte: S (TLS offered) or N (not);
 * an E starts an error message (a server that is not ready). */
static tt_class judge_postgres(const char *r, size_t n, char *detail,
                               size_t dn) {
  char esc[8];
  if (n >= 1 && (r[0] == 'S' || r[0] == 'N'))
    return TT_CLASS_OK;
  if (n >= 1 && r[0] == 'E') {
    snprintf(detail, dn, "the server answered with an error message");
    return TT_CLASS_UNHEALTHY;
  }
  tt_escape(esc, sizeof esc, r, n ? 1 : 0, TT_ESC_ASCII);
  snprintf(detail, dn, "not a PostgreSQL answer to SSLRequest: %s", esc);
  return TT_CLASS_PROTOCOL;
}

/* A MySQL packet: 3 bytes of length, a sequence number (0 for the first),
 * then the payload, whose first byte is the protocol version (10) of a
 * greeting, or 0xff for an error packet (too many connections, host
 * blocked) sent instead of one. */
static tt_class judge_mysql(const char *r, size_t n, char *detail,
                            size_t dn) {
  char esc[40];
  if (n >= 5 && r[3] == 0 && (unsigned char)r[4] == 10)
    return TT_CLASS_OK;
  if (n >= 5 && r[3] == 0 && (unsigned char)r[4] == 0xff) {
    snprintf(detail, dn, "the server sent an error packet instead of its "
                         "greeting (too many connections? host blocked?)");
    return TT_CLASS_UNHEALTHY;
  }
  tt_escape(esc, sizeof esc, r, n < 5 ? n : 5, TT_ESC_ASCII);
  snprintf(detail, dn, "not a MySQL greeting (protocol 10): %s", esc);
  return TT_CLASS_PROTOCOL;
}

tt_class tt_judge_reply(const tt_target *t, const char *reply, size_t n,
                        char *detail, size_t dn) {
  switch (t->preset != NULL ? t->preset->judge : TT_JUDGE_NONE) {
  case TT_JUDGE_HTTP: return judge_http(t, reply, n, detail, dn);
  case TT_JUDGE_SMTP: return judge_smtp(reply, n, detail, dn);
  case TT_JUDGE_REDIS: return judge_prefix("-", reply, n, detail, dn);
  case TT_JUDGE_POP3: return judge_prefix("-ERR", reply, n, detail, dn);
  case TT_JUDGE_IMAP: return judge_prefix("* BYE", reply, n, detail, dn);
  case TT_JUDGE_POSTGRES: return judge_postgres(reply, n, detail, dn);
  case TT_JUDGE_MYSQL: return judge_mysql(reply, n, detail, dn);
  case TT_JUDGE_NONE:
  default:
    return TT_CLASS_OK;
  }
}

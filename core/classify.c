/* classify.c - one table from libuv and OS errors to tether's error
 * classes and the words an on-call engineer reads in the ERR column. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <uv.h>

#include "classify.h"
#include "escape.h"

#define IN(phase) (1u << (phase))
#define ANY_PHASE (IN(TT_PHASE_RESOLVE) | IN(TT_PHASE_CONNECT) | \
                   IN(TT_PHASE_WRITE) | IN(TT_PHASE_READ))

typedef struct tt_rule {
  int status;
  unsigned phases;    /* the phases it applies in */
  tt_class cls;
  const char *detail; /* NULL: libuv's own words */
  bool local;         /* the local machine's fault, not the target's */
} tt_rule;

/* The first row matching both status and phase wins, so a phase-specific
 * row goes before the row for the same status in every phase. */
static const tt_rule rules[] = {
  {UV_ECONNREFUSED, ANY_PHASE, TT_CLASS_REFUSED, "connection refused", false},

  {UV_ENETUNREACH, ANY_PHASE, TT_CLASS_UNREACHABLE, "network unreachable", false},
  {UV_EHOSTUNREACH, ANY_PHASE, TT_CLASS_UNREACHABLE, "no route to host", false},
  {UV_ENETDOWN, ANY_PHASE, TT_CLASS_UNREACHABLE, "network is down", false},
  {UV_EHOSTDOWN, ANY_PHASE, TT_CLASS_UNREACHABLE, "host is down", false},
  /* connect() fails with these when a firewall rule or a prohibit route
   * rejects the packet locally; elsewhere they mean something else. */
  {UV_EACCES, IN(TT_PHASE_CONNECT), TT_CLASS_UNREACHABLE,
   "connection not permitted (prohibited route or firewall)", false},
  {UV_EPERM, IN(TT_PHASE_CONNECT), TT_CLASS_UNREACHABLE,
   "connection not permitted (prohibited route or firewall)", false},

  {UV_ECONNRESET, ANY_PHASE, TT_CLASS_RESET, "connection reset by peer", false},
  {UV_EPIPE, ANY_PHASE, TT_CLASS_RESET,
   "broken pipe (the peer reset the connection)", false},
  {UV_ECONNABORTED, ANY_PHASE, TT_CLASS_RESET, "connection aborted", false},

  {UV_EOF, ANY_PHASE, TT_CLASS_EOF, "peer closed the connection", false},

  /* The kernel gave up: on SYN retries while connecting, on data
   * retransmissions once connected. A resolver timing out is a name that
   * did not resolve. */
  {UV_ETIMEDOUT, IN(TT_PHASE_CONNECT), TT_CLASS_CONNECT_TIMEOUT,
   "connection timed out (kernel)", false},
  {UV_ETIMEDOUT, IN(TT_PHASE_RESOLVE), TT_CLASS_DNS,
   "name resolution timed out", false},
  {UV_ETIMEDOUT, ANY_PHASE, TT_CLASS_TIMEOUT,
   "connection timed out (kernel retransmissions)", false},

  {UV_EAI_NONAME, ANY_PHASE, TT_CLASS_DNS, "name not found", false},
  {UV_EAI_AGAIN, ANY_PHASE, TT_CLASS_DNS,
   "temporary failure in name resolution", false},
  {UV_EAI_FAIL, ANY_PHASE, TT_CLASS_DNS, "name server failure", false},
  {UV_EAI_NODATA, ANY_PHASE, TT_CLASS_DNS, "name has no address", false},
  {UV_EAI_ADDRFAMILY, ANY_PHASE, TT_CLASS_DNS,
   "name has no address in this family", false},
  {UV_EAI_BADFLAGS, ANY_PHASE, TT_CLASS_DNS, NULL, false},
  {UV_EAI_BADHINTS, ANY_PHASE, TT_CLASS_DNS, NULL, false},
  {UV_EAI_CANCELED, ANY_PHASE, TT_CLASS_DNS, NULL, false},
  {UV_EAI_FAMILY, ANY_PHASE, TT_CLASS_DNS, NULL, false},
  {UV_EAI_MEMORY, ANY_PHASE, TT_CLASS_DNS, NULL, false},
  {UV_EAI_OVERFLOW, ANY_PHASE, TT_CLASS_DNS, NULL, false},
  {UV_EAI_PROTOCOL, ANY_PHASE, TT_CLASS_DNS, NULL, false},
  {UV_EAI_SERVICE, ANY_PHASE, TT_CLASS_DNS, NULL, false},
  {UV_EAI_SOCKTYPE, ANY_PHASE, TT_CLASS_DNS, NULL, false},

  {UV_EMFILE, ANY_PHASE, TT_CLASS_ERROR, "out of file descriptors", true},
  {UV_ENFILE, ANY_PHASE, TT_CLASS_ERROR,
   "the system is out of file descriptors", true},
  {UV_EADDRNOTAVAIL, ANY_PHASE, TT_CLASS_ERROR,
   "no free local address or port", true},
  {UV_EADDRINUSE, ANY_PHASE, TT_CLASS_ERROR, "local address in use", true},
  {UV_ENOBUFS, ANY_PHASE, TT_CLASS_ERROR, "out of socket buffers", true},
  {UV_ENOMEM, ANY_PHASE, TT_CLASS_ERROR, "out of memory", true},
};

static const tt_rule *rule_for(int status, unsigned phases) {
  for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
    if (rules[i].status == status && (rules[i].phases & phases) != 0)
      return &rules[i];
  return NULL;
}

tt_class tt_classify(int status, tt_phase phase, char *detail, size_t n) {
  char what[128], name[64];
  const tt_rule *r;
  tt_class cls;

  if (status == 0) {
    if (detail != NULL && n > 0)
      detail[0] = '\0';
    return TT_CLASS_OK;
  }
  r = rule_for(status, (unsigned)phase <= TT_PHASE_READ ? IN(phase) : 0);
  cls = r != NULL ? r->cls : TT_CLASS_ERROR;
  if (detail == NULL || n == 0)
    return cls;

  if (r != NULL && r->detail != NULL) {
    snprintf(detail, n, "%s%s", r->detail,
             r->local ? " (a local fault, not the target's)" : "");
  } else if (r != NULL) {
    snprintf(detail, n, "%s", uv_strerror_r(status, what, sizeof(what)));
  } else {
    /* The _r forms: uv_strerror() allocates for codes it does not know. */
    uv_strerror_r(status, what, sizeof(what));
    uv_err_name_r(status, name, sizeof(name));
    if (strcmp(what, name) == 0) /* both say "Unknown system error N" */
      snprintf(detail, n, "%s", what);
    else
      snprintf(detail, n, "%s (%s)", what, name);
  }
  return cls;
}

tt_class tt_classify_deadline(tt_phase phase, uint64_t ms, char *detail,
                              size_t n) {
  const char *what;
  tt_class cls;

  switch (phase) {
  case TT_PHASE_RESOLVE:
    cls = TT_CLASS_DNS;
    what = "name not resolved";
    break;
  case TT_PHASE_CONNECT:
    cls = TT_CLASS_CONNECT_TIMEOUT;
    what = "no connection";
    break;
  case TT_PHASE_WRITE:
    cls = TT_CLASS_WRITE_TIMEOUT;
    what = "ping not written";
    break;
  case TT_PHASE_READ:
  default:
    cls = TT_CLASS_TIMEOUT;
    what = "no reply";
    break;
  }
  if (detail != NULL && n > 0)
    snprintf(detail, n, "%s within %" PRIu64 " ms", what, ms);
  return cls;
}

int tt_classify_is_local(int status) {
  const tt_rule *r = rule_for(status, ANY_PHASE);
  return r != NULL && r->local;
}

void tt_classify_mismatch(char *detail, size_t n, const char *what,
                          const char *re, const char *data, size_t len) {
  char esc_re[64];
  tt_escape(esc_re, sizeof esc_re, re, strlen(re), TT_ESC_KEEP_BACKSLASH);
  int k = snprintf(detail, n, "%s did not match %s: ", what, esc_re);
  if (k < 0 || (size_t)k >= n)
    return;
  tt_escape(detail + k, n - (size_t)k, data, len, TT_ESC_ASCII);
}

/* tls_probe.c - core/tls over a plain socket, for the scripts that test it
 * against real servers (openssl s_server, nginx):
 *
 *   tls_probe [--ca FILE] [--name NAME] [--insecure] [--tls1.2]
 *             [--send TEXT] IP PORT
 *
 * Connects to IP:PORT, runs the handshake with server_name NAME (default
 * IP), prints what it learnt as "key: value" lines, then sends
 * close_notify and closes:
 *
 *   result: ok | tls | eof | reset | error
 *   failure: cert | alert | not_tls | protocol | nomem    (result tls)
 *   detail: the words for people                         (result tls)
 *   version, cipher, subject, issuer, sans, nsans, not_after (RFC 3339),
 *   days_left, trusted (yes/no), judged (yes/no), verdict
 *                                (whenever a certificate came)
 *   reply: the first line of the answer to TEXT (escapes \r \n \t \\ read
 *          in TEXT; the line is shown escaped)
 *
 * --ca FILE trusts the CAs in FILE instead of the system's; --tls1.2 caps
 * the client at TLS 1.2. Every wait has a 5 s deadline. Exits 0 when the
 * result is ok, 1 when it is not, 2 for bad usage. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "escape.h"
#include "tls.h"

#define DEADLINE_MS 5000

static const char *failure_names[] = {
  [TT_TLS_FAIL_NONE] = "none",         [TT_TLS_FAIL_CERT] = "cert",
  [TT_TLS_FAIL_ALERT] = "alert",       [TT_TLS_FAIL_NOT_TLS] = "not_tls",
  [TT_TLS_FAIL_PROTOCOL] = "protocol", [TT_TLS_FAIL_NOMEM] = "nomem",
};

static int usage(void) {
  fprintf(stderr, "usage: tls_probe [--ca FILE] [--name NAME] [--insecure] "
                  "[--tls1.2] [--send TEXT] IP PORT\n");
  return 2;
}

static int connect_to(const char *ip, const char *port) {
  struct sockaddr_storage ss;
  struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
  socklen_t len;
  int fd;

  memset(&ss, 0, sizeof(ss));
  if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)atoi(port));
    len = sizeof(*s4);
  } else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)atoi(port));
    len = sizeof(*s6);
  } else {
    fprintf(stderr, "tls_probe: '%s' is not an IP address\n", ip);
    return -1;
  }
  fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) != 0) {
    printf("result: error\ndetail: connect: %s\n", strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  return fd;
}

/* Sends everything the session has to send. */
static int flush(int fd, tt_tls *t) {
  char buf[16384];
  size_t n;
  while ((n = tt_tls_take_out(t, buf, sizeof(buf))) > 0) {
    for (size_t off = 0; off < n;) {
      ssize_t w = send(fd, buf + off, n - off, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      off += (size_t)w;
    }
  }
  return 0;
}

/* Reads what the server sent into the session: 0, or the transport's end
 * as a result word. */
static const char *receive(int fd, tt_tls *t) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  char buf[16384];
  ssize_t n;

  for (;;) {
    int r = poll(&p, 1, DEADLINE_MS);
    if (r < 0 && errno == EINTR)
      continue;
    if (r == 0)
      return "timeout";
    n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n == 0)
      return "eof";
    if (n < 0)
      return errno == ECONNRESET ? "reset" : "error";
    return tt_tls_feed(t, buf, (size_t)n) == 0 ? NULL : "tls";
  }
}

static void print_escaped(const char *key, const char *s, size_t len) {
  char out[1024];
  tt_escape(out, sizeof(out), s, len, TT_ESC_ASCII);
  printf("%s: %s\n", key, out);
}

static void print_facts(const tt_tls *t) {
  tt_tls_info info;
  char when[32];
  time_t na;
  struct tm tm;

  if (tt_tls_info_get(t, &info) != 0)
    return;
  na = (time_t)info.not_after;
  gmtime_r(&na, &tm);
  strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (info.version[0] != '\0') {
    printf("version: %s\n", info.version);
    printf("cipher: %s\n", info.cipher);
  }
  printf("subject: %s\nissuer: %s\nsans: %s\nnsans: %u\n", info.subject,
         info.issuer, info.sans, info.nsans);
  printf("not_after: %s\ndays_left: %lld\n", when,
         (long long)tt_tls_days_left(info.not_after, (int64_t)time(NULL)));
  printf("trusted: %s\njudged: %s\nverdict: %s\n", info.trusted ? "yes" : "no",
         info.judged ? "yes" : "no", info.verdict);
}

/* Writes text and prints the first line of the answer. */
static const char *exchange(int fd, tt_tls *t, char *text) {
  char reply[4096];
  size_t used = 0;
  const char *why, *end;
  long len = tt_unescape(text, &why);

  if (len < 0) {
    fprintf(stderr, "tls_probe: --send: %s\n", why);
    return "error";
  }
  if (tt_tls_write(t, text, (size_t)len) != 0 || flush(fd, t) != 0)
    return "error";
  for (;;) {
    ssize_t n;
    while ((n = tt_tls_read(t, reply + used, sizeof(reply) - 1 - used)) > 0)
      used += (size_t)n;
    if ((end = memchr(reply, '\n', used)) != NULL ||
        used == sizeof(reply) - 1 || n != TT_TLS_AGAIN) {
      print_escaped("reply", reply, end ? (size_t)(end - reply) : used);
      return n == TT_TLS_FAILED ? "tls" : NULL;
    }
    if (flush(fd, t) != 0 || (why = receive(fd, t)) != NULL)
      return why;
  }
}

int main(int argc, char **argv) {
  const char *ca = NULL, *name = NULL, *result = NULL;
  char *send_text = NULL, err[256];
  bool insecure = false, tls12 = false;
  tt_tls_ctx *ctx;
  tt_tls *t;
  int i, fd, r;

  for (i = 1; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc)
      ca = argv[++i];
    else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
      name = argv[++i];
    else if (strcmp(argv[i], "--send") == 0 && i + 1 < argc)
      send_text = argv[++i];
    else if (strcmp(argv[i], "--insecure") == 0)
      insecure = true;
    else if (strcmp(argv[i], "--tls1.2") == 0)
      tls12 = true;
    else
      return usage();
  }
  if (argc - i != 2)
    return usage();
  if (tt_tls_ctx_new(ca, &ctx, err, sizeof(err)) != 0) {
    fprintf(stderr, "tls_probe: %s\n", err);
    return 2;
  }
  if (tls12)
    SSL_CTX_set_max_proto_version(tt_tls_ctx_openssl(ctx), TLS1_2_VERSION);
  fd = connect_to(argv[i], argv[i + 1]);
  if (fd < 0) {
    tt_tls_ctx_free(ctx);
    return 1;
  }
  t = tt_tls_new(ctx, name ? name : argv[i], insecure);
  if (t == NULL) {
    fprintf(stderr, "tls_probe: out of memory\n");
    return 1;
  }
  /* As the engine does: handshake, send, wait for bytes, again. */
  while ((r = tt_tls_handshake(t)) == TT_TLS_AGAIN) {
    if (flush(fd, t) != 0) {
      result = "reset";
      break;
    }
    if ((result = receive(fd, t)) != NULL)
      break;
  }
  if (r == 0) {
    print_facts(t);
    if (send_text != NULL)
      result = exchange(fd, t, send_text);
    if (result == NULL && tt_tls_shutdown(t) == 0 && flush(fd, t) != 0)
      result = "reset";
  }
  if (tt_tls_failure_of(t) != TT_TLS_FAIL_NONE) {
    /* The alert that tells the server why goes out first. */
    flush(fd, t);
    printf("result: tls\nfailure: %s\ndetail: %s\n",
           failure_names[tt_tls_failure_of(t)], tt_tls_detail(t));
    if (r != 0)
      print_facts(t);
    result = "tls";
  } else {
    printf("result: %s\n", result ? result : "ok");
  }
  close(fd);
  tt_tls_free(t);
  tt_tls_ctx_free(ctx);
  return result == NULL ? 0 : 1;
}

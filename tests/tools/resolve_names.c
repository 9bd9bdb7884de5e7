/* resolve_names.c - looks names up through core/resolve.c, all at once,
 * and says when each answer came, which stayed pending and how long the
 * close took; what the DNS scripts judge.
 *
 *   resolve_names [--settle MS] NAME[@4|@6] ...
 *
 * Prints, as things happen (times in ms since the lookups were made):
 *   answer NAME MS ok ADDR,ADDR...   or   answer NAME MS ERROR-NAME
 *   pending NAME                     (no answer after --settle, default 1000)
 *   cancelled NAME                   (told UV_EAI_CANCELED by the close)
 *   closed MS                        (the close, from call to closed_cb)
 *   clean LOOP_CLOSE FDS_LEFT        (0 0 when nothing was left behind)
 * Exits 0 when the run was clean, 1 otherwise. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"
#include "support.h"

typedef struct name {
  tt_resolve_req req; /* first: the callback casts back */
  char host[256];
  tt_family family;
  bool answered;
} name;

static uv_loop_t loop;
static uint64_t t0;
static int left;
static bool all_answered, closed;
static uint64_t closed_ns;

static double since_ms(uint64_t from) {
  return (double)(uv_hrtime() - from) / 1e6;
}

static void answer_cb(tt_resolve_req *req, int status, const tt_addr *addrs,
                      size_t n) {
  name *nm = (name *)req;
  nm->answered = true;
  if (status == UV_EAI_CANCELED) {
    printf("cancelled %s\n", nm->host);
  } else if (status < 0) {
    printf("answer %s %.1f %s\n", nm->host, since_ms(t0), uv_err_name(status));
  } else {
    printf("answer %s %.1f ok ", nm->host, since_ms(t0));
    for (size_t i = 0; i < n; i++) {
      char text[64];
      if (addrs[i].sa.sa_family == AF_INET6)
        uv_ip6_name(&addrs[i].in6, text, sizeof text);
      else
        uv_ip4_name(&addrs[i].in4, text, sizeof text);
      printf("%s%s", i > 0 ? "," : "", text);
    }
    printf("\n");
  }
  fflush(stdout);
  if (--left == 0)
    all_answered = true;
}

static void closed_cb(void *arg) {
  closed_ns = uv_hrtime() - *(uint64_t *)arg;
  closed = true;
}

int main(int argc, char **argv) {
  uint64_t settle_ms = 1000;
  int first = 1;
  if (argc > 2 && strcmp(argv[1], "--settle") == 0) {
    settle_ms = strtoull(argv[2], NULL, 10);
    first = 3;
  }
  if (first >= argc) {
    fprintf(stderr, "usage: resolve_names [--settle MS] NAME[@4|@6] ...\n");
    return 2;
  }

  tt_test_libuv_once();
  int fds = tt_test_fd_count();
  uv_loop_init(&loop);
  tt_resolver *r;
  int rc = tt_resolver_new(&loop, &r);
  if (rc < 0) {
    fprintf(stderr, "resolve_names: %s\n", uv_strerror(rc));
    return 1;
  }

  int n = argc - first;
  name *names = calloc((size_t)n, sizeof *names);
  if (names == NULL)
    return 1;
  t0 = uv_hrtime();
  for (int i = 0; i < n; i++) {
    name *nm = &names[i];
    snprintf(nm->host, sizeof nm->host, "%s", argv[first + i]);
    char *at = strrchr(nm->host, '@');
    nm->family = TT_FAMILY_AUTO;
    if (at != NULL && strcmp(at, "@4") == 0)
      nm->family = TT_FAMILY_IPV4;
    else if (at != NULL && strcmp(at, "@6") == 0)
      nm->family = TT_FAMILY_IPV6;
    if (nm->family != TT_FAMILY_AUTO)
      *at = '\0';
    rc = tt_resolve(r, &nm->req, nm->host, nm->family, answer_cb);
    if (rc < 0)
      printf("answer %s 0 %s\n", nm->host, uv_err_name(rc));
    else
      left++;
  }
  all_answered = left == 0;
  tt_test_run_until(&loop, &all_answered, settle_ms);
  for (int i = 0; i < n; i++)
    if (!names[i].answered)
      printf("pending %s\n", names[i].host);
  fflush(stdout);

  uint64_t c0 = uv_hrtime();
  tt_resolver_close(r, closed_cb, &c0);
  tt_test_run_until(&loop, &closed, 10000);
  if (closed)
    printf("closed %.1f\n", (double)closed_ns / 1e6);
  else
    printf("closed never\n");
  int lc = tt_test_loop_close(&loop);
  int fds_left = tt_test_fd_count() - fds;
  printf("clean %d %d\n", lc, fds_left);
  free(names);
  return closed && lc == 0 && fds_left == 0 ? 0 : 1;
}

/* pongd.c - a tiny loopback server for the benchmarks: listens on a few
 * ports of 127.0.0.1 and answers every line with "+PONG\r\n" (what
 * tether's redis preset expects). Stops by itself after its lifetime.
 *
 *   pongd [-r] [-p PORT[,PORT...]] NPORTS LIFETIME_SECONDS
 *
 * It prints the ports it listens on, one line, once every one listens,
 * then serves. -p listens on the ports given (NPORTS of them) instead of
 * ports the kernel picks, so that a restarted pongd comes back where the
 * last one was. -r makes every close of a connection a reset (SO_LINGER
 * with a zero timeout, set when the connection is accepted), a kill of
 * the process too: what a crashed server's peers see.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* getopt, and the pthread types uv.h needs */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define MAX_PORTS 64

typedef struct conn {
  uv_tcp_t tcp;
  char buf[4096];
} conn;

typedef struct reply {
  uv_write_t req;
  char data[];
} reply;

static uv_tcp_t listeners[MAX_PORTS];
static int nlisteners;
static uv_timer_t lifetime;
static uv_signal_t sigterm, sigint;
static int reset_on_close;

static void free_conn_cb(uv_handle_t *h) {
  free(h->data);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)suggested;
  conn *c = h->data;
  *buf = uv_buf_init(c->buf, sizeof(c->buf));
}

static void write_cb(uv_write_t *req, int status) {
  (void)status;
  free(req->data);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  if (n < 0) {
    uv_close((uv_handle_t *)s, free_conn_cb);
    return;
  }
  size_t lines = 0;
  for (ssize_t i = 0; i < n; i++)
    if (buf->base[i] == '\n')
      lines++;
  if (lines == 0)
    return;
  static const char pong[] = "+PONG\r\n";
  size_t len = lines * (sizeof(pong) - 1);
  reply *r = malloc(sizeof(*r) + len);
  if (r == NULL)
    return;
  for (size_t k = 0; k < lines; k++)
    memcpy(r->data + k * (sizeof(pong) - 1), pong, sizeof(pong) - 1);
  r->req.data = r;
  uv_buf_t out = uv_buf_init(r->data, (unsigned)len);
  if (uv_write(&r->req, s, &out, 1, write_cb) != 0)
    free(r);
}

static void connection_cb(uv_stream_t *server, int status) {
  if (status < 0)
    return;
  conn *c = malloc(sizeof(*c));
  if (c == NULL)
    return;
  uv_tcp_init(server->loop, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 ||
      uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) != 0) {
    uv_close((uv_handle_t *)&c->tcp, free_conn_cb);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  if (reset_on_close) {
    /* Set now rather than at close: a killed process closes nothing
     * itself, the kernel does, and the linger setting is what it obeys. */
    uv_os_fd_t fd;
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };
    if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0)
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
}

static void close_walk_cb(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h))
    uv_close(h, h->type == UV_TCP && h->data != NULL ? free_conn_cb : NULL);
}

static void shutdown_all(uv_loop_t *loop) {
  uv_walk(loop, close_walk_cb, NULL);
}

static void lifetime_cb(uv_timer_t *t) {
  shutdown_all(t->loop);
}

static void signal_cb(uv_signal_t *s, int signum) {
  (void)signum;
  shutdown_all(s->loop);
}

static void usage(void) {
  fprintf(stderr,
          "usage: pongd [-r] [-p PORT[,PORT...]] NPORTS LIFETIME_SECONDS\n");
  exit(2);
}

int main(int argc, char **argv) {
  int fixed[MAX_PORTS], nfixed = 0, opt;
  while ((opt = getopt(argc, argv, "rp:")) != -1) {
    switch (opt) {
    case 'r':
      reset_on_close = 1;
      break;
    case 'p': {
      char *p = optarg, *end;
      do {
        long port = strtol(p, &end, 10);
        if (end == p || port < 1 || port > 65535 || nfixed == MAX_PORTS)
          usage();
        fixed[nfixed++] = (int)port;
        p = end + 1;
      } while (*end == ',');
      if (*end != '\0')
        usage();
      break;
    }
    default:
      usage();
    }
  }
  if (argc - optind != 2)
    usage();
  int nports = atoi(argv[optind]);
  long life = atol(argv[optind + 1]);
  if (nports < 1 || nports > MAX_PORTS || life < 1) {
    fprintf(stderr, "pongd: 1..%d ports and a lifetime of at least 1 s\n",
            MAX_PORTS);
    return 2;
  }
  if (nfixed != 0 && nfixed != nports) {
    fprintf(stderr, "pongd: -p lists %d port(s) and NPORTS is %d\n", nfixed,
            nports);
    return 2;
  }
  uv_loop_t *loop = uv_default_loop();
  for (int i = 0; i < nports; i++) {
    struct sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", nfixed ? fixed[i] : 0, &addr);
    uv_tcp_init(loop, &listeners[i]);
    int rc = uv_tcp_bind(&listeners[i], (const struct sockaddr *)&addr, 0);
    if (rc == 0)
      rc = uv_listen((uv_stream_t *)&listeners[i], 4096, connection_cb);
    if (rc != 0) {
      fprintf(stderr, "pongd: listen: %s\n", uv_strerror(rc));
      return 1;
    }
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    uv_tcp_getsockname(&listeners[i], (struct sockaddr *)&ss, &len);
    printf("%s%u", i ? " " : "",
           (unsigned)ntohs(((struct sockaddr_in *)&ss)->sin_port));
    nlisteners++;
  }
  printf("\n");
  fflush(stdout);
  uv_timer_init(loop, &lifetime);
  uv_timer_start(&lifetime, lifetime_cb, (uint64_t)life * 1000, 0);
  uv_signal_init(loop, &sigterm);
  uv_signal_start(&sigterm, signal_cb, SIGTERM);
  uv_signal_init(loop, &sigint);
  uv_signal_start(&sigint, signal_cb, SIGINT);
  uv_run(loop, UV_RUN_DEFAULT);
  return uv_loop_close(loop) == 0 ? 0 : 1;
}

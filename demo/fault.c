/* fault.c - loopback servers that misbehave on purpose, one kind each, for
 * the demo and the tests; everything runs on the caller's loop. Here the
 * port and the server's life; fault_conn.c serves its connections and
 * fault_kind.c says what each kind answers. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fault_conn.h"
#include "rng.h"

#define FAULT_MAX_SIZE (16u * 1024 * 1024) /* OVERSIZE's largest answer */
#define FAULT_BACKLOG 128

static socklen_t fault_addr_len(const tt_fault *f) {
  return f->addr.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                       : sizeof(struct sockaddr_in);
}

static void fault_set_port(tt_fault *f, uint16_t port) {
  if (f->addr.ss_family == AF_INET6)
    ((struct sockaddr_in6 *)&f->addr)->sin6_port = htons(port);
  else
    ((struct sockaddr_in *)&f->addr)->sin_port = htons(port);
}

uint16_t tt_fault_port(const tt_fault *f) {
  if (f->addr.ss_family == AF_INET6)
    return ntohs(((const struct sockaddr_in6 *)&f->addr)->sin6_port);
  return ntohs(((const struct sockaddr_in *)&f->addr)->sin_port);
}

uint64_t tt_fault_accepted(const tt_fault *f) {
  return f->accepted;
}

uint64_t tt_fault_requests(const tt_fault *f) {
  return f->requests;
}

/* Remembers the port the kernel chose, so that pause, resume and FLAP
 * come back where they were. */
static int fault_learn_port(tt_fault *f, const struct sockaddr_storage *ss) {
  if (ss->ss_family != f->addr.ss_family)
    return UV_EINVAL;
  if (ss->ss_family == AF_INET6)
    fault_set_port(f, ntohs(((const struct sockaddr_in6 *)ss)->sin6_port));
  else
    fault_set_port(f, ntohs(((const struct sockaddr_in *)ss)->sin_port));
  return 0;
}

static int fault_learn_fd_port(tt_fault *f, int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
    return -errno;
  return fault_learn_port(f, &ss);
}

static void fault_free(tt_fault *f) {
  free(f->banner);
  free(f->reply);
  free(f->end);
  free(f->oversize);
  free(f);
}

void tt_fault_maybe_free(tt_fault *f) {
  if (f->closing && f->pending == 0)
    fault_free(f);
}

static void fault_handle_close_cb(uv_handle_t *h) {
  tt_fault *f = h->data;
  free(h);
  f->pending--;
  tt_fault_maybe_free(f);
}

static void fault_timer_close_cb(uv_handle_t *h) {
  tt_fault *f = h->data;
  f->pending--;
  tt_fault_maybe_free(f);
}

/* ---- the port: listening, held, or stalled ---- */

static int fault_listen(tt_fault *f) {
  uv_tcp_t *l = malloc(sizeof(*l));
  if (l == NULL)
    return UV_ENOMEM;
  int err = uv_tcp_init(f->loop, l);
  if (err != 0) {
    free(l);
    return err;
  }
  l->data = f;
  f->pending++;
  /* A bind conflict shows only at listen(): libuv defers it. */
  err = uv_tcp_bind(l, (const struct sockaddr *)&f->addr, 0);
  if (err == 0 && f->kind == TT_FAULT_UNREAD) {
    /* Set before listen() so that accepted sockets inherit a small
     * window: a client's writes then back up after a few KiB. */
    int size = 4096;
    err = uv_recv_buffer_size((uv_handle_t *)l, &size);
  }
  if (err == 0)
    err = uv_listen((uv_stream_t *)l, FAULT_BACKLOG, tt_fault_connection_cb);
  if (err == 0) {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    err = uv_tcp_getsockname(l, (struct sockaddr *)&ss, &len);
    if (err == 0)
      err = fault_learn_port(f, &ss);
  }
  if (err != 0) {
    uv_close((uv_handle_t *)l, fault_handle_close_cb);
    return err;
  }
  f->listener = l;
  return 0;
}

/* Binds the port without listening, so connects are refused. Without
 * SO_REUSEADDR nobody else can bind the port, but then a connection of
 * ours in TIME_WAIT on it blocks the bind too: only then is it set. */
static int fault_hold(tt_fault *f) {
  if (f->hold_fd >= 0)
    return 0;
  int fd = socket(f->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  int err = 0;
  if (bind(fd, (const struct sockaddr *)&f->addr, fault_addr_len(f)) != 0) {
    err = -errno;
    int one = 1;
    if (err == UV_EADDRINUSE &&
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0)
      err = bind(fd, (const struct sockaddr *)&f->addr, fault_addr_len(f)) == 0
                ? 0 : -errno;
  }
  if (err == 0)
    err = fault_learn_fd_port(f, fd);
  if (err != 0) {
    close(fd);
    return err;
  }
  f->hold_fd = fd;
  return 0;
}

static void fault_release(tt_fault *f) {
  if (f->hold_fd >= 0) {
    close(f->hold_fd);
    f->hold_fd = -1;
  }
}

static void fault_unstall(tt_fault *f) {
  for (int i = 0; i < 2; i++) {
    if (f->stall_client[i] >= 0) {
      close(f->stall_client[i]);
      f->stall_client[i] = -1;
    }
  }
  if (f->stall_fd >= 0) {
    close(f->stall_fd);
    f->stall_fd = -1;
  }
}

/* A listener with a backlog of 0 that is never accepted from. The first
 * of our own connects fills its accept queue; from then on the kernel
 * drops every SYN, so connects neither complete nor fail. This is a raw
 * socket because a libuv listener would accept behind our back. */
static int fault_stall(tt_fault *f) {
  int err = 0;
  int one = 1;
  f->stall_fd = socket(f->addr.ss_family,
                       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (f->stall_fd < 0) {
    err = -errno;
    goto fail;
  }
  /* As libuv's listeners do, so pause and resume rebind at once. */
  if (setsockopt(f->stall_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      bind(f->stall_fd, (const struct sockaddr *)&f->addr, fault_addr_len(f)) != 0 ||
      listen(f->stall_fd, 0) != 0) {
    err = -errno;
    goto fail;
  }
  err = fault_learn_fd_port(f, f->stall_fd);
  if (err != 0)
    goto fail;
  for (int i = 0; i < 2; i++) {
    int fd = socket(f->addr.ss_family,
                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      err = -errno;
      goto fail;
    }
    f->stall_client[i] = fd;
    if (connect(fd, (const struct sockaddr *)&f->addr, fault_addr_len(f)) != 0 &&
        errno != EINPROGRESS) {
      err = -errno;
      goto fail;
    }
  }
  return 0;

fail:
  fault_unstall(f);
  return err;
}

static int fault_serve(tt_fault *f) {
  switch (f->kind) {
  case TT_FAULT_REFUSE:
    return fault_hold(f);
  case TT_FAULT_STALL:
    return fault_stall(f);
  default:
    return fault_listen(f);
  }
}

/* Stops serving: the listener goes, every connection is reset. */
static void fault_unserve(tt_fault *f) {
  if (f->listener != NULL) {
    uv_close((uv_handle_t *)f->listener, fault_handle_close_cb);
    f->listener = NULL;
  }
  fault_unstall(f);
  for (fault_conn *c = f->conns; c != NULL; c = c->next)
    tt_fault_conn_end(c, true);
}

void tt_fault_pause(tt_fault *f) {
  if (f->closing || f->paused)
    return;
  f->paused = true;
  if (f->kind == TT_FAULT_REFUSE)
    return; /* it refuses already */
  fault_unserve(f);
  /* Should this fail, connects are refused all the same; only the port
   * is not reserved against others. */
  (void)fault_hold(f);
}

int tt_fault_resume(tt_fault *f) {
  if (f->closing)
    return UV_EINVAL;
  if (!f->paused)
    return 0;
  if (f->kind != TT_FAULT_REFUSE) {
    fault_release(f);
    int err = fault_serve(f);
    if (err != 0) {
      (void)fault_hold(f);
      return err;
    }
  }
  f->paused = false;
  return 0;
}

static void fault_flap_cb(uv_timer_t *t) {
  tt_fault *f = t->data;
  if (f->paused)
    (void)tt_fault_resume(f); /* on failure, the next period tries again */
  else
    tt_fault_pause(f);
}

void tt_fault_close(tt_fault *f) {
  if (f->closing)
    return;
  f->closing = true;
  fault_unserve(f);
  fault_release(f);
  uv_close((uv_handle_t *)&f->timer, fault_timer_close_cb);
}

/* ---- starting ---- */

static char *fault_strdup(const char *s, size_t *len) {
  *len = strlen(s);
  char *d = malloc(*len + 1);
  if (d != NULL)
    memcpy(d, s, *len + 1);
  return d;
}

static int fault_check(const tt_fault_opts *o) {
  if (o == NULL)
    return UV_EINVAL;
  if ((unsigned)o->kind > TT_FAULT_UNREAD)
    return UV_EINVAL;
  if (o->kind == TT_FAULT_LATE && o->every == 0)
    return UV_EINVAL;
  if (o->kind == TT_FAULT_FLAP && o->period_ms == 0)
    return UV_EINVAL;
  if (o->kind == TT_FAULT_OVERSIZE && (o->size == 0 || o->size > FAULT_MAX_SIZE))
    return UV_EINVAL;
  if ((o->request_end != NULL && o->request_end[0] == '\0') ||
      (o->reply != NULL && o->reply[0] == '\0'))
    return UV_EINVAL;
  return 0;
}

static int fault_setup(tt_fault *f, const tt_fault_opts *o) {
  const char *host = o->host != NULL ? o->host : "127.0.0.1";
  if (uv_ip4_addr(host, o->port, (struct sockaddr_in *)&f->addr) != 0 &&
      uv_ip6_addr(host, o->port, (struct sockaddr_in6 *)&f->addr) != 0)
    return UV_EINVAL;
  f->reply = fault_strdup(o->reply != NULL ? o->reply : "+PONG\r\n",
                          &f->reply_len);
  f->end = fault_strdup(o->request_end != NULL ? o->request_end : "\n",
                        &f->end_len);
  if (f->reply == NULL || f->end == NULL)
    return UV_ENOMEM;
  if (o->banner != NULL && o->banner[0] != '\0') {
    f->banner = fault_strdup(o->banner, &f->banner_len);
    if (f->banner == NULL)
      return UV_ENOMEM;
  }
  if (o->kind == TT_FAULT_OVERSIZE) {
    f->oversize = malloc(o->size);
    if (f->oversize == NULL)
      return UV_ENOMEM;
    memset(f->oversize, 'A', o->size);
  }
  return 0;
}

int tt_fault_start(uv_loop_t *loop, const tt_fault_opts *opts,
                   tt_fault **out) {
  int err = fault_check(opts);
  if (err != 0)
    return err;
  tt_fault *f = calloc(1, sizeof(*f));
  if (f == NULL)
    return UV_ENOMEM;
  f->loop = loop;
  f->kind = opts->kind;
  f->delay_ms = opts->delay_ms;
  f->jitter_ms = opts->jitter_ms;
  f->every = opts->every;
  f->period_ms = opts->period_ms;
  f->size = opts->size;
  f->close_after = opts->close_after;
  f->close_reset = opts->close_reset;
  f->drop_after = opts->drop_after;
  f->drop_partial = opts->drop_partial;
  f->rng = opts->seed != 0 ? opts->seed : TT_RNG_SEED_FALLBACK;
  f->hold_fd = -1;
  f->stall_fd = -1;
  f->stall_client[0] = f->stall_client[1] = -1;
  err = fault_setup(f, opts);
  if (err != 0)
    goto fail_setup;

  uv_timer_init(loop, &f->timer);
  f->timer.data = f;
  f->pending = 1;
  err = fault_serve(f);
  if (err != 0)
    goto fail_serve;
  if (f->kind == TT_FAULT_FLAP)
    uv_timer_start(&f->timer, fault_flap_cb, f->period_ms, f->period_ms);
  *out = f;
  return 0;

fail_serve:
  /* What was opened is closing; the memory goes with its callbacks. */
  tt_fault_close(f);
  return err;
fail_setup:
  fault_free(f);
  return err;
}

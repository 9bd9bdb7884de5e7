/* proc.c - spawn a program, collect its output lines and its exit. */
#include <stdlib.h>
#include <string.h>

#include "proc.h"

const char *tt_proc_tether(void) {
  const char *t = getenv("TETHER");
  return t != NULL ? t : "tether";
}

static void closed_cb(uv_handle_t *h) {
  tt_proc *p = h->data;
  p->open--;
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  static char chunk[64 * 1024];
  buf->base = chunk;
  buf->len = sizeof chunk;
}

static bool append(char **buf, size_t *len, size_t *cap, const char *data,
                   size_t n) {
  if (*len + n + 1 > *cap) {
    size_t c = *cap ? *cap : 1024;
    while (c < *len + n + 1)
      c *= 2;
    char *q = realloc(*buf, c);
    if (q == NULL)
      return false;
    *buf = q;
    *cap = c;
  }
  memcpy(*buf + *len, data, n);
  *len += n;
  (*buf)[*len] = '\0';
  return true;
}

static void out_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  tt_proc *p = s->data;
  if (nread < 0) {
    uv_close((uv_handle_t *)s, closed_cb);
    return;
  }
  for (ssize_t i = 0; i < nread; i++) {
    char ch = buf->base[i];
    if (ch == '\n') {
      if (p->on_line)
        p->on_line(p, p->line ? p->line : "", p->line_len, p->arg);
      p->line_len = 0;
      continue;
    }
    append(&p->line, &p->line_len, &p->line_cap, &ch, 1);
  }
}

static void err_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  tt_proc *p = s->data;
  if (nread < 0) {
    uv_close((uv_handle_t *)s, closed_cb);
    return;
  }
  append(&p->errtext, &p->err_len, &p->err_cap, buf->base, (size_t)nread);
}

static void exit_cb(uv_process_t *h, int64_t status, int term_signal) {
  tt_proc *p = h->data;
  p->exited = true;
  p->exit_status = status;
  p->term_signal = term_signal;
  uv_close((uv_handle_t *)h, closed_cb);
}

int tt_proc_spawn(uv_loop_t *loop, tt_proc *p, char **argv,
                  tt_proc_line_cb on_line, void *arg) {
  memset(p, 0, sizeof *p);
  p->on_line = on_line;
  p->arg = arg;
  uv_pipe_init(loop, &p->out, 0);
  uv_pipe_init(loop, &p->err, 0);
  p->out.data = p->err.data = p->process.data = p;
  p->open = 2;

  uv_stdio_container_t stdio[3] = {
    { .flags = UV_IGNORE },
    { .flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&p->out },
    { .flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&p->err },
  };
  uv_process_options_t o = {
    .exit_cb = exit_cb,
    .file = argv[0],
    .args = argv,
    .stdio_count = 3,
    .stdio = stdio,
  };
  int r = uv_spawn(loop, &p->process, &o);
  if (r < 0) {
    uv_close((uv_handle_t *)&p->out, closed_cb);
    uv_close((uv_handle_t *)&p->err, closed_cb);
    uv_close((uv_handle_t *)&p->process, NULL);
    p->exited = true;
    return r;
  }
  p->open++;
  uv_read_start((uv_stream_t *)&p->out, alloc_cb, out_cb);
  uv_read_start((uv_stream_t *)&p->err, alloc_cb, err_cb);
  return 0;
}

bool tt_proc_done(const tt_proc *p) {
  return p->exited && p->open == 0;
}

void tt_proc_kill(tt_proc *p, int signum) {
  if (!p->exited)
    uv_process_kill(&p->process, signum);
}

void tt_proc_free(tt_proc *p) {
  free(p->line);
  free(p->errtext);
  p->line = p->errtext = NULL;
}

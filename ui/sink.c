/* sink.c - the outputs of a run (stdout, the log): records queued whole,
 * written by a thread so that probing never waits for a reader. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "output.h"

/* How a started sink writes, and why so.
 *
 * write(2) to a pipe waits for its reader, to a terminal for the terminal,
 * to a file for the disk (or a stuck NFS server). The loop must wait for
 * none of them, so it never calls write(2) on an output: it hands one
 * batch of whole records at a time to libuv's threadpool (uv_queue_work),
 * where a plain blocking write(2) may take as long as it likes. This works
 * alike for pipes, terminals and regular files, and it leaves the
 * descriptor as it found it. The other way, O_NONBLOCK and a writer driven
 * by uv_poll, is ruled out: the flag belongs to the open file description,
 * which stdout shares with the shell (and, on a terminal, with stderr), so
 * a run would leave the terminal non-blocking for whatever comes next; and
 * epoll refuses regular files outright.
 *
 * One batch in flight per output keeps the records in order and takes at
 * most one pool thread per output; names are not resolved on the pool, so
 * its threads are free for this. While a batch is being written, what the
 * loop reports waits in buf, up to `limit` bytes with the batch in flight
 * counted in (TT_SINK_LIMIT: 1 MiB, some 5 000 events). A record that would
 * go past it is dropped whole and counted; from then on every record is
 * dropped until a batch is done and half the bound is free again, when a
 * notice saying how many were lost is queued first: the output shows its
 * gap exactly where it is, and never a record after the gap before the
 * notice. A burst that the run announces (tt_sink_make_room: a reload
 * reports every target that leaves or joins in one pass) raises the bound
 * by its size until the output is back within the usual one.
 *
 * A pipe's reader that goes away is watched with uv_poll (epoll reports
 * POLLERR on a pipe whose last reader closed), so `tether | head -1` ends
 * when head does, not at the next write. */

/* Not started (--check), a sink writes out at a record boundary past this,
 * so that a long listing need not sit in memory whole. */
#define SINK_HIGH_WATER (64 * 1024)

/* How far back a log that a kill left in half a line is searched for the
 * end of its last whole line. tether's longest record is far shorter. */
#define REPAIR_SPAN (64 * 1024)

void tt_sink_init_fd(tt_sink *k, int fd) {
  memset(k, 0, sizeof *k);
  k->fd = fd;
  struct stat st;
  k->regular = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *file_kind(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode))
    return "a device";
  return "a special file";
}

/* A log that ends in half a line (the previous run was killed in the
 * middle of a write the kernel cut short) is cut back to its last whole
 * line: appending after it would glue this run's first event to the
 * fragment. Without a newline near the end it is not a log of ours; it is
 * left alone, and this run starts on a line of its own. */
static void repair_tail(tt_sink *k, off_t size) {
  char buf[4096];
  off_t pos = size;
  while (pos > 0 && size - pos < REPAIR_SPAN) {
    size_t n = pos < (off_t)sizeof buf ? (size_t)pos : sizeof buf;
    ssize_t r = pread(k->fd, buf, n, pos - (off_t)n);
    if (r != (ssize_t)n)
      break;
    for (size_t i = n; i > 0; i--) {
      if (buf[i - 1] == '\n') {
        off_t keep = pos - (off_t)n + (off_t)i;
        if (keep == size || ftruncate(k->fd, keep) == 0)
          return;
        goto no_repair;
      }
    }
    pos -= (off_t)n;
  }
no_repair:
  tt_sink_write(k, "\n", 1);
  k->len = k->open;
}

int tt_sink_open(tt_sink *k, const char *path, const char **what) {
  tt_sink_init_fd(k, -1);
  *what = NULL;
  /* O_NONBLOCK: opening a FIFO without a reader must fail at once
   * (ENXIO), not wait for one. Read access is for the repair of a torn
   * last line; a log that may only be written goes without it. */
  const int flags = O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  int fd = open(path, O_RDWR | flags, 0644);
  if (fd < 0 && errno == EACCES)
    fd = open(path, O_WRONLY | flags, 0644);
  struct stat st;
  if (fd < 0) {
    int err = errno;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
      *what = file_kind(st.st_mode);
    return -err;
  }
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  if (!S_ISREG(st.st_mode)) {
    *what = file_kind(st.st_mode);
    close(fd);
    return -EINVAL;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0)
    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  k->fd = fd;
  k->owned = true;
  k->regular = true;
  if (st.st_size > 0) {
    char last;
    if (pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
      repair_tail(k, st.st_size);
  }
  return 0;
}

static void report_error(tt_sink *k) {
  if (k->error_said || k->on_error == NULL)
    return;
  k->error_said = true;
  k->on_error(k, k->arg);
}

static void reader_cb(uv_poll_t *h, int status, int events) {
  tt_sink *k = h->data;
  if (status == 0)
    return;
  /* POLLERR on a pipe's write end: its last reader is gone. */
  uv_poll_stop(h);
  if (k->error == 0)
    k->error = -EPIPE;
  report_error(k);
}

/* Watches a pipe for its reader going away. uv_poll_init makes the
 * descriptor non-blocking; the flag is put back at once, since the writes
 * themselves are blocking ones, in the pool, and the shell shares it. */
static int watch_reader(tt_sink *k) {
  struct stat st;
  if (fstat(k->fd, &st) != 0 || !S_ISFIFO(st.st_mode))
    return 0;
  int fl = fcntl(k->fd, F_GETFL);
  int err = uv_poll_init(k->loop, &k->reader, k->fd);
  if (fl >= 0)
    fcntl(k->fd, F_SETFL, fl);
  if (err < 0)
    return 0; /* unwatched, the reader's leaving is seen at the next write */
  k->reader.data = k;
  k->watching = true;
  /* Nothing is asked for but the error epoll always reports. */
  uv_poll_start(&k->reader, UV_DISCONNECT, reader_cb);
  /* Watching is no reason to keep the loop running. */
  uv_unref((uv_handle_t *)&k->reader);
  return 0;
}

static void delay_cb(uv_timer_t *t);

int tt_sink_start(tt_sink *k, uv_loop_t *loop, size_t limit,
                  tt_sink_notice_cb notice, tt_sink_error_cb on_error,
                  void *arg) {
  int err = uv_timer_init(loop, &k->delay);
  if (err < 0)
    return err;
  k->delay.data = k;
  k->has_delay = true;
  k->loop = loop;
  k->limit = k->base_limit = limit;
  k->notice = notice;
  k->on_error = on_error;
  k->arg = arg;
  k->work.data = k;
  return watch_reader(k);
}

static bool reserve(tt_sink *k, size_t more) {
  if (k->open + more <= k->cap)
    return true;
  size_t cap = k->cap ? k->cap : 4096;
  while (cap < k->open + more)
    cap *= 2;
  char *p = realloc(k->buf, cap);
  if (p == NULL) {
    if (k->error == 0)
      k->error = -ENOMEM;
    return false;
  }
  k->buf = p;
  k->cap = cap;
  return true;
}

void tt_sink_write(tt_sink *k, const char *data, size_t len) {
  if (k->error != 0 || len == 0 || !reserve(k, len))
    return;
  memcpy(k->buf + k->open, data, len);
  k->open += len;
}

void tt_sink_puts(tt_sink *k, const char *s) {
  tt_sink_write(k, s, strlen(s));
}

void tt_sink_u64(tt_sink *k, unsigned long long v) {
  char digits[TT_FMT_U64];
  size_t i = tt_fmt_u64(digits, v);
  tt_sink_write(k, digits + i, sizeof digits - i);
}

/* Formats straight into the record being built: into the room there is,
 * or, when the text is longer, again into room made for it. */
void tt_sink_printf(tt_sink *k, const char *fmt, ...) {
  va_list ap;
  if (k->error != 0)
    return;
  size_t room = k->cap - k->open;
  va_start(ap, fmt);
  int n = vsnprintf(room > 0 ? k->buf + k->open : NULL, room, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n >= room) {
    if (!reserve(k, (size_t)n + 1))
      return;
    va_start(ap, fmt);
    vsnprintf(k->buf + k->open, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  k->open += (size_t)n;
}

static void count_drop(tt_sink *k, size_t tag) {
  k->dropped++;
  k->unreported++;
  if (tag == TT_SINK_NO_TAG)
    return;
  if (tag >= k->ntags) {
    size_t n = k->ntags ? k->ntags : 64;
    while (n <= tag)
      n *= 2;
    uint64_t *p = realloc(k->dropped_by_tag, n * sizeof *p);
    if (p == NULL)
      return; /* still counted in all */
    memset(p + k->ntags, 0, (n - k->ntags) * sizeof *p);
    k->dropped_by_tag = p;
    k->ntags = n;
  }
  k->dropped_by_tag[tag]++;
}

/* Bytes held: the records waiting and the batch being written. */
static size_t held(const tt_sink *k) {
  return k->len + (k->busy ? k->wlen : 0);
}

size_t tt_sink_held(const tt_sink *k) {
  return held(k);
}

bool tt_sink_end_record(tt_sink *k, size_t tag) {
  size_t rec = k->open - k->len;
  if (k->error != 0) {
    /* Nothing more is written; the error ends the run. */
    k->open = k->len;
    return false;
  }
  if (k->loop != NULL && !k->in_notice &&
      (k->unreported > 0 || (k->limit > 0 && held(k) + rec > k->limit))) {
    k->open = k->len;
    count_drop(k, tag);
    return false;
  }
  k->len = k->open;
  if (k->loop == NULL && k->len >= SINK_HIGH_WATER)
    tt_sink_flush(k);
  return true;
}

void tt_sink_make_room(tt_sink *k, size_t bytes) {
  if (k->loop != NULL && k->limit > 0 && held(k) + bytes + k->base_limit >
                                             k->limit)
    k->limit = held(k) + bytes + k->base_limit;
}

static void emit_notice(tt_sink *k) {
  uint64_t n = k->unreported;
  k->unreported = 0;
  if (k->notice == NULL || n == 0)
    return;
  k->in_notice = true;
  k->notice(k, n, k->arg);
  k->in_notice = false;
}

/* Cuts a regular file back to the last whole line of what a write that
 * stopped part way left in it: written bytes of buf went out, and the
 * file's offset (O_APPEND: its end) is just past them. */
static void cut_back(int fd, const char *buf, size_t written) {
  size_t keep = written;
  while (keep > 0 && buf[keep - 1] != '\n')
    keep--;
  if (keep == written)
    return;
  off_t end = lseek(fd, 0, SEEK_CUR);
  if (end >= (off_t)(written - keep) &&
      ftruncate(fd, end - (off_t)(written - keep)) != 0) {
    /* The write error is what gets reported; nothing more can be done. */
  }
}

/* Writes buf[0..len) whole, or says why not (an errno, 0 when all went
 * out). A short write to a regular file (the disk is full, the file size
 * limit) is cut back to its last whole line, so that no half line stays.
 * Runs in the threadpool for a started sink: it may block. */
static int write_all(int fd, bool regular, const char *buf, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, buf + off, len - off);
    if (w > 0) {
      off += (size_t)w;
      continue;
    }
    int err = w == 0 ? EIO : errno;
    if (err == EINTR)
      continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      /* Someone else left the descriptor non-blocking: wait here. */
      struct pollfd p = { .fd = fd, .events = POLLOUT };
      if (poll(&p, 1, -1) >= 0 || errno == EINTR)
        continue;
      err = errno;
    }
    if (regular && off > 0)
      cut_back(fd, buf, off);
    return err;
  }
  return 0;
}

static void work_cb(uv_work_t *req) {
  tt_sink *k = req->data;
  k->werr = write_all(k->fd, k->regular, k->wbuf, k->wlen);
}

static void done_cb(uv_work_t *req, int status) {
  tt_sink *k = req->data;
  k->busy = false;
  k->wlen = 0;
  if (k->werr != 0 || status < 0) {
    if (k->error == 0)
      k->error = k->werr != 0 ? -k->werr : status;
    report_error(k);
    return;
  }
  /* The next batch goes out first: it holds the records from before the
   * gap. The notice follows them once there is room again for more than
   * itself (half the bound), so that records, not a string of notices,
   * come after it; until then, dropping goes on. */
  tt_sink_flush(k);
  if (k->limit > k->base_limit && held(k) <= k->base_limit)
    k->limit = k->base_limit; /* the burst made room for is written */
  if (k->unreported > 0 && (k->limit == 0 || held(k) <= k->limit / 2)) {
    emit_notice(k);
    tt_sink_flush(k);
  }
}

/* The waiting records become the batch the writer thread writes. */
static int hand_off(tt_sink *k);

int tt_sink_flush(tt_sink *k) {
  if (k->loop == NULL) {
    if (k->error == 0 && k->open > 0) {
      int err = write_all(k->fd, k->regular, k->buf, k->open);
      if (err != 0)
        k->error = -err;
    }
    k->len = k->open = 0;
    return k->error;
  }
  if (k->error != 0 || k->busy || k->len == 0)
    return k->error;
  if (!k->eager && k->len < TT_SINK_BATCH) {
    /* Not worth waking the writer for yet: the first waits a little. */
    if (!uv_is_active((uv_handle_t *)&k->delay))
      uv_timer_start(&k->delay, delay_cb, TT_SINK_DELAY_MS, 0);
    return 0;
  }
  return hand_off(k);
}

int tt_sink_flush_now(tt_sink *k) {
  if (k->loop == NULL || k->error != 0 || k->busy || k->len == 0)
    return tt_sink_flush(k);
  return hand_off(k);
}

static void delay_cb(uv_timer_t *t) {
  tt_sink *k = t->data;
  if (k->error == 0 && !k->busy && k->len > 0)
    hand_off(k);
}

static int hand_off(tt_sink *k) {
  uv_timer_stop(&k->delay);
  /* The waiting records become the batch; the open record, if any, stays
   * behind in what becomes the queue. */
  size_t rest = k->open - k->len;
  char *b = k->wbuf;
  size_t bcap = k->wcap;
  if (bcap < rest) {
    char *p = realloc(b, rest);
    if (p == NULL) {
      k->error = -ENOMEM;
      report_error(k);
      return k->error;
    }
    b = p;
    bcap = rest;
  }
  if (rest > 0)
    memcpy(b, k->buf + k->len, rest);
  k->wbuf = k->buf;
  k->wcap = k->cap;
  k->wlen = k->len;
  k->buf = b;
  k->cap = bcap;
  k->len = 0;
  k->open = rest;
  k->werr = 0;
  k->busy = true;
  k->batches++;
  int err = uv_queue_work(k->loop, &k->work, work_cb, done_cb);
  if (err < 0) {
    k->busy = false;
    k->error = err;
    report_error(k);
  }
  return k->error;
}

void tt_sink_unbound(tt_sink *k) {
  k->limit = 0;
  k->eager = true;
  if (k->error == 0 && k->unreported > 0)
    emit_notice(k);
}

bool tt_sink_idle(const tt_sink *k) {
  return !k->busy && (k->len == 0 || k->error != 0);
}

int tt_sink_error(const tt_sink *k) {
  return k->error;
}

uint64_t tt_sink_dropped(const tt_sink *k) {
  return k->dropped;
}

uint64_t tt_sink_dropped_tag(const tt_sink *k, size_t tag) {
  return tag < k->ntags ? k->dropped_by_tag[tag] : 0;
}

void tt_sink_close(tt_sink *k) {
  if (k->loop == NULL)
    tt_sink_flush(k);
  if (k->watching && !uv_is_closing((uv_handle_t *)&k->reader))
    uv_close((uv_handle_t *)&k->reader, NULL);
  k->watching = false;
  if (k->has_delay && !uv_is_closing((uv_handle_t *)&k->delay))
    uv_close((uv_handle_t *)&k->delay, NULL);
  k->has_delay = false;
  free(k->buf);
  free(k->dropped_by_tag);
  k->buf = NULL;
  k->dropped_by_tag = NULL;
  k->len = k->open = k->cap = 0;
  k->ntags = 0;
  if (k->busy) {
    /* A reader that never reads holds the batch's write at exit: the
     * thread still uses the batch and the descriptor, which the process's
     * end takes with it. */
    return;
  }
  if (k->owned && k->fd >= 0)
    close(k->fd);
  free(k->wbuf);
  k->wbuf = NULL;
  k->wlen = k->wcap = 0;
  k->fd = -1;
}

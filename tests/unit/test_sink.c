/* test_sink.c - the outputs as specifications: records go out whole and in
 * order, a reader that stalls costs whole records (bounded, counted per
 * target, said by a notice at the gap), a short write to a file leaves no
 * half line, errors are reported once, a reader that leaves is seen at
 * once, a log is a regular file, and JSON escapes code points. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "output.h"
#include "support.h"

/* ---- helpers ---- */

static void deadline_cb(uv_timer_t *t) {
  *(bool *)t->data = true;
}

/* Runs loop until *done or timeout_ms; a referenced deadline keeps the
 * loop turning while only unreferenced handles (the reader's watch) or
 * the threadpool are busy. */
static bool run_until(uv_loop_t *loop, const bool *done, uint64_t timeout_ms) {
  uv_timer_t deadline;
  bool expired = false;
  uv_timer_init(loop, &deadline);
  deadline.data = &expired;
  uv_timer_start(&deadline, deadline_cb, timeout_ms, 0);
  while (!*done && !expired)
    uv_run(loop, UV_RUN_ONCE);
  uv_close((uv_handle_t *)&deadline, NULL);
  uv_run(loop, UV_RUN_NOWAIT);
  return *done;
}

/* What a sink that is not started holds, NUL-terminated (JSON tests). */
static char *held_text(const tt_sink *k) {
  char *s = malloc(k->open + 1);
  assert_non_null(s);
  memcpy(s, k->buf, k->open);
  s[k->open] = '\0';
  return s;
}

static char *json_of(const char *s, size_t len) {
  tt_sink k;
  tt_sink_init_fd(&k, -1);
  tt_json_string(&k, s, len);
  char *t = held_text(&k);
  k.open = k.len = 0;
  tt_sink_close(&k);
  return t;
}

static void put_record(tt_sink *k, size_t seq, size_t tag, size_t len) {
  /* "seq tag xxxx...\n", len bytes in all, written in three pieces. */
  char head[64];
  int n = snprintf(head, sizeof head, "%06zu %zu ", seq, tag);
  tt_sink_write(k, head, (size_t)n);
  for (size_t i = (size_t)n; i + 1 < len; i++)
    tt_sink_write(k, "x", 1);
  tt_sink_write(k, "\n", 1);
}

typedef struct notice_log {
  unsigned calls;
  uint64_t total;
} notice_log;

static void test_notice(tt_sink *k, uint64_t count, void *arg) {
  notice_log *l = arg;
  l->calls++;
  l->total += count;
  tt_sink_printf(k, "DROPPED %llu\n", (unsigned long long)count);
  tt_sink_end_record(k, TT_SINK_NO_TAG);
}

typedef struct error_log {
  unsigned calls;
  int error;
  bool done;
} error_log;

static void test_error(tt_sink *k, void *arg) {
  error_log *l = arg;
  l->calls++;
  l->error = tt_sink_error(k);
  l->done = true;
}

/* Reads what is in the pipe now (non-blocking), appending to *buf. */
static void drain_pipe(int fd, char **buf, size_t *len) {
  char tmp[65536];
  for (;;) {
    ssize_t r = read(fd, tmp, sizeof tmp);
    if (r <= 0)
      return;
    char *p = realloc(*buf, *len + (size_t)r + 1);
    assert_non_null(p);
    memcpy(p + *len, tmp, (size_t)r);
    *len += (size_t)r;
    p[*len] = '\0';
    *buf = p;
  }
}

static char *file_text(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *s = malloc(1 << 20);
  assert_non_null(s);
  *len = fread(s, 1, (1 << 20) - 1, f);
  s[*len] = '\0';
  fclose(f);
  return s;
}

static char tmpdir[64];

static int setup_dir(void **state) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/tt-sink-XXXXXX");
  return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown_dir(void **state) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

/* ---- records ---- */

static void test_records_go_out_whole_and_in_order(void **state) {
  int p[2];
  assert_int_equal(pipe(p), 0);
  tt_sink k;
  tt_sink_init_fd(&k, p[1]);
  for (size_t i = 0; i < 10; i++) {
    put_record(&k, i, 0, 40);
    assert_true(tt_sink_end_record(&k, 0));
  }
  assert_int_equal(tt_sink_flush(&k), 0);
  tt_sink_close(&k);
  close(p[1]);
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  char *out = NULL;
  size_t len = 0;
  drain_pipe(p[0], &out, &len);
  close(p[0]);
  assert_int_equal(len, 400);
  for (size_t i = 0; i < 10; i++) {
    char want[16];
    snprintf(want, sizeof want, "%06zu 0 x", i);
    assert_memory_equal(out + 40 * i, want, strlen(want));
    assert_int_equal(out[40 * i + 39], '\n');
  }
  free(out);
}

/* A sink started on a pipe whose read end is drained without blocking. */
typedef struct piped {
  int fd_start;
  uv_loop_t loop;
  int p[2];
  tt_sink k;
} piped;

static void piped_open(piped *t) {
  tt_test_libuv_once();
  t->fd_start = tt_test_fd_count();
  uv_loop_init(&t->loop);
  assert_int_equal(pipe(t->p), 0);
  fcntl(t->p[0], F_SETFL, O_NONBLOCK);
  tt_sink_init_fd(&t->k, t->p[1]);
  assert_int_equal(
    tt_sink_start(&t->k, &t->loop, TT_SINK_LIMIT, NULL, NULL, NULL), 0);
}

/* Runs the loop until the sink has written everything, then appends
 * what the pipe holds to *out. */
static void piped_drain(piped *t, char **out, size_t *len) {
  while (!tt_sink_idle(&t->k))
    uv_run(&t->loop, UV_RUN_ONCE);
  drain_pipe(t->p[0], out, len);
}

static void piped_close(piped *t) {
  tt_sink_close(&t->k);
  close(t->p[0]);
  close(t->p[1]);
  tt_h_assert_clean(&t->loop, t->fd_start);
}

/* A started sink hands only ended records to write(2): a flush between
 * the pieces of a record writes none of it. */
static void test_a_flush_never_splits_a_record(void **state) {
  piped t;
  piped_open(&t);
  tt_sink *k = &t.k;
  put_record(k, 1, 0, 100);
  tt_sink_end_record(k, 0);
  tt_sink_write(k, "half of a record", 16);
  tt_sink_flush(k);
  char *out = NULL;
  size_t len = 0;
  piped_drain(&t, &out, &len);
  assert_int_equal(len, 100);
  tt_sink_write(k, " and the rest\n", 14);
  tt_sink_end_record(k, 0);
  tt_sink_flush(k);
  piped_drain(&t, &out, &len);
  assert_int_equal(len, 130);
  assert_string_equal(out + 100, "half of a record and the rest\n");
  free(out);
  piped_close(&t);
}

/* Small records flushed pass after pass go to the writer in a few
 * batches, not one per pass; one record alone still goes out, the loop
 * kept alive until it has; unbound, a flush hands over at once. */
static void test_small_records_wait_to_go_in_batches(void **state) {
  piped t;
  piped_open(&t);
  tt_sink *k = &t.k;
  /* 200 records of 100 bytes, each flushed in a loop pass of its own:
   * far under a batch, and done well within the delay. */
  for (size_t i = 0; i < 200; i++) {
    put_record(k, i, 0, 100);
    tt_sink_end_record(k, 0);
    tt_sink_flush(k);
    uv_run(&t.loop, UV_RUN_NOWAIT);
  }
  char *out = NULL;
  size_t len = 0;
  piped_drain(&t, &out, &len);
  assert_int_equal(len, 200 * 100);
  /* One per pass would be 200; a slow machine may need a few more than
   * one delay for the whole loop. */
  assert_true(k->batches <= 20);

  /* A record alone: uv_run() returns only once it is written. */
  uint64_t before = k->batches;
  put_record(k, 200, 0, 100);
  tt_sink_end_record(k, 0);
  tt_sink_flush(k);
  assert_int_equal(k->batches, before); /* it waits */
  uv_run(&t.loop, UV_RUN_DEFAULT);
  assert_true(tt_sink_idle(k));
  drain_pipe(t.p[0], &out, &len);
  assert_int_equal(len, 201 * 100);

  /* Unbound (the run's end): no waiting. */
  tt_sink_unbound(k);
  put_record(k, 201, 0, 100);
  tt_sink_end_record(k, 0);
  tt_sink_flush(k);
  assert_int_equal(k->batches, before + 2);
  piped_drain(&t, &out, &len);
  assert_int_equal(len, 202 * 100);
  free(out);
  piped_close(&t);
}

/* ---- the bound ---- */

/* A reader that stalls: the loop goes on, what waits stays within the
 * bound, whole records are dropped and counted per tag, and once output
 * resumes a notice with the exact count stands where the gap is. */
/* Records of different lengths, so that a short one could slip into the
 * room a long one was dropped for. */
static size_t len_of(size_t seq) {
  return seq % 2 ? 400 : 40;
}

static void test_a_stalled_reader_costs_whole_records_counted(void **state) {
  enum { LIMIT = 8192, RECORDS = 2000, TAGS = 3 };
  tt_test_libuv_once();
  int fd_start = tt_test_fd_count();
  uv_loop_t loop;
  uv_loop_init(&loop);
  int p[2];
  assert_int_equal(pipe(p), 0);
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  fcntl(p[1], F_SETPIPE_SZ, 4096);
  tt_sink k;
  notice_log nl = { 0 };
  tt_sink_init_fd(&k, p[1]);
  assert_int_equal(tt_sink_start(&k, &loop, LIMIT, test_notice, NULL, &nl),
                   0);

  /* Nobody reads: the writer thread blocks on the full pipe. */
  size_t kept = 0;
  for (size_t i = 0; i < RECORDS; i++) {
    put_record(&k, i, i % TAGS, len_of(i));
    if (tt_sink_end_record(&k, i % TAGS))
      kept++;
    assert_true(k.len + (k.busy ? k.wlen : 0) <= LIMIT);
    if (i % 50 == 0) {
      tt_sink_flush(&k);
      uv_run(&loop, UV_RUN_NOWAIT);
    }
  }
  uint64_t dropped = tt_sink_dropped(&k);
  assert_true(dropped > 0);
  assert_int_equal(kept + dropped, RECORDS);
  uint64_t per_tag = 0;
  for (size_t t = 0; t < TAGS; t++)
    per_tag += tt_sink_dropped_tag(&k, t);
  assert_int_equal(per_tag, dropped);

  /* The reader comes back. */
  char *out = NULL;
  size_t len = 0;
  tt_sink_flush(&k);
  while (!tt_sink_idle(&k)) {
    drain_pipe(p[0], &out, &len);
    uv_run(&loop, UV_RUN_NOWAIT);
  }
  drain_pipe(p[0], &out, &len);
  assert_true(nl.calls >= 1);
  assert_int_equal(nl.total, dropped);

  /* Whole records only; in order; every gap announced, with its exact
   * size, by a notice where it is. */
  size_t records = 0, next = 0;
  uint64_t announced = 0;
  for (char *line = out; line < out + len;) {
    char *end = memchr(line, '\n', (size_t)(out + len - line));
    assert_non_null(end);
    if (strncmp(line, "DROPPED ", 8) == 0) {
      assert_int_equal(announced, 0);
      announced = strtoull(line + 8, NULL, 10);
    } else {
      size_t seq = strtoul(line, NULL, 10);
      assert_int_equal(end - line + 1, len_of(seq));
      assert_true(seq >= next);
      assert_int_equal(seq - next, announced);
      announced = 0;
      next = seq + 1;
      records++;
    }
    line = end + 1;
  }
  assert_int_equal(RECORDS - next, announced);
  assert_int_equal(records, kept);
  free(out);
  tt_sink_close(&k);
  close(p[0]);
  close(p[1]);
  tt_h_assert_clean(&loop, fd_start);
}

/* At the end of a run the bound is lifted: a pending notice goes first,
 * and nothing after it is dropped. */
static void test_unbound_says_the_loss_first_and_drops_no_more(void **state) {
  tt_test_libuv_once();
  uv_loop_t loop;
  uv_loop_init(&loop);
  int p[2];
  assert_int_equal(pipe(p), 0);
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  fcntl(p[1], F_SETPIPE_SZ, 4096);
  tt_sink k;
  notice_log nl = { 0 };
  tt_sink_init_fd(&k, p[1]);
  tt_sink_start(&k, &loop, 1024, test_notice, NULL, &nl);
  for (size_t i = 0; i < 100; i++) {
    put_record(&k, i, 7, 100);
    tt_sink_end_record(&k, 7);
    tt_sink_flush(&k);
  }
  uint64_t dropped = tt_sink_dropped(&k);
  assert_true(dropped > 0);
  tt_sink_unbound(&k);
  assert_int_equal(nl.calls, 1);
  assert_int_equal(nl.total, dropped);
  for (size_t i = 100; i < 200; i++) {
    put_record(&k, i, 7, 100);
    assert_true(tt_sink_end_record(&k, 7));
  }
  assert_int_equal(tt_sink_dropped(&k), dropped);
  assert_int_equal(tt_sink_dropped_tag(&k, 7), dropped);
  char *out = NULL;
  size_t len = 0;
  tt_sink_flush(&k);
  while (!tt_sink_idle(&k)) {
    drain_pipe(p[0], &out, &len);
    uv_run(&loop, UV_RUN_NOWAIT);
  }
  drain_pipe(p[0], &out, &len);
  char want[32];
  snprintf(want, sizeof want, "DROPPED %llu\n000100 7 ",
           (unsigned long long)dropped);
  assert_non_null(strstr(out, want));
  free(out);
  tt_sink_close(&k);
  close(p[0]);
  close(p[1]);
  assert_int_equal(tt_test_loop_close(&loop), 0);
}

/* ---- errors ---- */

/* RLIMIT_FSIZE makes a write stop part way, as a full disk does: the
 * file is cut back to its last whole line and the error kept. */
static void short_write(bool started) {
  char path[128];
  snprintf(path, sizeof path, "%s/short-%d.log", tmpdir, started);
  uv_loop_t loop;
  uv_loop_init(&loop);
  const char *what;
  tt_sink k;
  assert_int_equal(tt_sink_open(&k, path, &what), 0);
  error_log el = { 0 };
  if (started)
    tt_sink_start(&k, &loop, TT_SINK_LIMIT, NULL, test_error, &el);
  for (size_t i = 0; i < 30; i++) {
    put_record(&k, i, 0, 64);
    tt_sink_end_record(&k, 0);
  }
  struct rlimit old, small;
  getrlimit(RLIMIT_FSIZE, &old);
  small = old;
  small.rlim_cur = 1000;
  void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
  tt_sink_flush(&k);
  if (started)
    run_until(&loop, &el.done, 5000);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, prev);
  assert_int_equal(tt_sink_error(&k), -EFBIG);
  if (started) {
    assert_int_equal(el.calls, 1);
    assert_int_equal(el.error, -EFBIG);
  }
  tt_sink_close(&k);
  size_t len;
  char *text = file_text(path, &len);
  assert_int_equal(len, 15 * 64); /* 15 whole lines fit in 1000 bytes */
  assert_int_equal(text[len - 1], '\n');
  free(text);
  assert_int_equal(tt_test_loop_close(&loop), 0);
}

static void test_a_short_write_leaves_no_half_line(void **state) {
  short_write(false);
}

static void test_a_short_write_in_the_pool_leaves_no_half_line(void **state) {
  short_write(true);
}

/* /dev/full: the error is reported once, with its cause, and nothing
 * more is queued. */
static void test_a_write_error_is_reported_once(void **state) {
  tt_test_libuv_once();
  int fd_start = tt_test_fd_count();
  uv_loop_t loop;
  uv_loop_init(&loop);
  int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
  assert_true(fd >= 0);
  tt_sink k;
  error_log el = { 0 };
  tt_sink_init_fd(&k, fd);
  tt_sink_start(&k, &loop, TT_SINK_LIMIT, NULL, test_error, &el);
  put_record(&k, 1, 0, 50);
  tt_sink_end_record(&k, 0);
  tt_sink_flush(&k);
  assert_true(run_until(&loop, &el.done, 5000));
  assert_int_equal(el.error, -ENOSPC);
  put_record(&k, 2, 0, 50);
  assert_false(tt_sink_end_record(&k, 0));
  assert_int_equal(tt_sink_dropped(&k), 0); /* an error is no drop */
  assert_int_equal(tt_sink_flush(&k), -ENOSPC);
  uv_run(&loop, UV_RUN_NOWAIT);
  assert_int_equal(el.calls, 1);
  assert_true(tt_sink_idle(&k));
  tt_sink_close(&k);
  close(fd);
  tt_h_assert_clean(&loop, fd_start);
}

/* The reader of a pipe closes: seen at once, with no write to make. The
 * pipe is left blocking, as it was. */
static void test_a_reader_that_leaves_is_seen_at_once(void **state) {
  tt_test_libuv_once();
  int fd_start = tt_test_fd_count();
  uv_loop_t loop;
  uv_loop_init(&loop);
  int p[2];
  assert_int_equal(pipe(p), 0);
  tt_sink k;
  error_log el = { 0 };
  tt_sink_init_fd(&k, p[1]);
  assert_int_equal(
    tt_sink_start(&k, &loop, TT_SINK_LIMIT, NULL, test_error, &el), 0);
  assert_int_equal(fcntl(p[1], F_GETFL) & O_NONBLOCK, 0);
  close(p[0]);
  assert_true(run_until(&loop, &el.done, 5000));
  assert_int_equal(el.error, -EPIPE);
  assert_int_equal(el.calls, 1);
  tt_sink_close(&k);
  close(p[1]);
  tt_h_assert_clean(&loop, fd_start);
}

/* The reader leaves while a write to it is blocked: the watch and the
 * write both see it; the error is reported once. */
static void test_a_reader_that_leaves_mid_write_is_reported_once(void **state) {
  tt_test_libuv_once();
  int fd_start = tt_test_fd_count();
  uv_loop_t loop;
  uv_loop_init(&loop);
  int p[2];
  assert_int_equal(pipe(p), 0);
  fcntl(p[1], F_SETPIPE_SZ, 4096);
  tt_sink k;
  error_log el = { 0 };
  tt_sink_init_fd(&k, p[1]);
  tt_sink_start(&k, &loop, TT_SINK_LIMIT, NULL, test_error, &el);
  put_record(&k, 1, 0, 65536);
  tt_sink_end_record(&k, 0);
  tt_sink_flush(&k);
  assert_true(k.busy);
  close(p[0]);
  while (!tt_sink_idle(&k))
    uv_run(&loop, UV_RUN_ONCE);
  assert_int_equal(el.error, -EPIPE);
  assert_int_equal(el.calls, 1);
  tt_sink_close(&k);
  close(p[1]);
  tt_h_assert_clean(&loop, fd_start);
}

/* ---- the log's file ---- */

static void test_a_log_must_be_a_regular_file(void **state) {
  char path[128];
  const char *what;
  tt_sink k;
  int fd_start = tt_test_fd_count();

  assert_true(tt_sink_open(&k, tmpdir, &what) < 0);
  assert_string_equal(what, "a directory");

  assert_true(tt_sink_open(&k, "/dev/null", &what) < 0);
  assert_string_equal(what, "a device");

  /* A FIFO without a reader: refused at once, never waited on. */
  snprintf(path, sizeof path, "%s/fifo", tmpdir);
  assert_int_equal(mkfifo(path, 0600), 0);
  assert_true(tt_sink_open(&k, path, &what) < 0);
  assert_string_equal(what, "a FIFO");

  /* With a reader too. */
  int rd = open(path, O_RDONLY | O_NONBLOCK);
  assert_true(rd >= 0);
  assert_true(tt_sink_open(&k, path, &what) < 0);
  assert_string_equal(what, "a FIFO");
  close(rd);

  snprintf(path, sizeof path, "%s/events.log", tmpdir);
  assert_int_equal(tt_sink_open(&k, path, &what), 0);
  assert_null(what);
  tt_sink_close(&k);
  assert_int_equal(tt_test_fd_count(), fd_start);
}

/* A log that a kill left in half a line is cut back to its last whole
 * line before this run appends. */
static void test_a_log_in_half_a_line_is_cut_back(void **state) {
  char path[128];
  snprintf(path, sizeof path, "%s/torn.log", tmpdir);
  FILE *f = fopen(path, "w");
  fputs("{\"a\":1}\n{\"b\":2}\n{\"ts\":\"2026-", f);
  fclose(f);
  const char *what;
  tt_sink k;
  assert_int_equal(tt_sink_open(&k, path, &what), 0);
  tt_sink_puts(&k, "{\"c\":3}\n");
  tt_sink_end_record(&k, 0);
  tt_sink_close(&k);
  size_t len;
  char *text = file_text(path, &len);
  assert_string_equal(text, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
  free(text);
}

/* ---- JSON ---- */

static void test_json_escapes_code_points_not_bytes(void **state) {
  static const struct {
    const char *in, *want;
  } cases[] = {
    { "\xc2\x9b" "31m", "\"\\u009b31m\"" },            /* C1 CSI */
    { "\xc2\x85", "\"\\u0085\"" },                     /* C1 NEL */
    { "a\xe2\x80\xae" "b", "\"a\\u202eb\"" },          /* RLO */
    { "\xe2\x81\xa6", "\"\\u2066\"" },                 /* LRI */
    { "\xe2\x80\x8b", "\"\\u200b\"" },                 /* ZWSP */
    { "\xef\xbb\xbf", "\"\\ufeff\"" },                 /* BOM */
    { "\xe2\x80\xa8", "\"\\u2028\"" },                 /* LINE SEP */
    { "\xf3\xa0\x80\x81", "\"\\udb40\\udc01\"" },      /* TAG U+E0001 */
    { "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80",
      "\"caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80\"" }, /* text stays */
    { "\x1b[2J\x7f", "\"\\u001b[2J\\u007f\"" },
    { "q\"b\\\n\r\t", "\"q\\\"b\\\\\\n\\r\\t\"" },
    /* Malformed: each byte on its own. */
    { "\xc2", "\"\\u00c2\"" },
    { "\xff\xfe", "\"\\u00ff\\u00fe\"" },
    { "\xc0\xaf", "\"\\u00c0\\u00af\"" },              /* overlong '/' */
    { "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },   /* a surrogate */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got = json_of(cases[i].in, strlen(cases[i].in));
    if (strcmp(got, cases[i].want) != 0)
      fail_msg("case %zu: got %s, want %s", i, got, cases[i].want);
    free(got);
  }
  char *nul = json_of("a\0b", 3);
  assert_string_equal(nul, "\"a\\u0000b\"");
  free(nul);
}

static char *no_tags[1];

static void make_view(tt_view *v, tt_target *t, const char *name,
                      size_t index) {
  memset(t, 0, sizeof *t);
  t->name = (char *)name;
  t->address = (char *)"127.0.0.1:1";
  t->tags = no_tags;
  memset(v, 0, sizeof *v);
  v->target = t;
  v->index = index;
  v->state = TT_STATE_DOWN;
  tt_stats_init(&v->stats);
}

/* A target named with a C1 control: the event carries it as one code
 * point. */
static void test_json_event_of_a_c1_name(void **state) {
  tt_target t;
  tt_view v;
  make_view(&v, &t, "\xc2\x9bname", 0);
  tt_event ev = {
    .kind = TT_EVENT_HEARTBEAT, .view = &v, .ts_us = 1795597445123456ull,
    .seq = 1, .cls = TT_CLASS_REFUSED, .error = "connection refused",
  };
  tt_sink k;
  tt_sink_init_fd(&k, -1);
  tt_json_event(&k, &ev);
  char *s = held_text(&k);
  assert_string_equal(s, "{\"ts\":\"2026-11-25T09:04:05.123456Z\","
                         "\"event\":\"heartbeat\",\"target\":\"\\u009bname\","
                         "\"address\":\"127.0.0.1:1\",\"seq\":1,"
                         "\"class\":\"refused\",\"error\":"
                         "\"connection refused\"}\n");
  free(s);
  k.open = k.len = 0;
  tt_sink_close(&k);
}

/* The summary's "dropped" is what this output dropped of this target. */
static void test_summary_says_what_the_output_dropped(void **state) {
  tt_target t;
  tt_view v;
  make_view(&v, &t, "db", 2);
  uv_loop_t loop;
  uv_loop_init(&loop);
  tt_sink k;
  tt_sink_init_fd(&k, -1);
  tt_sink_start(&k, &loop, 1, NULL, NULL, NULL); /* everything drops */
  tt_event ev = {
    .kind = TT_EVENT_HEARTBEAT, .view = &v, .seq = 1,
    .cls = TT_CLASS_REFUSED, .error = "connection refused",
  };
  tt_json_event(&k, &ev);
  tt_json_event(&k, &ev);
  assert_int_equal(tt_sink_dropped_tag(&k, 2), 2);
  tt_sink_unbound(&k);
  tt_json_summary(&k, &v, 1795597445123456ull);
  char *s = held_text(&k);
  assert_non_null(strstr(s, "\"event\":\"summary\",\"target\":\"db\""));
  assert_non_null(strstr(s, ",\"skipped\":0,\"dropped\":2,\"classes\":{"));
  free(s);
  k.open = k.len = 0;
  tt_sink_close(&k);
  assert_int_equal(tt_test_loop_close(&loop), 0);
}

/* The "dropped" notices: JSON without target or address, plain a line. */
static void test_dropped_notices(void **state) {
  tt_sink k;
  tt_sink_init_fd(&k, -1);
  tt_json_notice(&k, 42, NULL);
  char *s = held_text(&k);
  char ts[32];
  assert_int_equal(sscanf(s, "{\"ts\":\"%27[0-9T:.Z-]\",", ts), 1);
  assert_int_equal(strlen(ts), 27);
  assert_string_equal(s + 7 + 27,
                      "\",\"event\":\"dropped\",\"count\":42}\n");
  free(s);
  k.open = k.len = 0;
  tt_plain_notice(&k, 1, NULL);
  tt_plain_notice(&k, 42, NULL);
  s = held_text(&k);
  char *second = strchr(s, '\n') + 1;
  /* "HH:MM:SS.mmm  " as every plain line starts. */
  assert_int_equal(s[2], ':');
  assert_int_equal(s[8], '.');
  assert_memory_equal(s + 12, "  dropped 1 event: the output could not "
                              "keep up\n", 48);
  assert_string_equal(second + 12, "  dropped 42 events: the output could "
                                   "not keep up\n");
  free(s);
  k.open = k.len = 0;
  tt_sink_close(&k);
}

int main(void) {
  /* As tether does: a reader that leaves is EPIPE, not a signal. */
  signal(SIGPIPE, SIG_IGN);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_records_go_out_whole_and_in_order),
    cmocka_unit_test(test_a_flush_never_splits_a_record),
    cmocka_unit_test(test_small_records_wait_to_go_in_batches),
    cmocka_unit_test(test_a_stalled_reader_costs_whole_records_counted),
    cmocka_unit_test(test_unbound_says_the_loss_first_and_drops_no_more),
    cmocka_unit_test(test_a_short_write_leaves_no_half_line),
    cmocka_unit_test(test_a_short_write_in_the_pool_leaves_no_half_line),
    cmocka_unit_test(test_a_write_error_is_reported_once),
    cmocka_unit_test(test_a_reader_that_leaves_is_seen_at_once),
    cmocka_unit_test(test_a_reader_that_leaves_mid_write_is_reported_once),
    cmocka_unit_test(test_a_log_must_be_a_regular_file),
    cmocka_unit_test(test_a_log_in_half_a_line_is_cut_back),
    cmocka_unit_test(test_json_escapes_code_points_not_bytes),
    cmocka_unit_test(test_json_event_of_a_c1_name),
    cmocka_unit_test(test_summary_says_what_the_output_dropped),
    cmocka_unit_test(test_dropped_notices),
  };
  return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}

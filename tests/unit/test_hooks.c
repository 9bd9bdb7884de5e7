/* test_hooks.c - on_change: the event reaches the command in TETHER_*
 * variables and nowhere else (a hostile reply or name runs nothing), a
 * limit with a bounded queue whose drops are said, a deadline that kills
 * the whole process group, every ending reported, no process and no handle
 * left behind, and heartbeats that never wait for a hook. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "configrun.h"
#include "harness.h"
#include "hooks.h"
#include "support.h"

/* ---- what the hooks reported ---------------------------------------------- */

#define MAX_REPORTS 64

typedef struct got {
  tt_hook_outcome outcome;
  char target[64];
  char text[320];
  char output[200];
  int64_t exit_status;
  int term_signal;
  int error;
  size_t dropped;
  uint64_t ran_ms;
} got;

typedef struct reports {
  got r[MAX_REPORTS];
  size_t n;
  size_t ended;    /* hooks ended or dropped, in all */
  size_t running_max;
  tt_hooks *hooks;
} reports;

static void done_cb(const tt_hook_report *r, void *arg) {
  reports *rs = arg;
  assert_true(rs->n < MAX_REPORTS);
  got *g = &rs->r[rs->n++];
  g->outcome = r->outcome;
  snprintf(g->target, sizeof g->target, "%s", r->target);
  snprintf(g->text, sizeof g->text, "%s", r->text);
  snprintf(g->output, sizeof g->output, "%s", r->output);
  g->exit_status = r->exit_status;
  g->term_signal = r->term_signal;
  g->error = r->error;
  g->dropped = r->dropped;
  g->ran_ms = r->ran_ms;
  rs->ended += r->outcome == TT_HOOK_DROPPED ? r->dropped : 1;
}

typedef struct until_ended {
  reports *rs;
  size_t n;
} until_ended;

static bool ended_enough(void *arg) {
  until_ended *u = arg;
  if (u->rs->hooks != NULL) {
    tt_hooks_stats st;
    tt_hooks_stats_get(u->rs->hooks, &st);
    if (st.running > u->rs->running_max)
      u->rs->running_max = st.running;
  }
  return u->rs->ended >= u->n;
}

static void run_until_ended(uv_loop_t *loop, reports *rs, size_t n,
                            uint64_t timeout_ms) {
  until_ended u = { rs, n };
  if (!tt_test_run_until_fn(loop, ended_enough, &u, timeout_ms))
    fail_msg("%zu hooks ended, expected %zu", rs->ended, n);
}

/* ---- a scratch directory ---------------------------------------------------- */

static char dir[64];

static void make_dir(void) {
  snprintf(dir, sizeof dir, "/tmp/tether-hooks-XXXXXX");
  assert_non_null(mkdtemp(dir));
}

static void remove_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

static bool exists(const char *name) {
  char path[160];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return stat(path, &st) == 0;
}

static char *slurp(const char *name) {
  char path[160];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *s = tt_slurp(path);
  if (s == NULL)
    fail_msg("%s was not written", path);
  return s;
}

/* ---- events made by hand ---------------------------------------------------- */

typedef struct fake {
  tt_target t;
  tt_view v;
  tt_event ev;
} fake;

static void fake_init(fake *f, const char *name, const char *command,
                      uint64_t timeout_ms) {
  memset(f, 0, sizeof *f);
  f->t.name = (char *)name;
  f->t.address = "db.example:5432";
  f->t.on_change = (char *)command;
  f->t.hook_timeout_ms = timeout_ms;
  f->v.target = &f->t;
  snprintf(f->v.ip, sizeof f->v.ip, "192.0.2.7");
  f->ev = (tt_event){ .kind = TT_EVENT_STATE, .view = &f->v,
                      .ts_us = 1764064445123456ull, .cls = TT_CLASS_REFUSED,
                      .from = TT_STATE_UP, .to = TT_STATE_DOWN,
                      .error = "connection refused" };
}

typedef struct fixture {
  uv_loop_t loop;
  int fd_start;
  tt_hooks *hooks;
  reports rs;
  bool closed;
} fixture;

static void start(fixture *f, uint32_t limit, size_t queue,
                  const char *shell) {
  memset(f, 0, sizeof *f);
  tt_test_libuv_once();
  f->fd_start = tt_test_fd_count();
  assert_int_equal(uv_loop_init(&f->loop), 0);
  tt_hooks_opts o = { .limit = limit, .queue = queue, .on_done = done_cb,
                      .arg = &f->rs, .shell = shell };
  assert_int_equal(tt_hooks_new(&f->loop, &o, &f->hooks), 0);
  f->rs.hooks = f->hooks;
}

static void closed_cb(void *arg) {
  *(bool *)arg = true;
}

static void stop(fixture *f) {
  f->rs.hooks = NULL;
  tt_hooks_close(f->hooks, closed_cb, &f->closed);
  assert_true(tt_test_run_until(&f->loop, &f->closed, 15000));
  tt_h_assert_clean(&f->loop, f->fd_start);
}

static void fire(fixture *f, const char *name, const char *command,
                 uint64_t timeout_ms) {
  fake x;
  fake_init(&x, name, command, timeout_ms);
  tt_hooks_on_event(f->hooks, &x.ev);
  /* The hook copied what it needs: x goes now. */
  memset(&x, 0xA5, sizeof x);
}

/* ---- the environment ------------------------------------------------------ */

/* Every variable of PRODUCT.md, with the event's values; a TETHER_* that
 * tether itself was given is not passed on in their place. */
static void test_the_event_is_in_the_environment(void **unused) {
  fixture f;
  char cmd[256];
  make_dir();
  setenv("TETHER_TS", "stale", 1);
  setenv("TETHER_UNRELATED", "kept", 1);
  start(&f, 0, 0, NULL);
  snprintf(cmd, sizeof cmd, "env | grep '^TETHER_' | sort > '%s/env'", dir);
  fire(&f, "db1", cmd, 5000);
  run_until_ended(&f.loop, &f.rs, 1, 5000);
  unsetenv("TETHER_TS");
  unsetenv("TETHER_UNRELATED");
  assert_int_equal(f.rs.r[0].outcome, TT_HOOK_OK);
  assert_string_equal(f.rs.r[0].target, "db1");
  char *env = slurp("env");
  assert_string_equal(env,
                      "TETHER_ADDRESS=db.example:5432\n"
                      "TETHER_CLASS=refused\n"
                      "TETHER_ERROR=connection refused\n"
                      "TETHER_FROM=up\n"
                      "TETHER_IP=192.0.2.7\n"
                      "TETHER_TARGET=db1\n"
                      "TETHER_TO=down\n"
                      "TETHER_TS=2025-11-25T09:54:05.123456Z\n"
                      "TETHER_UNRELATED=kept\n");
  free(env);
  stop(&f);
  remove_dir();
}

/* stdin is /dev/null, none of tether's descriptors (sockets, the loop's)
 * is the hook's, and its output goes to the report, never to tether's
 * own. */
static void test_a_hook_has_no_terminal(void **unused) {
  fixture f;
  char cmd[256];
  make_dir();
  /* What any child of this process gets (what the test was started
   * with), before tether's loop opens anything. */
  snprintf(cmd, sizeof cmd, "ls /proc/self/fd > '%s/before'", dir);
  assert_int_equal(system(cmd), 0);
  start(&f, 0, 0, NULL);
  snprintf(cmd, sizeof cmd,
           "cat > '%s/stdin'; ls /proc/self/fd > '%s/fds'; "
           "echo to stdout; echo to stderr >&2", dir, dir);
  fire(&f, "db1", cmd, 5000);
  run_until_ended(&f.loop, &f.rs, 1, 5000);
  assert_int_equal(f.rs.r[0].outcome, TT_HOOK_OK);
  assert_string_equal(f.rs.r[0].output, "to stderr");
  char *in = slurp("stdin"), *fds = slurp("fds"), *before = slurp("before");
  assert_string_equal(in, "");
  assert_string_equal(fds, before);
  free(in);
  free(fds);
  free(before);
  stop(&f);
  remove_dir();
}

/* ---- nothing from the network is ever a command ---------------------------- */

typedef struct engine_hooks {
  tt_hooks *hooks;
  reports rs;
} engine_hooks;

static void hook_event_cb(tt_harness *h, const tt_event *ev) {
  engine_hooks *eh = h->user;
  tt_hooks_on_event(eh->hooks, ev);
}

/* A reply that holds shell syntax, in a target whose name holds some too:
 * both reach the hook as values of variables, and nothing runs. */
static void test_a_hostile_reply_runs_nothing(void **unused) {
  tt_harness h;
  engine_hooks eh;
  char reply[256];
  make_dir();
  tt_h_setup(&h);
  memset(&eh, 0, sizeof eh);
  snprintf(reply, sizeof reply,
           "$(touch %s/pwned1) `touch %s/pwned2`; touch %s/pwned3 \"'\r\n",
           dir, dir, dir);
  tt_fault_opts fo = { .kind = TT_FAULT_RESPOND, .reply = reply };
  tt_fault *srv = tt_h_fault(&h, &fo);
  tt_h_config(&h,
              "defaults:\n  " TT_H_FAST "targets:\n"
              "  - name: \"$(touch %s/pwned4)\"\n"
              "    address: 127.0.0.1:%u\n"
              "    preset: redis\n"
              "    on_change: printf '%%s|%%s' \"$TETHER_TARGET\" "
              "\"$TETHER_ERROR\" > %s/seen\n",
              dir, tt_fault_port(srv), dir);
  tt_hooks_opts o = { .on_done = done_cb, .arg = &eh.rs };
  assert_int_equal(tt_hooks_new(&h.loop, &o, &eh.hooks), 0);
  h.user = &eh;
  h.on_event = hook_event_cb;
  tt_h_start(&h);
  run_until_ended(&h.loop, &eh.rs, 1, 10000);
  assert_int_equal(eh.rs.r[0].outcome, TT_HOOK_OK);
  char *seen = slurp("seen");
  /* The name and the reply, as the outputs show them. */
  char want[128];
  snprintf(want, sizeof want, "$(touch %s/pwned4)|", dir);
  assert_memory_equal(seen, want, strlen(want));
  assert_non_null(strstr(seen, "$(touch"));
  assert_non_null(strstr(seen, "`touch"));
  free(seen);
  for (int i = 1; i <= 4; i++) {
    char name[16];
    snprintf(name, sizeof name, "pwned%d", i);
    if (exists(name))
      fail_msg("%s/%s exists: the event ran as a command", dir, name);
  }
  bool closed = false;
  tt_hooks_close(eh.hooks, closed_cb, &closed);
  assert_true(tt_test_run_until(&h.loop, &closed, 10000));
  tt_h_teardown(&h);
  remove_dir();
}

/* ---- how hooks end ------------------------------------------------------- */

static void test_failures_are_reported(void **unused) {
  fixture f;
  start(&f, 0, 0, NULL);
  fire(&f, "a", "echo first line; echo 'it broke\033[2J' >&2; exit 3", 5000);
  run_until_ended(&f.loop, &f.rs, 1, 5000);
  fire(&f, "b", "kill -TERM $$", 5000);
  run_until_ended(&f.loop, &f.rs, 2, 5000);
  fire(&f, "c", "true", 5000);
  run_until_ended(&f.loop, &f.rs, 3, 5000);

  got *a = &f.rs.r[0], *b = &f.rs.r[1], *c = &f.rs.r[2];
  assert_int_equal(a->outcome, TT_HOOK_FAILED);
  assert_int_equal(a->exit_status, 3);
  /* The last line, escaped: no byte of it reaches a terminal raw. */
  assert_string_equal(a->output, "it broke\\x1b[2J");
  assert_string_equal(a->text, "exited with status 3: it broke\\x1b[2J");
  assert_int_equal(b->outcome, TT_HOOK_SIGNALED);
  assert_int_equal(b->term_signal, SIGTERM);
  assert_string_equal(b->text, "ended by signal 15 (Terminated)");
  assert_int_equal(c->outcome, TT_HOOK_OK);
  assert_string_equal(c->text, "exited with status 0");
  tt_hooks_stats st;
  tt_hooks_stats_get(f.hooks, &st);
  assert_int_equal(st.started, 3);
  assert_int_equal(st.ok, 1);
  assert_int_equal(st.failed, 2);
  stop(&f);
}

static void test_a_hook_that_cannot_start(void **unused) {
  fixture f;
  start(&f, 0, 0, "/nonexistent/sh");
  fire(&f, "a", "true", 5000);
  run_until_ended(&f.loop, &f.rs, 1, 5000);
  assert_int_equal(f.rs.r[0].outcome, TT_HOOK_NOT_STARTED);
  assert_int_equal(f.rs.r[0].error, UV_ENOENT);
  assert_string_equal(f.rs.r[0].text,
                      "could not start /nonexistent/sh: no such file or "
                      "directory");
  assert_string_equal(f.rs.r[0].target, "a");
  stop(&f);
}

/* The last TT_HOOK_OUTPUT bytes are kept, whatever a hook writes. */
static void test_output_is_kept_bounded(void **unused) {
  fixture f;
  start(&f, 0, 0, NULL);
  fire(&f, "a", "i=0; while [ $i -lt 20000 ]; do echo line $i; i=$((i+1)); "
                "done; exit 1", 10000);
  run_until_ended(&f.loop, &f.rs, 1, 10000);
  assert_int_equal(f.rs.r[0].outcome, TT_HOOK_FAILED);
  assert_string_equal(f.rs.r[0].output, "line 19999");
  stop(&f);
}

/* A process's state letter from /proc, or 0 when it is gone. */
static char proc_state(long pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *fp = fopen(path, "r");
  if (fp == NULL)
    return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  fclose(fp);
  buf[n] = '\0';
  const char *close = strrchr(buf, ')');
  return close != NULL && close[1] == ' ' ? close[2] : '?';
}

static bool gone_or_dead(long pid) {
  char s = proc_state(pid);
  return s == 0 || s == 'Z' || s == 'X';
}

/* A hook that hangs, and what it started in the background, are killed
 * at hook_timeout: the whole process group. The shell, tether's child,
 * is reaped. */
static void test_a_hanging_hook_is_killed_with_its_group(void **unused) {
  fixture f;
  char cmd[256];
  make_dir();
  start(&f, 0, 0, NULL);
  snprintf(cmd, sizeof cmd,
           "sleep 60 & echo $! > '%s/child'; echo $$ > '%s/shell'; "
           "echo waiting; sleep 60", dir, dir);
  uint64_t t0 = uv_now(&f.loop);
  fire(&f, "stuck", cmd, 300);
  run_until_ended(&f.loop, &f.rs, 1, 5000);
  uint64_t took = uv_now(&f.loop) - t0;
  got *g = &f.rs.r[0];
  assert_int_equal(g->outcome, TT_HOOK_TIMED_OUT);
  assert_int_equal(g->term_signal, SIGKILL);
  assert_string_equal(g->text, "killed after 300ms (hook_timeout): waiting");
  assert_true(took >= 300 && took < 2000);
  char *child = slurp("child"), *shell = slurp("shell");
  long cpid = atol(child), spid = atol(shell);
  free(child);
  free(shell);
  assert_true(cpid > 0 && spid > 0);
  /* The shell was reaped by us: not even a zombie. */
  assert_int_equal(proc_state(spid), 0);
  /* Its child died with the group (init reaps it). */
  for (int i = 0; i < 100 && !gone_or_dead(cpid); i++)
    usleep(10000);
  assert_true(gone_or_dead(cpid));
  stop(&f);
  remove_dir();
}

/* ---- the limit and the queue ---------------------------------------------- */

/* With a limit of 2 and a queue of 3, 10 state changes at once: 2 run,
 * 3 wait and run as others end, 5 are dropped: the first said at once
 * with its target, the rest in one report once the queue has room. */
static void test_limit_and_bounded_queue(void **unused) {
  fixture f;
  start(&f, 2, 3, NULL);
  for (int i = 0; i < 10; i++) {
    char name[8];
    snprintf(name, sizeof name, "t%d", i);
    fire(&f, name, "sleep 0.2", 5000);
  }
  tt_hooks_stats st;
  tt_hooks_stats_get(f.hooks, &st);
  assert_int_equal(st.running, 2);
  assert_int_equal(st.queued, 3);
  /* Said at once: the first drop, with its target. */
  assert_int_equal(f.rs.n, 1);
  assert_int_equal(f.rs.r[0].outcome, TT_HOOK_DROPPED);
  assert_string_equal(f.rs.r[0].target, "t5");
  assert_string_equal(f.rs.r[0].text, "not run: 3 hooks were already waiting");
  run_until_ended(&f.loop, &f.rs, 10, 10000);
  assert_true(f.rs.running_max <= 2);
  tt_hooks_stats_get(f.hooks, &st);
  assert_int_equal(st.started, 5);
  assert_int_equal(st.ok, 5);
  assert_int_equal(st.dropped, 5);
  size_t said = 0;
  for (size_t i = 0; i < f.rs.n; i++) {
    if (f.rs.r[i].outcome != TT_HOOK_DROPPED || i == 0)
      continue;
    said++;
    assert_int_equal(f.rs.r[i].dropped, 4);
    assert_string_equal(f.rs.r[i].text, "4 hooks not run: the queue was full");
  }
  assert_int_equal(said, 1);
  /* The first five ran, the others did not. */
  char ran[64] = "";
  for (int t = 0; t < 10; t++)
    for (size_t i = 0; i < f.rs.n; i++)
      if (f.rs.r[i].outcome == TT_HOOK_OK && f.rs.r[i].target[1] - '0' == t)
        strcat(ran, f.rs.r[i].target);
  assert_string_equal(ran, "t0t1t2t3t4");
  stop(&f);
}

/* At the end, the queue is dropped (and said), the running hooks finish. */
static void test_close_lets_running_hooks_finish(void **unused) {
  fixture f;
  start(&f, 1, 0, NULL);
  fire(&f, "a", "sleep 0.3", 5000);
  fire(&f, "b", "true", 5000);
  fire(&f, "c", "true", 5000);
  uint64_t t0 = uv_now(&f.loop);
  f.rs.hooks = NULL;
  tt_hooks_close(f.hooks, closed_cb, &f.closed);
  assert_int_equal(f.rs.n, 1);
  assert_int_equal(f.rs.r[0].outcome, TT_HOOK_DROPPED);
  assert_int_equal(f.rs.r[0].dropped, 2);
  assert_string_equal(f.rs.r[0].text, "2 hooks not run: the run ended first");
  assert_true(tt_test_run_until(&f.loop, &f.closed, 5000));
  assert_true(uv_now(&f.loop) - t0 >= 290);
  assert_int_equal(f.rs.n, 2);
  assert_int_equal(f.rs.r[1].outcome, TT_HOOK_OK);
  assert_string_equal(f.rs.r[1].target, "a");
  tt_h_assert_clean(&f.loop, f.fd_start);
}

/* tt_hooks_kill ends the running hooks at once, and says so. */
static void test_kill_ends_running_hooks(void **unused) {
  fixture f;
  start(&f, 0, 0, NULL);
  fire(&f, "a", "sleep 30", 60000);
  for (int i = 0; i < 5; i++)
    uv_run(&f.loop, UV_RUN_NOWAIT);
  tt_hooks_kill(f.hooks);
  run_until_ended(&f.loop, &f.rs, 1, 5000);
  assert_int_equal(f.rs.r[0].outcome, TT_HOOK_SIGNALED);
  assert_int_equal(f.rs.r[0].term_signal, SIGKILL);
  assert_string_equal(f.rs.r[0].text, "killed: the run ended");
  stop(&f);
}

/* Other events, and targets without a command, start nothing. */
static void test_only_state_changes_with_a_command(void **unused) {
  fixture f;
  fake x;
  start(&f, 0, 0, NULL);
  fake_init(&x, "a", "true", 1000);
  x.ev.kind = TT_EVENT_HEARTBEAT;
  tt_hooks_on_event(f.hooks, &x.ev);
  fake_init(&x, "a", NULL, 1000);
  tt_hooks_on_event(f.hooks, &x.ev);
  tt_hooks_stats st;
  tt_hooks_stats_get(f.hooks, &st);
  assert_int_equal(st.started + st.queued, 0);
  stop(&f);
}

static void test_outcome_names(void **unused) {
  assert_string_equal(tt_hook_outcome_name(TT_HOOK_OK), "ok");
  assert_string_equal(tt_hook_outcome_name(TT_HOOK_FAILED), "failed");
  assert_string_equal(tt_hook_outcome_name(TT_HOOK_SIGNALED), "signaled");
  assert_string_equal(tt_hook_outcome_name(TT_HOOK_TIMED_OUT), "timed_out");
  assert_string_equal(tt_hook_outcome_name(TT_HOOK_NOT_STARTED),
                      "not_started");
  assert_string_equal(tt_hook_outcome_name(TT_HOOK_DROPPED), "dropped");
}

static void test_the_limit_of_a_config(void **unused) {
  tt_cfgrun r;
  tt_accepts(&r, "defaults:\n  hook_limit: 9\ntargets:\n  - address: h:1\n",
             0);
  assert_int_equal(tt_hooks_limit_of(&r.cfg), 9);
  tt_run_done(&r);
  tt_accepts(&r, "targets:\n  - address: h:1\n", 0);
  assert_int_equal(tt_hooks_limit_of(&r.cfg), 4);
  tt_run_done(&r);
}

/* ---- probing never waits for hooks ------------------------------------------ */

/* Fifty slow hooks, a few at once, while a target beats every 100 ms:
 * none of its heartbeats is late or skipped. */
static void test_hooks_never_delay_heartbeats(void **unused) {
  tt_harness h;
  engine_hooks eh;
  tt_h_setup(&h);
  memset(&eh, 0, sizeof eh);
  tt_fault *srv = tt_h_serve(&h, TT_FAULT_RESPOND);
  tt_h_config(&h, "defaults:\n  interval: 100ms\n  timeout: 80ms\n"
                  "targets:\n  - { name: hb, address: \"127.0.0.1:%u\", "
                  "preset: redis }\n",
              tt_fault_port(srv));
  tt_hooks_opts o = { .limit = 4, .on_done = done_cb, .arg = &eh.rs };
  assert_int_equal(tt_hooks_new(&h.loop, &o, &eh.hooks), 0);
  tt_h_start(&h);
  for (int i = 0; i < 50; i++) {
    fake x;
    fake_init(&x, "slow", "sleep 0.1; head -c 100000 /dev/zero", 5000);
    tt_hooks_on_event(eh.hooks, &x.ev);
  }
  run_until_ended(&h.loop, &eh.rs, 50, 20000);
  const tt_view *v = tt_engine_view(h.engine, 0);
  assert_true(v->stats.sent >= 10);
  assert_int_equal(v->stats.lost, 0);
  assert_int_equal(v->stats.skipped, 0);
  bool closed = false;
  tt_hooks_close(eh.hooks, closed_cb, &closed);
  assert_true(tt_test_run_until(&h.loop, &closed, 10000));
  tt_h_teardown(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_the_event_is_in_the_environment),
    cmocka_unit_test(test_a_hook_has_no_terminal),
    cmocka_unit_test(test_a_hostile_reply_runs_nothing),
    cmocka_unit_test(test_failures_are_reported),
    cmocka_unit_test(test_a_hook_that_cannot_start),
    cmocka_unit_test(test_output_is_kept_bounded),
    cmocka_unit_test(test_a_hanging_hook_is_killed_with_its_group),
    cmocka_unit_test(test_limit_and_bounded_queue),
    cmocka_unit_test(test_close_lets_running_hooks_finish),
    cmocka_unit_test(test_kill_ends_running_hooks),
    cmocka_unit_test(test_only_state_changes_with_a_command),
    cmocka_unit_test(test_outcome_names),
    cmocka_unit_test(test_the_limit_of_a_config),
    cmocka_unit_test(test_hooks_never_delay_heartbeats),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

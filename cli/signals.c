/* signals.c - every signal whose default would end the process ends the
 * run through the loop instead; SIGHUP reloads the file. */
#include <signal.h>

#include "run.h"

/* Every signal whose default is to end the process ends the run through
 * the loop instead (libuv turns it into a callback, never an async
 * handler): summaries written, the terminal restored, the exit status of
 * the usual rule. Faults that a signal reports about the process itself
 * (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS) keep their
 * default: there is no clean end after them. SIGPIPE and SIGXFSZ are
 * ignored, so that they come back as the write errors EPIPE and EFBIG. */
typedef void (*signal_action)(tt_run *r, int signum);

static void end_on_signal(tt_run *r, int signum) {
  if (r->draining) {
    /* The run is over and an output is still being written: a reader
     * that does not read is not waited for any longer (and, at a second
     * signal, neither is the log). */
    r->drain_signals++;
    uv_stop(&r->loop);
    return;
  }
  if (r->stopping) {
    /* A second signal while the sessions close: at once. */
    r->at_once = true;
    uv_stop(&r->loop);
    return;
  }
  tt_run_stop(r);
}

static void reload_on_signal(tt_run *r, int signum) {
  /* A replay has no file to read again: a hang-up ends it. */
  if (r->stopping || r->opt.replay != NULL) {
    end_on_signal(r, signum);
    return;
  }
  tt_run_reload(r);
}

static const struct {
  int signum;
  signal_action act;
} signal_table[] = {
  { SIGINT, end_on_signal },
  { SIGTERM, end_on_signal },
  { SIGHUP, reload_on_signal },
  { SIGQUIT, end_on_signal },
  { SIGUSR1, end_on_signal },
  { SIGUSR2, end_on_signal },
  { SIGALRM, end_on_signal },
  { SIGVTALRM, end_on_signal },
  { SIGPROF, end_on_signal },
  { SIGIO, end_on_signal },
#if defined(SIGPOLL) && SIGPOLL != SIGIO
  { SIGPOLL, end_on_signal },
#endif
#ifdef SIGPWR
  { SIGPWR, end_on_signal },
#endif
#ifdef SIGSTKFLT
  { SIGSTKFLT, end_on_signal },
#endif
  { SIGXCPU, end_on_signal },
};

static void signal_cb(uv_signal_t *h, int signum) {
  tt_run *r = h->data;
  for (size_t i = 0; i < sizeof signal_table / sizeof signal_table[0]; i++) {
    if (signal_table[i].signum == signum) {
      signal_table[i].act(r, signum);
      return;
    }
  }
  end_on_signal(r, signum); /* a real-time signal */
}

/* A signal ignored when tether started stays ignored: that is how nohup
 * (SIGHUP) and a script's background jobs (SIGINT, SIGQUIT) ask for it. */
static void watch_signal(tt_run *r, int signum) {
  struct sigaction old;
  if (r->nsignals == MAX_SIGNALS ||
      (sigaction(signum, NULL, &old) == 0 && old.sa_handler == SIG_IGN))
    return;
  uv_signal_t *h = &r->signals[r->nsignals++];
  uv_signal_init(&r->loop, h);
  h->data = r;
  /* A signal the system will not let us watch keeps its default; the
   * handle, idle, closes with the others. */
  uv_signal_start(h, signal_cb, signum);
}

/* The table's signals and every real-time signal (whose default is to
 * end the process too). */
void tt_run_watch_signals(tt_run *r) {
  for (size_t i = 0; i < sizeof signal_table / sizeof signal_table[0]; i++)
    watch_signal(r, signal_table[i].signum);
  for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
    watch_signal(r, s);
}

void tt_run_unwatch_signals(tt_run *r) {
  for (size_t i = 0; i < r->nsignals; i++)
    if (!uv_is_closing((uv_handle_t *)&r->signals[i]))
      uv_close((uv_handle_t *)&r->signals[i], NULL);
  r->nsignals = 0;
}

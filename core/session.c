/* session.c - one target's probing: its slots in time, pings paired with
 * their replies, deadlines, quiet reconnects, connect-mode probes, and
 * what each result does to the state. Getting a connection is connect.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "classify.h"
#include "escape.h"
#include "judge.h"
#include "session.h"
#include "view.h"

#define container_of(ptr, type, member) \
  ((type *)((char *)(ptr) - offsetof(type, member)))

static void timer_cb(uv_timer_t *timer);
static void finish(tt_session *s);

static uint64_t now_ms(const tt_session *s) {
  return uv_now(s->engine->loop);
}

static void arm(tt_session *s, uint64_t delay_ms) {
  uv_timer_start(&s->timer, timer_cb, delay_ms, 0);
}

void tt_session_arm_at(tt_session *s, uint64_t at_ms) {
  uint64_t now = now_ms(s);
  arm(s, at_ms > now ? at_ms - now : 0);
}

static bool live(const tt_session *s) {
  return s->doing != TT_DO_FINISHED;
}

static bool persistent(const tt_session *s) {
  return s->t->mode == TT_MODE_PERSISTENT;
}

/* ---- the schedule (slots.h) ---------------------------------------------- */

/* Uses slot k for a ping or a probe, counting the slots missed before
 * it: the target's, and the engine's when the loop came to them late. */
static void use_slot(tt_session *s, uint64_t k) {
  uint64_t late;
  s->view.stats.skipped += tt_slot_use(&s->slots, k, &late);
  s->engine->skipped += late;
}

/* Sets the timer for slot k's ping or probe. */
static void arm_slot(tt_session *s, uint64_t k) {
  s->slots.timer_k = k;
  tt_session_arm_at(s, tt_slot_ms(&s->slots, k));
}

static uint32_t lead_ms(const tt_session *s) {
  return tt_slot_lead_ms(s->handshake_us, s->t->interval_ms);
}

/* Persistent: plans the next connection for the first slot not before
 * earliest, starting it a lead ahead of the slot (or at once when the
 * slot is nearer). When waited is true the slots passed over are waited
 * out on purpose (backoff), not missed. */
static void connect_for_slot(tt_session *s, uint64_t earliest, bool waited) {
  uint64_t k = tt_slot_from(&s->slots, earliest);
  uint64_t at = tt_slot_ms(&s->slots, k) - lead_ms(s);
  if (waited)
    s->slots.next_k = k;
  s->slots.aim_k = s->slots.timer_k = k;
  s->doing = TT_DO_IDLE;
  tt_session_arm_at(s, at > earliest ? at : earliest);
}

/* Connect mode: the next probe at its slot. */
static void next_probe(tt_session *s) {
  s->doing = TT_DO_IDLE;
  arm_slot(s, tt_slot_from(&s->slots, now_ms(s)));
}

/* ---- state and results -------------------------------------------------- */

/* Moves the view to the step's state, and reports it when emit. */
static void set_state(tt_session *s, const tt_step *st, tt_class cause,
                      const char *why, bool emit) {
  tt_view *v = &s->view;
  tt_view_enter_state(v, st->to, now_ms(s), tt_wall_us());
  if (!emit)
    return;

  tt_event ev = {
    .kind = TT_EVENT_STATE,
    .view = v,
    .ts_us = v->state_since_us,
    .cls = cause,
    .from = st->from,
    .to = st->to,
    .error = why,
  };
  tt_engine_emit(s->engine, &ev);
}

/* Records one heartbeat result, reports it, and moves the state; *step
 * says what it costs the connection. Returns false when the caller must
 * not go on with what it was doing: the session reached its count, or an
 * event callback stopped the engine or reconnected the target. */
static bool result(tt_session *s, uint64_t seq, tt_class cls, uint32_t rtt_us,
                   const uint32_t *reply_us, const char *detail,
                   tt_step *step) {
  tt_view *v = &s->view;
  const tt_target *t = s->t;
  uint64_t wall_us = tt_wall_us();
  tt_rules rules = { t->miss_threshold, t->rtt_warn_ms, 0,
                     (int64_t)(wall_us / 1000000) };
  if (t->tls && s->cert != NULL && s->cert->judged &&
      s->cert->not_after - rules.now < (int64_t)(t->cert_warn_ms / 1000))
    rules.cert_expires = s->cert->not_after;
  uint32_t gen = s->gen;
  char why[TT_ERROR_MAX];

  tt_view_heartbeat(v, seq, cls, rtt_us, detail);
  if (cls == TT_CLASS_OK)
    s->backoff_step = 0;

  tt_event ev = {
    .kind = TT_EVENT_HEARTBEAT,
    .view = v,
    .ts_us = wall_us,
    .seq = seq,
    .cls = cls,
    .has_rtt = cls == TT_CLASS_OK,
    .rtt_us = rtt_us,
    .has_reply = reply_us != NULL,
    .reply_us = reply_us != NULL ? *reply_us : 0,
    .has_tls = t->tls && v->cert != NULL,
    .tls_us = v->tls_us,
    .error = cls == TT_CLASS_OK ? "" : v->last_error,
  };
  *step = tt_state_step(&s->machine, &rules, cls, rtt_us);
  tt_engine_emit(s->engine, &ev);
  /* The state change is reported even when the heartbeat's callback
   * reconnected the target: the heartbeat happened. After a stop it is
   * only recorded, for the summary. */
  if (step->to != step->from) {
    tt_state_cause(step, &rules, cls, rtt_us, v->last_error, why, sizeof why);
    set_state(s, step, cls, why, live(s));
  }
  if (!live(s) || s->gen != gen)
    return false;

  uint64_t count = s->engine->opts.count;
  if (count > 0 && v->stats.sent >= count) {
    finish(s);
    return false;
  }
  return true;
}

static void late(tt_session *s, uint64_t seq, uint32_t rtt_us) {
  tt_stats_late(&s->view.stats, seq, rtt_us);
  tt_event ev = {
    .kind = TT_EVENT_LATE,
    .view = &s->view,
    .ts_us = tt_wall_us(),
    .seq = seq,
    .cls = TT_CLASS_OK,
    .has_rtt = true,
    .rtt_us = rtt_us,
    .error = "",
  };
  tt_engine_emit(s->engine, &ev);
}

/* ---- connections ---------------------------------------------------------- */

/* Lets go of the connection (it closes on its own; whatever its callbacks
 * still report is ignored) and of any connect in progress. Pings still
 * owed a reply are forgotten with it. */
static void drop_conn(tt_session *s) {
  s->gen++;
  s->upgrading = false;
  s->ping_pending = false;
  s->write_pending = false;
  s->owed = s->ping_seq + 1;
  s->greeting_bytes = 0;
  tt_framer_discard(&s->framer);
  free(s->note);
  s->note = NULL;
  tt_connect_abandon(s);
  if (s->conn != NULL) {
    tt_conn *c = s->conn;
    s->conn = NULL;
    tt_conn_let_go(c);
  }
}

/* A probe that leaves politely: the preset's goodbye ("QUIT") is sent and
 * the connection closes on its own, in its own time (never timed). */
static void drop_conn_politely(tt_session *s) {
  tt_conn *c = s->conn;
  s->conn = NULL;
  drop_conn(s);
  if (c != NULL)
    tt_transport_goodbye(s, c);
}

static uint64_t backoff_delay(tt_session *s) {
  const tt_target *t = s->t;
  uint64_t base = t->backoff_initial_ms;
  for (uint32_t i = 0; i < s->backoff_step && base < t->backoff_max_ms; i++)
    base *= 2;
  if (base > t->backoff_max_ms)
    base = t->backoff_max_ms;
  if (s->backoff_step < 64)
    s->backoff_step++;
  /* "Equal jitter": somewhere in the upper half, so that targets that
   * failed together do not retry together, yet the spacing still grows. */
  uint64_t half = base / 2;
  return base - half + tt_engine_random(s->engine) % (half + 1);
}

/* What comes after a failed heartbeat: persistent targets connect again
 * after their backoff, connect probes keep their slots. */
static void after_failure(tt_session *s) {
  if (persistent(s))
    connect_for_slot(s, now_ms(s) + backoff_delay(s), true);
  else
    next_probe(s);
}

/* A failure that ends the current attempt or connection. The result goes
 * to the ping or probe waiting for it, or else is a heartbeat of its own. */
static void fail(tt_session *s, tt_class cls, const char *detail) {
  bool owed = s->ping_pending || s->retrying;
  uint64_t seq = owed ? s->ping_seq : ++s->seq;
  tt_step step;
  if (!owed && persistent(s))
    use_slot(s, s->slots.aim_k);
  s->retrying = false;
  drop_conn(s);
  s->doing = TT_DO_IDLE;
  uv_timer_stop(&s->timer);
  if (!result(s, seq, cls, 0, NULL, detail, &step))
    return;
  after_failure(s);
}

static void fail_status(tt_session *s, int status, tt_phase phase) {
  char detail[TT_ERROR_MAX];
  tt_class cls = tt_classify(status, phase, detail, sizeof detail);
  fail(s, cls, detail);
}

void tt_session_fail(tt_session *s, tt_class cls, const char *detail) {
  fail(s, cls, detail);
}

/* Persistent: a connection that has answered was closed by the peer. It
 * is normal life (keep-alive limits, a server reload): the connection is
 * rebuilt quietly, in time for the next slot. When a ping was waiting and
 * not a byte of its reply had come, the request never reached a live
 * server: it is sent again on the new connection, as HTTP clients do on
 * a stale keep-alive connection (RFC 9112, 9.3.1). */
static void quiet_reconnect(tt_session *s, tt_class cls, const char *detail) {
  bool retry = s->ping_pending;
  s->retrying = retry;
  drop_conn(s);
  uint32_t gen = s->gen;
  s->view.stats.reconnects++;
  tt_event ev = {
    .kind = TT_EVENT_RECONNECT,
    .view = &s->view,
    .ts_us = tt_wall_us(),
    .cls = cls,
    .error = detail,
  };
  tt_engine_emit(s->engine, &ev);
  if (!live(s) || s->gen != gen)
    return;
  if (retry) {
    s->doing = TT_DO_IDLE;
    arm(s, 0);
  } else {
    connect_for_slot(s, now_ms(s), false);
  }
}

/* The peer closed (eof) or reset the connection, or a write found it
 * gone. */
void tt_session_closed(tt_session *s, tt_class cls, const char *detail) {
  if (s->doing == TT_DO_HANDSHAKE) {
    /* A handshake the server cut short failed: class tls, the way it
     * ended in the detail (the server's alert, when one came, was read
     * and judged before the close). */
    fail(s, TT_CLASS_TLS,
         cls == TT_CLASS_EOF
           ? "peer closed the connection during the TLS handshake"
           : "connection reset by peer during the TLS handshake");
    return;
  }
  bool answered = s->conn != NULL && s->conn->answered;
  if (s->doing == TT_DO_READY && answered &&
      (!s->ping_pending ||
       (!s->retrying && tt_framer_pending(&s->framer) == 0))) {
    quiet_reconnect(s, cls, detail);
    return;
  }
  if (s->doing == TT_DO_READY && !s->ping_pending && !s->retrying &&
      cls == TT_CLASS_EOF)
    detail = "peer closed the connection before answering anything";
  else if (s->doing == TT_DO_PROBING && cls == TT_CLASS_EOF)
    detail = "peer closed the connection before replying";
  fail(s, cls, detail);
}

/* ---- replies ------------------------------------------------------------ */

/* A greeting may follow other lines: SSH servers may send some before their
 * version (RFC 4253), SMTP greetings may span "220-" lines (RFC 5321). Lines
 * that do not match are skipped until one does, the deadline passes, or
 * max_reply bytes went by; the last one is remembered for the detail.
 * Returns true while the greeting is still awaited. */
static bool skip_greeting(tt_session *s, const char *re, char *data,
                          size_t n) {
  char detail[TT_ERROR_MAX];
  s->greeting_bytes += (uint32_t)(n + s->t->reply_end_len);
  if (s->note == NULL && (s->note = malloc(TT_ERROR_MAX)) == NULL) {
    fail_status(s, UV_ENOMEM, TT_PHASE_READ);
    return false;
  }
  tt_classify_mismatch(s->note, TT_ERROR_MAX, "greeting", re, data, n);
  if (s->greeting_bytes < s->t->max_reply)
    return true;
  memcpy(detail, s->note, TT_ERROR_MAX);
  fail(s, TT_CLASS_PROTOCOL, detail);
  return false;
}

/* A connect-mode probe's reply (or the handshake alone) is its result. */
static void probe_done(tt_session *s, tt_class cls, const uint32_t *reply_us,
                       const char *detail) {
  uint64_t seq = s->ping_seq;
  tt_step step;
  s->ping_pending = false;
  drop_conn_politely(s);
  s->doing = TT_DO_IDLE;
  uv_timer_stop(&s->timer);
  if (!result(s, seq, cls, s->handshake_us, reply_us, detail, &step))
    return;
  next_probe(s);
}

/* A persistent ping's reply came. Returns true while the connection goes
 * on reading. */
static bool answered(tt_session *s, uint64_t seq, tt_class cls,
                     uint32_t rtt_us, const char *detail) {
  tt_step step;
  s->ping_pending = false;
  s->write_pending = false;
  s->retrying = false;
  s->conn->answered = true;
  if (!result(s, seq, cls, cls == TT_CLASS_OK ? rtt_us : 0, NULL, detail,
              &step))
    return false;
  if (step.reconnect) {
    drop_conn(s);
    connect_for_slot(s, now_ms(s) + backoff_delay(s), true);
    return false;
  }
  arm_slot(s, s->slots.next_k);
  return true;
}

/* Handles one complete reply (without its reply_end). Returns true while
 * the connection goes on reading. */
static bool reply(tt_session *s, char *data, size_t n, uint64_t now_ns) {
  const tt_target *t = s->t;
  char detail[TT_ERROR_MAX] = "";
  bool ok = t->expect == NULL || tt_pattern_match(t->expect_pattern, data, n);

  switch (s->doing) {
  case TT_DO_PROBING: {
    if (!ok) {
      /* With nothing sent, what comes is a greeting (ssh's banner). */
      if (t->send == NULL)
        return skip_greeting(s, t->expect, data, n);
      tt_classify_mismatch(detail, sizeof detail, "reply", t->expect, data, n);
      fail(s, TT_CLASS_PROTOCOL, detail);
      return false;
    }
    uint32_t reply_us = (uint32_t)((now_ns - s->t_ready_ns) / 1000);
    tt_class cls = tt_judge_reply(t, data, n, detail, sizeof detail);
    if (cls == TT_CLASS_PROTOCOL) {
      fail(s, cls, detail);
    } else if (cls == TT_CLASS_OK && t->preset != NULL &&
               t->preset->tls_after != 0 && n > 0 &&
               data[0] == t->preset->tls_after && !t->tls) {
      /* The server now waits for a TLS handshake: one is made (not
       * judged), so that the probe can leave with close_notify rather
       * than abandon it, which servers log. */
      s->reply_us = reply_us;
      s->upgrading = true;
      tt_transport_start_tls(s, true);
    } else {
      probe_done(s, cls, &reply_us, detail);
    }
    return false;
  }

  case TT_DO_READY: {
    /* Replies pair with pings in order: this one answers the oldest ping
     * still owed a reply, whether or not that ping has timed out. */
    uint64_t seq = s->owed++;
    uint32_t rtt_us =
      (uint32_t)((now_ns - s->sent_ns[seq % s->ring_len]) / 1000);
    if (seq == s->ping_seq && s->ping_pending) {
      if (!ok) {
        tt_classify_mismatch(detail, sizeof detail, "reply", t->expect, data,
                             n);
        fail(s, TT_CLASS_PROTOCOL, detail);
        return false;
      }
      tt_class cls = tt_judge_reply(t, data, n, detail, sizeof detail);
      if (cls == TT_CLASS_PROTOCOL) {
        fail(s, cls, detail);
        return false;
      }
      return answered(s, seq, cls, rtt_us, detail);
    }
    /* The ping timed out already: its reply is late and it stays lost. A
     * late reply that does not match is not a reply to report. */
    uint32_t gen = s->gen;
    if (ok)
      late(s, seq, rtt_us);
    else
      s->view.stats.discarded_bytes += n;
    return s->doing == TT_DO_READY && s->gen == gen;
  }

  default:
    return false;
  }
}

static bool expecting(const tt_session *s) {
  switch (s->doing) {
  case TT_DO_PROBING:
    return true;
  case TT_DO_READY:
    return s->owed <= s->ping_seq;
  default:
    return false;
  }
}

static void fail_overlong(tt_session *s) {
  const tt_target *t = s->t;
  char detail[TT_ERROR_MAX];
  if (t->reply_bytes > 0) {
    snprintf(detail, sizeof detail, "reply_bytes (%u) over max_reply (%u)",
             (unsigned)t->reply_bytes, (unsigned)t->max_reply);
  } else {
    char end_esc[4 * TT_MAX_REPLY_END + 1];
    tt_escape(end_esc, sizeof end_esc, t->reply_end, t->reply_end_len,
              TT_ESC_ASCII);
    snprintf(detail, sizeof detail,
             "reply reached max_reply (%u bytes) without %s",
             (unsigned)t->max_reply, end_esc);
  }
  fail(s, TT_CLASS_PROTOCOL, detail);
}

/* Frames the plaintext of one read into replies. Bytes that come while no
 * reply is owed are discarded (and counted). */
void tt_session_feed(tt_session *s, char *data, size_t len, uint64_t now_ns) {
  tt_framer_feed(&s->framer, data, len);
  for (;;) {
    char *r;
    size_t n;
    if (!expecting(s)) {
      s->view.stats.discarded_bytes += tt_framer_discard(&s->framer);
      return;
    }
    switch (tt_framer_next(&s->framer, &r, &n)) {
    case TT_FRAME_MORE:
      return;
    case TT_FRAME_REPLY:
      if (!reply(s, r, n, now_ns))
        return;
      break;
    case TT_FRAME_OVERLONG:
      fail_overlong(s);
      return;
    case TT_FRAME_NOMEM:
      fail_status(s, UV_ENOMEM, TT_PHASE_READ);
      return;
    }
  }
}

static void send_ping(tt_session *s, uint64_t seq) {
  s->ping_seq = seq;
  s->ping_pending = true;
  s->write_pending = true;
  s->sent_ns[seq % s->ring_len] = uv_hrtime();
  s->deadline_ms = now_ms(s) + s->t->timeout_ms;
  int r = tt_transport_send(s, s->t->send, s->t->send_len, seq);
  if (r < 0) {
    fail_status(s, r, TT_PHASE_WRITE);
    return;
  }
  tt_session_arm_at(s, s->deadline_ms);
}

/* ---- the connection is there -------------------------------------------- */

void tt_session_connected(tt_session *s) {
  int r = tt_transport_start(s);
  if (r < 0) {
    fail_status(s, r, TT_PHASE_READ);
    return;
  }
  if (s->t->tls)
    tt_transport_start_tls(s, s->t->insecure);
  else
    tt_session_ready(s);
}

void tt_session_tls_done(tt_session *s) {
  if (s->upgrading) {
    uint32_t reply_us = s->reply_us;
    s->upgrading = false;
    probe_done(s, TT_CLASS_OK, &reply_us, "");
    return;
  }
  tt_session_ready(s);
}

/* The connection (TLS included) is there: the probe starts. */
void tt_session_ready(tt_session *s) {
  const tt_target *t = s->t;
  int r;
  if (persistent(s)) {
    s->doing = TT_DO_READY;
    s->owed = s->seq + 1;
    if (s->retrying) {
      /* The ping a closing connection swallowed goes out again now. */
      s->owed = s->ping_seq;
      send_ping(s, s->ping_seq);
      return;
    }
    s->ping_seq = s->seq;
    /* The first ping keeps its slot; a connection that came too late for
     * it waits for the next one, and the missed slot is counted. */
    arm_slot(s, tt_slot_from(&s->slots, now_ms(s)));
    return;
  }

  bool wants_reply = t->expect != NULL || t->reply_bytes > 0 ||
                     (t->preset != NULL && t->preset->judge != TT_JUDGE_NONE);
  if (!wants_reply) {
    probe_done(s, TT_CLASS_OK, NULL, "");
    return;
  }
  if (t->send != NULL &&
      (r = tt_transport_send(s, t->send, t->send_len, 0)) < 0) {
    fail_status(s, r, TT_PHASE_WRITE);
    return;
  }
  s->t_ready_ns = uv_hrtime();
  s->doing = TT_DO_PROBING;
  s->deadline_ms = now_ms(s) + t->timeout_ms;
  tt_session_arm_at(s, s->deadline_ms);
}

/* ---- the timer ------------------------------------------------------------ */

/* The ping's deadline passed: it stays owed, and if its reply comes after
 * all, it is late. */
static void ping_deadline(tt_session *s) {
  const tt_target *t = s->t;
  char detail[TT_ERROR_MAX];
  tt_step step;
  tt_class cls = tt_classify_deadline(
    s->write_pending ? TT_PHASE_WRITE : TT_PHASE_READ, t->timeout_ms, detail,
    sizeof detail);
  s->ping_pending = false;
  s->retrying = false;
  if (!result(s, s->ping_seq, cls, 0, NULL, detail, &step))
    return;
  if (step.reconnect) {
    drop_conn(s);
    connect_for_slot(s, now_ms(s) + backoff_delay(s), true);
    return;
  }
  arm_slot(s, s->slots.next_k);
}

/* Connect mode: a probe at its slot. */
static void probe(tt_session *s) {
  use_slot(s, tt_slot_at(&s->slots, now_ms(s)));
  s->ping_seq = ++s->seq;
  s->ping_pending = true;
  tt_connect_start(s);
}

static void timer_cb(uv_timer_t *timer) {
  tt_session *s = container_of(timer, tt_session, timer);
  char detail[TT_ERROR_MAX];
  switch (s->doing) {
  case TT_DO_IDLE:
    if (persistent(s))
      tt_connect_start(s);
    else
      probe(s);
    break;
  case TT_DO_RESOLVING:
  case TT_DO_CONNECTING:
    tt_connect_timer(s);
    break;
  case TT_DO_HANDSHAKE:
    snprintf(detail, sizeof detail, "TLS handshake not done within %llu ms",
             (unsigned long long)s->t->connect_timeout_ms);
    fail(s, TT_CLASS_TLS, detail);
    break;
  case TT_DO_PROBING:
    if (s->note != NULL) {
      /* Lines came, none of them the one expected. */
      memcpy(detail, s->note, sizeof detail);
      fail(s, TT_CLASS_PROTOCOL, detail);
      break;
    }
    tt_classify_deadline(TT_PHASE_READ, s->t->timeout_ms, detail,
                         sizeof detail);
    fail(s, TT_CLASS_TIMEOUT, detail);
    break;
  case TT_DO_READY:
    if (s->ping_pending) {
      ping_deadline(s);
      break;
    }
    use_slot(s, tt_slot_at(&s->slots, now_ms(s)));
    send_ping(s, ++s->seq);
    break;
  case TT_DO_FINISHED:
    break;
  }
}

static void finish(tt_session *s) {
  s->doing = TT_DO_FINISHED;
  s->view.finished = true;
  drop_conn(s);
  uv_timer_stop(&s->timer);
  tt_engine_session_finished(s->engine);
}

/* ---- engine entry points ------------------------------------------------ */

tt_session *tt_session_new(tt_engine *e, const tt_target *t, size_t index) {
  /* Each persistent session remembers the send time of every ping that
   * may still be answered: at most miss_threshold of them, as the
   * connection is rebuilt after miss_threshold consecutive misses. */
  uint32_t ring = t->miss_threshold + 1;
  tt_session *s = calloc(1, sizeof *s + ring * sizeof s->sent_ns[0]);
  if (s == NULL)
    return NULL;
  s->engine = e;
  s->t = t;
  s->ring_len = ring;
  s->owed = 1;
  s->doing = TT_DO_IDLE;
  tt_machine_init(&s->machine);
  tt_framer_init(&s->framer, t->reply_end, t->reply_end_len, t->reply_bytes,
                 t->max_reply);
  tt_view_init(&s->view, t, index);
  if (t->literal_family != 0 && tt_connect_literal(s) < 0) {
    tt_session_free(s);
    return NULL;
  }
  return s;
}

void tt_session_start(tt_session *s, uint64_t phase_ms) {
  tt_engine *e = s->engine;
  uint64_t now = uv_now(e->loop);
  uv_timer_init(e->loop, &s->timer);
  e->live++;
  if (s->view.stats.sent == 0 && s->view.state == TT_STATE_CONNECTING) {
    s->view.state_since_ms = now;
    s->view.state_since_us = tt_wall_us();
  }
  /* A persistent target connects at its phase and pings a lead later. */
  uint64_t lead = persistent(s) ? lead_ms(s) : 0;
  tt_slots_start(&s->slots, e->start_ms, phase_ms, s->t->interval_ms, lead,
                 now);
  tt_session_arm_at(s, s->slots.base_ms - lead);
}

/* The phase it was started at, not where its slots fall (base_ms): those
 * are a lead later, and a restart that took that for the phase would
 * move the target by a lead each time. */
uint64_t tt_session_phase(const tt_session *s) {
  return s->slots.phase_ms;
}

void tt_session_inherit(tt_session *s, const tt_session *old) {
  const tt_target *t = s->t;
  size_t index = s->view.index;
  tt_view_free(&s->view);
  tt_view_copy(&s->view, &old->view); /* old's is freed with it */
  s->view.target = t;
  s->view.index = index;
  s->view.finished = false;
  s->view.cert = NULL; /* the old session's, freed with it */
  s->machine = old->machine;
  s->seq = old->seq;
  s->ping_seq = old->seq;
  s->owed = old->seq + 1;
}

void tt_session_retarget(tt_session *s, const tt_target *t) {
  s->t = t;
  s->view.target = t;
  s->framer.end = t->reply_end;
}

void tt_session_reconnect(tt_session *s) {
  if (!live(s) || s->timer.loop == NULL)
    return;
  if (persistent(s) && s->conn != NULL)
    s->view.stats.reconnects++;
  drop_conn(s);
  s->retrying = false;
  s->backoff_step = 0;
  s->doing = TT_DO_IDLE;
  s->slots.aim_k = s->slots.timer_k = tt_slot_from(&s->slots, now_ms(s));
  arm(s, 0);
}

static void timer_close_cb(uv_handle_t *handle) {
  tt_session *s = container_of((uv_timer_t *)handle, tt_session, timer);
  tt_engine_handle_closed(s->engine);
}

/* A session that left: freed once its timer has closed. */
static void timer_free_cb(uv_handle_t *handle) {
  tt_session *s = container_of((uv_timer_t *)handle, tt_session, timer);
  tt_engine *e = s->engine;
  tt_session_free(s);
  tt_engine_handle_closed(e);
}

static void stop_with(tt_session *s, uv_close_cb cb) {
  bool started = s->timer.loop != NULL; /* tt_session_start ran */
  s->doing = TT_DO_FINISHED;
  drop_conn(s);
  if (started && !uv_is_closing((uv_handle_t *)&s->timer))
    uv_close((uv_handle_t *)&s->timer, cb);
  else if (!started && cb == timer_free_cb)
    tt_session_free(s);
}

void tt_session_stop(tt_session *s) {
  stop_with(s, timer_close_cb);
}

void tt_session_remove(tt_session *s) {
  stop_with(s, timer_free_cb);
}

void tt_session_retire(tt_session *s) {
  s->doing = TT_DO_FINISHED; /* the timer does nothing any more */
  s->gen++;
  tt_connect_abandon(s);     /* attempts in flight (few) close now */
  if (s->conn != NULL) {
    /* Its callbacks report nothing from now on; what still comes is not
     * even read. */
    s->conn->session = NULL;
    uv_read_stop((uv_stream_t *)&s->conn->tcp);
  }
}

void tt_session_close_retired(tt_session *s) {
  tt_conn *c = s->conn;
  s->conn = NULL;
  if (c != NULL)
    tt_conn_let_go(c);
  stop_with(s, timer_free_cb);
}

void tt_session_free(tt_session *s) {
  tt_view_free(&s->view);
  tt_framer_free(&s->framer);
  free(s->note);
  free(s->addrs); /* and addr_status, in the same block */
  free(s->cert);
  if (s->owned != NULL) {
    free(s->owned->name);
    free(s->owned->host);
    free(s->owned);
  }
  free(s);
}

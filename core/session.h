/* session.h - private to the engine: one target's probing state, and the
 * engine internals that sessions call back into. */
#ifndef TETHER_SESSION_H
#define TETHER_SESSION_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "engine.h"

typedef struct tt_session tt_session;

/* One TCP connection attempt. Allocated per attempt because closing is
 * asynchronous: a session may already be connecting again while its last
 * connection is still closing. Freed only in its close callback. */
typedef struct tt_conn {
  uv_tcp_t tcp;
  uv_connect_t connect_req;
  tt_session *session; /* NULL once the session has let go of it */
  tt_engine *engine;
} tt_conn;

/* What a session is doing; the timer's meaning follows from it. */
typedef enum tt_phase_s {
  TT_P_IDLE,       /* timer: the next attempt (start, backoff, next probe) */
  TT_P_RESOLVING,  /* timer: resolution deadline */
  TT_P_CONNECTING, /* timer: connect deadline */
  TT_P_GREETING,   /* persistent, banner expected; timer: reply deadline */
  TT_P_READY,      /* persistent; timer: reply deadline or next ping */
  TT_P_PROBING,    /* connect mode, reply expected; timer: reply deadline */
  TT_P_FINISHED    /* count reached or engine stopping; nothing runs */
} tt_phase_s;

struct tt_session {
  tt_view view; /* first: what front ends read */
  tt_engine *engine;
  const tt_target *t;
  uv_timer_t timer; /* the one timer: see tt_phase_s */
  tt_conn *conn;
  uv_getaddrinfo_t *gai; /* the resolution this session waits for */
  union {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
  } addr;
  bool have_addr;
  bool ping_pending;  /* the latest ping is unanswered and within deadline */
  bool write_pending; /* the latest ping is not yet fully written */
  uint8_t phase;      /* tt_phase_s */
  uint32_t misses;    /* consecutive timeouts */
  uint32_t backoff_step;
  uint32_t ring_len;  /* entries of sent_ns */
  uint32_t gen;       /* bumped whenever the connection is let go: code
                         that emitted an event checks it did not change */
  uint64_t resolved_ms;
  uint64_t seq;       /* last sequence number handed out */
  uint64_t ping_seq;  /* latest ping on this connection */
  uint64_t owed;      /* oldest ping still owed a reply: [owed, ping_seq] */
  uint64_t next_ms;   /* loop time of the next ping or probe */
  uint64_t *sent_ns;  /* send time of ping seq at [seq % ring_len] */
  uint64_t t0_ns;     /* when the connect began */
  uint32_t handshake_us;
  char *note;         /* why the greeting lines so far did not match */
  uint32_t greeting_bytes;
  char *rbuf;         /* bytes of a reply not yet ended */
  uint32_t rlen, rcap, scanned;
};

struct tt_engine {
  uv_loop_t *loop;
  const tt_config *cfg;
  tt_engine_opts opts;
  tt_session *sessions;
  size_t n;
  uint64_t *sent_slab; /* every session's sent_ns, in one allocation */
  size_t finished;
  size_t live;         /* open handles and outstanding resolutions */
  bool started;
  bool stopping;
  tt_engine_cb stopped_cb;
  void *stopped_arg;
  uint64_t rng;
  char readbuf[64 * 1024]; /* shared by every read: libuv reads one at a time */
};

/* Session entry points used by the engine. */
void tt_session_init(tt_session *s, tt_engine *e, const tt_target *t,
                     size_t index, uint64_t *sent_ns, uint32_t ring_len);
void tt_session_start(tt_session *s, uint64_t delay_ms);
void tt_session_reconnect(tt_session *s);
void tt_session_stop(tt_session *s);
void tt_session_free(tt_session *s);

/* Engine services for sessions. */
void tt_engine_emit(tt_engine *e, tt_event *ev);
void tt_engine_session_finished(tt_engine *e);
void tt_engine_handle_closed(tt_engine *e);
uint64_t tt_engine_random(tt_engine *e);

#endif

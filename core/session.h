/* session.h - private to the engine: one target's probing state, and the
 * engine internals that sessions call back into. */
#ifndef TETHER_SESSION_H
#define TETHER_SESSION_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "engine.h"
#include "frame.h"
#include "resolve.h"
#include "slots.h"
#include "state.h"
#include "tls.h"

/* Addresses of one name tried per connection (RFC 8305 alternates the
 * families through them). */
#define TT_MAX_ADDRS 8

typedef struct tt_session tt_session;

typedef union tt_sockaddr {
  struct sockaddr sa;
  struct sockaddr_in in4;
  struct sockaddr_in6 in6;
} tt_sockaddr;

/* One TCP connection attempt. Allocated per attempt because closing is
 * asynchronous: a session may already be connecting again while its last
 * connection is still closing, and attempts to several addresses of one
 * name race. Freed only in its close callback. */
typedef struct tt_conn {
  uv_tcp_t tcp;
  uv_connect_t connect_req;
  tt_session *session;   /* NULL once the session has let go of it */
  tt_engine *engine;
  struct tt_conn *next;  /* the other attempts of the same connect */
  struct tt_linger *linger; /* set while it closes politely */
  tt_tls *tls;           /* TLS over it, once the TCP handshake is done */
  uint64_t t0_ns;        /* when this attempt began */
  uint8_t addr;          /* which of the session's addresses */
  bool answered;         /* a reply to a ping came on it */
} tt_conn;

/* What a session is doing; the timer's meaning follows from it. */
typedef enum tt_doing {
  TT_DO_IDLE,       /* timer: the next attempt or probe */
  TT_DO_RESOLVING,  /* timer: the resolution's deadline */
  TT_DO_CONNECTING, /* timer: the next address's turn, or the deadline */
  TT_DO_HANDSHAKE,  /* TLS; timer: the connect deadline */
  TT_DO_READY,      /* persistent, connected; timer: the next ping or the
                       reply's deadline */
  TT_DO_PROBING,    /* connect mode, reply expected; timer: its deadline */
  TT_DO_FINISHED    /* count reached or engine stopping; nothing runs */
} tt_doing;

struct tt_session {
  tt_view view; /* first: what front ends read */
  tt_engine *engine;
  const tt_target *t;
  tt_target *owned;     /* t, when the engine made it (addresses: all) */
  uv_timer_t timer;     /* the one timer: see tt_doing */
  tt_conn *conn;        /* the connection in use */
  tt_conn *attempts;    /* connection attempts still racing */
  tt_resolve_req lookup; /* the name's, while one is pending */
  tt_sockaddr *addrs;   /* every address of the target, in trying order */
  int32_t *addr_status; /* the last attempt's result per address (in
                           the block of addrs) */
  uint8_t naddrs;
  uint8_t next_addr;    /* the next address to try */
  uint8_t doing;        /* tt_doing */
  bool ping_pending;    /* the latest ping is unanswered, within deadline */
  bool write_pending;   /* the latest ping is not yet fully written */
  bool retrying;        /* the ping is being sent again on a new
                           connection: the old one closed under it */
  bool addrs_good;      /* the last connection to these addresses worked */
  bool upgrading;       /* a TLS handshake after the reply (tls_after) */
  tt_machine machine;
  uint32_t backoff_step;
  uint32_t ring_len;    /* entries of sent_ns */
  uint32_t gen;         /* bumped whenever the connection is let go: code
                           that emitted an event checks it did not change */
  uint32_t handshake_us;
  tt_slots slots;       /* the schedule */
  uint64_t deadline_ms; /* of the connect, or of a connect probe's reply */
  uint64_t resolved_ms;
  uint64_t seq;         /* last sequence number handed out */
  uint64_t ping_seq;    /* latest ping on this connection */
  uint64_t owed;        /* oldest ping still owed a reply: [owed, ping_seq] */
  uint64_t t_ready_ns;  /* connect mode: connected, or sent, at */
  uint64_t t_tls_ns;    /* the TLS handshake began at */
  uint32_t reply_us;    /* connect mode: the reply's wait, kept while a
                           TLS upgrade follows it */
  tt_tls_info *cert;    /* the latest certificate's facts (over TLS) */
  char *note;           /* why the greeting lines so far did not match */
  uint32_t greeting_bytes;
  tt_framer framer;
  uint64_t sent_ns[];   /* send time of ping seq at [seq % ring_len] */
};

typedef struct tt_group tt_group;

/* A session that joined the running engine and waits for its phase. */
typedef struct tt_joiner {
  size_t index;
  bool announce;      /* TT_EVENT_ADDED once started (not for a restart) */
} tt_joiner;

/* A configured target: one session, or for addresses: all a group of
 * them, one per address. */
typedef struct tt_entry {
  const tt_target *t;
  size_t index;       /* the session's number, SIZE_MAX for a group */
  tt_group *group;
} tt_entry;

struct tt_engine {
  uv_loop_t *loop;
  tt_engine_opts opts;
  tt_entry *entries;   /* the config's targets, in its order */
  size_t nentries;
  /* Sessions by number, in pages of TT_PAGE numbers: a page whose
   * numbers were all given and whose sessions all left is freed (NULL),
   * so that targets that come and go for days cost nothing. */
  struct tt_page **pages;
  size_t n, cap;       /* numbers given; room in pages */
  size_t count;        /* sessions in the engine */
  /* Sessions that joined while running start once their phases are
   * known; within a batch (a reload) they wait for its end, so that all
   * of them are placed at once (phase.h). */
  tt_joiner *joining;
  size_t njoining, joining_cap;
  unsigned batch;
  /* Sessions that left while running, closed a few at a time by the idle
   * handle, from retired[retired_head] to retired[nretired - 1]. */
  tt_session **retired;
  size_t retired_head, nretired, retired_cap;
  uv_idle_t closer;    /* from start to stop */
  tt_resolver *resolver; /* from start to stop */
  struct tt_linger *lingering; /* connections closing politely */
  struct tt_tls_ctxs *tls;     /* TLS contexts, one per ca_file */
  size_t finished;
  size_t live;         /* open handles, the resolver counted as one */
  bool started;
  bool stopping;
  tt_engine_cb stopped_cb;
  void *stopped_arg;
  uint64_t rng;
  uint64_t start_ms;   /* loop time of tt_engine_start() */
  uint64_t skipped;    /* slots every session let pass, in all */
  /* Shared by every read: libuv reads one at a time. One byte more than
   * a read may fill, for the framer's slack. */
  char readbuf[64 * 1024 + 1];
  char plainbuf[64 * 1024 + 1]; /* what TLS decrypts from a read */
};

/* Session entry points used by the engine. */
tt_session *tt_session_new(tt_engine *e, const tt_target *t, size_t index);
/* Starts at the first slot of phase (within the interval, from the
 * engine's start) that is still ahead. */
void tt_session_start(tt_session *s, uint64_t phase_ms);
/* Where its slots fall within the interval. */
uint64_t tt_session_phase(const tt_session *s);
/* Takes over old's history: state, statistics, sequence numbers. */
void tt_session_inherit(tt_session *s, const tt_session *old);
/* Uses t, whose settings are all the same as its target's. */
void tt_session_retarget(tt_session *s, const tt_target *t);
void tt_session_reconnect(tt_session *s);
void tt_session_stop(tt_session *s);
/* Stops it and frees it once its handles are closed. */
void tt_session_remove(tt_session *s);
/* tt_session_remove() in two steps, for a started session that leaves a
 * running engine: retiring it is cheap and at once (nothing it owns
 * reports anything or refers to its target after it; its connection is
 * let go of but still open), closing it is what costs (a TCP close, a
 * timer out of the loop's heap) and may wait for a later loop pass. */
void tt_session_retire(tt_session *s);
void tt_session_close_retired(tt_session *s);
void tt_session_free(tt_session *s);

/* The TLS context for ca_file (NULL: the system's CAs), made the first
 * time; NULL with why in err when it cannot be. */
tt_tls_ctx *tt_engine_tls_ctx(tt_engine *e, const char *ca_file, char *err,
                              size_t n);

/* Engine services for groups (group.c). */
/* Sessions added between these two start at the second, their phases
 * placed together; batches nest. */
void tt_engine_batch_begin(tt_engine *e);
void tt_engine_batch_end(tt_engine *e);
int tt_engine_add_session(tt_engine *e, const tt_target *t, tt_target *owned,
                          size_t *index);
void tt_engine_remove_session(tt_engine *e, size_t i);
int tt_engine_replace(tt_engine *e, size_t i, const tt_target *t,
                      bool keep_stats);

/* addresses: all (group.c): every address of a name a target of its own,
 * named NAME[IP], looked up again every resolve_every; while no address
 * is known, the name itself is one target, which shows why. */
int tt_group_new(tt_engine *e, const tt_target *t, tt_group **out);
void tt_group_start(tt_group *g);
void tt_group_retarget(tt_group *g, const tt_target *t);
void tt_group_remove(tt_group *g); /* its targets leave; freed when closed */
void tt_group_stop(tt_group *g);   /* the engine stops */
void tt_group_free(tt_group *g);   /* after the engine stopped */

/* Connecting (connect.c): resolve if needed, race the addresses, and call
 * back tt_session_connected() with s->conn set, or
 * tt_session_connect_failed(). */
int tt_connect_literal(tt_session *s);
void tt_connect_start(tt_session *s);
void tt_connect_timer(tt_session *s); /* the timer fired while connecting */
void tt_connect_abandon(tt_session *s); /* attempts and lookup let go */
void tt_conn_let_go(tt_conn *c);        /* it closes on its own */
/* Lets go of c politely: bytes written, then a shutdown, and what still
 * comes read until the server closes or timeout_ms passes. */
void tt_conn_linger(tt_conn *c, const void *bytes, size_t len,
                    uint64_t timeout_ms);
void tt_conn_linger_stop(tt_engine *e); /* every polite close cut short */

/* Session services for connect.c and transport.c. */
void tt_session_connected(tt_session *s);   /* TCP is up: s->conn */
void tt_session_ready(tt_session *s);       /* ... and TLS if any: probe */
void tt_session_tls_done(tt_session *s);    /* a TLS handshake completed */
/* A failure that ends the attempt or connection, as that heartbeat's. */
void tt_session_fail(tt_session *s, tt_class cls, const char *detail);
/* The peer closed (eof) or reset the connection. */
void tt_session_closed(tt_session *s, tt_class cls, const char *detail);
/* Plaintext that came on the connection. */
void tt_session_feed(tt_session *s, char *data, size_t len, uint64_t now_ns);
void tt_session_arm_at(tt_session *s, uint64_t at_ms);

/* The transport beneath a session (transport.c): plain TCP, or TLS over
 * it; the session sees plaintext only. */
int tt_transport_start(tt_session *s);      /* reading on s->conn */
/* A TLS handshake on s->conn (judged unless insecure); the session hears
 * of it through tt_session_tls_done() or tt_session_fail(). */
void tt_transport_start_tls(tt_session *s, bool insecure);
/* Sends bytes (a ping: seq, or 0); a copy is taken. 0 or a libuv error. */
int tt_transport_send(tt_session *s, const char *data, size_t len,
                      uint64_t seq);
/* Lets go of c with the target's goodbye, closed politely (TLS:
 * close_notify). */
void tt_transport_goodbye(tt_session *s, tt_conn *c);

/* Engine services for sessions. */
/* Session number i, or NULL when it left. */
tt_session *tt_engine_session(const tt_engine *e, size_t i);
void tt_engine_emit(tt_engine *e, tt_event *ev);
void tt_engine_session_finished(tt_engine *e);
void tt_engine_handle_closed(tt_engine *e);
uint64_t tt_engine_random(tt_engine *e);

#endif

/* fault_conn.h - private to the fault servers: a server and its
 * connections, shared by fault.c (the port), fault_conn.c (connections)
 * and fault_kind.c (what each kind answers). */
#ifndef TETHER_FAULT_CONN_H
#define TETHER_FAULT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "fault.h"

#define FAULT_READ_SIZE (64u * 1024)
#define FAULT_NS_PER_MS 1000000u

typedef struct fault_conn fault_conn;
typedef struct fault_reply fault_reply;

struct fault_conn {
  uv_tcp_t tcp;
  uv_timer_t timer;      /* the head reply's due time; CLOSE's linger */
  uv_shutdown_t shutdown;
  tt_fault *fault;
  fault_conn *prev, *next;
  char *in;              /* input not yet taken as requests */
  size_t in_len, in_cap;
  size_t scan;           /* where to look for request_end next */
  fault_reply *head, *tail;
  size_t queued;         /* reply bytes (plus bookkeeping) not yet written */
  uint64_t nreq;
  int pending;           /* handles not yet closed */
  bool closing;
  bool reading;
  bool draining;         /* CLOSE: FIN sent, reading until the peer's */
  bool end_after_write;  /* close_after: end once the last reply is out */
};

struct tt_fault {
  uv_loop_t *loop;
  tt_fault_kind kind;
  char *banner;
  size_t banner_len;
  char *reply;
  size_t reply_len;
  char *end;
  size_t end_len;
  char *oversize;
  uint32_t delay_ms, jitter_ms, every, period_ms, size;
  uint32_t close_after, drop_after;
  bool close_reset, drop_partial;
  uint64_t rng;
  struct sockaddr_storage addr; /* the port is filled in by the first bind */
  uv_timer_t timer;             /* FLAP's period */
  uv_tcp_t *listener;           /* NULL while not listening */
  int hold_fd;                  /* bound, not listening: refuses; or -1 */
  int stall_fd;                 /* STALL's listener that never accepts */
  int stall_client[2];          /* the connects that fill its queue */
  fault_conn *conns;
  uint64_t accepted, requests;
  unsigned pending;             /* the timer, listeners, connections */
  bool paused;
  bool closing;
  char rbuf[FAULT_READ_SIZE];   /* read_cb consumes it before the next read */
};

/* ---- fault.c ---- */

/* Frees the server once it is closing and its last handle has closed. */
void tt_fault_maybe_free(tt_fault *f);

/* ---- fault_conn.c ---- */

/* The listener's callback: a new connection, served as f->kind says. */
void tt_fault_connection_cb(uv_stream_t *server, int status);

/* Ends a connection, with a reset (RST) or a normal close. Replies that
 * were not handed to libuv yet are dropped; those being written come back
 * to their callbacks as cancelled before the close callbacks run. */
void tt_fault_conn_end(fault_conn *c, bool reset);

/* Queues an answer due at due_ns (on uv_hrtime()); split: it goes a byte
 * at a time, delay_ms apart. copy: the reply keeps its own bytes. */
int tt_fault_conn_enqueue(fault_conn *c, const char *data, size_t len,
                          uint64_t due_ns, bool split, bool copy);

/* Closes politely (CLOSE, close_after, drop_after): the FIN goes out now,
 * and the connection ends once the client's own comes, or a while later. */
void tt_fault_conn_drain(fault_conn *c);

/* ---- fault_kind.c ---- */

/* Whether the kind ever writes; one that does not sends no banner either. */
bool tt_fault_writes(tt_fault_kind kind);

/* One framed request (request_end included): the reply the kind gives it,
 * or the connection's end. */
void tt_fault_conn_request(fault_conn *c, const char *req, size_t len);

#endif

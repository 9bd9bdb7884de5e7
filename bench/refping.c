/* refping.c - the benchmark's reference pinger: N persistent loopback
 * connections on plain libuv, one "PING\r\n" per interval each, nothing else.
 *
 *   refping -p PORT -n N -d SECONDS [-i INTERVAL_MS]
 *
 * It is the floor tether is measured against, so it does what tether's
 * heartbeat must do and no more: connections start spread evenly over the
 * first interval (connection i at interval * i / N, as tether's engine
 * does), each pings at once when connected and then every interval on a
 * fixed cadence, and replies pair with pings in order. RTT is measured
 * exactly as tether measures it: uv_hrtime() just before uv_write, and
 * uv_hrtime() first thing in the read callback. There are no deadlines, no
 * reconnects, no output but the totals at exit: a ping still unanswered
 * when the next one is due counts as lost.
 *
 * The totals are one line of key=value pairs on stdout. Percentiles are
 * nearest-rank over every RTT sample, in whole microseconds, kept in a
 * fixed table (only its touched pages cost memory), so that memory does
 * not grow with the duration. */
#define _POSIX_C_SOURCE 200809L /* getopt, and the pthread types uv.h needs */
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#define PING "PING\r\n"
#define RING 4               /* send times kept per connection */
#define RTT_TABLE_US 1000000 /* RTTs from 1 s up share the last slot */

#define container_of(ptr, type, member) \
  ((type *)((char *)(ptr) - offsetof(type, member)))

typedef struct pinger {
  uv_tcp_t tcp;
  uv_timer_t timer;
  uv_connect_t connect_req;
  uv_write_t write_req;
  uint64_t sent_ns[RING]; /* send time of ping seq at [seq % RING] */
  uint64_t seq;           /* pings sent */
  uint64_t owed;          /* oldest ping not yet answered */
  uint64_t lost_upto;     /* pings up to this one were declared lost */
  uint64_t next_ms;       /* loop time the next ping is due */
  uint8_t started;        /* the connect was issued */
  uint8_t writing;        /* write_req is in use */
  uint8_t linelen;        /* bytes of the current reply line kept */
  char line[6];           /* enough to check "+PONG" */
} pinger;

static uv_loop_t *loop;
static pinger *pingers;
static size_t npingers;
static uint64_t interval_ms = 1000;
static struct sockaddr_in server_addr;
static uv_timer_t stop_timer;
static uv_signal_t sigint, sigterm;
static char readbuf[64 * 1024]; /* libuv reads one stream at a time */
static uint32_t *rtt_hist;      /* count of RTTs per whole microsecond */
static int stopping;

static struct {
  uint64_t connected, connect_errors, closed_by_peer, sent, ok, lost, late,
    bad, skipped;
} tot;

static void ping_cb(uv_timer_t *t);

static void write_cb(uv_write_t *req, int status) {
  pinger *p = container_of(req, pinger, write_req);
  p->writing = 0;
  (void)status; /* a failed write shows up as a lost ping */
}

/* One heartbeat: write the ping, then arm the timer for the next slot. */
static void send_ping(pinger *p) {
  uint64_t now = uv_now(loop);
  /* The previous pings still unanswered are lost; their replies, should
   * they come, are late and never credited to a later ping. */
  if (p->owed <= p->seq && p->lost_upto < p->seq) {
    uint64_t first = p->owed > p->lost_upto ? p->owed : p->lost_upto + 1;
    tot.lost += p->seq - first + 1;
    p->lost_upto = p->seq;
  }
  if (p->writing || p->seq + 1 - p->owed >= RING) {
    tot.skipped++; /* never on loopback; keeps the ring consistent */
  } else {
    uint64_t seq = ++p->seq;
    uv_buf_t b = uv_buf_init(PING, sizeof PING - 1);
    p->sent_ns[seq % RING] = uv_hrtime();
    if (uv_write(&p->write_req, (uv_stream_t *)&p->tcp, &b, 1, write_cb) == 0)
      p->writing = 1;
    tot.sent++;
  }
  /* A fixed cadence, as tether keeps; after a stall, skip what was missed. */
  p->next_ms += interval_ms;
  if (p->next_ms <= now)
    p->next_ms = now + interval_ms;
  uv_timer_start(&p->timer, ping_cb, p->next_ms - now, 0);
}

static void record_rtt(uint64_t ns) {
  uint64_t us = ns / 1000;
  rtt_hist[us < RTT_TABLE_US ? us : RTT_TABLE_US]++;
}

static void reply(pinger *p, uint64_t now_ns) {
  if (p->owed > p->seq) {
    tot.bad++; /* a reply nobody asked for */
    return;
  }
  uint64_t seq = p->owed++;
  if (p->linelen < 5 || memcmp(p->line, "+PONG", 5) != 0) {
    tot.bad++;
    return;
  }
  if (seq <= p->lost_upto) {
    tot.late++;
    return;
  }
  tot.ok++;
  record_rtt(now_ns - p->sent_ns[seq % RING]);
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  (void)h;
  (void)hint;
  buf->base = readbuf;
  buf->len = sizeof readbuf;
}

static void read_cb(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf) {
  uint64_t now_ns = uv_hrtime(); /* first, as in tether */
  pinger *p = container_of((uv_tcp_t *)st, pinger, tcp);
  if (nread < 0) {
    tot.closed_by_peer++;
    uv_read_stop(st);
    uv_timer_stop(&p->timer);
    return;
  }
  for (ssize_t i = 0; i < nread; i++) {
    char c = buf->base[i];
    if (c == '\n') {
      reply(p, now_ns);
      p->linelen = 0;
    } else if (p->linelen < sizeof p->line) {
      p->line[p->linelen++] = c;
    }
  }
}

static void connect_cb(uv_connect_t *req, int status) {
  pinger *p = container_of(req, pinger, connect_req);
  if (status < 0) {
    if (status != UV_ECANCELED)
      tot.connect_errors++;
    return;
  }
  tot.connected++;
  uv_read_start((uv_stream_t *)&p->tcp, alloc_cb, read_cb);
  p->next_ms = uv_now(loop);
  send_ping(p);
}

static void ping_cb(uv_timer_t *t) {
  pinger *p = container_of(t, pinger, timer);
  if (!p->started) {
    /* The first firing is the start slot: connect. */
    p->started = 1;
    uv_tcp_init(loop, &p->tcp);
    uv_tcp_nodelay(&p->tcp, 1); /* as tether sets it */
    if (uv_tcp_connect(&p->connect_req, &p->tcp,
                       (const struct sockaddr *)&server_addr, connect_cb) < 0)
      tot.connect_errors++;
    return;
  }
  send_ping(p);
}

static void close_walk_cb(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

static void stop(void) {
  if (stopping)
    return;
  stopping = 1;
  uv_walk(loop, close_walk_cb, NULL);
}

static void stop_cb(uv_timer_t *t) {
  (void)t;
  stop();
}

static void signal_cb(uv_signal_t *s, int signum) {
  (void)s;
  (void)signum;
  stop();
}

/* Nearest rank: the smallest value with at least q% of samples at or
 * below it. */
static uint64_t percentile(uint64_t n, double q) {
  if (n == 0)
    return 0;
  uint64_t rank = (uint64_t)(q / 100.0 * (double)n);
  if ((double)rank < q / 100.0 * (double)n)
    rank++;
  if (rank == 0)
    rank = 1;
  uint64_t seen = 0;
  for (uint64_t us = 0; us <= RTT_TABLE_US; us++) {
    seen += rtt_hist[us];
    if (seen >= rank)
      return us;
  }
  return RTT_TABLE_US;
}

static void usage(void) {
  fprintf(stderr, "usage: refping -p PORT -n N -d SECONDS [-i INTERVAL_MS]\n");
  exit(2);
}

int main(int argc, char **argv) {
  long port = -1, n = -1;
  double seconds = -1;
  int opt;
  while ((opt = getopt(argc, argv, "p:n:d:i:")) != -1) {
    switch (opt) {
    case 'p':
      port = atol(optarg);
      break;
    case 'n':
      n = atol(optarg);
      break;
    case 'd':
      seconds = atof(optarg);
      break;
    case 'i':
      interval_ms = (uint64_t)atol(optarg);
      break;
    default:
      usage();
    }
  }
  if (optind != argc || port <= 0 || port > 65535 || n <= 0 || seconds <= 0 ||
      interval_ms == 0)
    usage();
  signal(SIGPIPE, SIG_IGN);

  loop = uv_default_loop();
  npingers = (size_t)n;
  pingers = calloc(npingers, sizeof *pingers);
  rtt_hist = calloc(RTT_TABLE_US + 1, sizeof *rtt_hist);
  if (pingers == NULL || rtt_hist == NULL) {
    fprintf(stderr, "refping: out of memory\n");
    return 1;
  }
  uv_ip4_addr("127.0.0.1", (int)port, &server_addr);
  for (size_t i = 0; i < npingers; i++) {
    pinger *p = &pingers[i];
    p->owed = 1; /* pings are numbered from 1 */
    uv_timer_init(loop, &p->timer);
    uv_timer_start(&p->timer, ping_cb, interval_ms * i / npingers, 0);
  }
  uv_timer_init(loop, &stop_timer);
  uv_timer_start(&stop_timer, stop_cb, (uint64_t)(seconds * 1000), 0);
  uv_signal_init(loop, &sigint);
  uv_signal_start(&sigint, signal_cb, SIGINT);
  uv_signal_init(loop, &sigterm);
  uv_signal_start(&sigterm, signal_cb, SIGTERM);

  uv_run(loop, UV_RUN_DEFAULT);

  printf("refping n=%zu connected=%" PRIu64 " connect_errors=%" PRIu64
         " closed_by_peer=%" PRIu64 " sent=%" PRIu64 " heartbeats=%" PRIu64
         " ok=%" PRIu64 " lost=%" PRIu64 " late=%" PRIu64 " bad=%" PRIu64
         " skipped=%" PRIu64 " p50_us=%" PRIu64 " p99_us=%" PRIu64 "\n",
         npingers, tot.connected, tot.connect_errors, tot.closed_by_peer,
         tot.sent, tot.ok + tot.lost, tot.ok, tot.lost, tot.late, tot.bad,
         tot.skipped, percentile(tot.ok, 50), percentile(tot.ok, 99));
  int rc = uv_loop_close(loop) == 0 ? 0 : 1;
  free(pingers);
  free(rtt_hist);
  return rc;
}

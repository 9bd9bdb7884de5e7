/* dnsd.h - a name server for tests, on the test's loop: answers A and AAAA
 * queries from a small table, says NXDOMAIN, or never answers at all. */
#ifndef TETHER_TEST_DNSD_H
#define TETHER_TEST_DNSD_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef enum tt_dnsd_kind {
  TT_DNSD_ANSWER,   /* the addresses listed (none: an empty answer) */
  TT_DNSD_NXDOMAIN, /* no such name (also every name not in the table) */
  TT_DNSD_SILENT    /* reads the query and never answers */
} tt_dnsd_kind;

typedef struct tt_dnsd_name {
  const char *name;  /* compared without regard to case */
  tt_dnsd_kind kind;
  const char *addrs; /* "192.0.2.1 2001:db8::1 ...": A and AAAA answers */
} tt_dnsd_name;

#define TT_DNSD_NAMES 64

typedef struct tt_dnsd {
  uv_udp_t udp;
  const tt_dnsd_name *names;
  size_t n;
  uint64_t queries[TT_DNSD_NAMES]; /* received, per name in the table */
  uint64_t others;                 /* received for names not in it */
  char buf[1500];
} tt_dnsd;

/* Serves names[0..n) on 127.0.0.1, any free port. Returns 0 or a libuv
 * error. names must outlive the server. */
int tt_dnsd_start(uv_loop_t *loop, tt_dnsd *d, const tt_dnsd_name *names,
                  size_t n);

/* "127.0.0.1:PORT", for tt_resolver_set_servers(). */
void tt_dnsd_address(const tt_dnsd *d, char *buf, size_t len);

/* Queries received for name (A and AAAA alike). */
uint64_t tt_dnsd_queries(const tt_dnsd *d, const char *name);

/* Closes the socket; run the loop afterwards. */
void tt_dnsd_close(tt_dnsd *d);

#endif

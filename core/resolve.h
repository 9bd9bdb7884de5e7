/* resolve.h - names to every address, on the loop: lookups that never
 * block, are shared by every target naming the same host, and stop at once. */
#ifndef TETHER_RESOLVE_H
#define TETHER_RESOLVE_H

#include <netinet/in.h>
#include <stddef.h>
#include <uv.h>

#include "tether.h"

/* At most this many addresses of a name are handed on (see tt_resolve). */
#define TT_RESOLVE_MAX 16

/* One address of a name; its port is 0. */
typedef union tt_addr {
  struct sockaddr sa;
  struct sockaddr_in in4;
  struct sockaddr_in6 in6;
} tt_addr;

typedef struct tt_resolver tt_resolver;
typedef struct tt_resolve_req tt_resolve_req;
typedef struct tt_resolve_query tt_resolve_query;

/* status is 0 with n >= 1 addresses, or a negative libuv error with none:
 * UV_EAI_NONAME (no such name), UV_EAI_NODATA (no address of the family
 * asked for), UV_EAI_AGAIN (no name server answered), UV_EAI_FAIL (a name
 * server failed), UV_EAI_ADDRFAMILY (an IP literal of the other family),
 * UV_ENOMEM, or UV_EAI_CANCELED when the resolver was closed first.
 * tt_classify(status, TT_PHASE_RESOLVE, ...) makes every one but UV_ENOMEM
 * class dns. addrs is valid only during the callback: copy what is kept.
 * req is free again when the callback runs and may be reused from it. */
typedef void (*tt_resolve_cb)(tt_resolve_req *req, int status,
                              const tt_addr *addrs, size_t n);

/* A lookup the caller waits for, owned by the caller (embed it). It must
 * stay in place from tt_resolve() until its callback or its cancel, and
 * start zeroed (as in calloc'd memory), so that a cancel before any
 * tt_resolve() finds nothing pending. */
struct tt_resolve_req {
  void *data; /* the caller's */
  /* Private. */
  tt_resolve_cb cb;
  tt_resolve_query *query; /* NULL when no lookup is pending */
  tt_resolve_req *prev, *next;
};

/* A resolver on loop, reading /etc/resolv.conf, /etc/hosts and the hosts
 * line of /etc/nsswitch.conf now. Returns 0 or a negative libuv error. */
int tt_resolver_new(uv_loop_t *loop, tt_resolver **out);

/* Uses these name servers instead of /etc/resolv.conf's: "ADDR[:PORT],..."
 * with IPv6 addresses in brackets when a port is given. Only while no
 * lookup is in flight. Returns 0, UV_EINVAL or UV_EBUSY. */
int tt_resolver_set_servers(tt_resolver *r, const char *servers);

/* Looks host up for family and calls cb from the loop later with every
 * address found, never from within this call. Lookups of the same host
 * (case aside) and family that overlap share one query. An IP literal is
 * answered as itself. req must not be pending already. Returns 0, or a
 * negative libuv error without calling cb: UV_EINVAL (empty or over-long
 * host, the resolver is closing), UV_ENOMEM.
 *
 * Addresses come in the resolver's order of preference (RFC 6724, as
 * c-ares sorts them), without duplicates. When a name has more than
 * TT_RESOLVE_MAX, each family keeps at least half of the places it can
 * fill, so that both remain to be tried. */
int tt_resolve(tt_resolver *r, tt_resolve_req *req, const char *host,
               tt_family family, tt_resolve_cb cb);

/* Forgets req: its callback will not run, and the resolver holds no
 * reference to it once this returns, so it may be freed at once. Other
 * requests, for this host or any other, go on unchanged. Harmless when req
 * is not pending. */
void tt_resolve_cancel(tt_resolve_req *req);

/* Stops every lookup, closes every handle and frees r. Requests still
 * pending get their callback with UV_EAI_CANCELED first (as libuv does for
 * the requests of a closed handle); then closed_cb(arg) runs, from the
 * last close callback, with r already freed. After it, nothing of the
 * resolver is left on the loop. A second call does nothing. */
void tt_resolver_close(tt_resolver *r, void (*closed_cb)(void *arg),
                       void *arg);

/* How the engine uses it:
 *
 * - One resolver per engine, made with the engine and closed when the
 *   engine stops; the engine's stop completes in closed_cb (count it as one
 *   more live handle).
 * - Each session embeds a tt_resolve_req. A name (not a literal) is looked
 *   up with tt_resolve(); the session's own connect_timeout deadline runs
 *   around it, and when that fires, or the session stops or is removed,
 *   tt_resolve_cancel() ends the wait at once. No count of outstanding
 *   lookups is needed: after a cancel nothing refers to the session.
 * - The callback copies the addresses it keeps into the session, sets the
 *   port, and tries them in turn, IPv6 and IPv4 alternating from addrs[0]
 *   (RFC 8305). A failure goes to tt_classify() in TT_PHASE_RESOLVE.
 * - UV_EAI_CANCELED only comes when the resolver closes while a request is
 *   pending, which an engine that cancels its sessions' lookups first never
 *   sees; treat it as a stop, not a heartbeat. */

#endif

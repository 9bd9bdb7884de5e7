/* judge.h - what a reply in a preset's own protocol says of the service:
 * well (ok), "not well" (unhealthy: a 503, an SMTP 4xx, redis -LOADING),
 * or that it is not that protocol at all. */
#ifndef TETHER_JUDGE_H
#define TETHER_JUDGE_H

#include <stddef.h>

#include "config.h"

/* Judges a complete reply of target t (its reply_end removed). Returns
 * TT_CLASS_OK, or TT_CLASS_UNHEALTHY or TT_CLASS_PROTOCOL with a detail
 * for people in detail (the status line quoted, escaped). */
tt_class tt_judge_reply(const tt_target *t, const char *reply, size_t n,
                        char *detail, size_t dn);

/* "200-399" or "200, 204, 301-308": the accepted statuses of t. */
void tt_judge_status_list(const tt_target *t, char *buf, size_t n);

#endif

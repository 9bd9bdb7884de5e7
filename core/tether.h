/* tether.h - the vocabulary every part of tether shares: error classes,
 * session states and probe modes, with their public names. */
#ifndef TETHER_TETHER_H
#define TETHER_TETHER_H

#include <stddef.h>
#include <stdint.h>

#define TT_VERSION "0.1.0"

/* Error classes, in the order of PRODUCT.md. The names are public interface
 * (JSON "class", the dashboard's ERR column). */
typedef enum tt_class {
  TT_CLASS_OK = 0,
  TT_CLASS_DNS,
  TT_CLASS_REFUSED,
  TT_CLASS_UNREACHABLE,
  TT_CLASS_CONNECT_TIMEOUT,
  TT_CLASS_TIMEOUT,
  TT_CLASS_WRITE_TIMEOUT,
  TT_CLASS_EOF,
  TT_CLASS_RESET,
  TT_CLASS_PROTOCOL,
  TT_CLASS_UNHEALTHY,
  TT_CLASS_TLS,
  TT_CLASS_ERROR,
  TT_CLASS_COUNT
} tt_class;

/* Session states. The enum order is "best first" so that sorting by state
 * can rank worst first by comparing the values in reverse. */
typedef enum tt_state {
  TT_STATE_UP = 0,
  TT_STATE_DEGRADED,
  TT_STATE_CONNECTING,
  TT_STATE_DOWN,
  TT_STATE_COUNT
} tt_state;

typedef enum tt_mode {
  TT_MODE_UNSET = 0,
  TT_MODE_PERSISTENT,
  TT_MODE_CONNECT
} tt_mode;

typedef enum tt_family {
  TT_FAMILY_AUTO = 0,
  TT_FAMILY_IPV4,
  TT_FAMILY_IPV6
} tt_family;

/* What a target does with the addresses of its name. */
typedef enum tt_addresses {
  TT_ADDRESSES_ANY = 0, /* one connection, to the first that answers */
  TT_ADDRESSES_ALL      /* every address is a target of its own */
} tt_addresses;

const char *tt_class_name(tt_class c);
const char *tt_state_name(tt_state s);
const char *tt_mode_name(tt_mode m);
const char *tt_family_name(tt_family f);
const char *tt_addresses_name(tt_addresses a);

/* Reverse lookups; return 0 and set *out, or -1 when the name is unknown. */
int tt_class_from_name(const char *name, tt_class *out);

#endif

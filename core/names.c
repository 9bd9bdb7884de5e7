/* names.c - the public names of classes, states, modes and families: the
 * spellings that JSON, the dashboard and the config share. */
#include <string.h>

#include "tether.h"

static const char *const class_names[TT_CLASS_COUNT] = {
  [TT_CLASS_OK] = "ok",
  [TT_CLASS_DNS] = "dns",
  [TT_CLASS_REFUSED] = "refused",
  [TT_CLASS_UNREACHABLE] = "unreachable",
  [TT_CLASS_CONNECT_TIMEOUT] = "connect_timeout",
  [TT_CLASS_TIMEOUT] = "timeout",
  [TT_CLASS_WRITE_TIMEOUT] = "write_timeout",
  [TT_CLASS_EOF] = "eof",
  [TT_CLASS_RESET] = "reset",
  [TT_CLASS_PROTOCOL] = "protocol",
  [TT_CLASS_UNHEALTHY] = "unhealthy",
  [TT_CLASS_TLS] = "tls",
  [TT_CLASS_ERROR] = "error",
};

static const char *const state_names[TT_STATE_COUNT] = {
  [TT_STATE_UP] = "up",
  [TT_STATE_DEGRADED] = "degraded",
  [TT_STATE_CONNECTING] = "connecting",
  [TT_STATE_DOWN] = "down",
};

static const char *const mode_names[] = {
  [TT_MODE_UNSET] = "unset",
  [TT_MODE_PERSISTENT] = "persistent",
  [TT_MODE_CONNECT] = "connect",
};

static const char *const family_names[] = {
  [TT_FAMILY_AUTO] = "auto",
  [TT_FAMILY_IPV4] = "ipv4",
  [TT_FAMILY_IPV6] = "ipv6",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, unsigned i) {
  return i < n ? names[i] : "?";
}

static int index_of(const char *const *names, size_t n, const char *name,
                    unsigned *out) {
  for (unsigned i = 0; i < n; i++) {
    if (strcmp(names[i], name) == 0) {
      *out = i;
      return 0;
    }
  }
  return -1;
}

const char *tt_class_name(tt_class c) {
  return name_of(class_names, COUNT(class_names), c);
}

const char *tt_state_name(tt_state s) {
  return name_of(state_names, COUNT(state_names), s);
}

const char *tt_mode_name(tt_mode m) {
  return name_of(mode_names, COUNT(mode_names), m);
}

const char *tt_family_name(tt_family f) {
  return name_of(family_names, COUNT(family_names), f);
}

static const char *const addresses_names[] = {
  [TT_ADDRESSES_ANY] = "any",
  [TT_ADDRESSES_ALL] = "all",
};

const char *tt_addresses_name(tt_addresses a) {
  return name_of(addresses_names, COUNT(addresses_names), a);
}

int tt_class_from_name(const char *name, tt_class *out) {
  unsigned i;
  if (index_of(class_names, COUNT(class_names), name, &i) != 0)
    return -1;
  *out = (tt_class)i;
  return 0;
}


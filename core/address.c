/* address.c - reading "host:port" and "[v6]:port" as people write them, with
 * the mistakes they make (a bare IPv6 address, a URL) named clearly. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "address.h"
#include "escape.h"

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int tt_port_parse(const char *s, uint16_t *port, const char **why) {
  unsigned long v = 0;

  if (s == NULL || s[0] == '\0') {
    *why = "is empty";
    return -1;
  }
  for (const char *p = s; *p != '\0'; p++) {
    if (!is_digit(*p)) {
      *why = "must be a number from 1 to 65535";
      return -1;
    }
    /* Leading zeros are read as decimal; the bound stops the growth. */
    if (v <= 65535)
      v = v * 10 + (unsigned long)(*p - '0');
  }
  if (v < 1 || v > 65535) {
    *why = "must be from 1 to 65535";
    return -1;
  }
  *port = (uint16_t)v;
  return 0;
}

/* Why a host name or IPv4 literal was refused, worded once for a host on
 * its own and once for the host part of an address. */
#define UNSAFE_WHY \
  "must be UTF-8 without invisible or bidirectional characters"

enum host_problem {
  HOST_EMPTY,
  HOST_TOO_LONG,
  HOST_BAD_CHAR,
  HOST_UNSAFE,
  HOST_EQUALS,
  HOST_BAD_IPV4
};

static const char *const host_why[] = {
  [HOST_EMPTY] = "is empty",
  [HOST_TOO_LONG] = "is longer than 253 bytes",
  [HOST_BAD_CHAR] = "must not contain spaces or control characters",
  [HOST_UNSAFE] = UNSAFE_WHY,
  [HOST_EQUALS] = "must not contain '='",
  [HOST_BAD_IPV4] = "is not a valid IPv4 address",
};

static const char *const address_host_why[] = {
  [HOST_EMPTY] = "needs a host before the port: host:port",
  [HOST_TOO_LONG] = "has a host longer than 253 bytes",
  [HOST_BAD_CHAR] = "must not contain spaces or control characters",
  [HOST_UNSAFE] = UNSAFE_WHY,
  [HOST_EQUALS] = "has a host with '=', which no host name holds",
  [HOST_BAD_IPV4] = "has a host that is not a valid IPv4 address",
};

/* Checks a host that holds no ':' (a name or an IPv4 literal) of len bytes
 * and copies it into out. Returns 0 or -1 with *problem set. */
static int name_or_ipv4(const char *s, size_t len, tt_hostport *out,
                        enum host_problem *problem) {
  bool digits_and_dots = true;
  struct in_addr a4;

  if (len == 0) {
    *problem = HOST_EMPTY;
    return -1;
  }
  if (len > TT_HOST_MAX) {
    *problem = HOST_TOO_LONG;
    return -1;
  }
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= ' ' || c == 0x7f) {
      *problem = HOST_BAD_CHAR;
      return -1;
    }
    if (c == '=') {
      *problem = HOST_EQUALS;
      return -1;
    }
    if (!is_digit(s[i]) && s[i] != '.')
      digits_and_dots = false;
  }
  /* A host becomes the target's default name, shown everywhere: it is
   * text, and text that cannot pass for another. */
  {
    uint32_t cp;
    if (tt_text_check(s, len, &cp) != len) {
      *problem = HOST_UNSAFE;
      return -1;
    }
  }
  memcpy(out->host, s, len);
  out->host[len] = '\0';
  out->literal_family = 0;
  if (inet_pton(AF_INET, out->host, &a4) == 1) {
    out->literal_family = 4;
  } else if (digits_and_dots) {
    /* The resolver would read "10.1" or "3232235777" as an address in
     * the old inet_aton forms; nobody means that in a config. */
    *problem = HOST_BAD_IPV4;
    return -1;
  }
  return 0;
}

/* Checks an IPv6 literal of len bytes (no brackets) and copies it. */
static int ipv6(const char *s, size_t len, tt_hostport *out,
                const char **why) {
  struct in6_addr a6;

  if (len == 0 || len > TT_HOST_MAX) {
    *why = "is not a valid IPv6 address";
    return -1;
  }
  memcpy(out->host, s, len);
  out->host[len] = '\0';
  if (inet_pton(AF_INET6, out->host, &a6) != 1) {
    *why = "is not a valid IPv6 address";
    return -1;
  }
  out->literal_family = 6;
  return 0;
}

int tt_host_parse(const char *s, tt_hostport *out, const char **why) {
  size_t len;

  if (s == NULL || s[0] == '\0') {
    *why = "is empty";
    return -1;
  }
  len = strlen(s);
  if (s[0] == '[') {
    if (len < 2 || s[len - 1] != ']') {
      *why = "has '[' without a closing ']'";
      return -1;
    }
    return ipv6(s + 1, len - 2, out, why);
  }
  if (strchr(s, ':') != NULL) {
    if (ipv6(s, len, out, why) == 0)
      return 0;
    *why = "is neither a host name nor an IPv6 address (a port goes in port:)";
    return -1;
  }
  {
    enum host_problem problem;
    if (name_or_ipv4(s, len, out, &problem) != 0) {
      *why = host_why[problem];
      return -1;
    }
  }
  return 0;
}

int tt_address_parse(const char *s, tt_hostport *out, const char **why) {
  const char *colon, *port;
  tt_hostport hp;

  if (s == NULL || s[0] == '\0') {
    *why = "is empty; write host:port";
    return -1;
  }
  if (strstr(s, "://") != NULL) {
    *why = "is a URL; write host:port (and choose the protocol with a preset)";
    return -1;
  }
  if (s[0] == '[') {
    const char *close = strchr(s, ']');
    if (close == NULL) {
      *why = "has '[' without a closing ']'";
      return -1;
    }
    if (ipv6(s + 1, (size_t)(close - s - 1), &hp, why) != 0) {
      *why = "must hold an IPv6 address inside [ ]";
      return -1;
    }
    if (close[1] != ':' || close[2] == '\0') {
      *why = "needs a port after the ]: [::1]:8080";
      return -1;
    }
    port = close + 2;
  } else {
    colon = strchr(s, ':');
    if (colon == NULL) {
      *why = "needs a port: host:port";
      return -1;
    }
    if (strchr(colon + 1, ':') != NULL) {
      *why = "looks like an IPv6 address; write it in brackets: [::1]:8080";
      return -1;
    }
    if (colon[1] == '\0') {
      *why = "needs a port after the colon: host:port";
      return -1;
    }
    {
      enum host_problem problem;
      if (name_or_ipv4(s, (size_t)(colon - s), &hp, &problem) != 0) {
        *why = address_host_why[problem];
        return -1;
      }
    }
    port = colon + 1;
  }
  if (tt_port_parse(port, &hp.port, why) != 0) {
    *why = "has a port that is not a number from 1 to 65535";
    return -1;
  }
  *out = hp;
  return 0;
}

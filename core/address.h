/* address.h - "host:port" and "[v6]:port" parsing, ports and IP literals. */
#ifndef TETHER_ADDRESS_H
#define TETHER_ADDRESS_H

#include <stdint.h>

#define TT_HOST_MAX 253 /* longest DNS name */

typedef struct tt_hostport {
  char host[TT_HOST_MAX + 1]; /* without brackets */
  uint16_t port;
  int literal_family;         /* 4 or 6 for an IP literal, 0 for a name */
} tt_hostport;

/* Parses "host:port", "1.2.3.4:port" or "[v6]:port". An unbracketed IPv6
 * address is refused with a hint. Returns 0, or -1 with *why set. */
int tt_address_parse(const char *s, tt_hostport *out, const char **why);

/* Parses a host on its own (a name, an IPv4 literal, or an IPv6 literal
 * with or without brackets). Returns 0, or -1 with *why set. */
int tt_host_parse(const char *s, tt_hostport *out, const char **why);

/* Parses a decimal port 1-65535. Returns 0, or -1 with *why set. */
int tt_port_parse(const char *s, uint16_t *port, const char **why);

#endif

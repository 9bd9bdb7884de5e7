/* dnsd.c - the tests' name server: one UDP socket, one question per query,
 * answers built in place (RFC 1035 section 4). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dnsd.h"

#define T_A 1
#define T_AAAA 28
#define RCODE_NXDOMAIN 3

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  tt_dnsd *d = h->data;
  (void)suggested;
  buf->base = d->buf;
  buf->len = sizeof d->buf;
}

/* Reads the question's name as "a.b.c" into name; returns the offset just
 * past it, or 0 when the query is malformed (or compressed: queries are
 * not). */
static size_t read_name(const unsigned char *p, size_t len, size_t at,
                        char *name, size_t cap) {
  size_t out = 0;
  while (at < len) {
    size_t l = p[at++];
    if (l == 0) {
      name[out] = '\0';
      return at;
    }
    if (l > 63 || at + l > len || out + l + 2 > cap)
      return 0;
    if (out > 0)
      name[out++] = '.';
    memcpy(name + out, p + at, l);
    out += l;
    at += l;
  }
  return 0;
}

static void put16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)(v >> 8);
  p[1] = (unsigned char)v;
}

static void answer(tt_dnsd *d, const unsigned char *q, size_t qlen,
                   const struct sockaddr *peer) {
  char name[256];
  unsigned char out[512];
  size_t end;

  if (qlen < 12 || (q[2] & 0x80) != 0)
    return; /* not a query */
  end = read_name(q, qlen, 12, name, sizeof name);
  if (end == 0 || end + 4 > qlen)
    return;
  unsigned qtype = (unsigned)q[end] << 8 | q[end + 1];
  end += 4; /* type and class */

  const tt_dnsd_name *e = NULL;
  for (size_t i = 0; i < d->n; i++)
    if (strcasecmp(d->names[i].name, name) == 0) {
      e = &d->names[i];
      d->queries[i]++;
      break;
    }
  if (e == NULL)
    d->others++;
  if (e != NULL && e->kind == TT_DNSD_SILENT)
    return;

  /* Header and question as they came; QR, RA and the rcode set. */
  memcpy(out, q, end);
  out[2] = (unsigned char)(0x80 | (q[2] & 0x01)); /* QR, RD echoed */
  out[3] = 0x80;                                  /* RA, rcode 0 */
  put16(out + 4, 1);
  put16(out + 6, 0);
  put16(out + 8, 0);
  put16(out + 10, 0);
  size_t at = end;
  unsigned count = 0;

  if (e == NULL || e->kind == TT_DNSD_NXDOMAIN) {
    out[3] |= RCODE_NXDOMAIN;
  } else if (e->addrs != NULL) {
    char list[1024];
    snprintf(list, sizeof list, "%s", e->addrs);
    for (char *save, *a = strtok_r(list, " ", &save); a != NULL;
         a = strtok_r(NULL, " ", &save)) {
      unsigned char bin[16];
      unsigned type, size;
      if (uv_inet_pton(AF_INET, a, bin) == 0) {
        type = T_A;
        size = 4;
      } else if (uv_inet_pton(AF_INET6, a, bin) == 0) {
        type = T_AAAA;
        size = 16;
      } else {
        continue;
      }
      if (type != qtype || at + 12 + size > sizeof out)
        continue;
      put16(out + at, 0xc00c); /* the question's name */
      put16(out + at + 2, type);
      put16(out + at + 4, 1);  /* IN */
      put16(out + at + 6, 0);  /* TTL, high half */
      put16(out + at + 8, 60);
      put16(out + at + 10, size);
      memcpy(out + at + 12, bin, size);
      at += 12 + size;
      count++;
    }
  }
  put16(out + 6, count);
  uv_buf_t buf = uv_buf_init((char *)out, (unsigned)at);
  uv_udp_try_send(&d->udp, &buf, 1, peer);
}

static void recv_cb(uv_udp_t *udp, ssize_t nread, const uv_buf_t *buf,
                    const struct sockaddr *peer, unsigned flags) {
  (void)flags;
  if (nread <= 0 || peer == NULL)
    return;
  answer(udp->data, (const unsigned char *)buf->base, (size_t)nread, peer);
}

int tt_dnsd_start(uv_loop_t *loop, tt_dnsd *d, const tt_dnsd_name *names,
                  size_t n) {
  struct sockaddr_in addr;
  int rc;

  memset(d, 0, sizeof *d);
  if (n > TT_DNSD_NAMES)
    return UV_EINVAL;
  d->names = names;
  d->n = n;
  uv_ip4_addr("127.0.0.1", 0, &addr);
  rc = uv_udp_init(loop, &d->udp);
  if (rc < 0)
    return rc;
  d->udp.data = d;
  rc = uv_udp_bind(&d->udp, (const struct sockaddr *)&addr, 0);
  if (rc == 0)
    rc = uv_udp_recv_start(&d->udp, alloc_cb, recv_cb);
  if (rc < 0)
    uv_close((uv_handle_t *)&d->udp, NULL);
  return rc;
}

void tt_dnsd_address(const tt_dnsd *d, char *buf, size_t len) {
  struct sockaddr_in addr;
  int alen = sizeof addr;
  uv_udp_getsockname(&d->udp, (struct sockaddr *)&addr, &alen);
  snprintf(buf, len, "127.0.0.1:%u", (unsigned)ntohs(addr.sin_port));
}

uint64_t tt_dnsd_queries(const tt_dnsd *d, const char *name) {
  for (size_t i = 0; i < d->n; i++)
    if (strcasecmp(d->names[i].name, name) == 0)
      return d->queries[i];
  return 0;
}

void tt_dnsd_close(tt_dnsd *d) {
  if (!uv_is_closing((uv_handle_t *)&d->udp))
    uv_close((uv_handle_t *)&d->udp, NULL);
}

/* replay_stream.c - lines of a plain or gzip file in bounded buffers, and
 * zran-style access points so that reading a gzip log can start again in
 * the middle: the bits of the byte before a deflate block boundary, the
 * 32 KiB window before it, a raw inflate primed with both. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay_read.h"
#include "replay_stream.h"

#define CHUNK (256 * 1024) /* bytes read (or inflated) at once */
#define IN_CAP (64 * 1024) /* compressed bytes read at once */
#define GZIP_WRAP 31       /* windowBits for a gzip member */
#define RAW_WRAP (-15)     /* a raw deflate stream, after an access point */
#define TRAILER 8          /* CRC-32 and ISIZE after a member's data */

static int damage(tt_rp_stream *s, const char *what, const char *detail) {
  if (!s->failed)
    snprintf(s->why, sizeof s->why, "%s%s%s", what, detail ? ": " : "",
             detail ? detail : "");
  s->failed = true;
  return -1;
}

static void reset_buffer(tt_rp_stream *s, uint64_t offset) {
  s->buf_off = offset;
  s->start = s->end = 0;
  s->eof = s->failed = false;
  s->why[0] = '\0';
}

int tt_rp_stream_open(tt_rp_stream *s, int fd) {
  unsigned char magic[2];
  memset(s, 0, sizeof *s);
  s->fd = fd;
  s->line = 1;
  s->cap = TT_RP_LINE_MAX + CHUNK;
  if ((s->buf = malloc(s->cap)) == NULL)
    return -ENOMEM;
  ssize_t n = pread(fd, magic, 2, 0);
  if (n < 0)
    return -errno;
  s->gzip = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (!s->gzip)
    return 0;
  if ((s->in = malloc(IN_CAP)) == NULL)
    return -ENOMEM;
  if (inflateInit2(&s->z, GZIP_WRAP) != Z_OK)
    return -ENOMEM;
  s->z_ready = true;
  s->wrap = GZIP_WRAP;
  return 0;
}

void tt_rp_stream_close(tt_rp_stream *s) {
  if (s->z_ready)
    inflateEnd(&s->z);
  free(s->ap.window);
  free(s->in);
  free(s->buf);
  memset(s, 0, sizeof *s);
  s->fd = -1;
}

uint64_t tt_rp_stream_read_bytes(const tt_rp_stream *s) {
  return s->gzip ? s->in_off + s->in_len : s->buf_off + s->end;
}

/* Compressed input: more of it once z has taken all. Returns the bytes
 * now available, 0 at the file's end, or -1 (damage). */
static long more_input(tt_rp_stream *s) {
  if (s->z.avail_in > 0)
    return (long)s->z.avail_in;
  s->in_off += s->in_len;
  s->in_len = 0;
  ssize_t n;
  do
    n = pread(s->fd, s->in, IN_CAP, (off_t)s->in_off);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return damage(s, "read error", strerror(errno));
  s->in_len = (size_t)n;
  s->z.next_in = s->in;
  s->z.avail_in = (uInt)n;
  return (long)n;
}

static uint64_t in_pos(const tt_rp_stream *s) {
  return s->in_off + (uint64_t)(s->z.next_in - s->in);
}

static void note_access(tt_rp_stream *s, bool header) {
  tt_rp_access *a = &s->ap;
  if (a->window == NULL && (a->window = malloc(TT_RP_WINDOW)) == NULL)
    return; /* no room: a later boundary will do */
  a->in = in_pos(s);
  a->out = s->buf_off + (s->cap - s->z.avail_out);
  a->bits = header ? 0 : s->z.data_type & 7;
  a->header = header;
  a->have = 0;
  if (!header) {
    uInt have = TT_RP_WINDOW;
    inflateGetDictionary(&s->z, a->window, &have);
    a->have = have;
  }
  s->want_ap = false;
  s->ap_ready = true;
}

/* A member ended: after a raw inflate its trailer is passed over; then
 * another member may follow (concatenated gzip files). Returns 0, 1 at
 * the end of the data, or -1. */
static int next_member(tt_rp_stream *s) {
  if (s->wrap == RAW_WRAP) {
    for (size_t skip = TRAILER; skip > 0;) {
      long n = more_input(s);
      if (n <= 0)
        return n < 0 ? -1 : damage(s, "the gzip data is cut short", NULL);
      size_t k = (size_t)n < skip ? (size_t)n : skip;
      s->z.next_in += k;
      s->z.avail_in -= (uInt)k;
      skip -= k;
    }
  }
  long n = more_input(s);
  if (n <= 0)
    return n < 0 ? -1 : 1;
  if (s->z.next_in[0] != 0x1f ||
      (n >= 2 && s->z.next_in[1] != 0x8b))
    return damage(s, "bytes after the gzip data are not gzip", NULL);
  s->wrap = GZIP_WRAP;
  inflateReset2(&s->z, GZIP_WRAP);
  if (s->want_ap)
    note_access(s, true);
  return 0;
}

/* Inflates into buf[end..cap). */
static int inflate_some(tt_rp_stream *s) {
  s->z.next_out = (Bytef *)s->buf + s->end;
  s->z.avail_out = (uInt)(s->cap - s->end);
  while (s->z.avail_out > 0 && !s->eof && !s->failed) {
    long n = more_input(s);
    if (n < 0)
      break;
    if (n == 0) {
      damage(s, "the gzip data is cut short", NULL);
      break;
    }
    int ret = inflate(&s->z, s->want_ap ? Z_BLOCK : Z_NO_FLUSH);
    if (ret == Z_NEED_DICT || ret == Z_DATA_ERROR || ret == Z_MEM_ERROR) {
      damage(s, "corrupt gzip data", s->z.msg ? s->z.msg : "inflate failed");
      break;
    }
    if (s->want_ap && (s->z.data_type & 128) && !(s->z.data_type & 64))
      note_access(s, false);
    if (ret == Z_STREAM_END) {
      int r = next_member(s);
      if (r != 0) {
        s->eof = r > 0;
        break;
      }
    }
  }
  s->end = s->cap - s->z.avail_out;
  return s->failed ? -1 : 0;
}

static int refill(tt_rp_stream *s) {
  if (s->start > 0) {
    memmove(s->buf, s->buf + s->start, s->end - s->start);
    s->buf_off += s->start;
    s->end -= s->start;
    s->start = 0;
  }
  if (s->gzip)
    return inflate_some(s);
  ssize_t n;
  do
    n = pread(s->fd, s->buf + s->end, s->cap - s->end,
              (off_t)(s->buf_off + s->end));
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return damage(s, "read error", strerror(errno));
  if (n == 0)
    s->eof = true;
  s->end += (size_t)n;
  return 0;
}

int tt_rp_stream_line(tt_rp_stream *s, const char **line, size_t *len,
                      uint64_t *offset) {
  size_t scanned = 0; /* bytes after start known to hold no newline */
  for (;;) {
    char *from = s->buf + s->start + scanned;
    char *nl = memchr(from, '\n', s->end - s->start - scanned);
    if (nl != NULL) {
      *line = s->buf + s->start;
      *len = (size_t)(nl - *line);
      *offset = s->buf_off + s->start;
      if (*len > TT_RP_LINE_MAX)
        return damage(s, "the line is longer than 65536 bytes", NULL);
      s->start = (size_t)(nl - s->buf) + 1;
      s->line++;
      return 1;
    }
    scanned = s->end - s->start;
    if (scanned > TT_RP_LINE_MAX)
      return damage(s, "the line is longer than 65536 bytes", NULL);
    if (s->failed)
      return -1;
    if (s->eof) {
      if (scanned == 0)
        return 0;
      return damage(s, "the last line is cut short (no newline)", NULL);
    }
    refill(s);
  }
}

int tt_rp_stream_seek(tt_rp_stream *s, const tt_rp_access *ap,
                      uint64_t offset, uint64_t line) {
  s->line = line;
  s->want_ap = false;
  if (!s->gzip) {
    reset_buffer(s, offset);
    return 0;
  }
  reset_buffer(s, ap != NULL ? ap->out : 0);
  s->in_off = ap != NULL ? ap->in : 0;
  s->in_len = 0;
  s->z.next_in = s->in;
  s->z.avail_in = 0;
  s->wrap = ap == NULL || ap->header ? GZIP_WRAP : RAW_WRAP;
  if (inflateReset2(&s->z, s->wrap) != Z_OK)
    return -EINVAL;
  if (ap != NULL && !ap->header) {
    if (ap->bits > 0) {
      unsigned char c;
      s->in_off--;
      if (pread(s->fd, &c, 1, (off_t)s->in_off) != 1)
        return -EIO;
      s->in_off++;
      inflatePrime(&s->z, ap->bits, c >> (8 - ap->bits));
    }
    if (inflateSetDictionary(&s->z, ap->window, ap->have) != Z_OK)
      return -EINVAL;
  }
  /* What comes before the line is inflated and dropped. */
  while (s->buf_off + s->end < offset) {
    if (s->end == s->cap) {
      s->buf_off += s->end;
      s->end = 0;
    }
    if (s->eof || s->failed)
      return -EIO;
    refill(s);
  }
  s->start = (size_t)(offset - s->buf_off);
  return 0;
}

void tt_rp_stream_want_access(tt_rp_stream *s) {
  if (s->gzip && !s->ap_ready)
    s->want_ap = true;
}

bool tt_rp_stream_take_access(tt_rp_stream *s, uint64_t offset,
                              tt_rp_access *out) {
  if (!s->ap_ready || s->ap.out > offset)
    return false;
  *out = s->ap;
  s->ap.window = NULL;
  s->ap_ready = false;
  return true;
}

/* replay_stream.h - the lines of a recorded log, plain or gzip (told by
 * its magic bytes), read forward from the start or from a point noted on
 * an earlier pass: for gzip, zlib access points in the manner of zlib's
 * examples/zran.c (the 32 KiB window before a deflate block boundary), so
 * that a seek never inflates from the start. */
#ifndef TETHER_REPLAY_STREAM_H
#define TETHER_REPLAY_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#define TT_RP_WINDOW 32768 /* deflate's window */

/* Where inflating can start again: at a deflate block boundary (a raw
 * inflate primed with the bits before it and given the window), or at
 * the start of a gzip member (header set, no window). */
typedef struct tt_rp_access {
  uint64_t in;     /* compressed offset of the first whole byte after it */
  uint64_t out;    /* uncompressed offset */
  int bits;        /* bits of the byte before `in` that belong after it */
  bool header;     /* the start of a gzip member */
  uint32_t have;   /* bytes of window */
  unsigned char *window; /* TT_RP_WINDOW bytes (malloc'd), or NULL */
} tt_rp_access;

typedef struct tt_rp_stream {
  int fd;                /* not owned: streams of one file share it */
  bool gzip;
  z_stream z;
  bool z_ready;          /* z is initialised */
  bool z_end;            /* the last member ended at the end of the data */
  int wrap;              /* windowBits of the member being inflated */
  unsigned char *in;     /* compressed bytes read from in_off */
  uint64_t in_off;       /* file offset of in[0] */
  size_t in_len;
  char *buf;             /* bytes read, lines cut from them */
  size_t cap, start, end;
  uint64_t buf_off;      /* offset (uncompressed) of buf[0] */
  uint64_t line;         /* number of the next line (1-based) */
  bool eof;              /* nothing more will come */
  bool failed;           /* damage was found: nothing more will come */
  char why[160];         /* the damage, when failed */
  /* While indexing: the next deflate block boundary is wanted as an
   * access point; once found it waits in ap until taken. */
  bool want_ap;
  bool ap_ready;
  tt_rp_access ap;
} tt_rp_stream;

/* Starts reading fd from its beginning; gzip when it starts with gzip's
 * magic bytes. Returns 0 or a negative errno. */
int tt_rp_stream_open(tt_rp_stream *s, int fd);

/* Starts reading again at the line that begins at uncompressed offset
 * `offset` (line number `line`): plain files there at once, gzip from ap
 * (NULL: the file's start), inflating and dropping what comes before
 * offset. Returns 0 or a negative errno. */
int tt_rp_stream_seek(tt_rp_stream *s, const tt_rp_access *ap,
                      uint64_t offset, uint64_t line);

/* The next line, without its "\n": *line stays valid until the next
 * call; *offset is where it starts. Returns 1, 0 at the end, or -1 at
 * damage (s->why says what; the line is s->line): a line longer than
 * TT_RP_LINE_MAX, a last line cut short, gzip data cut short or
 * corrupt, a read error. Nothing is read past damage. */
int tt_rp_stream_line(tt_rp_stream *s, const char **line, size_t *len,
                      uint64_t *offset);

/* Bytes read from the file so far (compressed, for gzip). */
uint64_t tt_rp_stream_read_bytes(const tt_rp_stream *s);

void tt_rp_stream_close(tt_rp_stream *s);

/* Asks for an access point at the next deflate block boundary (gzip). */
void tt_rp_stream_want_access(tt_rp_stream *s);

/* The access point found since it was asked for, if the line starting
 * at `offset` is at or past it: moved to *out (its window with it).
 * Returns false while there is none yet. */
bool tt_rp_stream_take_access(tt_rp_stream *s, uint64_t offset,
                              tt_rp_access *out);

#endif

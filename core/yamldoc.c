/* yamldoc.c - reading a YAML file with libyaml's event API into a tree of
 * nodes that keeps 1-based positions, within bounds no file can exceed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "escape.h"
#include "grow.h"
#include "yamldoc.h"

#define YAML_TAG_PREFIX "tag:yaml.org,2002:"
#define BINARY_TAG YAML_TAG_PREFIX "binary"

/* ---- the file ---- */

/* Why a file that opened is still not one to read, or NULL. */
static const char *not_regular(const struct stat *st) {
  if (S_ISREG(st->st_mode))
    return NULL;
  if (S_ISDIR(st->st_mode))
    return strerror(EISDIR);
  if (S_ISFIFO(st->st_mode))
    return "a FIFO (named pipe), not a regular file";
  if (S_ISCHR(st->st_mode))
    return "a character device, not a regular file";
  if (S_ISBLK(st->st_mode))
    return "a block device, not a regular file";
  if (S_ISSOCK(st->st_mode))
    return "a socket, not a regular file";
  return "not a regular file";
}

static void cannot_read(tt_yreport_fn *report, void *ctx, const char *why) {
  char msg[160];
  snprintf(msg, sizeof(msg), "cannot read: %s", why);
  report(ctx, 0, 0, msg);
}

int tt_yfile_read(const char *path, char **buf, size_t *len,
                  tt_yreport_fn *report, void *ctx) {
  size_t cap = 0, n = 0;
  char *b = NULL;
  struct stat st;
  const char *why;
  /* O_NONBLOCK: opening a FIFO would otherwise wait for a writer, for
   * ever. Nothing but a regular file is read, and for one the flag does
   * nothing. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

  if (fd < 0) {
    cannot_read(report, ctx, strerror(errno));
    return -1;
  }
  if (fstat(fd, &st) != 0) {
    cannot_read(report, ctx, strerror(errno));
    goto fail;
  }
  if ((why = not_regular(&st)) != NULL) {
    cannot_read(report, ctx, why);
    goto fail;
  }
  if (st.st_size > (off_t)TT_YAML_MAX_BYTES) {
    report(ctx, 0, 0, "is larger than 16 MiB");
    goto fail;
  }
  for (;;) {
    ssize_t r;
    if (n == cap) {
      char *nb;
      if (cap > TT_YAML_MAX_BYTES) {
        report(ctx, 0, 0, "is larger than 16 MiB");
        goto fail;
      }
      cap = cap ? cap * 2 : 64 * 1024;
      if ((nb = realloc(b, cap + 1)) == NULL) {
        cannot_read(report, ctx, strerror(ENOMEM));
        goto fail;
      }
      b = nb;
    }
    r = read(fd, b + n, cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      cannot_read(report, ctx, strerror(errno));
      goto fail;
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  /* The file may have grown since fstat. */
  if (n > TT_YAML_MAX_BYTES) {
    report(ctx, 0, 0, "is larger than 16 MiB");
    free(b);
    return -1;
  }
  *buf = b;
  *len = n;
  return 0;
fail:
  close(fd);
  free(b);
  return -1;
}

/* ---- the reader ---- */

/* A list or mapping still being read: its node and its last child so far. */
typedef struct open_node {
  uint32_t node;
  uint32_t last;
} open_node;

typedef struct reader {
  tt_ydoc *doc;
  const char *buf;
  size_t len;
  tt_yreport_fn *report;
  void *ctx;
  open_node stack[TT_YAML_MAX_DEPTH];
  int depth;
  int documents;
  bool failed;
} reader;

static void problem(reader *r, unsigned line, unsigned col, const char *msg) {
  r->report(r->ctx, line, col, msg);
  r->failed = true;
}

static void problem_at(reader *r, yaml_mark_t m, const char *msg) {
  problem(r, (unsigned)m.line + 1, (unsigned)m.column + 1, msg);
}

/* Appends a node and links it under the innermost open collection (or
 * makes it the root). Returns its index, or 0 when out of room. */
static uint32_t add_node(reader *r, tt_ykind kind, yaml_mark_t m) {
  tt_ydoc *d = r->doc;
  uint32_t i;
  tt_ynode *n;

  if (d->nnodes == 0)
    d->nnodes = 1; /* index 0 stays "none" */
  if (d->nnodes > TT_YAML_MAX_NODES) {
    char msg[80];
    snprintf(msg, sizeof(msg), "too many values (more than %u)",
             (unsigned)TT_YAML_MAX_NODES);
    problem_at(r, m, msg);
    return 0;
  }
  tt_ynode *v = tt_grow(d->nodes, &d->capnodes, d->nnodes, sizeof(*v), 64);
  if (v == NULL) {
    problem_at(r, m, "out of memory");
    return 0;
  }
  d->nodes = v;
  i = (uint32_t)d->nnodes++;
  n = &d->nodes[i];
  memset(n, 0, sizeof(*n));
  n->kind = (uint8_t)kind;
  n->line = (uint32_t)m.line + 1;
  n->col = (uint32_t)m.column + 1;
  if (r->depth > 0) {
    open_node *parent = &r->stack[r->depth - 1];
    if (parent->last != 0)
      d->nodes[parent->last].next = i;
    else
      d->nodes[parent->node].first = i;
    parent->last = i;
    d->nodes[parent->node].count++;
  } else if (d->root == 0) {
    d->root = i;
  }
  return i;
}

/* Appends a scalar of len bytes of text. Returns its index, or 0. */
static uint32_t add_scalar(reader *r, const char *text, size_t len,
                           yaml_scalar_style_t style, yaml_mark_t m) {
  tt_ydoc *d = r->doc;
  uint32_t i;

  if (d->ntext + len + 1 > d->captext) {
    size_t cap = d->captext ? d->captext : 1024;
    char *t;
    while (cap < d->ntext + len + 1)
      cap *= 2;
    t = realloc(d->text, cap);
    if (t == NULL) {
      problem_at(r, m, "out of memory");
      return 0;
    }
    d->text = t;
    d->captext = cap;
  }
  i = add_node(r, TT_Y_SCALAR, m);
  if (i == 0)
    return 0;
  d->nodes[i].plain = style == YAML_PLAIN_SCALAR_STYLE;
  d->nodes[i].quote = style == YAML_SINGLE_QUOTED_SCALAR_STYLE   ? '\''
                      : style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ? '"'
                                                                 : 0;
  d->nodes[i].first = (uint32_t)d->ntext;
  d->nodes[i].count = (uint32_t)len;
  if (len > 0)
    memcpy(d->text + d->ntext, text, len);
  d->text[d->ntext + len] = '\0';
  d->ntext += len + 1;
  return i;
}

/* ---- tags ---- */

static int base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Decodes base64 (RFC 4648, padded; whitespace between the characters is
 * ignored, as YAML's !!binary allows) into out, which has room for len
 * bytes. Returns the decoded length, or -1 with *why set. */
static long base64_decode(const char *in, size_t len, char *out,
                          const char **why) {
  uint32_t acc = 0;
  size_t nchars = 0, pad = 0, w = 0;

  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)in[i];
    int v;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
      continue;
    if (c == '=') {
      pad++;
      nchars++;
      continue;
    }
    v = base64_value(c);
    if (v < 0) {
      *why = "holds a character that is not base64 (A-Z, a-z, 0-9, +, /)";
      return -1;
    }
    if (pad > 0) {
      *why = "has '=' before its end";
      return -1;
    }
    acc = acc << 6 | (uint32_t)v;
    if (++nchars % 4 == 0) {
      out[w++] = (char)(acc >> 16);
      out[w++] = (char)(acc >> 8);
      out[w++] = (char)acc;
      acc = 0;
    }
  }
  if (nchars % 4 != 0 || pad > 2) {
    *why = "is cut short: base64 comes in groups of 4 characters, padded "
           "with '='";
    return -1;
  }
  if (pad == 1) {
    out[w++] = (char)(acc >> 10);
    out[w++] = (char)(acc >> 2);
  } else if (pad == 2) {
    out[w++] = (char)(acc >> 4);
  }
  return (long)w;
}

/* The tag as people write it: "!!str" for YAML's own, else as it is. */
static void tag_text(const char *tag, char *buf, size_t n) {
  char esc[64];
  size_t plen = strlen(YAML_TAG_PREFIX);
  if (strncmp(tag, YAML_TAG_PREFIX, plen) == 0) {
    tt_escape(esc, sizeof(esc), tag + plen, strlen(tag + plen), 0);
    snprintf(buf, n, "!!%s", esc);
  } else {
    tt_escape(esc, sizeof(esc), tag, strlen(tag), 0);
    snprintf(buf, n, "%s", esc);
  }
}

/* Reports a tag other than !!binary on a scalar, or any tag on a list
 * or mapping. The node is still read, untagged, to go on. */
static void refuse_tag(reader *r, const char *tag, yaml_mark_t m,
                       bool collection) {
  char msg[200], t[80];
  if (collection && strcmp(tag, BINARY_TAG) == 0) {
    problem_at(r, m, "!!binary must tag a string of base64, not a list or "
                     "a mapping");
    return;
  }
  tag_text(tag, t, sizeof(t));
  snprintf(msg, sizeof(msg),
           "the tag %s is not supported (the only tag is !!binary, for "
           "bytes in send and reply_end)",
           t);
  problem_at(r, m, msg);
}

/* A scalar event: its text, or for !!binary the bytes it encodes. */
static int on_scalar(reader *r, const yaml_event_t *ev) {
  const char *tag = (const char *)ev->data.scalar.tag;
  const char *text = (const char *)ev->data.scalar.value;
  size_t len = ev->data.scalar.length;
  uint32_t i;

  if (tag != NULL && strcmp(tag, BINARY_TAG) == 0) {
    const char *why = NULL;
    char *bytes = malloc(len / 4 * 3 + 3);
    long n;
    if (bytes == NULL) {
      problem_at(r, ev->start_mark, "out of memory");
      return -1;
    }
    n = base64_decode(text, len, bytes, &why);
    if (n < 0) {
      char msg[160];
      snprintf(msg, sizeof(msg), "!!binary value %s", why);
      problem_at(r, ev->start_mark, msg);
      n = 0;
    }
    i = add_scalar(r, bytes, (size_t)n, YAML_ANY_SCALAR_STYLE,
                   ev->start_mark);
    free(bytes);
    if (i == 0)
      return -1;
    r->doc->nodes[i].binary = true;
    return 0;
  }
  if (tag != NULL)
    refuse_tag(r, tag, ev->start_mark, false);
  return add_scalar(r, text, len, ev->data.scalar.style, ev->start_mark) ? 0
                                                                         : -1;
}

static int open_collection(reader *r, tt_ykind kind, yaml_mark_t m) {
  uint32_t i;

  if (r->depth == TT_YAML_MAX_DEPTH) {
    char msg[80];
    snprintf(msg, sizeof(msg), "nesting is deeper than %d levels",
             TT_YAML_MAX_DEPTH);
    problem_at(r, m, msg);
    return -1;
  }
  i = add_node(r, kind, m);
  if (i == 0)
    return -1;
  r->stack[r->depth].node = i;
  r->stack[r->depth].last = 0;
  r->depth++;
  return 0;
}

/* Where the byte at offset lies, for reader errors, which libyaml gives as
 * an offset only. Columns count characters, as libyaml's marks do. */
static void offset_position(const char *buf, size_t len, size_t offset,
                            unsigned *line, unsigned *col) {
  unsigned l = 1, c = 1;
  for (size_t i = 0; i < offset && i < len; i++) {
    unsigned char b = (unsigned char)buf[i];
    if (b == '\n') {
      l++;
      c = 1;
    } else if ((b & 0xc0) != 0x80) {
      c++;
    }
  }
  *line = l;
  *col = c;
}

static void syntax_error(reader *r, const yaml_parser_t *p) {
  char msg[256];
  const char *what = p->problem ? p->problem : "cannot read the YAML";

  switch (p->error) {
  case YAML_MEMORY_ERROR:
    problem(r, 0, 0, "out of memory");
    return;
  case YAML_READER_ERROR: {
    unsigned line, col;
    offset_position(r->buf, r->len, p->problem_offset, &line, &col);
    /* Most reader errors are bytes that are not UTF-8: a file saved in
     * Latin-1, say. Say what the reader expects. */
    const char *hint = strstr(what, "UTF-8") ? "; the file must be UTF-8" : "";
    if (p->problem_value != -1)
      snprintf(msg, sizeof(msg), "%s (0x%02X)%s", what,
               (unsigned)p->problem_value, hint);
    else
      snprintf(msg, sizeof(msg), "%s%s", what, hint);
    problem(r, line, col, msg);
    return;
  }
  default:
    break;
  }
  if (p->context != NULL &&
      (p->context_mark.line != p->problem_mark.line ||
       p->context_mark.column != p->problem_mark.column))
    snprintf(msg, sizeof(msg), "%s %s that started at %u:%u", what,
             p->context, (unsigned)p->context_mark.line + 1,
             (unsigned)p->context_mark.column + 1);
  else if (p->context != NULL)
    snprintf(msg, sizeof(msg), "%s %s", what, p->context);
  else
    snprintf(msg, sizeof(msg), "%s", what);
  problem_at(r, p->problem_mark, msg);
}

/* Handles one event; returns 1 at the end of the stream, -1 to stop
 * reading, 0 to go on. */
static int on_event(reader *r, const yaml_event_t *ev) {
  switch (ev->type) {
  case YAML_STREAM_END_EVENT:
    return 1;
  case YAML_DOCUMENT_START_EVENT:
    if (++r->documents > 1) {
      problem_at(r, ev->start_mark,
                 "a second document starts here; a config is one document");
      return -1;
    }
    return 0;
  case YAML_ALIAS_EVENT: {
    /* libyaml leaves aliases unexpanded, but whoever expands them can be
     * made to build a tree exponentially larger than the file. Nothing
     * here expands them: they are refused, and a null stands in so that
     * the reading can go on to find the next problem. */
    char msg[160];
    snprintf(msg, sizeof(msg), "aliases (*%.100s) are not supported",
             (const char *)ev->data.alias.anchor);
    problem_at(r, ev->start_mark, msg);
    return add_scalar(r, "", 0, YAML_PLAIN_SCALAR_STYLE, ev->start_mark) ? 0
                                                                          : -1;
  }
  case YAML_SCALAR_EVENT:
    return on_scalar(r, ev);
  case YAML_SEQUENCE_START_EVENT:
    if (ev->data.sequence_start.tag != NULL)
      refuse_tag(r, (const char *)ev->data.sequence_start.tag,
                 ev->start_mark, true);
    return open_collection(r, TT_Y_SEQ, ev->start_mark);
  case YAML_MAPPING_START_EVENT:
    if (ev->data.mapping_start.tag != NULL)
      refuse_tag(r, (const char *)ev->data.mapping_start.tag,
                 ev->start_mark, true);
    return open_collection(r, TT_Y_MAP, ev->start_mark);
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    if (r->depth > 0)
      r->depth--;
    return 0;
  default:
    return 0;
  }
}

int tt_ydoc_read(tt_ydoc *doc, const char *buf, size_t len,
                 tt_yreport_fn *report, void *ctx) {
  yaml_parser_t parser;
  reader r;

  memset(doc, 0, sizeof(*doc));
  memset(&r, 0, sizeof(r));
  doc->src = buf;
  doc->srclen = len;
  r.doc = doc;
  r.buf = buf;
  r.len = len;
  r.report = report;
  r.ctx = ctx;
  if (len > TT_YAML_MAX_BYTES) {
    problem(&r, 0, 0, "is larger than 16 MiB");
    return -1;
  }
  if (!yaml_parser_initialize(&parser)) {
    problem(&r, 0, 0, "out of memory");
    return -1;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
  /* UTF-8 only (a BOM is still skipped), so that reader errors, which
   * come as byte offsets, can be turned into lines and columns. */
  yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
  for (;;) {
    yaml_event_t ev;
    int rc;
    if (!yaml_parser_parse(&parser, &ev)) {
      syntax_error(&r, &parser);
      break;
    }
    rc = on_event(&r, &ev);
    yaml_event_delete(&ev);
    if (rc != 0)
      break;
  }
  yaml_parser_delete(&parser);
  return r.failed ? -1 : 0;
}

void tt_ydoc_free(tt_ydoc *doc) {
  free(doc->nodes);
  free(doc->text);
  memset(doc, 0, sizeof(*doc));
}

const tt_ynode *tt_ydoc_node(const tt_ydoc *doc, uint32_t i) {
  return i == 0 ? NULL : &doc->nodes[i];
}

const char *tt_ydoc_text(const tt_ydoc *doc, const tt_ynode *node) {
  return doc->text + node->first;
}

/* The length of the line break at s (CR LF, CR, LF, and what libyaml also
 * counts: NEL, LS, PS), or 0. */
static size_t line_break(const unsigned char *s, size_t len) {
  if (len >= 2 && s[0] == '\r' && s[1] == '\n')
    return 2;
  if (s[0] == '\r' || s[0] == '\n')
    return 1;
  if (len >= 2 && s[0] == 0xc2 && s[1] == 0x85)
    return 2;
  if (len >= 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9))
    return 3;
  return 0;
}

int tt_ydoc_position(const tt_ydoc *doc, const tt_ynode *node, size_t offset,
                     unsigned *line, unsigned *col) {
  const unsigned char *s = (const unsigned char *)doc->src;
  const char *text;
  size_t len = doc->srclen, i = 0, chars = 0;
  unsigned l = 1;

  if (s == NULL || node->kind != TT_Y_SCALAR || node->binary ||
      (!node->plain && node->quote == 0) || offset > node->count)
    return -1;
  /* libyaml's marks do not count a byte order mark. */
  if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
    i = 3;
  while (l < node->line && i < len) {
    size_t b = line_break(s + i, len - i);
    i += b ? b : 1;
    l += b ? 1 : 0;
  }
  /* Columns count characters, as libyaml's marks do. */
  for (unsigned c = 1; c < node->col && i < len; c++) {
    i++;
    while (i < len && (s[i] & 0xc0) == 0x80)
      i++;
  }
  if (node->quote != 0) {
    if (i >= len || s[i] != node->quote)
      return -1;
    i++;
  }
  /* The text must be the file's bytes as they stand: no escape, no fold. */
  text = tt_ydoc_text(doc, node);
  if (i + node->count > len || memcmp(s + i, text, node->count) != 0)
    return -1;
  for (size_t k = 0; k < node->count; k++)
    if (line_break((const unsigned char *)text + k, node->count - k) != 0)
      return -1;
  for (size_t k = 0; k < offset; k++)
    if (((unsigned char)text[k] & 0xc0) != 0x80)
      chars++;
  *line = node->line;
  *col = node->col + (node->quote != 0) + (unsigned)chars;
  return 0;
}

bool tt_ydoc_is_null(const tt_ydoc *doc, const tt_ynode *node) {
  const char *s;
  if (node->kind != TT_Y_SCALAR || !node->plain)
    return false;
  s = tt_ydoc_text(doc, node);
  return node->count == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
         strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

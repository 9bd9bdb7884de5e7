/* yamldoc.c - reading YAML with libyaml's event API into a tree of nodes
 * that keeps 1-based positions, within bounds that no file can exceed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yamldoc.h"

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
  if (d->nnodes >= d->capnodes) {
    size_t cap = d->capnodes ? d->capnodes * 2 : 64;
    tt_ynode *v = realloc(d->nodes, cap * sizeof(*v));
    if (v == NULL) {
      problem_at(r, m, "out of memory");
      return 0;
    }
    d->nodes = v;
    d->capnodes = cap;
  }
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

static int add_scalar(reader *r, const yaml_event_t *ev) {
  tt_ydoc *d = r->doc;
  size_t len = ev->data.scalar.length;
  uint32_t i;

  if (d->ntext + len + 1 > d->captext) {
    size_t cap = d->captext ? d->captext : 1024;
    char *t;
    while (cap < d->ntext + len + 1)
      cap *= 2;
    t = realloc(d->text, cap);
    if (t == NULL) {
      problem_at(r, ev->start_mark, "out of memory");
      return -1;
    }
    d->text = t;
    d->captext = cap;
  }
  i = add_node(r, TT_Y_SCALAR, ev->start_mark);
  if (i == 0)
    return -1;
  d->nodes[i].plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  d->nodes[i].first = (uint32_t)d->ntext;
  d->nodes[i].count = (uint32_t)len;
  if (len > 0)
    memcpy(d->text + d->ntext, ev->data.scalar.value, len);
  d->text[d->ntext + len] = '\0';
  d->ntext += len + 1;
  return 0;
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
    yaml_event_t null_scalar;
    snprintf(msg, sizeof(msg), "aliases (*%.100s) are not supported",
             (const char *)ev->data.alias.anchor);
    problem_at(r, ev->start_mark, msg);
    memset(&null_scalar, 0, sizeof(null_scalar));
    null_scalar.type = YAML_SCALAR_EVENT;
    null_scalar.start_mark = ev->start_mark;
    null_scalar.data.scalar.value = (yaml_char_t *)"";
    null_scalar.data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
    return add_scalar(r, &null_scalar);
  }
  case YAML_SCALAR_EVENT:
    return add_scalar(r, ev);
  case YAML_SEQUENCE_START_EVENT:
    return open_collection(r, TT_Y_SEQ, ev->start_mark);
  case YAML_MAPPING_START_EVENT:
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

bool tt_ydoc_is_null(const tt_ydoc *doc, const tt_ynode *node) {
  const char *s;
  if (node->kind != TT_Y_SCALAR || !node->plain)
    return false;
  s = tt_ydoc_text(doc, node);
  return node->count == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
         strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* yamldoc.h - one YAML file read into a small tree of scalars, lists and
 * mappings that remembers where each node was written (private to the
 * config loader). */
#ifndef TETHER_YAMLDOC_H
#define TETHER_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds, so that no file can crash the reader or exhaust memory. */
#define TT_YAML_MAX_BYTES (16u << 20) /* 16 MiB */
#define TT_YAML_MAX_DEPTH 16           /* nested lists and mappings */
#define TT_YAML_MAX_NODES 4000000

typedef enum tt_ykind { TT_Y_SCALAR, TT_Y_MAP, TT_Y_SEQ } tt_ykind;

/* Nodes live in one array and refer to each other by index; index 0 is
 * never a node, so 0 means "none". A mapping's children alternate key,
 * value, key, value. */
typedef struct tt_ynode {
  uint8_t kind;        /* tt_ykind */
  bool plain;          /* a scalar written without quotes */
  uint8_t quote;       /* a scalar in quotes: '\'' or '"'; else 0 */
  bool binary;         /* a !!binary scalar: its text is the decoded bytes */
  uint32_t line, col;  /* 1-based */
  uint32_t next;       /* the next sibling, or 0 */
  uint32_t first;      /* scalar: offset of its text; else the first child */
  uint32_t count;      /* scalar: length of its text; else the children */
} tt_ynode;

typedef struct tt_ydoc {
  tt_ynode *nodes;
  size_t nnodes, capnodes;
  char *text;          /* every scalar, each followed by a NUL */
  size_t ntext, captext;
  uint32_t root;       /* 0 when the document holds nothing */
  const char *src;     /* the text read (borrowed), for positions */
  size_t srclen;
} tt_ydoc;

/* Receives each problem found while reading: a 1-based position (0:0 when
 * there is none) and a message. */
typedef void tt_yreport_fn(void *ctx, unsigned line, unsigned col,
                           const char *msg);

/* Reads the file at path into *buf (malloc'd, *len bytes), within
 * TT_YAML_MAX_BYTES. Anything but a regular file (a FIFO, a device, a
 * directory) is refused at once, without waiting for a writer. Returns 0,
 * or -1 after reporting (at 0:0) why it cannot be read. */
int tt_yfile_read(const char *path, char **buf, size_t *len,
                  tt_yreport_fn *report, void *ctx);

/* Reads len bytes of YAML into doc; buf must outlive doc. Syntax errors
 * stop the reading; an alias or a tag is reported where it stands and the
 * reading goes on, to report every one in one run. The only tag accepted
 * is !!binary, on a scalar of base64, whose text becomes the bytes it
 * encodes. Returns 0 when doc is usable, -1 when some problem was
 * reported (doc must still be freed). */
int tt_ydoc_read(tt_ydoc *doc, const char *buf, size_t len,
                 tt_yreport_fn *report, void *ctx);
void tt_ydoc_free(tt_ydoc *doc);

/* The node at index i, or NULL for 0. */
const tt_ynode *tt_ydoc_node(const tt_ydoc *doc, uint32_t i);

/* A scalar's text, always NUL-terminated (it may hold NULs before that:
 * its length is node->count). */
const char *tt_ydoc_text(const tt_ydoc *doc, const tt_ynode *node);

/* Where the character at byte offset of a scalar's text was written,
 * when its text is the very bytes of the file (plain, or in quotes without
 * escapes, on one line). Returns 0, or -1 when that cannot be known. */
int tt_ydoc_position(const tt_ydoc *doc, const tt_ynode *node, size_t offset,
                     unsigned *line, unsigned *col);

/* True for a plain scalar that YAML reads as null: empty, ~ or null. */
bool tt_ydoc_is_null(const tt_ydoc *doc, const tt_ynode *node);

#endif

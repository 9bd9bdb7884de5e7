/* pattern_parse.c - POSIX extended regular expressions into a syntax tree,
 * with refusals that say what to write instead. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "pattern_prog.h"

/* Sizes are counted up to here; anything past it is refused anyway. */
#define SIZE_CAP UINT32_C(100000000)

typedef struct parser {
  const unsigned char *s;
  size_t i, len;
  tt_re_tree *t;
  char *err;
  size_t errn;
  int depth;
} parser;

static int32_t parse_regex(parser *P);

/* Writes the refusal into the caller's buffer; returns -1 for "failed". */
__attribute__((format(printf, 2, 3)))
static int32_t fail(parser *P, const char *fmt, ...) {
  if (P->errn > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(P->err, P->errn, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static int peek(const parser *P) {
  return P->i < P->len ? P->s[P->i] : -1;
}

/* A byte as a message shows it: itself when printable, else \xNN. */
static const char *show(char buf[8], unsigned char c) {
  if (c > 0x20 && c < 0x7f)
    snprintf(buf, 8, "%c", c);
  else
    snprintf(buf, 8, "\\x%02x", c);
  return buf;
}

static uint32_t size_add(uint32_t a, uint32_t b) {
  return a + b > SIZE_CAP ? SIZE_CAP : a + b;
}

static uint32_t size_mul(uint32_t a, uint32_t b) {
  return b != 0 && a > SIZE_CAP / b ? SIZE_CAP : a * b;
}

/* Instructions that s repeated min..max times compiles to: min copies and,
 * up to a finite max, max - min optional ones (a split each); up to no
 * max, a loop (x* is split, x, jump; x{n,} ends in x+, one split). */
static uint32_t repeat_size(uint32_t s, unsigned min, unsigned max) {
  if (max == TT_RE_INF)
    return min == 0 ? size_add(s, 2) : size_add(size_mul(s, min), 1);
  return size_add(size_mul(s, min), size_mul(s + 1, max - min));
}

static int32_t node(parser *P, tt_re_kind kind, uint32_t size) {
  tt_re_tree *t = P->t;
  tt_re_node *nodes = tt_grow(t->nodes, &t->capnodes, t->nnodes,
                              sizeof(*nodes), 32);
  if (nodes == NULL)
    return fail(P, "out of memory");
  t->nodes = nodes;
  tt_re_node *nd = &t->nodes[t->nnodes];
  memset(nd, 0, sizeof(*nd));
  nd->kind = (uint8_t)kind;
  nd->child = nd->next = -1;
  nd->size = size;
  return (int32_t)t->nnodes++;
}

/* A node for one byte of set: a plain byte, any byte, or a shared set. */
static int32_t set_node(parser *P, const tt_re_set *set) {
  unsigned count = 0, last = 0;
  for (unsigned b = 0; b < 256; b++) {
    if (tt_re_set_has(set, (unsigned char)b)) {
      count++;
      last = b;
    }
  }
  if (count == 256)
    return node(P, TT_RE_ANY, 1);
  if (count == 1) {
    int32_t k = node(P, TT_RE_BYTE, 1);
    if (k >= 0)
      P->t->nodes[k].byte = (uint8_t)last;
    return k;
  }
  tt_re_tree *t = P->t;
  size_t i = 0;
  while (i < t->nsets && memcmp(&t->sets[i], set, sizeof(*set)) != 0)
    i++;
  if (i == t->nsets) {
    if (t->nsets == TT_RE_MAX_SETS)
      return fail(P, "more than %d different bracket expressions",
                  TT_RE_MAX_SETS);
    tt_re_set *sets = tt_grow(t->sets, &t->capsets, t->nsets,
                              sizeof(*sets), 8);
    if (sets == NULL)
      return fail(P, "out of memory");
    t->sets = sets;
    t->sets[t->nsets++] = *set;
  }
  int32_t k = node(P, TT_RE_SET, 1);
  if (k >= 0)
    P->t->nodes[k].set = (uint16_t)i;
  return k;
}

/* ---- bracket expressions ---- */

/* The twelve classes, as the "C" locale defines them: ASCII only, so
 * that matching does not change with the user's locale. */
enum {
  C_ALNUM, C_ALPHA, C_BLANK, C_CNTRL, C_DIGIT, C_GRAPH,
  C_LOWER, C_PRINT, C_PUNCT, C_SPACE, C_UPPER, C_XDIGIT, C_COUNT
};

static const char *const class_names[C_COUNT] = {
  "alnum", "alpha", "blank", "cntrl", "digit", "graph",
  "lower", "print", "punct", "space", "upper", "xdigit",
};

static bool ascii_alnum(unsigned c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

static bool in_class(int k, unsigned c) {
  bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
  bool digit = c >= '0' && c <= '9', graph = c > 0x20 && c < 0x7f;
  switch (k) {
  case C_ALNUM: return upper || lower || digit;
  case C_ALPHA: return upper || lower;
  case C_BLANK: return c == ' ' || c == '\t';
  case C_CNTRL: return c < 0x20 || c == 0x7f;
  case C_DIGIT: return digit;
  case C_GRAPH: return graph;
  case C_LOWER: return lower;
  case C_PRINT: return graph || c == ' ';
  case C_PUNCT: return graph && !upper && !lower && !digit;
  case C_SPACE: return c == ' ' || (c >= '\t' && c <= '\r');
  case C_UPPER: return upper;
  default: return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}

static void add_class(tt_re_set *set, int k) {
  for (unsigned c = 0; c < 256; c++)
    if (in_class(k, c))
      tt_re_set_add(set, (unsigned char)c);
}

enum { E_CHAR, E_EQUIV, E_CLASS };

typedef struct elem {
  int kind;
  unsigned char c; /* E_CHAR, E_EQUIV */
  int cls;         /* E_CLASS */
} elem;

static int32_t unmatched_bracket(parser *P) {
  return fail(P, "unmatched [ (write \\[ for a literal [)");
}

/* Reads "[:name:]", "[=c=]" or "[.c.]" at P->i, delimited as glibc does:
 * the name ends at the first ":]" (or "=]", ".]"), so "[.].]" is "]". */
static int symbol(parser *P, elem *e) {
  unsigned char delim = P->s[P->i + 1];
  char name[32];
  size_t j = P->i + 2, k = 0;
  for (;; k++) {
    if (j + 1 >= P->len || k == sizeof(name) - 1)
      return fail(P, "[%c without its %c] in a bracket expression", delim,
                  delim);
    unsigned char ch = P->s[j++];
    if (ch == delim && P->s[j] == ']')
      break;
    name[k] = (char)ch;
  }
  name[k] = '\0';
  P->i = j + 1;
  if (delim == ':') {
    for (int c = 0; c < C_COUNT; c++) {
      if (strcmp(name, class_names[c]) == 0) {
        e->kind = E_CLASS;
        e->cls = c;
        return 0;
      }
    }
    return fail(P, "unknown class [:%s:] (the classes: alnum alpha blank "
                   "cntrl digit graph lower print punct space upper xdigit)",
                name);
  }
  if (k != 1)
    return fail(P, "[%c%s%c] is not a single character: only one "
                   "character may stand between [%c and %c]",
                delim, name, delim, delim, delim);
  e->kind = delim == '=' ? E_EQUIV : E_CHAR;
  e->c = (unsigned char)name[0];
  return 0;
}

/* Reads one element of a bracket expression. A '-' may start one only
 * first (hyphen_ok) or just before the closing ']'. */
static int bracket_elem(parser *P, elem *e, bool hyphen_ok,
                        bool after_backslash) {
  const unsigned char *s = P->s;
  size_t i = P->i;
  if (s[i] == '[' && i + 1 < P->len &&
      (s[i + 1] == '.' || s[i + 1] == '=' || s[i + 1] == ':'))
    return symbol(P, e);
  if (s[i] == '-' && !hyphen_ok && i + 1 < P->len && s[i + 1] != ']')
    return fail(P, "a - inside [ ] must come first or last, or end a "
                   "range");
  /* POSIX reads [\d] as a backslash or a d; whoever wrote it meant a
   * digit. ([\\d] is a backslash or a d in every reading.) */
  if (s[i] == '\\' && !after_backslash && i + 1 < P->len &&
      ascii_alnum(s[i + 1]))
    return fail(P, "inside [ ], \\%c is a backslash and a %c: write a class "
                   "such as [:digit:] or [:space:] instead (or [%c\\] for "
                   "both)",
                s[i + 1], s[i + 1], s[i + 1]);
  e->kind = E_CHAR;
  e->c = s[i];
  P->i = i + 1;
  return 0;
}

static int32_t parse_bracket(parser *P) {
  tt_re_set set = {{0}};
  bool negate = false, first = true, backslash = false;
  char a[8], b[8];
  if (peek(P) == '^') {
    negate = true;
    P->i++;
  }
  for (;;) {
    if (P->i >= P->len)
      return unmatched_bracket(P);
    if (P->s[P->i] == ']' && !first) {
      P->i++;
      break;
    }
    elem lo;
    if (bracket_elem(P, &lo, first, backslash) < 0)
      return -1;
    first = false;
    backslash = lo.kind == E_CHAR && lo.c == '\\';
    if (lo.kind == E_CLASS) {
      add_class(&set, lo.cls);
      continue;
    }
    if (lo.kind == E_CHAR && P->i < P->len && P->s[P->i] == '-') {
      if (P->i + 1 >= P->len)
        return unmatched_bracket(P);
      if (P->s[P->i + 1] != ']') {
        elem hi;
        P->i++;
        if (bracket_elem(P, &hi, true, false) < 0)
          return -1;
        if (hi.kind != E_CHAR)
          return fail(P, "a range inside [ ] cannot end with a class");
        if (hi.c < lo.c)
          return fail(P, "range %s-%s is backwards: write %s-%s",
                      show(a, lo.c), show(b, hi.c), b, a);
        for (unsigned c = lo.c; c <= hi.c; c++)
          tt_re_set_add(&set, (unsigned char)c);
        backslash = false;
        continue;
      }
    }
    tt_re_set_add(&set, lo.c);
  }
  if (negate)
    for (int w = 0; w < 4; w++)
      set.bits[w] = ~set.bits[w];
  return set_node(P, &set);
}

/* ---- escapes ---- */

/* \w and \s as GNU reads them, and their complements. */
static int32_t class_escape(parser *P, unsigned char c) {
  tt_re_set set = {{0}};
  if (c == 'w' || c == 'W') {
    add_class(&set, C_ALNUM);
    tt_re_set_add(&set, '_');
  } else {
    add_class(&set, C_SPACE);
  }
  if (c == 'W' || c == 'S')
    for (int w = 0; w < 4; w++)
      set.bits[w] = ~set.bits[w];
  return set_node(P, &set);
}

static int32_t parse_escape(parser *P) {
  char a[8];
  if (P->i >= P->len)
    return fail(P, "trailing backslash (write \\\\ for a literal \\)");
  unsigned char c = P->s[P->i++];
  if (c >= '1' && c <= '9')
    return fail(P, "backreferences (\\%c) are not supported: they can make "
                   "matching take exponential time",
                c);
  if (c == 'w' || c == 'W' || c == 's' || c == 'S')
    return class_escape(P, c);
  /* Punctuation escaped is itself, in every dialect, except GNU's word
   * and buffer anchors. */
  if (c >= 0x20 && c < 0x7f && strchr("<>`'", c) == NULL && !ascii_alnum(c)) {
    int32_t k = node(P, TT_RE_BYTE, 1);
    if (k >= 0)
      P->t->nodes[k].byte = c;
    return k;
  }
  switch (c) {
  case 'd': return fail(P, "\\d is not supported: use [0-9]");
  case 'D': return fail(P, "\\D is not supported: use [^0-9]");
  case 'b': case 'B': case '<': case '>':
    return fail(P, "word boundaries (\\%c) are not supported: match the "
                   "byte beside the word, as in (^|[^_[:alnum:]])", c);
  case '`': return fail(P, "\\` is not supported: use ^");
  case '\'': return fail(P, "\\' is not supported: use $");
  case 'x': case 'u': case 'U':
    return fail(P, "\\%c escapes are not supported: put the byte itself in "
                   "the pattern (in YAML, \"\\x41\" in double quotes)", c);
  }
  static const char *const controls[][2] = {
    {"n", "a newline"}, {"r", "a carriage return"}, {"t", "a tab"},
    {"f", "a form feed"}, {"v", "a vertical tab"}, {"a", "a bell"},
    {"e", "an escape"},
  };
  for (size_t k = 0; k < sizeof(controls) / sizeof(controls[0]); k++)
    if (c == controls[k][0][0])
      return fail(P, "\\%c is not %s here: put the character itself in the "
                     "pattern (in YAML, \"\\%c\" in double quotes)",
                  c, controls[k][1], c);
  if (c > 0x20 && c < 0x7f)
    return fail(P, "\\%c has no meaning: write %c alone", c, c);
  return fail(P, "a backslash before %s has no meaning: leave it out",
              show(a, c));
}

/* ---- the expression ---- */

static int32_t repeat(parser *P, int32_t child, unsigned min, unsigned max) {
  tt_re_node *c = &P->t->nodes[child];
  if (max == 0)
    return node(P, TT_RE_EMPTY, 0);
  /* x{1} is x; repeating what only matches the empty string changes
   * nothing; and *, + and ? over one another are one of them. */
  if ((min == 1 && max == 1) || c->size == 0)
    return child;
  if (c->kind == TT_RE_REPEAT && c->min <= 1 && min <= 1 &&
      (c->max == 1 || c->max == TT_RE_INF) && (max == 1 || max == TT_RE_INF)) {
    c->min = (uint16_t)(c->min * min);
    c->max = c->max == TT_RE_INF || max == TT_RE_INF ? TT_RE_INF : 1;
    c->size = repeat_size(P->t->nodes[c->child].size, c->min, c->max);
    return child;
  }
  uint32_t size = repeat_size(c->size, min, max);
  int32_t r = node(P, TT_RE_REPEAT, size);
  if (r < 0)
    return -1;
  tt_re_node *nd = &P->t->nodes[r];
  nd->child = child;
  nd->min = (uint16_t)min;
  nd->max = (uint16_t)max;
  return r;
}

static bool digit_at(const parser *P, size_t j) {
  return j < P->len && P->s[j] >= '0' && P->s[j] <= '9';
}

static unsigned number(const parser *P, size_t *j) {
  unsigned v = 0;
  while (digit_at(P, *j)) {
    v = v * 10 + (unsigned)(P->s[*j] - '0');
    if (v > 100000)
      v = 100000;
    (*j)++;
  }
  return v;
}

/* Reads {n}, {n,} or {n,m} at P->i. */
static int parse_bound(parser *P, unsigned *min, unsigned *max) {
  size_t j = P->i + 1;
  if (j < P->len && P->s[j] == ',') {
    size_t k = j + 1;
    unsigned m = number(P, &k);
    if (k < P->len && P->s[k] == '}')
      return k == j + 1 ? fail(P, "{,} is not a count: write *")
                        : fail(P, "{,%u} is not a count: write {0,%u}", m, m);
  }
  if (!digit_at(P, j))
    goto bad;
  *min = *max = number(P, &j);
  if (j < P->len && P->s[j] == ',') {
    j++;
    *max = digit_at(P, j) ? number(P, &j) : TT_RE_INF;
  }
  if (j >= P->len || P->s[j] != '}')
    goto bad;
  if (*min > TT_RE_DUP_MAX || (*max != TT_RE_INF && *max > TT_RE_DUP_MAX))
    return fail(P, "counts in { } go up to %d", TT_RE_DUP_MAX);
  if (*max < *min)
    return fail(P, "{%u,%u}: the first count is over the second", *min, *max);
  P->i = j + 1;
  return 0;
bad:
  return fail(P, "{ must start a count such as {2}, {2,} or {2,5} (write \\{ "
                 "for a literal {)");
}

/* An atom and the repetitions after it. */
static int32_t parse_piece(parser *P) {
  int c = peek(P);
  if (c == '*' || c == '+' || c == '?' || c == '{')
    return fail(P, "nothing before %c to repeat (write \\%c for a literal %c)",
                c, c, c);
  bool anchor = c == '^' || c == '$';
  int32_t atom;
  P->i++;
  switch (c) {
  case '(':
    if (++P->depth > TT_RE_MAX_DEPTH)
      return fail(P, "parentheses nest deeper than %d", TT_RE_MAX_DEPTH);
    atom = parse_regex(P);
    if (atom < 0)
      return -1;
    if (peek(P) != ')')
      return fail(P, "unmatched ( (write \\( for a literal ()");
    P->i++;
    P->depth--;
    break;
  case '[': atom = parse_bracket(P); break;
  case '.': atom = node(P, TT_RE_ANY, 1); break;
  case '^': atom = node(P, TT_RE_BOL, 1); break;
  case '$': atom = node(P, TT_RE_EOL, 1); break;
  case '\\': atom = parse_escape(P); break;
  default:
    atom = node(P, TT_RE_BYTE, 1);
    if (atom >= 0)
      P->t->nodes[atom].byte = (uint8_t)c;
  }
  while (atom >= 0) {
    unsigned min = 0, max = TT_RE_INF;
    c = peek(P);
    if (c != '*' && c != '+' && c != '?' && c != '{')
      break;
    if (anchor)
      return fail(P, "%c after an anchor repeats nothing (write \\%c for a "
                     "literal %c)", c, c, c);
    if (c == '{') {
      if (parse_bound(P, &min, &max) < 0)
        return -1;
    } else {
      P->i++;
      min = c == '+';
      max = c == '?' ? 1 : TT_RE_INF;
    }
    atom = repeat(P, atom, min, max);
  }
  return atom;
}

/* Links kid after *last under parent (first child when *last < 0). */
static void adopt(parser *P, int32_t parent, int32_t *last, int32_t kid) {
  if (*last < 0)
    P->t->nodes[parent].child = kid;
  else
    P->t->nodes[*last].next = kid;
  *last = kid;
}

/* Pieces up to '|', ')' or the end; several make a CAT. */
static int32_t parse_branch(parser *P) {
  int32_t first = -1, cat = -1, last = -1;
  uint32_t size = 0;
  for (;;) {
    int c = peek(P);
    if (c < 0 || c == '|')
      break;
    if (c == ')') {
      if (P->depth > 0)
        break;
      return fail(P, "unmatched ) (write \\) for a literal ))");
    }
    int32_t piece = parse_piece(P);
    if (piece < 0)
      return -1;
    size = size_add(size, P->t->nodes[piece].size);
    if (first < 0) {
      first = piece;
      continue;
    }
    if (cat < 0) {
      if ((cat = node(P, TT_RE_CAT, 0)) < 0)
        return -1;
      adopt(P, cat, &last, first);
    }
    adopt(P, cat, &last, piece);
  }
  if (first < 0)
    return node(P, TT_RE_EMPTY, 0);
  if (cat < 0)
    return first;
  P->t->nodes[cat].size = size;
  return cat;
}

/* Branches separated by '|'; several make an ALT (a split and a jump
 * between each two). */
static int32_t parse_regex(parser *P) {
  int32_t first = parse_branch(P);
  if (first < 0 || peek(P) != '|')
    return first;
  int32_t alt = node(P, TT_RE_ALT, 0), last = -1;
  if (alt < 0)
    return -1;
  adopt(P, alt, &last, first);
  uint32_t size = P->t->nodes[first].size;
  while (peek(P) == '|') {
    P->i++;
    int32_t b = parse_branch(P);
    if (b < 0)
      return -1;
    adopt(P, alt, &last, b);
    size = size_add(size_add(size, 2), P->t->nodes[b].size);
  }
  P->t->nodes[alt].size = size;
  return alt;
}

int tt_re_parse(const char *src, tt_re_tree *tree, char *err, size_t n) {
  parser P = {
    .s = (const unsigned char *)src, .len = strlen(src), .t = tree,
    .err = err, .errn = n,
  };
  memset(tree, 0, sizeof(*tree));
  tree->root = parse_regex(&P);
  if (tree->root < 0) {
    tt_re_tree_free(tree);
    return -1;
  }
  /* The program ends in one MATCH instruction. */
  uint32_t size = size_add(tree->nodes[tree->root].size, 1);
  if (size > TT_PATTERN_MAX_SIZE) {
    char count[24];
    if (size >= SIZE_CAP)
      snprintf(count, sizeof(count), "over %u", SIZE_CAP);
    else
      snprintf(count, sizeof(count), "%u", size);
    fail(&P, "too big: %s states once counts are expanded, the most is %d "
             "(use smaller counts)", count, TT_PATTERN_MAX_SIZE);
    tt_re_tree_free(tree);
    return -1;
  }
  return 0;
}

void tt_re_tree_free(tt_re_tree *tree) {
  free(tree->nodes);
  free(tree->sets);
  memset(tree, 0, sizeof(*tree));
  tree->root = -1;
}

/* jsonl.c - a strict reader for the flat JSON objects tether writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

typedef struct cursor {
  const char *p, *end;
} cursor;

static void skip_ws(cursor *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
    c->p++;
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* Reads a string literal; \u escapes are decoded to UTF-8. */
static char *read_string(cursor *c) {
  if (c->p >= c->end || *c->p != '"')
    return NULL;
  c->p++;
  char *out = malloc((size_t)(c->end - c->p) * 3 + 1);
  if (out == NULL)
    return NULL;
  size_t n = 0;
  while (c->p < c->end && *c->p != '"') {
    unsigned char ch = (unsigned char)*c->p++;
    if (ch < 0x20)
      goto bad; /* raw control characters are not allowed in JSON */
    if (ch != '\\') {
      out[n++] = (char)ch;
      continue;
    }
    if (c->p >= c->end)
      goto bad;
    char e = *c->p++;
    switch (e) {
    case '"': out[n++] = '"'; break;
    case '\\': out[n++] = '\\'; break;
    case '/': out[n++] = '/'; break;
    case 'n': out[n++] = '\n'; break;
    case 'r': out[n++] = '\r'; break;
    case 't': out[n++] = '\t'; break;
    case 'b': out[n++] = '\b'; break;
    case 'f': out[n++] = '\f'; break;
    case 'u': {
      if (c->end - c->p < 4)
        goto bad;
      unsigned cp = 0;
      for (int i = 0; i < 4; i++) {
        int h = hexval(c->p[i]);
        if (h < 0)
          goto bad;
        cp = cp * 16 + (unsigned)h;
      }
      c->p += 4;
      if (cp < 0x80) {
        out[n++] = (char)cp;
      } else if (cp < 0x800) {
        out[n++] = (char)(0xc0 | (cp >> 6));
        out[n++] = (char)(0x80 | (cp & 0x3f));
      } else {
        out[n++] = (char)(0xe0 | (cp >> 12));
        out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[n++] = (char)(0x80 | (cp & 0x3f));
      }
      break;
    }
    default:
      goto bad;
    }
  }
  if (c->p >= c->end)
    goto bad;
  c->p++;
  out[n] = '\0';
  return out;
bad:
  free(out);
  return NULL;
}

static int read_value(cursor *c, tt_json_field *f) {
  skip_ws(c);
  if (c->p < c->end && *c->p == '"') {
    f->str = read_string(c);
    return f->str ? 0 : -1;
  }
  if (c->end - c->p >= 4 && memcmp(c->p, "null", 4) == 0) {
    c->p += 4;
    f->is_null = true;
    return 0;
  }
  char *endp;
  char buf[64];
  size_t len = 0;
  while (c->p + len < c->end && len < sizeof buf - 1 &&
         strchr("-+.0123456789eE", c->p[len]) != NULL)
    len++;
  if (len == 0)
    return -1;
  memcpy(buf, c->p, len);
  buf[len] = '\0';
  f->num = strtod(buf, &endp);
  if (*endp != '\0')
    return -1;
  f->is_num = true;
  c->p += len;
  return 0;
}

/* "KEY.SUFFIX", malloc'd. */
static char *join_key(const char *prefix, const char *k) {
  char *key = malloc(strlen(prefix) + strlen(k) + 2);
  if (key != NULL)
    sprintf(key, "%s.%s", prefix, k);
  return key;
}

/* An array of values (a target's tags): the field KEY counts them, and
 * each is KEY.0, KEY.1, ... */
static int read_array(cursor *c, tt_json_obj *o, char *k) {
  tt_json_field *count = &o->f[o->n++];
  memset(count, 0, sizeof *count);
  count->key = k;
  count->is_num = true;
  c->p++; /* '[' */
  skip_ws(c);
  if (c->p < c->end && *c->p == ']') {
    c->p++;
    return 0;
  }
  for (;;) {
    char idx[24];
    if (o->n >= TT_JSON_MAX_FIELDS)
      return -1;
    snprintf(idx, sizeof idx, "%d", (int)count->num);
    tt_json_field *f = &o->f[o->n];
    memset(f, 0, sizeof *f);
    if ((f->key = join_key(k, idx)) == NULL)
      return -1;
    o->n++;
    count->num++;
    if (read_value(c, f) != 0)
      return -1;
    skip_ws(c);
    if (c->p < c->end && *c->p == ',') {
      c->p++;
      skip_ws(c);
      continue;
    }
    if (c->p < c->end && *c->p == ']') {
      c->p++;
      return 0;
    }
    return -1;
  }
}

static int read_object(cursor *c, tt_json_obj *o, const char *prefix) {
  skip_ws(c);
  if (c->p >= c->end || *c->p != '{')
    return -1;
  c->p++;
  skip_ws(c);
  if (c->p < c->end && *c->p == '}') {
    c->p++;
    return 0;
  }
  for (;;) {
    skip_ws(c);
    char *k = read_string(c);
    if (k == NULL)
      return -1;
    skip_ws(c);
    if (c->p >= c->end || *c->p != ':' || o->n >= TT_JSON_MAX_FIELDS) {
      free(k);
      return -1;
    }
    c->p++;
    skip_ws(c);
    if (prefix == NULL && c->p < c->end && *c->p == '{') {
      int r = read_object(c, o, k);
      free(k);
      if (r != 0)
        return -1;
    } else if (prefix == NULL && c->p < c->end && *c->p == '[') {
      if (read_array(c, o, k) != 0)
        return -1;
    } else {
      tt_json_field *f = &o->f[o->n];
      memset(f, 0, sizeof *f);
      if (prefix != NULL) {
        f->key = join_key(prefix, k);
        free(k);
        if (f->key == NULL)
          return -1;
      } else {
        f->key = k;
      }
      o->n++;
      if (read_value(c, f) != 0)
        return -1;
    }
    skip_ws(c);
    if (c->p < c->end && *c->p == ',') {
      c->p++;
      continue;
    }
    if (c->p < c->end && *c->p == '}') {
      c->p++;
      return 0;
    }
    return -1;
  }
}

int tt_json_parse(const char *line, size_t len, tt_json_obj *out) {
  cursor c = { line, line + len };
  memset(out, 0, sizeof *out);
  if (read_object(&c, out, NULL) != 0) {
    tt_json_free(out);
    return -1;
  }
  skip_ws(&c);
  if (c.p != c.end) {
    tt_json_free(out);
    return -1;
  }
  return 0;
}

void tt_json_free(tt_json_obj *o) {
  for (size_t i = 0; i < o->n; i++) {
    free(o->f[i].key);
    free(o->f[i].str);
  }
  o->n = 0;
}

static const tt_json_field *find(const tt_json_obj *o, const char *key) {
  for (size_t i = 0; i < o->n; i++)
    if (strcmp(o->f[i].key, key) == 0)
      return &o->f[i];
  return NULL;
}

const char *tt_json_str(const tt_json_obj *o, const char *key) {
  const tt_json_field *f = find(o, key);
  return f ? f->str : NULL;
}

double tt_json_num(const tt_json_obj *o, const char *key, bool *found) {
  const tt_json_field *f = find(o, key);
  *found = f != NULL && f->is_num;
  return *found ? f->num : 0;
}

bool tt_json_has(const tt_json_obj *o, const char *key) {
  return find(o, key) != NULL;
}

/* targets.c - who each target is: its name, address and tags from the
 * file or from a TARGET argument, unique, and as safe to show as any text
 * from the network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "escape.h"
#include "loader.h"
#include "suggest.h"

uint32_t ld_hash(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s != '\0'; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static char *dup_bytes(const char *s, size_t len) {
  char *d = malloc(len + 1);
  if (d != NULL) {
    memcpy(d, s, len);
    d[len] = '\0';
  }
  return d;
}

/* Why text that people will see as a name, a tag or a host is refused: a
 * character a terminal obeys or that hides or reorders text, or bytes that
 * are not UTF-8 (the command line's). With controls false, C0 controls
 * and DEL are left to the caller's own words. Returns NULL when the text
 * is fine, else the words, and sets *at to the character's offset. */
static const char *unsafe(const char *s, size_t len, bool controls,
                          size_t *at, char *buf, size_t n) {
  char what[80];
  uint32_t cp;
  *at = tt_text_check(s, len, &cp);
  if (*at == len)
    return NULL;
  if (cp < 0x80) {
    if (!controls)
      return NULL;
    snprintf(buf, n, "must not contain control characters");
  } else if (cp == TT_CP_INVALID) {
    snprintf(buf, n, "is not valid UTF-8");
  } else {
    snprintf(buf, n, "must not contain %s",
             tt_char_describe(cp, what, sizeof(what)));
  }
  return buf;
}

/* Reports the value v of key when it is unsafe, at the character itself
 * when its place in the file can be known. Returns true when it did. */
static bool file_unsafe(loader *L, const tt_ynode *v, const char *key,
                        const char *s, bool controls) {
  char why[120], q[QUOTE_SIZE];
  unsigned line = v->line, col = v->col;
  size_t at;

  if (unsafe(s, v->count, controls, &at, why, sizeof(why)) == NULL)
    return false;
  tt_ydoc_position(&L->doc, v, at, &line, &col);
  ld_file_diag(L, line, col, "%s '%s' %s", key,
               ld_quote(q, sizeof(q), s, v->count), why);
  return true;
}

/* Records t's name; reports it when an earlier target has the same. */
static void check_unique_name(loader *L, draft *d, size_t index) {
  tt_target *t = &L->cfg->targets[index];
  size_t i = ld_hash(t->name) & L->names_mask;
  char q[QUOTE_SIZE];

  for (; L->names[i] != 0; i = (i + 1) & L->names_mask) {
    const tt_target *first = &L->cfg->targets[L->names[i] - 1];
    if (strcmp(first->name, t->name) != 0)
      continue;
    ld_quote(q, sizeof(q), t->name, strlen(t->name));
    if (first->line == 0)
      ld_target_diag(L, &d->ctx, 0, 0,
                     "duplicate target name '%s' (given earlier on the "
                     "command line)",
                     q);
    else if (d->ctx.arg != NULL)
      ld_target_diag(L, &d->ctx, 0, 0,
                     "duplicate target name '%s' (first at %s:%u:%u)", q,
                     L->source, first->line, first->col);
    else
      ld_target_diag(L, &d->ctx, d->name_line, d->name_col,
                     "duplicate target name '%s' (first at %u:%u)", q,
                     first->line, first->col);
    return;
  }
  L->names[i] = (uint32_t)index + 1;
}

static void finish(loader *L, draft *d, size_t index) {
  if (L->cfg->targets[index].name != NULL)
    check_unique_name(L, d, index);
  ld_finish_target(L, d, index);
}

/* ---- a target in the file ---- */

/* Sets the target's host, port and address from its address: key, or
 * from host: and port:. */
static void file_address(loader *L, draft *d, tt_target *t) {
  const tt_ynode *av = d->val[TT_SET_ADDRESS], *hv = d->val[TT_SET_HOST],
                 *pv = d->val[TT_SET_PORT];
  char q[QUOTE_SIZE];
  const char *why, *s;
  tt_hostport hp;

  if (av != NULL && (hv != NULL || pv != NULL)) {
    /* Reported at whichever of the keys was written last. */
    const tt_ynode *k = d->key[TT_SET_ADDRESS];
    for (int id = TT_SET_HOST; id <= TT_SET_PORT; id++) {
      const tt_ynode *o = d->key[id];
      if (o != NULL && (o->line > k->line ||
                        (o->line == k->line && o->col > k->col)))
        k = o;
    }
    ld_file_diag(L, k->line, k->col,
                 "give either address or host and port, not both");
    return;
  }
  if (av != NULL) {
    s = ld_scalar(L, av, "address", "host:port", false);
    if (s == NULL || file_unsafe(L, av, "address", s, false))
      return;
    if (tt_address_parse(s, &hp, &why) != 0) {
      ld_file_diag(L, av->line, av->col, "address '%s' %s",
                   ld_quote(q, sizeof(q), s, av->count), why);
      return;
    }
    t->address = strdup(s);
  } else if (hv == NULL || pv == NULL) {
    /* With an address key misspelt ("adress:"), the address is not
     * missing: that problem is already reported. */
    if (d->refused)
      return;
    if (hv == NULL && pv == NULL)
      ld_file_diag(L, d->ctx.line, d->ctx.col,
                   "this target has no address; add address: host:port (or "
                   "host: and port:)");
    else if (pv == NULL)
      ld_file_diag(L, d->key[TT_SET_HOST]->line, d->key[TT_SET_HOST]->col,
                   "host needs port (or write address: host:port)");
    else
      ld_file_diag(L, d->key[TT_SET_PORT]->line, d->key[TT_SET_PORT]->col,
                   "port needs host (or write address: host:port)");
    return;
  } else {
    const char *h = ld_scalar(L, hv, "host", "a host name or IP address",
                              false);
    const char *p = ld_scalar(L, pv, "port", "a port from 1 to 65535", false);
    bool bad = h == NULL || p == NULL;
    if (h != NULL && file_unsafe(L, hv, "host", h, false)) {
      bad = true;
    } else if (h != NULL && tt_host_parse(h, &hp, &why) != 0) {
      ld_file_diag(L, hv->line, hv->col, "host '%s' %s",
                   ld_quote(q, sizeof(q), h, hv->count), why);
      bad = true;
    }
    if (p != NULL && tt_port_parse(p, &hp.port, &why) != 0) {
      ld_file_diag(L, pv->line, pv->col, "port '%s' %s",
                   ld_quote(q, sizeof(q), p, pv->count), why);
      bad = true;
    }
    if (bad)
      return;
    t->address = ld_format(hp.literal_family == 6 ? "[%s]:%u" : "%s:%u",
                           hp.host, (unsigned)hp.port);
  }
  t->host = strdup(hp.host);
  t->port = hp.port;
  t->literal_family = hp.literal_family;
  if (t->address == NULL || t->host == NULL)
    L->failed = true;
}

static void file_name(loader *L, draft *d, tt_target *t) {
  const tt_ynode *nv = d->val[TT_SET_NAME];
  char q[QUOTE_SIZE];
  const char *s;

  d->name_line = d->ctx.line;
  d->name_col = d->ctx.col;
  if (nv == NULL) {
    /* The name defaults to the address as configured. */
    if (t->address != NULL && (t->name = strdup(t->address)) == NULL)
      L->failed = true;
    return;
  }
  d->name_line = nv->line;
  d->name_col = nv->col;
  s = ld_scalar(L, nv, "name", "a string", false);
  if (s == NULL)
    return;
  if (nv->count == 0) {
    ld_file_diag(L, nv->line, nv->col, "name is empty");
    return;
  }
  if (nv->count > TT_MAX_NAME) {
    ld_file_diag(L, nv->line, nv->col, "name '%s' is longer than %d bytes",
                 ld_quote(q, sizeof(q), s, nv->count), TT_MAX_NAME);
    return;
  }
  if (file_unsafe(L, nv, "name", s, true))
    return;
  if ((t->name = strdup(s)) == NULL)
    L->failed = true;
}

static void file_tags(loader *L, draft *d, tt_target *t) {
  const tt_ynode *tv = d->val[TT_SET_TAGS], *item;
  char q[QUOTE_SIZE];
  size_t n = 0;

  if (tv == NULL)
    return;
  if (tv->kind != TT_Y_SEQ) {
    ld_wrong_kind(L, tv, "tags", "a list of strings such as [cache, prod]");
    return;
  }
  if (tv->count == 0)
    return;
  t->tags = calloc(tv->count, sizeof(*t->tags));
  if (t->tags == NULL) {
    L->failed = true;
    return;
  }
  for (uint32_t i = tv->first; (item = ld_node(L, i)) != NULL;
       i = item->next) {
    const char *s = ld_scalar(L, item, "tag", "a string", false);
    if (s == NULL)
      continue;
    if (item->count == 0) {
      ld_file_diag(L, item->line, item->col, "tag is empty");
      continue;
    }
    if (item->count > TT_MAX_TAG) {
      ld_file_diag(L, item->line, item->col, "tag '%s' is longer than %d bytes",
                   ld_quote(q, sizeof(q), s, item->count), TT_MAX_TAG);
      continue;
    }
    if (file_unsafe(L, item, "tag", s, true))
      continue;
    if ((t->tags[n] = strdup(s)) == NULL) {
      L->failed = true;
      break;
    }
    t->ntags = ++n;
  }
}

void ld_load_file_target(loader *L, const tt_ynode *map, size_t index) {
  tt_target *t = &L->cfg->targets[index];
  draft d;

  memset(&d, 0, sizeof(d));
  d.ctx.line = map->line;
  d.ctx.col = map->col;
  t->line = map->line;
  t->col = map->col;
  if (map->kind != TT_Y_MAP) {
    ld_wrong_kind(L, map, NULL,
                  "a target (a mapping such as {address: db1:5432})");
    return;
  }
  ld_read_settings(L, map, AT_TARGET, &d.lay, d.key, d.val, &d.refused);
  file_address(L, &d, t);
  file_name(L, &d, t);
  file_tags(L, &d, t);
  finish(L, &d, index);
}

/* ---- a TARGET argument: [NAME=][PRESET://]HOST:PORT ---- */

static void adhoc_name(loader *L, draft *d, tt_target *t, const char *arg,
                       size_t len) {
  char q[QUOTE_SIZE], why[120];
  size_t at;

  if (len == 0) {
    ld_target_diag(L, &d->ctx, 0, 0, "name is empty");
  } else if (len > TT_MAX_NAME) {
    ld_target_diag(L, &d->ctx, 0, 0, "name '%s' is longer than %d bytes",
                   ld_quote(q, sizeof(q), arg, len), TT_MAX_NAME);
  } else if (unsafe(arg, len, true, &at, why, sizeof(why)) != NULL) {
    ld_target_diag(L, &d->ctx, 0, 0, "name '%s' %s",
                   ld_quote(q, sizeof(q), arg, len), why);
  } else if ((t->name = dup_bytes(arg, len)) == NULL) {
    L->failed = true;
  }
}

/* Reads "PRESET://" at the start of *rest, if there is one. */
static void adhoc_preset(loader *L, draft *d, const char **rest) {
  const char *sep = strstr(*rest, "://");
  char why[320];
  tt_setting_value v;

  if (sep == NULL)
    return;
  if (tt_setting_read(tt_setting_get(TT_SET_PRESET), *rest,
                      (size_t)(sep - *rest), &v, why, sizeof(why)) == 0) {
    d->lay.s.v[TT_SET_PRESET] = v;
    d->lay.s.has |= TT_BIT(TT_SET_PRESET);
    d->lay.at[TT_SET_PRESET] = (where){FROM_CONFIG, false, 0, 0};
  } else {
    ld_target_diag(L, &d->ctx, 0, 0, "%s", why);
    d->lay.bad |= TT_BIT(TT_SET_PRESET);
  }
  *rest = sep + 3;
}

void ld_load_adhoc(loader *L, const char *arg, size_t index) {
  tt_target *t = &L->cfg->targets[index];
  char qarg[128], why[120];
  const char *eq = strchr(arg, '='), *rest = eq ? eq + 1 : arg, *problem;
  tt_hostport hp;
  size_t at;
  draft d;

  memset(&d, 0, sizeof(d));
  d.ctx.arg = ld_quote(qarg, sizeof(qarg), arg, strlen(arg));
  if (eq != NULL)
    adhoc_name(L, &d, t, arg, (size_t)(eq - arg));
  adhoc_preset(L, &d, &rest);
  if (strchr(rest, '=') != NULL) {
    ld_target_diag(L, &d.ctx, 0, 0,
                   "a host cannot contain '='; write "
                   "NAME=[PRESET://]HOST:PORT with a single '='");
  } else if ((problem = unsafe(rest, strlen(rest), false, &at, why,
                               sizeof(why))) != NULL) {
    ld_target_diag(L, &d.ctx, 0, 0, "address %s", problem);
  } else if (tt_address_parse(rest, &hp, &problem) != 0) {
    ld_target_diag(L, &d.ctx, 0, 0, "%s", problem);
  } else {
    t->address = strdup(rest);
    t->host = strdup(hp.host);
    t->port = hp.port;
    t->literal_family = hp.literal_family;
    if (t->address == NULL || t->host == NULL ||
        (eq == NULL && (t->name = strdup(rest)) == NULL)) {
      L->failed = true;
      return;
    }
  }
  finish(L, &d, index);
}

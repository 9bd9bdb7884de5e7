/* layers.c - a target's settings, layer upon layer: built-in defaults,
 * the defaults: mapping, the target, the command line; presets at the
 * layer that names them; then what only shows once they are combined. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "loader.h"
#include "tls.h"

/* The layers combined. */
typedef struct resolved {
  tt_setting_value v[TT_SET_COUNT];
  where at[TT_SET_COUNT];
  uint32_t has;        /* set by some layer (or its preset) */
  const char *quit;    /* from the preset */
  size_t quit_len;
} resolved;

static bool is_setting(const tt_setting *s) {
  return s->type >= TT_STYPE_PRESET;
}

/* The option that set a value, for messages: "--timeout", or for a
 * value set by a shorthand, that shorthand ("-4"). */
static const char *option_label(const tt_setting *s, const tt_setting_value *v,
                                char *buf, size_t n) {
  for (size_t i = 0; i < 2; i++) {
    if (s->shorthands[i].opt != 0 &&
        (uint64_t)s->shorthands[i].value == v->num) {
      buf[0] = '-';
      buf[1] = s->shorthands[i].opt;
      buf[2] = '\0';
      return buf;
    }
  }
  if (s->option != NULL)
    return s->option;
  if (s->shorthands[0].opt != 0 && n >= 6) {
    buf[0] = '-';
    buf[1] = s->shorthands[0].opt;
    buf[2] = '/';
    buf[3] = '-';
    buf[4] = s->shorthands[1].opt;
    buf[5] = '\0';
    return buf;
  }
  return s->key;
}

void ld_load_overrides(loader *L) {
  const tt_settings *o = L->in->overrides;
  layer *lay = &L->overrides;

  if (o == NULL)
    return;
  for (int id = 0; id < TT_SET_COUNT; id++) {
    const tt_setting *s = tt_setting_get((tt_setting_id)id);
    char why[160], label[8];
    if (!(o->has & TT_BIT(id)))
      continue;
    if (!(s->layers & TT_IN_OPTIONS)) {
      ld_option_diag(L, "%s cannot be set on the command line", s->key);
      lay->bad |= TT_BIT(id);
      continue;
    }
    if (tt_setting_check(s, &o->v[id], why, sizeof(why)) != 0) {
      ld_option_diag(L, "%s: %s",
                     option_label(s, &o->v[id], label, sizeof(label)), why);
      lay->bad |= TT_BIT(id);
      continue;
    }
    lay->s.v[id] = o->v[id];
    lay->s.has |= TT_BIT(id);
    if (s->layers & TT_OPTION_AS_DEFAULT)
      L->as_default |= TT_BIT(id);
    lay->at[id] = (where){FROM_OPTION, false, 0, 0};
  }
}

/* ---- combining ---- */

static void resolved_init(resolved *r) {
  memset(r, 0, sizeof(*r));
  for (int id = 0; id < TT_SET_COUNT; id++) {
    const tt_setting *s = tt_setting_get((tt_setting_id)id);
    if (s->has_default)
      r->v[id] = s->def;
  }
}

/* A preset sets mode, send, expect, where replies end, TLS and its
 * goodbye at its layer, clearing what it does not use. */
static void apply_preset(resolved *r, const tt_preset *p, where at) {
  static const tt_setting_id sets[] = {TT_SET_PRESET, TT_SET_MODE,
                                       TT_SET_SEND, TT_SET_EXPECT,
                                       TT_SET_REPLY_END, TT_SET_REPLY_BYTES,
                                       TT_SET_TLS};
  r->v[TT_SET_PRESET].preset = p;
  r->v[TT_SET_MODE].num = p->mode;
  r->v[TT_SET_SEND].str.p = p->send;
  r->v[TT_SET_SEND].str.len =
      p->send == NULL ? 0 : p->send_len ? p->send_len : strlen(p->send);
  r->v[TT_SET_EXPECT].str.p = p->expect;
  r->v[TT_SET_EXPECT].str.len = p->expect ? strlen(p->expect) : 0;
  if (p->reply_end != NULL) {
    r->v[TT_SET_REPLY_END].str.p = p->reply_end;
    r->v[TT_SET_REPLY_END].str.len = strlen(p->reply_end);
  } else {
    r->v[TT_SET_REPLY_END] = tt_setting_get(TT_SET_REPLY_END)->def;
  }
  r->v[TT_SET_REPLY_BYTES].num = p->reply_bytes;
  r->v[TT_SET_TLS].num = p->tls;
  r->quit = p->quit;
  r->quit_len = p->quit == NULL ? 0 : p->quit_len ? p->quit_len
                                                  : strlen(p->quit);
  r->has |= TT_BIT(TT_SET_MODE) | TT_BIT(TT_SET_PRESET);
  at.preset = true;
  for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
    r->at[sets[i]] = at;
}

/* Applies the values of l among mask. */
static void apply_layer(resolved *r, const layer *l, uint32_t mask) {
  uint32_t has = l->s.has & mask;
  if (has & TT_BIT(TT_SET_PRESET))
    apply_preset(r, l->s.v[TT_SET_PRESET].preset, l->at[TT_SET_PRESET]);
  for (int id = 0; id < TT_SET_COUNT; id++) {
    if (!(has & TT_BIT(id)) || id == TT_SET_PRESET ||
        !is_setting(tt_setting_get((tt_setting_id)id)))
      continue;
    r->v[id] = l->s.v[id];
    r->has |= TT_BIT(id);
    r->at[id] = l->at[id];
  }
  /* A layer that says where replies end undoes a fixed reply length from
   * beneath it (a preset's): what was said last decides. */
  if ((has & TT_BIT(TT_SET_REPLY_END)) && !(has & TT_BIT(TT_SET_REPLY_BYTES)))
    r->v[TT_SET_REPLY_BYTES].num = 0;
}

/* Settles the default of id when it follows another setting: at most
 * that one's value. A followed default is never below a value set for a
 * setting that follows it (backoff.initial: 5s raises backoff.max's
 * default), so that following never makes a valid file invalid. */
static void settle(resolved *r, tt_setting_id id, uint32_t *done,
                   uint32_t *followed) {
  const tt_setting *s = tt_setting_get(id);
  if (*done & TT_BIT(id))
    return;
  *done |= TT_BIT(id);
  if (s->follows == 0 || (r->has & TT_BIT(id)))
    return;
  settle(r, s->follows, done, followed);
  if (r->v[s->follows].num < r->v[id].num) {
    r->v[id].num = r->v[s->follows].num;
    *followed |= TT_BIT(id);
  }
  for (int k = 0; k < TT_SET_COUNT; k++) {
    if (tt_setting_get((tt_setting_id)k)->follows == id &&
        (r->has & TT_BIT(k)) && r->v[k].num > r->v[id].num) {
      r->v[id].num = r->v[k].num;
      *followed &= ~TT_BIT(id);
    }
  }
}

static void settle_all(resolved *r, uint32_t *followed) {
  uint32_t done = 0;
  *followed = 0;
  for (int id = 0; id < TT_SET_COUNT; id++)
    settle(r, (tt_setting_id)id, &done, followed);
}

/* ---- what only shows once combined ---- */

static const where *from_file(const resolved *r, tt_setting_id id) {
  return r->at[id].origin == FROM_CONFIG ? &r->at[id] : NULL;
}

static bool from_option(const resolved *r, tt_setting_id id) {
  return r->at[id].origin == FROM_OPTION;
}

static bool judges_http(const resolved *r) {
  const tt_preset *p = r->v[TT_SET_PRESET].preset;
  return p != NULL && p->judge == TT_JUDGE_HTTP;
}

/* "http, https": the presets that judge HTTP statuses. */
static void http_presets(char *buf, size_t n) {
  size_t np, used = 0;
  const tt_preset *all = tt_preset_all(&np);
  buf[0] = '\0';
  for (size_t i = 0; i < np && used < n; i++) {
    if (all[i].judge != TT_JUDGE_HTTP)
      continue;
    int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
                     all[i].name);
    if (w < 0)
      break;
    used += (size_t)w;
  }
}

static void check_mode(loader *L, const draft *d, const char *name,
                       const resolved *r, uint32_t bad) {
  const uint32_t mode_fields = TT_BIT(TT_SET_MODE) | TT_BIT(TT_SET_SEND) |
                               TT_BIT(TT_SET_PRESET) | TT_BIT(TT_SET_EXPECT);
  bool has_send = r->v[TT_SET_SEND].str.p != NULL;

  if (bad & mode_fields)
    return;
  if (r->v[TT_SET_MODE].num == TT_MODE_PERSISTENT && !has_send) {
    if (from_option(r, TT_SET_MODE))
      ld_option_diag(L,
                     "--mode: persistent mode needs send, or a preset that "
                     "sets it (target '%s' has none)",
                     name);
    else
      ld_where_diag(L, d, from_file(r, TT_SET_MODE),
                    "persistent mode needs send, or a preset that sets it");
  }
  if (r->v[TT_SET_MODE].num == TT_MODE_CONNECT && has_send &&
      r->v[TT_SET_EXPECT].str.p == NULL) {
    if (from_option(r, TT_SET_SEND))
      ld_option_diag(L,
                     "--send: connect mode with send needs expect (target "
                     "'%s' has none)",
                     name);
    else if (from_option(r, TT_SET_MODE))
      ld_option_diag(L,
                     "--mode: connect mode with send needs expect (target "
                     "'%s' has none)",
                     name);
    else
      ld_where_diag(L, d,
                    from_file(r, TT_SET_SEND) ? from_file(r, TT_SET_SEND)
                                              : from_file(r, TT_SET_MODE),
                    "connect mode with send needs expect");
  }
}

static void check_times(loader *L, const draft *d, const char *name,
                        const resolved *r, uint32_t bad) {
  char a[32], b[32];
  uint64_t timeout = r->v[TT_SET_TIMEOUT].num;
  uint64_t interval = r->v[TT_SET_INTERVAL].num;
  uint64_t initial = r->v[TT_SET_BACKOFF_INITIAL].num;
  uint64_t max = r->v[TT_SET_BACKOFF_MAX].num;

  if (!(bad & (TT_BIT(TT_SET_MODE) | TT_BIT(TT_SET_SEND) |
               TT_BIT(TT_SET_PRESET) | TT_BIT(TT_SET_TIMEOUT) |
               TT_BIT(TT_SET_INTERVAL))) &&
      r->v[TT_SET_MODE].num == TT_MODE_PERSISTENT && timeout > interval) {
    bool opt_t = from_option(r, TT_SET_TIMEOUT);
    bool opt_i = from_option(r, TT_SET_INTERVAL);
    tt_duration_format(timeout, a, sizeof(a));
    tt_duration_format(interval, b, sizeof(b));
    if (opt_t && opt_i)
      ld_option_diag(L,
                     "--timeout: %s must not exceed --interval %s in "
                     "persistent mode",
                     a, b);
    else if (opt_t)
      ld_option_diag(L,
                     "--timeout: %s must not exceed the interval (%s) of "
                     "target '%s' in persistent mode",
                     a, b, name);
    else if (opt_i)
      ld_option_diag(L,
                     "--interval: %s must not be below the timeout (%s) of "
                     "target '%s' in persistent mode",
                     b, a, name);
    else
      /* Only a timeout someone set can exceed the interval: a default
       * one follows it. */
      ld_where_diag(L, d, from_file(r, TT_SET_TIMEOUT),
                    "timeout (%s) must not exceed interval (%s) in "
                    "persistent mode",
                    a, b);
  }
  if (!(bad & (TT_BIT(TT_SET_BACKOFF_INITIAL) | TT_BIT(TT_SET_BACKOFF_MAX))) &&
      initial > max) {
    tt_duration_format(initial, a, sizeof(a));
    tt_duration_format(max, b, sizeof(b));
    ld_where_diag(L, d,
                  from_file(r, TT_SET_BACKOFF_INITIAL)
                      ? from_file(r, TT_SET_BACKOFF_INITIAL)
                      : from_file(r, TT_SET_BACKOFF_MAX),
                  "backoff initial (%s) must not exceed backoff max (%s)", a,
                  b);
  }
}

static void check_family(loader *L, const draft *d, const tt_target *t,
                         const char *name, const resolved *r, uint32_t bad) {
  tt_family family = (tt_family)r->v[TT_SET_FAMILY].num;
  const char *fam, *lit;
  char qa[QUOTE_SIZE], label[8];

  if ((bad & TT_BIT(TT_SET_FAMILY)) || t->address == NULL ||
      !((family == TT_FAMILY_IPV4 && t->literal_family == 6) ||
        (family == TT_FAMILY_IPV6 && t->literal_family == 4)))
    return;
  fam = tt_family_name(family);
  lit = t->literal_family == 6 ? "IPv6" : "IPv4";
  if (from_option(r, TT_SET_FAMILY))
    ld_option_diag(L, "%s: %s does not fit target '%s' (an %s address)",
                   option_label(tt_setting_get(TT_SET_FAMILY),
                                &r->v[TT_SET_FAMILY], label, sizeof(label)),
                   fam, name, lit);
  else if (d->ctx.arg != NULL)
    ld_target_diag(L, &d->ctx, 0, 0, "address is %s, but family is %s", lit,
                   fam);
  else if (d->val[TT_SET_ADDRESS] != NULL)
    ld_target_diag(L, &d->ctx, d->val[TT_SET_ADDRESS]->line,
                   d->val[TT_SET_ADDRESS]->col,
                   "address '%s' is %s, but family is %s",
                   ld_quote(qa, sizeof(qa), t->address, strlen(t->address)),
                   lit, fam);
  else
    ld_target_diag(L, &d->ctx, d->val[TT_SET_HOST]->line,
                   d->val[TT_SET_HOST]->col,
                   "host '%s' is %s, but family is %s",
                   ld_quote(qa, sizeof(qa), t->host, strlen(t->host)), lit,
                   fam);
}

static void check_replies(loader *L, const draft *d, const resolved *r,
                          uint32_t bad) {
  const tt_preset *p = r->v[TT_SET_PRESET].preset;
  uint64_t bytes = r->v[TT_SET_REPLY_BYTES].num;
  char list[128];

  if (!(bad & (TT_BIT(TT_SET_REPLY_BYTES) | TT_BIT(TT_SET_MAX_REPLY) |
               TT_BIT(TT_SET_PRESET))) &&
      bytes > r->v[TT_SET_MAX_REPLY].num)
    ld_where_diag(L, d,
                  from_file(r, TT_SET_REPLY_BYTES)
                      ? from_file(r, TT_SET_REPLY_BYTES)
                      : from_file(r, TT_SET_MAX_REPLY),
                  "reply_bytes (%llu) must not exceed max_reply (%llu)",
                  (unsigned long long)bytes,
                  (unsigned long long)r->v[TT_SET_MAX_REPLY].num);
  /* path and status in defaults: are for the targets that ask HTTP; in
   * a target that does not, they are a mistake. */
  if ((bad & TT_BIT(TT_SET_PRESET)) || judges_http(r))
    return;
  http_presets(list, sizeof(list));
  for (tt_setting_id id = TT_SET_PATH; id <= TT_SET_STATUS; id++) {
    if (!(d->lay.s.has & TT_BIT(id)))
      continue;
    if (p != NULL)
      ld_where_diag(L, d, &d->lay.at[id],
                    "%s is only for presets that judge HTTP (%s); this "
                    "target's preset is %s",
                    tt_setting_get(id)->key, list, p->name);
    else
      ld_where_diag(L, d, &d->lay.at[id],
                    "%s is only for presets that judge HTTP (%s); this "
                    "target has no preset",
                    tt_setting_get(id)->key, list);
  }
}

/* A ca_file checked in this load, and what was wrong with it ("" when
 * it loads): every target names the one in defaults:, and a bundle of
 * 140 CAs takes milliseconds to parse. Kept until the loader is done. */
struct ca_seen {
  struct ca_seen *next;
  char err[256];
  char path[];
};

/* What is wrong with the ca_file at path, "" when it loads: checked once
 * per load. NULL when out of memory (the loader has failed). */
static const char *ca_verdict(loader *L, const char *path) {
  struct ca_seen *c;
  for (c = L->cas; c != NULL; c = c->next)
    if (strcmp(c->path, path) == 0)
      return c->err;
  c = ld_keep(L, malloc(sizeof(*c) + strlen(path) + 1));
  if (c == NULL)
    return NULL;
  strcpy(c->path, path);
  c->err[0] = '\0';
  if (tt_tls_ca_check(path, c->err, sizeof(c->err)) != 0 && c->err[0] == '\0')
    snprintf(c->err, sizeof(c->err), "cannot be loaded");
  c->next = L->cas;
  L->cas = c;
  return c->err;
}

/* TLS: a ca_file must be one that loads; the TLS keys in a target that
 * does not use TLS are a mistake (in defaults: they apply to those that
 * do). */
static void check_tls(loader *L, const draft *d, const resolved *r,
                      uint32_t bad) {
  const tt_setting_value *ca = &r->v[TT_SET_CA_FILE];
  if (bad & (TT_BIT(TT_SET_TLS) | TT_BIT(TT_SET_PRESET)))
    return;
  if (r->v[TT_SET_TLS].num == 0) {
    for (tt_setting_id id = TT_SET_SERVER_NAME; id <= TT_SET_CERT_WARN; id++)
      if (d->lay.s.has & TT_BIT(id))
        ld_where_diag(L, d, &d->lay.at[id],
                      "%s is only for targets over TLS (tls: true, or the "
                      "https and tls presets)",
                      tt_setting_get(id)->key);
    return;
  }
  if (ca->str.p != NULL && !(bad & TT_BIT(TT_SET_CA_FILE))) {
    char path[TT_MAX_TEXT + 1];
    memcpy(path, ca->str.p, ca->str.len);
    path[ca->str.len] = '\0';
    const char *err = ca_verdict(L, path);
    if (err != NULL && err[0] != '\0')
      ld_where_diag(L, d, from_file(r, TT_SET_CA_FILE), "ca_file: %s", err);
  }
}

/* ---- the target ---- */

/* The preset's send with every "{address}" and "{path}" replaced. */
static char *expand_send(const char *send, size_t len, const char *address,
                         const char *path, size_t *out_len) {
  static const struct {
    const char *token;
    size_t len;
  } tokens[] = {{"{address}", 9}, {"{path}", 6}};
  const char *values[] = {address ? address : "", path ? path : "/"};
  const char *end = send + len;
  size_t cap = len + 1, w = 0;
  char *out;

  for (size_t k = 0; k < 2; k++)
    for (const char *p = send; (p = memmem(p, (size_t)(end - p),
                                           tokens[k].token, tokens[k].len));
         p += tokens[k].len)
      cap += strlen(values[k]);
  if ((out = malloc(cap)) == NULL)
    return NULL;
  for (const char *p = send; p < end;) {
    size_t k = 0;
    while (k < 2 && !((size_t)(end - p) >= tokens[k].len &&
                      memcmp(p, tokens[k].token, tokens[k].len) == 0))
      k++;
    if (k < 2) {
      size_t vlen = strlen(values[k]);
      memcpy(out + w, values[k], vlen);
      w += vlen;
      p += tokens[k].len;
    } else {
      out[w++] = *p++;
    }
  }
  out[w] = '\0';
  *out_len = w;
  return out;
}

static char *dup_bytes(const char *s, size_t len) {
  char *d = malloc(len + 1);
  if (d != NULL) {
    if (len > 0)
      memcpy(d, s, len);
    d[len] = '\0';
  }
  return d;
}

/* Finds the compiled pattern for src, compiling it the first time: ten
 * thousand targets with one preset share one. */
static void compile(loader *L, const draft *d, const char *src,
                    const char **dst, const tt_pattern **out,
                    const char *what) {
  size_t i = ld_hash(src) & L->pats_mask;
  char err[160];
  tt_pattern *p;

  for (; L->pats[i] != NULL; i = (i + 1) & L->pats_mask) {
    if (strcmp(L->pats[i]->source, src) == 0) {
      *dst = L->pats[i]->source;
      *out = L->pats[i];
      return;
    }
  }
  if ((p = malloc(sizeof(*p))) == NULL) {
    L->failed = true;
    return;
  }
  if (tt_pattern_compile(p, src, err, sizeof(err)) != 0) {
    ld_target_diag(L, &d->ctx, 0, 0, "%s: %s", what, err);
    free(p);
    return;
  }
  p->next = L->cfg->patterns;
  L->cfg->patterns = p;
  L->pats[i] = p;
  *dst = p->source;
  *out = p;
}

static void *slot(tt_target *t, size_t offset) {
  return (char *)t + offset;
}

/* Writes one resolved setting into its field of t. */
static void write_setting(loader *L, const draft *d, tt_target *t,
                          const resolved *r, tt_setting_id id) {
  const tt_setting *s = tt_setting_get(id);
  const tt_setting_value *v = &r->v[id];
  uint32_t u32;
  int e;

  switch (s->type) {
  case TT_STYPE_PRESET:
    *(const tt_preset **)slot(t, s->offset) = v->preset;
    break;
  case TT_STYPE_ENUM:
    e = (int)v->num;
    memcpy(slot(t, s->offset), &e, sizeof(e));
    break;
  case TT_STYPE_BOOL:
    *(bool *)slot(t, s->offset) = v->num != 0;
    break;
  case TT_STYPE_TEXT:
  case TT_STYPE_COMMAND:
    if (v->str.p != NULL &&
        (*(char **)slot(t, s->offset) = dup_bytes(v->str.p, v->str.len)) ==
            NULL)
      L->failed = true;
    break;
  case TT_STYPE_DURATION:
    *(uint64_t *)slot(t, s->offset) = v->num;
    break;
  case TT_STYPE_COUNT:
    u32 = (uint32_t)v->num;
    memcpy(slot(t, s->offset), &u32, sizeof(u32));
    break;
  case TT_STYPE_BYTES: {
    char **dst = slot(t, s->offset);
    size_t *len = slot(t, s->aux);
    if (v->str.p == NULL)
      break;
    if (r->at[id].preset)
      *dst = expand_send(v->str.p, v->str.len, t->address,
                         r->v[TT_SET_PATH].str.p, len);
    else
      *dst = dup_bytes(v->str.p, *len = v->str.len);
    if (*dst == NULL)
      L->failed = true;
    break;
  }
  case TT_STYPE_REGEX:
    if (v->str.p != NULL)
      compile(L, d, v->str.p, slot(t, s->offset), slot(t, s->aux), s->key);
    break;
  case TT_STYPE_PATH:
    if (judges_http(r) &&
        (*(char **)slot(t, s->offset) =
             dup_bytes(v->str.p, v->str.len)) == NULL)
      L->failed = true;
    break;
  case TT_STYPE_STATUS:
    if (judges_http(r)) {
      size_t size = v->status.n * sizeof(*v->status.v);
      tt_status_range *copy = malloc(size);
      if (copy == NULL) {
        L->failed = true;
        break;
      }
      memcpy(copy, v->status.v, size);
      *(tt_status_range **)slot(t, s->offset) = copy;
      *(size_t *)slot(t, s->aux) = v->status.n;
    }
    break;
  default:
    break;
  }
}

void ld_finish_target(loader *L, draft *d, size_t index) {
  tt_target *t = &L->cfg->targets[index];
  uint32_t bad = L->defaults.bad | d->lay.bad | L->overrides.bad;
  char q[QUOTE_SIZE];
  const char *name =
      t->name ? ld_quote(q, sizeof(q), t->name, strlen(t->name)) : "?";
  resolved r;

  resolved_init(&r);
  apply_layer(&r, &L->defaults, ~0u);
  apply_layer(&r, &L->overrides, L->as_default);
  apply_layer(&r, &d->lay, ~0u);
  apply_layer(&r, &L->overrides, ~L->as_default);
  /* When no layer chose a mode, sending something means a heartbeat. */
  if (!(r.has & TT_BIT(TT_SET_MODE)))
    r.v[TT_SET_MODE].num = r.v[TT_SET_SEND].str.p != NULL
                               ? TT_MODE_PERSISTENT
                               : TT_MODE_CONNECT;
  settle_all(&r, &t->followed);
  check_mode(L, d, name, &r, bad);
  check_times(L, d, name, &r, bad);
  check_family(L, d, t, name, &r, bad);
  check_replies(L, d, &r, bad);
  check_tls(L, d, &r, bad);
  if (L->failed)
    return; /* nothing of this config will be used */

  for (int id = 0; id < TT_SET_COUNT; id++)
    if (is_setting(tt_setting_get((tt_setting_id)id)))
      write_setting(L, d, t, &r, (tt_setting_id)id);
  t->quit = r.quit;
  t->quit_len = r.quit_len;
}

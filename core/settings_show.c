/* settings_show.c - a target's resolved settings as people read them
 * (--check, the detail view), their defaults, and which settings two
 * targets differ in (a reload's diff). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "duration.h"
#include "escape.h"
#include "settings.h"

/* ---- reading resolved values ---- */

static const void *field(const tt_target *t, size_t off) {
  return (const char *)t + off;
}

static uint64_t number_of(const tt_setting *s, const tt_target *t) {
  uint32_t u32;
  uint16_t u16;
  int e;
  switch (s->type) {
  case TT_STYPE_DURATION: return *(const uint64_t *)field(t, s->offset);
  case TT_STYPE_COUNT:
    memcpy(&u32, field(t, s->offset), sizeof(u32));
    return u32;
  case TT_STYPE_PORT:
    memcpy(&u16, field(t, s->offset), sizeof(u16));
    return u16;
  case TT_STYPE_ENUM:
    memcpy(&e, field(t, s->offset), sizeof(e));
    return (uint64_t)e;
  case TT_STYPE_BOOL: return *(const bool *)field(t, s->offset);
  default: return 0;
  }
}

static const char *string_of(const tt_setting *s, const tt_target *t) {
  return *(const char *const *)field(t, s->offset);
}

static size_t length_of(const tt_setting *s, const tt_target *t) {
  const char *p = string_of(s, t);
  if (s->aux != 0 && s->type == TT_STYPE_BYTES)
    return *(const size_t *)field(t, s->aux);
  return p ? strlen(p) : 0;
}

static void format_status(const tt_status_range *v, size_t nv, char *buf,
                          size_t n) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < nv && used < n; i++) {
    int w;
    if (v[i].lo == v[i].hi)
      w = snprintf(buf + used, n - used, "%s%u", i ? ", " : "",
                   (unsigned)v[i].lo);
    else
      w = snprintf(buf + used, n - used, "%s%u-%u", i ? ", " : "",
                   (unsigned)v[i].lo, (unsigned)v[i].hi);
    if (w < 0)
      break;
    used += (size_t)w;
  }
}

static void format_quoted(const char *p, size_t len, int flags, char *buf,
                          size_t n) {
  char esc[512];
  tt_escape(esc, sizeof(esc), p, len, flags);
  snprintf(buf, n, "\"%s\"", esc);
}

void tt_setting_default_text(const tt_setting *s, char *buf, size_t n) {
  if (!s->has_default) {
    snprintf(buf, n, "none");
    return;
  }
  switch (s->type) {
  case TT_STYPE_DURATION: tt_duration_format(s->def.num, buf, n); return;
  case TT_STYPE_COUNT:
    snprintf(buf, n, "%llu", (unsigned long long)s->def.num);
    return;
  case TT_STYPE_ENUM:
    snprintf(buf, n, "%s", tt_setting_enum_name(s, s->def.num));
    return;
  case TT_STYPE_BYTES:
    format_quoted(s->def.str.p, s->def.str.len, 0, buf, n);
    return;
  case TT_STYPE_PATH: snprintf(buf, n, "%s", s->def.str.p); return;
  case TT_STYPE_STATUS:
    format_status(s->def.status.v, s->def.status.n, buf, n);
    return;
  case TT_STYPE_BOOL:
    snprintf(buf, n, "%s", s->def.num ? "true" : "false");
    return;
  default: snprintf(buf, n, "none"); return;
  }
}

void tt_setting_format(const tt_setting *s, const tt_target *t,
                       int esc_flags, char *buf, size_t n) {
  const char *p;
  uint64_t num;

  switch (s->type) {
  case TT_STYPE_NAME:
  case TT_STYPE_ADDRESS:
  case TT_STYPE_HOST:
  case TT_STYPE_PATH:
  case TT_STYPE_TEXT:
    p = string_of(s, t);
    if (p == NULL)
      snprintf(buf, n, "-");
    else
      tt_escape(buf, n, p, strlen(p), esc_flags);
    return;
  case TT_STYPE_TAGS: {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->ntags && used + 3 < n; i++) {
      if (i > 0) {
        memcpy(buf + used, ", ", 3);
        used += 2;
      }
      used += tt_escape(buf + used, n - used, t->tags[i],
                        strlen(t->tags[i]), esc_flags);
    }
    return;
  }
  case TT_STYPE_PRESET:
    snprintf(buf, n, "%s", t->preset ? t->preset->name : "-");
    return;
  case TT_STYPE_ENUM:
    snprintf(buf, n, "%s", tt_setting_enum_name(s, number_of(s, t)));
    return;
  case TT_STYPE_BOOL:
    snprintf(buf, n, "%s", number_of(s, t) ? "true" : "false");
    return;
  case TT_STYPE_DURATION:
  case TT_STYPE_COUNT:
  case TT_STYPE_PORT:
    num = number_of(s, t);
    if (num == 0)
      snprintf(buf, n, "none");
    else if (s->type == TT_STYPE_DURATION)
      tt_duration_format(num, buf, n);
    else
      snprintf(buf, n, "%llu%s%s", (unsigned long long)num,
               s->unit ? " " : "", s->unit ? s->unit : "");
    return;
  case TT_STYPE_BYTES:
  case TT_STYPE_REGEX:
  case TT_STYPE_COMMAND:
    p = string_of(s, t);
    if (p == NULL)
      snprintf(buf, n, "-");
    else
      format_quoted(p, length_of(s, t),
                    esc_flags | (s->type != TT_STYPE_BYTES
                                     ? TT_ESC_KEEP_BACKSLASH
                                     : 0),
                    buf, n);
    return;
  case TT_STYPE_STATUS:
    if (t->status == NULL)
      snprintf(buf, n, "-");
    else
      format_status(t->status, t->nstatus, buf, n);
    return;
  }
}

bool tt_setting_followed(const tt_setting *s, const tt_target *t) {
  return (t->followed & TT_BIT(tt_setting_id_of(s))) != 0;
}

/* ---- reload's diff ---- */

static bool same_bytes(const char *a, size_t alen, const char *b,
                       size_t blen) {
  if (a == NULL || b == NULL)
    return a == b;
  return alen == blen && memcmp(a, b, alen) == 0;
}

static bool same_value(const tt_setting *s, const tt_target *a,
                       const tt_target *b) {
  switch (s->type) {
  case TT_STYPE_NAME:
  case TT_STYPE_HOST:
  case TT_STYPE_PORT:
    return true; /* the name pairs them; host and port are the address */
  case TT_STYPE_TAGS:
    if (a->ntags != b->ntags)
      return false;
    for (size_t i = 0; i < a->ntags; i++)
      if (strcmp(a->tags[i], b->tags[i]) != 0)
        return false;
    return true;
  case TT_STYPE_PRESET: return a->preset == b->preset;
  case TT_STYPE_ENUM:
  case TT_STYPE_BOOL:
  case TT_STYPE_DURATION:
  case TT_STYPE_COUNT: return number_of(s, a) == number_of(s, b);
  case TT_STYPE_ADDRESS:
  case TT_STYPE_PATH:
  case TT_STYPE_TEXT:
  case TT_STYPE_BYTES:
  case TT_STYPE_REGEX:
  case TT_STYPE_COMMAND:
    return same_bytes(string_of(s, a), length_of(s, a), string_of(s, b),
                      length_of(s, b));
  case TT_STYPE_STATUS:
    if (a->status == NULL || b->status == NULL)
      return a->status == b->status;
    return a->nstatus == b->nstatus &&
           memcmp(a->status, b->status, a->nstatus * sizeof(*a->status)) == 0;
  }
  return true;
}

uint32_t tt_target_diff(const tt_target *a, const tt_target *b) {
  uint32_t mask = 0;
  for (size_t i = 0; i < TT_SET_COUNT; i++)
    if (!same_value(tt_setting_get((tt_setting_id)i), a, b))
      mask |= TT_BIT(i);
  return mask;
}

const char *tt_setting_list(uint32_t mask, char *buf, size_t n) {
  size_t used = 0;
  if (n == 0)
    return buf;
  buf[0] = '\0';
  for (size_t i = 0; i < TT_SET_COUNT && used < n; i++) {
    int w;
    if (!(mask & TT_BIT(i)))
      continue;
    w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
                 tt_setting_get((tt_setting_id)i)->key);
    if (w < 0)
      break;
    used += (size_t)w;
  }
  return buf;
}

/* dash_log.c - the event log's rings. A text is stored whole and
 * NUL-terminated: one that would run past the end of the text ring
 * starts again at its beginning, so that it can be shown in place. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dash_log.h"

int tt_dash_log_init(tt_dash_log *l) {
  memset(l, 0, sizeof(*l));
  l->e = malloc(TT_DASH_LOG_LEN * sizeof(*l->e));
  l->text = malloc(TT_DASH_LOG_TEXT);
  if (l->e == NULL || l->text == NULL) {
    tt_dash_log_free(l);
    return -ENOMEM;
  }
  return 0;
}

void tt_dash_log_free(tt_dash_log *l) {
  free(l->e);
  free(l->text);
  l->e = NULL;
  l->text = NULL;
}

void tt_dash_log_clear(tt_dash_log *l) {
  l->total = 0;
  l->text_total = 0;
}

void tt_dash_log_add(tt_dash_log *l, const tt_dash_change *c,
                     const char *text) {
  tt_dash_change *e = &l->e[l->total % TT_DASH_LOG_LEN];
  *e = *c;
  size_t len = text != NULL ? strlen(text) : 0;
  if (len >= TT_DASH_LOG_TEXT / 16)
    len = TT_DASH_LOG_TEXT / 16 - 1;
  e->text_len = (uint32_t)len;
  e->text_at = l->text_total;
  if (len > 0) {
    uint64_t at = l->text_total % TT_DASH_LOG_TEXT;
    if (at + len + 1 > TT_DASH_LOG_TEXT) {
      /* Skip the tail: the text starts the ring again. */
      l->text_total += TT_DASH_LOG_TEXT - at;
      at = 0;
    }
    e->text_at = l->text_total;
    memcpy(l->text + at, text, len);
    l->text[at + len] = '\0';
    l->text_total += len + 1;
  }
  l->total++;
}

uint64_t tt_dash_log_first(const tt_dash_log *l) {
  return l->total > TT_DASH_LOG_LEN ? l->total - TT_DASH_LOG_LEN : 0;
}

const tt_dash_change *tt_dash_log_at(const tt_dash_log *l, uint64_t j) {
  if (j >= l->total || j < tt_dash_log_first(l))
    return NULL;
  return &l->e[j % TT_DASH_LOG_LEN];
}

const char *tt_dash_log_text(const tt_dash_log *l, const tt_dash_change *c) {
  if (c->text_len == 0 || l->text_total - c->text_at > TT_DASH_LOG_TEXT)
    return "";
  return l->text + c->text_at % TT_DASH_LOG_TEXT;
}

/* check.c - `tether --check`: the effective targets, every setting after
 * defaults, presets and options were applied. */
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "escape.h"
#include "output.h"

static void put_bytes(tt_sink *k, const char *label, const char *s,
                      size_t len) {
  char esc[256];
  if (s == NULL) {
    tt_sink_printf(k, "  %-16s-\n", label);
    return;
  }
  tt_escape(esc, sizeof esc, s, len, 0);
  tt_sink_printf(k, "  %-16s\"%s\"\n", label, esc);
}

static void put_ms(tt_sink *k, const char *label, uint64_t ms) {
  char d[32];
  tt_duration_format(ms, d, sizeof d);
  tt_sink_printf(k, "  %-16s%s\n", label, d);
}

void tt_check_print(tt_sink *k, const tt_config *cfg) {
  char esc[4 * TT_MAX_NAME + 1];
  char where[64];
  tt_sink_printf(k, "%zu target%s", cfg->ntargets,
                 cfg->ntargets == 1 ? "" : "s");
  if (cfg->source != NULL) {
    tt_escape(esc, sizeof esc, cfg->source, strlen(cfg->source), 0);
    tt_sink_printf(k, " in %s", esc);
  }
  tt_sink_puts(k, ", configuration valid\n");

  for (size_t i = 0; i < cfg->ntargets; i++) {
    const tt_target *t = &cfg->targets[i];
    if (t->line > 0)
      snprintf(where, sizeof where, "line %u", t->line);
    else
      snprintf(where, sizeof where, "command line");
    tt_escape(esc, sizeof esc, t->name, strlen(t->name), 0);
    tt_sink_printf(k, "\n%s  (%s)\n", esc, where);
    tt_escape(esc, sizeof esc, t->address, strlen(t->address), 0);
    tt_sink_printf(k, "  %-16s%s\n", "address", esc);
    tt_sink_printf(k, "  %-16s%s\n", "mode", tt_mode_name(t->mode));
    if (t->preset != NULL)
      tt_sink_printf(k, "  %-16s%s\n", "preset", t->preset->name);
    put_ms(k, "interval", t->interval_ms);
    put_ms(k, "timeout", t->timeout_ms);
    put_ms(k, "connect_timeout", t->connect_timeout_ms);
    if (t->mode == TT_MODE_PERSISTENT)
      tt_sink_printf(k, "  %-16s%u\n", "miss_threshold",
                     (unsigned)t->miss_threshold);
    if (t->rtt_warn_ms > 0)
      put_ms(k, "rtt_warn", t->rtt_warn_ms);
    put_bytes(k, "send", t->send, t->send_len);
    put_bytes(k, "expect", t->expect, t->expect ? strlen(t->expect) : 0);
    if (t->banner != NULL)
      put_bytes(k, "greeting", t->banner, strlen(t->banner));
    put_bytes(k, "reply_end", t->reply_end, t->reply_end_len);
    tt_sink_printf(k, "  %-16s%u bytes\n", "max_reply", (unsigned)t->max_reply);
    tt_sink_printf(k, "  %-16s%s\n", "family", tt_family_name(t->family));
    char a[32], b[32];
    tt_duration_format(t->backoff_initial_ms, a, sizeof a);
    tt_duration_format(t->backoff_max_ms, b, sizeof b);
    tt_sink_printf(k, "  %-16s%s to %s\n", "backoff", a, b);
    if (t->ntags > 0) {
      tt_sink_printf(k, "  %-16s", "tags");
      for (size_t j = 0; j < t->ntags; j++) {
        tt_escape(esc, sizeof esc, t->tags[j], strlen(t->tags[j]), 0);
        tt_sink_printf(k, "%s%s", j ? ", " : "", esc);
      }
      tt_sink_puts(k, "\n");
    }
  }
}

/* check.c - `tether --check`: the effective targets, every setting after
 * defaults, presets and options were applied, as the settings table
 * lists them. */
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "output.h"

#define LABEL "  %-16s"

static void put_setting(tt_sink *k, const tt_setting *s, const tt_target *t) {
  char value[600];
  tt_setting_format(s, t, 0, value, sizeof value);
  tt_sink_printf(k, LABEL "%s", s->key, value);
  if (tt_setting_followed(s, t))
    tt_sink_printf(k, " (follows %s)", tt_setting_get(s->follows)->key);
  tt_sink_puts(k, "\n");
}

/* What a preset adds that no key sets: its goodbye. */
static void put_preset_extras(tt_sink *k, const tt_target *t) {
  char esc[256];
  if (t->quit != NULL) {
    tt_escape(esc, sizeof esc, t->quit, t->quit_len, 0);
    tt_sink_printf(k, LABEL "\"%s\"\n", "quit", esc);
  }
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
    for (int id = 0; id < TT_SET_COUNT; id++) {
      const tt_setting *s = tt_setting_get((tt_setting_id)id);
      if (s->shown == NULL || s->shown(t))
        put_setting(k, s, t);
    }
    put_preset_extras(k, t);
  }
}

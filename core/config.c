/* config.c - loading the configuration: a YAML file and command-line
 * targets, read and resolved by the loader's parts (loader.h), into
 * targets or into every problem found. */
#include <stdlib.h>
#include <string.h>

#include "loader.h"

static void yaml_report(void *ctx, unsigned line, unsigned col,
                        const char *msg) {
  ld_file_diag(ctx, line, col, "%s", msg);
}

static void load_defaults(loader *L, const tt_ynode *map) {
  if (map == NULL || tt_ydoc_is_null(&L->doc, map))
    return;
  if (map->kind != TT_Y_MAP) {
    ld_wrong_kind(L, map, "defaults", "a mapping of settings");
    return;
  }
  ld_read_settings(L, map, AT_DEFAULTS, &L->defaults, NULL, NULL, NULL);
}

/* How many targets the file lists, or -1 after reporting why none can be
 * read from it. */
static long count_file_targets(loader *L, const tt_ynode *targets) {
  if (targets == NULL)
    return 0;
  if (tt_ydoc_is_null(&L->doc, targets) ||
      (targets->kind == TT_Y_SEQ && targets->count == 0)) {
    if (L->in->nadhoc == 0)
      ld_file_diag(L, targets->line, targets->col,
                   "targets is empty; list at least one target, or give "
                   "targets on the command line");
    return 0;
  }
  if (targets->kind != TT_Y_SEQ) {
    ld_wrong_kind(L, targets, "targets", "a list of targets");
    return -1;
  }
  return (long)targets->count;
}

static int alloc_targets(loader *L, size_t n) {
  size_t cap = 16;
  if (n == 0)
    return 0;
  L->cfg->targets = calloc(n, sizeof(tt_target));
  while (cap < n * 2)
    cap *= 2;
  L->names = calloc(cap, sizeof(*L->names));
  L->names_mask = cap - 1;
  /* Each target has at most one pattern of its own (expect). */
  L->pats = calloc(cap, sizeof(*L->pats));
  L->pats_mask = cap - 1;
  if (L->cfg->targets == NULL || L->names == NULL || L->pats == NULL) {
    L->failed = true;
    return -1;
  }
  return 0;
}

static void load(loader *L) {
  const tt_config_input *in = L->in;
  const tt_ynode *defaults = NULL, *targets = NULL;
  const char *buf = NULL;
  size_t len = 0, nfile = 0;
  bool have_file = in->path != NULL || in->buffer != NULL;

  ld_load_overrides(L);
  if (!have_file && in->nadhoc == 0) {
    ld_option_diag(L, "no targets: give a config file or targets on the "
                      "command line");
    return;
  }
  if (in->path != NULL) {
    if (tt_yfile_read(in->path, &L->filebuf, &len, yaml_report, L) != 0)
      return;
    buf = L->filebuf;
  } else if (in->buffer != NULL) {
    buf = in->buffer;
    len = in->buffer_len;
  }
  if (have_file) {
    long n;
    int rc = tt_ydoc_read(&L->doc, buf ? buf : "", len, yaml_report, L);
    if (rc != 0 || ld_read_top(L, &defaults, &targets) != 0)
      return;
    load_defaults(L, defaults);
    if ((n = count_file_targets(L, targets)) < 0)
      return;
    nfile = (size_t)n;
  }
  if (nfile + in->nadhoc > TT_MAX_TARGETS) {
    if (nfile > TT_MAX_TARGETS)
      ld_file_diag(L, targets->line, targets->col,
                   "too many targets (more than %d)", TT_MAX_TARGETS);
    else
      ld_option_diag(L, "too many targets (more than %d)", TT_MAX_TARGETS);
    return;
  }
  if (alloc_targets(L, nfile + in->nadhoc) != 0)
    return;
  if (nfile > 0) {
    const tt_ynode *item;
    for (uint32_t i = targets->first; (item = ld_node(L, i)) != NULL;
         i = item->next)
      ld_load_file_target(L, item, L->cfg->ntargets++);
  }
  for (size_t i = 0; i < in->nadhoc; i++)
    ld_load_adhoc(L, in->adhoc[i], L->cfg->ntargets++);
}

int tt_config_load(const tt_config_input *in, tt_config *cfg, tt_diags *diags) {
  loader L;
  const char *name;

  memset(cfg, 0, sizeof(*cfg));
  memset(&L, 0, sizeof(L));
  L.in = in;
  L.cfg = cfg;
  if (in->path != NULL)
    name = in->path;
  else if (in->buffer != NULL)
    name = in->buffer_name ? in->buffer_name : "<config>";
  else
    name = NULL;
  if (name != NULL) {
    size_t n = strlen(name) * 4 + 4;
    L.source = malloc(n);
    cfg->source = strdup(name);
    if (L.source == NULL || cfg->source == NULL) {
      free(L.source);
      free(cfg->source);
      cfg->source = NULL;
      ld_option_diag(&L, "out of memory");
      ld_flush_diags(&L, diags);
      return -1;
    }
    ld_quote(L.source, n, name, strlen(name));
  }
  load(&L);
  tt_ydoc_free(&L.doc);
  free(L.filebuf);
  free(L.names);
  free(L.pats);
  for (size_t i = 0; i < L.nowned; i++)
    free(L.owned[i]);
  free(L.owned);
  if (L.failed)
    tt_config_free(cfg);
  ld_flush_diags(&L, diags);
  free(L.source);
  return L.failed ? -1 : 0;
}

void tt_config_free(tt_config *cfg) {
  for (size_t i = 0; i < cfg->ntargets; i++) {
    tt_target *t = &cfg->targets[i];
    free(t->name);
    free(t->address);
    free(t->host);
    free(t->send);
    free(t->reply_end);
    free(t->path);
    free(t->status);
    free(t->server_name);
    free(t->ca_file);
    free(t->on_change);
    for (size_t j = 0; j < t->ntags; j++)
      free(t->tags[j]);
    free(t->tags);
  }
  while (cfg->patterns != NULL) {
    tt_pattern *p = cfg->patterns;
    cfg->patterns = p->next;
    tt_pattern_free(p);
    free(p);
  }
  free(cfg->targets);
  free(cfg->source);
  memset(cfg, 0, sizeof(*cfg));
}

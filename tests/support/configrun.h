/* configrun.h - loading a config in a test: YAML text or a file, with
 * command-line targets and options, every problem joined into one string
 * to compare with what people would read. */
#ifndef TETHER_TEST_CONFIGRUN_H
#define TETHER_TEST_CONFIGRUN_H

#include <stddef.h>

#include "config.h"

typedef struct tt_cfgrun {
  int rc;
  tt_config cfg;
  tt_diags diags;
  char *text; /* every diag's text, each followed by "\n" */
} tt_cfgrun;

/* Loads in; on failure asserts that nothing is left to free and that
 * some problem was reported, on success that none was. */
void tt_run_input(tt_cfgrun *r, tt_config_input *in);
/* Loads YAML text named "t.yaml" (none when yaml is NULL), with
 * command-line targets and options. */
void tt_run_full(tt_cfgrun *r, const char *yaml, size_t len, char *const *adhoc,
                 size_t nadhoc, const tt_settings *overrides);
void tt_run_yaml(tt_cfgrun *r, const char *yaml);
void tt_run_ov(tt_cfgrun *r, const char *yaml, const tt_settings *ov);
void tt_run_adhoc(tt_cfgrun *r, const char *yaml, char *const *adhoc,
                  size_t n);
void tt_run_done(tt_cfgrun *r);

/* Asserts that yaml is refused with exactly the problems expected. */
void tt_refuses(const char *yaml, const char *expected);
/* Loads yaml, which must be valid, and returns its target i (the caller
 * calls tt_run_done). */
const tt_target *tt_accepts(tt_cfgrun *r, const char *yaml, size_t i);

void tt_assert_bytes(const char *got, size_t got_len, const char *want,
                     size_t want_len);

/* Command-line options, as cli/options.c sets them. */
void tt_ov_num(tt_settings *ov, tt_setting_id id, uint64_t v);
void tt_ov_str(tt_settings *ov, tt_setting_id id, const char *s, size_t len);

/* A whole file, NUL-terminated. */
char *tt_slurp(const char *path);

/* Calls fn for each NAME.yaml in dir (relative to the directory in the
 * environment variable root_env), from within that directory. Returns
 * how many it saw; skips the test when root_env is not set. */
int tt_each_yaml(const char *root_env, const char *dir,
                 void (*fn)(const char *name));

#endif

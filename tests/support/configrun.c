/* configrun.c - loading a config in a test and comparing its problems
 * with the exact words people would read. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "configrun.h"

static void join_diags(tt_cfgrun *r) {
  size_t len = 0;
  for (size_t i = 0; i < r->diags.n; i++)
    len += strlen(r->diags.v[i].text) + 1;
  r->text = malloc(len + 1);
  assert_non_null(r->text);
  r->text[0] = '\0';
  for (size_t i = 0; i < r->diags.n; i++) {
    strcat(r->text, r->diags.v[i].text);
    strcat(r->text, "\n");
  }
}

void tt_run_input(tt_cfgrun *r, tt_config_input *in) {
  memset(r, 0, sizeof(*r));
  tt_diags_init(&r->diags);
  r->rc = tt_config_load(in, &r->cfg, &r->diags);
  join_diags(r);
  if (r->rc != 0) {
    /* On failure nothing is left to free. */
    assert_int_equal(r->cfg.ntargets, 0);
    assert_null(r->cfg.targets);
    assert_null(r->cfg.source);
    assert_true(r->diags.n > 0);
  } else {
    assert_int_equal(r->diags.n, 0);
  }
}

void tt_run_full(tt_cfgrun *r, const char *yaml, size_t len, char *const *adhoc,
                 size_t nadhoc, const tt_settings *overrides) {
  tt_config_input in;
  memset(&in, 0, sizeof(in));
  in.buffer = yaml;
  in.buffer_len = len;
  in.buffer_name = yaml ? "t.yaml" : NULL;
  in.adhoc = adhoc;
  in.nadhoc = nadhoc;
  in.overrides = overrides;
  tt_run_input(r, &in);
}

void tt_run_yaml(tt_cfgrun *r, const char *yaml) {
  tt_run_full(r, yaml, strlen(yaml), NULL, 0, NULL);
}

void tt_run_ov(tt_cfgrun *r, const char *yaml, const tt_settings *ov) {
  tt_run_full(r, yaml, strlen(yaml), NULL, 0, ov);
}

void tt_run_adhoc(tt_cfgrun *r, const char *yaml, char *const *adhoc,
                  size_t n) {
  tt_run_full(r, yaml, yaml ? strlen(yaml) : 0, adhoc, n, NULL);
}

void tt_run_done(tt_cfgrun *r) {
  tt_config_free(&r->cfg);
  tt_diags_free(&r->diags);
  free(r->text);
}

void tt_refuses(const char *yaml, const char *expected) {
  tt_cfgrun r;
  tt_run_yaml(&r, yaml);
  assert_int_equal(r.rc, -1);
  assert_string_equal(r.text, expected);
  tt_run_done(&r);
}

const tt_target *tt_accepts(tt_cfgrun *r, const char *yaml, size_t i) {
  tt_run_yaml(r, yaml);
  assert_string_equal(r->text, "");
  assert_int_equal(r->rc, 0);
  assert_true(i < r->cfg.ntargets);
  return &r->cfg.targets[i];
}

void tt_assert_bytes(const char *got, size_t got_len, const char *want,
                     size_t want_len) {
  assert_non_null(got);
  assert_int_equal(got_len, want_len);
  assert_memory_equal(got, want, want_len);
}

void tt_ov_num(tt_settings *ov, tt_setting_id id, uint64_t v) {
  ov->has |= TT_BIT(id);
  ov->v[id].num = v;
}

void tt_ov_str(tt_settings *ov, tt_setting_id id, const char *s, size_t len) {
  ov->has |= TT_BIT(id);
  ov->v[id].str.p = s;
  ov->v[id].str.len = len;
}

char *tt_slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  n = ftell(f);
  rewind(f);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

int tt_each_yaml(const char *root_env, const char *dir,
                 void (*fn)(const char *name)) {
  const char *root = getenv(root_env);
  char path[4096], here[4096];
  struct dirent **list;
  int n, seen = 0;

  if (root == NULL) {
    print_message("%s is not set; run through ctest\n", root_env);
    skip();
  }
  snprintf(path, sizeof(path), "%s/%s", root, dir);
  assert_non_null(getcwd(here, sizeof(here)));
  assert_int_equal(chdir(path), 0);
  n = scandir(".", &list, NULL, alphasort);
  assert_true(n >= 0);
  for (int i = 0; i < n; i++) {
    size_t len = strlen(list[i]->d_name);
    if (len > 5 && strcmp(list[i]->d_name + len - 5, ".yaml") == 0) {
      fn(list[i]->d_name);
      seen++;
    }
    free(list[i]);
  }
  free(list);
  assert_int_equal(chdir(here), 0);
  return seen;
}

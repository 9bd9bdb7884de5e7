/* fuzz_config.c - libFuzzer target: any bytes loaded as a config, with
 * any command-line targets and options, must give a config or
 * diagnostics, never a crash, a leak or a hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ADHOC 4

/* An input that starts with "@" carries command-line text first, up to
 * the first newline: TARGET arguments separated by spaces, and
 * "-KEY=VALUE" words, read as the option of setting KEY would be. The
 * rest is the YAML file. */
static size_t read_command_line(const uint8_t *data, size_t size,
                                char *line, char **adhoc, size_t *nadhoc,
                                tt_settings *ov) {
  const uint8_t *nl;
  size_t len;
  char *save = NULL;

  if (size == 0 || data[0] != '@')
    return 0;
  nl = memchr(data, '\n', size);
  len = nl ? (size_t)(nl - data) : size;
  memcpy(line, data + 1, len - 1);
  line[len - 1] = '\0';
  for (char *w = strtok_r(line, " ", &save); w != NULL;
       w = strtok_r(NULL, " ", &save)) {
    char *eq = strchr(w, '=');
    const tt_setting *s;
    char why[320];
    if (w[0] == '-' && eq != NULL &&
        (s = tt_setting_find(w + 1, (size_t)(eq - w - 1))) != NULL &&
        (s->layers & TT_IN_OPTIONS)) {
      tt_setting_id id = tt_setting_id_of(s);
      if (tt_setting_read(s, eq + 1, strlen(eq + 1), &ov->v[id], why,
                          sizeof(why)) == 0)
        ov->has |= TT_BIT(id);
    } else if (*nadhoc < MAX_ADHOC) {
      adhoc[(*nadhoc)++] = w;
    }
  }
  return nl ? len + 1 : len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char redis[] = "fuzz=redis://127.0.0.1:6379";
  char *adhoc[MAX_ADHOC + 1];
  size_t nadhoc = 0, skip;
  char *line = malloc(size + 1);
  tt_settings overrides;
  tt_config_input in;
  tt_config cfg;
  tt_diags diags;

  if (line == NULL)
    return 0;
  memset(&overrides, 0, sizeof(overrides));
  memset(&in, 0, sizeof(in));
  /* An override always rides along, so that the layers and the name
   * checks across file and command line are exercised too. */
  overrides.has = TT_BIT(TT_SET_MISS_THRESHOLD);
  overrides.v[TT_SET_MISS_THRESHOLD].num = 5;
  skip = read_command_line(data, size, line, adhoc, &nadhoc, &overrides);
  /* A file that starts with a comment gets a command-line target too. */
  if (skip == 0 && size > 0 && data[0] == '#')
    adhoc[nadhoc++] = redis;
  /* Command-line text alone: no file at all. */
  if (skip < size || skip == 0) {
    in.buffer = (const char *)data + skip;
    in.buffer_len = size - skip;
  }
  in.buffer_name = "fuzz.yaml";
  in.adhoc = adhoc;
  in.nadhoc = nadhoc;
  in.overrides = &overrides;
  tt_diags_init(&diags);
  if (tt_config_load(&in, &cfg, &diags) == 0) {
    /* What --check and reload read of each target. */
    for (size_t i = 0; i < cfg.ntargets; i++) {
      char buf[600];
      for (int id = 0; id < TT_SET_COUNT; id++)
        tt_setting_format(tt_setting_get((tt_setting_id)id),
                          &cfg.targets[i], 0, buf, sizeof(buf));
      tt_target_diff(&cfg.targets[i], &cfg.targets[0]);
    }
    tt_config_free(&cfg);
  }
  tt_diags_free(&diags);
  free(line);
  return 0;
}

/* fuzz_config.c - libFuzzer target: any bytes loaded as a config must give
 * a config or diagnostics, never a crash, a leak or a hang. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* A command-line target and an override ride along, so that the layers
   * and the name checks across file and command line are exercised too. */
  static char *const adhoc[] = {"fuzz=redis://127.0.0.1:6379"};
  tt_settings overrides = {0};
  tt_config_input in = {0};
  tt_config cfg;
  tt_diags diags;

  overrides.has = TT_HAS_MISS_THRESHOLD;
  overrides.miss_threshold = 5;
  in.buffer = (const char *)data;
  in.buffer_len = size;
  in.buffer_name = "fuzz.yaml";
  in.adhoc = adhoc;
  in.nadhoc = size > 0 && data[0] == '#' ? 1 : 0;
  in.overrides = &overrides;
  tt_diags_init(&diags);
  if (tt_config_load(&in, &cfg, &diags) == 0)
    tt_config_free(&cfg);
  tt_diags_free(&diags);
  return 0;
}

/* jsonl.h - a small reader for tether's JSON events in tests: one object
 * per line, values that are strings, numbers, null, one nested object of
 * numbers ("classes"), or an array of those ("tags": its count, then
 * "tags.0", "tags.1", ...). Strict: anything else is a parse error. */
#ifndef TETHER_TEST_JSONL_H
#define TETHER_TEST_JSONL_H

#include <stdbool.h>
#include <stddef.h>

#define TT_JSON_MAX_FIELDS 48

typedef struct tt_json_field {
  char *key;    /* "classes.timeout" for members of a nested object,
                   "tags.0" for an array's */
  char *str;    /* decoded string, or NULL */
  double num;
  bool is_num;
  bool is_null;
} tt_json_field;

typedef struct tt_json_obj {
  tt_json_field f[TT_JSON_MAX_FIELDS];
  size_t n;
} tt_json_obj;

/* Parses one line. Returns 0, or -1 when it is not a well-formed object. */
int tt_json_parse(const char *line, size_t len, tt_json_obj *out);
void tt_json_free(tt_json_obj *o);

/* The string value of key, or NULL when absent or not a string. */
const char *tt_json_str(const tt_json_obj *o, const char *key);
/* The number value of key; *found false when absent or not a number. */
double tt_json_num(const tt_json_obj *o, const char *key, bool *found);
bool tt_json_has(const tt_json_obj *o, const char *key);

#endif

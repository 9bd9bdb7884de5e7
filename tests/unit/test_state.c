/* test_state.c - the rules of PRODUCT.md "States", transcribed as a table
 * and checked against every (state, class, misses, slow) combination. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "state.h"

#define ST(s) (1u << (s))
#define CL(c) (1u << (c))

#define FROM_CONNECTING_DOWN (ST(TT_STATE_CONNECTING) | ST(TT_STATE_DOWN))
#define FROM_UP_DEGRADED (ST(TT_STATE_UP) | ST(TT_STATE_DEGRADED))
#define ANY_STATE (FROM_CONNECTING_DOWN | FROM_UP_DEGRADED)

#define SUCCESS CL(TT_CLASS_OK)
#define MISS (CL(TT_CLASS_TIMEOUT) | CL(TT_CLASS_WRITE_TIMEOUT))
#define ANY_CLASS ((1u << TT_CLASS_COUNT) - 1)
#define OTHER_FAILURE (ANY_CLASS & ~SUCCESS & ~MISS)
#define ANY_FAILURE (ANY_CLASS & ~SUCCESS)

/* misses compared with miss_threshold */
#define BELOW 1u
#define REACHED 2u /* misses >= miss_threshold */
#define ANY_MISSES (BELOW | REACHED)

#define FAST 1u
#define SLOW 2u
#define ANY_SPEED (FAST | SLOW)

typedef struct rule {
  const char *name; /* what PRODUCT.md says */
  unsigned states, classes, misses, speed;
  int want; /* a tt_state for tt_state_next, a bool for reconnecting */
} rule;

static const rule next_rules[] = {
    {"from connecting/down: success -> up",
     FROM_CONNECTING_DOWN, SUCCESS, ANY_MISSES, ANY_SPEED, TT_STATE_UP},
    {"from connecting/down: any failure -> down",
     FROM_CONNECTING_DOWN, ANY_FAILURE, ANY_MISSES, ANY_SPEED, TT_STATE_DOWN},
    {"from up/degraded: timeout/write_timeout -> degraded until "
     "miss_threshold",
     FROM_UP_DEGRADED, MISS, BELOW, ANY_SPEED, TT_STATE_DEGRADED},
    {"from up/degraded: miss_threshold consecutive misses -> down",
     FROM_UP_DEGRADED, MISS, REACHED, ANY_SPEED, TT_STATE_DOWN},
    {"from up/degraded: any other failure -> down",
     FROM_UP_DEGRADED, OTHER_FAILURE, ANY_MISSES, ANY_SPEED, TT_STATE_DOWN},
    {"from up/degraded: success -> up",
     FROM_UP_DEGRADED, SUCCESS, ANY_MISSES, FAST, TT_STATE_UP},
    {"from up/degraded: success slower than rtt_warn -> degraded",
     FROM_UP_DEGRADED, SUCCESS, ANY_MISSES, SLOW, TT_STATE_DEGRADED},
};

static const rule reconnect_rules[] = {
    {"reconnect: never after a success",
     ANY_STATE, SUCCESS, ANY_MISSES, ANY_SPEED, false},
    {"reconnect: not after a miss below miss_threshold",
     ANY_STATE, MISS, BELOW, ANY_SPEED, false},
    {"reconnect: after miss_threshold consecutive misses",
     ANY_STATE, MISS, REACHED, ANY_SPEED, true},
    {"reconnect: after any other failure (the connection is gone or out "
     "of step)",
     ANY_STATE, OTHER_FAILURE, ANY_MISSES, ANY_SPEED, true},
};

#define NRULES(a) (sizeof(a) / sizeof((a)[0]))

static const uint32_t thresholds[] = {1, 2, 3, 10};

/* One combination of inputs. */
typedef struct input {
  tt_state state;
  tt_class cls;
  uint32_t misses, threshold;
  bool slow;
} input;

static bool applies(const rule *r, const input *in) {
  unsigned m = in->misses >= in->threshold ? REACHED : BELOW;
  unsigned sp = in->slow ? SLOW : FAST;
  return (r->states & ST(in->state)) && (r->classes & CL(in->cls)) &&
         (r->misses & m) && (r->speed & sp);
}

/* Calls f on every combination: every state and class, misses from 0 to
 * past each threshold, fast and slow. */
static void each_input(void (*f)(const input *, void *), void *arg) {
  input in;
  for (int s = 0; s < TT_STATE_COUNT; s++)
    for (int c = 0; c < TT_CLASS_COUNT; c++)
      for (size_t t = 0; t < NRULES(thresholds); t++)
        for (uint32_t m = 0; m <= thresholds[t] + 2; m++)
          for (int slow = 0; slow <= 1; slow++) {
            in.state = (tt_state)s;
            in.cls = (tt_class)c;
            in.threshold = thresholds[t];
            in.misses = m;
            in.slow = slow;
            f(&in, arg);
          }
}

typedef struct run {
  const rule *rule;
  bool reconnect; /* which function the rule is about */
  unsigned cases;
} run;

static void check_one(const input *in, void *arg) {
  run *r = arg;
  int got;
  if (!applies(r->rule, in))
    return;
  r->cases++;
  if (r->reconnect)
    got = tt_state_must_reconnect(in->cls, in->misses, in->threshold);
  else
    got = tt_state_next(in->state, in->cls, in->misses, in->threshold,
                        in->slow);
  if (got != r->rule->want) {
    print_error("%s: from %s, class %s, misses %u of %u, %s: got %s\n",
                r->rule->name, tt_state_name(in->state),
                tt_class_name(in->cls), in->misses, in->threshold,
                in->slow ? "slow" : "fast",
                r->reconnect ? (got ? "true" : "false")
                             : tt_state_name((tt_state)got));
    fail();
  }
}

static void test_next_rule(void **state) {
  run r = {.rule = *state, .reconnect = false};
  each_input(check_one, &r);
  assert_true(r.cases > 0);
}

static void test_reconnect_rule(void **state) {
  run r = {.rule = *state, .reconnect = true};
  each_input(check_one, &r);
  assert_true(r.cases > 0);
}

/* The tables themselves: every combination is decided by exactly one
 * rule, so no case goes untested and no two rules disagree. */
typedef struct coverage {
  const rule *rules;
  size_t n;
} coverage;

static void count_rules(const input *in, void *arg) {
  const coverage *cv = arg;
  unsigned matched = 0;
  for (size_t i = 0; i < cv->n; i++)
    matched += applies(&cv->rules[i], in);
  if (matched != 1) {
    print_error("from %s, class %s, misses %u of %u, %s: %u rules\n",
                tt_state_name(in->state), tt_class_name(in->cls), in->misses,
                in->threshold, in->slow ? "slow" : "fast", matched);
    fail();
  }
}

static void test_next_rules_cover_every_case_once(void **state) {
  coverage cv = {next_rules, NRULES(next_rules)};
  each_input(count_rules, &cv);
}

static void test_reconnect_rules_cover_every_case_once(void **state) {
  coverage cv = {reconnect_rules, NRULES(reconnect_rules)};
  each_input(count_rules, &cv);
}

/* A story through the machine, as an on-call engineer would see it. */
static void test_three_misses_take_an_up_target_down(void **state) {
  tt_state s = TT_STATE_CONNECTING;
  s = tt_state_next(s, TT_CLASS_OK, 0, 3, false);
  assert_int_equal(s, TT_STATE_UP);
  s = tt_state_next(s, TT_CLASS_TIMEOUT, 1, 3, false);
  assert_int_equal(s, TT_STATE_DEGRADED);
  assert_false(tt_state_must_reconnect(TT_CLASS_TIMEOUT, 1, 3));
  s = tt_state_next(s, TT_CLASS_WRITE_TIMEOUT, 2, 3, false);
  assert_int_equal(s, TT_STATE_DEGRADED);
  s = tt_state_next(s, TT_CLASS_TIMEOUT, 3, 3, false);
  assert_int_equal(s, TT_STATE_DOWN);
  assert_true(tt_state_must_reconnect(TT_CLASS_TIMEOUT, 3, 3));
  s = tt_state_next(s, TT_CLASS_OK, 0, 3, false);
  assert_int_equal(s, TT_STATE_UP);
}

int main(void) {
  struct CMUnitTest tests[NRULES(next_rules) + NRULES(reconnect_rules) + 3];
  size_t n = 0;

  for (size_t i = 0; i < NRULES(next_rules); i++)
    tests[n++] = (struct CMUnitTest){next_rules[i].name, test_next_rule,
                                     NULL, NULL, (void *)&next_rules[i]};
  for (size_t i = 0; i < NRULES(reconnect_rules); i++)
    tests[n++] = (struct CMUnitTest){reconnect_rules[i].name,
                                     test_reconnect_rule, NULL, NULL,
                                     (void *)&reconnect_rules[i]};
  tests[n++] = (struct CMUnitTest)cmocka_unit_test(
      test_next_rules_cover_every_case_once);
  tests[n++] = (struct CMUnitTest)cmocka_unit_test(
      test_reconnect_rules_cover_every_case_once);
  tests[n++] = (struct CMUnitTest)cmocka_unit_test(
      test_three_misses_take_an_up_target_down);
  return cmocka_run_group_tests(tests, NULL, NULL);
}

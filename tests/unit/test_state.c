/* test_state.c - the rules of PRODUCT.md "States", transcribed as tables
 * and checked against every (state, class, misses, speed) combination
 * through the one step function; then the words a change carries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "state.h"

#define ST(s) (1u << (s))
#define CL(c) (1u << (c))

#define FROM_CONNECTING_DOWN (ST(TT_STATE_CONNECTING) | ST(TT_STATE_DOWN))
#define FROM_UP_DEGRADED (ST(TT_STATE_UP) | ST(TT_STATE_DEGRADED))
#define ANY_STATE (FROM_CONNECTING_DOWN | FROM_UP_DEGRADED)

#define SUCCESS CL(TT_CLASS_OK)
#define MISS (CL(TT_CLASS_TIMEOUT) | CL(TT_CLASS_WRITE_TIMEOUT))
#define UNHEALTHY CL(TT_CLASS_UNHEALTHY)
#define ANY_CLASS ((1u << TT_CLASS_COUNT) - 1)
#define OTHER_FAILURE (ANY_CLASS & ~SUCCESS & ~MISS)
#define ANY_FAILURE (ANY_CLASS & ~SUCCESS)
#define BROKEN (OTHER_FAILURE & ~UNHEALTHY) /* failures that cost the link */

/* consecutive misses, this heartbeat included, against miss_threshold */
#define BELOW 1u
#define REACHED 2u
#define ANY_MISSES (BELOW | REACHED)

#define FAST 1u
#define SLOW 2u
#define ANY_SPEED (FAST | SLOW)

/* What a rule is about. */
enum what { TO, RECONNECT, FLAP, SLOW_CAUSE };

typedef struct rule {
  const char *name; /* what PRODUCT.md says */
  enum what what;
  unsigned states, classes, misses, speed;
  int want; /* a tt_state for TO, a bool otherwise */
} rule;

static const rule rules[] = {
    {"from connecting/down: success -> up", TO,
     FROM_CONNECTING_DOWN, SUCCESS, ANY_MISSES, ANY_SPEED, TT_STATE_UP},
    {"from connecting/down: any failure -> down", TO,
     FROM_CONNECTING_DOWN, ANY_FAILURE, ANY_MISSES, ANY_SPEED, TT_STATE_DOWN},
    {"from up/degraded: timeout/write_timeout -> degraded until "
     "miss_threshold", TO,
     FROM_UP_DEGRADED, MISS, BELOW, ANY_SPEED, TT_STATE_DEGRADED},
    {"from up/degraded: miss_threshold consecutive misses -> down", TO,
     FROM_UP_DEGRADED, MISS, REACHED, ANY_SPEED, TT_STATE_DOWN},
    {"from up/degraded: any other failure -> down", TO,
     FROM_UP_DEGRADED, OTHER_FAILURE, ANY_MISSES, ANY_SPEED, TT_STATE_DOWN},
    {"from up/degraded: success -> up", TO,
     FROM_UP_DEGRADED, SUCCESS, ANY_MISSES, FAST, TT_STATE_UP},
    {"from up/degraded: success slower than rtt_warn -> degraded", TO,
     FROM_UP_DEGRADED, SUCCESS, ANY_MISSES, SLOW, TT_STATE_DEGRADED},

    {"reconnect: never after a success", RECONNECT,
     ANY_STATE, SUCCESS, ANY_MISSES, ANY_SPEED, false},
    {"reconnect: not after an unhealthy answer (the link is good)",
     RECONNECT, ANY_STATE, UNHEALTHY, ANY_MISSES, ANY_SPEED, false},
    {"reconnect: not after a miss below miss_threshold", RECONNECT,
     ANY_STATE, MISS, BELOW, ANY_SPEED, false},
    {"reconnect: after miss_threshold consecutive misses", RECONNECT,
     ANY_STATE, MISS, REACHED, ANY_SPEED, true},
    {"reconnect: after any other failure (the connection is gone or out "
     "of step)", RECONNECT,
     ANY_STATE, BROKEN, ANY_MISSES, ANY_SPEED, true},

    {"flap: up or degraded going down", FLAP,
     FROM_UP_DEGRADED, MISS, REACHED, ANY_SPEED, true},
    {"flap: up or degraded going down (other failures)", FLAP,
     FROM_UP_DEGRADED, OTHER_FAILURE, ANY_MISSES, ANY_SPEED, true},
    {"flap: not for a miss below the threshold", FLAP,
     FROM_UP_DEGRADED, MISS, BELOW, ANY_SPEED, false},
    {"flap: never on a success", FLAP,
     ANY_STATE, SUCCESS, ANY_MISSES, ANY_SPEED, false},
    {"flap: not from connecting or down", FLAP,
     FROM_CONNECTING_DOWN, ANY_FAILURE, ANY_MISSES, ANY_SPEED, false},

    {"slowness is the cause only when it made the target degraded",
     SLOW_CAUSE, FROM_UP_DEGRADED, SUCCESS, ANY_MISSES, SLOW, true},
    {"a slow success from connecting/down is just up: no slowness said",
     SLOW_CAUSE, FROM_CONNECTING_DOWN, SUCCESS, ANY_MISSES, SLOW, false},
    {"no slowness without a slow success", SLOW_CAUSE,
     ANY_STATE, ANY_CLASS, ANY_MISSES, FAST, false},
    {"no slowness on a failure", SLOW_CAUSE,
     ANY_STATE, ANY_FAILURE, ANY_MISSES, SLOW, false},
};

#define NRULES(a) (sizeof(a) / sizeof((a)[0]))

static const uint32_t thresholds[] = {1, 2, 3, 10};

/* One combination of inputs: the machine before, and the heartbeat. */
typedef struct input {
  tt_state state;
  tt_class cls;
  uint32_t misses_before, threshold;
  bool slow;
} input;

static bool is_miss(tt_class c) {
  return (MISS & CL(c)) != 0;
}

static bool applies(const rule *r, const input *in) {
  uint32_t misses = is_miss(in->cls) ? in->misses_before + 1 : 0;
  unsigned m = misses >= in->threshold ? REACHED : BELOW;
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
            in.misses_before = m;
            in.slow = slow;
            f(&in, arg);
          }
}

/* Runs the step function on one input: rtt_warn is 100 ms, and the RTT
 * of a success is 50 ms or 150 ms. */
static tt_step step(const input *in, tt_machine *m) {
  tt_rules r = { .miss_threshold = in->threshold, .rtt_warn_ms = 100 };
  m->state = in->state;
  m->misses = in->misses_before;
  return tt_state_step(m, &r, in->cls, in->slow ? 150000 : 50000);
}

static int outcome(const rule *r, const tt_step *st) {
  switch (r->what) {
  case TO: return st->to;
  case RECONNECT: return st->reconnect;
  case FLAP: return st->flap;
  case SLOW_CAUSE: return st->slow;
  }
  return -1;
}

typedef struct run {
  const rule *rule;
  unsigned cases;
} run;

static void check_one(const input *in, void *arg) {
  run *r = arg;
  if (!applies(r->rule, in))
    return;
  r->cases++;
  tt_machine m;
  tt_step st = step(in, &m);
  int got = outcome(r->rule, &st);
  if (got != r->rule->want) {
    print_error("%s: from %s, class %s, misses before %u of %u, %s: got %d\n",
                r->rule->name, tt_state_name(in->state),
                tt_class_name(in->cls), in->misses_before, in->threshold,
                in->slow ? "slow" : "fast", got);
    fail();
  }
  /* The machine keeps what the step says, and its miss count. */
  assert_int_equal(m.state, st.to);
  assert_int_equal(st.from, in->state);
  assert_int_equal(m.misses, is_miss(in->cls) ? in->misses_before + 1 : 0);
}

static void test_rule(void **state) {
  run r = {.rule = *state};
  each_input(check_one, &r);
  assert_true(r.cases > 0);
}

/* The tables themselves: for each question, every combination is decided
 * by exactly one rule, so no case goes untested and no two rules
 * disagree. */
typedef struct coverage {
  enum what what;
} coverage;

static void count_rules(const input *in, void *arg) {
  const coverage *cv = arg;
  unsigned matched = 0;
  for (size_t i = 0; i < NRULES(rules); i++)
    matched += rules[i].what == cv->what && applies(&rules[i], in);
  if (matched != 1) {
    print_error("question %d: from %s, class %s, misses before %u of %u, "
                "%s: %u rules\n", cv->what, tt_state_name(in->state),
                tt_class_name(in->cls), in->misses_before, in->threshold,
                in->slow ? "slow" : "fast", matched);
    fail();
  }
}

static void test_rules_cover_every_case_once(void **state) {
  for (enum what w = TO; w <= SLOW_CAUSE; w++) {
    coverage cv = {w};
    each_input(count_rules, &cv);
  }
}

/* A story through the machine, as an on-call engineer would see it. */
static void test_three_misses_take_an_up_target_down(void **state) {
  tt_rules r = { .miss_threshold = 3 };
  tt_machine m;
  tt_machine_init(&m);
  assert_int_equal(m.state, TT_STATE_CONNECTING);
  assert_int_equal(tt_state_step(&m, &r, TT_CLASS_OK, 10).to, TT_STATE_UP);
  tt_step st = tt_state_step(&m, &r, TT_CLASS_TIMEOUT, 0);
  assert_int_equal(st.to, TT_STATE_DEGRADED);
  assert_false(st.reconnect);
  st = tt_state_step(&m, &r, TT_CLASS_WRITE_TIMEOUT, 0);
  assert_int_equal(st.to, TT_STATE_DEGRADED);
  st = tt_state_step(&m, &r, TT_CLASS_TIMEOUT, 0);
  assert_int_equal(st.to, TT_STATE_DOWN);
  assert_true(st.reconnect);
  assert_true(st.flap);
  assert_int_equal(m.misses, 3);
  st = tt_state_step(&m, &r, TT_CLASS_OK, 10);
  assert_int_equal(st.to, TT_STATE_UP);
  assert_int_equal(m.misses, 0);
}

/* A success resets the miss count: misses must be consecutive. */
static void test_misses_must_be_consecutive(void **state) {
  tt_rules r = { .miss_threshold = 2 };
  tt_machine m = { TT_STATE_UP, 0 };
  tt_state_step(&m, &r, TT_CLASS_TIMEOUT, 0);
  tt_state_step(&m, &r, TT_CLASS_OK, 10);
  tt_step st = tt_state_step(&m, &r, TT_CLASS_TIMEOUT, 0);
  assert_int_equal(st.to, TT_STATE_DEGRADED);
  assert_false(st.reconnect);
}

/* A new machine has seen no miss: its first timeout is the first of
 * miss_threshold, whatever state it leads to. */
static void test_a_new_machine_has_no_misses(void **state) {
  tt_rules r = { .miss_threshold = 2 };
  tt_machine m;
  tt_machine_init(&m);
  assert_int_equal(m.misses, 0);
  tt_step st = tt_state_step(&m, &r, TT_CLASS_TIMEOUT, 0);
  assert_int_equal(st.to, TT_STATE_DOWN);
  assert_false(st.reconnect);
  assert_int_equal(m.misses, 1);
}

/* Degraded means RTT > rtt_warn: a reply in exactly rtt_warn is not slow,
 * one microsecond more is. */
static void test_rtt_equal_to_rtt_warn_is_not_slow(void **state) {
  tt_rules r = { .miss_threshold = 3, .rtt_warn_ms = 100 };
  tt_machine m = { TT_STATE_UP, 0 };
  tt_step st = tt_state_step(&m, &r, TT_CLASS_OK, 100000);
  assert_int_equal(st.to, TT_STATE_UP);
  assert_false(st.slow);
  st = tt_state_step(&m, &r, TT_CLASS_OK, 100001);
  assert_int_equal(st.to, TT_STATE_DEGRADED);
  assert_true(st.slow);
}

/* rtt_warn 0 is no threshold: no success is too slow. */
static void test_no_rtt_warn_means_never_slow(void **state) {
  tt_rules r = { .miss_threshold = 3, .rtt_warn_ms = 0 };
  tt_machine m = { TT_STATE_UP, 0 };
  tt_step st = tt_state_step(&m, &r, TT_CLASS_OK, UINT32_MAX);
  assert_int_equal(st.to, TT_STATE_UP);
  assert_false(st.slow);
  m.state = TT_STATE_DEGRADED;
  st = tt_state_step(&m, &r, TT_CLASS_OK, 1);
  assert_int_equal(st.to, TT_STATE_UP);
}

/* The words: human units for slowness, nothing for a plain success, the
 * detail for a failure. A change to up never speaks of rtt_warn. */
static void test_cause_words(void **state) {
  tt_rules r = { .miss_threshold = 3, .rtt_warn_ms = 200 };
  tt_machine m = { TT_STATE_UP, 0 };
  char buf[96];

  tt_step st = tt_state_step(&m, &r, TT_CLASS_OK, 398521);
  assert_int_equal(st.to, TT_STATE_DEGRADED);
  assert_string_equal(
    tt_state_cause(&st, &r, TT_CLASS_OK, 398521, "", buf, sizeof buf),
    "rtt 399 ms above rtt_warn 200 ms");

  m.state = TT_STATE_DOWN;
  st = tt_state_step(&m, &r, TT_CLASS_OK, 398521);
  assert_int_equal(st.to, TT_STATE_UP);
  assert_string_equal(
    tt_state_cause(&st, &r, TT_CLASS_OK, 398521, "", buf, sizeof buf), "");

  st = tt_state_step(&m, &r, TT_CLASS_REFUSED, 0);
  assert_string_equal(tt_state_cause(&st, &r, TT_CLASS_REFUSED, 0,
                                     "connection refused", buf, sizeof buf),
                      "connection refused");

  r.rtt_warn_ms = 1500;
  m.state = TT_STATE_UP;
  st = tt_state_step(&m, &r, TT_CLASS_OK, 2000000);
  assert_string_equal(
    tt_state_cause(&st, &r, TT_CLASS_OK, 2000000, "", buf, sizeof buf),
    "rtt 2.00 s above rtt_warn 1.50 s");
}

/* A certificate about to expire makes a success degraded, as slowness
 * does, and says when; from connecting or down a success is up still. */
static void test_certificate_about_to_expire(void **state) {
  tt_rules r = { .miss_threshold = 3, .cert_expires = 1795046400,
                 .now = 1795046400 - 5 * 86400 - 600 };
  tt_machine m = { TT_STATE_UP, 0 };
  char buf[96];
  tt_step st = tt_state_step(&m, &r, TT_CLASS_OK, 100);
  assert_int_equal(st.to, TT_STATE_DEGRADED);
  assert_true(st.cert_soon);
  assert_false(st.slow);
  assert_string_equal(
    tt_state_cause(&st, &r, TT_CLASS_OK, 100, "", buf, sizeof buf),
    "certificate expires in 5 days (2026-11-19)");
  m.state = TT_STATE_DOWN;
  st = tt_state_step(&m, &r, TT_CLASS_OK, 100);
  assert_int_equal(st.to, TT_STATE_UP);
  assert_false(st.cert_soon);
  /* No certificate, or one far from expiring: up. */
  r.cert_expires = 0;
  m.state = TT_STATE_DEGRADED;
  assert_int_equal(tt_state_step(&m, &r, TT_CLASS_OK, 100).to, TT_STATE_UP);
  /* A failure is the failure, whatever the certificate. */
  r.cert_expires = 1795046400;
  m.state = TT_STATE_UP;
  assert_int_equal(tt_state_step(&m, &r, TT_CLASS_REFUSED, 0).to,
                   TT_STATE_DOWN);
}

int main(void) {
  struct CMUnitTest tests[NRULES(rules) + 8];
  size_t n = 0;

  for (size_t i = 0; i < NRULES(rules); i++)
    tests[n++] = (struct CMUnitTest){rules[i].name, test_rule, NULL, NULL,
                                     (void *)&rules[i]};
  tests[n++] = (struct CMUnitTest)cmocka_unit_test(
      test_rules_cover_every_case_once);
  tests[n++] = (struct CMUnitTest)cmocka_unit_test(
      test_three_misses_take_an_up_target_down);
  tests[n++] = (struct CMUnitTest)cmocka_unit_test(
      test_misses_must_be_consecutive);
  tests[n++] = (struct CMUnitTest)cmocka_unit_test(
      test_a_new_machine_has_no_misses);
  tests[n++] = (struct CMUnitTest)cmocka_unit_test(
      test_rtt_equal_to_rtt_warn_is_not_slow);
  tests[n++] = (struct CMUnitTest)cmocka_unit_test(
      test_no_rtt_warn_means_never_slow);
  tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_cause_words);
  tests[n++] = (struct CMUnitTest)cmocka_unit_test(
      test_certificate_about_to_expire);
  return cmocka_run_group_tests(tests, NULL, NULL);
}

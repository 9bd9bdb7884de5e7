/* test_slots.c - a target's schedule (slots.h) without a loop: where its
 * slots fall, which one a late or early ping takes, and which missed
 * slots are the loop's and which the target's own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "slots.h"

/* Slot 0 is the phase plus the lead after the engine's start. */
static void test_slots_fall_at_phase_plus_lead(void **unused) {
  tt_slots sl;
  tt_slots_start(&sl, 1000, 1300, 1000, 250, 1000);
  assert_int_equal(sl.phase_ms, 300); /* modulo the interval */
  assert_int_equal(tt_slot_ms(&sl, 0), 1550);
  assert_int_equal(tt_slot_ms(&sl, 3), 4550);
  assert_int_equal(sl.next_k, 0);
}

/* A target that joins a running engine keeps its phase and takes the
 * first slot whose connect is still ahead. */
static void test_a_joiner_starts_at_the_next_slot_ahead(void **unused) {
  tt_slots sl;
  tt_slots_start(&sl, 1000, 300, 1000, 250, 5200);
  assert_int_equal(tt_slot_ms(&sl, 0), 5550);
  tt_slots_start(&sl, 1000, 300, 1000, 250, 5300); /* its connect: now */
  assert_int_equal(tt_slot_ms(&sl, 0), 5550);
  tt_slots_start(&sl, 1000, 300, 1000, 250, 5301);
  assert_int_equal(tt_slot_ms(&sl, 0), 6550);
}

static void test_slot_from_and_at(void **unused) {
  tt_slots sl;
  tt_slots_start(&sl, 0, 0, 100, 0, 0);
  assert_int_equal(tt_slot_from(&sl, 0), 0);
  assert_int_equal(tt_slot_from(&sl, 1), 1);
  assert_int_equal(tt_slot_from(&sl, 100), 1);
  assert_int_equal(tt_slot_at(&sl, 199), 1);
  assert_int_equal(tt_slot_at(&sl, 200), 2);
  /* Never one already used. */
  uint64_t late;
  assert_int_equal(tt_slot_use(&sl, 2, &late), 2);
  assert_int_equal(tt_slot_from(&sl, 0), 3);
  assert_int_equal(tt_slot_at(&sl, 0), 3);
}

/* The timer was set for slot 1 and came at slot 4: slots 1 to 3 went by
 * because the loop was late. */
static void test_a_late_timer_is_the_loops(void **unused) {
  tt_slots sl;
  uint64_t late;
  tt_slots_start(&sl, 0, 0, 100, 0, 0);
  assert_int_equal(tt_slot_use(&sl, 0, &late), 0);
  assert_int_equal(late, 0);
  sl.timer_k = 1;
  assert_int_equal(tt_slot_use(&sl, 4, &late), 3);
  assert_int_equal(late, 3);
  assert_int_equal(sl.next_k, 5);
}

/* A probe at slot 0 ran until slot 3 came; the timer is set for slot 3,
 * and comes on time: slots 1 and 2 are the target's, not the loop's. */
static void test_an_attempt_that_ran_over_is_the_targets(void **u) {
  tt_slots sl;
  uint64_t late;
  tt_slots_start(&sl, 0, 0, 100, 0, 0);
  tt_slot_use(&sl, 0, &late);
  sl.timer_k = 3;
  assert_int_equal(tt_slot_use(&sl, 3, &late), 2);
  assert_int_equal(late, 0);
  /* ... and the timer for slot 5 came at slot 6: one of each. */
  sl.timer_k = 5;
  assert_int_equal(tt_slot_use(&sl, 6, &late), 2);
  assert_int_equal(late, 1);
}

/* An earlier slot than the next one (a retried ping) counts nothing and
 * moves nothing. */
static void test_a_used_slot_again_counts_nothing(void **unused) {
  tt_slots sl;
  uint64_t late = 7;
  tt_slots_start(&sl, 0, 0, 100, 0, 0);
  tt_slot_use(&sl, 3, &late);
  assert_int_equal(tt_slot_use(&sl, 1, &late), 0);
  assert_int_equal(late, 0);
  assert_int_equal(sl.next_k, 4);
}

static void test_lead(void **unused) {
  assert_int_equal(tt_slot_lead_ms(0, 1000), 250);
  assert_int_equal(tt_slot_lead_ms(200000, 1000), 400); /* twice 200 ms */
  assert_int_equal(tt_slot_lead_ms(0, 300), 150);       /* half of 300 */
  assert_int_equal(tt_slot_lead_ms(400000, 1000), 500);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_slots_fall_at_phase_plus_lead),
    cmocka_unit_test(test_a_joiner_starts_at_the_next_slot_ahead),
    cmocka_unit_test(test_slot_from_and_at),
    cmocka_unit_test(test_a_late_timer_is_the_loops),
    cmocka_unit_test(test_an_attempt_that_ran_over_is_the_targets),
    cmocka_unit_test(test_a_used_slot_again_counts_nothing),
    cmocka_unit_test(test_lead),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

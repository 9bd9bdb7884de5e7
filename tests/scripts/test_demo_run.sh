#!/usr/bin/env bash
# test_demo_run.sh - `tether --demo --plain --duration 10s` shows every
# class its servers produce, late replies included, and exits 1 (some
# targets are down, on purpose).
set -u
TETHER=${TETHER:?set by CTest}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$TETHER" --demo --plain --duration 10s >"$out"
status=$?
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

[ "$status" -eq 1 ] || fail "exit status $status, expected 1"
for class in ok refused reset eof protocol timeout connect_timeout; do
  grep -Eq "  #[0-9]+ +$class  " "$out" || fail "no heartbeat of class $class"
done
grep -Eq "  #[0-9]+ +late  the reply came after " "$out" || fail "no late reply"
for state in up degraded down; do
  grep -Eq "state   [a-z]+ -> $state" "$out" || fail "no change to $state"
done
# The summary table lists all eleven targets.
rows=$(sed -n '/^NAME /,$p' "$out" | tail -n +2 | wc -l)
[ "$rows" -eq 11 ] || fail "summary has $rows rows, expected 11"
# Nothing raw from the garbage server reached the output.
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$out"; then
  fail "a raw control byte reached the output"
fi

if [ "$failures" -ne 0 ]; then
  cat "$out"
  exit 1
fi
echo "demo: every class shown, exit 1"

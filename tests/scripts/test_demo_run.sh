#!/usr/bin/env bash
# test_demo_run.sh - `tether --demo --plain` shows every class its servers
# produce, late replies and every state included: the test waits until
# all of them were seen (the demo promises ten seconds; the deadline is
# far beyond, for a loaded machine), then ends the run with SIGTERM, which
# writes the summary of every target and exits 1 (some are down on
# purpose).
set -u
TETHER=${TETHER:?set by CTest}
out=$(mktemp)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -f "$out"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

classes="ok refused reset eof protocol timeout connect_timeout"
missing() {
  local class state
  for class in $classes; do
    grep -Eq "  #[0-9]+ +$class  " "$out" || echo "class $class"
  done
  grep -Eq "  #[0-9]+ +late  the reply came after " "$out" || echo "a late reply"
  for state in up degraded down; do
    grep -Eq "state   [a-z]+ -> $state" "$out" || echo "a change to $state"
  done
}

"$TETHER" --demo --plain >"$out" &
pid=$!
start=$(date +%s)
deadline=$((start + 60))
while [ -n "$(missing)" ] && [ "$(date +%s)" -lt "$deadline" ]; do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
took=$(($(date +%s) - start))
kill -TERM "$pid"
wait "$pid"
status=$?
pid=

while read -r what; do
  [ -n "$what" ] && fail "no $what within 60s"
done <<<"$(missing)"
[ "$status" -eq 1 ] || fail "exit status $status, expected 1"
# The summary table lists every target that reported.
targets=$(sed -nE 's/^[0-9:.]+  ([^ ]+) +#[0-9]+ .*/\1/p' "$out" | sort -u | wc -l)
rows=$(sed -n '/^NAME /,$p' "$out" | tail -n +2 | wc -l)
[ "$targets" -gt 0 ] && [ "$rows" -eq "$targets" ] ||
  fail "summary has $rows rows for $targets targets"
# Nothing raw from the garbage server reached the output.
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$out"; then
  fail "a raw control byte reached the output"
fi

if [ "$failures" -ne 0 ]; then
  cat "$out"
  exit 1
fi
echo "demo: every class shown in ${took}s, SIGTERM wrote $rows summaries, exit 1"

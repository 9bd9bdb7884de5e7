#!/usr/bin/env bash
# test_cli.sh - the command line as people meet it: help, version, usage
# errors (exit 2 with a message that says what is wrong), too many targets
# for the descriptor limit (exit 3), --log, a reader that goes away, and
# the exit status when every target is up.
set -u
TETHER=${TETHER:?set by CTest}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect STATUS PATTERN-ON-STDERR ARGS...
expect() {
  local want=$1 pattern=$2
  shift 2
  "$TETHER" "$@" >"$dir/out" 2>"$dir/err" </dev/null
  local got=$?
  [ "$got" -eq "$want" ] || fail "tether $*: exit $got, expected $want"
  grep -Eq -- "$pattern" "$dir/err" ||
    fail "tether $*: stderr does not match /$pattern/: $(cat "$dir/err")"
}

# --help: short, grouped, ends with examples; exit 0.
"$TETHER" --help >"$dir/help" || fail "--help exited non-zero"
lines=$(wc -l <"$dir/help")
[ "$lines" -le 50 ] || fail "--help is $lines lines long"
for section in Output: Run: "Probes" Examples:; do
  grep -q "^$section" "$dir/help" || fail "--help has no $section section"
done
tail -n 6 "$dir/help" | head -n 1 | grep -q "^Examples:" || fail "--help does not end with examples"
"$TETHER" --version | grep -Eq '^tether [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"

expect 2 "nothing to watch"
expect 2 "unknown option '--bogus'" --bogus db:5432
expect 2 "--count needs a value" db:5432 --count
expect 2 "--interval: needs a unit" -i 5 db:5432
expect 2 "--count: needs a positive whole number" -c 0 db:5432
expect 2 "--mode: must be persistent or connect" -m sometimes db:5432
expect 2 "--refresh: must be at least 100ms" --refresh 50ms db:5432
expect 2 "--send: unknown escape" --send 'PING\q' db:5432
expect 2 "choose one output format" --plain --json db:5432
expect 2 "--demo: watches its own servers" --demo db:5432
expect 2 "only one configuration file" a.yaml b.yaml
expect 2 "^TARGET 'db:99999': " db:99999
expect 2 "^nosuch\.yaml: cannot read: No such file or directory" nosuch.yaml
expect 2 "^--timeout: 3s must not exceed the interval \(1s\)" -t 3s redis://db:6379

# More targets than descriptors is a clear runtime error, not a crash.
targets=()
for i in $(seq 1 200); do targets+=("t$i=127.0.0.1:$((20000 + i))"); done
(ulimit -Sn 100 -Hn 100 && "$TETHER" --json -c 1 "${targets[@]}") \
  >"$dir/out" 2>"$dir/err"
status=$?
[ "$status" -eq 3 ] || fail "200 targets with 100 descriptors: exit $status, expected 3"
grep -q "200 targets need about 264 file descriptors, but the limit is 100" "$dir/err" ||
  fail "descriptor message: $(cat "$dir/err")"

# A config with every target up exits 0; --log gets the same events as JSON
# and the summaries, in plain mode too.
"$TETHER" --demo --check >"$dir/check" || fail "--demo --check failed"
grep -q "11 targets in demo, configuration valid" "$dir/check" ||
  fail "--demo --check: $(head -1 "$dir/check")"

# The reader going away ends the run quietly (SIGPIPE is ignored, EPIPE
# stops it) instead of killing it or spinning.
"$TETHER" --demo --json --duration 20s 2>"$dir/err" | head -n 1 >/dev/null
status=${PIPESTATUS[0]}
[ "$status" -eq 1 ] || fail "tether | head: exit $status, expected 1 (some demo targets down)"
[ ! -s "$dir/err" ] || fail "tether | head wrote to stderr: $(cat "$dir/err")"

"$TETHER" --demo --plain -c 2 --log "$dir/log.jsonl" >"$dir/out" 2>"$dir/err"
heartbeats=$(grep -c '"event":"heartbeat"' "$dir/log.jsonl")
summaries=$(grep -c '"event":"summary"' "$dir/log.jsonl")
[ "$heartbeats" -eq 22 ] || fail "--log has $heartbeats heartbeats, expected 22"
[ "$summaries" -eq 11 ] || fail "--log has $summaries summaries, expected 11"
plain=$(grep -Ec '  #[0-9]+ ' "$dir/out")
[ "$plain" -eq 22 ] || fail "plain output has $plain heartbeat lines, expected 22"

if [ "$failures" -ne 0 ]; then
  exit 1
fi
echo "command line: all checks passed"

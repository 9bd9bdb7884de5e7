#!/usr/bin/env bash
# test_replay_cli.sh - tether --replay on a real recording: a server that is
# up, killed (down) and started again (up) while tether --log records;
# the replay at moments before, during and after says up, down (with the
# class), up; its statistics are the live run's (the summaries at the
# end, the heartbeats counted up to a moment in the middle); gzip replays
# as plain; damage is said with its line and the rest is replayed; a log
# without "target" events (older tethers) replays too; mistakes exit 2 or
# 3 with words.
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}
command -v jq >/dev/null || { echo "SKIP: jq is missing"; exit 77; }
command -v gzip >/dev/null || { echo "SKIP: gzip is missing"; exit 77; }

dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok - $*"; }

# shellcheck source=replay_lib.sh
. "$(dirname "$0")/replay_lib.sh"

# ---- the recording ----------------------------------------------------------

refused=$("$TOOLS/free_port")
record "$dir/run.jsonl" "closed=127.0.0.1:$refused"
status=$?
svc='.target == "svc"'
[ "$status" = 1 ] || fail "the recording ended with $status, expected 1 (closed is down)"

# The run's own words: "target" events first, with the settings.
head -n 2 "$log" | jq -e -s '[.[] | select(.event == "target" and
    .interval_ms == 200 and .timeout_ms == 150 and (.tags | length) == 0)]
    | length == 2' >/dev/null || fail "the log does not start with two target events: $(head -n 2 "$log")"
jq -e -s '[.[] | select(.event == "target" and .target == "svc")][0]
    | .mode == "persistent" and .preset == "redis"' "$log" >/dev/null ||
  fail "svc's target event has no mode or preset"

ts_of() { jq -r "select($svc and .event == \"state\" and $1) | .ts" "$log" | head -n 1; }
t_up=$(ts_of '.from == "connecting"')
t_down=$(ts_of '.to == "down"')
t_back=$(ts_of '.from == "down"')
# Moments between them (RFC 3339, to the microsecond, as the log has it).
between() { # TS1 TS2: the moment half way, RFC 3339 UTC
  local a b
  a=$(date -u -d "$1" +%s%6N)
  b=$(date -u -d "$2" +%s%6N)
  local m=$(((a + b) / 2))
  printf '%s.%06dZ' "$(date -u -d "@$((m / 1000000))" +%Y-%m-%dT%H:%M:%S)" $((m % 1000000))
}
before=$(between "$t_up" "$t_down")
during=$(between "$t_down" "$t_back")

# ---- up, down, up ----------------------------------------------------------------

# at TIME [ARGS]: tether --replay at TIME, --json; the svc object.
at() {
  "$TETHER" --replay "$log" --json --at "$1" >"$dir/at.json" 2>"$dir/at.err"
  echo $? >"$dir/at.status"
  jq -c 'select(.target == "svc")' "$dir/at.json"
}
state_at() { at "$1" | jq -r .state; }
[ "$(state_at "$before")" = up ] || fail "before: svc is $(state_at "$before"), not up"
got=$(at "$during")
[ "$(jq -r .state <<<"$got")" = down ] || fail "during: svc is not down: $got"
case $(jq -r .last_failure <<<"$got") in
  refused | reset) ;;
  *) fail "during: the class is not refused or reset: $got" ;;
esac
[ "$(jq -r .since <<<"$got")" = "$t_down" ] || fail "during: down since $(jq -r .since <<<"$got"), not $t_down"
[ "$(cat "$dir/at.status")" = 1 ] || fail "during: exit $(cat "$dir/at.status"), expected 1"
after=$(jq -r 'select(.event == "summary") | .ts' "$log" | head -n 1)
[ "$(state_at "$after")" = up ] || fail "after: svc is not up"
ok "svc up at $before, down at $during, up at $after"
# The same in plain words: svc's row says up, down, up.
for w in "before up" "during down" "after up"; do
  set -- $w
  "$TETHER" --replay "$log" --plain --at "${!1}" >"$dir/p.out" 2>&1
  grep -Eq "^svc +$2 " "$dir/p.out" || fail "--plain --at $1: svc is not $2: $(cat "$dir/p.out")"
done
ok "--plain --at: up, down, up"

# The plain table: worst first, the class of the last failure, since when.
"$TETHER" --replay "$log" --plain --at "$during" >"$dir/plain.out" 2>"$dir/plain.err"
[ "$?" = 1 ] || fail "--plain --at: exit status"
grep -Eq '^NAME +STATE +SINCE +LOSS +AVG +P99 +LAST FAILURE$' "$dir/plain.out" ||
  fail "--plain: no heading: $(cat "$dir/plain.out")"
grep -Eq '^svc +down +[0-9:]{8} .*(refused|reset): ' "$dir/plain.out" ||
  fail "--plain: no svc down row: $(cat "$dir/plain.out")"
grep -Eq '^closed +down .*refused: connection' "$dir/plain.out" ||
  fail "--plain: no closed row: $(cat "$dir/plain.out")"
[ "$(awk 'length($0) > 80' "$dir/plain.out" | wc -l)" = 0 ] || fail "--plain: lines over 80 columns"
ok "--plain --at: $(grep -c . "$dir/plain.out") lines"

# ---- the live run's statistics ------------------------------------------------------

fields='{state, sent, received, lost, late, loss_pct, rtt_min_us, rtt_avg_us,
  rtt_max_us, rtt_p50_us, rtt_p90_us, rtt_p99_us, rtt_jitter_us, flaps,
  reconnects, classes}'
jq -S -c "select(.event == \"summary\") | {target} + $fields" "$log" | sort >"$dir/live.sum"
"$TETHER" --replay "$log" --json >"$dir/end.json" 2>"$dir/end.err"
[ "$?" = 1 ] || fail "--replay at the end: exit status"
jq -S -c "{target} + $fields" "$dir/end.json" | sort >"$dir/replay.sum"
[ -s "$dir/live.sum" ] && cmp -s "$dir/live.sum" "$dir/replay.sum" ||
  fail "the replay's statistics at the end are not the run's summaries:
$(diff "$dir/live.sum" "$dir/replay.sum")"
ok "at the end: the run's summaries, field by field"

# In the middle: the heartbeats up to that moment, counted from the log.
count() { jq -r --arg t "$during" "select($svc and .event == \"heartbeat\" and .ts <= \$t $1) | .seq" "$log" | wc -l; }
want="$(count '') $(count 'and .class == "ok"') $(count 'and .class != "ok"')"
got=$(at "$during" | jq -r '"\(.sent) \(.received) \(.lost)"')
[ "$got" = "$want" ] || fail "during: sent/received/lost $got, the log says $want"
rtts=$(jq -r --arg t "$during" "select($svc and .event == \"heartbeat\" and .ts <= \$t and .class == \"ok\") | .rtt_us" "$log" | sort -n)
want="$(head -n 1 <<<"$rtts") $(tail -n 1 <<<"$rtts")"
got=$(at "$during" | jq -r '"\(.rtt_min_us) \(.rtt_max_us)"')
[ "$got" = "$want" ] || fail "during: rtt min/max $got, the log says $want"
ok "during: $(at "$during" | jq -r '"\(.sent) sent, \(.lost) lost"'), as the log counts"

# ---- gzip -------------------------------------------------------------------------

gzip -c "$log" >"$dir/run.jsonl.gz"
for t in "$before" "$during" "$after"; do
  "$TETHER" --replay "$log" --json --at "$t" >"$dir/a" 2>&1
  "$TETHER" --replay "$dir/run.jsonl.gz" --json --at "$t" >"$dir/b" 2>&1
  cmp -s "$dir/a" "$dir/b" || fail "gzip replays otherwise at $t: $(diff "$dir/a" "$dir/b" | head -n 4)"
done
ok "gzip replays as plain"

# ---- damage -------------------------------------------------------------------------

lines=$(wc -l <"$log")
# expect_damage FILE LINE WORDS: said on stderr and (--json) as an event;
# what came before it is replayed.
expect_damage() {
  "$TETHER" --replay "$1" --json >"$dir/d.json" 2>"$dir/d.err"
  local status=$?
  [ "$status" = 0 ] || [ "$status" = 1 ] || fail "$1: exit $status: $(cat "$dir/d.err")"
  grep -q "$(basename "$1"):$2: .*$3" "$dir/d.err" ||
    fail "$1: stderr does not say line $2, $3: $(cat "$dir/d.err")"
  jq -e -s --argjson l "$2" '[.[] | select(.event == "damage")][0].line == $l' "$dir/d.json" >/dev/null ||
    fail "$1: no damage event for line $2"
  [ "$(jq -c 'select(.event == "view")' "$dir/d.json" | wc -l)" = 2 ] ||
    fail "$1: not every target was replayed"
}
head -c -9 "$log" >"$dir/cut.jsonl"
expect_damage "$dir/cut.jsonl" "$lines" "cut short"
{ head -n 9 "$log"; printf '\x00\x01garbage\xff\n'; tail -n +10 "$log"; } >"$dir/garbage.jsonl"
expect_damage "$dir/garbage.jsonl" 10 "not an object"
# ... and it reads exactly the lines before it.
head -n 9 "$log" >"$dir/nine.jsonl"
"$TETHER" --replay "$dir/nine.jsonl" --json | jq -c 'select(.event == "view")' >"$dir/a"
jq -c 'select(.event == "view")' "$dir/d.json" >"$dir/b"
cmp -s "$dir/a" "$dir/b" || fail "the garbage line's log is not its first nine lines"
{ head -n 5 "$log"; head -c 70000 /dev/zero | tr '\0' x; echo; } >"$dir/long.jsonl"
expect_damage "$dir/long.jsonl" 6 "longer than 65536"
size=$(stat -c %s "$dir/run.jsonl.gz")
head -c $((size / 2)) "$dir/run.jsonl.gz" >"$dir/cut.jsonl.gz"
"$TETHER" --replay "$dir/cut.jsonl.gz" --plain >"$dir/p" 2>"$dir/e"
grep -Eq 'cut.jsonl.gz:[0-9]+: the gzip data is cut short' "$dir/e" ||
  fail "a cut gzip file: $(cat "$dir/e")"
grep -Eq '^(svc|closed) ' "$dir/p" || fail "a cut gzip file: nothing replayed"
ok "damage: a cut line, garbage, a long line, cut gzip"

# ---- an older log, without target events ------------------------------------------

grep -v '"event":"target"' "$log" >"$dir/old.jsonl"
"$TETHER" --replay "$dir/old.jsonl" --json --at "$during" | jq -r 'select(.target == "svc") | .state' >"$dir/old.state"
[ "$(cat "$dir/old.state")" = down ] || fail "a log without target events: svc is $(cat "$dir/old.state") during"
ok "a log without target events replays"

# ---- mistakes ------------------------------------------------------------------------------

# expect STATUS PATTERN ARGS...
expect() {
  local want=$1 pattern=$2
  shift 2
  "$TETHER" "$@" >"$dir/out" 2>"$dir/err" </dev/null
  local got=$?
  [ "$got" = "$want" ] || fail "tether $*: exit $got, expected $want"
  grep -Eq -- "$pattern" "$dir/err" || fail "tether $*: stderr does not say /$pattern/: $(cat "$dir/err")"
}
expect 2 "'yesterday' is not a time" --replay "$log" --at yesterday
expect 2 "is before the log" --replay "$log" --at 2001-01-01T00:00:00Z
expect 2 "is after the log" --replay "$log" --at 2099-01-01T00:00:00Z
expect 2 "--at: is a moment of a replay" --at 03:00 db:5432
expect 2 "FILE.yaml or TARGET has no place" --replay "$log" db:5432
expect 2 "--count has no place" --replay "$log" -c 3
expect 2 "--replay needs a value" --replay
expect 3 "nope.jsonl: No such file" --replay "$dir/nope.jsonl"
expect 3 "Is a directory" --replay "$dir"
: >"$dir/empty.jsonl"
expect 3 "no events to replay" --replay "$dir/empty.jsonl"
ok "mistakes"

[ "$failures" = 0 ] || exit 1
echo "all replay checks passed"

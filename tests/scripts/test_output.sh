#!/usr/bin/env bash
# test_output.sh - outputs that never hold probing up and never lose a word
# silently, with the real binary against a local fault server:
#   - a stdout reader that stalls: the log's heartbeats go on, and what
#     stdout missed is exactly what its "dropped" event and summaries say
#     (JSON and plain);
#   - a reader that goes away (| head -1) ends the run at once;
#   - a run ended while stdout does not read: a signal stops the wait;
#   - 8000 targets through a late reader: every "target" event and summary,
#     none dropped, each once, in order, in stdout and the log;
#   - SIGKILL in the middle of a large run leaves only whole lines;
#   - write errors (a full stdout, a log past the file size limit) say
#     why and end with status 3; --check to a full stdout too;
#   - a FIFO, a directory or a device as --log: refused at once, status 3.
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}
JSONL=$TOOLS/tt_jsonl

dir=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok - $*"; }

ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

"$TOOLS/tt_faultd" respond >"$dir/port" &
server=$!
for _ in $(seq 1 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
port=$(cat "$dir/port")
[ -n "$port" ] || { echo "FAIL: the fault server did not start"; exit 1; }

# targets N: N persistent targets on the server, answering every 200 ms.
targets() {
  local i
  for i in $(seq 1 "$1"); do echo "t$i=127.0.0.1:$port"; done
}
PROBE=(-i 200ms -t 200ms --send 'PING\n' --expect PONG)

# ---- a stdout reader that stalls (JSON) -----------------------------------

mapfile -t many < <(targets 1000)
"$TETHER" --json "${PROBE[@]}" -d 6s --log "$dir/stall.log" "${many[@]}" \
  2>"$dir/err" | (sleep 3; cat) >"$dir/stall.out"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || fail "stalled reader: exit $status, expected 0: $(cat "$dir/err")"
# The log went on while stdout stalled: no target missed more than about
# an interval (200 ms; 400 allows for a loaded machine, a stall is 3 s).
if gap=$("$JSONL" gaps "$dir/stall.log" 400); then
  ok "stalled reader: the log's heartbeats went on (longest gap ${gap} ms)"
else
  fail "stalled reader: heartbeats stopped while stdout stalled"
fi
if acc=$("$JSONL" account "$dir/stall.log" "$dir/stall.out"); then
  ok "stalled reader: stdout's dropped events and summaries account for what it missed ($acc)"
else
  fail "stalled reader: what stdout missed is not what it said ($acc)"
fi
dropped=$(awk '{print $6}' <<<"$acc")
[ "${dropped:-0}" -gt 0 ] || fail "stalled reader: nothing was dropped; the stall did not fill the queue"
grep -Eq '^\{"ts":"[^"]+","event":"dropped","count":[0-9]+\}$' "$dir/stall.out" ||
  fail "stalled reader: no dropped event of the documented form"

# ---- the same in plain ---------------------------------------------------

# Plain lines are shorter: more of them, for longer, fill the same queue.
"$TETHER" --plain --summary wide -i 100ms -t 100ms --send 'PING\n' --expect PONG -d 7s \
  --log "$dir/plain.log" "${many[@]}" \
  2>"$dir/err" | (sleep 5; cat) >"$dir/plain.out"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || fail "plain, stalled reader: exit $status: $(cat "$dir/err")"
# Lines before the summary table are events or notices; the DROP column of
# the table adds up to the notices, and events + dropped = the log's events
# (but its "target" events, which plain lines do not show).
said=$(sed -nE 's/^[0-9:.]+  dropped ([0-9]+) events?: the output could not keep up$/\1/p' \
  "$dir/plain.out" | awk '{s += $1} END {print s + 0}')
column=$(awk '/^NAME / {for (i = 1; i <= NF; i++) if ($i == "DROP") c = i; next}
              c && NF > c {s += $c} END {print s + 0}' "$dir/plain.out")
shown=$(awk '/^NAME / {exit} / dropped [0-9]+ events?: / {next} {n++} END {print n + 0}' \
  "$dir/plain.out")
logged=$(grep -vc -e '"event":"summary"' -e '"event":"target"' "$dir/plain.log")
if [ "$said" -gt 0 ] && [ "$said" -eq "$column" ] && [ $((shown + said)) -eq "$logged" ]; then
  ok "plain, stalled reader: $shown lines + $said dropped = $logged events in the log"
else
  fail "plain, stalled reader: notices say $said, the DROP column $column, lines $shown, log $logged"
fi

# ---- a reader that goes away ----------------------------------------------

# One target refused at once, a heartbeat every 10 s: tether must end as
# soon as head does, not at the next write 10 s later.
{ "$TETHER" --json -i 10s 127.0.0.1:1 2>/dev/null; echo "$?" >"$dir/head.status"
  date +%s%N >"$dir/tether.end"; } | { head -n 1 >/dev/null; date +%s%N >"$dir/head.end"; }
late=$((($(cat "$dir/tether.end") - $(cat "$dir/head.end")) / 1000000))
if [ "$late" -lt 1000 ]; then
  ok "| head -1: tether ended ${late} ms after head"
else
  fail "| head -1: tether ended ${late} ms after head (the interval is 10 s)"
fi
[ "$(cat "$dir/head.status")" -eq 1 ] ||
  fail "| head -1: exit $(cat "$dir/head.status"), expected 1 (the target is down)"

# ---- a run that ends while stdout does not read ------------------------------

# 1000 summaries do not fit in a pipe: the run waits for the reader, and a
# signal ends the wait; the log has every summary.
mapfile -t some < <(targets 1000)
"$TETHER" --json -c 1 --log "$dir/wait.log" "${some[@]}" 2>"$dir/err" | sleep 30 &
sleeper=$!
for _ in $(seq 1 100); do
  [ "$(grep -c '"event":"summary"' "$dir/wait.log" 2>/dev/null)" = 1000 ] && break
  sleep 0.1
done
tpid=$(pgrep -n -f -- "--log $dir/wait.log")
if [ -n "$tpid" ] && kill -0 "$tpid" 2>/dev/null; then
  kill -TERM "$tpid"
  for _ in $(seq 1 30); do kill -0 "$tpid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$tpid" 2>/dev/null; then
    fail "a signal while stdout does not read: tether still waits"
    kill -KILL "$tpid"
  else
    ok "a signal while stdout does not read ends the wait"
  fi
else
  fail "the run ended although stdout could not take its summaries"
fi
kill "$sleeper" 2>/dev/null
wait "$sleeper" 2>/dev/null
summaries=$(grep -c '"event":"summary"' "$dir/wait.log")
[ "$summaries" -eq 1000 ] || fail "the log has $summaries summaries, expected 1000"

# ---- every target's first and last word, a batch at a time -----------------

# 8000 "target" events (some 1.4 MB, past the output's 1 MiB bound) and
# 8000 summaries (some 6 MB) go out as the outputs take them: through a
# reader that starts late, none dropped, each target's once, its "target"
# event before its other events; in stdout and in the log alike.
mapfile -t lots < <(for i in $(seq 1 8000); do echo "t$i=127.0.0.1:1"; done)
"$TETHER" --json -c 1 --log "$dir/lots.log" "${lots[@]}" 2>"$dir/err" |
  (sleep 2; cat) >"$dir/lots.out"
status=${PIPESTATUS[0]}
[ "$status" -eq 1 ] || fail "8000 targets: exit $status, expected 1: $(cat "$dir/err")"
for f in lots.out lots.log; do
  verdict=$(awk -F'"' '
    $8 == "dropped" { dropped++ }
    $8 == "target" { if (announced[$12]++) twice++; next }
    $8 == "summary" { if (summarized[$12]++) twice++ }
    $12 != "" && !($12 in announced) { early++ }
    END {
      a = length(announced); s = length(summarized)
      printf "%d %d %d %d %d\n", a, s, twice + 0, early + 0, dropped + 0
    }' "$dir/$f")
  if [ "$verdict" = "8000 8000 0 0 0" ]; then
    ok "$f: 8000 target events and 8000 summaries, none dropped, in order"
  else
    fail "$f: targets announced, summarized, twice, before their announcement, dropped: $verdict"
  fi
done

# ---- SIGKILL in the middle of a large run ----------------------------------

# Each run: 2000 targets on a server of their own; tether is stopped while
# the server goes away, so that 2000 resets and their events arrive in one
# loop iteration (hundreds of kilobytes of log), and is killed with SIGKILL
# a few milliseconds after it resumes, in the middle of writing them.
torn=0
for run in $(seq 1 10); do
  log="$dir/kill$run.log"
  "$TOOLS/tt_faultd" respond >"$dir/kport" &
  fpid=$!
  for _ in $(seq 1 100); do [ -s "$dir/kport" ] && break; sleep 0.05; done
  kp=$(cat "$dir/kport")
  kt=()
  for i in $(seq 1 2000); do kt+=("t$i=127.0.0.1:$kp"); done
  "$TETHER" --json "${PROBE[@]}" --log "$log" "${kt[@]}" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do [ -s "$log" ] && break; sleep 0.05; done
  sleep 1
  kill -STOP "$pid"
  kill -TERM "$fpid"
  wait "$fpid"
  rm -f "$dir/kport"
  kill -CONT "$pid"
  sleep "0.00$((RANDOM % 10))"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  if ! "$JSONL" lines "$log" >/dev/null; then
    torn=$((torn + 1))
  fi
done
if [ "$torn" -eq 0 ]; then
  ok "SIGKILL, 10 runs of 2000 targets: every log ends with a newline, every line parses"
else
  fail "SIGKILL: $torn of 10 logs hold a half line"
fi

# ---- write errors -----------------------------------------------------------

"$TETHER" --json -c 1 127.0.0.1:1 >/dev/full 2>"$dir/err"
status=$?
[ "$status" -eq 3 ] || fail "stdout on /dev/full: exit $status, expected 3"
grep -qx "tether: writing the output: No space left on device" "$dir/err" &&
  ok "stdout on /dev/full: status 3 and the cause" ||
  fail "stdout on /dev/full: stderr is '$(cat "$dir/err")'"

echo "targets: [{address: 127.0.0.1:1}]" >"$dir/one.yaml"
"$TETHER" --check "$dir/one.yaml" >/dev/full 2>"$dir/err"
status=$?
[ "$status" -eq 3 ] || fail "--check to /dev/full: exit $status, expected 3"
grep -qx "tether: writing the output: No space left on device" "$dir/err" &&
  ok "--check to /dev/full: status 3 and the cause" ||
  fail "--check to /dev/full: stderr is '$(cat "$dir/err")'"

# A log that reaches the file size limit (ulimit -f, in 1024-byte blocks):
# EFBIG, reported; the log is cut back to whole lines; stdout still gets
# its summaries.
(ulimit -f 16; exec "$TETHER" --json "${PROBE[@]}" -d 3s --log "$dir/big.log" \
  "${many[@]:0:200}" 2>"$dir/err") | cat >"$dir/big.out"
status=${PIPESTATUS[0]}
[ "$status" -eq 3 ] || fail "log past the size limit: exit $status, expected 3"
grep -qx "tether: writing the log $dir/big.log: File too large" "$dir/err" &&
  ok "log past the size limit: status 3 and the cause" ||
  fail "log past the size limit: stderr is '$(cat "$dir/err")'"
"$JSONL" lines "$dir/big.log" >/dev/null &&
  ok "log past the size limit: only whole lines" ||
  fail "log past the size limit: a half line stayed"
summaries=$(grep -c '"event":"summary"' "$dir/big.out")
[ "$summaries" -eq 200 ] || fail "log past the size limit: stdout has $summaries summaries, expected 200"

# ---- what is not a file as --log ------------------------------------------

# expect_not_file WHAT PATH: refused within a second, status 3.
expect_not_file() {
  local what=$1 path=$2 start end status
  start=$(date +%s%N)
  timeout 10 "$TETHER" --json -c 1 --log "$path" 127.0.0.1:1 >/dev/null 2>"$dir/err"
  status=$?
  end=$(date +%s%N)
  if [ "$status" -eq 3 ] && [ $(((end - start) / 1000000)) -lt 1000 ] &&
    grep -qx "tether: --log $path: is $what, not a regular file" "$dir/err"; then
    ok "--log $what: refused at once with status 3"
  else
    fail "--log $what ($path): exit $status after $(((end - start) / 1000000)) ms: $(cat "$dir/err")"
  fi
}
mkfifo "$dir/fifo"
expect_not_file "a FIFO" "$dir/fifo"
sleep 5 <>"$dir/fifo" &
reader=$!
expect_not_file "a FIFO" "$dir/fifo"
kill "$reader" 2>/dev/null
expect_not_file "a directory" "$dir"
expect_not_file "a device" /dev/null

if [ "$failures" -ne 0 ]; then
  echo "output: $failures failures"
  exit 1
fi
echo "output: all checks passed"

#!/usr/bin/env bash
# test_replay_dashboard.sh - tether --replay FILE on a terminal: a real run
# recorded while its server goes down and comes back, then replayed in a
# detached tmux. The dashboard opens at --at (before the outage) with the
# target up; ] moves the cursor to the state change (down, the header's
# clock at its time), ] again to the next (up), [ back (down); t takes a
# typed time; Space plays to the end; a damaged log is said on the key
# bar; SIGTERM ends it with the terminal given back.
#
# Every wait polls the screen (or the log) until what is expected shows
# or a deadline passes; nothing waits a fixed time.
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}
command -v tmux >/dev/null || { echo "SKIP: tmux is missing"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq is missing"; exit 77; }

dir=$(mktemp -d)
SOCK="tt-replay-$$-$RANDOM"
DEADLINE=${TT_DASH_DEADLINE:-20}
pids=()
T() { tmux -L "$SOCK" "$@"; }
cleanup() {
  T kill-server >/dev/null 2>&1
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok - $*"; }

# shellcheck source=replay_lib.sh
. "$(dirname "$0")/replay_lib.sh"
record "$dir/run.jsonl"

# The clock the header shows for a state change: local HH:MM:SS.
clock_of() { date -d "$(jq -r "select(.event == \"state\" and $1) | .ts" "$log" | head -n 1)" +%H:%M:%S; }
c_down=$(clock_of '.to == "down"')
c_back=$(clock_of '.from == "down"')
t_up=$(jq -r 'select(.event == "state" and .to == "up") | .ts' "$log" | head -n 1)
t_down=$(jq -r 'select(.event == "state" and .to == "down") | .ts' "$log" | head -n 1)
a=$(date -u -d "$t_up" +%s%6N)
b=$(date -u -d "$t_down" +%s%6N)
m=$(((a + b) / 2))
before=$(printf '%s.%06dZ' "$(date -u -d "@$((m / 1000000))" +%Y-%m-%dT%H:%M:%S)" $((m % 1000000)))

# ---- the dashboard ----------------------------------------------------------------

# start SESSION FILE ARGS...: the replay in a new 100x30 session; the shell
# says EXITED:<status> when it ends.
start() {
  local s=$1 file=$2
  shift 2
  local cmd="env LANG=C.UTF-8 LC_ALL=C.UTF-8 sh -c '\"\$0\" --replay \"\$1\" $*; echo EXITED:\$?; stty -a; exec sleep 600' '$TETHER' '$file'"
  if [ -z "$(T list-sessions 2>/dev/null)" ]; then
    T -f /dev/null new-session -d -s "$s" -x 100 -y 30 "$cmd"
  else
    T new-session -d -s "$s" -x 100 -y 30 "$cmd"
  fi
}
screen() { T capture-pane -p -t "$1"; }
keys() { local s=$1; shift; T send-keys -t "$s" "$@"; }
wait_for() {
  local end=$((SECONDS + DEADLINE))
  while ((SECONDS < end)); do
    screen "$1" | grep -Eq -- "$2" && return 0
    sleep 0.1
  done
  return 1
}
# expect SESSION ERE WHAT: waits for the screen to show ERE, else fails.
expect() {
  if wait_for "$1" "$2"; then ok "$3"; else
    fail "$3: the screen never showed /$2/:"
    screen "$1"
  fi
}
svc_row() { echo "^svc +127\.0\.0\.1:$port +$1 "; }

start main "$log" --at "$before"
expect main "REPLAY .* paused .*$(date -d "$before" +%H:%M:%S)" "opens paused at --at, the header says so"
expect main "$(svc_row up)" "svc is up before the outage"
keys main ']'
expect main "REPLAY .*  $c_down" "] moves the cursor to the state change ($c_down)"
expect main "$(svc_row down) .*refused" "svc is down there, refused"
keys main ']'
expect main "REPLAY .*  $c_back" "] again: the next change ($c_back)"
expect main "$(svc_row up)" "svc is up again"
keys main '['
expect main "REPLAY .*  $c_down" "[ goes back to the change before"
expect main "$(svc_row down)" "svc is down again"
# The event log pane holds the change.
keys main 'e'
expect main "svc +up → down +refused" "the event log shows up → down"
keys main 't'
expect main "Time: " "t asks for a time"
T send-keys -t main -l "$before"
keys main Enter
expect main "REPLAY .*  $(date -d "$before" +%H:%M:%S)" "t: a typed time (RFC 3339) takes the cursor there"
expect main "$(svc_row up)" "svc is up there"
keys main ' '
expect main "REPLAY .* 100% " "Space plays to the end of the log"
expect main "the end of the log" "and says so"
keys main q
expect main "^EXITED:0" "q: exit 0, svc up at the cursor"

# A damaged log: said with its line, and replayed up to it.
lines=$(wc -l <"$log")
head -c -9 "$log" >"$dir/cut.jsonl"
start cut "$dir/cut.jsonl"
expect cut "line $lines: .*cut short.*; replayed up to line $((lines - 1))" "a damaged log: said with its line"
expect cut "$(svc_row connecting)|$(svc_row up)" "and replayed"
# SIGTERM ends it cleanly: the terminal given back (echo on, canonical).
pid=$(pgrep -P "$(T display -p -t cut '#{pane_pid}')" -x tether)
[ -n "$pid" ] && kill -TERM "$pid"
expect cut "^EXITED:[01]$" "SIGTERM ends the replay"
screen cut | grep -Eq '(^| )icanon( |$)' && screen cut | grep -Eq '(^| )echo( |$)' ||
  fail "the terminal was not given back: $(screen cut | grep -E 'icanon|echo' | head -n 2)"

[ "$failures" = 0 ] || exit 1
echo "all replay dashboard checks passed"

#!/usr/bin/env bash
# test_adhoc.sh - tether used like ping, and the summary it leaves: one
# target or -c N on a terminal gives a line per heartbeat, not the
# dashboard (--dashboard still opens it); the summary at exit fits 80
# columns, worst first, and past 20 targets lists only those not up and a
# line of totals (--summary all: every row; --summary wide: every
# statistic).
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}
# shellcheck source=pong.sh
. "$(dirname "$0")/pong.sh"
dir=$(mktemp -d)
server=
sock=tether-adhoc-$$
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  tmux -L "$sock" kill-server 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

pong_start "$dir/server.out" 0
server=$PONG_PID port=$PONG_PORT
refused=$("$TOOLS/free_port")

# wide FILE: the longest line's width, in characters.
wide() { LC_ALL=C.UTF-8 awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' "$1"; }

# ---- the summary ------------------------------------------------------------

# 25 targets: 22 answer, 3 are refused.
{
  echo "defaults: { interval: 200ms, timeout: 200ms, preset: redis }"
  echo "targets:"
  for i in $(seq 1 22); do echo "  - { name: up$i, address: \"127.0.0.1:$port\" }"; done
  for i in 1 2 3; do
    echo "  - { name: refused-with-a-name-longer-than-twenty-$i, address: \"127.0.0.1:$refused\" }"
  done
} >"$dir/25.yaml"
"$TETHER" --plain -c 3 "$dir/25.yaml" >"$dir/25.out" 2>"$dir/err" </dev/null
status=$?
[ "$status" = 1 ] || fail "exit status $status with 3 targets down"
sed -n '/^NAME /,$p' "$dir/25.out" >"$dir/25.sum"
[ "$(wc -l <"$dir/25.sum")" = 5 ] ||
  fail "past 20 targets: a header, the 3 down and the totals, not: $(cat "$dir/25.sum")"
[ "$(grep -c '  down ' "$dir/25.sum")" = 3 ] || fail "the 3 down are not listed: $(cat "$dir/25.sum")"
grep -q '^refused-with-a-name~  down  .*refused=3$' "$dir/25.sum" ||
  fail "a long name is cut to 20 columns, the failures at the end: $(cat "$dir/25.sum")"
tail -n 1 "$dir/25.sum" | grep -Eq '^25 targets: 3 down, 22 up; 75 heartbeats, 12% lost' ||
  fail "the totals: $(tail -n 1 "$dir/25.sum")"
[ "$(wide "$dir/25.sum")" -le 80 ] || fail "the summary is $(wide "$dir/25.sum") columns wide"
echo "ok - past 20 targets: those not up and a line of totals, in 80 columns"

"$TETHER" --plain -c 2 --summary all "$dir/25.yaml" >"$dir/all.out" 2>"$dir/err" </dev/null
sed -n '/^NAME /,$p' "$dir/all.out" >"$dir/all.sum"
[ "$(wc -l <"$dir/all.sum")" = 27 ] ||
  fail "--summary all: a header, 25 rows and the totals, not $(wc -l <"$dir/all.sum") lines"
# Worst first: the three down come before every up one.
[ "$(sed -n '2,4p' "$dir/all.sum" | grep -c '  down ')" = 3 ] ||
  fail "--summary all is not worst first: $(head -n 5 "$dir/all.sum")"
[ "$(wide "$dir/all.sum")" -le 80 ] || fail "--summary all is $(wide "$dir/all.sum") columns wide"
echo "ok - --summary all: every row, worst first"

"$TETHER" --plain -c 1 --summary wide "$dir/25.yaml" >"$dir/wide.out" 2>"$dir/err" </dev/null
grep -q '^NAME .*ADDRESS .*JITTER' "$dir/wide.out" || fail "--summary wide has no full table"
[ "$(sed -n '/^NAME /,$p' "$dir/wide.out" | wc -l)" = 26 ] || fail "--summary wide: not every row"
echo "ok - --summary wide: every statistic of every row"

"$TETHER" --summary some x:1 >/dev/null 2>"$dir/err"
[ $? = 2 ] && grep -q "summary: all or wide, not 'some'" "$dir/err" ||
  fail "--summary some: $(cat "$dir/err")"

# ---- like ping, on a terminal --------------------------------------------------

if ! command -v tmux >/dev/null; then
  echo "skip - no tmux: ping-like lines on a terminal are not checked"
else
  # run NAME COMMAND: COMMAND in a terminal of 100x30, which stays open.
  run() {
    tmux -L "$sock" new-session -d -s "$1" -x 100 -y 30 \
      "TERM=xterm-256color $2; echo EXITED \$?; sleep 30"
  }
  # screen_until NAME TEXT: waits (10 s at most) for TEXT on NAME's screen.
  screen_until() {
    for _ in $(seq 100); do
      tmux -L "$sock" capture-pane -p -t "$1" -S -100 | grep -qF -- "$2" && return 0
      sleep 0.1
    done
    return 1
  }
  screen() { tmux -L "$sock" capture-pane -p -t "$1" -S -100; }

  run count "'$TETHER' -c 3 -i 200ms db=redis://127.0.0.1:$port"
  screen_until count "EXITED" || fail "-c 3 did not end: $(screen count)"
  screen count >"$dir/count.screen"
  [ "$(grep -cE '  #[1-3] +ok ' "$dir/count.screen")" = 3 ] ||
    fail "-c 3 on a terminal: no line per heartbeat: $(cat "$dir/count.screen")"
  grep -q '^NAME .*STATE' "$dir/count.screen" || fail "-c 3: no summary"
  grep -q 'EXITED 0' "$dir/count.screen" || fail "-c 3: exit status: $(grep EXITED "$dir/count.screen")"
  [ "$(wide "$dir/count.screen")" -le 80 ] || fail "-c 3's lines are wider than 80 columns"
  echo "ok - -c 3 on a terminal: a line per heartbeat and a summary in 80 columns"

  # One target, no count: lines too, until a signal.
  run one "'$TETHER' -i 200ms db=redis://127.0.0.1:$port"
  screen_until one "#3 " || fail "one target on a terminal: no lines: $(screen one)"
  tmux -L "$sock" send-keys -t one C-c
  screen_until one "EXITED" || fail "one target: C-c did not end it"
  grep -q '^NAME .*STATE' <(screen one) || fail "one target: no summary after C-c"
  echo "ok - one target on a terminal: a line per heartbeat"

  # --dashboard: the table all the same.
  run dash "'$TETHER' --dashboard -c 3 -i 200ms db=redis://127.0.0.1:$port"
  screen_until dash "STATE" && screen dash | grep -q "tether" ||
    fail "--dashboard -c 3 did not open the dashboard: $(screen dash)"
  screen dash | grep -qE '  #1 +ok ' && fail "--dashboard: ping-like lines under the dashboard"
  echo "ok - --dashboard opens the dashboard for one target"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi

#!/usr/bin/env bash
# dashboard.sh - what the dashboard costs: tether watches many loopback
# targets (a tiny pong server built here) once with the dashboard, in a
# detached tmux, with every view that costs switched on (grouped by tag
# with a group open, a filter on states, which filters again on every
# redraw, the shared log scale, the event log pane), and once with
# --json > /dev/null, for the same duration; prints the CPU seconds of
# each and their ratio. Aim: the dashboard adds less than a quarter.
# A third run, on a pseudo-terminal of keylat.c's with nothing in between,
# times keys from the keystroke to their answer in tether's output (x,
# toggled, the same views on); aim: answered by the next redraw, within
# one redraw period (and the few ms the redraw takes).
#
#   bench/dashboard.sh [TETHER]     (default: build/tether)
#   BENCH_TARGETS=10000 BENCH_SECONDS=30 BENCH_PORTS=8 BENCH_REFRESH=100ms
#   BENCH_FEATURES=0 (the plain table)  BENCH_KEYS=20 (keys timed)
#   Needs tmux, cc, libuv's development files (and forkpty, in libc).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
TETHER=${1:-${TETHER:-$here/../build/tether}}
TARGETS=${BENCH_TARGETS:-10000}
SECONDS_RUN=${BENCH_SECONDS:-30}
PORTS=${BENCH_PORTS:-8}
REFRESH=${BENCH_REFRESH:-100ms}
FEATURES=${BENCH_FEATURES:-1}
KEYS=${BENCH_KEYS:-20}

die() { echo "bench/dashboard.sh: $*" >&2; exit 1; }
[ -x "$TETHER" ] || die "no tether at $TETHER (build first, or pass its path)"
command -v tmux >/dev/null || die "needs tmux (apt-get install tmux)"
command -v cc >/dev/null || die "needs a C compiler"
pkg-config --exists libuv || die "needs libuv's development files"

work=$(mktemp -d)
sock="tt-bench-$$"
pongd_pid=
cleanup() {
  tmux -L "$sock" kill-server >/dev/null 2>&1 || true
  [ -n "$pongd_pid" ] && kill "$pongd_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Each run holds a connection per target, and so does the server.
need=$((TARGETS + 256))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null ||
    die "needs $need descriptors (ulimit -n is $(ulimit -n))"
fi

cc -O2 -o "$work/pongd" "$here/pongd.c" $(pkg-config --cflags --libs libuv)
cc -O2 -o "$work/keylat" "$here/keylat.c" -lutil
# The server outlives both runs, then stops by itself.
lifetime=$((2 * SECONDS_RUN + 120))
coproc PONGD { exec "$work/pongd" "$PORTS" "$lifetime"; }
pongd_pid=$PONGD_PID
read -r -u "${PONGD[0]}" -a ports || die "pongd did not start"

# Every target tagged by its port, so that grouping makes a group a port.
{
  echo "defaults:"
  echo "  interval: 1s"
  echo "  timeout: 1s"
  echo "targets:"
  for ((i = 0; i < TARGETS; i++)); do
    p=$((i % ${#ports[@]}))
    printf '  - name: t%05d\n    address: 127.0.0.1:%s\n    preset: redis\n    tags: [bench, port%d]\n' \
      "$i" "${ports[$p]}" "$p"
  done
} >"$work/bench.yaml"

# The children's CPU time as bash's `times` reports it, in seconds.
cpu_of() {
  awk 'NR == 2 {
         split($1, u, /[ms]/); split($2, s, /[ms]/)
         printf "%.2f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2]
       }' "$1"
}

echo "tether: $TETHER"
echo "targets: $TARGETS on ${#ports[@]} loopback ports, ${SECONDS_RUN}s each run"

# 1. The dashboard, in a detached tmux as a person would see it.
tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 50 \
  "env LANG=C.UTF-8 bash -c '\"\$0\" --refresh $REFRESH -d ${SECONDS_RUN}s \"\$1\" 2>/dev/null; times >\"\$2\"; touch \"\$2.done\"' '$TETHER' '$work/bench.yaml' '$work/dash.times'"
deadline=$((SECONDS + SECONDS_RUN + 120))
screen() { tmux -L "$sock" capture-pane -p 2>/dev/null; }
keys() { tmux -L "$sock" send-keys "$@"; }
# wait_screen ERE: until the screen shows it.
wait_screen() {
  until screen | grep -Eq -- "$1"; do
    ((SECONDS < deadline)) && [ ! -e "$work/dash.times.done" ] ||
      die "the dashboard did not show: $1"
    sleep 0.05
  done
}
# Make sure it is the dashboard that runs (stdout a terminal), not --plain.
wait_screen '^ tether .* [0-9]+ up  [0-9]+ degraded'

if [ "$FEATURES" = 1 ]; then
  keys t
  wait_screen '^▸ '
  keys Enter
  wait_screen '^▾ '
  keys / && keys -l '!down t0' && keys Enter
  wait_screen 'filter "!down t0"'
  keys l e
  wait_screen 'HISTORY [0-9a-z]+ log'
  wait_screen '^ Event log'
  features='grouped by tag (first group open), filter "!down t0", shared log scale, event log pane'
else
  features='none (the plain table)'
fi

until [ -e "$work/dash.times.done" ]; do
  ((SECONDS < deadline)) || die "the dashboard run did not end"
  sleep 0.5
done
tmux -L "$sock" kill-server >/dev/null 2>&1 || true
dash=$(cpu_of "$work/dash.times")

# 2. Keys to the answer: once every target is up, the same views switched
# on, then x pressed now and then, its answer the header's "not up only"
# (on) or the first row coming back (off). A key waits for the next
# redraw (at most ten a second), which then takes a few ms.
setup=()
if [ "$FEATURES" = 1 ]; then
  # (The answers as ncurses writes them: only what changed on screen.)
  setup=(-k 't=>▸' -k '\r=>▾' -k '/!down t0\r=>Clear' -k 'l=>log'
         -k 'e=>Event log')
fi
"$work/keylat" -s 160x50 -w "$TARGETS up" "${setup[@]}" -t 'x=>not up only' \
  -t 'x=>t00000' -n "$KEYS" -- env LANG=C.UTF-8 TERM=xterm-256color \
  "$TETHER" --refresh "$REFRESH" -d "$((KEYS + 15))s" "$work/bench.yaml" \
  >"$work/keys.out" 2>&1 || { cat "$work/keys.out" >&2; die "keys were not answered"; }
grep -v '^exit' "$work/keys.out" >"$work/keys.ms" || true

# 3. The same targets as JSON lines thrown away.
bash -c '"$0" --json -d "$1" "$2" >/dev/null 2>&1; times >"$3"' \
  "$TETHER" "${SECONDS_RUN}s" "$work/bench.yaml" "$work/json.times"
json=$(cpu_of "$work/json.times")

echo "dashboard views on: $features"
awk -v d="$dash" -v j="$json" 'BEGIN {
  printf "dashboard: %.2f s CPU\n--json:    %.2f s CPU\n", d, j
  if (j > 0) printf "ratio:     %.2f (the dashboard adds %+.0f%%; aim: under +25%%)\n", d / j, (d / j - 1) * 100
}'
refresh_ms=$(awk -v r="$REFRESH" 'BEGIN {
  if (r ~ /ms$/) print r + 0; else if (r ~ /s$/) print (r + 0) * 1000; else print r }')
sort -n "$work/keys.ms" | awk -v p="$refresh_ms" '
  { v[NR] = $1 }
  END {
    if (NR == 0) { print "key to answer: not measured"; exit }
    q = int(NR * 0.9 + 0.5); if (q < 1) q = 1
    printf "key to answer (%d presses of x, on a pty): min %.1f ms, median %.1f ms, p90 %.1f ms, max %.1f ms\n",
      NR, v[1], v[int((NR + 1) / 2)], v[q], v[NR]
    printf "aim: the next redraw, within one period (%d ms) and the redraw itself (10 ms allowed): %s\n",
      p, v[NR] <= p + 10 ? "met" : "not met"
  }'

#!/usr/bin/env bash
# dashboard.sh - what the dashboard costs: tether watches many loopback
# targets (a tiny pong server built here) once with the dashboard, in a
# detached tmux, and once with --json > /dev/null, for the same duration;
# prints the CPU seconds of each and their ratio. Aim: the dashboard adds
# less than a quarter.
#
#   bench/dashboard.sh [TETHER]     (default: build/tether)
#   BENCH_TARGETS=10000 BENCH_SECONDS=30 BENCH_PORTS=8 BENCH_REFRESH=100ms
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
TETHER=${1:-${TETHER:-$here/../build/tether}}
TARGETS=${BENCH_TARGETS:-10000}
SECONDS_RUN=${BENCH_SECONDS:-30}
PORTS=${BENCH_PORTS:-8}
REFRESH=${BENCH_REFRESH:-100ms}

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
# The server outlives both runs, then stops by itself.
lifetime=$((2 * SECONDS_RUN + 120))
coproc PONGD { exec "$work/pongd" "$PORTS" "$lifetime"; }
pongd_pid=$PONGD_PID
read -r -u "${PONGD[0]}" -a ports || die "pongd did not start"

{
  echo "defaults:"
  echo "  interval: 1s"
  echo "  timeout: 1s"
  echo "targets:"
  for ((i = 0; i < TARGETS; i++)); do
    printf '  - name: t%05d\n    address: 127.0.0.1:%s\n    preset: redis\n' \
      "$i" "${ports[$((i % ${#ports[@]}))]}"
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
# Make sure it is the dashboard that runs (stdout a terminal), not --plain.
until tmux -L "$sock" capture-pane -p 2>/dev/null |
      grep -Eq '^ tether .* [0-9]+ up  [0-9]+ degraded'; do
  ((SECONDS < deadline)) && [ ! -e "$work/dash.times.done" ] ||
    die "the dashboard did not show"
  sleep 0.2
done
until [ -e "$work/dash.times.done" ]; do
  ((SECONDS < deadline)) || die "the dashboard run did not end"
  sleep 0.5
done
tmux -L "$sock" kill-server >/dev/null 2>&1 || true
dash=$(cpu_of "$work/dash.times")

# 2. The same targets as JSON lines thrown away.
bash -c '"$0" --json -d "$1" "$2" >/dev/null 2>&1; times >"$3"' \
  "$TETHER" "${SECONDS_RUN}s" "$work/bench.yaml" "$work/json.times"
json=$(cpu_of "$work/json.times")

awk -v d="$dash" -v j="$json" 'BEGIN {
  printf "dashboard: %.2f s CPU\n--json:    %.2f s CPU\n", d, j
  if (j > 0) printf "ratio:     %.2f (the dashboard adds %+.0f%%; aim: under +25%%)\n", d / j, (d / j - 1) * 100
}'

#!/usr/bin/env bash
# replay.sh - what --replay costs on a large recording: opening (one pass
# that indexes it), the index's memory, seeking (first, middle, end,
# random), steps and a window, plain and gzip, against a reference
# measured in the same run: reading the same file with `wc -l` (and
# `gzip -dc | wc -l`). See README.md. Prints; asserts nothing.
#
#   bench/replay.sh [TARGETS] [SECONDS]   (default 10000 targets, 600 s)
#
# The log (bench/replaygen.c: one heartbeat per target per second, a few
# targets going down and back) is TARGETS x SECONDS events, about 158
# bytes each: 0.95 GB for the default, written to bench/out/ with its
# gzip copy (0.15 GB); `bench/replay.sh 10000 3600`, the hour of the
# issue, needs 5.7 GB and 0.9 GB and a few minutes more. Every step stops
# by itself.
#
# Environment (all optional):
#   BENCH_GZIP=0       skip the gzip copy (writing it takes a few minutes)
#   BENCH_SEEKS=20     random seeks measured
#   BENCH_KEEP=1       keep the logs (else removed at the end)
#   BENCH_BUILD=DIR    tether's build directory (default build-bench/)
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
N=${1:-10000}
SECS=${2:-600}
SEEKS=${BENCH_SEEKS:-20}
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
OUT=$BENCH/out
BIN=$OUT/bin

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
case "$N$SECS$SEEKS" in *[!0-9]*) die "usage: bench/replay.sh [TARGETS] [SECONDS]" ;; esac
for tool in cc cmake pkg-config gzip wc; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
mkdir -p "$OUT" "$BIN"

# ---- build -----------------------------------------------------------------

say "building tether (Release) in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTETHER_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc)" >/dev/null
LIBS="-L$BUILD -ltetherui -ltethercore $(pkg-config --libs libuv yaml-0.1 ncursesw libcares libssl libcrypto zlib) -lm"
cc -O2 -o "$BIN/replaygen" "$BENCH/replaygen.c" -lz
# shellcheck disable=SC2086
cc -O2 -D_GNU_SOURCE -I"$ROOT/ui" -I"$ROOT/core" -o "$BIN/replaybench" \
  "$BENCH/replaybench.c" $LIBS
cc -O2 -o "$BIN/rusage" "$BENCH/rusage.c"

# seconds COMMAND...: runs it, prints its wall time in seconds.
seconds() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null
  t1=$(date +%s%N)
  awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f", d / 1e9 }'
}

# ---- the log -----------------------------------------------------------------

log=$OUT/replay-$N-$SECS.jsonl
gz=$log.gz
cleanup() { [ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$log" "$gz"; }
trap cleanup EXIT
if [ ! -s "$log" ]; then
  say "writing $log ($N targets, $SECS s)"
  gen_s=$(seconds "$BIN/replaygen" "$N" "$SECS" "$log")
  say "written in $gen_s s"
fi
if [ "${BENCH_GZIP:-1}" = 1 ] && [ ! -s "$gz" ]; then
  say "writing $gz"
  gz_s=$(seconds "$BIN/replaygen" -z "$N" "$SECS" "$gz")
  say "written in $gz_s s"
fi

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); tether $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); $(date +%F)"
echo "log: $N targets x $SECS s, $(wc -l <"$log") lines, $(stat -c %s "$log") bytes$([ -s "$gz" ] && echo ", gzip $(stat -c %s "$gz") bytes")"
echo

# ---- measure -------------------------------------------------------------------

# Once to bring the file into the page cache, as a second replay would
# find it; the figures then compare reading, not the disk.
cat "$log" >/dev/null
echo "reference: wc -l: $(seconds wc -l "$log") s"
echo "plain:"
"$BIN/replaybench" "$log" "$SEEKS" | sed 's/^/  /'
mid=$(TZ=UTC date -u -d "@$((1795921200 + SECS / 2))" +%Y-%m-%dT%H:%M:%SZ)
"$BIN/rusage" -o "$OUT/replay.rusage" "$BUILD/tether" --replay "$log" --plain \
  --at "$mid" >"$OUT/replay.out" 2>&1 || true
echo "  tether --replay --plain --at $mid: $(tail -n 1 "$OUT/replay.rusage"), $(grep -c . "$OUT/replay.out") lines out"
if [ -s "$gz" ]; then
  cat "$gz" >/dev/null
  echo "reference: gzip -dc | wc -l: $(seconds sh -c "gzip -dc '$gz' | wc -l") s"
  echo "gzip:"
  "$BIN/replaybench" "$gz" "$SEEKS" | sed 's/^/  /'
fi

#!/usr/bin/env bash
# reload.sh - what a reload (SIGHUP) at 10 000 targets costs the heartbeats:
# the real tether watches N persistent loopback targets on pongd and is
# reloaded four times, with a file that (a) changes nothing, (b) changes
# 10% of the targets' settings, (c) removes 1 000 targets and adds 1 000,
# (d) replaces all N. See README.md.
#
#   bench/reload.sh
#
# From tether's JSON events it prints, per case and for a window of the
# same run without a reload (the reference): the longest gap between two
# heartbeats, how late the targets that stay send their pings against
# their own slots, failed heartbeats, dropped records, and how the pings
# of the second after the window are spread over 1 ms slots. Then
# bench/reloadtime (the engine alone, on the same files and pongd) times
# tt_engine_reload() itself, the freeing of the old config and the rest of
# that loop pass. Prints figures, asserts nothing; the exit status says
# only whether the benchmark itself ran. Everything talks to 127.0.0.1
# only and every process stops by itself.
#
# Environment (all optional):
#   BENCH_TARGETS=10000     the targets the cases change (N)
#   BENCH_WITNESSES=200     targets in every file, never changed: in (d)
#                           they are the only ones whose heartbeats go on
#   BENCH_PORTS=8           pongd's ports (targets take them in turn)
#   BENCH_BUILD=DIR         tether's build directory (default build-bench/)
#   BENCH_TETHER=FILE       measure this tether binary instead of building
#                           one (reloadtime still links build-bench/'s
#                           libraries)
#   BENCH_PIN=0             do not pin pongd and tether to CPUs
#   BENCH_KEEP=1            keep tether's event log (out/reload.jsonl)
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
. "$BENCH/lib.sh"
N=${BENCH_TARGETS:-10000}
W=${BENCH_WITNESSES:-200}
PORTS=${BENCH_PORTS:-8}
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
OUT=$BENCH/out
BIN=$OUT/bin
INTERVAL_MS=1000
WINDOW=3     # s after each SIGHUP: gaps and lateness
SPACING=7    # s at least from one SIGHUP to the next
AFTER=4      # s at least from a reload event to the next SIGHUP
CASES="a b c d"

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench/reload.sh: %s\n' "$*" >&2; exit 1; }

for v in "$N" "$W" "$PORTS"; do
  case $v in '' | *[!0-9]*) die "BENCH_TARGETS, BENCH_WITNESSES and BENCH_PORTS are whole numbers" ;; esac
done
((N >= 20 && N % 10 == 0)) || die "BENCH_TARGETS must be a multiple of 10, at least 20"
((PORTS >= 1 && PORTS <= 64)) || die "BENCH_PORTS must be 1..64"
for tool in cc cmake pkg-config awk sort date tail; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
pkg-config --exists libuv || die "libuv's pkg-config file is missing (libuv1-dev)"
mkdir -p "$OUT" "$BIN"

# ---- build -----------------------------------------------------------------

bench_build_tether always

say "building pongd and reloadtime in ${BIN#"$ROOT"/}/"
bench_build_pongd
LIBS=$(pkg-config --libs libuv yaml-0.1 libcares libssl libcrypto)
# shellcheck disable=SC2086
cc -std=c11 -D_GNU_SOURCE -O3 -Wall -Wextra -Wno-unused-parameter \
  -I"$ROOT/core" -o "$BIN/reloadtime" "$BENCH/reloadtime.c" \
  "$BUILD/libtethercore.a" $LIBS -lm

# ---- limits ----------------------------------------------------------------

TOTAL=$((N + W))
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
ulimit -n "$hard" 2>/dev/null || true
nofile=$(ulimit -n)
read -r port_lo port_hi </proc/sys/net/ipv4/ip_local_port_range || {
  port_lo=32768 port_hi=60999
}
# (d) closes N connections and opens N new ones at once: the closed ones
# wait in TIME_WAIT, on other local ports than the new ones.
if ((nofile < TOTAL + 1024)); then
  say "skipping: $TOTAL targets need $((TOTAL + 1024)) open files per process" \
      "and the hard limit allows $nofile (raise it: ulimit -Hn, limits.conf)"
  exit 0
elif (((port_hi - port_lo + 1) * PORTS < 2 * TOTAL + 1024)); then
  say "skipping: only $((port_hi - port_lo + 1)) local ports ($port_lo-$port_hi) for $PORTS server ports"
  exit 0
fi

# ---- machine ---------------------------------------------------------------

bench_machine "libuv $(pkg-config --modversion libuv)"

bench_pin "pongd on CPU 1, tether (its thread pool too) and reloadtime on CPU 0"

# ---- processes ---------------------------------------------------------------

PONGD_PID='' TETHER_PID='' RT_PID=''
stop_all() {
  local pid
  for pid in $RT_PID $TETHER_PID $PONGD_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  RT_PID='' TETHER_PID='' PONGD_PID=''
}
trap stop_all EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
# Seconds to sleep until time $1 (never negative).
until_time() { awk -v a="$1" -v b="$(now)" 'BEGIN { s = a - b; printf "%.3f\n", (s > 0 ? s : 0) }'; }
fd_count() { find "/proc/$1/fd" -mindepth 1 2>/dev/null | wc -l; }

: >"$OUT/reload-pongd.ports"
"${SERVER_PIN[@]}" "$BIN/pongd" "$PORTS" 900 >"$OUT/reload-pongd.ports" \
  2>"$OUT/reload-pongd.log" &
PONGD_PID=$!
for _ in $(seq 100); do
  [ -s "$OUT/reload-pongd.ports" ] && break
  sleep 0.05
done
read -r -a ports <"$OUT/reload-pongd.ports" || die "pongd did not start: $(cat "$OUT/reload-pongd.log")"
sleep 0.2
PONGD_FDS=$(fd_count "$PONGD_PID")
say "pongd on 127.0.0.1, ports ${ports[*]} ($PINNING)"

# ---- the files -----------------------------------------------------------------

# base: t00001..tN and the witnesses w001..wW (one after every N/W
# targets, so that their phases spread over the interval too).
# a: the same. b: every tenth t with a longer timeout (restarted, same
# phase). c: b without the last N/10 t and with N/10 new n00001.. d: the
# witnesses and N new u00001.. (every t and n removed).
gen() { # case file
  awk -v c="$1" -v n="$N" -v w="$W" -v ports="${ports[*]}" 'BEGIN {
    np = split(ports, port, " ")
    print "# generated by bench/reload.sh, case " c
    print "defaults: { interval: 1s, timeout: 500ms, preset: redis }"
    print "targets:"
    every = w > 0 ? int(n / w) : n + 1
    k = 0
    for (i = 1; i <= n; i++) {
      p = port[i % np + 1]
      if (c == "d")
        printf "  - { name: u%05d, address: \"127.0.0.1:%s\" }\n", i, p
      else if (c == "c" && i > n - n / 10)
        ;
      else if ((c == "b" || c == "c") && i % 10 == 0)
        printf "  - { name: t%05d, address: \"127.0.0.1:%s\", timeout: 600ms }\n", i, p
      else
        printf "  - { name: t%05d, address: \"127.0.0.1:%s\" }\n", i, p
      if (i % every == 0 && k < w)
        printf "  - { name: w%03d, address: \"127.0.0.1:%s\" }\n", ++k, port[k % np + 1]
    }
    for (; k < w;)
      printf "  - { name: w%03d, address: \"127.0.0.1:%s\" }\n", ++k, port[k % np + 1]
    if (c == "c")
      for (i = 1; i <= n / 10; i++)
        printf "  - { name: n%05d, address: \"127.0.0.1:%s\" }\n", i, port[i % np + 1]
  }' >"$2"
}
FILES=("$OUT/reload-base.yaml")
gen base "$OUT/reload-base.yaml"
for c in $CASES; do
  gen "$c" "$OUT/reload-$c.yaml"
  FILES+=("$OUT/reload-$c.yaml")
done
CFG=$OUT/reload.yaml LOG=$OUT/reload.jsonl
cp "$OUT/reload-base.yaml" "$CFG"

# ---- the run with tether ---------------------------------------------------------

# Lines of the log matching $1, counted from byte offset $2 on (so that
# polling a growing log reads each byte once): prints "count new_offset".
count_from() {
  local size
  size=$(stat -c %s "$LOG")
  if ((size <= $2)); then
    echo "0 $2"
    return
  fi
  echo "$(tail -c +"$(($2 + 1))" "$LOG" | head -c "$((size - $2))" | grep -c -- "$1" || true) $size"
}

say "tether, $TOTAL targets ($N changing, $W witnesses), interval 1s"
"${CLIENT_PIN[@]}" "$TETHER" --json -d 600s "$CFG" >"$LOG" 2>"$OUT/reload.err" &
TETHER_PID=$!
T0=$(now)
up=0 off=0
for _ in $(seq 600); do
  sleep 0.1
  kill -0 "$TETHER_PID" 2>/dev/null || die "tether ended early: $(cat "$OUT/reload.err")"
  read -r k off < <(count_from '"to":"up"' "$off")
  up=$((up + k))
  ((up >= TOTAL)) && break
done
((up >= TOTAL)) || die "only $up of $TOTAL targets came up within 60 s"
UP_AT=$(now)
say "all up after $(awk -v a="$T0" -v b="$UP_AT" 'BEGIN { printf "%.1f", b - a }') s"

# The reference window is where a SIGHUP would be, 3 s after all up; the
# first SIGHUP comes SPACING s after it.
SENT=("$(awk -v u="$UP_AT" 'BEGIN { printf "%.6f", u + 3 }')")
next_at=$(awk -v s="${SENT[0]}" -v g="$SPACING" 'BEGIN { printf "%.6f", s + g }')
reloads=0 roff=$(stat -c %s "$LOG")
for c in $CASES; do
  sleep "$(until_time "$next_at")"
  cp "$OUT/reload-$c.yaml" "$CFG.tmp"
  mv "$CFG.tmp" "$CFG"
  at=$(now)
  kill -HUP "$TETHER_PID"
  SENT+=("$at")
  say "case $c: SIGHUP at +$(awk -v a="$T0" -v b="$at" 'BEGIN { printf "%.2f", b - a }') s"
  # The reload event, or the notice of records dropped (the event among
  # them: at 10 000 targets a reload may report more than the output's
  # bound holds).
  for _ in $(seq 1800); do
    read -r k roff < <(count_from '"event":"\(reload\|dropped\)"' "$roff")
    ((k == 0)) || break
    sleep 0.1
    kill -0 "$TETHER_PID" 2>/dev/null || die "tether ended early: $(cat "$OUT/reload.err")"
  done
  ((k > 0)) || die "case $c: no reload event within 180 s"
  reloads=$((reloads + 1))
  next_at=$(awk -v s="$at" -v g="$SPACING" -v t="$(now)" -v a="$AFTER" \
    'BEGIN { x = s + g; if (t + a > x) x = t + a; printf "%.6f", x }')
done
sleep "$(until_time "$next_at")"
kill -TERM "$TETHER_PID"  # (SIGINT: ignored by background jobs)
rc=0
wait "$TETHER_PID" || rc=$?
TETHER_PID=
((rc < 2)) || { cat "$OUT/reload.err" >&2; die "tether exited with status $rc"; }

# ---- the engine alone: reloadtime --------------------------------------------

for _ in $(seq 300); do
  (($(fd_count "$PONGD_PID") <= PONGD_FDS)) && break
  sleep 0.1
done
sleep 1
say "reloadtime: the engine alone on the same files"
"${CLIENT_PIN[@]}" "$BIN/reloadtime" 5 "${FILES[@]}" >"$OUT/reload-time.txt" \
  2>"$OUT/reload-time.err" &
RT_PID=$!
rt_rc=0
wait "$RT_PID" || rt_rc=$?
RT_PID=
((rt_rc == 0)) || say "reloadtime: status $rt_rc: $(cat "$OUT/reload-time.err")"
stop_all

# ---- analysis ----------------------------------------------------------------

# One pass over the events. Window 0 is the reference (no reload), windows
# 1.. the cases; each is [SIGHUP, SIGHUP + WINDOW s), then one second of
# send times for the spread. Times are seconds since the epoch (tether's
# RFC 3339 UTC stamps converted here, no mktime: any POSIX awk).
LATE=$OUT/reload.late
FIGURES=$(awk -v sent="${SENT[*]}" -v win="$WINDOW" -v iv_ms="$INTERVAL_MS" \
  -v late_file="$LATE" '
'"$AWK_EVENTS"'
  # The window (0..nw-1) whose reload a record at t belongs to: the last
  # one begun by then.
  function case_of(t,   w) {
    for (w = nw - 1; w >= 0; w--) if (t >= s[w]) return w
    return -1
  }
  BEGIN {
    nw = split(sent, s, " "); for (w = 0; w < nw; w++) s[w] = s[w + 1]
    iv = iv_ms / 1000
  }
  {
    ev = str("event"); t = epoch(str("ts")); cw = case_of(t)
    if (ev == "heartbeat") {
      # Gaps: every gap that overlaps a window counts for it (a stall that
      # begins in it is counted whole).
      if (last > 0)
        for (w = 0; w < nw; w++)
          if (last < s[w] + win && t > s[w] && t - last > gap[w]) gap[w] = t - last
      last = t
      if (str("class") != "ok") {
        if (cw >= 0 && t < s[cw] + win) failed[cw]++
        next
      }
      name = str("target"); snd = t - num("rtt_us") / 1e6
      # Each staying target'"'"'s wait from its previous ping, beyond one
      # interval, for the pings whose wait overlaps a window (a target
      # with no ping before, a new one, is not measured).
      if (name in prev) {
        p = prev[name]
        for (w = 0; w < nw; w++)
          if (p < s[w] + win && snd > s[w])
            printf "%d %d %.3f\n", w, (w == 2 && name ~ /^t[0-9]+0$/), (snd - p - iv) * 1000 > late_file
      }
      prev[name] = snd
      # Spread: the second after each window, in 1 ms slots; its RTTs.
      for (w = 0; w < nw; w++)
        if (snd >= s[w] + win && snd < s[w] + win + 1) {
          slot[w, int((snd - s[w] - win) * 1000)]++; sends[w]++
          printf "%d 9 %d\n", w, num("rtt_us") > late_file
        }
    } else if (ev == "reload") {
      if (cw >= 1 && !(cw in reload_at)) {
        reload_at[cw] = t
        if ($0 !~ /"ok":true/) bad_reload[cw] = 1
      }
    } else if (ev == "added" || ev == "removed") {
      if (cw >= 1) { if (!(cw in first_change)) first_change[cw] = t; changes[cw, ev]++ }
    } else if (ev == "dropped") {
      if (cw >= 0) dropped[cw] += num("count")
    } else if (ev == "summary") {
      skipped += num("skipped")
    }
  }
  END {
    close(late_file)
    for (w = 0; w < nw; w++) {
      printf "w%d_gap_ms %.2f\n", w, gap[w] * 1000
      printf "w%d_failed %d\nw%d_dropped %d\n", w, failed[w], w, dropped[w]
      printf "w%d_added %d\nw%d_removed %d\n", w, changes[w, "added"], w, changes[w, "removed"]
      max = 0; for (b = 0; b < 1000; b++) if (slot[w, b] > max) max = slot[w, b]
      printf "w%d_spread_max %d\nw%d_spread_mean %.2f\n", w, max, w, sends[w] / 1000
      if (w in reload_at) {
        printf "w%d_reload_s %.3f\n", w, reload_at[w] - s[w]
        if (w in first_change) printf "w%d_apply_ms %.1f\n", w, (reload_at[w] - first_change[w]) * 1000
        if (w in bad_reload) printf "w%d_bad 1\n", w
      } else if (w > 0)
        printf "w%d_reload_s lost\n", w
    }
    printf "skipped %d\n", skipped
  }' "$LOG")
fig() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' <<<"$FIGURES"; }

# Nearest-rank percentiles of column 3 of the lines of $LATE whose first
# two columns are $1 and $2: "p50 p99 max count".
pct() {
  awk -v w="$1" -v k="$2" '$1 == w && $2 == k { print $3 }' "$LATE" | sort -g |
    awk '{ v[NR] = $1 }
      function r(q,   i) { i = int(q * NR); if (i < q * NR) i++; if (i < 1) i = 1; return v[i] }
      END { if (NR) printf "%s %s %s %d\n", r(0.5), r(0.99), v[NR], NR; else print "- - - 0" }'
}

# ---- report ------------------------------------------------------------------

report() {
  local w c p rp lab rtt99 ref_gap line
  echo "machine: $MACHINE"
  echo "run: $TOTAL targets ($N changing + $W witnesses; redis preset, interval 1s, timeout 500ms) on $PORTS pongd ports, $PINNING; $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cases: a nothing changed; b $((N / 10)) targets' timeout changed (restart);" \
       "c $((N / 10)) removed, $((N / 10)) added; d all $N replaced ($W witnesses stay)"
  echo "windows: ${WINDOW} s from the SIGHUP (the reference: the same, ${SPACING} s before the first, no reload); spread: the second after"
  echo
  printf '%-5s %8s %8s %8s %7s   %-26s %-24s %6s %7s %9s %8s\n' \
    case reload_s apply_ms gap_ms gap/ref "wait-1s ms p50/p99/max" "restarted p50/p99/max" \
    failed dropped "1ms slot" "p99 rtt"
  ref_gap=$(fig w0_gap_ms)
  w=0
  for c in ref $CASES; do
    p=$(pct "$w" 0)
    rp=$(pct "$w" 1)
    read -r _ rtt99 _ _ < <(pct "$w" 9)
    lab=$(awk -v a="$(fig "w${w}_gap_ms")" -v b="$ref_gap" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')
    printf '%-5s %8s %8s %8s %7s   %-26s %-24s %6s %7s %9s %8s\n' "$c" \
      "$(fig "w${w}_reload_s")" "$(fig "w${w}_apply_ms")" \
      "$(fig "w${w}_gap_ms")" "$lab" \
      "$(awk '{ printf "%s/%s/%s", $1, $2, $3 }' <<<"$p")" \
      "$( [ "$c" = b ] && awk '{ printf "%s/%s/%s", $1, $2, $3 }' <<<"$rp" || echo -)" \
      "$(fig "w${w}_failed")" "$(fig "w${w}_dropped")" \
      "$(fig "w${w}_spread_max")/$(fig "w${w}_spread_mean")" "${rtt99}us"
    w=$((w + 1))
  done
  echo
  echo "reload_s: SIGHUP to the reload event (the file read in the thread pool, then applied;"
  echo "lost: the event was dropped); apply_ms: the first added/removed event to the reload event;"
  echo "gap_ms: the longest time between two heartbeat events (any target) that overlaps the window,"
  echo "and against the reference's; wait-1s: for each target that stays (restarted: b's changed"
  echo "ones), the time from a ping to its next beyond one interval, for the waits overlapping the"
  echo "window (send time: ts - rtt_us); 1ms slot: the largest count of sends in one 1 ms slot of"
  echo "the second after the window / the mean; p99 rtt: of those sends."
  echo "skipped slots in all (summaries, the removed targets' and the final ones): $(fig skipped)"
  if [ -s "$OUT/reload-time.txt" ]; then
    echo
    echo "the engine alone (bench/reloadtime, same files, ms; gap: longest between two heartbeats"
    echo "from 0.5 s before the reload to 1.5 s after it, ref: the 2 s before that):"
    printf '%-5s %7s %7s %7s %9s %9s %7s %8s %9s %8s %8s %10s %6s\n' case load reload free after stall cpu gap ref_gap "gap/ref" "1ms slot" "ref slot" up_s
    local i=0
    while read -r line; do
      c=$(echo "$CASES" | awk -v i="$i" '{ print $(i + 1) }')
      # shellcheck disable=SC2086
      awk -v c="$c" '{
        for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        printf "%-5s %7s %7s %7s %9s %9s %7s %8s %9s %7.2fx %8s %10s %6s\n", c, f["load_ms"], f["reload_ms"],
          f["free_ms"], f["after_ms"], f["stall_ms"], f["cpu_ms"], f["gap_ms"], f["ref_gap_ms"],
          (f["ref_gap_ms"] > 0 ? f["gap_ms"] / f["ref_gap_ms"] : 0),
          f["spread_max"] "/" f["spread_mean"], f["ref_spread_max"], f["up_s"] }' <<<"$line"
      i=$((i + 1))
    done <"$OUT/reload-time.txt"
    echo "(load: the file parsed, off the loop in tether; reload: tt_engine_reload(); free: the old"
    echo "config freed; after: the loop's work that follows, up to its next wait; stall: all three;"
    echo "cpu: the loop thread's CPU time over the stall, what other tenants of the CPU do not add to)"
  fi
}

report | tee "$OUT/reload.txt"
rm -f "$LATE"
[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$LOG"
say "results in ${OUT#"$ROOT"/}/reload.txt"

#!/usr/bin/env bash
# reconnect.sh - the mass-reconnect case: tether watches N persistent
# loopback targets on one pong server, which is killed mid-run (every
# connection reset, the port refusing) and started again on the same port
# a few seconds later. See README.md.
#
#   bench/reconnect.sh [DURATION_S]      (default 30 seconds of tether)
#
# From tether's JSON events it prints, after recovery: the spread of the
# pings' send times over 50 ms slots (the largest slot against the mean),
# the RTT p99 next to the reference pinger's (refping against the same
# server, for the same length, after tether), and the time from the
# server's restart to every target up; also the reconnect events, the
# failed heartbeats while the server was away, and the skipped slots. Each
# aim gets a verdict line; the exit status says only whether the benchmark
# itself ran. Everything talks to 127.0.0.1 only and every process stops
# by itself.
#
# Environment (all optional):
#   BENCH_TARGETS=10000     the number of targets (N)
#   BENCH_SETTLE=8          seconds from tether's start to the kill
#   BENCH_DOWN=4            seconds the server stays away
#   BENCH_BUILD=DIR         tether's build directory (default build-bench/)
#   BENCH_TETHER=FILE       measure this tether binary instead of building one
#   BENCH_PIN=0             do not pin the server and the pingers to CPUs
#   BENCH_KEEP=1            keep tether's event log (out/reconnect.jsonl)
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
. "$BENCH/lib.sh"
DURATION=${1:-30}
N=${BENCH_TARGETS:-10000}
SETTLE=${BENCH_SETTLE:-8}
DOWN=${BENCH_DOWN:-4}
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
OUT=$BENCH/out
BIN=$OUT/bin
INTERVAL_MS=1000
SLOT_MS=50
MIN_WINDOW=5 # intervals

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

for v in "$DURATION" "$N" "$SETTLE" "$DOWN"; do
  case $v in
    '' | *[!0-9]*) die "usage: bench/reconnect.sh [DURATION_S]; DURATION_S," \
      "BENCH_TARGETS, BENCH_SETTLE and BENCH_DOWN are whole numbers" ;;
  esac
done
((N >= 1)) || die "BENCH_TARGETS must be at least 1"
((SETTLE >= 3)) || die "BENCH_SETTLE must be at least 3 (every target up first)"
((DOWN >= 2)) || die "BENCH_DOWN must be at least 2 (every target down first)"
# After the restart: at most an interval + 1 s to recover, an interval
# before the window, the window, and a second of margin at the end.
need=$((SETTLE + DOWN + 2 + 1 + MIN_WINDOW + 1))
((DURATION >= need)) ||
  die "DURATION_S must be at least $need (settle $SETTLE s, down $DOWN s, then recovery and a window of $MIN_WINDOW intervals)"
for tool in cc cmake pkg-config awk sort date; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
pkg-config --exists libuv || die "libuv's pkg-config file is missing (libuv1-dev)"

mkdir -p "$OUT" "$BIN"

# ---- build -----------------------------------------------------------------

bench_build_tether

say "building pongd and refping in ${BIN#"$ROOT"/}/"
bench_build_pongd
# shellcheck disable=SC2086
cc -std=c11 -O3 -Wall -Wextra -o "$BIN/refping" "$BENCH/refping.c" $UV_FLAGS

# ---- limits ----------------------------------------------------------------

# tether (later refping) holds a descriptor per target, and so does pongd.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
ulimit -n "$hard" 2>/dev/null || true
nofile=$(ulimit -n)
read -r port_lo port_hi </proc/sys/net/ipv4/ip_local_port_range || {
  port_lo=32768 port_hi=60999
}
ports=$((port_hi - port_lo + 1))
if ((nofile < N + 1024)); then
  say "skipping N=$N: it needs $((N + 1024)) open files per process and" \
      "the hard limit allows $nofile (raise it: ulimit -Hn, limits.conf)"
  exit 0
elif ((ports < N + 1024)); then
  say "skipping N=$N: only $ports local ports ($port_lo-$port_hi)"
  exit 0
fi
say "open files: soft limit raised to $nofile; N=$N targets"

# ---- machine ---------------------------------------------------------------

bench_machine "libuv $(pkg-config --modversion libuv)"

bench_pin "pongd on CPU 1, tether and refping on CPU 0"

# ---- processes ---------------------------------------------------------------

PONGD_PID='' TETHER_PID=''
stop_all() {
  local pid
  for pid in $TETHER_PID $PONGD_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  TETHER_PID='' PONGD_PID=''
}
trap stop_all EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }

# Starts pongd (resetting every connection it closes, a kill too) and waits
# until it listens: it prints its port only then. Sets PONGD_PID, PORT and
# LISTEN_AT (the time the port line was seen, polled every 10 ms).
LIFETIME=$((2 * DURATION + 120))
start_pongd() { # [PORT]
  local fixed=() file=$OUT/reconnect-pongd.port
  [ -n "${1:-}" ] && fixed=(-p "$1")
  : >"$file"
  "${SERVER_PIN[@]}" "$BIN/pongd" -r "${fixed[@]}" 1 "$LIFETIME" >"$file" \
    2>>"$OUT/reconnect-pongd.log" &
  PONGD_PID=$!
  for _ in $(seq 500); do
    [ -s "$file" ] && break
    kill -0 "$PONGD_PID" 2>/dev/null ||
      die "pongd did not start: $(cat "$OUT/reconnect-pongd.log")"
    sleep 0.01
  done
  LISTEN_AT=$(now)
  read -r PORT <"$file" || PORT=
  [ -n "$PORT" ] || die "pongd did not report its port"
}

fd_count() { # pid
  local fds=("/proc/$1/fd/"*)
  echo "${#fds[@]}"
}

: >"$OUT/reconnect-pongd.log"
start_pongd
sleep 0.2
PONGD_FDS=$(fd_count "$PONGD_PID")
say "pongd listening on 127.0.0.1:$PORT ($PINNING)"

CFG=$OUT/reconnect.yaml LOG=$OUT/reconnect.jsonl RTTS=$OUT/reconnect.rtt
awk -v n="$N" -v port="$PORT" 'BEGIN {
  print "# generated by bench/reconnect.sh: persistent redis-style targets on pongd"
  print "defaults:"
  print "  interval: 1s"
  print "  timeout: 500ms"
  print "targets:"
  for (i = 1; i <= n; i++)
    printf "  - name: t%05d\n    address: 127.0.0.1:%d\n    preset: redis\n", i, port
}' >"$CFG"

# ---- the run -----------------------------------------------------------------

say "tether, N=$N, ${DURATION}s: pongd killed at ${SETTLE}s, back $DOWN s later"
T0=$(now)
"${CLIENT_PIN[@]}" "$TETHER" --json -d "${DURATION}s" "$CFG" >"$LOG" \
  2>"$OUT/reconnect.err" &
TETHER_PID=$!

sleep "$SETTLE"
kill -0 "$TETHER_PID" 2>/dev/null || die "tether ended early: $(cat "$OUT/reconnect.err")"
KILL_AT=$(now)
kill -KILL "$PONGD_PID"
wait "$PONGD_PID" 2>/dev/null || true
PONGD_PID=''
sleep "$(awk -v k="$KILL_AT" -v t="$(now)" -v d="$DOWN" \
  'BEGIN { s = k + d - t; printf "%.3f\n", (s > 0 ? s : 0) }')"
OLD_PORT=$PORT
start_pongd "$OLD_PORT"
[ "$PORT" = "$OLD_PORT" ] || die "pongd came back on $PORT, not $OLD_PORT"
say "pongd killed, back on 127.0.0.1:$PORT after" \
    "$(awk -v a="$KILL_AT" -v b="$LISTEN_AT" 'BEGIN { printf "%.2f", b - a }') s"

rc=0
wait "$TETHER_PID" || rc=$?
TETHER_PID=
if ((rc >= 2)); then
  cat "$OUT/reconnect.err" >&2
  die "tether exited with status $rc"
fi
((rc == 0)) || say "note: tether says some targets were not up at exit"

# The reference, after tether and never beside it, against the same
# (restarted) pongd, for the same length.
for _ in $(seq 300); do
  (($(fd_count "$PONGD_PID") <= PONGD_FDS)) && break
  sleep 0.1
done
sleep 1
say "reference, N=$N, ${DURATION}s"
"${CLIENT_PIN[@]}" "$BIN/refping" -p "$PORT" -n "$N" -d "$DURATION" \
  -i "$INTERVAL_MS" >"$OUT/reconnect-ref.txt" ||
  die "refping failed: $(cat "$OUT/reconnect-ref.txt")"
stop_all

# ---- analysis ----------------------------------------------------------------

ref_field() { # key
  tr ' ' '\n' <"$OUT/reconnect-ref.txt" |
    awk -F= -v k="$1" '$1 == k { v = $2 } END { print v }'
}
REF_P99=$(ref_field p99_us)
REF_CONNECTED=$(ref_field connected)
((REF_CONNECTED == N)) || say "warning: the reference connected $REF_CONNECTED of $N"

# Two passes over the events. The first follows every target's state to
# find when all are up again after the restart, and counts reconnects,
# failures and skipped slots; the second buckets the send times (ts -
# rtt_us of ok heartbeats) of the window into slots and writes its RTTs.
# Times are seconds since the epoch: tether's RFC 3339 UTC stamps are
# converted here (no mktime: any POSIX awk).
: >"$RTTS"
FIGURES=$(awk -v n="$N" -v interval="$INTERVAL_MS" -v slot_ms="$SLOT_MS" \
  -v min_window="$MIN_WINDOW" -v t0="$T0" -v kill_at="$KILL_AT" \
  -v listen_at="$LISTEN_AT" -v rtts="$RTTS" '
'"$AWK_EVENTS"'
  # Largest and mean 50 ms slot of the sends in [from, from + k intervals).
  function spread(name, from, k,   b, nb, max, tot, empty) {
    nb = k * iv / sl
    for (b = 0; b < nb; b++) { tot += slots[name, b]; if (slots[name, b] > max) max = slots[name, b] }
    printf "%s_from %.6f\n%s_intervals %d\n%s_sends %d\n%s_max %d\n%s_mean %.1f\n",
      name, from, name, k, name, tot, name, max, name, tot / nb
    for (b = 0; b < nb; b++) if (slots[name, b] == 0) empty++
    printf "%s_empty %d\n", name, empty + 0
  }
  BEGIN { iv = interval / 1000; sl = slot_ms / 1000; notup = n; recovered = -1; up0 = -1 }
  # ---- first pass
  FNR == NR {
    ev = str("event"); t = epoch(str("ts"))
    if (ev == "heartbeat") {
      if (str("class") == "ok") {
        s = t - num("rtt_us") / 1e6
        if (s > last_send) last_send = s
      } else if (t < kill_at) fail_before++
      else if (t < listen_at) { fail_away++; away[str("class")]++ }
      else fail_after++
    } else if (ev == "state") {
      tg = str("target"); to = str("to")
      if (state[tg] == "up") notup++
      if (to == "up") notup--
      state[tg] = to
      if (t >= kill_at && to != "up") { if (!first_down) first_down = t; last_down = t }
      if (notup == 0 && t < kill_at && up0 < 0) up0 = t
      if (notup == 0 && t >= listen_at) recovered = t
    } else if (ev == "reconnect") {
      reconnects++; rc_class[str("class")]++
      if (!first_rc) first_rc = t; last_rc = t
    } else if (ev == "summary") {
      summaries++; skipped += num("skipped"); sum_rc += num("reconnects")
      if (str("state") != "up") not_up_exit++
    } else if (ev == "dropped") dropped += num("count")
    next
  }
  # ---- between the passes: the windows
  FNR == 1 {
    if (recovered >= 0) {
      w0 = recovered + iv
      k = int((last_send - w0) / iv)
    }
    if (up0 >= 0) {
      b0 = up0 + iv
      kb = int((kill_at - iv - b0) / iv)
    }
  }
  # ---- second pass
  /"event" *: *"state"/ {
    if (recovered >= 0 && epoch(str("ts")) > recovered) changes_after++
    next
  }
  /"event" *: *"heartbeat"/ && !/"class" *: *"ok"/ {
    t = epoch(str("ts"))
    if (k >= min_window && t >= w0 && t < w0 + k * iv) fail_window++
    next
  }
  /"event" *: *"heartbeat"/ && /"class" *: *"ok"/ {
    s = epoch(str("ts")) - num("rtt_us") / 1e6
    if (k >= min_window && s >= w0 && s < w0 + k * iv) {
      slots["after", int((s - w0) / sl)]++
      print num("rtt_us") > rtts
    }
    if (kb >= 1 && s >= b0 && s < b0 + kb * iv) slots["before", int((s - b0) / sl)]++
    if (s >= listen_at && s < listen_at + iv) slots["restart", int((s - listen_at) / sl)]++
  }
  END {
    close(rtts)
    printf "t0 %.6f\nkill_at %.6f\nlisten_at %.6f\n", t0, kill_at, listen_at
    printf "up0 %.6f\nrecovered %.6f\nnot_up_after %d\n", up0, recovered, notup
    printf "first_down %.6f\nlast_down %.6f\nchanges_after %d\n", first_down, last_down, changes_after + 0
    printf "reconnects %d\nreconnects_eof %d\nreconnects_reset %d\n", reconnects, rc_class["eof"], rc_class["reset"]
    printf "first_rc %.6f\nlast_rc %.6f\nsum_reconnects %d\n", first_rc, last_rc, sum_rc
    printf "fail_before %d\nfail_away %d\nfail_after %d\n", fail_before, fail_away, fail_after
    line = ""
    for (c in away) line = line sprintf(" %s=%d", c, away[c])
    printf "away_classes%s\n", line == "" ? " none" : line
    printf "summaries %d\nskipped %d\nnot_up_exit %d\ndropped %d\n", summaries, skipped, not_up_exit, dropped
    printf "fail_window %d\n", fail_window
    if (k >= min_window) spread("after", w0, k)
    else printf "after_intervals %d\n", k + 0
    if (kb >= 1) spread("before", b0, kb)
    spread("restart", listen_at, 1)
  }' "$LOG" "$LOG")
fig() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' <<<"$FIGURES"; }

P99=$(sort -n "$RTTS" | awk '
  { v[NR] = $1 }
  END { r = int(0.99 * NR); if (r < 0.99 * NR) r++; if (r < 1) r = 1; print NR ? v[r] : "" }')
P50=$(sort -n "$RTTS" | awk '{ v[NR] = $1 } END { r = int(0.5 * NR); if (r < 0.5 * NR) r++; if (r < 1) r = 1; print NR ? v[r] : "" }')
rm -f "$RTTS"
[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$LOG"

# ---- report ------------------------------------------------------------------

report() {
  local iv_s
  iv_s=$(awk -v i="$INTERVAL_MS" 'BEGIN { print i / 1000 }')
  rel() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
  echo "machine: $MACHINE"
  echo "run: N=$N persistent targets (redis preset, interval 1s, timeout 500ms) on one pongd port, tether ${DURATION}s, $PINNING; $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "times in s from tether's start: all up $(rel "$(fig up0)" "$T0")," \
       "pongd killed $(rel "$KILL_AT" "$T0"), listening again $(rel "$LISTEN_AT" "$T0")"
  echo
  if [ "$(fig recovered)" = "-1.000000" ]; then
    echo "recovery: $(fig not_up_after) of $N targets were never all up again after the restart"
  else
    echo "recovery: every target up $(rel "$(fig recovered)" "$LISTEN_AT") s after pongd listened again" \
         "(state changes after that: $(fig changes_after))"
  fi
  echo "down: first target down $(rel "$(fig first_down)" "$KILL_AT") s after the kill, last $(rel "$(fig last_down)" "$KILL_AT") s"
  echo "reconnect events: $(fig reconnects) (eof $(fig reconnects_eof), reset $(fig reconnects_reset);" \
       "$(rel "$(fig first_rc)" "$KILL_AT")..$(rel "$(fig last_rc)" "$KILL_AT") s after the kill); summaries' reconnects: $(fig sum_reconnects)"
  echo "failed heartbeats: $(fig fail_away) while pongd was away ($(fig away_classes);" \
       "about $N per interval expected), $(fig fail_before) before, $(fig fail_after) after it listened again"
  echo "skipped slots (summaries): $(fig skipped); dropped events: $(fig dropped); targets not up at exit: $(fig not_up_exit)"
  local b
  for b in before restart after; do
    [ -n "$(fig "${b}_max")" ] || continue
    echo "send times $b: $(fig "${b}_sends") pings over $(fig "${b}_intervals") interval(s) from" \
         "$(rel "$(fig "${b}_from")" "$T0") s: largest ${SLOT_MS} ms slot $(fig "${b}_max")," \
         "mean $(fig "${b}_mean"), empty slots $(fig "${b}_empty") of $(($(fig "${b}_intervals") * INTERVAL_MS / SLOT_MS))"
  done
  echo "RTT after recovery: p50 ${P50:-?} us, p99 ${P99:-?} us (failed heartbeats in that window: $(fig fail_window));" \
       "reference (refping, ${DURATION}s): p50 $(ref_field p50_us) us, p99 $REF_P99 us"
  echo
  awk -v max="$(fig after_max)" -v mean="$(fig after_mean)" -v k="$(fig after_intervals)" \
      -v p99="$P99" -v ref="$REF_P99" -v rec="$(fig recovered)" -v listen="$LISTEN_AT" \
      -v iv="$iv_s" -v minw="$MIN_WINDOW" 'BEGIN {
    if (max != "" && mean > 0) {
      r = max / mean
      printf "aim: send-time spread after recovery, largest %d ms slot <= 2x the mean: %.2fx %s\n",
        '"$SLOT_MS"', r, r <= 2 ? "met" : "not met"
    } else
      printf "aim: send-time spread after recovery: not measured (a window of %d intervals after recovery: %d)\n", minw, k
    if (p99 != "" && ref > 0) {
      r = p99 / ref
      printf "aim: RTT p99 after recovery <= 1.5x the reference: %d us / %d us = %.2fx %s\n",
        p99, ref, r, r <= 1.5 ? "met" : "not met"
    } else
      print "aim: RTT p99 after recovery: not measured"
    if (rec + 0 > 0) {
      d = rec - listen
      printf "aim: every target up within one interval + 1 s (%.1f s) of the restart: %.2f s %s\n",
        iv + 1, d, d <= iv + 1 ? "met" : "not met"
    } else
      printf "aim: every target up within one interval + 1 s of the restart: not met (never all up)\n"
  }'
}

report | tee "$OUT/reconnect.txt"
say "results in ${OUT#"$ROOT"/}/reconnect.txt"

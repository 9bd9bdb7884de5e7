#!/usr/bin/env bash
# run.sh - tether's heartbeat benchmark against a minimal reference pinger,
# with N persistent loopback targets, on one pong server. See README.md.
#
#   bench/run.sh [DURATION_S]      (default 20 seconds per run)
#
# Builds tether (Release) and the helpers (pongd, refping, rusage), starts
# pongd, then for each N runs the reference and tether one after the other
# (never at once) against it, each for DURATION_S, and prints per tool and
# N: heartbeats, CPU seconds (user+sys) per 1 000 heartbeats, RSS per target,
# RTT p50/p99, and the ratios tether/reference. The machine is shared and
# noisy, so the pairs run in several rounds, alternating which tool goes
# first, and the figures are medians over the rounds. Everything talks to
# 127.0.0.1 only and every process stops by itself.
#
# Environment (all optional):
#   BENCH_ROUNDS=3          rounds of reference+tether runs per N
#   BENCH_NS="1000 10000"   the target counts to measure
#   BENCH_BASE_N=10         the small N each tool's fixed memory is taken from
#   BENCH_BUILD=DIR         tether's build directory (default build-bench/)
#   BENCH_TETHER=FILE       measure this tether binary instead of building one
#                           (to compare a change: build it elsewhere first)
#   BENCH_PIN=0             do not pin the server and the pingers to CPUs
#   BENCH_KEEP=1            keep tether's event logs (they are large)
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
. "$BENCH/lib.sh"
DURATION=${1:-20}
NS=${BENCH_NS:-"1000 10000"}
ROUNDS=${BENCH_ROUNDS:-3}
BASE_N=${BENCH_BASE_N:-10}
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
OUT=$BENCH/out
BIN=$OUT/bin
INTERVAL_MS=1000

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

case $DURATION in
  '' | *[!0-9]*) die "usage: bench/run.sh [DURATION_S] (whole seconds)" ;;
esac
((DURATION >= 3)) || die "DURATION_S must be at least 3 (the first second ramps up)"
case $ROUNDS in '' | *[!0-9]* | 0) die "BENCH_ROUNDS must be a positive number" ;; esac
for n in $NS; do
  case $n in '' | *[!0-9]*) die "BENCH_NS: '$n' is not a number" ;; esac
  ((n > BASE_N)) || die "BENCH_NS: every N must be larger than BENCH_BASE_N ($BASE_N)"
done
for tool in cc cmake pkg-config awk sort; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
pkg-config --exists libuv || die "libuv's pkg-config file is missing (libuv1-dev)"

mkdir -p "$OUT" "$BIN"

# ---- build -----------------------------------------------------------------

bench_build_tether

say "building pongd, refping and rusage in ${BIN#"$ROOT"/}/"
bench_build_pongd
# shellcheck disable=SC2086
cc -std=c11 -O3 -Wall -Wextra -o "$BIN/refping" "$BENCH/refping.c" $UV_FLAGS
cc -std=c11 -O3 -Wall -Wextra -o "$BIN/rusage" "$BENCH/rusage.c"

# ---- limits ----------------------------------------------------------------

# Each process holds one descriptor per connection: a pinger N of them and
# pongd N more, never two pingers at once. So each needs N plus a margin.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
ulimit -n "$hard" 2>/dev/null || true
nofile=$(ulimit -n)
say "open files: soft limit raised to $nofile (the hard limit is $(ulimit -Hn))"
read -r port_lo port_hi </proc/sys/net/ipv4/ip_local_port_range || {
  port_lo=32768 port_hi=60999
}
ports=$((port_hi - port_lo + 1))

RUN_NS=()
for n in $NS; do
  if ((nofile < n + 1024)); then
    say "skipping N=$n: it needs $((n + 1024)) open files per process and" \
        "the hard limit allows $nofile (raise it: ulimit -Hn, limits.conf)"
  elif ((ports < n + 1024)); then
    say "skipping N=$n: only $ports local ports ($port_lo-$port_hi)"
  else
    RUN_NS+=("$n")
  fi
done
((${#RUN_NS[@]})) || die "nothing left to measure"

# ---- machine ---------------------------------------------------------------

bench_machine "libuv $(pkg-config --modversion libuv)"

bench_pin "pongd on CPU 1, the pinger under test on CPU 0"

# ---- the pong server -------------------------------------------------------

PONGD_PID=
stop_pongd() {
  if [ -n "$PONGD_PID" ]; then
    kill "$PONGD_PID" 2>/dev/null || true
    wait "$PONGD_PID" 2>/dev/null || true
    PONGD_PID=
  fi
}
trap stop_pongd EXIT
trap 'exit 130' INT TERM

nruns=$((2 + 2 * ROUNDS * ${#RUN_NS[@]}))
lifetime=$((nruns * (DURATION + 40) + 120))
say "$nruns runs of ${DURATION}s: about $(((nruns * (DURATION + 3) + 59) / 60)) minutes"

: >"$OUT/pongd.port"
"${SERVER_PIN[@]}" "$BIN/pongd" 1 "$lifetime" >"$OUT/pongd.port" \
  2>"$OUT/pongd.log" &
PONGD_PID=$!
for _ in $(seq 50); do
  [ -s "$OUT/pongd.port" ] && break
  kill -0 "$PONGD_PID" 2>/dev/null || die "pongd did not start: $(cat "$OUT/pongd.log")"
  sleep 0.1
done
read -r PORT <"$OUT/pongd.port" || PORT=
[ -n "$PORT" ] || die "pongd did not report its port"
sleep 0.2
fd_count() { # pid
  local fds=("/proc/$1/fd/"*)
  echo "${#fds[@]}"
}
PONGD_FDS=$(fd_count "$PONGD_PID")
say "pongd listening on 127.0.0.1:$PORT ($PINNING)"

# Waits until pongd has closed every connection of the previous run, so
# that runs never overlap, then lets the machine settle a moment.
settle() {
  for _ in $(seq 300); do
    (($(fd_count "$PONGD_PID") <= PONGD_FDS)) && break
    sleep 0.1
  done
  sleep 1
}

# ---- runs ------------------------------------------------------------------

# rusage's line: user_s=.. sys_s=.. cpu_s=.. maxrss_kib=.. exit=..
field() { # file key
  tr ' ' '\n' <"$1" | awk -F= -v k="$2" '$1 == k { v = $2 } END { print v }'
}

# Results, one line per run: round tool n heartbeats cpu_s maxrss_kib p50
# p99 lost ivcsw (round 0 is the base N, run once; ivcsw, how often the
# tool was preempted, tells a noisy run).
RESULTS=$OUT/results.tsv
printf 'round\ttool\tn\theartbeats\tcpu_s\tmaxrss_kib\tp50_us\tp99_us\tlost\tivcsw\n' \
  >"$RESULTS"
ROUND=0

run_reference() { # n
  local n=$1 ru=$OUT/ref-$1.rusage txt=$OUT/ref-$1.txt
  say "round $ROUND: reference, N=$n, ${DURATION}s"
  settle
  rm -f "$ru"
  "${CLIENT_PIN[@]}" "$BIN/rusage" -o "$ru" "$BIN/refping" -p "$PORT" \
    -n "$n" -d "$DURATION" -i "$INTERVAL_MS" >"$txt" ||
    die "refping failed: $(cat "$txt" "$ru" 2>/dev/null)"
  local hb p50 p99 lost connected
  hb=$(field "$txt" heartbeats)
  p50=$(field "$txt" p50_us)
  p99=$(field "$txt" p99_us)
  lost=$(($(field "$txt" lost) + $(field "$txt" bad)))
  connected=$(field "$txt" connected)
  ((connected == n)) || say "warning: the reference connected $connected of $n"
  printf '%s\treference\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ROUND" "$n" "$hb" \
    "$(field "$ru" cpu_s)" "$(field "$ru" maxrss_kib)" "$p50" "$p99" "$lost" \
    "$(field "$ru" ivcsw)" >>"$RESULTS"
}

write_config() { # n file
  awk -v n="$1" -v port="$PORT" 'BEGIN {
    print "# generated by bench/run.sh: persistent redis-style targets on pongd"
    print "defaults:"
    print "  interval: 1s"
    print "  timeout: 500ms"
    print "targets:"
    for (i = 1; i <= n; i++) {
      printf "  - name: t%05d\n    address: 127.0.0.1:%d\n    preset: redis\n", i, port
    }
  }' >"$2"
}

# Nearest-rank percentiles of the numbers in a file: "p50 p99".
percentiles() { # file
  sort -n "$1" | awk '
    { v[NR] = $1 }
    function rank(q,   r) { r = int(q * NR / 100); if (r < q * NR / 100) r++; return r < 1 ? 1 : r }
    END { if (NR == 0) print 0, 0; else print v[rank(50)], v[rank(99)] }'
}

run_tether() { # n
  local n=$1 ru=$OUT/tether-$1.rusage cfg=$OUT/tether-$1.yaml
  local log=$OUT/tether-$1.jsonl rtts=$OUT/tether-$1.rtt rc=0
  write_config "$n" "$cfg"
  say "round $ROUND: tether, N=$n, ${DURATION}s"
  settle
  rm -f "$ru"
  "${CLIENT_PIN[@]}" "$BIN/rusage" -o "$ru" "$TETHER" --json -d "${DURATION}s" \
    "$cfg" >"$log" 2>"$OUT/tether-$1.err" || rc=$?
  if ((rc >= 2)); then
    cat "$OUT/tether-$1.err" >&2
    die "tether exited with status $rc"
  fi
  ((rc == 0)) || say "warning: tether says some targets were not up at exit"
  # Every heartbeat event is one heartbeat; the ok ones carry rtt_us.
  local counts hb ok p50 p99
  counts=$(awk -v rtts="$rtts" '
    /"event" *: *"heartbeat"/ {
      hb++
      if (match($0, /"rtt_us" *: *[0-9]+/)) {
        s = substr($0, RSTART, RLENGTH); sub(/.*: */, "", s); print s > rtts; ok++
      }
      next
    }
    END { close(rtts); print hb + 0, ok + 0 }' "$log")
  read -r hb ok <<<"$counts"
  [ -e "$rtts" ] || : >"$rtts"
  read -r p50 p99 <<<"$(percentiles "$rtts")"
  rm -f "$rtts"
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$log"
  printf '%s\ttether\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ROUND" "$n" "$hb" \
    "$(field "$ru" cpu_s)" "$(field "$ru" maxrss_kib)" "$p50" "$p99" \
    "$((hb - ok))" "$(field "$ru" ivcsw)" >>"$RESULTS"
}

run_reference "$BASE_N"
run_tether "$BASE_N"
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
  for n in "${RUN_NS[@]}"; do
    # Which tool goes first alternates, so that neither always runs on the
    # heels of the other.
    if ((ROUND % 2)); then
      run_reference "$n"
      run_tether "$n"
    else
      run_tether "$n"
      run_reference "$n"
    fi
  done
done
stop_pongd

# ---- report ----------------------------------------------------------------

report() {
  echo "machine: $MACHINE"
  echo "run: ${DURATION}s per tool, N and round, $ROUNDS rounds, interval ${INTERVAL_MS}ms, $PINNING; $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "figures: medians over the rounds (lost: the total); RSS/target = (max RSS at N - max RSS at N=$BASE_N) / (N - $BASE_N)"
  echo
  awk -F'\t' -v base="$BASE_N" -v rounds="$ROUNDS" '
    function median(a, k,   i, j, t, v) {
      for (i = 1; i <= k; i++) v[i] = a[i]
      for (i = 2; i <= k; i++)
        for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
    }
    function lowest(a, k,   i, m) { m = a[1]; for (i = 2; i <= k; i++) if (a[i] < m) m = a[i]; return m }
    function highest(a, k,   i, m) { m = a[1]; for (i = 2; i <= k; i++) if (a[i] > m) m = a[i]; return m }
    function per_k(cpu, hb) { return hb ? cpu * 1000 / hb : 0 }
    function verdict(x, aim) { return x <= aim ? "met" : sprintf("missed by %.2f", x - aim) }
    NR == 1 { next }
    {
      r = $1; k = $2 SUBSEP $3
      hb[k, r] = $4; cpu[k, r] = $5; rss[k, r] = $6; p50[k, r] = $7; p99[k, r] = $8
      lost[k] += $9
      if (r == 0) base_rss[$2] = $6
      else if (!(k in seen)) { seen[k] = 1; keys[++nkeys] = k }
    }
    END {
      fmt = "%-9s %6s %10s %8s %12s %8s %11s %7s %7s %5s\n"
      printf fmt, "tool", "N", "heartbeats", "CPU s", "CPU s/1k hb", "RSS MiB",
        "RSS/target", "p50 us", "p99 us", "lost"
      row = "%-9s %6d %10d %8.3f %12.5f %8.1f %11s %7d %7d %5d\n"
      for (t = 1; t <= 2; t++) {
        tool = t == 1 ? "reference" : "tether"; k = tool SUBSEP base
        printf row, tool, base, hb[k, 0], cpu[k, 0], per_k(cpu[k, 0], hb[k, 0]),
          rss[k, 0] / 1024, "(base)", p50[k, 0], p99[k, 0], lost[k]
      }
      for (i = 1; i <= nkeys; i++) {
        k = keys[i]; split(k, kk, SUBSEP); tool = kk[1]; n = kk[2]
        for (r = 1; r <= rounds; r++) {
          a_hb[r] = hb[k, r]; a_cpu[r] = cpu[k, r]; a_rss[r] = rss[k, r]
          a_cpk[r] = per_k(cpu[k, r], hb[k, r]); a_p50[r] = p50[k, r]; a_p99[r] = p99[k, r]
        }
        m_rss[k] = median(a_rss, rounds)
        per_target[k] = (m_rss[k] - base_rss[tool]) / (n - base)
        printf row, tool, n, median(a_hb, rounds), median(a_cpu, rounds),
          median(a_cpk, rounds), m_rss[k] / 1024, sprintf("%.2f KiB", per_target[k]),
          median(a_p50, rounds), median(a_p99, rounds), lost[k]
      }
      print ""
      printf "tether / reference, per round, then the median [lowest, highest]\n"
      printf "(aims: CPU/1k hb and p99 at most 1.25x; RSS/target at most 2 KiB more):\n"
      for (i = 1; i <= nkeys; i++) {
        split(keys[i], kk, SUBSEP)
        if (kk[1] != "tether") continue
        n = kk[2]; te = "tether" SUBSEP n; re = "reference" SUBSEP n
        for (r = 1; r <= rounds; r++) {
          c[r] = per_k(cpu[te, r], hb[te, r]) / per_k(cpu[re, r], hb[re, r])
          q[r] = p99[re, r] ? p99[te, r] / p99[re, r] : 0
          h[r] = p50[re, r] ? p50[te, r] / p50[re, r] : 0
        }
        line = ""
        for (r = 1; r <= rounds; r++) line = line sprintf(" %.2f", c[r])
        printf "  N=%-6d CPU/1k hb:%s  -> %.2fx [%.2f, %.2f] %s\n", n, line,
          median(c, rounds), lowest(c, rounds), highest(c, rounds), verdict(median(c, rounds), 1.25)
        line = ""
        for (r = 1; r <= rounds; r++) line = line sprintf(" %.2f", q[r])
        printf "  N=%-6d RTT p99:  %s  -> %.2fx [%.2f, %.2f] %s\n", n, line,
          median(q, rounds), lowest(q, rounds), highest(q, rounds), verdict(median(q, rounds), 1.25)
        line = ""
        for (r = 1; r <= rounds; r++) line = line sprintf(" %.2f", h[r])
        printf "  N=%-6d RTT p50:  %s  -> %.2fx [%.2f, %.2f]\n", n, line,
          median(h, rounds), lowest(h, rounds), highest(h, rounds)
        d = per_target[te] - per_target[re]
        printf "  N=%-6d RSS/target: %+.2f KiB %s\n", n, d, verdict(d, 2) (d > 2 ? " KiB" : "")
      }
    }' "$RESULTS"
}

report | tee "$OUT/results.txt"
say "results in ${OUT#"$ROOT"/}/results.txt and results.tsv"

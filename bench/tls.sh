#!/usr/bin/env bash
# tls.sh - what TLS costs tether, next to OpenSSL's own client: the CPU of
# one TLS handshake (tether's `tls` preset against `openssl s_time -new`,
# against the same nginx in the same run), and the memory a persistent TLS
# target holds beyond a plain one (the `https` preset against `http`, on
# the same nginx). See README.md.
#
#   bench/tls.sh [DURATION_S]      (default 10 seconds per run)
#
# Builds tether (Release) and rusage, makes a CA and a server certificate
# with the openssl command (EC P-256), starts one nginx on 127.0.0.1
# (TLS 1.3 only, X25519, TLS_AES_256_GCM_SHA384, no session tickets), then:
#   a. per round, s_time and tether one after the other (the order turns
#      every round), each for DURATION_S: CPU (user+sys, from wait4) per
#      handshake of each, and their ratio;
#   b. tether with BENCH_MEM_N persistent targets and with BENCH_MEM_BASE,
#      once https and once http: resident memory per TLS target beyond a
#      plain one.
# It prints the figures and asserts nothing: the machine is shared and
# noisy, read the ratios. Everything talks to 127.0.0.1 only, every
# process stops by itself (nginx too: it runs under `timeout`).
#
# Environment (all optional):
#   BENCH_ROUNDS=3          rounds of s_time + tether handshake runs (0: none)
#   BENCH_HS_TARGETS=100    connect-mode `tls` targets in the handshake runs
#   BENCH_HS_INTERVAL=200ms their interval (100 at 200ms: 500 handshakes/s)
#   BENCH_MEM_N=1000        persistent targets for the memory runs
#   BENCH_MEM_BASE=10       the small N whose memory is the fixed cost
#   BENCH_REUSE=0           skip the context runs on resumption (s_time only)
#   BENCH_BUILD=DIR         tether's build directory (default build-bench/)
#   BENCH_TETHER=FILE       measure this tether binary instead of building one
#   BENCH_PIN=0             do not pin nginx and the clients to CPUs
#   BENCH_KEEP=1            keep tether's event logs in out/tls/
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
. "$BENCH/lib.sh"
DURATION=${1:-10}
ROUNDS=${BENCH_ROUNDS:-3}
HS_TARGETS=${BENCH_HS_TARGETS:-100}
HS_INTERVAL=${BENCH_HS_INTERVAL:-200ms}
MEM_N=${BENCH_MEM_N:-1000}
MEM_BASE=${BENCH_MEM_BASE:-10}
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
OUT=$BENCH/out
BIN=$OUT/bin
WORK=$OUT/tls
SERVER_NAME=bench.internal

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

case $DURATION in
  '' | *[!0-9]*) die "usage: bench/tls.sh [DURATION_S] (whole seconds)" ;;
esac
((DURATION >= 5)) || die "DURATION_S must be at least 5 (the memory is read 2 s before the end)"
case $ROUNDS in '' | *[!0-9]*) die "BENCH_ROUNDS must be a number (0: no handshake runs)" ;; esac
for v in "$HS_TARGETS" "$MEM_N" "$MEM_BASE"; do
  case $v in
    '' | *[!0-9]* | 0) die "BENCH_HS_TARGETS, BENCH_MEM_N and BENCH_MEM_BASE are positive numbers" ;;
  esac
done
((MEM_N > MEM_BASE)) || die "BENCH_MEM_N must be larger than BENCH_MEM_BASE"
case $HS_INTERVAL in
  *[0-9]ms | *[0-9]s) ;;
  *) die "BENCH_HS_INTERVAL: '$HS_INTERVAL' is not a duration (200ms, 1s)" ;;
esac
for tool in cc cmake openssl nginx timeout awk sort; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done

mkdir -p "$OUT" "$BIN"
rm -rf "$WORK"
mkdir -p "$WORK"

# ---- build -----------------------------------------------------------------

bench_build_tether
say "building rusage in ${BIN#"$ROOT"/}/"
cc -std=c11 -O3 -Wall -Wextra -o "$BIN/rusage" "$BENCH/rusage.c"

# ---- limits ----------------------------------------------------------------

# tether holds a descriptor per persistent target, nginx one per client.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
ulimit -n "$hard" 2>/dev/null || true
nofile=$(ulimit -n)
((nofile >= MEM_N + 1024)) ||
  die "BENCH_MEM_N=$MEM_N needs $((MEM_N + 1024)) open files and the hard limit allows $nofile (ulimit -Hn)"

# ---- machine ---------------------------------------------------------------

bench_machine "$(openssl version | awk '{ print $1, $2 }'); $(nginx -v 2>&1 | sed 's/.*: //')"

bench_pin "nginx on CPU 1, the client under test on CPU 0"

# ---- certificates ----------------------------------------------------------

# A CA and a server certificate from it, both EC P-256 (what the test
# suite's make_certs makes too), valid 30 days: beyond cert_warn's 14, so
# that no target turns degraded.
CERTS=$WORK/certs
mkdir -p "$CERTS"
quiet() { "$@" >"$CERTS/openssl.log" 2>&1 || { cat "$CERTS/openssl.log" >&2; die "openssl failed: $*"; }; }
quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$CERTS/ca.key" -out "$CERTS/ca.pem" -subj "/CN=Tether Bench CA" \
  -days 30 -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign"
quiet openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$CERTS/server.key" -out "$CERTS/server.csr" -subj "/CN=$SERVER_NAME"
printf 'subjectAltName=DNS:%s,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
  "$SERVER_NAME" >"$CERTS/server.ext"
quiet openssl x509 -req -in "$CERTS/server.csr" -CA "$CERTS/ca.pem" \
  -CAkey "$CERTS/ca.key" -CAcreateserial -days 30 -sha256 \
  -extfile "$CERTS/server.ext" -out "$CERTS/server.pem"

# ---- nginx -----------------------------------------------------------------

# Three listeners of one nginx (one process, master_process off):
#   TLS_PORT   TLS 1.3 only, X25519, TLS_AES_256_GCM_SHA384, no tickets:
#              the handshakes of both clients, and the https targets
#   PLAIN_PORT the same server without TLS: the http targets
#   TLS12_PORT TLS 1.2 and session tickets, for the resumption context
# nginx answers 200 "ok" at every path and keeps connections alive for the
# whole run. It closes idle keep-alive connections when fewer than a
# sixteenth of its worker_connections are free (ngx_drain_connections):
# twice the targets leaves room.
NRUNS=$((2 * ROUNDS + 4 + 2))
LIFETIME=$((NRUNS * (DURATION + 20) + 120))
NGX=$WORK/nginx
NGINX_PID=
stop_nginx() {
  if [ -n "$NGINX_PID" ]; then
    kill "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=
  fi
}
trap stop_nginx EXIT
trap 'exit 130' INT TERM

# A port below the kernel's ephemeral range (which the clients' own
# connections take from), nothing listening on it now. nginx binding it
# is the real test: a clash makes the start fail and the script try again.
read -r port_lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || port_lo=32768
pick_port() {
  local p
  for _ in $(seq 50); do
    p=$((port_lo - 1 - RANDOM % 8000))
    ((p > 1024)) || continue
    if command -v ss >/dev/null; then
      ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
    else
      echo "$p"
      return
    fi
  done
  die "no free port found below $port_lo"
}

write_nginx_conf() {
  mkdir -p "$NGX/tmp"
  cat >"$NGX/nginx.conf" <<EOF
# generated by bench/tls.sh
daemon off;
master_process off;
pid $NGX/nginx.pid;
error_log $NGX/error.log;
worker_rlimit_nofile $nofile;
events { worker_connections $((2 * MEM_N + 1024)); }
http {
  access_log off;
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  default_type text/plain;
  keepalive_requests 1000000;
  keepalive_timeout 600s;
  ssl_certificate $CERTS/server.pem;
  ssl_certificate_key $CERTS/server.key;
  ssl_ecdh_curve X25519;
  server {
    listen 127.0.0.1:$TLS_PORT ssl;
    listen 127.0.0.1:$PLAIN_PORT;
    ssl_protocols TLSv1.3;
    ssl_conf_command Ciphersuites TLS_AES_256_GCM_SHA384;
    ssl_session_cache off;
    ssl_session_tickets off;
    ssl_conf_command NumTickets 0;
    location / { return 200 "ok\n"; }
  }
  server {
    listen 127.0.0.1:$TLS12_PORT ssl;
    ssl_protocols TLSv1.2;
    ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384;
    ssl_session_tickets on;
    location / { return 200 "ok\n"; }
  }
}
EOF
}

listening() { # port
  if command -v ss >/dev/null; then
    ss -Hltn "sport = :$1" | grep -q LISTEN
  else
    (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null
  fi
}

start_nginx() {
  local try
  for try in 1 2 3 4 5; do
    TLS_PORT=$(pick_port) PLAIN_PORT=$(pick_port) TLS12_PORT=$(pick_port)
    if [ "$TLS_PORT" = "$PLAIN_PORT" ] || [ "$TLS_PORT" = "$TLS12_PORT" ] ||
       [ "$PLAIN_PORT" = "$TLS12_PORT" ]; then
      continue
    fi
    write_nginx_conf
    : >"$NGX/error.log"
    timeout -k 5 "$LIFETIME" "${SERVER_PIN[@]}" nginx -p "$NGX" \
      -c "$NGX/nginx.conf" -e "$NGX/error.log" </dev/null >"$NGX/stderr" 2>&1 &
    NGINX_PID=$!
    for _ in $(seq 100); do
      if listening "$TLS_PORT" && listening "$PLAIN_PORT" && listening "$TLS12_PORT"; then
        return 0
      fi
      kill -0 "$NGINX_PID" 2>/dev/null || break
      sleep 0.05
    done
    stop_nginx
    say "nginx did not start (try $try): $(tail -n 2 "$NGX/error.log" "$NGX/stderr" 2>/dev/null | tr '\n' ' ')"
  done
  die "nginx did not start; see $NGX/error.log"
}

start_nginx
say "nginx on 127.0.0.1: TLS 1.3 :$TLS_PORT, plain :$PLAIN_PORT, TLS 1.2 :$TLS12_PORT ($PINNING)"

# ---- helpers ---------------------------------------------------------------

# rusage's line: user_s=.. sys_s=.. cpu_s=.. maxrss_kib=.. exit=..
field() { # file key
  tr ' ' '\n' <"$1" | awk -F= -v k="$2" '$1 == k { v = $2 } END { print v }'
}

# The heartbeat events of a log: "all ok reconnects".
count_events() { # log
  awk '
    /"event" *: *"heartbeat"/ { hb++; if (/"class" *: *"ok"/) ok++ }
    /"event" *: *"reconnect"/ { rc++ }
    END { print hb + 0, ok + 0, rc + 0 }' "$1"
}

write_targets() { # file n port preset interval
  awk -v n="$2" -v port="$3" -v preset="$4" -v interval="$5" \
      -v ca="$CERTS/ca.pem" -v name="$SERVER_NAME" 'BEGIN {
    print "# generated by bench/tls.sh"
    print "defaults:"
    printf "  interval: %s\n  timeout: 1s\n  connect_timeout: 2s\n", interval
    printf "  ca_file: \"%s\"\n  server_name: %s\n", ca, name
    print "targets:"
    for (i = 1; i <= n; i++)
      printf "  - { name: t%05d, address: \"127.0.0.1:%d\", preset: %s }\n", i, port, preset
  }' >"$1"
}

# A short pause between runs, so that the last one's connections are gone.
settle() { sleep 1; }

RESULTS=$WORK/results.tsv
printf 'part\tround\ttool\tn\thandshakes\tfailed\tcpu_s\trss_kib\thwm_kib\tivcsw\n' >"$RESULTS"
ROUND=0

# ---- a. CPU per handshake ----------------------------------------------------

# s_time -new: a fresh connection and full handshake after another, for
# DURATION_S; it counts its own connections. -CAfile makes the chain
# verify as tether's does (an OpenSSL client verifies the chain whatever
# its verify mode; s_time checks no host name).
run_s_time() { # part port extra-args...
  local part=$1 port=$2 ru=$WORK/s_time.rusage txt=$WORK/s_time.txt
  shift 2
  settle
  rm -f "$ru"
  "${CLIENT_PIN[@]}" "$BIN/rusage" -o "$ru" openssl s_time \
    -connect "127.0.0.1:$port" -time "$DURATION" -CAfile "$CERTS/ca.pem" "$@" \
    >"$txt" 2>&1 || die "s_time failed: $(tail -n 5 "$txt")"
  local conns
  conns=$(awk '/connections in .*s;/ { n = $1 } END { print n + 0 }' "$txt")
  ((conns > 0)) || die "s_time made no connection: $(tail -n 5 "$txt")"
  printf '%s\t%s\ts_time%s\t1\t%s\t0\t%s\t%s\t-\t%s\n' "$part" "$ROUND" \
    "$(printf ' %s' "$@" | tr -d ' ')" "$conns" "$(field "$ru" cpu_s)" \
    "$(field "$ru" maxrss_kib)" "$(field "$ru" ivcsw)" >>"$RESULTS"
}

# tether: HS_TARGETS connect-mode targets with the tls preset (TCP, TLS
# handshake, certificate check, close_notify), each every HS_INTERVAL.
# Every ok heartbeat is one handshake.
run_tether_handshakes() {
  local cfg=$WORK/handshakes.yaml log=$WORK/handshakes.jsonl
  local ru=$WORK/handshakes.rusage rc=0
  write_targets "$cfg" "$HS_TARGETS" "$TLS_PORT" tls "$HS_INTERVAL"
  settle
  rm -f "$ru"
  "${CLIENT_PIN[@]}" "$BIN/rusage" -o "$ru" "$TETHER" --json -d "${DURATION}s" \
    "$cfg" >"$log" 2>"$WORK/handshakes.err" || rc=$?
  ((rc < 2)) || { cat "$WORK/handshakes.err" >&2; die "tether exited with status $rc"; }
  local hb ok rec
  read -r hb ok rec <<<"$(count_events "$log")"
  ((ok > 0)) || die "tether made no handshake: $(head -c 600 "$log")"
  # What was negotiated, from the first certificate event.
  [ -n "${NEGOTIATED:-}" ] || NEGOTIATED=$(awk '/"event" *: *"tls"/ {
      v = $0; c = $0
      sub(/.*"version" *: *"/, "", v); sub(/".*/, "", v)
      sub(/.*"cipher" *: *"/, "", c); sub(/".*/, "", c)
      print v, c; exit }' "$log")
  printf 'a\t%s\ttether\t%s\t%s\t%s\t%s\t%s\t-\t%s\n' "$ROUND" "$HS_TARGETS" \
    "$ok" "$((hb - ok))" "$(field "$ru" cpu_s)" "$(field "$ru" maxrss_kib)" \
    "$(field "$ru" ivcsw)" >>"$RESULTS"
  [ "${BENCH_KEEP:-0}" = 1 ] && cp "$log" "$WORK/handshakes-$ROUND.jsonl"
  rm -f "$log"
}

((ROUNDS == 0)) || say "a. CPU per handshake: $ROUNDS rounds of s_time -new and tether ($HS_TARGETS tls targets every $HS_INTERVAL), ${DURATION}s each"
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
  if ((ROUND % 2)); then
    say "round $ROUND: s_time, then tether"
    run_s_time a "$TLS_PORT" -new
    run_tether_handshakes
  else
    say "round $ROUND: tether, then s_time"
    run_tether_handshakes
    run_s_time a "$TLS_PORT" -new
  fi
done

# Context: what resumption would save, for the reference only. tether
# never resumes (core/tls.c: a resumed handshake shows no certificate);
# s_time -reuse does not resume TLS 1.3 sessions (it keeps the session
# before the server's ticket comes), so both runs are TLS 1.2 with
# tickets.
if ((ROUNDS > 0)) && [ "${BENCH_REUSE:-1}" != 0 ]; then
  ROUND=0
  say "context: s_time -new and -reuse over TLS 1.2 with session tickets, ${DURATION}s each"
  run_s_time r "$TLS12_PORT" -new -tls1_2
  run_s_time r "$TLS12_PORT" -reuse -tls1_2
fi

# ---- b. memory per persistent TLS target -----------------------------------

# tether with n persistent targets, https (on the TLS listener) or http
# (the plain one), interval 1s, for DURATION_S. Its resident memory is
# read from /proc 2 s before the end (every connection long made, no
# handshake under way; the summaries at exit not yet written), with the
# peak so far (VmHWM).
run_tether_memory() { # preset n
  local preset=$1 n=$2 port cfg=$WORK/mem.yaml log=$WORK/mem.jsonl rc=0 pid
  [ "$preset" = https ] && port=$TLS_PORT || port=$PLAIN_PORT
  write_targets "$cfg" "$n" "$port" "$preset" 1s
  settle
  "${CLIENT_PIN[@]}" "$TETHER" --json -d "${DURATION}s" "$cfg" >"$log" \
    2>"$WORK/mem.err" &
  pid=$!
  sleep $((DURATION - 2))
  local rss hwm
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
  hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
  wait "$pid" || rc=$?
  ((rc < 2)) || { cat "$WORK/mem.err" >&2; die "tether exited with status $rc"; }
  [ -n "$rss" ] || die "tether ($preset, N=$n) was gone before its memory was read"
  local hb ok rec
  read -r hb ok rec <<<"$(count_events "$log")"
  ((hb == ok)) || say "warning: $preset N=$n: $((hb - ok)) of $hb heartbeats failed"
  ((rec == 0)) || say "warning: $preset N=$n: $rec reconnects (keep-alive should hold)"
  printf 'b\t0\ttether-%s\t%s\t%s\t%s\t-\t%s\t%s\t-\n' "$preset" "$n" "$ok" \
    "$((hb - ok))" "$rss" "$hwm" >>"$RESULTS"
  [ "${BENCH_KEEP:-0}" = 1 ] && cp "$log" "$WORK/mem-$preset-$n.jsonl"
  rm -f "$log"
}

say "b. memory: tether with $MEM_BASE and $MEM_N persistent targets, https and http, ${DURATION}s each"
for n in "$MEM_BASE" "$MEM_N"; do
  for preset in https http; do
    say "$preset, N=$n"
    run_tether_memory "$preset" "$n"
  done
done
stop_nginx
grep -E '\[(alert|emerg|crit)\]' "$NGX/error.log" >&2 && say "warning: nginx logged the lines above"

# ---- report ------------------------------------------------------------------

report() {
  echo "machine: $MACHINE"
  echo "run: ${DURATION}s per run, $ROUNDS rounds, $PINNING; $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "TLS: ${NEGOTIATED:-?} (as tether's tls events say), X25519, EC P-256 certificate from a one-certificate CA (ca_file / -CAfile); no resumption"
  echo
  awk -F'\t' -v rounds="$ROUNDS" -v base="$MEM_BASE" -v n="$MEM_N" \
      -v hs_targets="$HS_TARGETS" -v hs_interval="$HS_INTERVAL" '
    function median(a, k,   i, j, t, v) {
      for (i = 1; i <= k; i++) v[i] = a[i]
      for (i = 2; i <= k; i++)
        for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
    }
    function lowest(a, k,   i, m) { m = a[1]; for (i = 2; i <= k; i++) if (a[i] < m) m = a[i]; return m }
    function highest(a, k,   i, m) { m = a[1]; for (i = 2; i <= k; i++) if (a[i] > m) m = a[i]; return m }
    NR == 1 { next }
    $1 == "a" {
      t = $3 == "tether" ? "tether" : "s_time"
      hs[t, $2] = $5; failed[t, $2] = $6; cpu[t, $2] = $7; rss[t, $2] = $8
    }
    $1 == "r" { r_hs[$3] = $5; r_cpu[$3] = $7 }
    $1 == "b" { mem[$3, $4] = $8; hwm[$3, $4] = $9; mfail[$3, $4] = $6 }
    END {
      if (rounds == 0) print "a. CPU per TLS handshake: not measured (BENCH_ROUNDS=0)"
      else {
      print "a. CPU per TLS handshake (user+sys from wait4 / handshakes)"
      printf "   tether: %d targets, preset tls, interval %s; s_time: -new, one connection after another\n\n",
        hs_targets, hs_interval
      printf "   %-5s %-7s %10s %7s %8s %10s\n", "round", "tool", "handshakes", "failed", "CPU s", "CPU ms/hs"
      for (r = 1; r <= rounds; r++) {
        for (k = 1; k <= 2; k++) {
          t = k == 1 ? "s_time" : "tether"
          per[t, r] = hs[t, r] ? cpu[t, r] * 1000 / hs[t, r] : 0
          printf "   %-5d %-7s %10d %7d %8.3f %10.4f\n", r, t, hs[t, r], failed[t, r], cpu[t, r], per[t, r]
        }
        ratio[r] = per["s_time", r] ? per["tether", r] / per["s_time", r] : 0
        a_t[r] = per["tether", r]; a_s[r] = per["s_time", r]
      }
      line = ""
      for (r = 1; r <= rounds; r++) line = line sprintf(" %.2f", ratio[r])
      printf "\n   median CPU ms per handshake: tether %.4f, s_time %.4f\n",
        median(a_t, rounds), median(a_s, rounds)
      printf "   tether / s_time, per round:%s -> median %.2fx [%.2f, %.2f] (aim: at most 1.3x: %s)\n",
        line, median(ratio, rounds), lowest(ratio, rounds), highest(ratio, rounds),
        median(ratio, rounds) <= 1.3 ? "met" : "not met"
      if (("s_time-new-tls1_2") in r_hs) {
        fn = r_cpu["s_time-new-tls1_2"] * 1000 / r_hs["s_time-new-tls1_2"]
        fr = r_hs["s_time-reuse-tls1_2"] ? r_cpu["s_time-reuse-tls1_2"] * 1000 / r_hs["s_time-reuse-tls1_2"] : 0
        printf "\n   context, s_time over TLS 1.2 with tickets: a full handshake %.4f ms, a resumed one %.4f ms (%.1fx less)\n",
          fn, fr, fr ? fn / fr : 0
        print  "   (tether never resumes: a resumed handshake shows no certificate to check)"
      }
      }
      print ""
      print "b. resident memory (VmRSS 2 s before the end; VmHWM the peak so far), persistent targets, interval 1s"
      printf "\n   %-13s %6s %9s %9s %7s\n", "tether", "N", "RSS KiB", "HWM KiB", "failed"
      for (k = 1; k <= 2; k++) {
        t = k == 1 ? "tether-https" : "tether-http"
        printf "   %-13s %6d %9d %9d %7d\n", t, base, mem[t, base], hwm[t, base], mfail[t, base]
        printf "   %-13s %6d %9d %9d %7d\n", t, n, mem[t, n], hwm[t, n], mfail[t, n]
      }
      https = (mem["tether-https", n] - mem["tether-https", base]) / (n - base)
      http = (mem["tether-http", n] - mem["tether-http", base]) / (n - base)
      printf "\n   per target (RSS at N=%d - at N=%d) / %d: https %.1f KiB, http %.1f KiB\n",
        n, base, n - base, https, http
      printf "   a persistent TLS target holds %.1f KiB more than a plain one (the reference: the same target over http)\n",
        https - http
      printf "   the simple figure, (RSS https - RSS http) / N at N=%d: %.1f KiB (OpenSSL'\''s own fixed cost included)\n",
        n, (mem["tether-https", n] - mem["tether-http", n]) / n
    }' "$RESULTS"
}

report | tee "$WORK/results.txt"
say "results in ${WORK#"$ROOT"/}/results.txt and results.tsv"

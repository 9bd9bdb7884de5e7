#!/usr/bin/env bash
# test_metrics_cli.sh - tether --metrics as Prometheus meets it: a scrape of a
# running tether that promtool accepts, with tags as labels, and whose
# tether_up and tether_heartbeats_total{class="ok"} agree with the JSON
# events of the same moment; 404 elsewhere, 405, HEAD, gzip; a slowloris
# and a 1 MB request that neither grow tether's memory nor disturb its
# heartbeats; every output mode; and the mistakes people make with
# [ADDR:]PORT.
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}
# shellcheck source=pong.sh
. "$(dirname "$0")/pong.sh"
for tool in curl jq promtool; do
  if ! command -v "$tool" >/dev/null; then
    echo "test_metrics_cli: $tool is missing: install it (./build.sh does)" >&2
    exit 1
  fi
done

dir=$(mktemp -d)
pids=()
cleanup() {
  exec 3>&- 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  tmux -L tether-metrics-$$ kill-server 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

pong_start "$dir/server.out" 0
pids+=("$PONG_PID")
port=$PONG_PORT
refused=$("$TOOLS/free_port")
mport=$("$TOOLS/free_port")
url=http://127.0.0.1:$mport/metrics

cat >"$dir/cfg.yaml" <<EOF
defaults: { interval: 500ms, timeout: 300ms, connect_timeout: 300ms }
targets:
  - { name: up, address: "127.0.0.1:$port", preset: redis, tags: [prod, team-a] }
  - { name: down, address: "127.0.0.1:$refused", preset: redis }
EOF

# wait_scrape URL: until a scrape answers (5 s at most).
wait_scrape() {
  for _ in $(seq 100); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.05
  done
  return 1
}

# value FILE NAME TARGET [LABEL]: a sample's value, or nothing.
value() {
  grep -E "^$2\{target=\"$3\"" "$1" | grep -F -- "${4:-}" | head -n 1 |
    awk '{print $NF}'
}

"$TETHER" --json --metrics "127.0.0.1:$mport" -d 60s "$dir/cfg.yaml" \
  >"$dir/out.jsonl" 2>"$dir/err" </dev/null &
tpid=$!
pids+=($tpid)
wait_scrape "$url" || { echo "FAIL: no scrape answered: $(cat "$dir/err")"; exit 1; }
sleep 1.2 # a few heartbeats

# ---- what a scrape says ------------------------------------------------------

curl -sf "$url" -o "$dir/scrape" -D "$dir/headers" || fail "GET /metrics"
promtool check metrics <"$dir/scrape" >"$dir/promtool" 2>&1 ||
  fail "promtool check metrics: $(cat "$dir/promtool")"
grep -qi '^content-type: text/plain; version=0.0.4' "$dir/headers" ||
  fail "content type: $(grep -i content-type "$dir/headers")"
grep -q '^tether_up{target="up",address="127.0.0.1:'"$port"'",tag_prod="1",tag_team_a="1"} 1$' \
  "$dir/scrape" || fail "tether_up of an up target with its tags: $(grep '^tether_up' "$dir/scrape")"
[ "$(value "$dir/scrape" tether_up down)" = 0 ] || fail "tether_up of a down target"
[ "$(value "$dir/scrape" tether_state down 'state="down"')" = 1 ] || fail "tether_state down"
grep -q 'tags=",prod,team-a,"' "$dir/scrape" || fail "tether_target_info has no tags"
grep -q '^tether_build_info{version="' "$dir/scrape" || fail "no tether_build_info"
echo "ok - a scrape promtool accepts, tags as labels"

# ---- the same moment as the events -----------------------------------------

# Heartbeats every 500 ms: a scrape that no heartbeat came close to is
# compared with the events written before it.
ts_us() { # EVENT FIELD: target, field, time in microseconds, per event
  jq -r 'select(.event == "'"$1"'") | [.target, .'"$2"',
         ((.ts[0:19] + "Z" | fromdateiso8601) * 1000000 + (.ts[20:26] | tonumber))]
         | @tsv' "$dir/out.jsonl"
}
agreed=
for attempt in $(seq 10); do
  t0=$(date +%s%6N)
  curl -sf "$url" -o "$dir/scrape"
  t1=$(date +%s%6N)
  sleep 0.2 # events are written at the end of their loop iteration
  ts_us heartbeat class >"$dir/hb"
  ts_us state to >"$dir/st"
  near=$(awk -v a=$((t0 - 20000)) -v b=$((t1 + 20000)) '$3 >= a && $3 <= b' "$dir/hb" "$dir/st" | wc -l)
  [ "$near" -eq 0 ] || continue
  agreed=1
  for t in up down; do
    ok=$(awk -v t="$t" -v a="$t0" '$1 == t && $2 == "ok" && $3 < a' "$dir/hb" | wc -l)
    got=$(value "$dir/scrape" tether_heartbeats_total "$t" 'class="ok"')
    [ "$ok" = "$got" ] || fail "$t: $ok ok heartbeats in the events, $got in the scrape"
    last=$(awk -v t="$t" -v a="$t0" '$1 == t && $3 < a {s = $2} END {print s}' "$dir/st")
    up=$([ "$last" = up ] && echo 1 || echo 0)
    [ "$(value "$dir/scrape" tether_up "$t")" = "$up" ] ||
      fail "$t: the events say $last, tether_up says $(value "$dir/scrape" tether_up "$t")"
  done
  break
done
[ -n "$agreed" ] || fail "no scrape fell between heartbeats in 10 attempts"
[ -n "$agreed" ] && echo "ok - tether_up and heartbeats agree with the events (attempt $attempt)"

# ---- HTTP ------------------------------------------------------------------

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code "http://127.0.0.1:$mport/other")" = 404 ] || fail "/other is not 404"
[ "$(code "http://127.0.0.1:$mport/")" = 404 ] || fail "/ is not 404"
[ "$(code -X POST "$url")" = 405 ] || fail "POST is not 405"
[ "$(code "$url?nonsense=1")" = 400 ] || fail "an unknown parameter is not 400"
[ "$(code -I "$url")" = 200 ] || fail "HEAD is not 200"
curl -sf --compressed -D "$dir/gz.headers" "$url" -o "$dir/gz" || fail "gzip scrape"
grep -qi '^content-encoding: gzip' "$dir/gz.headers" || fail "no gzip when asked"
grep -q '^tether_up{target="up"' "$dir/gz" || fail "the gzip scrape does not inflate"
curl -sf "$url?histograms=0" -o "$dir/lean" || fail "histograms=0"
grep -q '^tether_rtt_seconds_bucket' "$dir/lean" && fail "histograms=0 has buckets"
grep -q '^# TYPE tether_rtt_seconds summary' "$dir/lean" || fail "histograms=0: no summary"
echo "ok - 404, 405, 400, HEAD, gzip, histograms=0"

# ---- clients that misbehave -------------------------------------------------

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$tpid/status"; }
rss0=$(rss)
sent0=$(jq -s '[.[] | select(.event == "heartbeat" and .target == "up")] | length' "$dir/out.jsonl")
# A slowloris: half a request head, and nothing more.
exec 3<>"/dev/tcp/127.0.0.1/$mport"
printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n' >&3
# A request of 1 MB: refused once the head buffer is full.
(
  exec 4<>"/dev/tcp/127.0.0.1/$mport"
  { printf 'GET /metrics HTTP/1.1\r\nX-Big: '; head -c 1048576 /dev/zero | tr '\0' a; } >&4 2>/dev/null
  timeout 5 head -c 12 <&4
) >"$dir/big" 2>/dev/null
grep -q '^HTTP/1.1 431' "$dir/big" || fail "a 1 MB request: $(head -c 40 "$dir/big")"
# Scrapes still answered while the slowloris hangs on.
for _ in 1 2 3; do curl -sf -o /dev/null "$url" || fail "a scrape beside the slowloris"; done
sleep 1.5
rss1=$(rss)
[ $((rss1 - rss0)) -lt 4096 ] || fail "tether grew from $rss0 to $rss1 KiB"
lost=$(jq -s '[.[] | select(.event == "heartbeat" and .target == "up" and .class != "ok")] | length' "$dir/out.jsonl")
sent1=$(jq -s '[.[] | select(.event == "heartbeat" and .target == "up")] | length' "$dir/out.jsonl")
[ "$lost" = 0 ] || fail "$lost heartbeats of the up target failed"
[ $((sent1 - sent0)) -ge 3 ] || fail "heartbeats stopped: $sent0 -> $sent1"
exec 3>&-
echo "ok - a slowloris and a 1 MB request: RSS $rss0 -> $rss1 KiB, heartbeats on time"

kill -TERM "$tpid" # (SIGINT stays ignored in a background job)
wait "$tpid"
status=$?
[ "$status" = 1 ] || fail "exit status $status, expected 1 (a target down)"
[ "$(jq -s '[.[] | select(.event == "summary")] | length' "$dir/out.jsonl")" = 2 ] ||
  fail "no summaries at exit"

# ---- every output mode -----------------------------------------------------

mport2=$("$TOOLS/free_port")
"$TETHER" --plain --metrics "$mport2" -d 3s "$dir/cfg.yaml" >"$dir/plain" 2>&1 </dev/null &
ppid_=$!
pids+=($ppid_)
wait_scrape "http://127.0.0.1:$mport2/metrics" || fail "--plain: no scrape"
wait "$ppid_"
grep -q 'up ' "$dir/plain" || fail "--plain wrote nothing"
echo "ok - --plain --metrics PORT (127.0.0.1)"

if command -v tmux >/dev/null; then
  mport3=$("$TOOLS/free_port")
  tmux -L tether-metrics-$$ new-session -d -x 120 -y 30 \
    "TERM=xterm-256color '$TETHER' --metrics 127.0.0.1:$mport3 -d 4s '$dir/cfg.yaml'; sleep 3"
  wait_scrape "http://127.0.0.1:$mport3/metrics" || fail "the dashboard: no scrape"
  echo "ok - the dashboard with --metrics"
else
  echo "skip - no tmux: the dashboard is not checked"
fi

# ---- mistakes --------------------------------------------------------------

"$TETHER" --metrics :9798 --plain -c 1 "$dir/cfg.yaml" >/dev/null 2>"$dir/err1"
[ $? = 2 ] || fail "--metrics :9798 is not a usage error"
grep -q -- '--metrics' "$dir/err1" || fail "--metrics :9798: $(cat "$dir/err1")"
"$TETHER" --metrics 99999 --plain -c 1 "$dir/cfg.yaml" >/dev/null 2>"$dir/err2"
[ $? = 2 ] || fail "--metrics 99999 is not a usage error"
pong_start "$dir/busy.out" 0
pids+=("$PONG_PID")
busy=$PONG_PORT
"$TETHER" --metrics "$busy" --plain -c 1 "$dir/cfg.yaml" >/dev/null 2>"$dir/err3"
[ $? = 3 ] || fail "a port in use is not a runtime failure (3)"
grep -qi 'in use' "$dir/err3" || fail "a port in use: $(cat "$dir/err3")"
echo "ok - :PORT, a port out of range, a port in use"

[ "$failures" -eq 0 ] || exit 1
echo "all checks passed"

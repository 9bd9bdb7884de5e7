#!/usr/bin/env bash
# test_servers_http.sh - the http preset against Debian's nginx, started by
# this test on ports of its own: connections that nginx closes between
# heartbeats (keepalive_timeout 0, keepalive_requests 3, `nginx -s reload`)
# are quiet reconnects, never failures or flaps, and the probe rate stays
# one per interval; a 503 is `unhealthy` and down unless `status` accepts it.
# nginx logs at `error`, its default level. Skips (77) when nginx is missing.
set -u
. "${TT_TESTS:?set by CTest}/servers/lib.sh"
command -v jq >/dev/null || srv_skip "jq is not installed"
need_server nginx
srv_setup

# Three servers, each closing the probe's connection its own way.
start_nginx "$SRV_DIR/ka0" "$(free_port)" 'keepalive_timeout 0;' || exit 1
start_nginx "$SRV_DIR/kr3" "$(free_port)" 'keepalive_requests 3;' || exit 1
start_nginx "$SRV_DIR/web" "$(free_port)" 'location = /down { return 503; }' || exit 1
ka0=$(cat "$SRV_DIR/ka0/port") kr3=$(cat "$SRV_DIR/kr3/port") web=$(cat "$SRV_DIR/web/port")

# The servers themselves: /down answers 503 (checked without tether).
exec 3<>"/dev/tcp/127.0.0.1/$web"
printf 'HEAD /down HTTP/1.0\r\nHost: test\r\n\r\n' >&3
IFS=$'\r' read -r -t 5 line <&3
exec 3<&-
[ "$line" = "HTTP/1.1 503 Service Temporarily Unavailable" ] ||
  { echo "nginx's /down answers '$line', not 503"; exit 1; }

# ---- closes between heartbeats: 4s at 250ms, so 16 heartbeats (±1) -------
out=$SRV_DIR/closes.jsonl
tether_start "$out" -i 250ms -t 250ms -d 4s \
  "ka0=http://127.0.0.1:$ka0" "kr3=http://127.0.0.1:$kr3" "reload=http://127.0.0.1:$web"
# Three reloads, after the 3rd, 6th and 9th heartbeat: the old worker
# closes its idle keep-alive connections as it leaves.
reloads=0
for n in 3 6 9; do
  if wait_events "$out" reload heartbeat "$n" true 5; then
    reload_nginx "$SRV_DIR/web" && reloads=$((reloads + 1))
  fi
done
tether_wait "$out"
check "reloads done" "$reloads" 3
check "exit status (all up)" "$TETHER_STATUS" 0
for t in ka0 kr3 reload; do
  check_healthy "$out" "$t" 15 17
  check "$t: reconnect classes (eof or reset only)" \
    "$(ev "$out" "$t" reconnect '.class != "eof" and .class != "reset"' | wc -l)" 0
  events=$(ev_count "$out" "$t" reconnect)
  check_at_least "$t: summary reconnects vs reconnect events" \
    "$(ev_summary "$out" "$t" reconnects)" "$events"
done
# How many reconnects each server forces: ka0 closes after every reply
# (the last one may fall after the end), kr3 after every third, and each
# reload closes the idle connection once.
beats=$(ev_count "$out" ka0 heartbeat)
check_at_least "ka0: reconnect events" "$(ev_count "$out" ka0 reconnect)" $((beats - 2))
beats=$(ev_count "$out" kr3 heartbeat)
check_at_least "kr3: reconnect events" "$(ev_count "$out" kr3 reconnect)" $((beats / 3 - 1))
check_at_least "reload: reconnect events" "$(ev_count "$out" reload reconnect)" "$reloads"
check_log "nginx ka0 error.log" "$SRV_DIR/ka0/log" '\[(error|crit|alert|emerg)\]'
check_log "nginx kr3 error.log" "$SRV_DIR/kr3/log" '\[(error|crit|alert|emerg)\]'
check_log "nginx web error.log" "$SRV_DIR/web/log" '\[(error|crit|alert|emerg)\]'

# ---- a 503: unhealthy and down, unless `status` accepts it ----------------
cat >"$SRV_DIR/down.yaml" <<EOF
defaults: { interval: 250ms, timeout: 250ms }
targets:
  - name: down
    address: 127.0.0.1:$web
    preset: http
    path: /down
EOF
cat >"$SRV_DIR/accepted.yaml" <<EOF
defaults: { interval: 250ms, timeout: 250ms }
targets:
  - name: accepted
    address: 127.0.0.1:$web
    preset: http
    path: /down
    status: [503]
EOF
tether_start "$SRV_DIR/down.jsonl" -c 3 "$SRV_DIR/down.yaml"
down_pid=$TETHER_PID
tether_start "$SRV_DIR/accepted.jsonl" -c 3 "$SRV_DIR/accepted.yaml"
tether_wait "$SRV_DIR/down.jsonl" "$down_pid"
down_status=$TETHER_STATUS
tether_wait "$SRV_DIR/accepted.jsonl"

out=$SRV_DIR/down.jsonl
check "503: exit status" "$down_status" 1
check "503: heartbeat classes" "$(ev_classes "$out" down)" "unhealthy:3"
check "503: heartbeats quoting the status line" \
  "$(ev "$out" down heartbeat '.error | contains("HTTP/1.1 503 Service Temporarily Unavailable")' | wc -l)" 3
check "503: states" "$(ev_states "$out" down)" "connecting>down"
check "503: summary state" "$(ev_summary "$out" down state)" down
out=$SRV_DIR/accepted.jsonl
check "503 with status [503]: exit status" "$TETHER_STATUS" 0
check_healthy "$out" accepted 3 3

finish

#!/usr/bin/env bash
# test_servers_cache.sh - the redis and memcached presets against Debian's
# redis-server and memcached, started by this test on ports of their own:
# up from the first heartbeat, no flap, one heartbeat per interval, and
# nothing in the servers' logs (redis logs at `notice`, its default;
# memcached, without -v, logs nothing about clients). Skips (77) when a
# server is missing.
set -u
. "${TT_TESTS:?set by CTest}/servers/lib.sh"
command -v jq >/dev/null || srv_skip "jq is not installed"
need_server redis memcached
srv_setup

start_redis "$SRV_DIR/redis" "$(free_port)" || exit 1
start_memcached "$SRV_DIR/memcached" "$(free_port)" || exit 1
redis=$(cat "$SRV_DIR/redis/port") memcached=$(cat "$SRV_DIR/memcached/port")
skip_redis=$(log_lines "$SRV_DIR/redis")

# 3s at 250ms: 12 heartbeats (±1).
out=$SRV_DIR/cache.jsonl
tether_run "$out" -i 250ms -t 250ms -d 3s \
  "redis=redis://127.0.0.1:$redis" "memcached=memcached://127.0.0.1:$memcached"
check "exit status (all up)" "$TETHER_STATUS" 0
check_healthy "$out" redis 11 13
check_healthy "$out" memcached 11 13
for t in redis memcached; do
  check "$t: reconnects" "$(ev_summary "$out" "$t" reconnects)" 0
done
# redis marks warnings with '#' after the time (and '*' notices, '.' verbose).
check_log "redis log" "$SRV_DIR/redis/log" ' # |rror' "$skip_redis"
check_log "memcached output" "$SRV_DIR/memcached/log" '.'

finish

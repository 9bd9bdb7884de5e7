#!/usr/bin/env bash
# test_servers_netns.sh - every address of a name is tried: in a network
# namespace of this test's own, whose hosts file gives one name both ::1
# and 127.0.0.1, redis listens on only one of them (once 127.0.0.1, once
# ::1); the target by that name is ok from the first heartbeat and `ip`
# names the address it used. Then addresses: all over a name with two
# addresses, one of them served: a target for each, with its own class;
# editing the hosts file adds and removes targets while tether runs.
# Skips (77) where namespaces or redis are not available.
set -u
. "${TT_TESTS:?set by CTest}/servers/lib.sh"
command -v jq >/dev/null || srv_skip "jq is not installed"
command -v ip >/dev/null || srv_skip "ip (iproute2) is not installed"
need_server redis
srv_setup

ns="tether-servers-$$"
ip netns add "$ns" 2>/dev/null || srv_skip "cannot create a network namespace here"
SRV_CLEANUP+=("ip netns del '$ns' 2>/dev/null")
ip -n "$ns" link set lo up
ip -n "$ns" -6 addr show dev lo | grep -q '::1' ||
  srv_skip "no IPv6 loopback (::1) in a network namespace here"

# `ip netns exec` puts /etc/netns/NAME/hosts over /etc/hosts (and
# resolv.conf likewise: a resolver where nothing answers, so that nothing
# leaves the machine).
[ -d /etc/netns ] || SRV_CLEANUP+=("rmdir /etc/netns 2>/dev/null")
mkdir -p "/etc/netns/$ns"
SRV_CLEANUP+=("rm -rf '/etc/netns/$ns'")
printf '%s\n' "127.0.0.1 localhost" "::1 both.tether.test" \
  "127.0.0.1 both.tether.test" >"/etc/netns/$ns/hosts"
echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"
SRV_NETNS=$ns

# The namespace is new: any port is free in it.
start_redis "$SRV_DIR/v4" 6379 127.0.0.1 || exit 1
start_redis "$SRV_DIR/v6" 6380 ::1 || exit 1

out=$SRV_DIR/both.jsonl
ip netns exec "$ns" "$TETHER" --json -i 250ms -t 250ms -c 3 \
  v4only=redis://both.tether.test:6379 v6only=redis://both.tether.test:6380 \
  >"$out" 2>"$out.err" </dev/null
status=$?
[ ! -s "$out.err" ] || { echo "tether said on stderr:"; sed 's/^/  /' "$out.err"; }
check "exit status (both up)" "$status" 0
check_healthy "$out" v4only 3 3
check_healthy "$out" v6only 3 3
check "v4only: ip of its heartbeats" "$(ev "$out" v4only heartbeat | jq -r .ip | sort -u)" 127.0.0.1
check "v6only: ip of its heartbeats" "$(ev "$out" v6only heartbeat | jq -r .ip | sort -u)" ::1

# ---- addresses: all --------------------------------------------------------
hosts=/etc/netns/$ns/hosts
printf '%s\n' "127.0.0.1 localhost" "::1 both.tether.test" \
  "127.0.0.1 both.tether.test" "127.0.0.1 many.tether.test" \
  "127.0.0.2 many.tether.test" >"$hosts"
cat >"$SRV_DIR/all.yaml" <<YAML
targets:
  - { name: many, address: "many.tether.test:6379", preset: redis,
      family: ipv4, addresses: all, resolve_every: 300ms,
      interval: 250ms, timeout: 250ms }
YAML
out=$SRV_DIR/all.jsonl
ip netns exec "$ns" "$TETHER" --json "$SRV_DIR/all.yaml" >"$out" 2>"$out.err" </dev/null &
TETHER_PID=$!
SRV_CLEANUP+=("kill $TETHER_PID 2>/dev/null")
wait_events "$out" "many[127.0.0.1]" heartbeat 2 '.class == "ok"' ||
  fail "many[127.0.0.1] never ok"
wait_events "$out" "many[127.0.0.2]" heartbeat 2 ||
  fail "many[127.0.0.2] never probed"
check "the name itself left for its addresses" "$(ev_count "$out" many removed)" 1
check "127.0.0.2: refused (nothing listens)" \
  "$(ev "$out" "many[127.0.0.2]" heartbeat | head -n 1 | jq -r .class)" refused
# The hosts file changes (edited in place: the namespace sees the file).
printf '%s\n' "127.0.0.1 localhost" "127.0.0.1 many.tether.test" \
  "127.0.0.3 many.tether.test" >"/etc/netns/$ns/hosts.new"
cat "/etc/netns/$ns/hosts.new" >"$hosts"
wait_events "$out" "many[127.0.0.2]" removed 1 true 5 || fail "127.0.0.2 did not leave"
wait_events "$out" "many[127.0.0.3]" added 1 true 5 || fail "127.0.0.3 did not join"
check "127.0.0.2's summary as it left" "$(ev_count "$out" "many[127.0.0.2]" summary)" 1
check "127.0.0.1 stayed" "$(ev_count "$out" "many[127.0.0.1]" removed)" 0
kill -TERM "$TETHER_PID"
tether_wait "$out"
check "addresses: all: exit status (one address down)" "$TETHER_STATUS" 1
check "many[127.0.0.1]: up at the end" "$(ev_summary "$out" "many[127.0.0.1]" state)" up

finish

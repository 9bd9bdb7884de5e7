#!/usr/bin/env bash
# test_dns_tether.sh - tether under black-holed DNS. In a network namespace
# whose name server reads every query and answers none, targets named in
# the namespace's hosts file stay `ok` beside six targets whose names
# hang, a name on ::1 and 127.0.0.1 with the server on 127.0.0.1 only is
# `ok` on 127.0.0.1, and SIGTERM ends the run within a second whatever
# DNS is doing. Skips (77) with a reason where namespaces are not
# available.
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "creating a network namespace needs root"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
command -v jq >/dev/null || skip "jq is not installed"

ns="tether-dnst-$$"
tmp=$(mktemp -d)
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace here"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  rm -rf "/etc/netns/$ns" "$tmp"
}
trap cleanup EXIT

ip -n "$ns" link set lo up
mkdir -p "/etc/netns/$ns"
cat >"/etc/netns/$ns/hosts" <<'HOSTS'
127.0.0.1 web.hosts.test
127.0.0.1 db.hosts.test
::1       both.hosts.test
127.0.0.1 both.hosts.test
HOSTS
echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The name server that never answers, and the service, both inside.
mkfifo "$tmp/bh" "$tmp/srv" "$tmp/run"
ip netns exec "$ns" "$TOOLS/dns_blackhole" 127.0.0.1 53 >"$tmp/bh" &
pids+=($!)
exec 3<"$tmp/bh"
read -r -t 5 -u 3 line
[ "${line:-}" = ready ] || { echo "FAIL: the black hole did not start"; exit 1; }
ip netns exec "$ns" "$TOOLS/fault_serve" 127.0.0.1 0 >"$tmp/srv" &
pids+=($!)
exec 4<"$tmp/srv"
read -r -t 5 -u 4 line
port=${line#ready }
[ -n "$port" ] && [ "$port" != "$line" ] || { echo "FAIL: the service did not start"; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

good=(web.hosts.test:$port db.hosts.test:$port both.hosts.test:$port)
hangs=()
for i in 1 2 3 4 5 6; do hangs+=("hang$i.test:$port"); done

# A run of 5 s: the hosts-file targets answer every heartbeat, and the
# end of the run does not wait for the lookups still hanging.
t0=$(now_ms)
out=$(ip netns exec "$ns" timeout 60 "$TETHER" --json -d 5s "${hangs[@]}" "${good[@]}")
took=$(($(now_ms) - t0))
for t in "${good[@]}"; do
  got=$(jq -r --arg t "$t" 'select(.event=="heartbeat" and .target==$t) | .class' <<<"$out" |
        sort | uniq -c | awk '{ print $1 " " $2 }' | paste -sd, -)
  n=$(jq -r --arg t "$t" 'select(.event=="heartbeat" and .target==$t and .class=="ok") | .seq' <<<"$out" | wc -l)
  [ "$n" -ge 4 ] && [ "$got" = "$n ok" ] ||
    fail "$t: heartbeats ${got:-none}, expected 4 or more, all ok"
  got=$(jq -r --arg t "$t" 'select(.event=="summary" and .target==$t) | .state' <<<"$out")
  [ "$got" = up ] || fail "$t: ends ${got:-without a summary}, expected up"
  got=$(jq -r --arg t "$t" 'select(.event=="state" and .target==$t and .to!="up") | .to + " (" + .error + ")"' <<<"$out" | head -1)
  [ -z "$got" ] || fail "$t: went $got"
done
got=$(jq -r --arg t "both.hosts.test:$port" 'select(.event=="summary" and .target==$t) | .ip' <<<"$out")
[ "$got" = 127.0.0.1 ] ||
  fail "both.hosts.test: used ${got:-no address}, expected 127.0.0.1 (its ::1 refuses)"
for t in "${hangs[@]}"; do
  got=$(jq -r --arg t "$t" 'select(.event=="heartbeat" and .target==$t) | .class' <<<"$out" | sort -u | paste -sd, -)
  [ "$got" = dns ] || fail "$t: classes '${got:-none}', expected dns"
done
[ "$took" -lt 6000 ] || fail "a 5 s run took $took ms: its end waited for DNS"
echo "5 s run: $took ms"

# SIGTERM while lookups hang: the run ends (summaries written) within a
# second. It is sent once the hanging targets have failed once and are
# looking their names up again.
ip netns exec "$ns" "$TETHER" --json -d 60s "${hangs[@]}" "${good[@]}" >"$tmp/run" &
tpid=$!
pids+=("$tpid")
exec 5<"$tmp/run"
seen=0
while read -r -t 10 -u 5 line; do
  jq -e 'select(.event=="heartbeat" and .class=="dns")' <<<"$line" >/dev/null &&
    seen=$((seen + 1))
  [ "$seen" -ge "${#hangs[@]}" ] && break
done
[ "$seen" -ge "${#hangs[@]}" ] || fail "no dns heartbeat from the hanging targets"
t0=$(now_ms)
kill -TERM "$tpid"
summaries=$(timeout 10 cat <&5 | jq -r 'select(.event=="summary") | .target' | wc -l)
wait "$tpid"
took=$(($(now_ms) - t0))
[ "$took" -lt 1000 ] || fail "SIGTERM took $took ms to end the run"
[ "$summaries" -eq $((${#hangs[@]} + ${#good[@]})) ] ||
  fail "$summaries summaries after SIGTERM, expected $((${#hangs[@]} + ${#good[@]}))"
echo "SIGTERM: $took ms"

[ "$failures" -eq 0 ] || exit 1
echo "all tether DNS checks passed"

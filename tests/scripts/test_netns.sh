#!/usr/bin/env bash
# test_netns.sh - the classes that need a network of their own: a name
# that does not resolve (dns) and routes that lead nowhere (unreachable),
# in a network namespace this test creates and removes. Skips (77) with a
# reason where namespaces are not available.
set -u
TETHER=${TETHER:?set by CTest}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "creating a network namespace needs root"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
command -v jq >/dev/null || skip "jq is not installed"

ns="tether-test-$$"
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace here"
cleanup() {
  ip netns del "$ns" 2>/dev/null
  rm -rf "/etc/netns/$ns"
}
trap cleanup EXIT

ip -n "$ns" link set lo up
# 10.99.0.0/24 has an "unreachable" route (EHOSTUNREACH), 10.98.0.0/24 a
# "prohibit" one (EACCES); nothing else is routed (ENETUNREACH).
ip -n "$ns" route add unreachable 10.99.0.0/24
ip -n "$ns" route add prohibit 10.98.0.0/24
# The namespace's resolver is 127.0.0.1 there, where nothing answers: every
# lookup fails at once, and nothing leaves the machine.
mkdir -p "/etc/netns/$ns"
echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# check TARGET CLASS DETAIL: one heartbeat of TARGET inside the namespace
# has CLASS and DETAIL, the state goes connecting -> down for that class,
# and the exit status is 1.
check() {
  local target=$1 class=$2 detail=$3 out status got
  out=$(ip netns exec "$ns" "$TETHER" --json -c 1 --connect-timeout 2s "$target")
  status=$?
  got=$(jq -r 'select(.event=="heartbeat") | .class + " | " + .error' <<<"$out")
  [ "$got" = "$class | $detail" ] ||
    fail "$target: heartbeat is '$got', expected '$class | $detail'"
  got=$(jq -r 'select(.event=="state") | .from + ">" + .to + ":" + .class' <<<"$out")
  [ "$got" = "connecting>down:$class" ] ||
    fail "$target: states '$got', expected connecting>down:$class"
  got=$(jq -r 'select(.event=="summary") | .classes.'"$class" <<<"$out")
  [ "$got" = "1" ] || fail "$target: summary counts $class $got times, not 1"
  [ "$status" -eq 1 ] || fail "$target: exit status $status, expected 1"
  echo "ok: $target -> $class ($detail)"
}

check "db=nosuch.invalid:5432" dns "temporary failure in name resolution"
check "10.99.0.1:80" unreachable "no route to host"
check "10.97.0.1:80" unreachable "network unreachable"
check "10.98.0.1:80" unreachable "connection not permitted (prohibited route or firewall)"

[ "$failures" -eq 0 ] || exit 1
echo "all namespace checks passed"

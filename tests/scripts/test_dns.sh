#!/usr/bin/env bash
# test_dns.sh - names that hang cannot hold names that resolve at once. In
# a network namespace whose name server swallows every query, eight names
# hang while names from the namespace's hosts file are answered within
# milliseconds, with every address; closing the resolver then ends the
# eight at once. Skips (77) with a reason where namespaces are not
# available.
set -u
TOOLS=${TT_TOOLS:?set by CTest}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "creating a network namespace needs root"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"

ns="tether-dns-$$"
tmp=$(mktemp -d)
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace here"
bh=
cleanup() {
  [ -n "$bh" ] && kill "$bh" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "/etc/netns/$ns" "$tmp"
}
trap cleanup EXIT

ip -n "$ns" link set lo up
# `ip netns exec` mounts these over /etc/hosts and /etc/resolv.conf.
mkdir -p "/etc/netns/$ns"
cat >"/etc/netns/$ns/hosts" <<'HOSTS'
127.0.0.1 localhost
::1       localhost
127.0.0.1 db.hosts.test
::1       db.hosts.test
192.0.2.10 cache.hosts.test
HOSTS
echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"

# The name server receives every query and answers none: lookups hang
# until the resolver gives up, as behind a black-holed DNS server (a
# route that rejects them would fail them at once instead).
mkfifo "$tmp/bh"
ip netns exec "$ns" "$TOOLS/dns_blackhole" 127.0.0.1 53 >"$tmp/bh" &
bh=$!
exec 3<"$tmp/bh"
read -r -t 5 -u 3 line
[ "${line:-}" = ready ] || { echo "FAIL: the black hole did not start"; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

hangs=(hang1.test hang2.test hang3.test hang4.test hang5.test hang6.test
       hang7.test hang8.test)
out=$(ip netns exec "$ns" timeout 30 "$TOOLS/resolve_names" --settle 1500 \
        "${hangs[@]}" db.hosts.test cache.hosts.test localhost)
status=$?
printf '%s\n' "$out"

# answered NAME ADDRS: NAME was answered, ok, with the addresses ADDRS (in
# any order), within 100 ms (it takes well under one where nothing else
# runs; the margin is for a loaded machine).
answered() {
  local name=$1 want=$2 line ms result got
  line=$(grep "^answer $name " <<<"$out")
  [ -n "$line" ] || { fail "$name: no answer within 1500 ms"; return; }
  read -r _ _ ms result got <<<"$line"
  [ "$result" = ok ] || { fail "$name: $result"; return; }
  got=$(tr , '\n' <<<"$got" | sort | paste -sd,)
  [ "$got" = "$want" ] || fail "$name: addresses $got, expected $want"
  awk -v ms="$ms" 'BEGIN { exit !(ms < 100) }' ||
    fail "$name: answered after $ms ms, behind the names that hang"
}
answered db.hosts.test "127.0.0.1,::1"
answered cache.hosts.test "192.0.2.10"
answered localhost "127.0.0.1,::1"

for h in "${hangs[@]}"; do
  grep -qx "pending $h" <<<"$out" || fail "$h: not pending after 1500 ms"
  grep -qx "cancelled $h" <<<"$out" || fail "$h: the close did not cancel it"
done

ms=$(sed -n 's/^closed //p' <<<"$out")
awk -v ms="${ms:-never}" 'BEGIN { exit !(ms + 0 == ms && ms < 100) }' ||
  fail "closing with eight lookups pending took ${ms:-forever} ms"
grep -qx "clean 0 0" <<<"$out" || fail "the resolver left handles or descriptors"
[ "$status" -eq 0 ] || fail "resolve_names exited with $status"

# The eight did reach the name server (A and AAAA each): they hung there,
# not somewhere short of it.
kill -TERM "$bh"
read -r -t 5 -u 3 line
bh=
n=${line#received }
[ "${n:-0}" -ge 16 ] 2>/dev/null ||
  fail "the name server received '${line:-nothing}', expected 16 queries or more"

[ "$failures" -eq 0 ] || exit 1
echo "all DNS checks passed"

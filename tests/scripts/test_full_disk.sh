#!/usr/bin/env bash
# test_full_disk.sh - a log on a filesystem that fills up: tether says why
# on stderr ("writing the log FILE: No space left on device"), ends with
# status 3, leaves only whole lines in the log and still writes the
# summaries to stdout. The filesystem is a 64 KiB tmpfs mounted in a
# private mount namespace; skips (77) where that is not permitted.
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}

skip() { echo "SKIP: $*"; exit 77; }
command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
if [ "$(id -u)" -eq 0 ]; then
  ns=(unshare -m)
else
  ns=(unshare -rm)
fi
"${ns[@]}" sh -c 'mount -t tmpfs -o size=64k tmpfs /mnt' 2>/dev/null ||
  skip "mounting a tmpfs in a private mount namespace is not permitted here"

dir=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
mkdir "$dir/mnt"

"$TOOLS/tt_faultd" respond >"$dir/port" &
server=$!
for _ in $(seq 1 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
port=$(cat "$dir/port")
[ -n "$port" ] || { echo "FAIL: the fault server did not start"; exit 1; }

targets=()
for i in $(seq 1 200); do targets+=("t$i=127.0.0.1:$port"); done

# Inside the namespace: mount, run (stdout to a file outside the tmpfs),
# and keep the log for the checks below.
export TETHER dir
"${ns[@]}" bash -c '
  mount -t tmpfs -o size=64k tmpfs "$dir/mnt" || exit 99
  "$TETHER" --json -i 200ms -t 200ms --send "PING\n" --expect PONG -d 10s \
    --log "$dir/mnt/events.log" "$@" >"$dir/out" 2>"$dir/err"
  echo $? >"$dir/status"
  cp "$dir/mnt/events.log" "$dir/events.log"
' tether "${targets[@]}"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
status=$(cat "$dir/status")
[ "$status" -eq 3 ] || fail "a full filesystem: exit $status, expected 3"
want="tether: writing the log $dir/mnt/events.log: No space left on device"
grep -qxF "$want" "$dir/err" || fail "a full filesystem: stderr is '$(cat "$dir/err")'"
"$TOOLS/tt_jsonl" lines "$dir/events.log" >/dev/null ||
  fail "a full filesystem: the log holds a half line"
[ -s "$dir/events.log" ] || fail "a full filesystem: the log is empty"
summaries=$(grep -c '"event":"summary"' "$dir/out")
[ "$summaries" -eq 200 ] || fail "a full filesystem: stdout has $summaries summaries, expected 200"

if [ "$failures" -ne 0 ]; then
  exit 1
fi
echo "full disk: status 3, the cause on stderr, whole lines, summaries on stdout"

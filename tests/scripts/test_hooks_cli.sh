#!/usr/bin/env bash
# test_hooks_cli.sh - hooks in the real tether: --on-change and on_change
# run on state changes with the event in TETHER_* variables; shell syntax
# in a server's reply or a target's name runs nothing; a hook that fails
# is reported; a hook that hangs is killed at hook_timeout with whatever
# it started, and the run's end waits for no more than that.
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}
# shellcheck source=pong.sh
. "$(dirname "$0")/pong.sh"

dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# serve [REPLY]: a pong server (or one that answers REPLY); sets $port.
serve() {
  pong_start "$dir/server.$RANDOM" 0 "$@"
  pids+=("$PONG_PID")
  port=$PONG_PORT
}

fast='interval: 300ms, timeout: 200ms, connect_timeout: 300ms'

# ---- the environment, and nothing from the network as a command --------------

serve "\$(touch $dir/pwned1) \`touch $dir/pwned2\`; touch $dir/pwned3"
hostile=$port
cat >"$dir/hostile.yaml" <<EOF
defaults: { $fast }
targets:
  - name: "evil\$(touch $dir/pwned4)"
    address: "127.0.0.1:$hostile"
    preset: redis
EOF
"$TETHER" --json -c 2 --on-change \
  'env | grep "^TETHER_" | sort > "'"$dir"'/env.$TETHER_TO"' \
  "$dir/hostile.yaml" >"$dir/out.jsonl" 2>"$dir/err" </dev/null
[ -f "$dir/env.down" ] || fail "no hook ran for connecting -> down: $(cat "$dir/err")"
if [ -f "$dir/env.down" ]; then
  for want in "TETHER_TARGET=evil\$(touch $dir/pwned4)" \
    "TETHER_ADDRESS=127.0.0.1:$hostile" "TETHER_IP=127.0.0.1" \
    "TETHER_FROM=connecting" "TETHER_TO=down" "TETHER_CLASS=protocol"; do
    grep -qxF "$want" "$dir/env.down" || fail "the hook's environment lacks $want"
  done
  grep -q '^TETHER_ERROR=.*\$(touch' "$dir/env.down" ||
    fail "TETHER_ERROR does not quote the reply: $(grep ERROR "$dir/env.down")"
  grep -Eq '^TETHER_TS=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z$' "$dir/env.down" ||
    fail "TETHER_TS: $(grep TS= "$dir/env.down")"
  [ "$(grep -c '^TETHER_' "$dir/env.down")" = 8 ] || fail "not 8 TETHER_ variables"
fi
for i in 1 2 3 4; do
  [ -e "$dir/pwned$i" ] && fail "pwned$i exists: the event ran as a command"
done
echo "ok - the event in the environment; shell syntax in a reply and a name runs nothing"

# ---- on_change in the file, per target ----------------------------------------

serve
up=$port
refused=$("$TOOLS/free_port")
cat >"$dir/file.yaml" <<EOF
defaults: { $fast, on_change: 'echo "\$TETHER_TARGET \$TETHER_TO" >> "$dir/changes"' }
targets:
  - { name: a, address: "127.0.0.1:$up", preset: redis }
  - { name: b, address: "127.0.0.1:$refused", preset: redis,
      on_change: 'echo "b: \$TETHER_FROM -> \$TETHER_TO" >> "$dir/b"' }
EOF
"$TETHER" --plain -c 2 "$dir/file.yaml" >"$dir/out" 2>"$dir/err" </dev/null
grep -qx 'a up' "$dir/changes" 2>/dev/null || fail "defaults' on_change did not run for a"
grep -q '^b ' "$dir/changes" 2>/dev/null && fail "b's own on_change did not replace the default"
grep -qx 'b: connecting -> down' "$dir/b" 2>/dev/null || fail "b's on_change did not run"
echo "ok - on_change from defaults and per target"

# ---- failures are reported ------------------------------------------------------

cat >"$dir/fails.yaml" <<EOF
defaults: { $fast }
targets:
  - { name: f, address: "127.0.0.1:$refused", preset: redis,
      on_change: 'echo cannot page anyone >&2; exit 3' }
EOF
"$TETHER" --json -c 2 "$dir/fails.yaml" >"$dir/out.jsonl" 2>"$dir/err" </dev/null
grep -q 'exited with status 3: cannot page anyone' "$dir/out.jsonl" "$dir/err" ||
  fail "a failed hook is not reported: $(cat "$dir/out.jsonl" "$dir/err" | tail -n 5)"
echo "ok - a failed hook is reported"

# ---- a hook that hangs ------------------------------------------------------

cat >"$dir/hangs.yaml" <<EOF
defaults: { $fast, hook_timeout: 700ms }
targets:
  - { name: h, address: "127.0.0.1:$refused", preset: redis,
      on_change: 'sleep 60 & echo \$! > "$dir/child"; sleep 60' }
EOF
start=$(date +%s%N)
"$TETHER" --json -c 1 "$dir/hangs.yaml" >"$dir/out.jsonl" 2>"$dir/err" </dev/null
took=$((($(date +%s%N) - start) / 1000000))
# The run ends at once; its end waits for the hook, at most hook_timeout.
[ "$took" -lt 3000 ] || fail "the run took $took ms with a hook of hook_timeout 700ms"
grep -q 'hook_timeout' "$dir/out.jsonl" "$dir/err" ||
  fail "the killed hook is not reported: $(cat "$dir/out.jsonl" "$dir/err" | tail -n 5)"
child=$(cat "$dir/child" 2>/dev/null)
if [ -n "$child" ]; then
  for _ in $(seq 50); do
    state=$(awk '{print $3}' "/proc/$child/stat" 2>/dev/null)
    [ -z "$state" ] || [ "$state" = Z ] && break
    sleep 0.05
  done
  [ -z "$state" ] || [ "$state" = Z ] || fail "the hook's background child $child still runs"
else
  fail "the hook did not start"
fi
echo "ok - a hanging hook is killed at hook_timeout with its child ($took ms in all)"

[ "$failures" -eq 0 ] || exit 1
echo "all checks passed"

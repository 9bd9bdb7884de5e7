#!/usr/bin/env bash
# test_until_cli.sh - tether --until in scripts: "up" ends the run with 0 as
# soon as every target is up, "down" as soon as one is down; a run that
# --duration or --count ends first exits 1; in every output mode; and the
# line people copy (tether --until up ... && migrate) does what it says.
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}
# shellcheck source=pong.sh
. "$(dirname "$0")/pong.sh"

dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  tmux -L tether-until-$$ kill-server 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

pong_start "$dir/server.out" 0
pids+=("$PONG_PID")
port=$PONG_PORT
refused=$("$TOOLS/free_port")
up="up=redis://127.0.0.1:$port"
down="down=redis://127.0.0.1:$refused"

# run WANT_STATUS MAX_MS ARGS...: tether's exit status and how long it took.
run() {
  local want=$1 max=$2 start took status
  shift 2
  start=$(date +%s%N)
  "$TETHER" "$@" >"$dir/out" 2>"$dir/err" </dev/null
  status=$?
  took=$((($(date +%s%N) - start) / 1000000))
  [ "$status" = "$want" ] || fail "tether $*: exit $status, expected $want: $(tail -n 3 "$dir/err")"
  [ "$took" -le "$max" ] || fail "tether $*: took $took ms, at most $max expected"
  echo "ok - tether $* -> $status in $took ms"
}

# Met: at once, whatever --duration says.
run 0 3000 --until up -d 30s --plain "$up" "up2=redis://127.0.0.1:$port"
run 0 3000 --until down -d 30s --plain "$up" "$down"
run 0 3000 --until up -d 30s --json "$up"
grep -q '"event":"summary"' "$dir/out" || fail "--until --json wrote no summaries"
# Not met: --duration or --count ends the run, with 1.
run 1 4000 --until up -d 2s --plain "$up" "$down"
run 1 4000 --until down -c 3 -i 200ms --plain "$up"
# Every target up is not "down".
run 1 4000 --until down -d 1s --json "$up"

# The line people copy.
if "$TETHER" --until up -d 30s "db=redis://127.0.0.1:$port" >/dev/null 2>&1 </dev/null &&
  echo migrate >"$dir/migrated"; then :; fi
[ -f "$dir/migrated" ] || fail "tether --until up ... && migrate did not migrate"

# The dashboard, too.
if command -v tmux >/dev/null; then
  tmux -L tether-until-$$ new-session -d -x 120 -y 30 \
    "TERM=xterm-256color '$TETHER' --until up -d 30s '$up'; echo \"status \$?\" > '$dir/dash'; sleep 2"
  for _ in $(seq 100); do
    [ -s "$dir/dash" ] && break
    sleep 0.05
  done
  grep -qx 'status 0' "$dir/dash" 2>/dev/null || fail "the dashboard with --until up: $(cat "$dir/dash" 2>/dev/null)"
  echo "ok - the dashboard ends at --until up"
else
  echo "skip - no tmux: the dashboard is not checked"
fi

"$TETHER" --until sideways "$up" >/dev/null 2>"$dir/err"
[ $? = 2 ] || fail "--until sideways is not a usage error"
grep -q -- '--until' "$dir/err" || fail "--until sideways: $(cat "$dir/err")"

[ "$failures" -eq 0 ] || exit 1
echo "all checks passed"

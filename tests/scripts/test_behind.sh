#!/usr/bin/env bash
# test_behind.sh - more heartbeats than the loop can send is never silent:
# 2 000 persistent targets at a 5 ms interval (400 000 pings a second)
# against one local pong server: the summaries count the slots that went
# by in `skipped`, and the dashboard's header says BEHIND.
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}
# shellcheck source=pong.sh
. "$(dirname "$0")/pong.sh"
dir=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  tmux -L tether-behind-$$ kill-server 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
pong_start "$dir/server.out" 0
server=$PONG_PID port=$PONG_PORT

{
  echo "defaults: { interval: 5ms, preset: redis }"
  echo "targets:"
  for i in $(seq 0 1999); do echo "  - { name: t$i, address: \"127.0.0.1:$port\" }"; done
} >"$dir/many.yaml"

"$TETHER" --json -d 2s "$dir/many.yaml" >"$dir/out.jsonl" 2>"$dir/err" </dev/null
skipped=$(jq -s '[.[] | select(.event == "summary") | .skipped] | add' "$dir/out.jsonl")
summaries=$(jq -s '[.[] | select(.event == "summary")] | length' "$dir/out.jsonl")
[ "$summaries" = 2000 ] || fail "$summaries summaries, expected 2000"
[ "${skipped:-0}" -gt 0 ] 2>/dev/null || fail "no slot counted as skipped ($skipped)"
echo "ok - --json: $skipped slots skipped, counted in the summaries"

# The dashboard says so in its header, while it happens.
if command -v tmux >/dev/null; then
  tmux -L tether-behind-$$ new-session -d -x 120 -y 30 \
    "TERM=xterm-256color '$TETHER' -d 6s '$dir/many.yaml'; sleep 5"
  seen=
  for _ in $(seq 80); do
    if tmux -L tether-behind-$$ capture-pane -p | head -n 1 | grep -Eq 'BEHIND [0-9]+'; then
      seen=1
      break
    fi
    sleep 0.1
  done
  [ -n "$seen" ] || fail "the dashboard's header never said BEHIND: $(tmux -L tether-behind-$$ capture-pane -p | head -n 1)"
  [ -n "$seen" ] && echo "ok - the dashboard's header says BEHIND"
else
  echo "skip - no tmux: the header is not checked"
fi

[ "$failures" -eq 0 ] || exit 1
echo "all checks passed"

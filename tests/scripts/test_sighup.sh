#!/usr/bin/env bash
# test_sighup.sh - SIGHUP re-reads the configuration file while tether
# runs: a target that stays keeps its connection and statistics, one that
# changed restarts, one that left writes its summary and goes, a new one
# joins; a file with an error changes nothing and says where the error is;
# without a file there is nothing to read again, and the run goes on.
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}
# shellcheck source=pong.sh
. "$(dirname "$0")/pong.sh"
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
dir=$(mktemp -d)
server= pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { if [ "$2" = "$3" ]; then echo "ok - $1"; else fail "$1: '$2', expected '$3'"; fi; }

pong_start "$dir/server.out" 0
server=$PONG_PID port=$PONG_PORT

conf=$dir/targets.yaml
write_conf() { # the targets, as YAML lines after the defaults
  { echo "defaults: { interval: 200ms, preset: redis }"; echo "targets:"; cat; } >"$conf"
}
write_conf <<YAML
  - { name: stays, address: "127.0.0.1:$port" }
  - { name: leaves, address: "127.0.0.1:$port" }
  - { name: changes, address: "127.0.0.1:$port" }
YAML

out=$dir/out.jsonl
"$TETHER" --json "$conf" >"$out" 2>"$dir/err" </dev/null &
pid=$!
# count TARGET EVENT [JQ-CONDITION]
count() {
  jq -cR --arg t "$1" --arg e "$2" \
    "fromjson? | select(.target == \$t and .event == \$e) | select(${3:-true})" "$out" | wc -l
}
events() { jq -cR --arg e "$1" "fromjson? | select(.event == \$e)" "$out"; }
# wait_for N CMD...: until CMD prints a number >= N (5 s at most)
wait_for() {
  local n=$1 i
  shift
  for i in $(seq 100); do
    [ "$("$@")" -ge "$n" ] && return 0
    sleep 0.05
  done
  return 1
}

wait_for 3 count stays heartbeat || fail "no heartbeats before the reload"
write_conf <<YAML
  - { name: stays, address: "127.0.0.1:$port" }
  - { name: changes, address: "127.0.0.1:$port", interval: 300ms }
  - { name: joins, address: "127.0.0.1:$port" }
YAML
kill -HUP "$pid"
wait_for 1 eval 'events reload | wc -l' || fail "no reload event"
r=$(events reload | head -n 1)
check "reload: ok" "$(jq -r .ok <<<"$r")" true
check "reload: added" "$(jq -c .added <<<"$r")" '["joins"]'
check "reload: removed" "$(jq -c .removed <<<"$r")" '["leaves"]'
check "reload: changed" "$(jq -c .changed <<<"$r")" '["changes"]'
check "removed event" "$(count leaves removed)" 1
check "the leaver's summary, as it goes" "$(count leaves summary)" 1
check "added event" "$(count joins added)" 1
wait_for 2 count joins heartbeat || fail "the new target does not probe"
before=$(count leaves heartbeat)
seq_before=$(jq -cR 'fromjson? | select(.target == "stays" and .event == "heartbeat") | .seq' "$out" | tail -n 1)

# A file with an error: nothing changes, the error says where.
printf 'targets:\n  - { name: stays, address: "127.0.0.1:%s", interval: soon }\n' "$port" >"$conf"
kill -HUP "$pid"
wait_for 2 eval 'events reload | wc -l' || fail "no second reload event"
r=$(events reload | tail -n 1)
check "bad file: ok" "$(jq -r .ok <<<"$r")" false
col=$(awk 'NR == 2 { print index($0, "soon") }' "$conf")
check "bad file: where" "$(jq -r .error <<<"$r")" \
  "$conf:2:$col: interval 'soon' is not a duration; write one like 250ms, 2s, 1m"
wait_for 2 count joins heartbeat '.seq > 2' || fail "the run did not go on"

kill -TERM "$pid"
wait "$pid"
status=$?
pid=
check "exit status" "$status" 0
check "nothing of the leaver after it left" "$(count leaves heartbeat)" "$before"
# stays kept its sequence (and connection): its seq went on counting.
seq_after=$(jq -cR 'fromjson? | select(.target == "stays" and .event == "heartbeat") | .seq' "$out" | tail -n 1)
[ "$seq_after" -gt "$seq_before" ] || fail "stays' seq did not go on ($seq_before, $seq_after)"
check "stays: one summary at the end" "$(count stays summary)" 1
check "stays: sent = its heartbeats" "$(jq -cR 'fromjson? | select(.target == "stays" and .event == "summary") | .sent' "$out")" \
  "$(count stays heartbeat)"
check "changes: summary with its whole history" \
  "$(jq -cR 'fromjson? | select(.target == "changes" and .event == "summary") | .sent' "$out")" \
  "$(count changes heartbeat)"
grep -q "reload: $conf:2:$col: interval" "$dir/err" || fail "stderr does not name the error: $(cat "$dir/err")"

# Without a configuration file: said, and the run goes on.
"$TETHER" --plain -d 1s "127.0.0.1:$port" >"$dir/plain" 2>"$dir/plain.err" </dev/null &
pid=$!
sleep 0.3 # the run is under way; the signal is the condition under test
kill -HUP "$pid"
wait "$pid"
check "no file: exit status" "$?" 0
pid=
grep -q "reload failed, nothing changed: there is no configuration file" "$dir/plain" ||
  fail "no reload line in the plain output"

# A reload that replaces 2 000 targets reports, in one loop pass, every
# one that leaves (removed, summary) and every one that joins (added):
# some 1.5 MB, more than a small fixed bound on the output's queue would
# hold; none of it is dropped.
many() { # many PREFIX: 2 000 targets
  { echo "defaults: { interval: 1s, preset: redis }"; echo "targets:"
    for i in $(seq 2000); do echo "  - { name: $1$i, address: \"127.0.0.1:$port\" }"; done
  } >"$conf"
}
many old
out=$dir/many.jsonl
"$TETHER" --json "$conf" >"$out" 2>"$dir/many.err" </dev/null &
pid=$!
wait_for 2000 eval 'events heartbeat | wc -l' || fail "2 000 targets: no first heartbeats"
many new
kill -HUP "$pid"
wait_for 1 eval 'events reload | wc -l' || fail "2 000 targets: no reload event"
kill -TERM "$pid"
wait "$pid"
pid=
check "2 000 replaced: removed" "$(events removed | wc -l)" 2000
check "2 000 replaced: added" "$(events added | wc -l)" 2000
check "2 000 replaced: summaries of the leavers" \
  "$(events summary | jq -r .target | grep -c '^old')" 2000
check "2 000 replaced: nothing dropped" "$(events dropped | wc -l)" 0

# R in the dashboard: the same reload, said on the screen and in the log.
if command -v tmux >/dev/null; then
  sock=tether-sighup-$$
  write_conf <<YAML
  - { name: first, address: "127.0.0.1:$port" }
  - { name: second, address: "127.0.0.1:$port" }
YAML
  log=$dir/dash.jsonl
  tmux -L "$sock" -f /dev/null new-session -d -x 100 -y 30 \
    "TERM=xterm-256color '$TETHER' --log '$log' '$conf'; sleep 30"
  screen() { tmux -L "$sock" capture-pane -p; }
  # on_screen TEXT: waits (5 s at most) for TEXT on the screen.
  on_screen() {
    for _ in $(seq 100); do screen | grep -qF -- "$1" && return 0; sleep 0.05; done
    return 1
  }
  on_screen second || fail "the dashboard did not show its targets: $(screen)"
  write_conf <<YAML
  - { name: first, address: "127.0.0.1:$port" }
  - { name: second, address: "127.0.0.1:$port" }
  - { name: third, address: "127.0.0.1:$port" }
YAML
  tmux -L "$sock" send-keys R
  on_screen "reloaded: 1 added, 0 removed, 0 changed" ||
    fail "R: the dashboard did not say how the reload went: $(screen | tail -n 3)"
  on_screen third || fail "R: the new target has no row"
  out=$log
  check "R: a reload event in the log" "$(events reload | jq -c .added)" '["third"]'
  printf 'targets:\n  - { name: first, address: nowhere }\n' >"$conf"
  tmux -L "$sock" send-keys R
  on_screen "reload refused, nothing changed" ||
    fail "R with a broken file: not said: $(screen | tail -n 3)"
  tmux -L "$sock" send-keys q
  tmux -L "$sock" kill-server 2>/dev/null
else
  echo "skip - no tmux: R in the dashboard is not checked"
fi

[ "$failures" -eq 0 ] || exit 1
echo "all checks passed"

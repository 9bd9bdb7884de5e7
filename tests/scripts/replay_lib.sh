# replay_lib.sh - sourced by the replay tests: a real run that tether
# records with --log while its server goes down and comes back. The test
# sets TETHER, TOOLS, dir and pids (an array of what to kill at exit).

# shellcheck source=pong.sh
. "$(dirname "${BASH_SOURCE[0]}")/pong.sh"

# serve PORT: a pong server on 127.0.0.1:PORT (0: any); sets port and
# server_pid.
serve() {
  pong_start "$dir/server.out" "$1"
  server_pid=$PONG_PID port=$PONG_PORT
  pids+=("$server_pid")
}

# wait_log JQ_FILTER COUNT: until the log holds COUNT events it selects.
wait_log() {
  for _ in $(seq 200); do
    n=$(jq -c "select($1)" "$log" 2>/dev/null | wc -l)
    [ "$n" -ge "$2" ] && return 0
    sleep 0.05
  done
  echo "FAIL: the log never held $2 of $1"
  exit 1
}

# record LOG [TARGET...]: tether --log LOG watches svc (a pong server,
# every 200ms) and the TARGETs; svc's server is killed once svc has
# answered three times and started again on its port once svc has failed
# three times; tether ends (SIGTERM) once svc has answered three times
# more. Sets log; returns tether's exit status.
record() {
  log=$1
  shift
  serve 0
  "$TETHER" --log "$log" --json -i 200ms -t 150ms \
    "svc=redis://127.0.0.1:$port" "$@" \
    >"$dir/live.jsonl" 2>"$dir/live.err" </dev/null &
  local tether_pid=$! svc='.target == "svc"'
  pids+=("$tether_pid")
  wait_log "$svc and .event == \"heartbeat\" and .class == \"ok\"" 3
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null
  wait_log "$svc and .event == \"state\" and .to == \"down\"" 1
  wait_log "$svc and .event == \"heartbeat\" and .class != \"ok\"" 3
  serve "$port"
  wait_log "$svc and .event == \"state\" and .to == \"up\"" 2
  local n_ok
  n_ok=$(jq -c "select($svc and .event == \"heartbeat\" and .class == \"ok\")" "$log" | wc -l)
  wait_log "$svc and .event == \"heartbeat\" and .class == \"ok\"" $((n_ok + 3))
  kill -TERM "$tether_pid"
  wait "$tether_pid"
}

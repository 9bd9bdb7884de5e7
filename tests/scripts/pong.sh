# pong.sh - sourced by the script tests: tests/tools/fault_serve, the pong
# server, started on 127.0.0.1 and waited for. The test sets TOOLS.

# pong_start OUT PORT [ARGS...]: fault_serve on 127.0.0.1:PORT (0: any
# free port) with ARGS, what it prints in OUT; sets PONG_PID, and
# PONG_PORT once it listens (5 s at most), or the test fails here.
pong_start() {
  local out=$1 want=$2
  shift 2
  "$TOOLS/fault_serve" 127.0.0.1 "$want" "$@" >"$out" &
  PONG_PID=$!
  PONG_PORT=
  for _ in $(seq 100); do
    PONG_PORT=$(sed -n 's/^ready //p' "$out" 2>/dev/null)
    [ -n "$PONG_PORT" ] && return 0
    sleep 0.05
  done
  echo "FAIL: the pong server did not start (port $want)"
  exit 1
}

#!/usr/bin/env bash
# test_signals.sh - every signal whose default is to end the process (but
# SIGHUP, which reloads: test_sighup.sh) ends the run cleanly: against
# --plain, each of them (the real-time ones too) gives the summary table
# and the exit status of the usual rule (0: the one target is up); against
# the dashboard in a detached tmux, SIGTERM, SIGQUIT, SIGUSR1 and SIGALRM
# give the terminal back (modes restored, the alternate screen left) and
# print the summary.
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}

dir=$(mktemp -d)
server=
SOCK="tt-sig-$$-$RANDOM"
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  command -v tmux >/dev/null && tmux -L "$SOCK" kill-server >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup EXIT
PASS=0
FAIL=0
ok() { echo "ok - $*"; PASS=$((PASS + 1)); }
fail() { echo "not ok - $*"; FAIL=$((FAIL + 1)); }

"$TOOLS/tt_faultd" respond >"$dir/port" &
server=$!
for _ in $(seq 1 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
port=$(cat "$dir/port")
[ -n "$port" ] || { echo "FAIL: the fault server did not start"; exit 1; }

# ---- --plain, every signal -------------------------------------------------

signals=(INT TERM QUIT USR1 USR2 ALRM VTALRM PROF IO XCPU)
for s in POLL PWR STKFLT; do
  kill -l "$s" >/dev/null 2>&1 && signals+=("$s")
done
for n in $(seq "$(kill -l RTMIN)" "$(kill -l RTMAX)"); do signals+=("$n"); done

# A script's background jobs start with SIGINT and SIGQUIT ignored, and
# tether keeps a signal ignored at its start ignored (as nohup needs): the
# runs below start with every signal at its default.
if env --default-signal true 2>/dev/null; then
  launch=(env --default-signal)
else
  set -m # job control: background jobs keep the default dispositions
  launch=()
fi

# started FILE: waits for the first heartbeat, which says that the run is
# under way (its signals watched).
started() {
  for _ in $(seq 1 100); do grep -qs '  ok  ' "$1" && return 0; sleep 0.05; done
  return 1
}

# ended PID: waits up to 10 s for it to end; kills it if it does not.
ended() {
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1"
  return 1
}

# plain_signal SIG: a run with one target that is up, ended by SIG.
plain_signal() {
  local sig=$1 out="$dir/plain-$1.out" err="$dir/plain-$1.err" pid status
  "${launch[@]}" "$TETHER" --plain -i 200ms "up=127.0.0.1:$port" >"$out" 2>"$err" &
  pid=$!
  started "$out"
  kill -s "$sig" "$pid" 2>/dev/null || kill "-$sig" "$pid"
  ended "$pid" || echo "    SIG$sig did not end the run within 10 s"
  wait "$pid"
  status=$?
  if [ "$status" -eq 0 ] && grep -Eq "^up +up +[0-9]+ " "$out" &&
    [ ! -s "$err" ]; then
    ok "--plain, SIG$sig: summary written, status 0"
  else
    fail "--plain, SIG$sig: status $status, summary $(grep -c '^NAME' "$out"), stderr '$(cat "$err")'"
  fi
}
for sig in "${signals[@]}"; do
  case $sig in
  [0-9]*) name=$(kill -l "$sig") ;;
  *) name=$sig ;;
  esac
  plain_signal "$sig"
  [ "$name" = "$sig" ] || echo "    (signal $sig is SIG$name)"
done

# ---- a signal ignored at the start stays ignored -----------------------------

if env --ignore-signal=HUP true 2>/dev/null; then
  out="$dir/nohup.out"
  env --ignore-signal=HUP "$TETHER" --plain -i 200ms "up=127.0.0.1:$port" \
    >"$out" 2>"$dir/nohup.err" &
  pid=$!
  started "$out"
  kill -HUP "$pid"
  sleep 0.5
  if kill -0 "$pid" 2>/dev/null; then
    ok "SIGHUP ignored at the start (nohup) stays ignored"
  else
    fail "SIGHUP ignored at the start (nohup) ended the run"
  fi
  kill -TERM "$pid"
  ended "$pid"
  wait "$pid"
  status=$?
  [ "$status" -eq 0 ] && grep -Eq "^up +up +[0-9]+ " "$out" &&
    ok "nohup: SIGTERM still ends the run cleanly" ||
    fail "nohup: SIGTERM gave status $status"
fi

# ---- the dashboard ----------------------------------------------------------

if ! command -v tmux >/dev/null 2>&1; then
  echo "SKIP: tmux is not installed; the dashboard's signals are not checked"
else
  T() { tmux -L "$SOCK" "$@"; }
  DEADLINE=20
  wait_for() { # SESSION ERE [history]
    local end=$((SECONDS + DEADLINE)) from=()
    [ $# -ge 3 ] && from=(-S -)
    while ((SECONDS < end)); do
      T capture-pane -p "${from[@]}" -t "$1" | grep -Eq -- "$2" && return 0
      sleep 0.1
    done
    return 1
  }
  alternate_off() { [ "$(T display -p -t "$1" '#{alternate_on}')" = 0 ]; }
  first=1
  for sig in TERM QUIT USR1 ALRM; do
    s="sig$sig"
    cmd="env LANG=C.UTF-8 LC_ALL=C.UTF-8 sh -c '\"\$0\" --demo; echo EXITED:\$?; stty -a; exec sleep 600' '$TETHER'"
    if [ "$first" = 1 ]; then
      T -f /dev/null new-session -d -s "$s" -x 100 -y 30 "$cmd"
      first=0
    else
      T new-session -d -s "$s" -x 100 -y 30 "$cmd"
    fi
    if ! wait_for "$s" '^NAME '; then
      fail "dashboard, SIG$sig: the dashboard did not come up"
      continue
    fi
    tpid=$(pgrep -P "$(T display -p -t "$s" '#{pane_pid}')" | head -n 1)
    [ -n "$tpid" ] && kill -s "$sig" "$tpid"
    if wait_for "$s" '^EXITED:1$'; then
      ok "dashboard, SIG$sig: the run ends with status 1 (the demo has targets down)"
    else
      fail "dashboard, SIG$sig: no EXITED:1"
    fi
    # The summary's heading (the dashboard's own has no SENT column).
    wait_for "$s" '^NAME +STATE +SENT +LOSS ' history &&
      ok "dashboard, SIG$sig: the summary is printed" ||
      fail "dashboard, SIG$sig: no summary"
    alternate_off "$s" &&
      ok "dashboard, SIG$sig: the alternate screen is left" ||
      fail "dashboard, SIG$sig: still on the alternate screen"
    wait_for "$s" ' icanon .* echo ' &&
      ok "dashboard, SIG$sig: the terminal modes are restored" ||
      fail "dashboard, SIG$sig: the terminal is left raw"
    T capture-pane -p -S - -t "$s" | grep -Eq 'Sanitizer|runtime error:' &&
      fail "dashboard, SIG$sig: a sanitizer report"
  done
fi

echo "signals: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

# tests/servers/events.sh - tether as the tests run it: its JSON events read,
# a server frozen under it, and the checks that print ok: or FAIL:.
# Sourced by lib.sh: every test that sources lib.sh has these too.

# ---- tether's events ------------------------------------------------------
#
# The tests read tether's --json output with jq. Lines are read with
# fromjson? so that a file still being written (its last line not yet
# ended) can be polled.

# ev FILE TARGET EVENT [JQ-CONDITION]: the matching events, one per line.
ev() {
  jq -cR --arg t "$2" --arg e "$3" \
    "fromjson? | select(.target == \$t and .event == \$e) | select(${4:-true})" "$1"
}

# ev_count FILE TARGET EVENT [JQ-CONDITION]: how many.
ev_count() { ev "$@" | wc -l; }

# ev_states FILE TARGET: the state changes as "from>to" words.
ev_states() {
  ev "$1" "$2" state | jq -r '.from + ">" + .to' | paste -sd ' ' -
}

# ev_summary FILE TARGET FIELD: a field of the target's summary.
ev_summary() { ev "$1" "$2" summary | jq -r ".$3"; }

# ev_classes FILE TARGET: heartbeat classes seen, as "class:count" words.
ev_classes() {
  ev "$1" "$2" heartbeat | jq -r .class | sort | uniq -c |
    awk '{printf "%s%s:%s", (NR > 1 ? " " : ""), $2, $1}'
}

# wait_events FILE TARGET EVENT N [JQ-CONDITION] [SECONDS]: polls FILE until
# it holds N such events; fails after SECONDS (default 10), or as soon as
# the tether of tether_start that writes FILE has ended without them.
wait_events() {
  local end=$((SECONDS + ${6:-10})) running=1
  while (($(ev_count "$1" "$2" "$3" "${5:-true}") < $4)); do
    ((running && SECONDS < end)) || return 1
    srv_alive "$TETHER_PID" || running=0
    sleep 0.05
  done
}

# tether_start OUT ARGS...: `$TETHER --json ARGS` in the background, its
# events in OUT and its stderr in OUT.err; its pid in $TETHER_PID.
tether_start() {
  local out=$1
  shift
  "${TETHER:?set by CTest}" --json "$@" >"$out" 2>"$out.err" </dev/null &
  TETHER_PID=$!
}

# tether_wait OUT [PID]: waits for the run of tether_start (the last one,
# or PID) to end; its exit status in $TETHER_STATUS. What it said on
# stderr is shown.
tether_wait() {
  wait "${2:-$TETHER_PID}"
  TETHER_STATUS=$?
  if [ -s "$1.err" ]; then
    echo "tether said on stderr:"
    sed 's/^/  /' "$1.err"
  fi
}

# tether_run OUT ARGS...: tether_start and tether_wait.
tether_run() {
  tether_start "$@"
  tether_wait "$1"
}

# ev_since SKIP FILE TARGET EVENT [JQ-CONDITION]: ev over the lines of
# FILE after its first SKIP.
ev_since() {
  local skip=$1
  shift
  tail -n +"$((skip + 1))" "$1" | ev /dev/stdin "${@:2}"
}

# ---- freezing a server under tether ---------------------------------------

declare -A FROZEN_AT THAWED_AT   # per target: heartbeats written by then
FROZEN_LINE=0 THAWED_LINE=0      # lines of the events file by then

# freeze_run OUT "DIR..." "TARGET..." ARGS...: runs tether (ARGS) while
# the servers in DIR... are frozen and thawed: once every TARGET has had
# two ok heartbeats the servers are frozen; once every target has had five
# more heartbeats they are thawed; once every target is up again (or 5s
# have passed) tether is ended with SIGTERM. check_frozen reads the result.
freeze_run() {
  local out=$1 dirs=$2 targets=$3 d t
  shift 3
  tether_start "$out" "$@"
  for t in $targets; do
    wait_events "$out" "$t" heartbeat 2 '.class == "ok"' 10 ||
      echo "$t: no two ok heartbeats before the freeze"
  done
  for d in $dirs; do freeze "$d"; done
  FROZEN_LINE=$(wc -l <"$out")
  for t in $targets; do FROZEN_AT[$t]=$(ev_count "$out" "$t" heartbeat); done
  for t in $targets; do
    wait_events "$out" "$t" heartbeat $((FROZEN_AT[$t] + 5)) true 10 ||
      echo "$t: no five heartbeats while frozen"
  done
  for t in $targets; do THAWED_AT[$t]=$(ev_count "$out" "$t" heartbeat); done
  THAWED_LINE=$(wc -l <"$out")
  for d in $dirs; do thaw "$d"; done
  local end=$((SECONDS + 5))
  for t in $targets; do
    while (($(ev_since "$THAWED_LINE" "$out" "$t" state '.to == "up"' | wc -l) == 0)); do
      ((SECONDS < end)) && srv_alive "$TETHER_PID" || break
      sleep 0.05
    done
  done
  kill -TERM "$TETHER_PID" 2>/dev/null
  tether_wait "$out"
}

# check_frozen OUT TARGET: what freeze_run must have shown for TARGET:
# every heartbeat started while the server was frozen is a timeout (the
# first after the freeze may have been answered before it), the target
# left `up` for degraded or down while frozen, and it is up again after
# the thaw and at the end.
check_frozen() {
  local out=$1 t=$2 n0=${FROZEN_AT[$2]} n1=${THAWED_AT[$2]} lost
  check_at_least "$t frozen: heartbeats while frozen" $((n1 - n0)) 5
  check "$t frozen: heartbeats $((n0 + 2))..$n1 that are timeouts" \
    "$(ev_count "$out" "$t" heartbeat ".seq > $((n0 + 1)) and .seq <= $n1 and .class == \"timeout\"")" \
    $((n1 - n0 - 1))
  lost=$(sed -n "$((FROZEN_LINE + 1)),${THAWED_LINE}p" "$out" |
    ev /dev/stdin "$t" state '.to == "degraded" or .to == "down"' | jq -r .to | paste -sd ' ' -)
  if [ -n "$lost" ]; then pass "$t frozen: state went to $lost"; else fail "$t frozen: stayed up"; fi
  check "$t thawed: state changes after the thaw" \
    "$(ev_since "$THAWED_LINE" "$out" "$t" state | jq -r .to | tail -n 1)" up
  check "$t thawed: summary state" "$(ev_summary "$out" "$t" state)" up
}

# ---- assertions -----------------------------------------------------------

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
pass() { echo "ok: $*"; }

# check WHAT GOT WANT: GOT equals WANT.
check() {
  if [ "$2" = "$3" ]; then pass "$1: $2"; else fail "$1: '$2', expected '$3'"; fi
}

# check_range WHAT GOT MIN MAX: MIN <= GOT <= MAX.
check_range() {
  if [ "$2" -ge "$3" ] 2>/dev/null && [ "$2" -le "$4" ]; then
    pass "$1: $2 (in $3..$4)"
  else
    fail "$1: '$2', expected $3..$4"
  fi
}

# check_at_least WHAT GOT MIN
check_at_least() {
  if [ "$2" -ge "$3" ] 2>/dev/null; then pass "$1: $2 (>= $3)"; else fail "$1: '$2', expected >= $3"; fi
}

# check_healthy FILE TARGET MIN MAX: a healthy server as the contract
# wants it: states exactly connecting>up, every heartbeat ok, between MIN
# and MAX heartbeats (one per interval), no flap, up at the end.
check_healthy() {
  local f=$1 t=$2 n
  n=$(ev_count "$f" "$t" heartbeat)
  check "$t: states" "$(ev_states "$f" "$t")" "connecting>up"
  check "$t: heartbeat classes" "$(ev_classes "$f" "$t")" "ok:$n"
  check_range "$t: heartbeats" "$n" "$3" "$4"
  check "$t: summary flaps" "$(ev_summary "$f" "$t" flaps)" 0
  check "$t: summary state" "$(ev_summary "$f" "$t" state)" up
}

# check_log WHAT FILE ERE [SKIP]: no line of FILE after its first SKIP
# lines matches ERE; the matching lines are shown when some do.
check_log() {
  local what=$1 file=$2 ere=$3 skip=${4:-0} hits
  hits=$(tail -n +"$((skip + 1))" "$(readlink -f "$file")" | grep -E -- "$ere")
  if [ -z "$hits" ]; then
    pass "$what: no line matches /$ere/"
  else
    fail "$what: $(wc -l <<<"$hits") lines match /$ere/, first: $(head -n 3 <<<"$hits")"
  fi
}

# log_lines DIR: the number of lines in a server's log now (check_log's
# SKIP, to judge only what is logged after this point).
log_lines() { wc -l <"$(readlink -f "$1/log")"; }

# finish: the test's exit status.
finish() {
  if [ "$failures" -eq 0 ]; then
    echo "all checks passed"
    exit 0
  fi
  echo "$failures checks failed"
  exit 1
}

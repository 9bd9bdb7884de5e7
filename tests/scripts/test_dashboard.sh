#!/usr/bin/env bash
# test_dashboard.sh - drives the real dashboard (`tether --demo`) in a
# detached tmux on a private socket: reads the screen with capture-pane,
# presses every key and checks that it does what the help says, resizes,
# quits, and checks that the terminal is given back.
#
# Synchronisation is by polling the screen until the expected text appears
# or a generous deadline passes; nothing waits a fixed time. What the
# demo holds (its targets, the columns that sort) is asked of the program
# (`--check`, the help screen), not written down here. The shell that runs
# tether prints EXITED:<status> when it ends: a check that the dashboard
# is still there looks for its live header and for no such marker.
# Exit 0 on pass, 1 on failure, 77 when tmux is missing. TT_DASH_FAIL_FAST=1
# stops at the first failure (to see a broken behaviour fail quickly).
set -u

if ! command -v tmux >/dev/null 2>&1; then
  echo "SKIP: tmux is not installed (apt-get install tmux)"
  exit 77
fi
if [ -z "${TETHER:-}" ] || [ ! -x "$TETHER" ]; then
  echo "test_dashboard: TETHER must name the tether binary (CTest sets it)" >&2
  exit 1
fi

SOCK="tt-dash-$$-$RANDOM"
DEADLINE=${TT_DASH_DEADLINE:-20}
PASS=0
FAIL=0
UTF8_LOCALE=C.UTF-8

T() { tmux -L "$SOCK" "$@"; }

cleanup() {
  tmux -L "$SOCK" kill-server >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# What the demo watches, as the program lists it.
TARGETS=$("$TETHER" --demo --check | sed -n 's/^\([0-9][0-9]*\) targets in .*/\1/p')
if ! [ "${TARGETS:-0}" -gt 0 ] 2>/dev/null; then
  echo "test_dashboard: tether --demo --check did not say how many targets" >&2
  exit 1
fi

# ---- helpers -------------------------------------------------------------

# start SESSION COLS ROWS [VAR=value ...]: runs tether --demo in a new
# detached session; when it ends the shell says EXITED:<status> and prints
# the terminal modes, then waits so that the pane can still be read.
start() {
  local s=$1 x=$2 y=$3
  shift 3
  local envs="LANG=$UTF8_LOCALE LC_ALL=$UTF8_LOCALE $*"
  local cmd="env $envs sh -c '\"\$0\" --demo; echo EXITED:\$?; stty -a; exec sleep 600' '$TETHER'"
  if [ -z "$(T list-sessions 2>/dev/null)" ]; then
    # The first session starts the server: no user config, and a long
    # history so that the summary after exit stays readable.
    T -f /dev/null new-session -d -s "$s" -x "$x" -y "$y" "$cmd"
  else
    T new-session -d -s "$s" -x "$x" -y "$y" "$cmd"
  fi
}

screen() { T capture-pane -p -t "$1"; }
screen_e() { T capture-pane -p -e -t "$1"; }
history() { T capture-pane -p -S - -t "$1"; }
keys() { local s=$1; shift; T send-keys -t "$s" "$@"; }
text() { T send-keys -t "$1" -l "$2"; }

# wait_for SESSION ERE: polls the screen until a line matches.
wait_for() {
  local end=$((SECONDS + DEADLINE))
  while ((SECONDS < end)); do
    screen "$1" | grep -Eq -- "$2" && return 0
    sleep 0.1
  done
  return 1
}

# wait_for_hist SESSION ERE: the same over the pane's history too (what
# tether printed after the dashboard may have scrolled).
wait_for_hist() {
  local end=$((SECONDS + DEADLINE))
  while ((SECONDS < end)); do
    history "$1" | grep -Eq -- "$2" && return 0
    sleep 0.1
  done
  return 1
}

# wait_gone SESSION ERE: polls the screen until no line matches.
wait_gone() {
  local end=$((SECONDS + DEADLINE))
  while ((SECONDS < end)); do
    screen "$1" | grep -Eq -- "$2" || return 0
    sleep 0.1
  done
  return 1
}

# wait_true CMD...: polls a command until it succeeds.
wait_true() {
  local end=$((SECONDS + DEADLINE))
  while ((SECONDS < end)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

LAST_SESSION=main
check() { # description, command...
  local what=$1
  shift
  if "$@"; then
    echo "ok - $what"
    PASS=$((PASS + 1))
  else
    echo "not ok - $what"
    FAIL=$((FAIL + 1))
    echo "---- screen of '$LAST_SESSION' ----"
    screen "$LAST_SESSION" 2>/dev/null | sed 's/^/    /'
    echo "----"
    [ -z "${TT_DASH_FAIL_FAST:-}" ] || exit 1
  fi
}

# The dashboard is running: its header on top and no exit marker.
exited() { history "$1" | grep -q '^EXITED:'; }
live() {
  header "$1" | grep -Eq '[0-9]{2}:[0-9]{2}:[0-9]{2} *$' && ! exited "$1"
}
# live SESSION and a line matching ERE.
live_with() { live "$1" && screen "$1" | grep -Eq -- "$2"; }

# The table's rows: lines after the heading that start with a name and
# hold a state.
rows() {
  screen "$1" | awk 'seen && /^[^ ]/ && / (up|degraded|connecting|down) / {print}
                     /^NAME / {seen=1}'
}
row_count() { rows "$1" | wc -l; }
first_row() { rows "$1" | head -n 1; }
last_row() { rows "$1" | tail -n 1; }
heading() { screen "$1" | grep -E '^NAME' | head -n 1; }
header() { screen "$1" | head -n 1; }
keybar() { screen "$1" | tail -n 1; }
clock() { header "$1" | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}' | tail -n 1; }
# The header's count of targets in a state.
count_of() { header main | grep -oE "[0-9]+ $1" | head -n 1 | cut -d' ' -f1; }

# Which table line (1-based) is drawn in reverse video: the selection.
# capture-pane -e writes an attribute only where it changes, so the state
# is followed from line to line; a line is reverse when its first cell is.
sgr_lines() {
  screen_e "$1" | awk '
    function apply(seq,   n, a, i) {
      n = split(seq, a, ";")
      for (i = 1; i <= n; i++) {
        if (a[i] == "" || a[i] == 0) rev = 0
        else if (a[i] == 7) rev = 1
        else if (a[i] == 27) rev = 0
        else if (a[i] == 38 || a[i] == 48) i += (a[i + 1] == 5 ? 2 : 4)
      }
    }
    {
      line = $0; first = -1; inner = 0
      while (match(line, /\033\[[0-9;]*m/)) {
        if (RSTART > 1 && first < 0) first = rev
        if (RSTART > 1 && first >= 0 && length(line) > RSTART + RLENGTH - 1)
          inner++
        apply(substr(line, RSTART + 2, RLENGTH - 3))
        line = substr(line, RSTART + RLENGTH)
      }
      if (first < 0) first = rev
      print first, inner, $0
    }'
}
selected_row() {
  sgr_lines "$1" | awk 'started { n++; if ($1 == 1) { print n; exit } }
                        /NAME/ && !started { started = 1 }'
}
# The selected line: how many attribute changes it has between its first
# and last characters (0: one look from end to end).
selected_changes() {
  sgr_lines "$1" | awk 'started && $1 == 1 { print $2; exit }
                        /NAME/ && !started { started = 1 }'
}

# SGR colour parameters: 30-37, 38;..., 40-47, 48;..., 90-97, 100-107.
# 39 and 49 (default colours) are resets that tmux writes anyway.
has_colour_sgr() {
  grep -qE $'\e\\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m'
}

# A sanitizer build reports on stderr, which is the pane.
no_sanitizer_report() {
  ! history "$1" | grep -Eq 'Sanitizer|runtime error:'
}

alternate_off() { [ "$(T display -p -t "$1" '#{alternate_on}')" = 0 ]; }

# Predicates on the main session, for wait_true.
first_is() { first_row main | grep -Eq " $1 "; }
last_is() { last_row main | grep -Eq " $1 "; }
selected_is() { [ "$(selected_row main)" = "$1" ]; }
rows_are() { [ "$(row_count main)" -eq "$1" ]; }
heading_has() { [[ "$(heading main)" == *"$1"* ]]; }
heading_lacks() { ! heading_has "$1"; }
sorted_state_reversed() { heading_has 'STATE▼' && first_is up; }
sorted_state() { heading_has 'STATE▲' && first_is down; }
no_rtt_last() { last_row main | grep -Eq '^[a-z0-9-]+ +[^ ]+ +[a-z]+ +- '; }
prompt_closed_filter_kept() {
  local s
  s=$(screen main)
  ! grep -q '^ Filter: ' <<<"$s" && grep -q "filter \"healthy\" 2/$TARGETS" <<<"$s"
}
reconnects() { screen main | sed -nE 's/.*reconnects ([0-9]+).*/\1/p' | head -n 1; }
reconnected() { [ "$(reconnects)" -gt "$1" ]; }
clock_is_not() { [ "$(clock main)" != "$1" ]; }
no_wider_than() { [ "$(screen "$1" | LC_ALL=$UTF8_LOCALE wc -L)" -le "$2" ]; }
colour_on_screen() { screen_e "$1" | has_colour_sgr; }
no_colour_on_screen() { ! colour_on_screen "$1"; }
reverse_on_screen() { [ -n "$(selected_row "$1")" ]; }
only_ascii() { ! screen "$1" | LC_ALL=C grep -q '[^ -~]'; }
# The screen below the header (which says how old the pause is).
body() { screen main | tail -n +2; }
paused_for() { header main | grep -Eq " PAUSED ([2-9]|[1-9][0-9])s "; }
rows_in_state() { rows main | grep -c " $1 "; }
all_rows_not_up() {
  [ "$(row_count main)" -gt 0 ] && [ "$(rows_in_state up)" -eq 0 ] &&
    [ "$(row_count main)" -eq $((TARGETS - $(count_of up))) ]
}
rows_all_down() {
  [ "$(row_count main)" -eq "$(count_of down)" ] &&
    [ "$(rows_in_state down)" -eq "$(row_count main)" ]
}
# The widest of lines FROM..TO.
widest() {
  screen main | sed -n "$1,$2p" | LC_ALL=$UTF8_LOCALE awk '
    length($0) > w { w = length($0) } END { print w + 0 }'
}
widest_at_least() { [ "$(widest "$1" "$2")" -ge "$3" ]; }
# A roll-up's counts add up to n.
group_total_is() {
  [ "$(screen main | sed -n "s/^▸ $1  //p" | grep -oE '[0-9]+' |
       awk '{ s += $1 } END { print s + 0 }')" = "$2" ]
}

# The header's counts per state add up to the targets, and the rows in
# each state match its count.
counts_match_rows() {
  local snap counts
  snap=$(screen main)
  counts=$(head -n 1 <<<"$snap" | sed -nE \
    's/.* ([0-9]+) up  ([0-9]+) degraded  ([0-9]+) connecting  ([0-9]+) down.*/\1 \2 \3 \4/p')
  [ -n "$counts" ] || return 1
  set -- $counts
  local states=(up degraded connecting down) i=0 total=0 n
  for n in "$@"; do
    local shown
    shown=$(awk -v st="${states[$i]}" 'seen && $0 ~ (" " st " ") {c++}
                                       /^NAME /{seen=1} END{print c+0}' <<<"$snap")
    [ "$shown" -eq "$n" ] || return 1
    total=$((total + n))
    i=$((i + 1))
  done
  [ "$total" -eq "$TARGETS" ]
}

# ---- the dashboard at 100x30 ---------------------------------------------

start main 100 30

check "header shows counts per state" \
  wait_for main '^ tether +demo +[0-9]+ up  [0-9]+ degraded  [0-9]+ connecting  [0-9]+ down'
check "header says which rows are shown" wait_for main "  1–$TARGETS of $TARGETS  "
check "rows show targets with their states" wait_for main '^refused +.* down '
check "a healthy target is up" wait_for main '^echo-ok +.* up '
check "a slow target is degraded" wait_for main '^slow-150ms +.* degraded '
check "header counts match the rows, per state" wait_true counts_match_rows
check "colour is used by default" colour_on_screen main
check "HISTORY says its step" wait_true heading_has 'HISTORY 1s'

check "STATE sorts worst first by default" wait_true sorted_state
check "at start the selection is the first row" wait_true selected_is 1
keys main S
check "S reverses the sort (STATE▼, up first)" wait_true sorted_state_reversed
keys main S
check "S again restores it (STATE▲, down first)" wait_true sorted_state

# The columns that sort, in order, as the help screen lists them.
keys main '?'
check "? shows the help" wait_for main '^ Keys'
SORTABLE=$(screen main | sed -n 's/^ Sort  *//p')
set -- $SORTABLE
check "help lists the columns that sort, STATE among them" \
  test "$#" -ge 2 -a -n "$(grep -w STATE <<<"$SORTABLE")"
keys main x
check "any key leaves the help" wait_true live_with main '^NAME '
after_state=$(sed -n 's/.*STATE \(.*\)/\1/p' <<<"$SORTABLE")
before_state=$(sed -n 's/\(.*\) STATE.*/\1/p' <<<"$SORTABLE")
for col in $after_state $before_state; do
  keys main s
  check "s sorts by the next column ($col▲)" wait_true heading_has "$col▲"
  if [ "$col" = RTT ]; then
    check "s: rows without an RTT go last" wait_true no_rtt_last
  fi
done
keys main s
check "s cycles back to STATE" wait_true sorted_state

keys main j j
check "j moves the selection down" wait_true selected_is 3
keys main k
check "k moves it up" wait_true selected_is 2
keys main Down
check "Down moves it down" wait_true selected_is 3
keys main Up
check "Up moves it up" wait_true selected_is 2
keys main G
check "G selects the last row" wait_true selected_is "$TARGETS"
keys main PPage
check "PgUp goes a page up" wait_true selected_is 1
keys main NPage
check "PgDn goes a page down" wait_true selected_is "$TARGETS"
keys main Home
check "Home goes to the first row" wait_true selected_is 1
check "the selection bar is one look, no colour patchwork" \
  test "$(selected_changes main)" = 0

keys main /
check "/ opens the filter prompt" wait_for main '^ Filter: '
text main healthy
check "typing filters on name or tag" wait_for main "filter \"healthy\" 2/$TARGETS"
check "only the matching rows remain" wait_true rows_are 2
check "the header says which of them are shown" wait_for main '  1–2 of 2  '
keys main Enter
check "Enter closes the prompt and keeps the filter" wait_true prompt_closed_filter_kept
keys main Escape
check "Esc clears the filter" wait_gone main 'filter "'
check "every row is back" wait_true rows_are "$TARGETS"
keys main /
text main 127.0.0.1
check "the filter matches addresses" \
  wait_for main "filter \"127\\.0\\.0\\.1\" $TARGETS/$TARGETS"
keys main C-u
text main state:down
check "the filter is state:down" wait_for main "filter \"state:down\" [0-9]+/"
check "state:down lists what is down, only that" wait_true rows_all_down
keys main C-u
text main '!up'
keys main Enter
check "the filter is !up" wait_for main "filter \"!up\" [0-9]+/"
check "!up lists what is not up" wait_true all_rows_not_up
keys main Escape
check "Esc in the table clears it" wait_gone main '(filter "|^ Filter: )'

keys main x
check "x: the header says so" wait_for main 'not up only [0-9]+/'
check "x: only what is not up" wait_true all_rows_not_up
keys main x
check "x again: every row" wait_true rows_are "$TARGETS"

keys main t
check "t groups by tag, folded: a roll-up per tag" \
  wait_for main "^▸ demo  .*[0-9]+ up"
check "the demo group counts every target" wait_true group_total_is demo "$TARGETS"
check "the broken targets roll up as down" wait_for main '^▸ broken  [0-9]+ down$'
keys main g
check "g selects the first roll-up" wait_true selected_is 1
keys main Enter
check "Enter opens a group: its rows follow" wait_for main '^▾ '
keys main t
check "t again: the plain table" wait_true rows_are "$TARGETS"

keys main /
text main redis-ok
keys main Enter
check "filter to one target" wait_for main "filter \"redis-ok\" 1/$TARGETS"
keys main Enter
check "Enter opens the detail view" wait_for main 'RTT histogram'
check "detail: resolved address" \
  wait_for main '^ redis-ok +127\.0\.0\.1:[0-9]+ → 127\.0\.0\.1'
check "detail: effective settings" \
  wait_for main 'mode persistent .*interval 1s .*timeout 500ms .*connect timeout 1s .*miss threshold 3'
check "detail: send and expect, escaped" \
  wait_for main 'send "PING\\r\\n" +expect "\^\(\\\+PONG\|-\)"'
check "detail: RTT statistics" \
  wait_for main 'min [0-9.]+(us|ms) +avg .*max .*p50 .*p90 .*p99 .*jitter '
check "detail: loss over the last minute and the whole run" \
  wait_for main 'loss last 60s [0-9.]+% +whole run [0-9.]+%'
check "detail: counts per class" wait_for main '^ classes ok [0-9]+'
check "detail: flaps and reconnects" wait_for main 'flaps [0-9]+ +reconnects [0-9]+'
check "detail: recent events" wait_for main 'Recent events'
check "detail: a histogram bar" wait_for main '█+ [0-9]+ *(#|$| )'
before=$(reconnects)
keys main r
check "r reconnects the selected target" wait_true reconnected "${before:-0}"
check "r says that it acted" wait_true live_with main '^ reconnecting redis-ok'
keys main Escape
check "Esc leaves the detail view" wait_true live_with main '^NAME '
keys main Enter
check "Enter opens it again" wait_for main 'RTT histogram'
keys main Enter
check "Enter leaves it" wait_true live_with main '^NAME '
keys main Enter
check "and again" wait_for main 'RTT histogram'
keys main q
check "q leaves the detail view" wait_true live_with main '^NAME '
keys main '?'
check "q in the detail view does not quit: keys still work" \
  wait_true live_with main '^ Keys'
keys main x
check "and no exit marker" wait_true live_with main '^NAME '
keys main Escape
check "the filter is cleared" wait_gone main 'filter "'

check "the notice of r goes after a while" wait_gone main 'reconnecting'
keys main p
check "p shows PAUSED" wait_for main ' PAUSED [0-9]+s '
frozen=$(clock main)
paused_body=$(body)
# Until the header says two seconds went by: the clock, SINCE and the
# RTTs of a live display would have moved.
check "the pause says how old it is" wait_true paused_for
check "the paused display does not move" test "$(body)" = "$paused_body"
check "the paused clock does not move" test "$(clock main)" = "$frozen"
keys main p
check "p again resumes" wait_gone main ' PAUSED '
check "the clock moves again" wait_true clock_is_not "$frozen"

keys main e
check "e opens the event log" wait_for main '^ Event log, newest first: [0-9]+ entr'
check "the event log lists state changes" \
  wait_for main '^ [0-9:]{8}  [a-z0-9-]+ +[a-z]+ → [a-z]+ '
check "the event log says how long an outage lasted" \
  wait_for main '^ [0-9:]{8}  flapping-3s +down → up +ok +down [0-9.]+s'
keys main Tab
check "Tab gives the movement keys to the log" wait_for main 'keys scroll it'
keys main G
check "G scrolls the log to its oldest entries" wait_for main 'newer above \(g\)'
keys main g
check "g back to the newest" wait_gone main 'newer above'
keys main Tab e
check "e closes it" wait_gone main 'Event log'

keys main -
check "- zooms HISTORY out (4s cells)" wait_true heading_has 'HISTORY 4s'
keys main +
check "+ zooms back in" wait_true heading_has 'HISTORY 1s'
keys main l
check "l: one shared log scale for every row" wait_true heading_has '1s log'
keys main l
keys main T
check "T shows the TAGS column" wait_true heading_has ' TAGS '
keys main T
check "T hides it" wait_true heading_lacks ' TAGS '

bar=$(keybar main)
keys main '?'
check "the help lists every key of the key bar" wait_for main '^ Keys'
help_screen=$(screen main)
keys main x
check "the help is left" wait_true live_with main '^NAME '
for k in $(grep -oE '(^| )[^ ]+ [A-Z][a-z]+' <<<"$bar" | awk '{print $1}' | sort -u); do
  check "help names the key $k of the key bar" grep -qF -- "  $k " <<<"$help_screen"
done

keys main R
check "R says what became of the reload" wait_true live_with main '^ .*[Rr]eload'
check "the notice goes after a while" wait_gone main '[Rr]eload'

T resize-window -t main -x 80 -y 24
check "at 80x24 the table is drawn" wait_true live_with main '^NAME +STATE'
check "at 80x24 the key bar is there" wait_for main '^ q Quit'
check "at 80x24 every row is shown" wait_true rows_are "$TARGETS"
check "at 80x24 no line is wider than 80" no_wider_than main 80
keys main '?'
check "at 80x24 the help fits: its last line and the key bar show" \
  wait_true live_with main '^ LOSS: '
check "at 80x24 the help keeps the key bar" wait_for main '^ any key Back'
keys main x
T resize-window -t main -x 60 -y 16
check "at 60x16 a compact table is drawn" wait_true live_with main '^NAME +STATE.* RTT'
check "at 60x16 no line is wider than 60" no_wider_than main 60
check "at 60x16 the header keeps the clock" wait_true live main
T resize-window -t main -x 40 -y 10
check "at 40x10 still a table" wait_true live_with main '^NAME +STATE'
check "at 40x10 what is down is in view" wait_for main '^[a-z-]+… +down|^[a-z-]+ +down'
T resize-window -t main -x 38 -y 9
check "below 40x10 it says the terminal is too small" \
  wait_for main 'too small: 38x9, needs 40x10'
check "and draws no table" wait_gone main '^NAME '
T resize-window -t main -x 200 -y 30
check "at 200 columns the rows fill the width (a wider HISTORY)" \
  wait_true widest_at_least 3 13 195
T resize-window -t main -x 100 -y 30
check "back at 100x30 the table returns" wait_for main '^NAME +ADDRESS +STATE'

keys main q
check "q quits (status 1: the demo has targets down)" wait_for main '^EXITED:1$'
check "after q the summary is printed" wait_for_hist main '^redis-ok +(up|degraded|down|connecting) '
check "after q the alternate screen is left" alternate_off main
check "after q the terminal modes are restored" wait_for main ' icanon .* echo '
check "no sanitizer report" no_sanitizer_report main

# ---- SIGTERM ---------------------------------------------------------------

LAST_SESSION=term
start term 100 30
check "SIGTERM: the dashboard is up" wait_true live_with term '^NAME '
tpid=$(pgrep -P "$(T display -p -t term '#{pane_pid}')" | head -n 1)
[ -n "$tpid" ] && kill -TERM "$tpid"
check "SIGTERM ends the run (status 1)" wait_for term '^EXITED:1$'
check "after SIGTERM the summary is printed" wait_for_hist term '^refused +(up|degraded|down|connecting) '
check "after SIGTERM the alternate screen is left" alternate_off term
check "after SIGTERM the terminal modes are restored" wait_for term ' icanon .* echo '
check "SIGTERM: no sanitizer report" no_sanitizer_report term

# ---- NO_COLOR -------------------------------------------------------------

LAST_SESSION=mono
start mono 100 30 NO_COLOR=1
check "NO_COLOR: the dashboard is up" wait_for mono '^refused +.* down '
check "NO_COLOR draws no colour" no_colour_on_screen mono
check "NO_COLOR still shows the selection in reverse video" reverse_on_screen mono
keys mono q
check "NO_COLOR: q quits" wait_for mono '^EXITED:1$'

# ---- outside a UTF-8 locale ----------------------------------------------

LAST_SESSION=ascii
start ascii 100 30 LANG=C LC_ALL=C
check "C locale: the dashboard is up" wait_for ascii '^refused +.* down '
check "C locale: ASCII sort mark" wait_for ascii '^NAME .*STATE\^'
check "C locale: failures marked x in the history" wait_for ascii '^refused .* x+ *$'
check "C locale: ASCII row range" wait_for ascii "  1-$TARGETS of $TARGETS  "
check "C locale: nothing but ASCII on screen" only_ascii ascii
keys ascii t
check "C locale: ASCII fold marks" wait_for ascii '^\+ demo  '
check "C locale: still nothing but ASCII" only_ascii ascii
keys ascii q
check "C locale: q quits" wait_for ascii '^EXITED:1$'

# ---- other terminals -------------------------------------------------------

for term in xterm xterm-256color screen vt100 linux; do
  s="t-${term//[^a-z0-9]/}"
  LAST_SESSION=$s
  start "$s" 80 24 TERM=$term
  check "TERM=$term: the table is drawn" wait_for "$s" '^refused +.* down '
  check "TERM=$term: the key bar is drawn" wait_for "$s" '^ q Quit'
  keys "$s" q
  check "TERM=$term: q quits" wait_for "$s" '^EXITED:1$'
  check "TERM=$term: the alternate screen is left" alternate_off "$s"
  check "TERM=$term: no sanitizer report" no_sanitizer_report "$s"
done

# A terminal that cannot address the cursor is refused, not smeared over.
LAST_SESSION=dumb
start dumb 100 30 TERM=dumb
check "TERM=dumb: refused with exit status 3" wait_for dumb '^EXITED:3$'
check "TERM=dumb: says to use --plain" wait_for dumb 'use --plain'
check "TERM=dumb: nothing was drawn" wait_gone dumb '^ tether '

echo "dashboard: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

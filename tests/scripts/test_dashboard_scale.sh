#!/usr/bin/env bash
# test_dashboard_scale.sh - the dashboard at 10 000 targets, as an on-call
# engineer meets it (PRODUCT.md "At 10 000 targets"), in a detached tmux:
# three targets are down (a port where nothing listens), far down the
# config; the rest answer two pong servers of tests/tools/fault_serve.
#
#   - the three are the first rows on screen once the start settles, and
#     the header says which rows are shown;
#   - /state:down, /!up and x list exactly them;
#   - t rolls the rows up by tag, with the counts the config implies;
#   - two targets whose server dies at one moment (one probing four times
#     as often as the other) have their failure marks in the same HISTORY
#     columns.
#
# Everything waits on what the screen shows. Exit 0 on pass, 1 on failure,
# 77 when tmux is missing; TT_DASH_FAIL_FAST=1 stops at the first failure.
set -u
TETHER=${TETHER:?set by CTest}
TOOLS=${TT_TOOLS:?set by CTest}
# shellcheck source=pong.sh
. "$(dirname "$0")/pong.sh"
if ! command -v tmux >/dev/null 2>&1; then
  echo "SKIP: tmux is not installed (apt-get install tmux)"
  exit 77
fi

N=10000
DOWN="t04242 t07777 t09990"
SOCK="tt-scale-$$-$RANDOM"
DEADLINE=${TT_DASH_DEADLINE:-90}
dir=$(mktemp -d)
s1= s2=
T() { tmux -L "$SOCK" "$@"; }
cleanup() {
  T kill-server >/dev/null 2>&1
  [ -n "$s1" ] && kill "$s1" 2>/dev/null && wait "$s1" 2>/dev/null
  [ -n "$s2" ] && kill "$s2" 2>/dev/null && wait "$s2" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
PASS=0
FAIL=0

check() { # description, command...
  local what=$1
  shift
  if "$@"; then
    echo "ok - $what"
    PASS=$((PASS + 1))
  else
    echo "not ok - $what"
    FAIL=$((FAIL + 1))
    echo "---- screen ----"
    screen | sed 's/^/    /'
    echo "----"
    [ -z "${TT_DASH_FAIL_FAST:-}" ] || exit 1
  fi
}

# Each side of a run holds a connection per target.
ulimit -n $((N + 1024)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((N + 256)) ]; then
  echo "SKIP: $N targets need $((N + 256)) descriptors (ulimit -n is $(ulimit -n))"
  exit 77
fi

# serve FILE: a pong server; prints its port once it listens.
serve() {
  pong_start "$1" 0
  echo "$PONG_PID $PONG_PORT"
}
read -r s1 p1 < <(serve "$dir/s1.out")
read -r s2 p2 < <(serve "$dir/s2.out")
refused=$("$TOOLS/free_port")

# Tags: even or odd, and every tenth "tens" too; the pair on s2 "pair".
# The config's own listing of what to expect: name, tags, state.
{
  echo "defaults: { interval: 1s, preset: redis }"
  echo "targets:"
  for ((i = 0; i < N - 2; i++)); do
    name=$(printf 't%05d' "$i")
    tags=$([ $((i % 2)) = 0 ] && echo even || echo odd)
    [ $((i % 10)) = 0 ] && tags="$tags, tens"
    port=$p1
    case " $DOWN " in *" $name "*) port=$refused ;; esac
    echo "  - { name: $name, address: \"127.0.0.1:$port\", tags: [$tags] }"
  done
  # The pair: the same server, one probing four times as often; down,
  # they try again at least once a second.
  echo "  - { name: pair-1s, address: \"127.0.0.1:$p2\", tags: [pair]," \
       "backoff: { initial: 100ms, max: 1s } }"
  echo "  - { name: pair-250ms, address: \"127.0.0.1:$p2\", tags: [pair]," \
       "interval: 250ms, timeout: 200ms, backoff: { initial: 100ms, max: 1s } }"
} >"$dir/many.yaml"
"$TETHER" --check "$dir/many.yaml" >"$dir/check.out" 2>&1 ||
  { echo "FAIL: the config is refused:"; head "$dir/check.out"; exit 1; }

T -f /dev/null new-session -d -s main -x 120 -y 40 \
  "ulimit -n $(ulimit -n); env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$TETHER' '$dir/many.yaml'; echo EXITED:\$?; exec sleep 600"

screen() { T capture-pane -p -t main; }
keys() { T send-keys -t main "$@"; }
text() { T send-keys -t main -l "$1"; }
wait_true() {
  local end=$((SECONDS + DEADLINE))
  while ((SECONDS < end)); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}
# The table's rows on a screen (default: now), each as its name and state.
rows() {
  if [ $# -gt 0 ]; then printf '%s\n' "$1"; else screen; fi |
    awk 'seen && NF > 2 && $1 !~ /^[▸▾]/ { print $1, $3 } /^NAME/ { seen = 1 }' |
    grep -E ' (up|degraded|connecting|down)$'
}
row_names() { rows "$@" | awk '{ print $1 }' | paste -sd' '; }
# The screen says TEXT (the filter now in force) and its rows are exactly
# NAMES: both read from one capture, so that a screen drawn before the
# key took effect cannot pass.
shows() { # TEXT NAMES
  local s
  s=$(screen)
  grep -qF -- "$1" <<<"$s" && [ "$(row_names "$s")" = "$2" ]
}
header() { screen | head -n 1; }
settled() { header | grep -q " $((N - 3)) up .* 3 down"; }
first_rows_are() {
  [ "$(rows | head -n 3 | awk '{ print $1 }' | paste -sd' ')" = "$DOWN" ]
}
line_with() { screen | grep -E -- "$1" | head -n 1; }
has_line() { screen | grep -Eq -- "$1"; }

check "the start settles: $((N - 3)) up, 3 down" wait_true settled
check "the three down targets are the first rows" wait_true first_rows_are
check "the header says which rows are shown" \
  wait_true has_line "^ tether .*  1–[0-9]+ of $N "

keys /
text state:down
keys Enter
check "state:down lists exactly the three" \
  wait_true shows "filter \"state:down\" 3/$N" "$DOWN"
keys Escape /
text '!up'
keys Enter
check "!up lists exactly the three" wait_true shows "filter \"!up\" 3/$N" "$DOWN"
keys Escape
check "Esc: every row again" wait_true has_line "  1–[0-9]+ of $N "
keys x
check "x lists exactly the three" wait_true shows "not up only 3/$N" "$DOWN"
keys x

# Roll-ups: what the config says, per tag.
expect_rollup() { # tag
  awk -v tag="$1" -v down="$DOWN" '
    BEGIN { n = split(down, d, " "); for (i = 1; i <= n; i++) isdown[d[i]] = 1 }
    /^  - \{ name: / {
      name = $4; sub(/,$/, "", name)
      if (index($0, "tags: [") == 0) next
      t = $0; sub(/.*tags: \[/, "", t); sub(/\].*/, "", t)
      k = split(t, a, /, */)
      for (i = 1; i <= k; i++) if (a[i] == tag) {
        if (isdown[name]) dn++; else up++
      }
    }
    END { printf "%s  %d up", tag, up; if (dn) printf "  %d down", dn; print "" }
  ' "$dir/many.yaml"
}
rollup_is() { [ "$(line_with "^▸ $1  " | cut -c5-)" = "$(expect_rollup "$1")" ]; }
keys t
for tag in even odd tens pair; do
  check "t: the roll-up of $tag is $(expect_rollup "$tag")" wait_true rollup_is "$tag"
done
check "t: the group with the worst row comes first" \
  wait_true has_line "^▸ even  "
keys t

# Two targets failing at one moment: s2 dies just after a 4 s cell of
# the time grid begins (the wall clock's multiples of 4 s), so that both
# fail within that cell; HISTORY zoomed out to 4 s cells shows them.
keys /
text tag:pair
keys Enter -
check "the pair is shown, HISTORY in 4s cells" \
  wait_true has_line "HISTORY 4s"
check "the pair alone is shown" \
  wait_true shows "filter \"tag:pair\" 2/$N" "pair-1s pair-250ms"
check "the pair is up" wait_true has_line '^pair-1s .* up '
until (( $(date +%s%N) / 1000000 % 4000 >= 100 && $(date +%s%N) / 1000000 % 4000 < 300 )); do
  sleep 0.01
done
kill -KILL "$s2"
wait "$s2" 2>/dev/null
s2=
both_failed_twice() {
  local a b
  a=$(line_with '^pair-1s ' | grep -o '×' | wc -l)
  b=$(line_with '^pair-250ms ' | grep -o '×' | wc -l)
  [ "$a" -ge 2 ] && [ "$b" -ge 2 ]
}
check "both of the pair fail" wait_true both_failed_twice
# The columns (characters from the left) that hold a failure mark.
marks() { line_with "^$1 " | LC_ALL=C.UTF-8 awk '{ n = split($0, c, ""); for (i = 1; i <= n; i++) if (c[i] == "×") printf "%d ", i; print "" }'; }
same_columns() { [ -n "$(marks pair-1s)" ] && [ "$(marks pair-1s)" = "$(marks pair-250ms)" ]; }
check "their failure marks are in the same HISTORY columns" wait_true same_columns
echo "# pair-1s    marks at: $(marks pair-1s)"
echo "# pair-250ms marks at: $(marks pair-250ms)"

keys q
check "q quits" wait_true has_line '^EXITED:'
# A sanitizer build reports on stderr, which is the pane.
no_report() { ! T capture-pane -p -S - -t main | grep -Eq 'Sanitizer|runtime error:'; }
check "no sanitizer report" no_report

echo "dashboard at $N: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

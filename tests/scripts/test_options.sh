#!/usr/bin/env bash
# test_options.sh - the settings' command-line options as people meet them:
# each one set from the settings table, with the same bounds as the file,
# -4/-6 and --rtt-warn, a timeout that follows a short interval, options
# that do not exist refused, and nothing typed echoed raw on stderr.
#
# CTest sets TETHER (the program).
set -u
: "${TETHER:?TETHER is not set; run through ctest}"
if [ ! -x "$TETHER" ]; then
  echo "test_options: $TETHER is not built; skipping" >&2
  exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# run STATUS ARGS...: runs tether, checks the exit status.
run() {
  local want=$1
  shift
  "$TETHER" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local got=$?
  [ "$got" -eq "$want" ] || fail "tether $*: exit $got, expected $want ($(cat "$tmp/err"))"
}
# has FILE LINE: FILE holds exactly that line.
has() {
  grep -qxF -- "$2" "$tmp/$1" || fail "no line '$2' in $1: $(cat "$tmp/$1")"
}

run 0 --check -4 db.example:5432
has out "  family          ipv4"
run 0 --check -6 db.example:5432
has out "  family          ipv6"
run 2 --check -6 10.0.0.1:5432
has err "-6: ipv6 does not fit target '10.0.0.1:5432' (an IPv4 address)"

run 0 --check --rtt-warn 150ms db.example:5432
has out "  rtt_warn        150ms"
run 2 --check --rtt-warn 0s db.example:5432
has err "tether: --rtt-warn: must be greater than 0"

# -i 200ms alone: the default timeout follows the shorter interval.
run 0 --check -i 200ms redis://db.example:6379
has out "  timeout         200ms (follows interval)"
has out "  backoff.max     200ms (follows interval)"
run 0 --check -i 5s -t 2s redis://db.example:6379
has out "  timeout         2s"

# The same bounds and words as in the file.
run 2 --check --miss-threshold 101 db.example:5432
has err "tether: --miss-threshold: must be a whole number from 1 to 100, not '101'"
run 2 --check --expect '(' db.example:5432
has err "tether: --expect: unmatched ( (write \\( for a literal ()"

# Options that do not exist.
for opt in --max-reply --reply-end --backoff-initial --backoff-max --preset --family; do
  run 2 "$opt" 1 db.example:5432
  has err "tether: unknown option '$opt'"
done

# What was typed is escaped when echoed: no terminal obeys it.
run 2 --mode $'\e]0;owned\a' db.example:5432
has err "tether: --mode: must be persistent or connect, not '\\x1b]0;owned\\x07'"
run 2 $'--\e[2J' db.example:5432
has err "tether: unknown option '--\\x1b[2J'"
run 2 --check c.yaml $'a\xe2\x80\xaeb.yaml'
has err "tether: a\\xe2\\x80\\xaeb.yaml: only one configuration file may be given"
if LC_ALL=C grep -q $'[\x1b\x07]' "$tmp/err"; then
  fail "a control character reached stderr"
fi

# A second '=' is no part of a host.
run 2 --check 'a=b=c:1'
has err "TARGET 'a=b=c:1': a host cannot contain '='; write NAME=[PRESET://]HOST:PORT with a single '='"

# --help lists the table's options and every preset.
run 0 --help
grep -q -- "--rtt-warn D" "$tmp/out" || fail "--help does not list --rtt-warn"
grep -q -- "^  -4, -6 " "$tmp/out" || fail "--help does not list -4, -6"
grep -q -- "(default 1s, at most the interval)" "$tmp/out" ||
  fail "--help does not say the timeout follows the interval"

echo "test_options: $failures failures"
[ "$failures" -eq 0 ]

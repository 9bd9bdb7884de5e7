#!/usr/bin/env bash
# test_check.sh - `tether --check` as people meet it: every broken config in
# tests/configs/bad/ is refused with exit status 2 and exactly the messages
# in its .err file, a config that is not a regular file is refused at once,
# and every example in examples/ is accepted.
#
# CTest sets TETHER (the program), TT_TESTS (this tests/ directory) and
# TT_SRC (the source tree).
set -u

: "${TETHER:?TETHER is not set; run through ctest}"
: "${TT_TESTS:?TT_TESTS is not set; run through ctest}"
: "${TT_SRC:?TT_SRC is not set; run through ctest}"

if [ ! -x "$TETHER" ]; then
  echo "test_check: $TETHER is not built; skipping" >&2
  exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failures=0
checked=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# Broken configs: run from their own directory, so that the file name in
# each message is the name as given.
cd "$TT_TESTS/configs/bad" || exit 1
for yaml in *.yaml; do
  name=${yaml%.yaml}
  [ -f "$name.err" ] || continue
  checked=$((checked + 1))
  "$TETHER" --check "$yaml" >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ "$status" -ne 2 ]; then
    fail "tether --check $yaml: exit status $status, expected 2"
    sed 's/^/  stderr: /' "$tmp/err" >&2
    continue
  fi
  if ! cmp -s "$tmp/err" "$name.err"; then
    fail "tether --check $yaml: stderr differs from $name.err"
    diff -u "$name.err" "$tmp/err" | sed 's/^/  /' >&2
  fi
done
if [ "$checked" -eq 0 ]; then
  fail "no NAME.yaml with NAME.err in $TT_TESTS/configs/bad"
fi

# Files that are not files are refused at once with status 2: a FIFO
# nobody writes to must not hang --check (nor a run).
mkfifo "$tmp/fifo.yaml"
mkdir "$tmp/dir.yaml"
ln -s /dev/null "$tmp/dev.yaml"
for yaml in "$tmp/fifo.yaml" "$tmp/dir.yaml" "$tmp/dev.yaml"; do
  case $yaml in
    *fifo*) want="cannot read: a FIFO (named pipe), not a regular file" ;;
    *dir*) want="cannot read: Is a directory" ;;
    *) want="cannot read: a character device, not a regular file" ;;
  esac
  checked=$((checked + 1))
  timeout 10 "$TETHER" --check "$yaml" >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ "$status" -ne 2 ]; then
    fail "tether --check $yaml: exit status $status, expected 2"
  elif [ "$(cat "$tmp/err")" != "$yaml: $want" ]; then
    fail "tether --check $yaml: stderr is '$(cat "$tmp/err")'"
  fi
done
timeout 10 "$TETHER" --plain -c 1 "$tmp/fifo.yaml" >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 2 ] || fail "tether on a FIFO: exit status $status, expected 2"

# Examples: each must be valid as shipped.
examples=0
for yaml in "$TT_SRC"/examples/*.yaml; do
  [ -f "$yaml" ] || continue
  examples=$((examples + 1))
  "$TETHER" --check "$yaml" >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ "$status" -ne 0 ]; then
    fail "tether --check $yaml: exit status $status, expected 0"
    sed 's/^/  stderr: /' "$tmp/err" >&2
  fi
done
if [ "$examples" -eq 0 ]; then
  fail "no examples in $TT_SRC/examples"
fi

echo "test_check: $checked bad configs, $examples examples, $failures failures"
[ "$failures" -eq 0 ]

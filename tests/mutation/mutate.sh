#!/usr/bin/env bash
# mutate.sh - the mutation check: breaks each rule of core/state.c,
# classify.c, frame.c and judge.c once and says which test went red.
#
#   tests/mutation/mutate.sh [-n] [-k] [PATTERN]
#
# Every mutation in tests/mutation/mutations.txt (a sed script applied to
# one file; the rows of classify.c's table are generated from the file
# itself) is applied to a copy of the source as it is in this tree (changes
# not yet committed included) in a scratch directory, never to this tree,
# so nothing mutated is left behind even when interrupted.
# For each one the unit test of that file is rebuilt and run; when it stays
# green, the end-to-end tests that use the file (test_probe and
# test_reconnect for framing, test_probe for judging) are run too. Each
# mutation ends as one line:
#
#   KILLED     a test failed (its failed cases are named)
#   KILLED e2e only the end-to-end tests failed: the unit test has a gap
#   SURVIVED   every test passed: add a test, or show the mutation means
#              the same and mark it equivalent in the list (with why)
#   equivalent listed as equivalent, and no test failed, as expected
#   NOT EQUIV  listed as equivalent, yet a test failed: the list is wrong
#   NOT APPLIED / NO BUILD   the sed script no longer matches, or the
#              mutant does not compile: the list needs updating
#
# It exits 0 only when every mutation was killed or is a known equivalent.
# It takes minutes (one rebuild per mutation); it is a tool for developers,
# not part of ctest. The build is sanitized (ASan, UBSan) so that a rule
# about memory (one byte of slack after a reply) can go red too.
#
#   -n        dry run: print each mutation's diff, build nothing
#   -k        keep the scratch directory (its path is printed)
#   PATTERN   run only the mutations whose "file: what" matches (grep -E)
#
# Environment: MUTATE_SANITIZE=0 builds without sanitizers; MUTATE_E2E=0
# skips the end-to-end tests; MUTATE_JOBS (default 2) for the build;
# MUTATE_TIMEOUT (default 20) and MUTATE_E2E_TIMEOUT (default 300) seconds
# per test run (a mutant that hangs a test counts as killed).
set -uo pipefail

# The braces make bash read the whole script before it runs any of it, so
# that editing this file during a run does not change the run.
{

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIST=$ROOT/tests/mutation/mutations.txt
JOBS=${MUTATE_JOBS:-2}
SANITIZE=${MUTATE_SANITIZE:-1}
E2E=${MUTATE_E2E:-1}
TIMEOUT=${MUTATE_TIMEOUT:-20}
E2E_TIMEOUT=${MUTATE_E2E_TIMEOUT:-300}

DRY=0 KEEP=0 PATTERN=
while [ $# -gt 0 ]; do
  case $1 in
    -n) DRY=1 ;;
    -k) KEEP=1 ;;
    -h|--help) sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) echo "mutate.sh: unknown option $1 (see -h)" >&2; exit 2 ;;
    *) PATTERN=$1 ;;
  esac
  shift
done

# The unit tests of each file, and the end-to-end tests that use it.
unit_tests() {
  case $1 in
    core/state.c) echo test_state ;;
    core/classify.c) echo test_classify ;;
    core/frame.c) echo test_frame ;;
    core/judge.c) echo test_judge ;;
    *) echo "mutate.sh: no tests known for $1" >&2; return 1 ;;
  esac
}
e2e_tests() {
  case $1 in
    core/frame.c) echo test_probe test_reconnect ;;
    core/judge.c) echo test_probe ;;
  esac
}

# ---- the scratch copy, removed on every exit --------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tether-mutate.XXXXXX")
SRC=$WORK/src ORIG=$WORK/orig B=$WORK/build
TESTPID=
cleanup() {
  [ -n "$TESTPID" ] && kill -TERM "$TESTPID" 2>/dev/null && wait "$TESTPID"
  if [ "$KEEP" = 1 ]; then echo "scratch directory kept: $WORK" >&2
  else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$ORIG/core"
cp "$ROOT"/core/*.c "$ORIG/core/"

# ---- the list ---------------------------------------------------------------

FILES=() WHATS=() SEDS=() WHYS=()
add() { FILES+=("$1"); WHATS+=("$2"); SEDS+=("$3"); WHYS+=("${4:-}"); }

# "core/classify.c: @rows": three mutations per row of the table (the row
# removed, its class changed for its neighbour in tt_class, its local flag
# flipped) and two per phase-specific row (any phase, the next phase), by
# line number in the file as it is.
mapfile -t classes < <(sed -n '/^typedef enum tt_class {/,/^} tt_class;/{
  /TT_CLASS_COUNT/d; s/^ *TT_CLASS_\([A-Z_]*\).*/\1/p; }' "$ROOT/core/tether.h")
next_class() {
  local i
  for i in "${!classes[@]}"; do
    if [ "${classes[$i]}" = "$1" ]; then
      [ $((i + 1)) -lt ${#classes[@]} ] && echo "${classes[$((i + 1))]}" ||
        echo "${classes[$((i - 1))]}"
      return
    fi
  done
}
next_phase() {
  case $1 in RESOLVE) echo CONNECT ;; CONNECT) echo WRITE ;; WRITE) echo READ ;;
             READ) echo RESOLVE ;; esac
}
add_table_rows() {
  local f=core/classify.c s e status phases cls local other
  while read -r s e status phases cls local; do
    add "$f" "row $status $phases removed" "${s},${e}d"
    add "$f" "row $status $phases: class $cls -> $(next_class "$cls")" \
        "${s},${e}s/\\bTT_CLASS_$cls,/TT_CLASS_$(next_class "$cls"),/"
    [ "$local" = true ] && other=false || other=true
    add "$f" "row $status $phases: local $local -> $other" \
        "${e}s/\\b$local},\$/$other},/"
    case $phases in
      "IN(TT_PHASE_"*)
        local p=${phases#IN(TT_PHASE_}; p=${p%)}
        add "$f" "row $status $phases: in any phase" \
            "${s}s/IN(TT_PHASE_$p)/ANY_PHASE/"
        add "$f" "row $status $phases: in phase $(next_phase "$p") instead" \
            "${s}s/IN(TT_PHASE_$p)/IN(TT_PHASE_$(next_phase "$p"))/" ;;
    esac
  done < <(awk '
    /^static const tt_rule rules\[\] = \{/ { in_table = 1; next }
    in_table && /^\};/ { in_table = 0 }
    in_table && /^  \{UV_/ { start = NR; row = "" }
    in_table && start { row = row " " $0 }
    in_table && start && /\},[ \t]*$/ {
      match(row, /UV_[A-Z_]+/); status = substr(row, RSTART, RLENGTH)
      match(row, /(ANY_PHASE|IN\(TT_PHASE_[A-Z]+\))/)
      phases = substr(row, RSTART, RLENGTH)
      match(row, /TT_CLASS_[A-Z_]+/); cls = substr(row, RSTART + 9, RLENGTH - 9)
      local = row ~ /true\},[ \t]*$/ ? "true" : "false"
      print start, NR, status, phases, cls, local
      start = 0
    }' "$ROOT/core/classify.c")
}

# The list's format: "FILE: WHAT" starts a mutation; the lines under it
# indented by four spaces are its sed script; an indented line starting
# with "= " says why the mutation means the same as the code (equivalent).
read_list() {
  local line file= what= sed= why= n=0
  flush() {
    [ -n "$file" ] && add "$file" "$what" "$sed" "$why"
    file= what= sed= why=
  }
  while IFS= read -r line; do
    n=$((n + 1))
    case $line in
      '#'*|'') ;;
      '    = '*) why=${line#    = } ;;
      '    '*) sed=${sed:+$sed$'\n'}${line#    } ;;
      core/*.c:\ @rows) flush; add_table_rows ;;
      core/*.c:\ *) flush; file=${line%%: *}; what=${line#*: } ;;
      *) echo "mutations.txt:$n: not a mutation: $line" >&2; exit 2 ;;
    esac
  done < "$LIST"
  flush
}
read_list

# ---- running ----------------------------------------------------------------

# Restores every file a previous mutant touched (a fresh write, so that the
# build sees it newer than the mutant's object).
restore() { cat "$ORIG/$1" > "$SRC/$1"; }

build() { cmake --build "$B" -j"$JOBS" --target "$@" >"$WORK/build.log" 2>&1; }

# Runs one test binary; sets VERDICT to what failed, empty when it passed.
run_test() {
  local t=$1 limit=$2 rc cases more running how
  ( cd "$B/tests" && exec timeout -k 5 "$limit" "./$t" ) >"$WORK/test.log" 2>&1 &
  TESTPID=$!
  wait "$TESTPID"; rc=$?
  TESTPID=
  VERDICT=
  [ "$rc" = 0 ] && return 0
  cases=$(sed -n 's/^\[  FAILED  \] //p' "$WORK/test.log" |
          grep -v 'listed below' | awk '!seen[$0]++')
  # A test that did not finish: the case it was running, and how it ended.
  running=$(sed -n 's/^\[ RUN      \] //p' "$WORK/test.log" | tail -1)
  how=
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then how="timed out"
  elif grep -q 'ERROR: AddressSanitizer' "$WORK/test.log"; then how=AddressSanitizer
  elif grep -q 'runtime error:' "$WORK/test.log"; then how=UBSan
  fi
  if [ -n "$cases" ]; then
    VERDICT="$t: $(head -1 <<<"$cases")"
    more=$(( $(wc -l <<<"$cases") - 1 ))
    [ "$more" -gt 0 ] && VERDICT="$VERDICT (+$more)"
    [ -n "$how" ] && VERDICT="$VERDICT, then $running ($how)"
  else
    VERDICT="$t: $running (${how:-exit $rc})"
  fi
  return 1
}

selected=()
for i in "${!FILES[@]}"; do
  if [ -z "$PATTERN" ] || printf '%s: %s\n' "${FILES[$i]}" "${WHATS[$i]}" |
       grep -Eq -- "$PATTERN"; then
    selected+=("$i")
  fi
done
[ ${#selected[@]} -gt 0 ] || { echo "mutate.sh: no mutation matches" >&2; exit 2; }

if [ "$DRY" = 1 ]; then
  for i in "${selected[@]}"; do
    f=${FILES[$i]}
    printf '== %s: %s%s\n' "$f" "${WHATS[$i]}" "${WHYS[$i]:+ (equivalent)}"
    sed -e "${SEDS[$i]}" "$ORIG/$f" | diff -U0 "$ORIG/$f" - | tail -n +3 ||
      true
  done
  exit 0
fi

mkdir -p "$SRC"
for d in CMakeLists.txt core demo ui cli tests man; do
  cp -R "$ROOT/$d" "$SRC/"
done
san=OFF; [ "$SANITIZE" = 1 ] && san=ON
echo "configuring a build of a copy in $WORK (sanitizers $san)" >&2
cmake -S "$SRC" -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSANITIZE=$san \
      -DTETHER_WERROR=OFF >"$WORK/build.log" 2>&1 ||
  { cat "$WORK/build.log" >&2; exit 2; }

# The suite must be green before anything is broken.
files=$(for i in "${selected[@]}"; do echo "${FILES[$i]}"; done | sort -u)
all=$(for f in $files; do unit_tests "$f"; [ "$E2E" = 1 ] && e2e_tests "$f"; done |
      tr ' ' '\n' | sort -u)
echo "building and running the unmutated tests:" $all >&2
build $all || { cat "$WORK/build.log" >&2; exit 2; }
for t in $all; do
  run_test "$t" "$E2E_TIMEOUT" ||
    { cat "$WORK/test.log" >&2; echo "mutate.sh: $VERDICT fails unmutated" >&2; exit 2; }
done

killed=0 e2e_only=0 survived=0 equiv=0 broken=0 dirty=
start=$(date +%s)
for i in "${selected[@]}"; do
  f=${FILES[$i]} what=${WHATS[$i]} why=${WHYS[$i]}
  [ -n "$dirty" ] && [ "$dirty" != "$f" ] && restore "$dirty"
  dirty=$f
  sed -e "${SEDS[$i]}" "$ORIG/$f" > "$SRC/$f"
  result=
  if cmp -s "$ORIG/$f" "$SRC/$f"; then
    result="NOT APPLIED"
  elif ! build $(unit_tests "$f"); then
    result="NO BUILD"
  else
    for t in $(unit_tests "$f"); do
      run_test "$t" "$TIMEOUT" || { result="KILLED     $VERDICT"; break; }
    done
    if [ -z "$result" ] && [ "$E2E" = 1 ] && [ -n "$(e2e_tests "$f")" ]; then
      if build $(e2e_tests "$f"); then
        for t in $(e2e_tests "$f"); do
          run_test "$t" "$E2E_TIMEOUT" ||
            { result="KILLED e2e $VERDICT"; break; }
        done
      else
        result="NO BUILD"
      fi
    fi
  fi
  case $result in
    "NOT APPLIED"|"NO BUILD") broken=$((broken + 1)) ;;
    "KILLED e2e"*) e2e_only=$((e2e_only + 1)) ;;
    KILLED*)
      if [ -n "$why" ]; then result="NOT EQUIV  ${result#KILLED     }"
        broken=$((broken + 1))
      else killed=$((killed + 1)); fi ;;
    "")
      if [ -n "$why" ]; then result="equivalent ($why)"; equiv=$((equiv + 1))
      else result="SURVIVED"; survived=$((survived + 1)); fi ;;
  esac
  printf '%-12s %-62s %s\n' "${f#core/}" "$what" "$result"
done
[ -n "$dirty" ] && restore "$dirty"

printf '\n%d mutations in %ds: %d killed, %d killed end to end only, %d equivalent, %d survived, %d broken in the list\n' \
  "${#selected[@]}" $(( $(date +%s) - start )) "$killed" "$e2e_only" "$equiv" \
  "$survived" "$broken"
[ "$survived" = 0 ] && [ "$e2e_only" = 0 ] && [ "$broken" = 0 ]
exit
}

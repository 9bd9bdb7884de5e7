# bench/lib.sh - what the benchmark scripts share; sourced, with ROOT set
# to the source tree.

# bench_machine WORDS: MACHINE, the line that says where a run was
# measured: CPUs, CPU model, kernel, WORDS (library versions), and
# tether's revision ("+changes" when its own sources differ from it; the
# binary's path under BENCH_TETHER).
bench_machine() {
  local cpu_model rev
  cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  # Only tether's own sources count as changes (not bench/out/ and the like).
  [ -n "$(git -C "$ROOT" status --porcelain -- core ui cli CMakeLists.txt 2>/dev/null)" ] &&
    rev="$rev+changes"
  [ -n "${BENCH_TETHER:-}" ] && rev="$BENCH_TETHER"
  MACHINE="nproc $(nproc); CPU ${cpu_model:-unknown}; kernel $(uname -r); $1; tether $rev"
}

# bench_pin TEXT: with two CPUs or more (and BENCH_PIN not 0) the server
# gets CPU 1 (SERVER_PIN) and what is measured CPU 0 (CLIENT_PIN), so that
# they do not take turns on one CPU; PINNING says so in TEXT's words.
bench_pin() {
  SERVER_PIN=() CLIENT_PIN=()
  if [ "${BENCH_PIN:-1}" != 0 ] && command -v taskset >/dev/null &&
     (($(nproc) >= 2)); then
    SERVER_PIN=(taskset -c 1) CLIENT_PIN=(taskset -c 0)
    PINNING=$1
  else
    PINNING="no CPU pinning"
  fi
}

# AWK_EVENTS: awk functions over a JSON event in $0, for the start of an
# awk program: str(key) and num(key), a field's string or number ("" when
# absent), and epoch(ts), an RFC 3339 UTC stamp in seconds since the
# epoch (no mktime: any POSIX awk).
# shellcheck disable=SC2016
AWK_EVENTS='
  function str(key,   s) {
    if (!match($0, "\"" key "\" *: *\"[^\"]*\"")) return ""
    s = substr($0, RSTART, RLENGTH); sub(/^"[^"]*" *: *"/, "", s)
    return substr(s, 1, length(s) - 1)
  }
  function num(key,   s) {
    if (!match($0, "\"" key "\" *: *-?[0-9.]+")) return ""
    s = substr($0, RSTART, RLENGTH); sub(/^"[^"]*" *: */, "", s)
    return s + 0
  }
  # Days since 1970-01-01 of a civil date (H. Hinnant'"'"'s algorithm).
  function days(y, m, d,   era, yoe, doy) {
    y -= (m <= 2); era = int((y >= 0 ? y : y - 399) / 400); yoe = y - era * 400
    doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
    return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
  }
  function epoch(ts,   date) {
    date = substr(ts, 1, 10)
    if (!(date in day_s))
      day_s[date] = 86400 * days(substr(ts, 1, 4) + 0, substr(ts, 6, 2) + 0, substr(ts, 9, 2) + 0)
    # The seconds, "56.123456Z", read as a number stop at the "Z".
    return day_s[date] + 3600 * substr(ts, 12, 2) + 60 * substr(ts, 15, 2) + substr(ts, 18)
  }
'

# bench_build_tether [always]: TETHER, the binary measured: BENCH_TETHER
# when set, else tether built (Release) in BUILD; "always" builds BUILD
# even then (for what links its libraries). The script's say and die
# speak; cmake's words go to OUT/cmake.log.
bench_build_tether() {
  if [ -z "${BENCH_TETHER:-}" ] || [ "${1:-}" = always ]; then
    say "building tether (Release) in ${BUILD#"$ROOT"/}/"
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTETHER_TESTS=OFF \
      >"$OUT/cmake.log" 2>&1 || { cat "$OUT/cmake.log" >&2; die "cmake failed"; }
    cmake --build "$BUILD" -j "$(nproc 2>/dev/null || echo 2)" --target tether \
      >>"$OUT/cmake.log" 2>&1 || { tail -n 40 "$OUT/cmake.log" >&2; die "building tether failed"; }
  fi
  if [ -n "${BENCH_TETHER:-}" ]; then
    TETHER=$BENCH_TETHER
    [ -x "$TETHER" ] || die "BENCH_TETHER: $TETHER is not an executable"
    say "measuring $TETHER (not built here)"
  else
    TETHER=$BUILD/tether
  fi
}

# bench_build_pongd: BIN/pongd, and UV_FLAGS (libuv's compile and link
# flags) for the script's other helpers. -O3 as CMake's Release flags give
# tether; pongd.c needs POSIX declared to see the pthread types uv.h uses.
bench_build_pongd() {
  UV_FLAGS=$(pkg-config --cflags --libs libuv)
  # shellcheck disable=SC2086 # the flags are words
  cc -std=c11 -D_POSIX_C_SOURCE=200809L -O3 -Wall -Wextra -o "$BIN/pongd" \
    "$BENCH/pongd.c" $UV_FLAGS
}

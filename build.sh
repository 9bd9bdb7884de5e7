#!/usr/bin/env bash
# build.sh - set-up, build, demo and the whole test suite, on a fresh Debian.
#
#   ./build.sh demo   install what is missing, build, run `tether --demo`
#   ./build.sh test   install what is missing, build, run every test
#   ./build.sh build  install what is missing, build only
#
# Installing needs root (apt-get); when everything is present nothing is
# installed. Builds go to build/ (plain), build-asan/ (ASan+UBSan) and
# build-fuzz/ (clang, libFuzzer).
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages: build, libraries (libuv, libyaml, ncurses, c-ares,
# OpenSSL's libssl, zlib), tests (cmocka, tmux for the dashboard, iproute2
# for network namespaces, jq for the scripts, procps, the real servers that
# tests/servers/ starts, openssl for their certificates, prometheus for
# promtool and curl to scrape with), man page lint, clang with its sanitizer
# and libFuzzer runtimes.
PACKAGES=(cmake make gcc pkg-config libuv1-dev libyaml-dev libncurses-dev
          libc-ares-dev libssl-dev zlib1g-dev libcmocka-dev clang mandoc tmux
          iproute2 jq procps nginx redis-server memcached openssh-server
          exim4-daemon-light dovecot-imapd dovecot-pop3d postgresql
          mariadb-server openssl prometheus curl)

JOBS=$(nproc 2>/dev/null || echo 2)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

log() { printf '\n== %s\n' "$*"; }

# apt_install PACKAGE...: installs without starting any service: the tests
# start the servers they need themselves, on ports of their own. Unless the
# machine already has one, a policy-rc.d that refuses every start is in
# place for the time of the install only.
apt_install() {
  local policy=/usr/sbin/policy-rc.d added=0 status=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    added=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" || status=$?
  if [ "$added" -eq 1 ]; then rm -f "$policy"; fi
  return "$status"
}

install_deps() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$p")
  done
  # clang's runtimes (ASan for clang, libFuzzer) live in a versioned package.
  local cv rt
  if command -v clang >/dev/null; then
    cv=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
    rt="libclang-rt-${cv}-dev"
    dpkg-query -W -f='${Status}' "$rt" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$rt")
  fi
  if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
      echo "build.sh: missing packages (${missing[*]}); run as root" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt_install "${missing[@]}"
    # clang may have just arrived: its runtime package follows.
    if [ -z "${rt:-}" ]; then
      cv=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
      apt_install "libclang-rt-${cv}-dev"
    fi
  fi
}

configure_build() { # dir, cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

build_plain() {
  log "build (build/)"
  configure_build build -DTETHER_WERROR=ON
}

run_tests() { # dir
  log "tests in $1/"
  ctest --test-dir "$1" --output-on-failure -j "$JOBS"
}

run_fuzz() {
  log "build fuzz targets (build-fuzz/, clang)"
  CC=clang configure_build build-fuzz -DTETHER_FUZZ=ON -DTETHER_TESTS=OFF
  local f name corpus
  for f in build-fuzz/tests/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    corpus=tests/fuzz/corpus/${name#fuzz_}
    log "fuzzing $name for ${FUZZ_SECONDS}s"
    mkdir -p "build-fuzz/corpus-$name"
    "$f" -max_total_time="$FUZZ_SECONDS" -max_len=4096 -timeout=10 \
         -rss_limit_mb=2048 -print_final_stats=1 \
         "build-fuzz/corpus-$name" "$corpus" 2>&1 | tail -n 12
  done
}

lint_man() {
  log "mandoc -Tlint man/*"
  local out
  out=$(mandoc -Tlint man/* 2>&1 || true)
  if [ -n "$out" ]; then
    printf '%s\n' "$out"
    return 1
  fi
}

cmd=${1:-}
case "$cmd" in
  demo)
    install_deps
    build_plain
    log "build/tether --demo"
    exec build/tether --demo
    ;;
  build)
    install_deps
    build_plain
    ;;
  test)
    install_deps
    build_plain
    run_tests build
    log "build with -DSANITIZE=ON (build-asan/)"
    configure_build build-asan -DTETHER_WERROR=ON -DSANITIZE=ON
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_tests build-asan
    run_fuzz
    lint_man
    log "all tests passed"
    ;;
  *)
    echo "usage: ./build.sh demo | test | build" >&2
    exit 2
    ;;
esac

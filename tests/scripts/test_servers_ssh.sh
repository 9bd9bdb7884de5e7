#!/usr/bin/env bash
# test_servers_ssh.sh - the ssh preset against Debian's OpenSSH sshd,
# started by this test with its own host key and config on a port of its
# own: up, no flap, and no error in sshd's log; frozen (SIGSTOP, while the
# kernel still completes handshakes), every heartbeat is a timeout and the
# target leaves `up`, and it is up again after SIGCONT. Skips (77) when
# sshd is missing.
set -u
. "${TT_TESTS:?set by CTest}/servers/lib.sh"
command -v jq >/dev/null || srv_skip "jq is not installed"
need_server sshd
srv_setup

start_sshd "$SRV_DIR/sshd" "$(free_port)" || exit 1
port=$(cat "$SRV_DIR/sshd/port")
skip=$(log_lines "$SRV_DIR/sshd")

out=$SRV_DIR/ssh.jsonl
tether_run "$out" -i 250ms -t 250ms -c 8 "ssh=ssh://127.0.0.1:$port"
check "exit status (up)" "$TETHER_STATUS" 0
check_healthy "$out" ssh 8 8
# sshd logs at INFO, its default: a client that closes logs "Connection
# closed by ... [preauth]" (INFO, fine). Its error-level messages are the
# complaints about a client; logging to stderr (-e) it writes them without
# the "error: " prefix that syslog shows, so they are matched by their text:
# kex_exchange_identification (a client that closed or sent garbage before
# its own version line), "banner exchange", "Bad protocol version", ...
settle "$SRV_DIR/sshd"
check_log "sshd log" "$SRV_DIR/sshd/log" \
  '^(error|fatal):|kex_exchange_identification|banner exchange|Bad protocol version|invalid format|Protocol major versions differ|ssh_dispatch_run_fatal|Unable to negotiate' \
  "$skip"

freeze_run "$SRV_DIR/frozen.jsonl" "$SRV_DIR/sshd" ssh \
  -i 250ms -t 250ms -d 20s "ssh=ssh://127.0.0.1:$port"
check_frozen "$SRV_DIR/frozen.jsonl" ssh

finish

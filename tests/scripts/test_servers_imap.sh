#!/usr/bin/env bash
# test_servers_imap.sh - the imap and pop3 presets against Debian's
# dovecot, started by this test on ports of its own: up, no flap, and no
# warning or error in dovecot's log. Skips (77) when dovecot is missing.
set -u
. "${TT_TESTS:?set by CTest}/servers/lib.sh"
command -v jq >/dev/null || srv_skip "jq is not installed"
need_server dovecot
srv_setup

start_dovecot "$SRV_DIR/dovecot" "$(free_port)" "$(free_port)" || exit 1
imap=$(cat "$SRV_DIR/dovecot/port") pop3=$(cat "$SRV_DIR/dovecot/pop3.port")
skip=$(log_lines "$SRV_DIR/dovecot")

out=$SRV_DIR/mail.jsonl
tether_run "$out" -i 250ms -t 250ms -c 8 \
  "imap=imap://127.0.0.1:$imap" "pop3=pop3://127.0.0.1:$pop3"
check "exit status (all up)" "$TETHER_STATUS" 0
check_healthy "$out" imap 8 8
check_healthy "$out" pop3 8 8
# dovecot logs at info: every client that leaves before logging in is an
# info line ("Disconnected: Aborted login by logging out", or "Connection
# closed" without LOGOUT/QUIT); what it complains of is a warning or worse.
settle "$SRV_DIR/dovecot"
check_log "dovecot log" "$SRV_DIR/dovecot/log" ' (Warning|Error|Fatal|Panic): ' "$skip"

finish

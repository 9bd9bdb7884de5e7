#!/usr/bin/env bash
# test_servers_mail.sh - the smtp preset against Debian's exim4 daemon with
# Debian's own configuration (so its SMTP limits, smtp_accept_max_nonmail 10
# among them), started by this test on a port of its own: 15 heartbeats at
# 200ms, more than exim's 10 non-mail commands, all ok, no flap, and
# nothing in exim's logs. Skips (77) when exim4 is missing.
set -u
. "${TT_TESTS:?set by CTest}/servers/lib.sh"
command -v jq >/dev/null || srv_skip "jq is not installed"
need_server exim
srv_setup

start_exim "$SRV_DIR/exim" "$(free_port)" || exit 1
port=$(cat "$SRV_DIR/exim/port")
skip=$(log_lines "$SRV_DIR/exim")

out=$SRV_DIR/smtp.jsonl
tether_run "$out" -i 200ms -t 200ms -c 15 "smtp=smtp://127.0.0.1:$port"
check "exit status (up)" "$TETHER_STATUS" 0
check_healthy "$out" smtp 15 15
# exim logs with Debian's log_selector (+smtp_protocol_error
# +smtp_syntax_error ...): a client that trips a limit or talks out of turn
# is logged in the main log (and the reject log): "dropped: too many
# nonmail commands", "SMTP protocol synchronization error", "SMTP syntax
# error"; a client that connects, reads the greeting and leaves, with or
# without QUIT, is not logged at all.
settle "$SRV_DIR/exim"
check_log "exim mainlog" "$SRV_DIR/exim/log" \
  'too many nonmail commands|synchronization error|syntax error|protocol error|dropped|rejected|lost|unexpected disconnection' \
  "$skip"
for f in rejectlog paniclog; do
  if [ -s "$SRV_DIR/exim/logs/$f" ]; then
    fail "exim $f: $(head -n 3 "$SRV_DIR/exim/logs/$f")"
  else
    pass "exim $f: empty"
  fi
done

finish

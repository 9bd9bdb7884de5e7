#!/usr/bin/env bash
# test_tls_server.sh - core/tls against OpenSSL's own server (openssl
# s_server), through tests/tools/tls_probe over a real socket, with
# certificates this test makes with the openssl CLI: a private CA's
# certificate (ok, facts, a ping and its pong, SNI picking the certificate,
# an IP literal against the IP SAN, a wrong name, the system's CAs),
# expired, self-signed, insecure, a server that speaks only TLS 1.3 to a
# client capped at 1.2, strict SNI, and plain ports (a plain TCP server,
# and nginx without TLS when it is there): each failure in its words, and
# the server told why. Skips (77) when openssl or ss is missing.
set -u
. "${TT_TESTS:?set by CTest}/servers/lib.sh"
command -v openssl >/dev/null || srv_skip "openssl not found (apt-get install openssl)"
command -v ss >/dev/null || srv_skip "ss not found (apt-get install iproute2)"
srv_setup

PROBE=${TT_TOOLS:?set by CTest}/tls_probe
make_certs "$SRV_DIR/certs" || exit 1
end_s=$CERTS_END

start_s_server "$SRV_DIR/good" api \
  -servername www.api.internal -cert2 "$CERTS/www.pem" -key2 "$CERTS/www.key" || exit 1
start_s_server "$SRV_DIR/expired" expired || exit 1
start_s_server "$SRV_DIR/self" self || exit 1
start_s_server "$SRV_DIR/tls13" api -tls1_3 || exit 1
start_s_server "$SRV_DIR/strict" api -servername www.api.internal \
  -cert2 "$CERTS/www.pem" -key2 "$CERTS/www.key" -servername_fatal || exit 1
good=$(cat "$SRV_DIR/good/port")

# A plain TCP server that answers whatever it reads.
plain=$(free_port)
srv_mkdir "$SRV_DIR/plain"
srv_spawn "$SRV_DIR/plain" "$plain" TERM "$TT_TOOLS/fault_serve" 127.0.0.1 "$plain"
srv_wait "$SRV_DIR/plain" "listening on $plain" srv_listening "$plain" || exit 1

# ---- probing ------------------------------------------------------------------

# probe NAME SERVER ARGS...: tls_probe against SERVER's port, its output
# in $SRV_DIR/NAME.out and its exit status in $SRV_DIR/NAME.status.
probe() {
  local name=$1 dir=$2 status
  shift 2
  "$PROBE" "$@" 127.0.0.1 "$(cat "$SRV_DIR/$dir/port")" >"$SRV_DIR/$name.out" 2>&1
  status=$?
  echo "$status" >"$SRV_DIR/$name.status"
  echo "--- $name: tls_probe $* (exit $status)"
  sed 's/^/  /' "$SRV_DIR/$name.out"
}

# field NAME KEY: a line "KEY: value" of a probe's output.
field() { sed -n "s/^$2: //p" "$SRV_DIR/$1.out"; }

# told DIR NUMBER: the server's log says a client sent it alert NUMBER
# (OpenSSL's server logs "SSL alert number N").
told() { srv_logged "$1" "SSL alert number $2\$"; }

# A good certificate from a private CA: ok, the facts, a ping and its pong
# (s_server -rev answers the line reversed), close_notify.
probe ok good --ca "$CERTS/ca.pem" --name api.internal --send 'PING\n'
check "ok: result" "$(field ok result)" ok
check "ok: exit status" "$(cat "$SRV_DIR/ok.status")" 0
check "ok: version" "$(field ok version)" TLSv1.3
check "ok: subject" "$(field ok subject)" CN=api.internal
check "ok: issuer" "$(field ok issuer)" "CN=Tether Test CA"
check "ok: sans" "$(field ok sans)" "api.internal, 127.0.0.1"
check "ok: trusted" "$(field ok trusted)" yes
check "ok: not_after" "$(field ok not_after)" "$(date -u -d "@$end_s" +%Y-%m-%dT%H:%M:%SZ)"
check_range "ok: days_left" "$(field ok days_left)" 19 19
check "ok: reply" "$(field ok reply)" GNIP

# TLS 1.2 as well.
probe tls12 good --ca "$CERTS/ca.pem" --name api.internal --tls1.2
check "tls1.2: result" "$(field tls12 result)" ok
check "tls1.2: version" "$(field tls12 version)" TLSv1.2

# SNI: the server picks its other certificate for the other name.
probe sni good --ca "$CERTS/ca.pem" --name www.api.internal
check "sni: result" "$(field sni result)" ok
check "sni: subject" "$(field sni subject)" CN=www.api.internal

# An IP literal: no SNI (the default certificate), checked against its IP SAN.
probe ip good --ca "$CERTS/ca.pem"
check "ip: result" "$(field ip result)" ok
check "ip: subject" "$(field ip subject)" CN=api.internal

# The wrong name, and the system's CAs (which do not know the test's).
probe name good --ca "$CERTS/ca.pem" --name other.example
check "wrong name: detail" "$(field name detail)" \
  "certificate is for api.internal, 127.0.0.1, not other.example"
check "wrong name: exit status" "$(cat "$SRV_DIR/name.status")" 1
probe system good --name api.internal
check "system CAs: detail" "$(field system detail)" "unknown CA"

# Expired: rejected, and the server told (certificate_expired is 45);
# insecure reports it without failing.
probe expired expired --ca "$CERTS/ca.pem" --name api.internal
check "expired: result" "$(field expired result)" tls
check "expired: failure" "$(field expired failure)" cert
check "expired: detail" "$(field expired detail)" "certificate expired on 2020-11-20"
check "expired: not_after" "$(field expired not_after)" 2020-11-20T12:00:00Z
check "expired: server told" "$(told "$SRV_DIR/expired" 45 && echo yes)" yes
probe insecure expired --ca "$CERTS/ca.pem" --name api.internal --insecure --send 'PING\n'
check "insecure: result" "$(field insecure result)" ok
check "insecure: judged" "$(field insecure judged)" no
check "insecure: verdict" "$(field insecure verdict)" "certificate expired on 2020-11-20"
check "insecure: reply" "$(field insecure reply)" GNIP

probe self self --ca "$CERTS/ca.pem" --name api.internal
check "self-signed: detail" "$(field self detail)" "self-signed certificate"

# Alerts from the server, by name.
probe tls13 tls13 --ca "$CERTS/ca.pem" --name api.internal --tls1.2
check "TLS 1.3 only: failure" "$(field tls13 failure)" alert
check "TLS 1.3 only: detail" "$(field tls13 detail)" "handshake failure: alert protocol_version"
probe strict strict --ca "$CERTS/ca.pem" --name api.internal
check "strict SNI: detail" "$(field strict detail)" "handshake failure: alert unrecognized_name"

# Plain ports.
probe plain plain --name api.internal
check "plain TCP: failure" "$(field plain failure)" not_tls
check "plain TCP: detail" "$(field plain detail)" "peer is not speaking TLS"
if command -v nginx >/dev/null && [ "$(id -u)" -eq 0 ]; then
  start_nginx "$SRV_DIR/nginx" "$(free_port)" || exit 1
  probe nginx nginx --name api.internal
  check "nginx without TLS: detail" "$(field nginx detail)" "peer is not speaking TLS"
else
  echo "nginx without TLS: not tried (needs nginx and root)"
fi

finish

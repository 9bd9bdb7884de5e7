#!/usr/bin/env bash
# test_tls_tether.sh - tether over TLS, as people run it, against OpenSSL's
# own server and Debian's nginx with certificates this test makes: a good
# certificate (ok, tls_us and the certificate's dates in the events), one
# about to expire (degraded), every rejection in its words (expired,
# self-signed, the wrong name, an unknown CA, a plain port), a persistent
# probe inside TLS, and the https preset with its keep-alive closes quiet.
# Skips (77) when openssl or nginx is missing.
set -u
. "${TT_TESTS:?set by CTest}/servers/lib.sh"
command -v openssl >/dev/null || srv_skip "openssl not found (apt-get install openssl)"
command -v jq >/dev/null || srv_skip "jq is not installed"
need_server nginx
srv_setup
make_certs "$SRV_DIR/certs" || exit 1

# s_server serves one client at a time: the persistent probes get servers
# of their own; connect-mode probes come and go, and share one.
start_s_server "$SRV_DIR/good" api || exit 1
start_s_server "$SRV_DIR/echo" api || exit 1
start_s_server "$SRV_DIR/expired" expired || exit 1
start_s_server "$SRV_DIR/echo-expired" expired || exit 1
start_s_server "$SRV_DIR/self" self || exit 1
start_nginx "$SRV_DIR/plain" "$(free_port)" || exit 1
start_nginx "$SRV_DIR/https" "$(free_port)" "ssl_certificate $CERTS/api.pem;
    ssl_certificate_key $CERTS/api.key; keepalive_requests 3;
    location = /down { return 503; }" || exit 1
sed -i "s|listen 127.0.0.1:\([0-9]*\);|listen 127.0.0.1:\1 ssl;|" "$SRV_DIR/https/nginx.conf"
reload_nginx "$SRV_DIR/https" || exit 1
good=$(cat "$SRV_DIR/good/port") expired=$(cat "$SRV_DIR/expired/port")
echo=$(cat "$SRV_DIR/echo/port") echo_expired=$(cat "$SRV_DIR/echo-expired/port")
self=$(cat "$SRV_DIR/self/port") plain=$(cat "$SRV_DIR/plain/port")
https=$(cat "$SRV_DIR/https/port")

cat >"$SRV_DIR/tls.yaml" <<YAML
defaults: { interval: 300ms, timeout: 300ms, ca_file: "$CERTS/ca.pem",
            server_name: api.internal }
targets:
  - { name: good, address: "127.0.0.1:$good", preset: tls }
  - { name: soon, address: "127.0.0.1:$good", preset: tls, cert_warn: 30d }
  - { name: by-ip, address: "127.0.0.1:$good", preset: tls, server_name: 127.0.0.1 }
  - { name: expired, address: "127.0.0.1:$expired", preset: tls }
  - { name: self, address: "127.0.0.1:$self", preset: tls }
  - { name: other, address: "127.0.0.1:$good", preset: tls,
      server_name: other.example }
  - { name: plain, address: "127.0.0.1:$plain", preset: tls }
  - { name: ping, address: "127.0.0.1:$echo", tls: true, send: "PING\n",
      expect: "^GNIP$" }
  - { name: insecure, address: "127.0.0.1:$echo_expired", tls: true,
      insecure: true, send: "PING\n", expect: "^GNIP$" }
  - { name: web, address: "127.0.0.1:$https", preset: https }
  - { name: web-down, address: "127.0.0.1:$https", preset: https, path: /down }
  - { name: unknown-ca, address: "127.0.0.1:$good", preset: tls,
      ca_file: "$CERTS/self.pem" }
YAML
out=$SRV_DIR/tls.jsonl
mport=$(free_port)
tether_start "$out" --metrics "127.0.0.1:$mport" -d 3s "$SRV_DIR/tls.yaml"
# The certificates' expiry in /metrics, once the handshakes showed them.
scrape=$SRV_DIR/metrics
if command -v curl >/dev/null; then
  for _ in $(seq 50); do
    curl -sf -o "$scrape" "http://127.0.0.1:$mport/metrics" &&
      grep -q '^tether_cert_expiry_timestamp_seconds{target="insecure"' "$scrape" &&
      break
    sleep 0.1
  done
else
  echo "skip - curl is not installed: /metrics is not scraped"
fi
tether_wait "$out"

# detail TARGET: the error of the target's first heartbeat.
detail() { ev "$out" "$1" heartbeat | head -n 1 | jq -r .error; }

check_healthy "$out" good 8 12
first=$(ev "$out" good heartbeat | head -n 1)
check_at_least "good: tls_us" "$(jq -r .tls_us <<<"$first")" 1
check "good: cert_not_after" "$(jq -r .cert_not_after <<<"$first")" \
  "$(date -u -d "@$CERTS_END" +%Y-%m-%dT%H:%M:%S).000000Z"
check_range "good: cert_days_left" "$(jq -r .cert_days_left <<<"$first")" 19 19
# The certificate, told once: its facts for people.
check "good: tls events" "$(ev_count "$out" good tls)" 1
tls=$(ev "$out" good tls)
check "good: subject" "$(jq -r .subject <<<"$tls")" CN=api.internal
check "good: issuer" "$(jq -r .issuer <<<"$tls")" "CN=Tether Test CA"
check "good: sans" "$(jq -r .sans <<<"$tls")" "api.internal, 127.0.0.1"
check "good: version" "$(jq -r .version <<<"$tls")" TLSv1.3
check "good: trusted" "$(jq -r .trusted <<<"$tls")" true
check "good: summary's cert_days_left" "$(ev_summary "$out" good cert_days_left)" \
  "$(jq -r .cert_days_left <<<"$first")"
if [ -s "$scrape" ]; then
  cert() { grep "^tether_cert_expiry_timestamp_seconds{target=\"$1\"" "$scrape" | awk '{print $NF}'; }
  check "good: tether_cert_expiry_timestamp_seconds" "$(cert good)" "$CERTS_END"
  # An expired certificate is still a certificate the server showed.
  check "insecure: tether_cert_expiry_timestamp_seconds" "$(cert insecure)" \
    "$(openssl x509 -noout -enddate -in "$CERTS/expired.pem" | cut -d= -f2 |
       xargs -I{} date -u -d {} +%s)"
  check "plain: no certificate, no series" "$(cert plain)" ""
  if command -v promtool >/dev/null; then
    promtool check metrics <"$scrape" >"$scrape.lint" 2>&1 ||
      fail "promtool: $(head -n 3 "$scrape.lint")"
  fi
fi
check_healthy "$out" by-ip 8 12
# A certificate expiring within cert_warn: ok heartbeats, yet degraded.
check "soon: states" "$(ev_states "$out" soon)" "connecting>up up>degraded"
check "soon: cause" "$(ev "$out" soon state '.to == "degraded"' | jq -r .error)" \
  "certificate expires in 19 days ($(date -u -d "@$CERTS_END" +%Y-%m-%d))"
check "soon: heartbeat classes" "$(ev_classes "$out" soon)" \
  "ok:$(ev_count "$out" soon heartbeat)"

check "expired: class" "$(ev_classes "$out" expired | cut -d: -f1)" tls
check "expired: detail" "$(detail expired)" "certificate expired on 2020-11-20"
check "self: detail" "$(detail self)" "self-signed certificate"
check "other: detail" "$(detail other)" \
  "certificate is for api.internal, 127.0.0.1, not other.example"
check "unknown CA: detail" "$(detail unknown-ca)" "unknown CA"
check "plain: detail" "$(detail plain)" "peer is not speaking TLS"
check "expired: state" "$(ev_summary "$out" expired state)" down

# Inside TLS, the persistent probe as ever: s_server -rev answers GNIP.
check_healthy "$out" ping 8 12
check "ping: one connection" "$(ev_summary "$out" ping reconnects)" 0
check_healthy "$out" insecure 8 12
# https: nginx closes every 3rd request's connection: quiet reconnects.
check_healthy "$out" web 8 12
check_at_least "web: reconnect events" "$(ev_count "$out" web reconnect)" 2
# A 503 over TLS is a status like any other: unhealthy.
check "web-down: classes" "$(ev_classes "$out" web-down | cut -d: -f1)" unhealthy
check "web-down: detail" "$(ev "$out" web-down heartbeat | head -n 1 | jq -r .error)" \
  "HTTP/1.1 503 Service Temporarily Unavailable (accepted: 200-399)"
check_log "nginx over TLS" "$SRV_DIR/https/log" '\[(error|crit|alert|emerg)\]'

# A CA file renewed under the same name counts from the next reload: the
# target itself did not change, its next handshake trusts the new file.
cp "$CERTS/self.pem" "$SRV_DIR/renewed.pem"
cat >"$SRV_DIR/renew.yaml" <<YAML
targets:
  - { name: renewed, address: "127.0.0.1:$good", preset: tls, interval: 200ms,
      ca_file: "$SRV_DIR/renewed.pem", server_name: api.internal }
YAML
out=$SRV_DIR/renew.jsonl
tether_start "$out" "$SRV_DIR/renew.yaml"
wait_events "$out" renewed heartbeat 1 '.class == "tls"' ||
  fail "renewed: no heartbeat failed on the old CA file"
cp "$CERTS/ca.pem" "$SRV_DIR/renewed.pem"
kill -HUP "$TETHER_PID"
wait_events "$out" renewed heartbeat 1 '.class == "ok"' ||
  fail "renewed: the new CA file was not read on reload"
kill -TERM "$TETHER_PID"
tether_wait "$out"
check "renewed: first class" "$(ev "$out" renewed heartbeat | head -n 1 | jq -r .error)" \
  "unknown CA"
check "renewed: last state" "$(ev_summary "$out" renewed state)" up
check "renewed: reloads" \
  "$(jq -cR 'fromjson? | select(.event == "reload" and .ok)' "$out" | wc -l)" 1

finish

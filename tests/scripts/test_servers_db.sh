#!/usr/bin/env bash
# test_servers_db.sh - the postgres and mysql presets against Debian's
# PostgreSQL and MariaDB, each set up by this test in its temporary
# directory (initdb as user postgres, mariadb-install-db as user mysql) and
# started on a port and socket of its own: up, no flap, one heartbeat per
# interval and no error in the servers' logs, PostgreSQL with ssl off
# (initdb's default) and on (Debian's clusters' default); frozen (SIGSTOP
# of the process that accepts), every heartbeat is a timeout and the target
# leaves `up`, and it is up again after SIGCONT. Skips (77) when a server
# is missing.
set -u
. "${TT_TESTS:?set by CTest}/servers/lib.sh"
command -v jq >/dev/null || srv_skip "jq is not installed"
need_server postgres mariadb
srv_setup

# The two slow set-ups side by side.
init_postgres "$SRV_DIR/pg" &
pg_init=$!
init_mariadb "$SRV_DIR/my" &
my_init=$!
wait "$pg_init" || exit 1
wait "$my_init" || exit 1
start_postgres "$SRV_DIR/pg" "$(free_port)" || exit 1
start_mariadb "$SRV_DIR/my" "$(free_port)" || exit 1
pg=$(cat "$SRV_DIR/pg/port") my=$(cat "$SRV_DIR/my/port")

# PostgreSQL logs at log_min_messages `warning` (its default), where a
# client's misbehaviour comes out as `LOG:` lines such as "could not accept
# SSL connection: EOF detected", "incomplete startup packet", "could not
# receive data from client", and its errors as ERROR/FATAL.
PG_COMPLAINTS='ERROR:|FATAL:|PANIC:|could not|incomplete startup packet|invalid length of startup packet|unsupported frontend protocol'
# MariaDB logs at log_warnings 2 (its default): [ERROR] lines, and
# [Warning] lines, among them one per connection closed before it
# authenticated ("Aborted connection ... This connection closed normally
# without authentication") and one per host it blocks after
# max_connect_errors such connections (never 127.0.0.1: no host cache for
# loopback). A probe without credentials cannot avoid a warning (one that
# answers the greeting gets "Access denied" instead): only errors and
# blocking count here, and the warnings are counted below.
MY_COMPLAINTS='\[ERROR\]|blocked because of many connection errors'

# ---- healthy, PostgreSQL with ssl off -------------------------------------
pg_skip=$(log_lines "$SRV_DIR/pg") my_skip=$(log_lines "$SRV_DIR/my")
out=$SRV_DIR/healthy.jsonl
tether_run "$out" -i 250ms -t 250ms -d 3s \
  "pg=postgres://127.0.0.1:$pg" "my=mysql://127.0.0.1:$my"
check "exit status (all up)" "$TETHER_STATUS" 0
check_healthy "$out" pg 11 13
check_healthy "$out" my 11 13
settle "$SRV_DIR/pg"
settle "$SRV_DIR/my"
check_log "postgres log (ssl off)" "$SRV_DIR/pg/log" "$PG_COMPLAINTS" "$pg_skip"
check_log "mariadb error log" "$SRV_DIR/my/log" "$MY_COMPLAINTS" "$my_skip"
echo "note: mariadb logged $(tail -n +"$((my_skip + 1))" "$SRV_DIR/my/log" |
  grep -c 'Aborted connection') 'Aborted connection' warnings for $(ev_count "$out" my heartbeat) heartbeats"

# ---- healthy, PostgreSQL with ssl on --------------------------------------
# As Debian's pg_createcluster sets it up (there with the snakeoil
# certificate; here a self-signed one of the test's own).
data=$SRV_DIR/pg/data
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$data/server.key" -out "$data/server.crt" -days 2 \
  -subj /CN=localhost >/dev/null 2>&1 || { echo "openssl could not make a certificate"; exit 1; }
chown postgres "$data/server.key" "$data/server.crt"
chmod 600 "$data/server.key"
psql_admin "$SRV_DIR/pg" "alter system set ssl = on" >/dev/null &&
  psql_admin "$SRV_DIR/pg" "select pg_reload_conf()" >/dev/null || exit 1
srv_wait "$SRV_DIR/pg" "ssl on" pg_ssl_on "$SRV_DIR/pg" || exit 1
pg_skip=$(log_lines "$SRV_DIR/pg")
out=$SRV_DIR/ssl.jsonl
tether_run "$out" -i 250ms -t 250ms -c 8 "pg=postgres://127.0.0.1:$pg"
check "ssl on: exit status (up)" "$TETHER_STATUS" 0
check_healthy "$out" pg 8 8
settle "$SRV_DIR/pg"
check_log "postgres log (ssl on)" "$SRV_DIR/pg/log" "$PG_COMPLAINTS" "$pg_skip"

# ---- frozen ---------------------------------------------------------------
freeze_run "$SRV_DIR/frozen.jsonl" "$SRV_DIR/pg $SRV_DIR/my" "pg my" \
  -i 250ms -t 250ms -d 20s "pg=postgres://127.0.0.1:$pg" "my=mysql://127.0.0.1:$my"
check_frozen "$SRV_DIR/frozen.jsonl" pg
check_frozen "$SRV_DIR/frozen.jsonl" my

finish

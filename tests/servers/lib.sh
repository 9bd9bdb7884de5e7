# tests/servers/lib.sh - real servers from Debian for the integration tests
# (nginx, redis, memcached, sshd, exim, dovecot, PostgreSQL, MariaDB): each
# started as the test's own process, in a directory of its own under the
# test's temporary directory, on a 127.0.0.1 port of its own.
#
# Sourced by tests/scripts/test_servers_*.sh:
#
#   . "$TT_TESTS/servers/lib.sh"
#   srv_setup                      # $SRV_DIR, and a trap that stops all
#   need_server nginx              # exit 77 with a reason when missing
#   port=$(free_port)
#   start_nginx "$SRV_DIR/web" "$port" 'keepalive_timeout 0;'
#   ...
#   freeze "$SRV_DIR/pg"; thaw "$SRV_DIR/pg"
#
# events.sh (tether run and its JSON events read, the checks) and certs.sh
# (certificates, openssl s_server) come with it.
#
# Every start_NAME DIR PORT returns once the server accepts connections
# (it waits on what the server prints, or on its listening socket: a probe
# connection would itself be a client in the logs the tests read), or fails
# with the server's log when it does not start within $SRV_START_SECONDS.
# In DIR it leaves `port`, `pid` (the process to stop), `accept.pid` (the
# one that accepts connections: what freeze stops) and `log` (a link to the
# log where the server reports its clients' errors).
#
# The servers run in the foreground, in this shell's process group (never
# daemonised): a test killed with its group takes them along; the trap
# stops them cleanly in every other case.

SRV_DIR=
SRV_STARTED=()          # server directories, in start order
SRV_CLEANUP=()          # commands run by srv_teardown after stop_all
SRV_START_SECONDS=${SRV_START_SECONDS:-30}
SRV_NETNS=              # when set, servers start in this network namespace
TETHER_PID=             # the tether of tether_start

srv_skip() {
  echo "SKIP: $*"
  exit 77
}

srv_note() { echo "servers: $*" >&2; }

# need_server NAME...: skips the test (77) with the package to install when
# a server's program is not there. The names are those of start_NAME.
need_server() {
  local name prog pkg
  for name in "$@"; do
    case $name in
      nginx) prog=nginx pkg=nginx ;;
      redis) prog=redis-server pkg=redis-server ;;
      memcached) prog=memcached pkg=memcached ;;
      sshd) prog=/usr/sbin/sshd pkg=openssh-server ;;
      exim) prog=exim4 pkg=exim4-daemon-light ;;
      dovecot) prog=dovecot pkg="dovecot-imapd dovecot-pop3d" ;;
      postgres) prog=$(pg_bindir)/postgres pkg=postgresql ;;
      mariadb) prog=mariadbd pkg=mariadb-server ;;
      *) echo "need_server: unknown server '$name'" >&2; exit 1 ;;
    esac
    command -v "$prog" >/dev/null 2>&1 ||
      srv_skip "$name: $prog not found (apt-get install $pkg)"
  done
  command -v ss >/dev/null 2>&1 || srv_skip "ss not found (apt-get install iproute2)"
  [ "$(id -u)" -eq 0 ] || srv_skip "the servers run as their own users: the test needs root"
}

# srv_setup: the temporary directory ($SRV_DIR) and the traps that stop
# every server and remove it, whichever way the test ends.
srv_setup() {
  SRV_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tether-servers.XXXXXX") || exit 1
  # The servers that drop root (postgres, mariadb, memcached, exim's
  # receivers) must be able to reach their own directories below it.
  chmod 755 "$SRV_DIR"
  trap srv_teardown EXIT
  trap 'exit 130' INT TERM HUP
}

srv_teardown() {
  local c pid
  # A tether of this test still running (the test was interrupted) goes
  # first.
  for pid in $TETHER_PID $(pgrep -P "$$" -x tether); do
    srv_alive "$pid" || continue
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  stop_all
  for c in "${SRV_CLEANUP[@]}"; do eval "$c"; done
  [ -n "$SRV_DIR" ] && rm -rf "$SRV_DIR"
}

# free_port [ADDR]: a TCP port free on ADDR (default 127.0.0.1) right now.
free_port() {
  "${TT_TOOLS:?set by CTest}/free_port" "$@"
}

# srv_alive PID: the process exists and has not exited (a zombie child of
# this shell has).
srv_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# srv_wait DIR WHAT COMMAND...: polls COMMAND until it succeeds; fails,
# with the tail of the server's log, when the server exits or
# $SRV_START_SECONDS pass.
srv_wait() {
  local dir=$1 what=$2 pid end
  shift 2
  pid=$(cat "$dir/pid")
  end=$((SECONDS + SRV_START_SECONDS))
  while ! "$@"; do
    if ! srv_alive "$pid"; then
      srv_note "$(basename "$dir"): exited before $what"
      srv_show_log "$dir"
      return 1
    fi
    if ((SECONDS >= end)); then
      srv_note "$(basename "$dir"): not $what within ${SRV_START_SECONDS}s"
      srv_show_log "$dir"
      return 1
    fi
    sleep 0.05
  done
}

srv_show_log() {
  local f shown=
  for f in "$1"/log "$1"/stderr; do
    f=$(readlink -f "$f")
    [ -s "$f" ] && [ "$f" != "$shown" ] || continue
    srv_note "--- $f"
    tail -n 20 "$f" >&2
    shown=$f
  done
}

# srv_listening PORT [ADDR]: something listens on ADDR:PORT (looked up
# with ss, without connecting).
srv_listening() {
  local addr=${2:-127.0.0.1}
  case $addr in *:*) addr="[$addr]" ;; esac
  ${SRV_NETNS:+ip netns exec "$SRV_NETNS"} ss -Hltn "src $addr:$1" |
    grep -q LISTEN
}

# srv_logged DIR ERE: the server's log has a line matching ERE.
srv_logged() { grep -Eq -- "$2" "$(readlink -f "$1/log")" 2>/dev/null; }

# srv_spawn DIR PORT STOPSIG COMMAND...: starts COMMAND in the background
# with its output in DIR/stderr and records it as a server of this test.
srv_spawn() {
  local dir=$1 port=$2 sig=$3
  shift 3
  ${SRV_NETNS:+ip netns exec "$SRV_NETNS"} "$@" </dev/null >"$dir/stderr" 2>&1 &
  echo $! >"$dir/pid"
  echo $! >"$dir/accept.pid"
  echo "$sig" >"$dir/stopsig"
  echo "$port" >"$dir/port"
  SRV_STARTED+=("$dir")
}

# srv_mkdir DIR [OWNER]: a fresh directory for one server.
srv_mkdir() {
  rm -rf "$1"
  mkdir -p "$1"
  [ -z "${2:-}" ] || chown "$2" "$1"
}

# stop_all: stops every server this test started, last first: thawed if
# frozen, its own stop signal, then SIGKILL if it has not exited after 10s.
stop_all() {
  local i dir pid sig end
  for ((i = ${#SRV_STARTED[@]} - 1; i >= 0; i--)); do
    dir=${SRV_STARTED[i]}
    pid=$(cat "$dir/pid" 2>/dev/null) || continue
    sig=$(cat "$dir/stopsig")
    if srv_alive "$pid"; then
      thaw "$dir"
      kill -"$sig" "$pid" 2>/dev/null
      end=$((SECONDS + 10))
      while srv_alive "$pid" && ((SECONDS < end)); do sleep 0.05; done
      if srv_alive "$pid"; then
        srv_note "$(basename "$dir"): still running 10s after SIG$sig, killed"
        kill -KILL "$pid" 2>/dev/null
      fi
    fi
    wait "$pid" 2>/dev/null
  done
  SRV_STARTED=()
}

# freeze DIR / thaw DIR: SIGSTOP / SIGCONT the process that accepts the
# server's connections (and for nginx its workers too, which serve them).
# The kernel still completes TCP handshakes for a stopped process (up to
# the listen backlog): only what the server itself would say is missing.
freeze() { kill -STOP $(frozen_pids "$1"); }
thaw() { kill -CONT $(frozen_pids "$1") 2>/dev/null; }

frozen_pids() {
  local pid
  pid=$(cat "$1/accept.pid")
  echo "$pid"
  [ ! -e "$1/freeze-children" ] || pgrep -P "$pid"
}

# settle DIR: waits (up to 5s) until the server has finished with the
# connections it was handling, so that what they made it log is in its log:
# until no process is left that serves one (sshd, exim, dovecot and
# postgres fork one per connection and log before it exits; the helpers
# that stay are named in DIR/helpers), or for MariaDB until no connection
# is left but the one asking.
settle() {
  local dir=$1 end=$((SECONDS + 5))
  while ! settled "$dir"; do
    ((SECONDS < end)) || { srv_note "$(basename "$dir"): still busy with connections"; return 1; }
    sleep 0.05
  done
}

settled() {
  local dir=$1 pid kind
  pid=$(cat "$dir/accept.pid")
  kind=$(cat "$dir/kind" 2>/dev/null)
  if [ "$kind" = mariadb ]; then
    [ "$(mariadb_admin "$dir" "select variable_value from information_schema.global_status where variable_name = 'THREADS_CONNECTED'")" = 1 ]
  elif [ -s "$dir/helpers" ]; then
    ! pgrep -P "$pid" -a | grep -vqE "^[0-9]+ ($(cat "$dir/helpers")) *\$"
  else
    ! pgrep -P "$pid" >/dev/null
  fi
}

# ---- nginx ---------------------------------------------------------------

# start_nginx DIR PORT [SERVER-DIRECTIVES]: nginx, master and one worker,
# serving `200 ok` at every path; SERVER-DIRECTIVES go into its server
# block (keepalive_timeout, locations...). Errors are logged at `error`,
# nginx's default level.
start_nginx() {
  local dir=$1 port=$2 extra=${3:-}
  srv_mkdir "$dir"
  mkdir "$dir/tmp"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 512; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  default_type text/plain;
  server {
    listen 127.0.0.1:$port;
    $extra
    location / { return 200 "ok\n"; }
  }
}
EOF
  ln -s error.log "$dir/log"
  : >"$dir/freeze-children"
  srv_spawn "$dir" "$port" QUIT nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
  srv_wait "$dir" "listening on $port" srv_listening "$port" || return 1
  srv_wait "$dir" "running its worker" nginx_workers "$dir" || return 1
}

nginx_workers() { pgrep -P "$(cat "$1/pid")" >/dev/null; }

# reload_nginx DIR: `nginx -s reload`; returns once the master has started
# the new worker (the old one finishes its requests and closes its idle
# keep-alive connections on its own).
reload_nginx() {
  local dir=$1 before
  before=$(pgrep -P "$(cat "$dir/pid")" | sort)
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -s reload || return 1
  srv_wait "$dir" "running a new worker" nginx_new_worker "$dir" "$before"
}

nginx_new_worker() {
  pgrep -P "$(cat "$1/pid")" | sort | comm -13 <(echo "$2") - | grep -q .
}

# ---- redis ---------------------------------------------------------------

# start_redis DIR PORT [ADDR]: redis-server on ADDR (default 127.0.0.1),
# without persistence. It logs at `notice`, its default.
start_redis() {
  local dir=$1 port=$2 addr=${3:-127.0.0.1}
  srv_mkdir "$dir"
  : >"$dir/redis.log"
  ln -s redis.log "$dir/log"
  srv_spawn "$dir" "$port" TERM redis-server --port "$port" --bind "$addr" \
    --dir "$dir" --logfile "$dir/redis.log" --daemonize no --save '' \
    --appendonly no
  srv_wait "$dir" "ready" srv_logged "$dir" "Ready to accept connections"
}

# ---- memcached -----------------------------------------------------------

# start_memcached DIR PORT: memcached over TCP only, as user memcache. At
# its default verbosity it logs nothing about clients.
start_memcached() {
  local dir=$1 port=$2
  srv_mkdir "$dir"
  ln -s stderr "$dir/log"
  srv_spawn "$dir" "$port" TERM memcached -l 127.0.0.1 -p "$port" -U 0 -u memcache -m 16
  srv_wait "$dir" "listening on $port" srv_listening "$port"
}

# ---- sshd ----------------------------------------------------------------

# start_sshd DIR PORT: OpenSSH's sshd in the foreground (-D), its host key
# and config in DIR, logging to DIR/stderr (-e) at `INFO`, its default.
# sshd needs its privilege separation directory (/run/sshd on Debian,
# made by its service at start): it is made here when missing and removed
# at the end.
start_sshd() {
  local dir=$1 port=$2
  srv_mkdir "$dir"
  if [ ! -d /run/sshd ]; then
    mkdir -m 755 /run/sshd
    SRV_CLEANUP+=("rmdir /run/sshd 2>/dev/null")
  fi
  ssh-keygen -q -t ed25519 -N '' -C tether-test -f "$dir/host_ed25519_key" || return 1
  cat >"$dir/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519_key
PidFile $dir/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile none
EOF
  ln -s stderr "$dir/log"
  # sshd re-executes itself, so it must be started by its absolute path.
  srv_spawn "$dir" "$port" TERM /usr/sbin/sshd -D -e -f "$dir/sshd_config"
  srv_wait "$dir" "listening" srv_logged "$dir" "Server listening on 127.0.0.1 port $port"
}

# ---- exim ----------------------------------------------------------------

# start_exim DIR PORT: Debian's exim4 daemon with Debian's own generated
# configuration (update-exim4.conf's, so its SMTP limits are Debian's:
# exim's built-in smtp_accept_max_nonmail 10 and the rest), only moved to
# DIR (spool, logs) and to 127.0.0.1:PORT. Its log_selector is Debian's
# (+smtp_protocol_error +smtp_syntax_error ...); DIR/log is the main log.
start_exim() {
  local dir=$1 port=$2 conf=/var/lib/exim4/config.autogenerated
  srv_mkdir "$dir"
  if [ ! -r "$conf" ]; then
    update-exim4.conf --output "$dir/debian.conf" || return 1
    conf=$dir/debian.conf
  fi
  mkdir -p "$dir/spool" "$dir/logs"
  chown Debian-exim:Debian-exim "$dir/spool" "$dir/logs"
  # Debian's configuration takes these as macros (.ifndef), so they are
  # set ahead of it; the rest of it is used as it is.
  {
    echo "SPOOLDIR = $dir/spool"
    echo "MAIN_LOCAL_INTERFACES = <; 127.0.0.1"
    echo "log_file_path = $dir/logs/%slog"
    cat "$conf"
  } >"$dir/exim.conf"
  : >"$dir/logs/mainlog"
  chown Debian-exim:Debian-exim "$dir/logs/mainlog"
  ln -s logs/mainlog "$dir/log"
  # -bdf: a listening daemon in the foreground; no queue runs.
  srv_spawn "$dir" "$port" TERM exim4 -C "$dir/exim.conf" -bdf -oX "$port" -oP "$dir/exim.pid"
  srv_wait "$dir" "listening" srv_logged "$dir" "listening for SMTP on \[127\.0\.0\.1\]:$port" &&
    srv_wait "$dir" "greeting" greets "$port" 220 QUIT
}

# greets PORT GREETING BYE: a server on 127.0.0.1:PORT sends a first line
# starting with GREETING within 2s; the client then says BYE and leaves.
# exim logs "daemon started" before it has set up TLS (making itself a
# certificate, reading the CA bundle): until then, a client waits in the
# listen queue; exim does not log a client that leaves with QUIT.
greets() {
  local fd line
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  IFS= read -r -t 2 line <&"$fd"
  printf '%s\r\n' "$3" >&"$fd"
  exec {fd}>&-
  [[ $line == "$2"* ]]
}

# ---- dovecot -------------------------------------------------------------

# start_dovecot DIR IMAP-PORT POP3-PORT: Debian's dovecot, IMAP and POP3
# without TLS, a static user database, its sockets, state and log in DIR.
# It logs at info, its default: one "Disconnected: ..." info line per
# client; its complaints are "Warning:", "Error:", "Fatal:" and "Panic:"
# lines. DIR/port is the IMAP port, DIR/pop3.port the POP3 one.
start_dovecot() {
  local dir=$1 port=$2 pop3=$3
  srv_mkdir "$dir"
  mkdir "$dir/run" "$dir/state" "$dir/mail"
  cat >"$dir/dovecot.conf" <<EOF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
mail_location = maildir:$dir/mail/%u
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/mail/%u
}
service imap-login {
  inet_listener imap {
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $pop3
  }
  inet_listener pop3s {
    port = 0
  }
}
EOF
  : >"$dir/dovecot.log"
  ln -s dovecot.log "$dir/log"
  echo "$pop3" >"$dir/pop3.port"
  echo 'dovecot/(anvil|log|config|stats|auth)' >"$dir/helpers"
  srv_spawn "$dir" "$port" TERM dovecot -F -c "$dir/dovecot.conf"
  # The login processes start with the first client, and greet once the
  # auth process answers them: ready is a greeting on both ports.
  srv_wait "$dir" "listening on $port" srv_listening "$port" &&
    srv_wait "$dir" "listening on $pop3" srv_listening "$pop3" &&
    srv_wait "$dir" "greeting" greets "$port" '* OK' 'a LOGOUT' &&
    srv_wait "$dir" "greeting" greets "$pop3" '+OK' 'QUIT'
}

# ---- PostgreSQL ----------------------------------------------------------

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  echo "${d:-/usr/lib/postgresql/missing/bin}"
}

# as_user USER COMMAND...: COMMAND as USER.
as_user() {
  local user=$1
  shift
  setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

# init_postgres DIR: initdb into DIR/data as user postgres (trust auth,
# no fsync: the cluster lives for one test). Separate from start_postgres
# so that a test can run it beside other slow set-ups.
init_postgres() {
  local dir=$1
  srv_mkdir "$dir" postgres
  (cd "$dir" && as_user postgres "$(pg_bindir)/initdb" -D "$dir/data" \
    -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions) \
    >"$dir/initdb.log" 2>&1 || {
    srv_note "initdb failed:"
    cat "$dir/initdb.log" >&2
    return 1
  }
}

# start_postgres DIR PORT: the cluster of init_postgres (made first when
# missing) on 127.0.0.1:PORT, its socket in DIR/run. It logs to
# its stderr at log_min_messages `warning`, the default: its
# client-side complaints (COMMERROR) come out as `LOG:` lines, its errors
# as `ERROR:`/`FATAL:`. (It logs to stderr, DIR/stderr.)
start_postgres() {
  local dir=$1 port=$2
  [ -d "$dir/data" ] || init_postgres "$dir" || return 1
  echo 'postgres: (checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|archiver|stats collector)' >"$dir/helpers"
  mkdir -p "$dir/run"
  chown postgres "$dir/run"
  ln -sf stderr "$dir/log"
  # setpriv execs the server: the pid recorded is the postmaster's own.
  srv_spawn "$dir" "$port" INT setpriv --reuid=postgres --regid=postgres \
    --init-groups -- "$(pg_bindir)/postgres" -D "$dir/data" \
    -p "$port" -k "$dir/run" -c listen_addresses=127.0.0.1 \
    -c logging_collector=off -c fsync=off -c log_line_prefix='%m [%p] '
  # Before this line a client would be turned away ("starting up").
  srv_wait "$dir" "ready" srv_logged "$dir" "database system is ready to accept connections"
}

# psql_admin DIR SQL: runs SQL in the cluster, over its socket.
psql_admin() {
  local dir=$1
  as_user postgres "$(pg_bindir)/psql" -X -q -h "$dir/run" \
    -p "$(cat "$dir/port")" -U postgres -d postgres -Atc "$2"
}

# pg_ssl_on DIR: the server has ssl on (after a reload).
pg_ssl_on() { [ "$(psql_admin "$1" "show ssl")" = on ]; }

# ---- MariaDB -------------------------------------------------------------

# init_mariadb DIR: mariadb-install-db into DIR/data as user mysql.
init_mariadb() {
  local dir=$1
  srv_mkdir "$dir" mysql
  (cd "$dir" && mariadb-install-db --no-defaults --user=mysql \
    --datadir="$dir/data" --auth-root-authentication-method=socket \
    --skip-test-db --skip-name-resolve) >"$dir/install.log" 2>&1 || {
    srv_note "mariadb-install-db failed:"
    cat "$dir/install.log" >&2
    return 1
  }
}

# start_mariadb DIR PORT: mariadbd on 127.0.0.1:PORT, its socket in DIR,
# its error log in DIR/error.log at log_warnings 2, the default. No
# Debian my.cnf is read (--no-defaults): every setting is the server's
# built-in default but the paths, the port and a small buffer pool.
start_mariadb() {
  local dir=$1 port=$2
  [ -d "$dir/data" ] || init_mariadb "$dir" || return 1
  echo mariadb >"$dir/kind"
  ln -sf error.log "$dir/log"
  srv_spawn "$dir" "$port" TERM mariadbd --no-defaults --user=mysql \
    --datadir="$dir/data" --port="$port" --bind-address=127.0.0.1 \
    --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
    --log-error="$dir/error.log" --innodb-buffer-pool-size=16M \
    --skip-log-bin
  srv_wait "$dir" "ready" srv_logged "$dir" "ready for connections"
}

# mariadb_admin DIR SQL: runs SQL as root over the server's socket.
mariadb_admin() {
  mariadb --no-defaults -S "$1/mysqld.sock" -u root -N -B -e "$2"
}

# ---- tether, the checks, certificates ----------------------------------------

. "$(dirname "${BASH_SOURCE[0]}")/events.sh"
. "$(dirname "${BASH_SOURCE[0]}")/certs.sh"

# tests/servers/certs.sh - certificates the tests make with the openssl CLI,
# and openssl s_server on a port of its own.
# Sourced by lib.sh: every test that sources lib.sh has these too.

# ---- certificates and TLS servers -----------------------------------------

# certs_quiet CMD...: runs an openssl command, its words shown on failure.
certs_quiet() {
  "$@" >"$CERTS/openssl.log" 2>&1 || { cat "$CERTS/openssl.log"; return 1; }
}

# certs_req NAME CN: an EC P-256 key in NAME.key and a request for CN.
certs_req() {
  certs_quiet openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -nodes -keyout "$CERTS/$1.key" -out "$CERTS/$1.csr" -subj "/CN=$2"
}

# certs_issue NAME SANS START END: NAME.pem for NAME.csr, from the CA,
# valid from START to END (YYYYMMDDHHMMSSZ); `openssl ca` is the one
# command that sets any validity period, an expired one included.
certs_issue() {
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    "$2" >"$CERTS/$1.ext"
  certs_quiet openssl ca -batch -notext -config "$CERTS/ca.cnf" \
    -cert "$CERTS/ca.pem" -keyfile "$CERTS/ca.key" -in "$CERTS/$1.csr" \
    -out "$CERTS/$1.pem" -startdate "$3" -enddate "$4" -extfile "$CERTS/$1.ext"
}

# make_certs DIR: a private CA (ca.pem) and, from it, in DIR: api (for
# api.internal and 127.0.0.1, valid 20 more days, which ends at
# $CERTS_END, seconds since the epoch), www (www.api.internal), expired
# (api.internal, expired on 2020-11-20), and self (self-signed,
# api.internal). $CERTS is DIR.
make_certs() {
  CERTS=$1
  mkdir -p "$CERTS/issued"
  certs_quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -nodes -keyout "$CERTS/ca.key" -out "$CERTS/ca.pem" \
    -subj "/CN=Tether Test CA" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" || return 1
  : >"$CERTS/index.txt"
  echo 1000 >"$CERTS/serial"
  cat >"$CERTS/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $CERTS/index.txt
new_certs_dir = $CERTS/issued
serial = $CERTS/serial
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
CNF
  local start
  start=$(date -u -d '1 day ago' +%Y%m%d%H%M%SZ)
  # 19 days and a half: days left (rounded down) is 19 throughout a test,
  # never at the moment it turns.
  CERTS_END=$(($(date -u +%s) + 19 * 86400 + 43200))
  local end
  end=$(date -u -d "@$CERTS_END" +%Y%m%d%H%M%SZ)
  certs_req api api.internal &&
    certs_issue api "DNS:api.internal,IP:127.0.0.1" "$start" "$end" &&
    certs_req www www.api.internal &&
    certs_issue www "DNS:www.api.internal" "$start" "$end" &&
    certs_req expired api.internal &&
    certs_issue expired "DNS:api.internal" 20200101000000Z 20201120120000Z &&
    certs_quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
      -nodes -keyout "$CERTS/self.key" -out "$CERTS/self.pem" \
      -subj "/CN=api.internal" -days 20 -addext "subjectAltName=DNS:api.internal"
}

# start_s_server DIR CERT ARGS...: openssl s_server on a port of its own
# with $CERTS/CERT.pem and .key, echoing every line reversed (-rev), until
# the end of the test. Its log says what it thought of each client.
start_s_server() {
  local dir=$1 cert=$2 port
  shift 2
  port=$(free_port)
  srv_mkdir "$dir"
  ln -s stderr "$dir/log"
  srv_spawn "$dir" "$port" TERM openssl s_server -accept "127.0.0.1:$port" \
    -cert "$CERTS/$cert.pem" -key "$CERTS/$cert.key" -rev "$@"
  srv_wait "$dir" "listening on $port" srv_listening "$port"
}

#!/usr/bin/env bash
# test_prometheus.sh - examples/prometheus/ as Prometheus and Grafana would
# read it: promtool accepts the scrape config and the rules, the alerts fire
# when they should (promtool test rules), every PromQL expression of the
# Grafana dashboard parses, and the dashboard and the rules name only
# metrics that tether's exposition has (which promtool accepts too).
#
# CTest sets TT_TOOLS (the helper programs) and TT_SRC (the source tree).
set -u

: "${TT_TOOLS:?TT_TOOLS is not set; run through ctest}"
: "${TT_SRC:?TT_SRC is not set; run through ctest}"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

for tool in promtool jq; do
  if ! command -v "$tool" >/dev/null; then
    # Both are Debian packages (prometheus, jq) that build.sh installs.
    echo "test_prometheus: $tool is missing: install it (./build.sh does)" >&2
    exit 1
  fi
done

ex=$TT_SRC/examples/prometheus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- promtool on the examples ------------------------------------------------

promtool check config "$ex/prometheus.yml" >"$tmp/out" 2>&1 ||
  fail "promtool check config: $(cat "$tmp/out")"
promtool check rules "$ex/tether.rules.yml" >"$tmp/out" 2>&1 ||
  fail "promtool check rules: $(cat "$tmp/out")"
(cd "$TT_SRC/tests/prometheus" && promtool test rules tether.rules.test.yml) \
  >"$tmp/out" 2>&1 || fail "promtool test rules: $(cat "$tmp/out")"

# ---- the dashboard --------------------------------------------------------

dash=$ex/grafana-dashboard.json
jq -e '.panels | length > 0' "$dash" >/dev/null || fail "$dash is not a dashboard"
# Every expression, as Grafana sends it, with its variables set.
jq -r '(.. | .expr? // empty), (.templating.list[] | .definition? // empty)' \
  "$dash" >"$tmp/exprs"
[ "$(wc -l <"$tmp/exprs")" -ge 8 ] || fail "the dashboard has few expressions"
# The panels the examples promise: states, RTT percentiles from the
# histogram, loss.
grep -q 'tether_state' "$tmp/exprs" || fail "no state panel"
grep -q 'histogram_quantile(0.99, .*tether_rtt_seconds_bucket' "$tmp/exprs" ||
  fail "no RTT percentile panel"
grep -q 'tether_heartbeats_total{.*class="ok"' "$tmp/exprs" || fail "no loss panel"

# PromQL that parses: each expression becomes a recording rule for promtool.
{
  echo "groups:"
  echo "  - name: dashboard"
  echo "    rules:"
  n=0
  while IFS= read -r expr; do
    case $expr in label_values*) continue ;; esac
    n=$((n + 1))
    expr=${expr//\$__rate_interval/1m}
    expr=${expr//\$job/.*}
    expr=${expr//\$target/.*}
    printf '      - record: dashboard:expr%d\n        expr: %s\n' "$n" \
      "$(jq -Rn --arg e "$expr" '$e')"
  done <"$tmp/exprs"
} >"$tmp/dashboard.rules.yml"
promtool check rules "$tmp/dashboard.rules.yml" >"$tmp/out" 2>&1 ||
  fail "the dashboard's PromQL does not parse: $(cat "$tmp/out")"

# ---- names that exist -----------------------------------------------------

# What a scrape has: tether's exposition for a target (refused at once: the
# families are there whatever the state), as /metrics would answer it.
port=$("$TT_TOOLS/free_port")
cat >"$tmp/one.yaml" <<EOF
targets:
  - { name: db, address: "127.0.0.1:$port", tags: [prod] }
EOF
"$TT_TOOLS/metrics_dump" "$tmp/one.yaml" 2 >"$tmp/metrics" ||
  fail "metrics_dump failed"
promtool check metrics <"$tmp/metrics" >"$tmp/out" 2>&1 ||
  fail "promtool check metrics: $(cat "$tmp/out")"
awk '$1 == "#" && $2 == "TYPE" {
       print $3
       if ($4 == "histogram" || $4 == "summary") {
         print $3 "_bucket"; print $3 "_sum"; print $3 "_count"
       }
     }' "$tmp/metrics" | sort -u >"$tmp/names"
[ "$(wc -l <"$tmp/names")" -ge 12 ] || fail "the exposition has few families"

# The names PRODUCT.md asks for.
for want in tether_up tether_state tether_heartbeats_total \
  tether_late_replies_total tether_reconnects_total \
  tether_state_changes_total tether_rtt_seconds_bucket \
  tether_last_rtt_seconds tether_build_info; do
  grep -qx "$want" "$tmp/names" || fail "the exposition has no $want"
done

# tether_cert_expiry_timestamp_seconds is only there for TLS targets (the
# scrape above has none; test_tls_tether.sh checks it).
check_names() { # file, names allowed besides the exposition's
  local file=$1 allowed=$2 name
  grep -o 'tether_[a-z_]*' "$file" | sort -u | while read -r name; do
    grep -qx "$name" "$tmp/names" && continue
    case " $allowed " in *" $name "*) continue ;; esac
    echo "$name"
  done
}
missing=$(check_names "$tmp/exprs" "")
[ -z "$missing" ] || fail "the dashboard names metrics that do not exist: $missing"
missing=$(check_names "$ex/tether.rules.yml" "tether_cert_expiry_timestamp_seconds")
[ -z "$missing" ] || fail "the rules name metrics that do not exist: $missing"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "ok"

#!/usr/bin/env bash
# Browser test of paid mentor training: builds the binary, starts stripe-mock
# on free loopback ports and the app (embedded mode, empty data dir) pointed
# at it, then runs e2e/payments.mjs, which plays Stripe's webhooks with the
# binary's `stripe simulate-*` commands.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { echo "e2e-payments.sh: $*" >&2; }
[[ ${E2E_SKIP_DEPS:-} == 1 ]] || bash scripts/install-test-deps.sh
mock="$(command -v stripe-mock || echo "$(go env GOPATH)/bin/stripe-mock")"
[[ -x $mock ]] || { say "stripe-mock is missing (scripts/install-test-deps.sh installs it)"; exit 1; }
[[ -d e2e/node_modules/playwright-core ]] || (cd e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

tmp="$(mktemp -d "${TMPDIR:-/tmp}/toolbox-pay.XXXXXX")"
pids=()
status=1
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $status -ne 0 && -f $tmp/server.log ]]; then
    echo "----- server log -----" >&2; tail -50 "$tmp/server.log" >&2
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

CGO_ENABLED=0 go build -o "$tmp/toolbox" ./cmd/toolbox
mock_port="$(free_port)"; mock_tls="$(free_port)"
"$mock" -http-addr "127.0.0.1:$mock_port" -https-addr "127.0.0.1:$mock_tls" >"$tmp/stripe-mock.log" 2>&1 &
pids+=($!)
port="$(free_port)"
export TOOLBOX_ADDR="127.0.0.1:$port" TOOLBOX_BASE_URL="http://127.0.0.1:$port" TOOLBOX_DATA_DIR="$tmp/data"
export TOOLBOX_STRIPE_SECRET_KEY=sk_test_123 TOOLBOX_STRIPE_WEBHOOK_SECRET=whsec_e2e TOOLBOX_STRIPE_API_BASE="http://127.0.0.1:$mock_port"
"$tmp/toolbox" >"$tmp/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 240); do
  curl -fs -o /dev/null "http://127.0.0.1:$mock_port/v1/customers" -H "Authorization: Bearer sk_test_123" 2>/dev/null \
    && curl -fs -o /dev/null "$TOOLBOX_BASE_URL/healthz" 2>/dev/null && break
  sleep 0.25
done
set +e
node e2e/payments.mjs "$TOOLBOX_BASE_URL" "$tmp/toolbox"
status=$?
set -e
exit "$status"

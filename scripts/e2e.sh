#!/usr/bin/env bash
# Browser smoke test: builds ./cmd/toolbox, starts it on a free loopback port
# with an empty data dir, and runs e2e/smoke.mjs against it in Debian's
# Chromium (driven by playwright-core). Screenshots land in e2e/artifacts/.
#
#   scripts/e2e.sh
#
# Environment:
#   E2E_SKIP_DEPS=1   do not run scripts/install-test-deps.sh
#   E2E_KEEP_TMP=1    keep the temp dir (binary, data dir, server.log)
#   E2E_BINARY=path   test this prebuilt server binary instead of building one
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { echo "e2e.sh: $*" >&2; }

# (a) system dependencies: chromium, fonts, wrk, stripe-mock
if [[ ${E2E_SKIP_DEPS:-} != 1 ]]; then
  bash "$root/scripts/install-test-deps.sh"
fi
[[ -x /usr/bin/chromium ]] || { say "/usr/bin/chromium is missing (run scripts/install-test-deps.sh)"; exit 1; }
command -v node >/dev/null 2>&1 || { say "node is not installed"; exit 1; }

# (b) playwright-core, only when node_modules is missing or older than the lock file
lock_sum="$(sha256sum e2e/package-lock.json e2e/package.json | sha256sum | cut -d' ' -f1)"
stamp="e2e/node_modules/.toolbox-lock-sha256"
if [[ ! -d e2e/node_modules/playwright-core || ! -f $stamp || "$(cat "$stamp")" != "$lock_sum" ]]; then
  say "installing e2e dependencies (npm ci)"
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  printf '%s\n' "$lock_sum" >"$stamp"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/toolbox-e2e.XXXXXX")"
server_pid=""
granter_pid=""
devidp_pid=""
status=1

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  if [[ -n $devidp_pid ]]; then
    kill "$devidp_pid" 2>/dev/null || true
    wait "$devidp_pid" 2>/dev/null || true
  fi
  if [[ -n $granter_pid ]]; then
    kill "$granter_pid" 2>/dev/null || true
    wait "$granter_pid" 2>/dev/null || true
  fi
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -f $tmp/server.log ]]; then
    echo "----- server log ($tmp/server.log) -----" >&2
    cat "$tmp/server.log" >&2
    echo "----- end of server log -----" >&2
  fi
  if [[ ${E2E_KEEP_TMP:-} == 1 ]]; then
    say "kept $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# (c) build
if [[ -n ${E2E_BINARY:-} ]]; then
  [[ -x $E2E_BINARY ]] || { say "E2E_BINARY=$E2E_BINARY is not executable"; exit 1; }
  bin="$E2E_BINARY"
else
  say "building ./cmd/toolbox"
  CGO_ENABLED=0 go build -o "$tmp/toolbox" ./cmd/toolbox
  bin="$tmp/toolbox"
fi

# The development OpenID provider (cmd/devidp, for local trials and tests
# only) that the identity journey signs a new colleague in with.
say "building ./cmd/devidp"
CGO_ENABLED=0 go build -o "$tmp/devidp" ./cmd/devidp

# (d) start on a free port with an empty data dir, wait for /healthz
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
base="http://127.0.0.1:$port"
mkdir -p "$tmp/data"
export E2E_BIN="$bin" # checks with a server of their own start it (e2e/server.mjs)
# The journeys set up more than the default 20 organisations an hour from this one address.
TOOLBOX_ADDR="127.0.0.1:$port" TOOLBOX_DATA_DIR="$tmp/data" TOOLBOX_OUTCOMES_EVERY=5s TOOLBOX_SIGNUPS_PER_HOUR=500 "$bin" >"$tmp/server.log" 2>&1 &
server_pid=$!

healthy=0
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    say "server exited before it became healthy"
    exit 1
  fi
  if node -e 'fetch(process.argv[1], {signal: AbortSignal.timeout(2000)}).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$base/healthz"; then
    healthy=1
    break
  fi
  sleep 0.25
done
if [[ $healthy -ne 1 ]]; then
  say "GET $base/healthz did not answer 200 within 60 s"
  exit 1
fi

# (d2) the development OpenID provider on another free port (loopback only).
idp_port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
"$tmp/devidp" -addr "127.0.0.1:$idp_port" -client-id e2e-client -client-secret e2e-client-secret >"$tmp/devidp.log" 2>&1 &
devidp_pid=$!
export E2E_DEVIDP_ISSUER="http://127.0.0.1:$idp_port/oidc" E2E_DEVIDP_CLIENT_ID=e2e-client E2E_DEVIDP_CLIENT_SECRET=e2e-client-secret
for _ in $(seq 1 40); do
  node -e 'fetch(process.argv[1], {signal: AbortSignal.timeout(2000)}).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' \
    "$E2E_DEVIDP_ISSUER/.well-known/openid-configuration" && break
  sleep 0.25
done

# (e) the operator's journey (e2e/journeys/ops.mjs) signs up this address;
# the platform role is given on the command line only, so grant it, against
# the same data dir, as soon as the account exists. It tries until the run
# ends (the trap stops it): on a loaded machine the journey may start more
# than ten minutes in.
export E2E_OPERATOR_EMAIL="e2e-operator@example.test"
(
  while :; do
    if TOOLBOX_DATA_DIR="$tmp/data" TOOLBOX_METRICS_ADDR="" "$bin" operator grant "$E2E_OPERATOR_EMAIL" >>"$tmp/grant.log" 2>&1; then
      exit 0
    fi
    sleep 1
  done
) &
granter_pid=$!

# (f) smoke test; (g) cleanup runs from the trap
set +e
node e2e/smoke.mjs "$base"
status=$?
set -e
exit "$status"

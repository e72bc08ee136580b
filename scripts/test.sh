#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this):
#   1. starts PostgreSQL and Redis if they are not running,
#   2. checks formatting (gofmt) and runs go vet,
#   3. builds everything with CGO disabled (the embedded SQLite is pure Go),
#   4. runs every Go test against the real PostgreSQL, SQLite and Redis,
#   5. injects each fault of the chaos tests once (scripts/chaos.sh),
#   6. fuzzes every parser for a few seconds (scripts/fuzz.sh),
#   7. runs the browser tests in headless Chromium.
# Usage: scripts/test.sh            (SKIP_E2E=1 skips step 7)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '\n== %s\n' "$*"; }

say "services and test tools"
bash scripts/services.sh
# stripe-mock (billing tests), Chromium and wrk: installed once, if missing.
bash scripts/install-test-deps.sh

say "formatting and vet"
unformatted="$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './e2e/*'))"
if [[ -n $unformatted ]]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
go vet -tags chaos ./cmd/toolbox

say "build (CGO_ENABLED=0)"
CGO_ENABLED=0 go build ./...

say "go test (PostgreSQL, SQLite, Redis)"
set +e
go test -json -count=1 -timeout 15m ./... 2>&1 | go run ./scripts/testsummary
status=${PIPESTATUS[1]}
set -e
[[ $status -eq 0 ]] || exit "$status"

say "chaos: faults injected into real processes, one round each"
CHAOS_ROUNDS=1 bash scripts/chaos.sh

say "short benchmarks (the report on a small generated organisation; bench/reportbench)"
go test -count=1 -run '^$' -bench . -benchtime 1x ./bench/reportbench

say "fuzz the parsers (FUZZTIME=${FUZZTIME:-5s} each)"
bash scripts/fuzz.sh

if [[ ${SKIP_E2E:-} != 1 ]]; then
  say "browser smoke test"
  E2E_SKIP_DEPS=1 bash scripts/e2e.sh
  say "browser test of paid mentor training (stripe-mock)"
  E2E_SKIP_DEPS=1 bash scripts/e2e-payments.sh
fi
echo
echo "all checks passed"

#!/usr/bin/env bash
# Load test on this machine's loopback: a bare Gin "ok" route against a
# tenant page served with every middleware (session, CSRF, tenant, row-level
# security) on PostgreSQL, the production database. Prints requests per
# second of each and their ratio; the aim is at least 1/10.
#
#   bench/load.sh                 (DURATION=10s CONNECTIONS=32 THREADS=1 to change)
#
# It creates a throwaway database (dropped at the end), builds the binary,
# signs up an organisation through the real sign-up form, and drives wrk
# with that session's cookie. Needs PostgreSQL and Redis (scripts/services.sh)
# and wrk (scripts/install-test-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
command -v wrk >/dev/null || bash scripts/install-test-deps.sh
bash scripts/services.sh >/dev/null

tmp="$(mktemp -d)"
dbname="toolbox_bench_$$"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/toolbox" ./cmd/toolbox
go build -o "$tmp/baseline" ./bench/baseline
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $dbname" >/dev/null

export TOOLBOX_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$dbname?sslmode=disable"
export TOOLBOX_REDIS_URL="redis://127.0.0.1:6379/14"
export TOOLBOX_SECRET_KEY="bench-secret-bench-secret-bench-secret-0123"
export TOOLBOX_ADDR="127.0.0.1:18080" TOOLBOX_BASE_URL="http://127.0.0.1:18080" TOOLBOX_LOG_LEVEL=error
"$tmp/toolbox" migrate up >/dev/null
"$tmp/toolbox" web >"$tmp/web.log" 2>&1 & pids+=($!)
"$tmp/baseline" 127.0.0.1:18081 >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:18080/healthz && curl -fs -o /dev/null http://127.0.0.1:18081/ok && break; sleep 0.1; done

# Sign up through the form, as a person would, and keep the session cookie.
jar="$tmp/jar"
token=$(curl -s -c "$jar" -b "$jar" http://127.0.0.1:18080/signup | sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p' | sed 's/&#43;/+/g')
curl -s -c "$jar" -b "$jar" -o /dev/null -H "Origin: http://127.0.0.1:18080" \
  --data-urlencode "csrf_token=$token" -d org_name=Bench -d slug=bench -d time_zone=Europe/London \
  -d name=Bench -d email=bench@example.test -d password=bench-password-long http://127.0.0.1:18080/signup
cookie=$(awk '$6=="session"{s="session="$7} $6=="csrf"{c="csrf="$7} END{print s"; "c}' "$jar")
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" http://127.0.0.1:18080/o/bench)
[[ $status == 200 ]] || { echo "the tenant page answered $status, not 200"; cat "$tmp/web.log"; exit 1; }

rps() { awk '/Requests\/sec/{print $2}'; }
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) cores"
base=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" http://127.0.0.1:18081/ok | rps)
page=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -H "Cookie: $cookie" http://127.0.0.1:18080/o/bench | rps)
echo "bare Gin \"ok\":                      $base req/s"
echo "tenant page (session+CSRF+tenant+RLS): $page req/s"
awk -v b="$base" -v p="$page" 'BEGIN{printf "ratio: 1/%.1f of the bare route (aim: 1/10 or better)\n", b/p}'

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
source bench/lib.sh
bench_start bench 18080 14
bench_bare 18081

# Sign up through the form, as a person would, and keep the session cookie.
bench_signup bench bench@example.test bench-password-long
cookie=$(bench_cookie "$tmp/owner")
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" http://127.0.0.1:18080/o/bench)
[[ $status == 200 ]] || { echo "the tenant page answered $status, not 200"; cat "$tmp/web.log"; exit 1; }

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) cores"
bare=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" http://127.0.0.1:18081/ok | rps)
page=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -H "Cookie: $cookie" http://127.0.0.1:18080/o/bench | rps)
echo "bare Gin \"ok\":                      $bare req/s"
echo "tenant page (session+CSRF+tenant+RLS): $page req/s"
awk -v b="$bare" -v p="$page" 'BEGIN{printf "ratio: 1/%.1f of the bare route (aim: 1/10 or better)\n", b/p}'

#!/usr/bin/env bash
# Open-loop latency of the organisation dashboard on PostgreSQL: requests
# sent at a constant rate whatever the server's answers (bench/openloop),
# so that a server falling behind shows in the percentiles. Prints p50,
# p90, p99, the maximum and the errors at each rate; the aim at 2,000
# requests a second is p99 at or under 10 ms with no errors.
#
#   bench/openloop.sh       (RATES="1000 2000" DURATION=10s CONNS=128 MEMBERS=15 to change)
#
# Like bench/pages.sh it creates a throwaway database (dropped at the end),
# signs an owner up through the real form and seeds the organisation with
# bench/seed (a practitioner, members, a year of sessions). Needs
# PostgreSQL and Redis (scripts/services.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
RATES=${RATES:-1000 2000}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-128}
MEMBERS=${MEMBERS:-15}
source bench/lib.sh
bench_start openloop 18110 11
go build -o "$tmp/seed" ./bench/seed
go build -o "$tmp/openloop" ./bench/openloop
bench_signup bench bench@example.test bench-password-long
"$tmp/seed" -slug bench -owner bench@example.test -practitioner coach@example.test \
  -password coach-password-long -per-day 1 -members "$MEMBERS" >/dev/null
cookie=$(bench_cookie "$tmp/owner")
url="$base/o/bench"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$url")
[[ $status == 200 ]] || { echo "the dashboard answered $status, not 200"; tail -5 "$tmp/web.log"; exit 1; }
echo "dashboard at a constant rate, $DURATION each, up to $CONNS connections, on $(nproc) cores"
for rate in $RATES; do
  "$tmp/openloop" -url "$url" -H "Cookie: $cookie" -rate "$rate" -duration "$DURATION" -conns "$CONNS"
done

#!/usr/bin/env bash
# Load test of the calendar's week view on this machine's loopback, on
# PostgreSQL: a practitioner with a year of sessions (ten a week, booked
# as weekly series) looks at a week in the middle of that year, with every
# middleware (session, CSRF, tenant, row-level security). Prints requests
# per second.
#
#   bench/week.sh                 (DURATION=10s CONNECTIONS=32 THREADS=1 PER_DAY=2 to change)
#
# Like bench/load.sh it creates a throwaway database (dropped at the end),
# builds the binary, and signs up an organisation through the real sign-up
# form; then bench/seed invites a practitioner and members through the
# application's own services and schedules their sessions through the
# calendar; the practitioner signs in through the real sign-in form, and
# wrk drives the week view with that session's cookie. Needs PostgreSQL and
# Redis (scripts/services.sh) and wrk (scripts/install-test-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PER_DAY=${PER_DAY:-2}
source bench/lib.sh
bench_start week 18090 13
go build -o "$tmp/seed" ./bench/seed

# The owner signs up through the form, as a person would.
bench_signup bench bench@example.test bench-password-long

# A practitioner with a year of sessions, through the application's services.
"$tmp/seed" -slug bench -owner bench@example.test -practitioner coach@example.test \
  -password coach-password-long -per-day "$PER_DAY" | tee "$tmp/seed.out"
first=$(sed -n 's/.* from \([0-9-]*\) on$/\1/p' "$tmp/seed.out")
week=$(date -d "$first + 182 days" +%F)

# The practitioner signs in through the form and keeps the session cookie.
bench_login coach@example.test coach-password-long "$tmp/coach"
cookie=$(bench_cookie "$tmp/coach")
url="$base/o/bench/calendar?view=week&date=$week"
status=$(curl -s -o "$tmp/week.html" -w '%{http_code}' -H "Cookie: $cookie" "$url")
[[ $status == 200 ]] || { echo "the week view answered $status, not 200"; cat "$tmp/web.log"; exit 1; }
shown=$(grep -o '/calendar/sessions/[0-9a-f-]*' "$tmp/week.html" | sort -u | wc -l)
(( shown >= 5 * PER_DAY )) || { echo "the week of $week shows $shown sessions, want $((5 * PER_DAY))"; exit 1; }

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) cores"
page=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -H "Cookie: $cookie" "$url" | rps)
echo "week view of $week ($shown sessions shown, a year booked): $page req/s"

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
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
PER_DAY=${PER_DAY:-2}
command -v wrk >/dev/null || bash scripts/install-test-deps.sh
bash scripts/services.sh >/dev/null

tmp="$(mktemp -d)"
dbname="toolbox_week_$$"
port=18090
base="http://127.0.0.1:$port"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/toolbox" ./cmd/toolbox
go build -o "$tmp/seed" ./bench/seed
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $dbname" >/dev/null

export TOOLBOX_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$dbname?sslmode=disable"
export TOOLBOX_REDIS_URL="redis://127.0.0.1:6379/13"
export TOOLBOX_SECRET_KEY="bench-secret-bench-secret-bench-secret-0123"
export TOOLBOX_ADDR="127.0.0.1:$port" TOOLBOX_BASE_URL="$base" TOOLBOX_LOG_LEVEL=error
"$tmp/toolbox" migrate up >/dev/null
"$tmp/toolbox" web >"$tmp/web.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -fs -o /dev/null "$base/healthz" && break; sleep 0.1; done

# csrf_of PAGE: the CSRF token of a page, with the cookie jar $jar.
csrf_of() { curl -s -c "$jar" -b "$jar" "$base$1" | sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p' | sed 's/&#43;/+/g'; }

# The owner signs up through the form, as a person would.
jar="$tmp/owner"
token=$(csrf_of /signup)
curl -s -c "$jar" -b "$jar" -o /dev/null -H "Origin: $base" \
  --data-urlencode "csrf_token=$token" -d org_name=Bench -d slug=bench -d time_zone=Europe/London \
  -d name=Bench -d email=bench@example.test -d password=bench-password-long "$base/signup"

# A practitioner with a year of sessions, through the application's services.
"$tmp/seed" -slug bench -owner bench@example.test -practitioner coach@example.test \
  -password coach-password-long -per-day "$PER_DAY" | tee "$tmp/seed.out"
first=$(sed -n 's/.* from \([0-9-]*\) on$/\1/p' "$tmp/seed.out")
week=$(date -d "$first + 182 days" +%F)

# The practitioner signs in through the form and keeps the session cookie.
jar="$tmp/coach"
token=$(csrf_of /login)
curl -s -c "$jar" -b "$jar" -o /dev/null -H "Origin: $base" \
  --data-urlencode "csrf_token=$token" -d email=coach@example.test -d password=coach-password-long "$base/login"
cookie=$(awk '$6=="session"{s="session="$7} $6=="csrf"{c="csrf="$7} END{print s"; "c}' "$jar")
url="$base/o/bench/calendar?view=week&date=$week"
status=$(curl -s -o "$tmp/week.html" -w '%{http_code}' -H "Cookie: $cookie" "$url")
[[ $status == 200 ]] || { echo "the week view answered $status, not 200"; cat "$tmp/web.log"; exit 1; }
shown=$(grep -o '/calendar/sessions/[0-9a-f-]*' "$tmp/week.html" | sort -u | wc -l)
(( shown >= 5 * PER_DAY )) || { echo "the week of $week shows $shown sessions, want $((5 * PER_DAY))"; exit 1; }

rps() { awk '/Requests\/sec/{print $2}'; }
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) cores"
page=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -H "Cookie: $cookie" "$url" | rps)
echo "week view of $week ($shown sessions shown, a year booked): $page req/s"

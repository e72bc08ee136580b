# Shared by the load scripts (sourced, not run): a throwaway PostgreSQL
# database, the binary built, migrated and serving, cleaned up on exit,
# and signing up through the real form.
#
#   bench_start NAME PORT REDIS_DB [DB]  sets $tmp, $base; leaves the web server running
#                                      (on DB, an existing database kept, if given)
#   bench_serve DB PORT REDIS_DB       serves another existing database with the same binary
#                                      on PORT (for comparing two databases at the same time)
#   bench_signup SLUG EMAIL PASSWORD   signs an owner up with the cookie jar $tmp/owner
#   bench_login EMAIL PASSWORD JAR     signs a person in through the real form, cookies in JAR
#   bench_cookie JAR                   prints the session and CSRF cookies of a jar
#   bench_org SLUG MEMBERS             signs an owner up and seeds a realistic organisation
#                                      (bench/seed); sets pages, the signed-in pages to measure
#   entry PAGE                         sets name, url and args (wrk/curl arguments) of a page
#   bench_check                        every page answers 200; prints their sizes
#   bench_bare PORT                    starts the bare Gin route (bench/baseline) on PORT
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
command -v wrk >/dev/null || bash scripts/install-test-deps.sh
bash scripts/services.sh >/dev/null

tmp="$(mktemp -d)"
pids=()
bench_db=""
bench_keep_db=""  # set: the databases are not dropped on exit (KEEP, REUSE)
bench_more_dbs=() # further throwaway databases, dropped with bench_db
bench_cleanup() {
  local d
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -z $bench_keep_db ]]; then
    for d in $bench_db "${bench_more_dbs[@]}"; do
      psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$tmp"
}
trap bench_cleanup EXIT

bench_start() {
  local name=$1 port=$2 redis_db=$3 existing=${4:-}
  bench_db=${existing:-toolbox_${name}_$$}
  [[ -z $existing && -z ${KEEP:-} ]] || bench_keep_db=1
  base="http://127.0.0.1:$port"
  go build -o "$tmp/toolbox" ./cmd/toolbox
  [[ -n $existing ]] || psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $bench_db" >/dev/null
  export TOOLBOX_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$bench_db?sslmode=disable"
  export TOOLBOX_REDIS_URL="redis://127.0.0.1:6379/$redis_db"
  export TOOLBOX_SECRET_KEY="bench-secret-bench-secret-bench-secret-0123"
  export TOOLBOX_ADDR="127.0.0.1:$port" TOOLBOX_BASE_URL="$base" TOOLBOX_LOG_LEVEL=error
  "$tmp/toolbox" migrate up >/dev/null
  "$tmp/toolbox" web >"$tmp/web.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs -o /dev/null "$base/healthz" && return 0; sleep 0.1; done
  echo "the web server did not start"; cat "$tmp/web.log"; return 1
}

bench_serve() {
  local db=$1 port=$2 redis_db=$3 url="postgres://postgres@127.0.0.1:5432/$1?sslmode=disable"
  TOOLBOX_DATABASE_URL=$url "$tmp/toolbox" migrate up >/dev/null
  TOOLBOX_DATABASE_URL=$url TOOLBOX_REDIS_URL="redis://127.0.0.1:6379/$redis_db" \
    TOOLBOX_ADDR="127.0.0.1:$port" TOOLBOX_BASE_URL="http://127.0.0.1:$port" \
    "$tmp/toolbox" web >"$tmp/web-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && return 0; sleep 0.1; done
  echo "the web server on $db did not start"; cat "$tmp/web-$port.log"; return 1
}

# csrf_of PATH: the CSRF token of a page, with the cookie jar $jar.
csrf_of() { curl -s -c "$jar" -b "$jar" "$base$1" | sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p' | sed 's/&#43;/+/g'; }

bench_signup() {
  jar="$tmp/owner"
  local token
  token=$(csrf_of /signup)
  curl -s -c "$jar" -b "$jar" -o /dev/null -H "Origin: $base" \
    --data-urlencode "csrf_token=$token" -d org_name=Bench -d "slug=$1" -d time_zone=Europe/London \
    -d name=Bench -d "email=$2" -d "password=$3" "$base/signup"
}

bench_login() {
  jar=$3
  local token
  token=$(csrf_of /login)
  curl -s -c "$jar" -b "$jar" -o /dev/null -H "Origin: $base" \
    --data-urlencode "csrf_token=$token" -d "email=$1" -d "password=$2" "$base/login"
}

bench_bare() {
  go build -o "$tmp/baseline" ./bench/baseline
  "$tmp/baseline" "127.0.0.1:$1" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$1/ok" && return 0; sleep 0.1; done
  echo "the bare route did not start"; return 1
}

bench_cookie() { awk '$6=="session"{s="session="$7} $6=="csrf"{c="csrf="$7} END{print s"; "c}' "$1"; }

rps() { awk '/Requests\/sec/{print $2}'; }

# bench_org SLUG MEMBERS: an owner signs up through the form; bench/seed
# adds a practitioner with a year of weekly sessions with ten members,
# MEMBERS more members and weekday availability, through the application's
# services; the practitioner and a member sign in through the form; the
# owner enrols on the example course through its form. Sets pages: one
# "name|cookie|URL|extra headers (^-separated)" entry per signed-in page.
bench_org() {
  local slug=$1 members=$2
  go build -o "$tmp/seed" ./bench/seed

  bench_signup "$slug" bench@example.test bench-password-long
  "$tmp/seed" -slug "$slug" -owner bench@example.test -practitioner coach@example.test \
    -password coach-password-long -per-day 2 -members "$members" -availability >"$tmp/seed.out"
  rel=$(sed -n 's/^relationship //p' "$tmp/seed.out")
  first=$(sed -n 's/.* from \([0-9-]*\) on$/\1/p' "$tmp/seed.out")
  week=$(date -d "$first + 14 days" +%F)
  bench_login coach@example.test coach-password-long "$tmp/coach"
  bench_login member00@example.test coach-password-long "$tmp/member"
  o="$base/o/$slug"

  # The owner opens the course catalogue (which creates the example course),
  # enrols through the course page's form and finds the first lesson.
  jar="$tmp/owner"
  course=$(curl -s -b "$jar" "$o/courses" | grep -o "/o/$slug/courses/[0-9a-f-]\{36\}" | head -1)
  token=$(csrf_of "$course")
  curl -s -c "$jar" -b "$jar" -o /dev/null -H "Origin: $base" --data-urlencode "csrf_token=$token" "$base$course/enrol"
  lesson=$(curl -s -b "$jar" "$base$course" | grep -o "$course/lessons/[0-9a-f-]\{36\}" | head -1)
  [[ -n $lesson ]] || { echo "no lesson found on $course"; return 1; }

  owner=$(bench_cookie "$tmp/owner")
  coach=$(bench_cookie "$tmp/coach")
  member=$(bench_cookie "$tmp/member")
  frag="HX-Request: true"
  # name | cookie | URL | extra headers, ^-separated (an htmx fragment request)
  pages=(
    "dashboard|$owner|$o|"
    "My support|$owner|$o/my|"
    "people list|$owner|$o/people|"
    "people, htmx search fragment|$owner|$o/people?q=Bench|$frag^HX-Target: people-results"
    "audit log|$owner|$o/audit|"
    "audit log, htmx fragment|$owner|$o/audit|$frag"
    "relationship (practitioner)|$coach|$o/relationships/$rel|"
    "week view (practitioner)|$coach|$o/calendar?view=week&date=$week|"
    "week view, htmx fragment|$coach|$o/calendar?view=week&date=$week|$frag"
    "month view (practitioner)|$coach|$o/calendar?view=month&date=$week|"
    "booking page (member)|$member|$o/calendar/book/$rel|"
    "booking page, htmx day fragment|$member|$o/calendar/book/$rel?day=$week|$frag^HX-Target: booking"
    "course lesson|$owner|$base$lesson|"
    "billing history|$owner|$o/billing|"
  )
}


# entry PAGE: sets name, url and args (the cookie and headers, as curl
# and wrk arguments) of one entry of pages.
entry() {
  local cookie hdr h hs
  IFS='|' read -r name cookie url hdr <<<"$1"
  args=(-H "Cookie: $cookie")
  IFS='^' read -ra hs <<<"$hdr"
  for h in "${hs[@]}"; do args+=(-H "$h"); done
}

# bench_check: every page of pages answers 200; prints each one's size.
bench_check() {
  local p status
  for p in "${pages[@]}"; do
    entry "$p"
    status=$(curl -s -o "$tmp/page.html" -w '%{http_code}' "${args[@]}" "$url")
    [[ $status == 200 ]] || { echo "$name ($url) answered $status, not 200"; tail -5 "$tmp/web.log"; return 1; } >&2
    printf '%-34s %7d bytes\n' "$name" "$(wc -c <"$tmp/page.html")"
  done
}

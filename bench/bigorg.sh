#!/usr/bin/env bash
# Every signed-in page's latency on a small organisation and on the same
# organisation grown large, side by side, on PostgreSQL. The aim: no page
# more than twice as slow on the large one.
#
#   bench/bigorg.sh     (PEOPLE=20000 PRACTITIONERS=400 DURATION=3s ROUNDS=3 CONNECTIONS=2 PORT=18120 to change)
#   KEEP=DIR bench/bigorg.sh    keeps both databases (not dropped) and writes their
#                               names and the pages to DIR
#   REUSE=DIR bench/bigorg.sh   builds the binary, migrates and serves the databases
#                               kept in DIR and measures them again (to iterate on a
#                               fix without generating again); drop them with
#                               psql -c "DROP DATABASE $(cat DIR/db)" -c "DROP DATABASE $(cat DIR/small_db)"
#
# It creates a throwaway database (dropped at the end), signs an owner up
# and seeds a realistic small organisation through the application (as
# bench/pages.sh does), copies that database as it is (the small
# organisation), then grows the organisation in the first one in bulk with
# bench/bigorg/generate.sql (PEOPLE people, a million sessions over five
# years with their reminders, notes, enrolments and audit rows: minutes,
# not hours). The same binary serves both databases, on PORT (large) and
# PORT+1 (small), and each page is measured with wrk on the small one and
# at once on the large one (median latency, at low concurrency so that it
# is the page's own time), ROUNDS times over: the load of a shared machine
# drifts over minutes, so the two sides are compared at the same moment,
# and each side's figure is the median of its rounds. Needs PostgreSQL and
# Redis (scripts/services.sh), psql, pg_dump and wrk.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PEOPLE=${PEOPLE:-20000}
PRACTITIONERS=${PRACTITIONERS:-400}
CONNECTIONS=${CONNECTIONS:-2}
DURATION=${DURATION:-3s}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18120}
source bench/lib.sh

# median_ms: wrk's median latency of the page entry set (ms), "-" when no
# answer came within wrk's 2 s timeout (no "50%" line).
median_ms() {
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "${args[@]}" "$url" |
    awk '$1=="50%"{v=$2; u=v; sub(/[0-9.]+/,"",u); sub(/[a-z]+$/,"",v);
                   printf "%.2f", u=="us" ? v/1000 : u=="s" ? v*1000 : v; found=1}
         END{if (!found) printf "-"}'
}

# median: the median of its arguments ("-" counts as slowest).
median() { printf '%s\n' "$@" | sed 's/^-$/inf/' | sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}' | sed 's/^inf$/-/'; }

if [[ -n ${REUSE:-} ]]; then
  bench_start bigorg "$PORT" 10 "$(cat "$REUSE/db")"
  small_db=$(cat "$REUSE/small_db")
  # The pages as kept, on this run's port.
  mapfile -t pages < <(sed "s#$(cat "$REUSE/base")#$base#g" "$REUSE/pages")
else
  bench_start bigorg "$PORT" 10
  bench_org bench 15
  bench_check >/dev/null
  small_db=${bench_db}_small
  bench_more_dbs+=("$small_db")
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $small_db" >/dev/null
  pg_dump -h 127.0.0.1 -U postgres "$bench_db" | psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d "$small_db" >/dev/null
  # Statistics and a vacuum for the small one too (a restored database has
  # none), as the generator gives the large one and autovacuum would.
  psql -q -h 127.0.0.1 -U postgres -d "$small_db" -c "VACUUM (ANALYZE)"
  echo "growing it: $PEOPLE people, $PRACTITIONERS practitioners, a million sessions …"
  start=$(date +%s)
  psql -q -h 127.0.0.1 -U postgres -d "$bench_db" -v slug=bench -v people="$PEOPLE" -v practitioners="$PRACTITIONERS" \
    -f bench/bigorg/generate.sql | grep -v '^Time\|^$' || true
  echo "generated in $(( $(date +%s) - start )) s"
  if [[ -n ${KEEP:-} ]]; then
    mkdir -p "$KEEP"
    echo "$bench_db" >"$KEEP/db"
    echo "$small_db" >"$KEEP/small_db"
    echo "$base" >"$KEEP/base"
    printf '%s\n' "${pages[@]}" >"$KEEP/pages"
  fi
fi
small_base="http://127.0.0.1:$((PORT + 1))"
bench_serve "$small_db" $((PORT + 1)) 15
large_pages=("${pages[@]}")
mapfile -t small_pages < <(printf '%s\n' "${large_pages[@]}" | sed "s#$base#$small_base#g")
pages=("${small_pages[@]}") && bench_check >/dev/null
pages=("${large_pages[@]}") && bench_check >/dev/null

echo "measuring each page on the small and the large organisation in turn, $ROUNDS rounds (wrk -t1 -c$CONNECTIONS -d$DURATION)"
declare -A small_ms large_ms
for round in $(seq 1 "$ROUNDS"); do
  for i in "${!large_pages[@]}"; do
    entry "${small_pages[$i]}"
    small_ms[$i]+="$(median_ms) "
    entry "${large_pages[$i]}"
    large_ms[$i]+="$(median_ms) "
  done
done

echo
echo "| page | small: median | large: median | large / small | small: bytes | large: bytes |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for i in "${!large_pages[@]}"; do
  entry "${small_pages[$i]}"
  small_size=$(curl -s -o /dev/null -w '%{size_download}' "${args[@]}" "$url")
  entry "${large_pages[$i]}"
  large_size=$(curl -s -o /dev/null -w '%{size_download}' "${args[@]}" "$url")
  # shellcheck disable=SC2086 # the rounds' figures, one word each
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$(median ${small_ms[$i]})" "$(median ${large_ms[$i]})" "$small_size" "$large_size"
done | awk -F'\t' '
  function ms(v) { return v == "-" ? "over 2 s" : sprintf("%.2f ms", v) }
  { ratio = ($2 == "-" || $3 == "-" || $2 == 0) ? "?" : sprintf("%.1f×", $3 / $2)
    printf "| %s | %s | %s | %s | %d | %d |\n", $1, ms($2), ms($3), ratio, $4, $5 }'
if [[ -n ${KEEP:-} ]]; then
  echo
  echo "kept: databases $bench_db (large) and $small_db (small); measure again with REUSE=$KEEP"
fi

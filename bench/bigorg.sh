#!/usr/bin/env bash
# Every signed-in page's latency on a small organisation and on the same
# organisation grown large, side by side, on PostgreSQL. The aim: no page
# more than twice as slow on the large one.
#
#   bench/bigorg.sh     (PEOPLE=20000 PRACTITIONERS=400 DURATION=5s CONNECTIONS=2 PORT=18120 to change)
#   KEEP=DIR bench/bigorg.sh    keeps the grown database (not dropped) and writes
#                               its name, the pages and the small latencies to DIR
#   REUSE=DIR bench/bigorg.sh   builds the binary, migrates and serves the database
#                               kept in DIR and measures only the large organisation
#                               (to iterate on a fix without generating again);
#                               drop it with: psql -c "DROP DATABASE $(cat DIR/db)"
#
# It creates a throwaway database (dropped at the end), signs an owner up
# and seeds a realistic small organisation through the application (as
# bench/pages.sh does), measures each page with wrk (median latency, at
# low concurrency so that it is the page's own time), then grows the same
# organisation in bulk with bench/bigorg/generate.sql (PEOPLE people, a
# million sessions over five years with their reminders, notes, enrolments
# and audit rows: minutes, not hours) and measures again. Needs PostgreSQL
# and Redis (scripts/services.sh), psql and wrk.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PEOPLE=${PEOPLE:-20000}
PRACTITIONERS=${PRACTITIONERS:-400}
CONNECTIONS=${CONNECTIONS:-2}
DURATION=${DURATION:-5s}
PORT=${PORT:-18120}
source bench/lib.sh

# latencies FILE: each page's median latency (ms) and size, one tab-separated line each.
latencies() {
  local p ms size
  : >"$1"
  for p in "${pages[@]}"; do
    entry "$p"
    size=$(curl -s -o /dev/null -w '%{size_download}' "${args[@]}" "$url")
    # No "50%" line when no answer came within wrk's 2 s timeout: "-".
    ms=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "${args[@]}" "$url" |
      awk '$1=="50%"{v=$2; u=v; sub(/[0-9.]+/,"",u); sub(/[a-z]+$/,"",v);
                     printf "%.2f", u=="us" ? v/1000 : u=="s" ? v*1000 : v; found=1}
           END{if (!found) printf "-"}')
    printf '%s\t%s\t%s\n' "$name" "$ms" "$size" >>"$1"
  done
}

if [[ -n ${REUSE:-} ]]; then
  bench_start bigorg "$PORT" 10 "$(cat "$REUSE/db")"
  # The pages as kept, on this run's port.
  mapfile -t pages < <(sed "s#$(cat "$REUSE/base")#$base#g" "$REUSE/pages")
  cp "$REUSE/small" "$tmp/small"
  echo "small organisation: as measured when $REUSE was kept"
else
  bench_start bigorg "$PORT" 10
  bench_org bench 15
  bench_check >/dev/null
  echo "small organisation: measuring (wrk -t1 -c$CONNECTIONS -d$DURATION per page)"
  latencies "$tmp/small"
  echo "growing it: $PEOPLE people, $PRACTITIONERS practitioners, a million sessions …"
  start=$(date +%s)
  psql -q -h 127.0.0.1 -U postgres -d "$bench_db" -v slug=bench -v people="$PEOPLE" -v practitioners="$PRACTITIONERS" \
    -f bench/bigorg/generate.sql | grep -v '^Time\|^$' || true
  echo "generated in $(( $(date +%s) - start )) s"
  if [[ -n ${KEEP:-} ]]; then
    mkdir -p "$KEEP"
    echo "$bench_db" >"$KEEP/db"
    echo "$base" >"$KEEP/base"
    printf '%s\n' "${pages[@]}" >"$KEEP/pages"
    cp "$tmp/small" "$KEEP/small"
  fi
fi
bench_check >/dev/null
echo "large organisation: measuring"
latencies "$tmp/large"

echo
echo "| page | small: median | large: median | large / small | small: bytes | large: bytes |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
paste "$tmp/small" "$tmp/large" | awk -F'\t' '
  function ms(v) { return v == "-" ? "over 2 s" : sprintf("%.2f ms", v) }
  { ratio = ($2 == "-" || $5 == "-" || $2 == 0) ? "?" : sprintf("%.1f×", $5 / $2)
    printf "| %s | %s | %s | %s | %d | %d |\n", $1, ms($2), ms($5), ratio, $3, $6 }'
if [[ -n ${KEEP:-} ]]; then
  echo
  echo "kept: database $bench_db (psql -h 127.0.0.1 -U postgres -d $bench_db); measure again with REUSE=$KEEP"
fi

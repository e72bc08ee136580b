#!/usr/bin/env bash
# Every signed-in page against the bare Gin route, on this machine's
# loopback, on PostgreSQL. Prints each page's requests per second and its
# share of the bare route; the aim is at least a tenth for every page and
# a fifth for the dashboard.
#
#   bench/pages.sh      (ROUNDS=3 DURATION=5s CONNECTIONS=32 THREADS=1 MEMBERS=15 SQLITE=1 to change)
#
# It creates a throwaway database (dropped at the end), builds the binary,
# signs an owner up through the real sign-up form, and seeds a realistic
# organisation with bench/seed through the application's own services: a
# practitioner with a year of weekly sessions with ten members, MEMBERS more
# members, weekday availability for booking. The practitioner and a member
# sign in through the real sign-in form; the owner enrols on the example
# course through its form. Then, ROUNDS times, each page is measured right
# after the bare route (interleaved, so that both see the same machine),
# and the table shows the median of the rounds. With SQLITE=1 (the
# default) the dashboard is also measured in the embedded mode (SQLite,
# one process). The web process's peak resident memory is printed last.
#
# Needs PostgreSQL and Redis (scripts/services.sh) and wrk
# (scripts/install-test-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
MEMBERS=${MEMBERS:-15}
SQLITE=${SQLITE:-1}
source bench/lib.sh
bench_start pages 18100 12
web_pid=${pids[0]}
bench_bare 18101
bare_url=http://127.0.0.1:18101/ok
slug=bench
bench_org "$slug" "$MEMBERS"
bench_check

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) cores, $ROUNDS rounds, each page right after the bare route"
: >"$tmp/results"
measure() { # measure NAME URL wrk-args…: one round's bare and page figures
  local name=$1 url=$2
  shift 2
  local b r
  b=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$bare_url" | rps)
  r=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$@" "$url" | rps)
  printf '%s\t%s\t%s\n' "$name" "$b" "$r" >>"$tmp/results"
}
for round in $(seq 1 "$ROUNDS"); do
  for p in "${pages[@]}"; do
    entry "$p"
    measure "$name" "$url" "${args[@]}"
  done
  echo "round $round done"
done
peak=$(awk '/VmHWM/{printf "%.0f MB", $2/1024}' "/proc/$web_pid/status")

if [[ $SQLITE == 1 ]]; then
  # The embedded mode: one process, SQLite, its own Redis-compatible server.
  dir="$tmp/embedded"
  base=http://127.0.0.1:18102
  env -u TOOLBOX_DATABASE_URL -u TOOLBOX_REDIS_URL TOOLBOX_DATA_DIR="$dir" TOOLBOX_ADDR=127.0.0.1:18102 \
    TOOLBOX_BASE_URL="$base" "$tmp/toolbox" >"$tmp/embedded.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs -o /dev/null "$base/healthz" && break; sleep 0.1; done
  bench_signup "$slug" bench@example.test bench-password-long
  lite=$(bench_cookie "$tmp/owner")
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $lite" "$base/o/$slug")
  [[ $status == 200 ]] || { echo "the SQLite dashboard answered $status"; tail -5 "$tmp/embedded.log"; exit 1; }
  for round in $(seq 1 "$ROUNDS"); do
    measure "dashboard, embedded mode (SQLite)" "$base/o/$slug" -H "Cookie: $lite"
  done
fi

# The table: per page, the median over the rounds of req/s and of the
# share of the bare route measured just before it.
echo
echo "| page | req/s | share of the bare route |"
echo "| --- | ---: | ---: |"
awk -F'\t' '
  { n[$1]++; r[$1, n[$1]] = $3; s[$1, n[$1]] = $3 / $2; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  function median(a, name, c,   i, j, t, v) {
    for (i = 1; i <= c; i++) v[i] = a[name, i]
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
  }
  END {
    for (i = 1; i <= k; i++) {
      name = order[i]; c = n[name]; sh = median(s, name, c)
      printf "| %s | %.0f | %.1f%% (1/%.1f) |\n", name, median(r, name, c), 100 * sh, 1 / sh
    }
  }' "$tmp/results"
awk -F'\t' '{ b[++n] = $2 } END { asort(b); printf "\nbare Gin \"ok\": %.0f–%.0f req/s over %d runs\n", b[1], b[n], n }' "$tmp/results"
echo "web process (PostgreSQL) peak resident memory through the page runs: $peak (aim: under 150 MB)"

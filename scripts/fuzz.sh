#!/usr/bin/env bash
# Runs every Go fuzz target (func FuzzXxx in a _test.go file) for a short
# time each: parsers of what people and machines send us must never panic.
# Plain `go test` already replays their seed inputs; this explores further.
#   scripts/fuzz.sh              (FUZZTIME=30s for longer runs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FUZZTIME=${FUZZTIME:-5s}
count=0
while IFS=: read -r file name; do
  pkg="./$(dirname "$file")"
  echo "fuzz $name ($pkg) for $FUZZTIME"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg" >/tmp/fuzz-$$.log 2>&1 || { cat /tmp/fuzz-$$.log; rm -f /tmp/fuzz-$$.log; exit 1; }
  count=$((count + 1))
done < <(git grep -n -e '^func Fuzz' -- '*_test.go' | sed -E 's/^([^:]+):[0-9]+:func (Fuzz[A-Za-z0-9_]+).*/\1:\2/')
rm -f /tmp/fuzz-$$.log
echo "fuzz: $count targets ran without a failure"

#!/usr/bin/env bash
# Fault injection against real processes (the chaos tests: cmd/toolbox,
# build tag chaos). The test binary runs itself as `toolbox worker` / `web`
# / `migrate up` on the real PostgreSQL and Redis, and each test injects
# one fault: a worker SIGKILLed, or stopped with a short shutdown timeout,
# while a slow SMTP server holds its e-mail; Redis flushed after reminders
# were handed over; an unmigrated database; three concurrent `migrate up`;
# SIGTERM on the web (drain); PostgreSQL cut off under a page.
#   scripts/chaos.sh                    one round of each (scripts/test.sh runs this)
#   CHAOS_ROUNDS=20 scripts/chaos.sh    every fault twenty times
#   CHAOS_RUN=Mail scripts/chaos.sh     only the tests whose names match
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/services.sh >/dev/null
rounds=${CHAOS_ROUNDS:-1}
CHAOS_ROUNDS=$rounds go test -tags chaos -count=1 -timeout "$((10 + 3 * rounds))m" \
  -run "^TestChaos.*${CHAOS_RUN:-}" ./cmd/toolbox

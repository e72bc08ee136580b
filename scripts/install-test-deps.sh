#!/usr/bin/env bash
# Installs the tools the browser smoke test and the benchmarks need, on a
# fresh Debian machine, as root. Idempotent: installs only what is missing,
# and says nothing when everything is already there.
#
#   chromium (+ fonts-dejavu-core)  Debian package, /usr/bin/chromium
#   wrk                             Debian package, HTTP load generator
#   pg_dump, pg_restore             Debian package postgresql-client (the
#                                   backup-and-restore test, docs/operations.md)
#   stripe-mock                     go install, $(go env GOPATH)/bin/stripe-mock
set -euo pipefail

STRIPE_MOCK_VERSION="v0.203.0"

export DEBIAN_FRONTEND=noninteractive

die() {
  echo "install-test-deps: $*" >&2
  exit 1
}

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# run CMD...: runs quietly; on failure prints its output and stops.
run() {
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    die "failed: $*"
  fi
}

apt_updated=0
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  [[ $(id -u) -eq 0 ]] || die "need root to install: ${missing[*]}"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: ${missing[*]}"
  if [[ $apt_updated -eq 0 ]]; then
    run apt-get update -q
    apt_updated=1
  fi
  run apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Chromium for the Playwright smoke test (playwright-core drives it; it never
# downloads a browser of its own).
if [[ ! -x /usr/bin/chromium ]]; then
  apt_install chromium fonts-dejavu-core
else
  apt_install fonts-dejavu-core
fi
[[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium missing after install"

# pg_dump and pg_restore for the backup-and-restore test.
if ! command -v pg_dump >/dev/null 2>&1 || ! command -v pg_restore >/dev/null 2>&1; then
  apt_install postgresql-client
fi

# wrk for the load benchmarks.
if ! command -v wrk >/dev/null 2>&1; then
  apt_install wrk
fi
command -v wrk >/dev/null 2>&1 || die "wrk missing after install"

# stripe-mock, the Stripe API fake the billing tests talk to.
command -v go >/dev/null 2>&1 || die "go not found on PATH"
gobin="$(go env GOBIN)"
[[ -n "$gobin" ]] || gobin="$(go env GOPATH)/bin"
if [[ ! -x "$gobin/stripe-mock" ]]; then
  run go install "github.com/stripe/stripe-mock@${STRIPE_MOCK_VERSION}"
fi
[[ -x "$gobin/stripe-mock" ]] || die "stripe-mock missing at $gobin/stripe-mock after go install"

#!/usr/bin/env bash
# Vendors htmx into static/vendor/htmx/ from the npm package htmx.org.
#
#   scripts/vendor-htmx.sh            # re-vendor the pinned version
#   scripts/vendor-htmx.sh 2.0.12     # update to another exact version
#
# Writes htmx.min.js, LICENSE and VERSION. The page loads htmx from there;
# there is no CDN anywhere. After an update, review the diff and run
# scripts/e2e.sh.
set -euo pipefail

version="${1:-2.0.11}"
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "vendor-htmx: give an exact version like 2.0.11, not '$version'" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/static/vendor/htmx"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(
  cd "$tmp"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --ignore-scripts --save-exact "htmx.org@${version}" >/dev/null
)

pkg="$tmp/node_modules/htmx.org"
got="$(node -p 'require(process.argv[1]).version' "$pkg/package.json")"
if [[ $got != "$version" ]]; then
  echo "vendor-htmx: asked for $version, npm installed $got" >&2
  exit 1
fi

license=""
for f in LICENSE LICENSE.md LICENSE.txt license; do
  if [[ -f "$pkg/$f" ]]; then
    license="$pkg/$f"
    break
  fi
done
[[ -n $license ]] || { echo "vendor-htmx: no LICENSE file in htmx.org@$version" >&2; exit 1; }
[[ -f "$pkg/dist/htmx.min.js" ]] || { echo "vendor-htmx: no dist/htmx.min.js in htmx.org@$version" >&2; exit 1; }

mkdir -p "$dest"
cp "$pkg/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$license" "$dest/LICENSE"
printf '%s\n' "$version" >"$dest/VERSION"

echo "vendor-htmx: htmx.org@$version -> ${dest#"$root"/}/ ($(wc -c <"$dest/htmx.min.js") bytes)"

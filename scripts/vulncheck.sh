#!/usr/bin/env bash
# govulncheck without network access to the Go vulnerability database: the database is
# built locally from the golang.org/x/vulndb module (its data/osv files), which the Go
# module proxy serves, with that module's own indexdb command. See docs/security.md.
#
# Usage: ./scripts/vulncheck.sh                 binary mode on bin/otelcol-okta and bin/oktasim
#        ./scripts/vulncheck.sh ./receiver/...  source mode on the given packages
# Environment:
#   VULNDB_VERSION       golang.org/x/vulndb version (default: latest; its date is the
#                        database's date, printed below)
#   GOVULNCHECK_VERSION  golang.org/x/vuln version (default v1.9.0)
# Exit status: 0 clean, 3 vulnerabilities found (govulncheck's), other values errors.
set -euo pipefail
cd "$(dirname "$0")/.."

GOVULNCHECK_VERSION="${GOVULNCHECK_VERSION:-v1.9.0}"
VULNDB_VERSION="${VULNDB_VERSION:-$(go list -m -f '{{.Version}}' golang.org/x/vulndb@latest)}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/otelcol-okta/vulndb-$VULNDB_VERSION"

if [ ! -s "$cache/index/modules.json" ]; then
  src="$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$src/data/osv" ] || { echo "vulncheck: golang.org/x/vulndb@$VULNDB_VERSION has no data/osv" >&2; exit 1; }
  echo "vulncheck: building the database from golang.org/x/vulndb@$VULNDB_VERSION ($(ls "$src/data/osv" | wc -l) entries)"
  rm -rf "$cache.tmp" && mkdir -p "$(dirname "$cache")"
  go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION" -vulns "$src/data/osv" -out "$cache.tmp"
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
fi
echo "vulncheck: database golang.org/x/vulndb@$VULNDB_VERSION (entries up to the version's date)"

govulncheck=(go run "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION" -db "file://$cache")
if [ "$#" -gt 0 ]; then
  exec "${govulncheck[@]}" "$@"
fi
status=0
for b in bin/otelcol-okta bin/oktasim; do
  [ -x "$b" ] || { echo "vulncheck: $b is missing: run 'make build' first" >&2; exit 1; }
  echo "==> $b"
  "${govulncheck[@]}" -mode binary "$b" || status=$?
done
exit "$status"

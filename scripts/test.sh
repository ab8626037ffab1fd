#!/usr/bin/env bash
# The whole test suite: the format lint, unit and CLI tests over the committed fixtures, then the checks against
# the real libraries repeated on a fresh random fixture set written by faiss and hnswlib just now.
#
# Usage: scripts/test.sh     (after scripts/install-deps.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Examples whose indexes are too big to commit are built first when their data set is installed.
if [ -d /usr/share/datasets/fashion-mnist ]; then
    "$root/.venv/bin/python" Examples/fashion-mnist/build.py
fi

# Formatting and the house rules (.swift-format: no force unwraps or force tries, 4-space indent, 140 columns).
swift format lint --strict --recursive --parallel Sources Tests Benchmarks/feder-bench Package.swift

swift build --build-tests
fresh="$(mktemp -d)"
logs="$(mktemp -d)"
trap 'rm -rf "$fresh" "$logs"' EXIT
swift test --skip-build --disable-swift-testing 2>&1 | tee "$logs/suite.log"

echo "test: cross-checking against a fresh random fixture set in $fresh" >&2
"$root/.venv/bin/python" scripts/gen_fixtures.py "$fresh" --fresh >/dev/null
FEDER_FIXTURES="$fresh" swift test --skip-build --disable-swift-testing \
    --filter 'InspectAgainstLibrariesTests|TruncationTests|AgainstLibrariesTests' 2>&1 | tee "$logs/cross.log"

# The whole run's totals last: XCTest's final "Executed" line of each run.
executed() { grep -E "^[[:space:]]*Executed [0-9]+ tests?" "$1" | tail -1 | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/'; }
suite="$(executed "$logs/suite.log")"
cross="$(executed "$logs/cross.log")"
echo "test: passed: $suite tests in the suite, $cross against a fresh random fixture set ($((suite + cross)) in all)"

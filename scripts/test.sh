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
swift test --skip-build --disable-swift-testing

fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
echo "test: cross-checking against a fresh random fixture set in $fresh" >&2
"$root/.venv/bin/python" scripts/gen_fixtures.py "$fresh" --fresh >/dev/null
FEDER_FIXTURES="$fresh" swift test --skip-build --disable-swift-testing \
    --filter 'InspectAgainstLibrariesTests|TruncationTests|AgainstLibrariesTests'

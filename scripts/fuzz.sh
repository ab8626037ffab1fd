#!/usr/bin/env bash
# Fuzz the readers with libFuzzer: the index readers (plus a traced search of whatever decodes), the vector,
# ground-truth, HDF5 and media-list readers, the picture decoders, and the job-spec parser.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET=60] [--report-only]
#   --report-only (CI): a crash is printed (with the input in base64, to add to Tests/FuzzRegressions) but
#   does not fail the run; only a build failure does.
#
# Builds the targets in Fuzz/ with `-sanitize=fuzzer,address` in a scratch package beside the repository
# (.build-fuzz/, ignored by git) that depends on this one, seeds each corpus from the committed fixtures and
# examples, runs each target for the given time, and copies any crashing input into Tests/FuzzRegressions/
# (which the test suite replays). Exits non-zero when a target found a crash.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
report_only="${2:-}"
work="$root/.build-fuzz"
mkdir -p "$work/pkg/Sources" "$work/corpus" "$root/Tests/FuzzRegressions"
# SwiftPM names a path dependency after its folder.
identity="$(basename "$root" | tr '[:upper:]' '[:lower:]')"

cat > "$work/pkg/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let fuzz: [SwiftSetting] = [.unsafeFlags(["-parse-as-library", "-sanitize=fuzzer,address"])]
let link: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]
let package = Package(
    name: "feder-fuzz",
    dependencies: [.package(path: "$root")],
    targets: [
        .target(name: "DriverFuzzIndexReader"), .target(name: "DriverFuzzVectorFile"), .target(name: "DriverFuzzJobSpec"),
        .target(name: "DriverFuzzPicture"),
        .executableTarget(name: "FuzzIndexReader", dependencies: ["DriverFuzzIndexReader", .product(name: "FederIndex", package: "$identity"), .product(name: "FederSearch", package: "$identity")], swiftSettings: fuzz, linkerSettings: link),
        .executableTarget(name: "FuzzVectorFile", dependencies: ["DriverFuzzVectorFile", .product(name: "FederIndex", package: "$identity")], swiftSettings: fuzz, linkerSettings: link),
        .executableTarget(name: "FuzzJobSpec", dependencies: ["DriverFuzzJobSpec", .product(name: "FederReport", package: "$identity")], swiftSettings: fuzz, linkerSettings: link),
        .executableTarget(name: "FuzzPicture", dependencies: ["DriverFuzzPicture", .product(name: "FederRender", package: "$identity")], swiftSettings: fuzz, linkerSettings: link),
    ])
SWIFT
for target in FuzzIndexReader FuzzVectorFile FuzzJobSpec FuzzPicture; do
    mkdir -p "$work/pkg/Sources/$target" "$work/pkg/Sources/Driver$target/include"
    cp "$root/Fuzz/$target/$target.swift" "$work/pkg/Sources/$target/$target.swift"
    # SwiftPM links an executable's entry point as <Target>_main; hand it to libFuzzer's driver.
    cat > "$work/pkg/Sources/Driver$target/driver.c" <<C
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int ${target}_main(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }
C
    echo "/* libFuzzer entry for $target */" > "$work/pkg/Sources/Driver$target/include/driver.h"
done

# Seed corpora from committed files.
mkdir -p "$work/corpus/FuzzIndexReader" "$work/corpus/FuzzVectorFile" "$work/corpus/FuzzJobSpec" "$work/corpus/FuzzPicture"
cp "$root"/Tests/Fixtures/*.faiss "$root"/Tests/Fixtures/*.faissbin "$root"/Tests/Fixtures/*.voy "$root"/Tests/Fixtures/*.hnsw "$work/corpus/FuzzIndexReader/" 2>/dev/null || true
cp "$root"/Tests/Fixtures/*.npy "$work/corpus/FuzzVectorFile/" 2>/dev/null || true
cp "$root"/Examples/*/compare.json "$work/corpus/FuzzJobSpec/" 2>/dev/null || true
cp "$root"/Examples/digits/images.txt "$work/corpus/FuzzVectorFile/" 2>/dev/null || true
cp "$root"/Examples/digits/*.png "$work/corpus/FuzzPicture/" 2>/dev/null || true
pictures=("$root"/Examples/digits/images/*.png)
for picture in "${pictures[@]:0:8}"; do [ -f "$picture" ] && cp "$picture" "$work/corpus/FuzzPicture/"; done
# A small ann-benchmarks file (written by h5py where the venv has it) seeds the HDF5 reader.
if [ -x "$root/.venv/bin/python" ]; then
    "$root/.venv/bin/python" - "$work/corpus/FuzzVectorFile/ann.hdf5" <<'PY' 2>/dev/null || true
import sys, numpy as np, h5py
rng = np.random.default_rng(3)
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("train", data=rng.normal(size=(20, 4)).astype(np.float32))
    f.create_dataset("test", data=rng.normal(size=(3, 4)).astype(np.float32))
    f.create_dataset("neighbors", data=np.arange(9, dtype=np.int32).reshape(3, 3))
    f.create_dataset("distances", data=rng.random((3, 3)).astype(np.float32), compression="gzip", chunks=(1, 3))
PY
fi

cd "$work/pkg"
if ! swift build -c release --build-path "$work/build" -Xswiftc -sanitize=fuzzer,address >"$work/build.log" 2>&1; then
    grep -E "error" "$work/build.log" | head -20 >&2
    echo "fuzz: the fuzz targets did not build (see $work/build.log)" >&2
    exit 2
fi
status=0
for target in FuzzIndexReader FuzzVectorFile FuzzJobSpec FuzzPicture; do
    binary="$work/build/release/$target"
    artifacts="$work/artifacts/$target/"
    mkdir -p "$artifacts"
    echo "fuzz: $target for ${seconds}s" >&2
    # Leaks are not looked for (neither per input nor at exit): Foundation's FileManager.contents keeps a 4 KiB buffer
    # for an empty file, which LeakSanitizer reported at exit as a crash of the empty input.
    if ! ASAN_OPTIONS=detect_leaks=0 "$binary" "$work/corpus/$target" -seed=1 -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 -detect_leaks=0 \
        -timeout=10 -artifact_prefix="$artifacts" -print_final_stats=1 2>"$work/$target.log"; then
        status=1
        echo "fuzz: $target found a crash:" >&2
        tail -30 "$work/$target.log" >&2
    fi
    grep -E "stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb" "$work/$target.log" | sed "s/^/fuzz: $target /" >&2 || true
    for found in "$artifacts"*; do
        [ -f "$found" ] || continue
        cp "$found" "$root/Tests/FuzzRegressions/$target-$(basename "$found")"
        echo "fuzz: kept Tests/FuzzRegressions/$target-$(basename "$found") (base64 follows)" >&2
        base64 -w 0 "$found" >&2
        echo >&2
    done
done
if [ "$report_only" = "--report-only" ]; then exit 0; fi
exit $status

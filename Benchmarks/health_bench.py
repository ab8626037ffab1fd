#!/usr/bin/env python3
"""Time `feder-report health` on a 1M-node hnswlib graph against a reachability walk in NumPy, in one run.

Builds (cached in --workdir) an hnswlib index of 1,000,000 clustered 32-d vectors (2,000 Gaussian clusters, M 12,
ef_construction 40, two threads), then times, best of --rounds:
  - `feder-report health FILE --json` (release build, the whole command: open, validate, walk, in-degrees,
    components, JSON), and
  - the same unreachable count computed here: the file's layer-0 links read with NumPy and a breadth-first walk
    from the entry point over them, frontier by frontier with array operations.
Checks the two unreachable counts agree and appends a table to BENCHMARKS.md (or --out).

    .venv/bin/python Benchmarks/health_bench.py [--workdir /tmp/feder-health] [--rounds 3] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import time

import numpy as np

import hnswlib

from benchmarks_md import replace_section

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(path: str) -> None:
    if os.path.exists(path):
        return
    rng = np.random.default_rng(1)
    n, d = 1_000_000, 32
    centers = rng.normal(size=(2000, d)).astype(np.float32) * 4
    base = (centers[rng.integers(0, 2000, n)] + rng.normal(size=(n, d))).astype(np.float32)
    index = hnswlib.Index(space="l2", dim=d)
    index.init_index(max_elements=n, M=12, ef_construction=40, random_seed=1)
    index.set_num_threads(2)
    index.add_items(base)
    index.save_index(path)


def numpy_unreachable(path: str) -> int:
    raw = np.fromfile(path, dtype=np.uint8)
    _, _, count, size_per, _, _ = struct.unpack_from("<QQQQQQ", raw, 0)
    entry = struct.unpack_from("<i", raw, 52)[0]
    header = struct.calcsize("<QQQQQQiiQQQdQ")
    level0 = raw[header:header + count * size_per].reshape(count, size_per)
    words = level0[:, : (size_per // 4) * 4].view(np.uint32)
    counts = (words[:, 0] & 0xFFFF).astype(np.int64)
    deleted = ((words[:, 0] >> 16) & 1).astype(bool)
    width = int(counts.max())
    links = words[:, 1:1 + width].astype(np.int64)
    valid = np.arange(width)[None, :] < counts[:, None]
    seen = np.zeros(count, dtype=bool)
    seen[entry] = True
    frontier = np.array([entry])
    while frontier.size:
        neighbours = links[frontier][valid[frontier]]
        neighbours = np.unique(neighbours[~seen[neighbours]])
        seen[neighbours] = True
        frontier = neighbours
    return int((~seen & ~deleted).sum())


def best(rounds: int, run):
    times, value = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        value = run()
        times.append(time.perf_counter() - start)
    return min(times), value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", default="/tmp/feder-health")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default="BENCHMARKS.md")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    path = os.path.join(args.workdir, "1m-m12.hnsw")
    print("building the 1M-node index (cached) …", file=sys.stderr)
    build(path)
    subprocess.run(["swift", "build", "-c", "release", "--product", "feder-report"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    tool = os.path.join(ROOT, ".build", "release", "feder-report")

    def ours():
        out = subprocess.run([tool, "health", path, "--json"], check=True, capture_output=True, text=True).stdout
        return json.loads(out)["hnsw"]["unreachable"]

    ours_seconds, ours_unreachable = best(args.rounds, ours)
    numpy_seconds, numpy_count = best(args.rounds, lambda: numpy_unreachable(path))
    if ours_unreachable != numpy_count:
        sys.exit(f"unreachable counts differ: feder-report {ours_unreachable}, NumPy walk {numpy_count}")
    lines = [
        "",
        "## Index health at 1M nodes",
        "",
        f"Written by `Benchmarks/health_bench.py` on {time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores): hnswlib, 1,000,000 "
        "clustered 32-d vectors, M 12, ef_construction 40; best of "
        f"{args.rounds}. Both find {ours_unreachable} live nodes unreachable from the entry point on layer 0.",
        "",
        "| what | seconds |",
        "|---|---|",
        f"| `feder-report health --json` (whole command: open, validate, reachability, deleted paths, in-degrees per level, components, JSON) | {ours_seconds:.2f} |",
        f"| the unreachable count alone, NumPy frontier walk over the file's layer-0 links | {numpy_seconds:.2f} |",
        "",
    ]
    replace_section(args.out, lines)


if __name__ == "__main__":
    main()

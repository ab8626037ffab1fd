#!/usr/bin/env python3
"""Time the at-scale example report against the same searches in the real libraries.

Renders Examples/fashion-mnist/compare.json with the release build (wall time and peak memory from
/usr/bin/time -v), then runs every search that report runs — each side's 100 queries at its parameters and at
every sweep value, one query per call, single-threaded — in faiss and hnswlib, and appends the figures to
BENCHMARKS.md (section "Report at scale", replaced when present).

Usage (after Examples/fashion-mnist/build.py):
    .venv/bin/python Benchmarks/report_bench.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

import faiss
import hnswlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "Examples", "fashion-mnist")


def library_seconds(spec: dict) -> tuple[float, int]:
    """Seconds the libraries need for every search of the spec's comparisons, and how many searches."""
    faiss.omp_set_num_threads(1)
    loaded: dict[str, object] = {}
    total = 0.0
    searches = 0
    k = spec["params"]["k"]
    for comparison in spec["comparisons"]:
        for side in (comparison["left"], comparison["right"]):
            index_spec = spec["indexes"][side["index"]]
            path = os.path.join(EXAMPLE, index_spec["file"])
            query = spec["queries"][side["query"]]
            vectors = np.load(os.path.join(EXAMPLE, query["vector"]))
            if "row" in query:
                vectors = vectors[query["row"]: query["row"] + 1]
            params = dict(spec["params"], **side.get("params", {}))
            settings = [params]
            for name, values in comparison.get("sweep", {}).items():
                settings += [dict(params, **{name: value}) for value in values]
            if path not in loaded:
                if path.endswith(".faiss"):
                    loaded[path] = faiss.read_index(path)
                else:
                    index = hnswlib.Index(space=index_spec.get("space", "l2"), dim=vectors.shape[1])
                    index.load_index(path)
                    index.set_num_threads(1)
                    loaded[path] = index
            index = loaded[path]
            for setting in settings:
                start = time.perf_counter()
                if path.endswith(".faiss"):
                    index.nprobe = setting["nprobe"]
                    for row in range(len(vectors)):
                        index.search(vectors[row: row + 1], k)
                else:
                    index.set_ef(setting["ef"])
                    for row in range(len(vectors)):
                        index.knn_query(vectors[row: row + 1], k=k, num_threads=1)
                total += time.perf_counter() - start
                searches += len(vectors)
    return total, searches


def main() -> None:
    spec_path = os.path.join(EXAMPLE, "compare.json")
    with open(spec_path) as handle:
        spec = json.load(handle)
    subprocess.run(["swift", "build", "-c", "release", "--product", "feder-report"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    binary = os.path.join(ROOT, ".build", "release", "feder-report")
    sizes = sum(os.path.getsize(os.path.join(EXAMPLE, entry["file"])) for entry in spec["indexes"].values())
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(3):
            result = subprocess.run(["/usr/bin/time", "-v", binary, spec_path, "-o", os.path.join(folder, "r.pdf"), "--quiet"],
                                    capture_output=True, text=True, check=True)
            wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\d+):([\d.]+)", result.stderr)
            rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
            if wall is None or rss is None:
                sys.exit("could not read /usr/bin/time output")
            runs.append((int(wall.group(1)) * 60 + float(wall.group(2)), int(rss.group(1)) * 1024))
        pages = subprocess.run(["pdfinfo", os.path.join(folder, "r.pdf")], capture_output=True, text=True).stdout
    wall = min(run[0] for run in runs)
    rss = max(run[1] for run in runs)
    library, searches = library_seconds(spec)
    page_count = re.search(r"Pages:\s+(\d+)", pages)
    section = [
        "## Report at scale",
        "",
        f"`feder-report Examples/fashion-mnist/compare.json` (release build, {os.cpu_count()} cores, best of 3): "
        f"{len(spec['comparisons'])} comparisons over 60,000 × 784 vectors (IVF256 and HNSW M=16, raw and normalised), "
        f"two sweeps over 100 queries, {searches} traced searches each measured against exact search, "
        f"{page_count.group(1) if page_count else '?'} PDF pages.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| whole report, wall time | {wall:.2f} s |",
        f"| peak memory | {rss / 1e6:.0f} MB ({rss / sizes:.2f}× the {sizes / 1e6:.0f} MB of index files) |",
        f"| the same {searches} searches in faiss / hnswlib (one query per call, one thread, untraced, no ground truth) | {library:.2f} s |",
        "",
    ]
    path = os.path.join(ROOT, "BENCHMARKS.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
    text = re.sub(r"## Report at scale\n.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip() + "\n\n" + "\n".join(section)
    with open(path, "w") as handle:
        handle.write(text)
    print("\n".join(section))


if __name__ == "__main__":
    main()

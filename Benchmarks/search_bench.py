#!/usr/bin/env python3
"""Time feder-report's traced searches against the real faiss and hnswlib, side by side, in one run.

Data: Fashion-MNIST-784 from Debian's `dataset-fashion-mnist` (the ann-benchmarks set): 60k training images as
the base, the first N test images as queries. Indexes built with the real libraries (cached in --workdir):
faiss IVF256,Flat, the quantized IVF256,PQ28 (IVFPQ), IVF256,PQ56x4fs (fast scan) and IVF256,SQ8, HNSW16,SQ8,
and hnswlib M=16 (ef_construction 200). Every search is one query per call, single-threaded,
on both sides. The two sides take turns run by run (--rounds, default 30, of every setting: feder-bench once over
every query, then the library once over every query), and each side's time is its best run, so a slow spell
of the machine falls on both sides alike instead of on whichever ran during it. With --pin CORE (default 0) both sides run on that one
core: this process pins itself before timing the libraries and starts feder-bench under `taskset -c CORE`, so
neither side gains from the second core or loses to a neighbour on it. Writes the table to BENCHMARKS.md (or
--out).

Usage (from the repository root, after scripts/install-deps.sh):
    apt-get install -y dataset-fashion-mnist
    .venv/bin/python Benchmarks/search_bench.py [--queries 200] [--workdir /tmp/feder-bench] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

import faiss
import hnswlib

DATA = "/usr/share/datasets/fashion-mnist"
K = 10
NPROBES = (8, 32)
EFS = (16, 64)
ROUNDS = 30


def read_idx_images(path: str) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    count, rows, cols = (int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(3))
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows * cols).astype("float32")


def median_time(times: int, body) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        body()
        samples.append(time.perf_counter() - start)
    return sorted(samples)[len(samples) // 2]


def recall(found: list[list[int]], truth: np.ndarray) -> float:
    hits = sum(len(set(ids) & set(truth[row][:K].tolist())) for row, ids in enumerate(found))
    return hits / (K * len(found))


FAISS_KINDS = ("IVF256,Flat", "IVF256,PQ28", "IVF256,PQ56x4fs", "IVF256,SQ8", "HNSW16,SQ8")


def faiss_path(workdir: str, factory: str) -> str:
    return os.path.join(workdir, "fmnist-" + factory.lower().replace(",", "-") + ".faiss")


def build(workdir: str, base: np.ndarray) -> tuple[str, str]:
    os.makedirs(workdir, exist_ok=True)
    ivf_path = faiss_path(workdir, "IVF256,Flat")
    hnsw_path = os.path.join(workdir, "fmnist-hnsw-m16.hnsw")
    for factory in FAISS_KINDS:
        path = faiss_path(workdir, factory)
        if not os.path.exists(path):
            print(f"building {factory} …", file=sys.stderr)
            index = faiss.index_factory(base.shape[1], factory)
            index.train(base)
            index.add(base)
            faiss.write_index(index, path)
    if not os.path.exists(hnsw_path):
        print("building hnswlib M=16 …", file=sys.stderr)
        index = hnswlib.Index(space="l2", dim=base.shape[1])
        index.init_index(max_elements=len(base), M=16, ef_construction=200, random_seed=100)
        index.add_items(base, np.arange(len(base)))
        index.save_index(hnsw_path)
    return ivf_path, hnsw_path


PIN: list[str] = []


def run_feder(binary: str, index: str, queries: str, extra: list[str]) -> dict:
    command = PIN + [binary, index, "--queries", queries, "--k", str(K), "--repeat", "1"] + extra
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def take_turns(rounds: int, binary: str, index: str, queries: str, extra: list[str], key: str, values, library) \
        -> tuple[dict, dict]:
    """Alternates run by run, `rounds` times over every setting: feder-bench (started once with --serve, so each
    of its runs is one line on its stdin) over every query, then the library over every query. Returns the best
    ms/query per setting of feder-bench and of the library."""
    command = PIN + [binary, index, "--queries", queries, "--k", str(K), "--serve"] + extra
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ours: dict = {}
    theirs: dict = {}
    try:
        for _ in range(rounds):
            for value in values:
                server.stdin.write(f"{key} {value}\n")
                server.stdin.flush()
                answer = json.loads(server.stdout.readline())
                ours[value] = min(ours.get(value, float("inf")), answer["msPerQuery"])
                theirs[value] = min(theirs.get(value, float("inf")), library(value))
    finally:
        server.stdin.close()
        server.wait()
    return ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", default="/tmp/feder-bench")
    parser.add_argument("--out", default="BENCHMARKS.md")
    parser.add_argument("--pin", type=int, default=0, help="run both sides on this core (-1: do not pin)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="turns each side takes; its best counts")
    args = parser.parse_args()
    if args.pin >= 0:
        os.sched_setaffinity(0, {args.pin})
        PIN[:] = ["taskset", "-c", str(args.pin)]

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    base = read_idx_images(os.path.join(DATA, "train-images-idx3-ubyte.gz"))
    queries = read_idx_images(os.path.join(DATA, "t10k-images-idx3-ubyte.gz"))[: args.queries].copy()
    ivf_path, hnsw_path = build(args.workdir, base)
    queries_path = os.path.join(args.workdir, f"queries-{args.queries}.npy")
    np.save(queries_path, queries)

    faiss.omp_set_num_threads(1)
    truth_index = faiss.IndexFlatL2(base.shape[1])
    truth_index.add(base)
    _, truth = truth_index.search(queries, K)

    print("building feder-bench (release) …", file=sys.stderr)
    subprocess.run(["swift", "build", "-c", "release", "--product", "feder-bench"], cwd=root, check=True,
                   stdout=subprocess.DEVNULL)
    binary = os.path.join(root, ".build", "release", "feder-bench")

    rows = []
    views_dir = os.path.join(args.workdir, "views")
    os.makedirs(views_dir, exist_ok=True)
    ours_ivf: dict = {}
    for factory in FAISS_KINDS:
        path = faiss_path(args.workdir, factory)
        index = faiss.read_index(path)
        is_hnsw = factory.startswith("HNSW")
        key, values = ("ef", EFS) if is_hnsw else ("nprobe", NPROBES)
        found_faiss: dict[int, tuple[list, list]] = {}

        def search_faiss(value: int, index=index, is_hnsw=is_hnsw, found_faiss=found_faiss) -> float:
            if is_hnsw:
                faiss.downcast_index(index).hnsw.efSearch = value
            else:
                faiss.extract_index_ivf(index).nprobe = value
            found: list[list[int]] = []
            found_bits: list[list[int]] = []
            start = time.perf_counter()
            for row in range(len(queries)):
                dists, ids = index.search(queries[row: row + 1], K)
                found.append(ids[0].tolist())
                found_bits.append(dists[0].view(np.uint32).tolist())
            elapsed = time.perf_counter() - start
            found_faiss[value] = (found, found_bits)
            return elapsed * 1000 / len(queries)

        extra = ["--views", views_dir] if factory == "IVF256,Flat" else []
        ours = run_feder(binary, path, queries_path, [f"--{key}", ",".join(map(str, values))] + extra)
        if factory == "IVF256,Flat":
            ours_ivf = ours
        ours_best, library_best = take_turns(args.rounds, binary, path, queries_path, [], key, values, search_faiss)
        for run in ours["runs"]:
            found, found_bits = found_faiss[run[key]]
            same = sum(a == b for a, b in zip(found, run["ids"])) / len(found)
            same_bits = sum(a == b for a, b in zip(found_bits, run["bits"])) / len(found)
            rows.append((f"faiss {factory}", f"{key} {run[key]}", library_best[run[key]], ours_best[run[key]],
                         recall(found, truth), recall(run["ids"], truth), same, same_bits))
    open_faiss = median_time(5, lambda: faiss.read_index(ivf_path))
    opens = [("faiss.read_index", os.path.getsize(ivf_path), open_faiss, ours_ivf["openSeconds"])]

    # hnswlib
    def load() -> hnswlib.Index:
        index = hnswlib.Index(space="l2", dim=base.shape[1])
        index.load_index(hnsw_path)
        return index

    open_hnsw = median_time(5, load)
    hnsw = load()
    hnsw.set_num_threads(1)
    found_hnsw: dict[int, tuple[list, list]] = {}

    def search_hnsw(ef: int) -> float:
        hnsw.set_ef(ef)
        found: list[list[int]] = []
        found_bits: list[list[int]] = []
        start = time.perf_counter()
        for row in range(len(queries)):
            ids, dists = hnsw.knn_query(queries[row: row + 1], k=K, num_threads=1)
            found.append(ids[0].astype(np.int64).tolist())
            found_bits.append(dists[0].view(np.uint32).tolist())
        elapsed = time.perf_counter() - start
        found_hnsw[ef] = (found, found_bits)
        return elapsed * 1000 / len(queries)

    ours_hnsw = run_feder(binary, hnsw_path, queries_path, ["--space", "l2", "--ef", ",".join(map(str, EFS)), "--views", views_dir])
    ours_best, library_best = take_turns(args.rounds, binary, hnsw_path, queries_path, ["--space", "l2"], "ef", EFS, search_hnsw)
    for run in ours_hnsw["runs"]:
        found, found_bits = found_hnsw[run["ef"]]
        same = sum(a == b for a, b in zip(found, run["ids"])) / len(found)
        same_bits = sum(a == b for a, b in zip(found_bits, run["bits"])) / len(found)
        rows.append(("hnswlib M=16", f"ef {run['ef']}", library_best[run["ef"]], ours_best[run["ef"]],
                     recall(found, truth), recall(run["ids"], truth), same, same_bits))
    opens.append(("hnswlib load_index", os.path.getsize(hnsw_path), open_hnsw, ours_hnsw["openSeconds"]))

    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = [
        "# Benchmarks",
        "",
        f"Written by `Benchmarks/search_bench.py` on {time.strftime('%Y-%m-%d')}: {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, faiss {faiss.__version__}, hnswlib 0.8.0.",
        f"Fashion-MNIST-784 (Debian `dataset-fashion-mnist`): 60,000 base vectors, {len(queries)} test queries, "
        f"k = {K}. One query per call, single-threaded on both sides, the sides taking turns run by run for "
        f"{args.rounds} rounds, each side's best run"
        + (f", both sides pinned to core {args.pin} (`taskset -c {args.pin}`). " if args.pin >= 0 else ". ")
        + f"faiss ran its {faiss.SIMDConfig.get_level_name()} level. "
        "`feder-report` times are *traced* searches (every scored vector, probe and layer step recorded), "
        "measured in-process by `feder-bench` (release build); the libraries are timed through their Python "
        "bindings.",
        "",
        "## Search",
        "",
        "| index | setting | library ms/query | feder-report traced ms/query | ratio | recall@10 library | "
        "recall@10 feder-report | identical result lists | identical distance bits |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, setting, library, ours, rec_lib, rec_ours, same, same_bits in rows:
        lines.append(f"| {name} | {setting} | {library:.3f} | {ours:.3f} | {ours / library:.2f}× | {rec_lib:.4f} | "
                     f"{rec_ours:.4f} | {same * 100:.1f} % | {same_bits * 100:.1f} % |")
    lines += [
        "",
        "## Opening the index file",
        "",
        "| library call | file size | library ms | feder-report ms (map + validate) | ratio |",
        "|---|---|---|---|---|",
    ]
    for name, size, library, ours in opens:
        lines.append(f"| {name} | {size / 1e6:.0f} MB | {library * 1000:.2f} | {ours * 1000:.3f} | {ours / library:.3f}× |")
    lines += [
        "",
        "## Views",
        "",
        "Layout and PNG rendering (144 dpi, one A4-landscape panel) of every view of query 0's trace, after the trace; "
        f"IVF at nprobe {NPROBES[0]}, HNSW at ef {EFS[0]}. The per-index work (the IVF cluster map: PCA of the 256 "
        "centroids, circle relaxation, power diagram) is the setup column.",
        "",
        "| index | setup s | view | seconds |",
        "|---|---|---|---|",
    ]
    for name, ours in (("faiss IVF256,Flat", ours_ivf), ("hnswlib M=16", ours_hnsw)):
        for view, elapsed in sorted(ours.get("viewSeconds", {}).items()):
            lines.append(f"| {name} | {ours.get('viewSetupSeconds', 0):.3f} | {view} | {elapsed:.3f} |")
    lines.append("")
    with open(os.path.join(root, args.out) if not os.path.isabs(args.out) else args.out, "w") as handle:
        handle.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

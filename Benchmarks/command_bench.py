#!/usr/bin/env python3
"""The whole `feder-report trace` command against the library, per query: what a user pays.

`feder-bench` times traced searches in-process; this times the command as it is run: process start, opening the
index, reading the queries, tracing, writing one JSON line per query. The marginal cost per query is
(time for N queries − time for 1 query) / (N − 1), which leaves out the fixed start-up; the library's cost per
query is one `knn_query` / `search` call per query from Python, the same queries. Both sides are pinned to one core
and take turns, round by round; each side's best round counts. Fashion-MNIST-784 (Debian `dataset-fashion-mnist`):
60,000 base vectors, N = 2,000 test queries, k = 10, `--no-exact` (the library computes no truth either).

    .venv/bin/python Benchmarks/command_bench.py [--rounds 7] [--pin 0] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time

import faiss
import hnswlib
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchmarks_md import ROOT, replace_section  # noqa: E402
from search_bench import faiss_path, read_idx_images  # noqa: E402

K = 10
DATA = "/usr/share/datasets/fashion-mnist"


def build(workdir: str, base: np.ndarray) -> tuple[str, str]:
    """The two indexes timed here, as `search_bench.py` builds them (and shares them with it through `workdir`)."""
    os.makedirs(workdir, exist_ok=True)
    ivf_path = faiss_path(workdir, "IVF256,Flat")
    hnsw_path = os.path.join(workdir, "fmnist-hnsw-m16.hnsw")
    if not os.path.exists(ivf_path):
        index = faiss.index_factory(base.shape[1], "IVF256,Flat")
        index.train(base)
        index.add(base)
        faiss.write_index(index, ivf_path)
    if not os.path.exists(hnsw_path):
        index = hnswlib.Index(space="l2", dim=base.shape[1])
        index.init_index(max_elements=len(base), M=16, ef_construction=200, random_seed=100)
        index.add_items(base, np.arange(len(base)))
        index.save_index(hnsw_path)
    return ivf_path, hnsw_path


def command_seconds(pin: list[str], binary: str, index: str, queries: str, extra: list[str]) -> float:
    command = pin + [binary, "trace", index, "--vector", queries, "--k", str(K), "--no-exact", "--json", "--detail", "results"]
    start = time.perf_counter()
    subprocess.run(command + extra, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--pin", type=int, default=0, help="the core both sides run on (-1: do not pin)")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--workdir", default="/tmp/feder-bench")
    parser.add_argument("--out", default="BENCHMARKS.md")
    parser.add_argument("--binary", help="a release feder-report to time (default: build one with swift build -c release)")
    args = parser.parse_args()
    if args.pin >= 0:
        os.sched_setaffinity(0, {args.pin})
    pin = ["taskset", "-c", str(args.pin)] if args.pin >= 0 else []
    base = read_idx_images(f"{DATA}/train-images-idx3-ubyte.gz")
    test = read_idx_images(f"{DATA}/t10k-images-idx3-ubyte.gz")[: args.queries]
    ivf_path, hnsw_path = build(args.workdir, base)
    many = os.path.join(args.workdir, f"queries-{len(test)}.npy")
    one = os.path.join(args.workdir, "queries-1.npy")
    np.save(many, test)
    np.save(one, test[:1])
    binary = args.binary
    if binary is None:
        subprocess.run(["swift", "build", "-c", "release", "--product", "feder-report"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        binary = os.path.join(ROOT, ".build", "release", "feder-report")
    faiss.omp_set_num_threads(1)

    hnsw = hnswlib.Index(space="l2", dim=base.shape[1])
    hnsw.load_index(hnsw_path)
    hnsw.set_num_threads(1)
    ivf = faiss.read_index(ivf_path)

    def hnswlib_side(ef: int):
        hnsw.set_ef(ef)
        return lambda: [hnsw.knn_query(test[i:i + 1], k=K) for i in range(len(test))]

    def faiss_side(nprobe: int):
        ivf.nprobe = nprobe
        return lambda: [ivf.search(test[i:i + 1], K) for i in range(len(test))]

    cases = [
        ("hnswlib M=16", "ef 16", hnsw_path, ["--space", "l2", "--ef", "16"], lambda: hnswlib_side(16)),
        ("hnswlib M=16", "ef 64", hnsw_path, ["--space", "l2", "--ef", "64"], lambda: hnswlib_side(64)),
        ("faiss IVF256,Flat", "nprobe 8", ivf_path, ["--nprobe", "8"], lambda: faiss_side(8)),
        ("faiss IVF256,Flat", "nprobe 32", ivf_path, ["--nprobe", "32"], lambda: faiss_side(32)),
    ]
    rows = []
    for name, setting, path, extra, make in cases:
        library, command_many, command_one = [], [], []
        for _ in range(args.rounds):
            body = make()
            start = time.perf_counter()
            body()
            library.append((time.perf_counter() - start) / len(test))
            command_many.append(command_seconds(pin, binary, path, many, extra))
            command_one.append(command_seconds(pin, binary, path, one, extra))
        marginal = (min(command_many) - min(command_one)) / (len(test) - 1)
        rows.append((name, setting, min(library) * 1e3, marginal * 1e3, min(command_one) * 1e3))
        print(f"{name} {setting}: library {min(library) * 1e3:.3f} ms, command {marginal * 1e3:.3f} ms/query", file=sys.stderr)

    lines = [
        "## The trace command per query",
        "",
        f"Written by `Benchmarks/command_bench.py` on {time.strftime('%Y-%m-%d')}: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, faiss {faiss.__version__}, hnswlib 0.8.0. The whole `feder-report trace … --no-exact "
        f"--json --detail results` command over {len(test)} Fashion-MNIST queries, its marginal cost per query "
        "((time for all − time for one) / (all − 1): process start and opening the index left out), against the "
        "library's own search called once per query from Python; both pinned to one core, taking turns for "
        f"{args.rounds} rounds, each side's best round.",
        "",
        "| index | setting | library ms/query | command ms/query (marginal) | ratio | command with 1 query, ms |",
        "|---|---|---|---|---|---|",
    ]
    for name, setting, library_ms, command_ms, one_ms in rows:
        lines.append(f"| {name} | {setting} | {library_ms:.3f} | {command_ms:.3f} | {command_ms / library_ms:.2f}× | {one_ms:.1f} |")
    lines.append("")
    replace_section(args.out, lines)


if __name__ == "__main__":
    main()

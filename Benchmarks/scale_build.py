#!/usr/bin/env python3
"""Build the large cases of Benchmarks/scale_bench.py with the real faiss and hnswlib (cached in --workdir).

1M case (`--case 1m`): 1,000,000 × 128 clustered Gaussian vectors (2,000 centres), 1,000 queries from the same
mixture, a faiss IVF4096,Flat (trained on 200,000 rows, nprobe 16) and an hnswlib M 12, ef_construction 60
index (l2, two threads), and the job spec the benchmark renders.
10M case (`--case 10m`): 10,000,000 × 96 vectors from the same kind of mixture, written and added in chunks of
500,000 rows, and a faiss IVF4096,Flat (≈ 3.9 GB) trained on 200,000 rows; 100 queries.

    .venv/bin/python Benchmarks/scale_build.py --case 1m [--workdir /tmp/feder-scale]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

import faiss
import hnswlib


def mixture(rng: np.random.Generator, centres: np.ndarray, n: int) -> np.ndarray:
    picks = rng.integers(0, len(centres), n)
    return (centres[picks] + rng.normal(size=(n, centres.shape[1]))).astype(np.float32)


def build_1m(workdir: str) -> None:
    os.makedirs(workdir, exist_ok=True)
    base_path = os.path.join(workdir, "base.npy")
    rng = np.random.default_rng(2026)
    centres = (rng.normal(size=(2000, 128)) * 3).astype(np.float32)
    if not os.path.exists(base_path):
        base = mixture(rng, centres, 1_000_000)
        np.save(base_path, base)
        np.save(os.path.join(workdir, "queries.npy"), mixture(rng, centres, 1000))
    base = np.load(base_path, mmap_mode="r")
    ivf_path = os.path.join(workdir, "ivf4096.faiss")
    if not os.path.exists(ivf_path):
        started = time.time()
        index = faiss.index_factory(128, "IVF4096,Flat")
        sample = np.ascontiguousarray(base[np.random.default_rng(1).choice(len(base), 200_000, replace=False)])
        index.train(sample)
        for start in range(0, len(base), 200_000):
            index.add(np.ascontiguousarray(base[start:start + 200_000]))
        index.nprobe = 16
        faiss.write_index(index, ivf_path)
        print(f"IVF4096,Flat built in {time.time() - started:.0f} s")
    hnsw_path = os.path.join(workdir, "m12.hnsw")
    if not os.path.exists(hnsw_path):
        started = time.time()
        index = hnswlib.Index(space="l2", dim=128)
        index.init_index(max_elements=len(base), M=12, ef_construction=60, random_seed=1)
        index.set_num_threads(2)
        for start in range(0, len(base), 200_000):
            index.add_items(np.ascontiguousarray(base[start:start + 200_000]), np.arange(start, min(start + 200_000, len(base))))
        index.save_index(hnsw_path)
        print(f"hnswlib M12 built in {time.time() - started:.0f} s")
    spec = {
        "title": "1M × 128 clustered vectors: IVF4096,Flat vs hnswlib M 12, 1,000 queries",
        "indexes": {"ivf": {"file": "ivf4096.faiss"}, "hnsw": {"file": "m12.hnsw", "space": "l2"}},
        "queries": {"first": {"vector": "queries.npy", "row": 0}, "set": {"vector": "queries.npy"}},
        "params": {"k": 10, "nprobe": 16, "ef": 64},
        "comparisons": [
            {"title": "One query: IVF4096 (nprobe 16) vs hnswlib (ef 64)",
             "left": {"index": "ivf", "query": "first"}, "right": {"index": "hnsw", "query": "first"}},
            {"title": "IVF4096: nprobe 16 vs 64, 1,000 queries, nprobe sweep",
             "left": {"index": "ivf", "query": "set"}, "right": {"index": "ivf", "query": "set", "params": {"nprobe": 64}},
             "sweep": {"nprobe": [1, 2, 4, 8, 16, 32, 64]}},
            {"title": "hnswlib M 12: ef 16 vs 64, 1,000 queries, ef sweep",
             "left": {"index": "hnsw", "query": "set", "params": {"ef": 16}}, "right": {"index": "hnsw", "query": "set"},
             "sweep": {"ef": [10, 16, 32, 64, 128]}},
        ],
        "template": "compare",
    }
    with open(os.path.join(workdir, "scale.json"), "w") as handle:
        json.dump(spec, handle, indent=1)


def build_10m(workdir: str) -> None:
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, "ivf4096-10m.faiss")
    if os.path.exists(path):
        return
    rng = np.random.default_rng(10)
    centres = (rng.normal(size=(4000, 96)) * 3).astype(np.float32)
    np.save(os.path.join(workdir, "queries-10m.npy"), mixture(rng, centres, 100))
    started = time.time()
    index = faiss.index_factory(96, "IVF4096,Flat")
    index.train(mixture(rng, centres, 200_000))
    for _ in range(20):
        index.add(mixture(rng, centres, 500_000))
    index.nprobe = 16
    faiss.write_index(index, path)
    print(f"10M IVF4096,Flat built in {time.time() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=["1m", "10m"], default="1m")
    parser.add_argument("--workdir", default="/tmp/feder-scale")
    args = parser.parse_args()
    (build_1m if args.case == "1m" else build_10m)(args.workdir)


if __name__ == "__main__":
    main()

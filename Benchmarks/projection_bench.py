#!/usr/bin/env python3
"""Quality and speed of feder-report's projections against umap-learn and scikit-learn's TSNE, side by side.

Data: scikit-learn's bundled digits (1797 × 64) and a 10,000-image Fashion-MNIST subset (first 10k training
images, 784-d, Debian `dataset-fashion-mnist`). For each: umap-learn 0.5 (defaults, random_state=1; timed on
its second, warm run since the first compiles numba code), scikit-learn TSNE (defaults, random_state=1), and
`feder-report project --method umap|tsne` (release build, wall time of the whole command including reading
the file). Quality: sklearn.manifold.trustworthiness with 10 neighbours. Writes the section "Projections"
of BENCHMARKS.md (replaced when present).

Usage: .venv/bin/pip install umap-learn scikit-learn && .venv/bin/python Benchmarks/projection_bench.py [--skip-tsne-10k]
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fashion(count: int) -> np.ndarray:
    with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", "rb") as handle:
        raw = handle.read()
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 784)[:count].astype("float32")


def timed(body):
    start = time.perf_counter()
    value = body()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-tsne-10k", action="store_true", help="skip the slow t-SNE runs on 10k points")
    args = parser.parse_args()
    from sklearn.datasets import load_digits
    from sklearn.manifold import TSNE, trustworthiness
    import umap

    subprocess.run(["swift", "build", "-c", "release", "--product", "feder-report"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    binary = os.path.join(ROOT, ".build", "release", "feder-report")
    sets = [("digits 1797×64", load_digits().data.astype("float32")), ("Fashion-MNIST 10k×784", fashion(10_000))]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, data in sets:
            path = os.path.join(folder, "data.npy")
            np.save(path, data)
            for method in ("umap", "tsne"):
                if method == "tsne" and args.skip_tsne_10k and len(data) > 5000:
                    continue
                if method == "umap":
                    umap.UMAP(random_state=1).fit_transform(data)  # warm-up: numba compilation
                    reference, seconds = timed(lambda: umap.UMAP(random_state=1).fit_transform(data))
                    label = "umap-learn 0.5 (warm)"
                else:
                    reference, seconds = timed(lambda: TSNE(random_state=1).fit_transform(data))
                    label = "scikit-learn TSNE"
                out = os.path.join(folder, "out.npy")
                _, ours_seconds = timed(lambda: subprocess.run([binary, "project", path, "--method", method, "-o", out], check=True, capture_output=True))
                ours = np.load(out)
                rows.append((name, method, label, seconds, trustworthiness(data, reference, n_neighbors=10), ours_seconds,
                             trustworthiness(data, ours, n_neighbors=10)))
                print(rows[-1], file=sys.stderr)
    section = [
        "## Projections",
        "",
        f"Written by `Benchmarks/projection_bench.py`: {os.cpu_count()} cores; trustworthiness with 10 neighbours "
        "(sklearn.manifold.trustworthiness) of each 2-D embedding; wall seconds (feder-report: the whole "
        "`feder-report project` command, reading the file included).",
        "",
        "| data | method | reference | reference s | reference trust. | feder-report s | feder-report trust. | Δ trust. |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, method, label, seconds, trust, ours_seconds, ours_trust in rows:
        section.append(f"| {name} | {method} | {label} | {seconds:.2f} | {trust:.4f} | {ours_seconds:.2f} | {ours_trust:.4f} | "
                       f"{ours_trust - trust:+.4f} |")
    section.append("")
    path = os.path.join(ROOT, "BENCHMARKS.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
    text = re.sub(r"## Projections\n.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip() + "\n\n" + "\n".join(section)
    with open(path, "w") as handle:
        handle.write(text)
    print("\n".join(section))


if __name__ == "__main__":
    main()

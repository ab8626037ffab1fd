#!/usr/bin/env python3
"""Build the Fashion-MNIST example's indexes with the real libraries (too big to commit).

Reads Debian's `dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist: 60k training and 10k test images,
28x28, the ann-benchmarks `fashion-mnist-784-euclidean` data) and writes into data/ next to this script:

  raw-ivf.faiss / norm-ivf.faiss   faiss IndexIVFFlat, nlist 256, nprobe 8 saved (L2; norm = unit vectors)
  ivf1024-flat.faiss               IVF1024,Flat                        } the production comparison: float vectors,
  ivf1024-pq28.faiss               IVF1024,PQ28 (28 bytes a vector)    } PQ codes, and rotated codes re-scored by the
  opq28-ivf1024-pq28-rflat.faiss   OPQ28,IVF1024,PQ28,RFlat (k_factor 4) } flat vectors; nprobe 16 saved. PQ28, not
                                   PQ32: 784 dimensions split into 28 sub-vectors of 28, not into 32.
  base.npy                         the 60,000 raw vectors (the truth for the PQ index's codes)
  raw.hnsw / norm.hnsw             hnswlib space l2, M 16, ef_construction 100
  queries.npy / queries-norm.npy   the first 100 test images (raw and L2-normalised), float32
  images/*.png, media.tsv          thumbnails of the 100 queries' exact top-20 neighbours (labels in media.tsv)
  query-0.png                      the first query's picture

Deterministic (fixed seeds, one thread for faiss) except the three IVF1024 indexes, trained on every core. Rerunning skips the indexes that already exist.

    apt-get install -y dataset-fashion-mnist
    .venv/bin/python Examples/fashion-mnist/build.py
    swift run -c release feder-report Examples/fashion-mnist/compare.json -o fashion-mnist.pdf
"""

from __future__ import annotations

import gzip
import os
import struct
import sys
import zlib

import numpy as np

import faiss
import hnswlib

DATA = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data")
QUERIES = 100
TOP = 20


def read_images(name: str) -> np.ndarray:
    with gzip.open(os.path.join(DATA, name), "rb") as handle:
        raw = handle.read()
    count, rows, cols = struct.unpack(">III", raw[4:16])
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows * cols)


def write_png(path: str, pixels: np.ndarray, scale: int = 2) -> None:
    """A greyscale PNG (dark ink on white), enlarged by `scale`, without Pillow."""
    image = 255 - np.kron(pixels.reshape(28, 28), np.ones((scale, scale), dtype=np.uint8))
    height, width = image.shape
    rows = b"".join(b"\x00" + image[row].tobytes() for row in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as handle:
        handle.write(data)


def normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype("float32")


def build_ivf(path: str, base: np.ndarray) -> None:
    if os.path.exists(path):
        return
    print(f"building {os.path.basename(path)} …", file=sys.stderr)
    quantizer = faiss.IndexFlatL2(base.shape[1])
    index = faiss.IndexIVFFlat(quantizer, base.shape[1], 256)
    index.cp.seed = 1234
    index.train(base)
    index.add(base)
    index.nprobe = 8
    faiss.write_index(index, path)


def build_hnsw(path: str, base: np.ndarray) -> None:
    if os.path.exists(path):
        return
    print(f"building {os.path.basename(path)} …", file=sys.stderr)
    index = hnswlib.Index(space="l2", dim=base.shape[1])
    index.init_index(max_elements=len(base), M=16, ef_construction=100, random_seed=100)
    index.add_items(base, np.arange(len(base)), num_threads=1)
    index.save_index(path)


def build_factory(path: str, base: np.ndarray, factory: str, nprobe: int, k_factor: float = 1.0, coarse: str | None = None) -> None:
    """A factory-made index. `coarse` names an index file whose trained coarse quantizer is reused (the same lists
    for float vectors and PQ codes, and one k-means instead of two). OPQ trains 20 iterations on 20,000 rows
    rather than faiss's 50 on 65,536: a few minutes less, the same kind of rotation. Training runs on every core."""
    if os.path.exists(path):
        return
    print(f"building {os.path.basename(path)} ({factory}) …", file=sys.stderr)
    index = faiss.index_factory(base.shape[1], factory)
    ivf = faiss.extract_index_ivf(index)
    ivf.cp.seed = 1234
    if coarse is not None:
        source = faiss.read_index(coarse)  # kept alive while its quantizer is read
        trained = faiss.extract_index_ivf(source)
        ivf.quantizer.add(trained.quantizer.reconstruct_n(0, trained.nlist))
        ivf.quantizer.is_trained = True
    pre = faiss.try_extract_index_pretransform(index) if hasattr(faiss, "try_extract_index_pretransform") else None
    inner = faiss.downcast_index(index.base_index) if isinstance(index, faiss.IndexRefine) else index
    if isinstance(inner, faiss.IndexPreTransform):
        pre = inner
    if pre is not None:
        opq = faiss.downcast_VectorTransform(pre.chain.at(0))
        if isinstance(opq, faiss.OPQMatrix):
            opq.niter = 20
            opq.max_train_points = 20000
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    index.train(base)
    faiss.omp_set_num_threads(1)
    index.add(base)
    ivf.nprobe = nprobe
    if isinstance(index, faiss.IndexRefine):
        index.k_factor = k_factor
    faiss.write_index(index, path)


def main() -> None:
    faiss.omp_set_num_threads(1)
    os.makedirs(os.path.join(OUT, "images"), exist_ok=True)
    train = read_images("train-images-idx3-ubyte.gz")
    test = read_images("t10k-images-idx3-ubyte.gz")[:QUERIES]
    base = train.astype("float32")
    base_norm = normalised(base)
    queries = test.astype("float32")
    np.save(os.path.join(OUT, "queries.npy"), queries)
    np.save(os.path.join(OUT, "queries-norm.npy"), normalised(queries))
    build_ivf(os.path.join(OUT, "raw-ivf.faiss"), base)
    build_ivf(os.path.join(OUT, "norm-ivf.faiss"), base_norm)
    build_hnsw(os.path.join(OUT, "raw.hnsw"), base)
    build_hnsw(os.path.join(OUT, "norm.hnsw"), base_norm)
    if not os.path.exists(os.path.join(OUT, "base.npy")):
        np.save(os.path.join(OUT, "base.npy"), base)
    build_factory(os.path.join(OUT, "ivf1024-flat.faiss"), base, "IVF1024,Flat", 16)
    build_factory(
        os.path.join(OUT, "ivf1024-pq28.faiss"), base, "IVF1024,PQ28", 16, coarse=os.path.join(OUT, "ivf1024-flat.faiss"))
    build_factory(os.path.join(OUT, "opq28-ivf1024-pq28-rflat.faiss"), base, "OPQ28,IVF1024,PQ28,RFlat", 16, k_factor=4)

    # Thumbnails for every id the report can show: the queries' exact top-20 in both spaces.
    exact = faiss.IndexFlatL2(base.shape[1])
    exact.add(base)
    _, raw_ids = exact.search(queries, TOP)
    exact_norm = faiss.IndexFlatL2(base.shape[1])
    exact_norm.add(base_norm)
    _, norm_ids = exact_norm.search(normalised(queries), TOP)
    ids = sorted(set(raw_ids.ravel().tolist()) | set(norm_ids.ravel().tolist()))
    with open(os.path.join(OUT, "media.tsv"), "w") as handle:
        for label in ids:
            name = f"images/{label:05d}.png"
            write_png(os.path.join(OUT, name), train[label])
            handle.write(f"{label}\t{name}\n")
    write_png(os.path.join(OUT, "query-0.png"), test[0])
    print(f"wrote {OUT}: 7 indexes, {QUERIES} queries, {len(ids)} thumbnails", file=sys.stderr)


if __name__ == "__main__":
    main()

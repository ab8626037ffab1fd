"""The quantized part of the `digits` example: the same 1797 raw digit vectors as PQ codes.

Reads the raw vectors back from raw-ivf.faiss (an IndexIVFFlat keeps them as they are), so it needs only faiss,
and writes next to itself:

    base.npy                 the 1797 raw vectors, row i = id i (the spec's "vectors": the truth for the codes)
    raw-ivfpq.faiss          IVF32,PQ16 (L2, 8-bit codes of 4-float sub-vectors, by residual), nprobe 4
    raw-opq-rflat.faiss      OPQ16,IVF32,PQ16,RFlat: rotated before the IVF-PQ, the shortlist of 4·k re-scored
                             by the flat vectors (k_factor 4)

Deterministic (fixed seeds, one thread). generate.py calls it after writing the raw index; it also runs alone:

    .venv/bin/python Examples/digits/generate_quantized.py
"""

from pathlib import Path

import faiss
import numpy as np

OUT = Path(__file__).resolve().parent
NPROBE = 4
K_FACTOR = 4.0

faiss.omp_set_num_threads(1)


def raw_vectors():
    """The raw vectors by id, from the IVFFlat index's lists."""
    index = faiss.read_index(str(OUT / "raw-ivf.faiss"))
    ivf = faiss.extract_index_ivf(index)
    ivf.make_direct_map()
    return ivf.reconstruct_n(0, ivf.ntotal).astype(np.float32)


def seeded(index):
    """Fixed k-means seeds for the coarse quantizer and the product quantizer (and OPQ's)."""
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.cp.seed = 1234
        pq = getattr(faiss.downcast_index(ivf), "pq", None)
        if pq is not None:
            pq.cp.seed = 1234
    return index


def main():
    base = raw_vectors()
    np.save(OUT / "base.npy", np.ascontiguousarray(base))
    for name, factory in (("raw-ivfpq.faiss", "IVF32,PQ16"), ("raw-opq-rflat.faiss", "OPQ16,IVF32,PQ16,RFlat")):
        index = seeded(faiss.index_factory(base.shape[1], factory))
        index.train(base)
        index.add(base)
        faiss.extract_index_ivf(index).nprobe = NPROBE
        if isinstance(index, faiss.IndexRefine):
            index.k_factor = K_FACTOR
        faiss.write_index(index, str(OUT / name))
        print(f"wrote {name}: {factory}, {index.ntotal} vectors")


if __name__ == "__main__":
    main()

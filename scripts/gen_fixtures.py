#!/usr/bin/env python3
"""Generate Faiss and hnswlib index fixtures, with the libraries' own answers.

What it writes (into OUTDIR):
  * ``<name>.faiss`` files written by ``faiss.write_index`` (faiss-cpu 1.15.1),
    and two legacy IVFFlat files (``IvFl``/``IvFL``) crafted byte by byte from
    an ``IwFl`` file and accepted only after ``faiss.read_index`` reads them back
    and answers every recorded search exactly like the original;
  * ``<name>.hnsw`` files written by hnswlib's ``save_index`` (hnswlib 0.8.0);
  * ``<name>.queries.npy``: float32 (nq, d) C-order query rows, some of them
    copies of stored vectors;
  * ``manifest.json``: for every fixture, what the library sees in the file
    (``expect``) and the results of single-query searches made on the index
    read back from the file (ids, float32 distances and per-query search
    statistics where the library keeps them).

Two data tiers: "float" (random normal coordinates) and "integer" (small
integer coordinates in [-2, 2], so that distances are exact and ties are
frequent). Everything is deterministic for a given seed: numpy generators are
seeded per fixture family, faiss runs with one OpenMP thread, hnswlib uses a
fixed random_seed and num_threads=1.

How to run (from the repository root):
  scripts/setup_venv.sh                       # creates .venv if needed
  .venv/bin/python scripts/gen_fixtures.py Tests/Fixtures            # committed set, seed 1234
  .venv/bin/python scripts/gen_fixtures.py "$(mktemp -d)" --fresh    # CI: new random seed
  .venv/bin/python scripts/gen_fixtures.py OUTDIR --fresh --seed 99  # fresh set, given seed
  .venv/bin/python scripts/gen_fixtures.py Tests/Fixtures --answer   # the recorded searches, run here

``--fresh`` picks a random seed (unless ``--seed`` is given) and is meant for a
scratch directory; it also writes fixtures too big to commit (single queries of
d = 128,100, which faiss answers through BLAS). In every mode, files this
script owns (``*.faiss``, ``*.hnsw``, ``*.queries.npy``, ``manifest.json``)
that are already in OUTDIR are removed first, so the folder always matches its
manifest.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import struct
import sys
import zlib

import numpy as np

import faiss
import voyager
import hnswlib

DEFAULT_SEED = 1234
FLOAT_TIER = "float"
INT_TIER = "integer"
INT_LO, INT_HI = -2, 2          # integer tier coordinates
OWNED_SUFFIXES = (".faiss", ".hnsw", ".queries.npy", ".faissbin", ".bits.npy", ".voy")

# Search grids.
FLAT_KS = (1, 5, 10)            # plus n + 3
IVF_KS = (1, 5, 10)             # plus one k larger than any single list
HNSW_KS = (1, 5, 10)
HNSW_EFS = (8, 16, 64)          # plus the saved efSearch
HNSWLIB_KS = (1, 5, 10)
HNSWLIB_EFS = (10, 16, 64)

DIRECT_MAP_NAMES = {0: "none", 1: "array", 2: "hashtable"}

# One query of this many dimensions reaches faiss's distance_compute_blas_threshold (128,000); 128,100 also
# leaves OpenBLAS a last stretch of terms between GEMM_Q and 2 GEMM_Q, which its drivers split in two.
BLAS_DIM = 128_100


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------

def f32(x) -> float:
    """A float32 value as a Python float (exact; JSON repr round-trips)."""
    v = float(np.float32(x))
    if not np.isfinite(v):
        raise ValueError(f"non-finite distance {x!r} cannot go into JSON")
    return v


def padding_k(list_sizes):
    """A k larger than any single inverted list (so nprobe=1 pads with -1)."""
    return max(max(list_sizes) + 3, max(IVF_KS) + 2)


def float_data(rng, n, d):
    return rng.standard_normal((n, d)).astype(np.float32)


def int_data(rng, n, d):
    return rng.integers(INT_LO, INT_HI + 1, size=(n, d)).astype(np.float32)


def make_queries(rng, xb, tier, nq_new=3, nq_copy=2, copy_rows=None):
    """nq_new fresh rows from the tier's distribution plus copies of stored rows."""
    d = xb.shape[1]
    fresh = int_data(rng, nq_new, d) if tier == INT_TIER else float_data(rng, nq_new, d)
    if copy_rows is None:
        copy_rows = rng.choice(xb.shape[0], size=min(nq_copy, xb.shape[0]), replace=False)
    copies = xb[np.asarray(copy_rows, dtype=np.int64)] if len(copy_rows) else np.zeros((0, d), np.float32)
    q = np.concatenate([fresh, copies]).astype(np.float32)
    return np.ascontiguousarray(q)


def unique_ids(rng, n, big=10**12):
    """n distinct non-contiguous int64 ids, a few of them around `big`, shuffled."""
    small = rng.choice(np.arange(3, 100 * n, 7), size=n - n // 5, replace=False)
    large = big + rng.choice(10**6, size=n // 5, replace=False) * 13
    ids = np.concatenate([small, large]).astype(np.int64)
    assert len(np.unique(ids)) == n
    rng.shuffle(ids)
    return ids


class Generator:
    def __init__(self, outdir: str, seed: int, fresh: bool = False):
        self.outdir = outdir
        self.seed = seed
        self.fresh = fresh
        self.fixtures = []
        self.binary = []
        self.voyager = []

    # -- bookkeeping -------------------------------------------------------

    def rng(self, family: str):
        """A generator seeded by (seed, family), so families are independent."""
        return np.random.default_rng([self.seed, zlib.crc32(family.encode())])

    def path(self, fname):
        return os.path.join(self.outdir, fname)

    def save_queries(self, name, q):
        fname = f"{name}.queries.npy"
        assert q.dtype == np.float32 and q.flags["C_CONTIGUOUS"] and q.ndim == 2
        np.save(self.path(fname), q)
        return fname

    def add_fixture(self, **fx):
        assert fx["name"] not in {f["name"] for f in self.fixtures}, fx["name"]
        self.fixtures.append(fx)

    # -- faiss: writing, describing, searching -----------------------------

    def write_faiss(self, name, index):
        fname = f"{name}.faiss"
        faiss.write_index(index, self.path(fname))
        return fname

    def faiss_expect(self, blob: bytes, offset: int, index) -> dict:
        """The library's view of the (sub-)index serialized at blob[offset:]."""
        index = faiss.downcast_index(index)
        ex = {
            "format": "faiss",
            "type": faiss_code(index) if offset is None else blob[offset:offset + 4].decode("ascii"),
            "dim": int(index.d),
            "count": int(index.ntotal),
            "metric": metric_name(index.metric_type),
        }
        if isinstance(index, (faiss.IndexIDMap, faiss.IndexIDMap2)):
            # header: fourcc(4) d(4) ntotal(8) dummy(8) dummy(8) is_trained(1) metric(4)
            assert index.metric_type in (0, 1), "metric_arg would shift the inner offset"
            inner_off = offset + 4 + 33
            ex["inner"] = self.faiss_expect(blob, inner_off, index.index)
            ids = faiss.vector_to_array(index.id_map).astype(np.int64)
            ex["ids"] = [int(i) for i in (ids if len(ids) <= 50 else ids[:20])]
        elif isinstance(index, faiss.IndexIVF):
            ex.update(ivf_expect(blob, offset or 0, index))
        elif isinstance(index, faiss.IndexHNSW):
            ex.update(faiss_hnsw_expect(index))
            storage = faiss.downcast_index(index.storage)
            if not isinstance(storage, faiss.IndexFlat):
                ex["inner"] = self.faiss_expect(blob, None, storage)
        elif isinstance(index, faiss.IndexPQFastScan):
            ex["pq"] = {"M": int(index.pq.M), "nbits": int(index.pq.nbits)}
            ex["codeSize"] = int(index.pq.code_size)
            ex["fastScanBlock"] = int(index.bbs)
        elif isinstance(index, faiss.IndexPQ):
            ex["pq"] = {"M": int(index.pq.M), "nbits": int(index.pq.nbits)}
            ex["codeSize"] = int(index.pq.code_size)
        elif isinstance(index, faiss.IndexScalarQuantizer):
            ex["sqType"] = int(index.sq.qtype)
            ex["codeSize"] = int(index.sq.code_size)
        elif isinstance(index, faiss.IndexPreTransform):
            ex["transformCount"] = int(index.chain.size())
            ex["inner"] = self.faiss_expect(blob, None, index.index)
        elif isinstance(index, faiss.IndexRefine):
            ex["kFactor"] = f32(index.k_factor)
            ex["base"] = self.faiss_expect(blob, None, index.base_index)
            ex["inner"] = self.faiss_expect(blob, None, index.refine_index)
        return ex

    @staticmethod
    def faiss_searches(index, queries, grid):
        """grid: list of (k, nprobe|None, ef|None). One query row per call."""
        index = faiss.downcast_index(index)
        ivf = faiss.try_extract_index_ivf(index)
        hnsw_index = find_hnsw(index)
        out = []
        for k, nprobe, ef in grid:
            if nprobe is not None:
                ivf.nprobe = nprobe
            if ef is not None:
                hnsw_index.hnsw.efSearch = ef
            results, stats = [], []
            for row in queries:
                faiss.cvar.indexIVF_stats.reset()
                faiss.cvar.hnsw_stats.reset()
                D, I = index.search(row[None, :], k)
                results.append({"ids": [int(i) for i in I[0]],
                                "distances": [f32(x) for x in D[0]]})
                if ivf is not None:
                    s = faiss.cvar.indexIVF_stats
                    entry = {"ndis": int(s.ndis), "nlist": int(s.nlist)}
                    if isinstance(faiss.downcast_index(ivf.quantizer), faiss.IndexHNSW):
                        # the coarse quantizer's own graph search
                        h = faiss.cvar.hnsw_stats
                        entry.update({"coarse_ndis": int(h.ndis), "coarse_nhops": int(h.nhops)})
                    stats.append(entry)
                elif hnsw_index is not None:
                    s = faiss.cvar.hnsw_stats
                    stats.append({"ndis": int(s.ndis), "nhops": int(s.nhops),
                                  "n1": int(s.n1), "n2": int(s.n2)})
                else:
                    stats.append(None)
            out.append({"k": int(k), "nprobe": nprobe, "ef": ef,
                        "results": results, "stats": stats})
        return out

    def faiss_fixture(self, name, index, queries, tier, notes, grid_fn):
        """Write `index`, read it back, describe it and record searches on it."""
        fname = self.write_faiss(name, index)
        blob = open(self.path(fname), "rb").read()
        back = faiss.read_index(self.path(fname))
        expect = self.faiss_expect(blob, 0, back)
        searches = self.faiss_searches(back, queries, grid_fn(back))
        self.add_fixture(name=name, file=fname, format="faiss", tier=tier,
                         notes=notes, expect=expect,
                         queries=self.save_queries(name, queries),
                         searches=searches)
        return back

    # -- hnswlib: writing, describing, searching ---------------------------

    def hnswlib_fixture(self, name, space, data, labels, max_elements, tier,
                        notes, queries, M=8, ef_construction=40, deleted=()):
        d = data.shape[1]
        p = hnswlib.Index(space=space, dim=d)
        p.init_index(max_elements=max_elements, M=M, ef_construction=ef_construction,
                     random_seed=(self.seed + zlib.crc32(name.encode())) % 2**31)
        p.set_num_threads(1)
        if len(data):
            p.add_items(data, np.asarray(labels, dtype=np.uint64), num_threads=1)
        for lab in deleted:
            p.mark_deleted(int(lab))
        fname = f"{name}.hnsw"
        p.save_index(self.path(fname))

        st = p.__getstate__()[0]
        expect = hnswlib_expect(st, space, self.path(fname), n_deleted_expected=len(deleted))

        back = hnswlib.Index(space=space, dim=d)
        back.load_index(self.path(fname))
        back.set_num_threads(1)
        st_back = back.__getstate__()[0]
        for key in ("cur_element_count", "max_level", "enterpoint_node", "M",
                    "max_M0", "ef_construction", "size_data_per_element", "label_offset"):
            assert st_back[key] == st[key], (name, key, st_back[key], st[key])
        count = st["cur_element_count"]
        assert np.array_equal(st_back["element_levels"][:count], st["element_levels"][:count])
        if st_back["max_elements"] != st["max_elements"]:
            notes += (f" On load hnswlib 0.8.0 reports max_elements={st_back['max_elements']}"
                      f" although the file records {st['max_elements']} (load_index keeps the"
                      f" file's value only when cur_element_count > 0).")

        searches = hnswlib_searches(back, queries, [(ef, k) for ef in HNSWLIB_EFS for k in HNSWLIB_KS])
        self.add_fixture(name=name, file=fname, format="hnswlib", space=space,
                         tier=tier, notes=notes, expect=expect,
                         queries=self.save_queries(name, queries), searches=searches)

    # ======================================================================
    # fixture families
    # ======================================================================

    def gen_flat(self):
        """IndexFlatL2 (IxF2) and IndexFlatIP (IxFI), float and integer tiers."""
        for tier, n, d in ((FLOAT_TIER, 200, 8), (INT_TIER, 150, 6)):
            for metric, cls in (("l2", faiss.IndexFlatL2), ("ip", faiss.IndexFlatIP)):
                rng = self.rng(f"flat-{tier}-{metric}")
                xb = int_data(rng, n, d) if tier == INT_TIER else float_data(rng, n, d)
                index = cls(d)
                index.add(xb)
                q = make_queries(rng, xb, tier)
                name = f"flat_{metric}_{'int' if tier == INT_TIER else 'float'}"
                self.faiss_fixture(
                    name, index, q, tier,
                    f"IndexFlat{metric.upper()} n={n} d={d}; k=n+3 pads with id -1 and "
                    f"{'+' if metric == 'l2' else '-'}FLT_MAX.",
                    lambda idx: [(k, None, None) for k in FLAT_KS + (idx.ntotal + 3,)])

    def gen_ivf_flat(self):
        """IndexIVFFlat: full/sprs layouts, empty lists, ids, direct maps, IP, integers."""

        def grid(idx):
            ivf = faiss.extract_index_ivf(idx)
            sizes = [ivf.invlists.list_size(i) for i in range(ivf.nlist)]
            nprobes = sorted({1, int(ivf.nprobe), int(ivf.nlist)})
            g = [(k, p, None) for p in nprobes for k in IVF_KS]
            g.append((padding_k(sizes), 1, None))   # more than one list holds: padding
            return g

        def build(metric, d, nlist, xt, xb=None, ids=None, nprobe=3):
            quant = faiss.IndexFlatL2(d) if metric == "l2" else faiss.IndexFlatIP(d)
            mt = faiss.METRIC_L2 if metric == "l2" else faiss.METRIC_INNER_PRODUCT
            index = faiss.IndexIVFFlat(quant, d, nlist, mt)
            index.train(xt)
            xb = xt if xb is None else xb
            if ids is None:
                index.add(xb)
            else:
                index.add_with_ids(xb, ids)
            index.nprobe = nprobe
            return index

        # 1. L2 and IP, full layout, no direct map, saved nprobe 3
        for metric in ("l2", "ip"):
            rng = self.rng(f"ivf-{metric}-full")
            xb = float_data(rng, 500, 16)
            index = build(metric, 16, 16, xb)
            self.faiss_fixture(
                f"ivf_flat_{metric}_full", index, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
                f"IndexIVFFlat {metric.upper()} n=500 d=16 nlist=16, saved nprobe=3, "
                "full invlists, no direct map.", grid)
            self.check_layout(f"ivf_flat_{metric}_full", "full")

        # 2. sprs layout: nlist 64, only 12 vectors added
        rng = self.rng("ivf-sprs")
        xt = float_data(rng, 64 * 12, 8)
        xb = float_data(rng, 12, 8)
        index = build("l2", 8, 64, xt, xb=xb, nprobe=5)
        self.faiss_fixture(
            "ivf_flat_l2_sprs", index, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
            "IndexIVFFlat L2 d=8 nlist=64 trained on 768 points, 12 vectors added: at most "
            "12 non-empty lists <= nlist/2, so the invlists are written 'sprs' "
            "(pairs list_no, size). Saved nprobe=5.", grid)
        self.check_layout("ivf_flat_l2_sprs", "sprs")

        # 3./4. exactly nlist/2 non-empty lists (-> sprs) and nlist/2 + 1 (-> full)
        for n_lists, layout in ((8, "sprs"), (9, "full")):
            rng = self.rng(f"ivf-boundary-{n_lists}")
            xt = float_data(rng, 600, 8)
            probe = build("l2", 8, 16, xt, xb=xt[:0])
            pool = float_data(rng, 1200, 8)
            _, assign = probe.quantizer.search(pool, 1)
            assign = assign[:, 0]
            counts = np.bincount(assign, minlength=16)
            chosen = np.argsort(-counts, kind="stable")[:n_lists]
            rows = np.concatenate([np.flatnonzero(assign == c)[:12] for c in sorted(chosen)])
            xb = pool[np.sort(rows)]
            index = build("l2", 8, 16, xt, xb=xb)
            name = ("ivf_flat_l2_sprs_boundary" if layout == "sprs"
                    else "ivf_flat_l2_full_empty_lists")
            self.faiss_fixture(
                name, index, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
                f"IndexIVFFlat L2 d=8 nlist=16 with exactly {n_lists} non-empty lists: faiss "
                f"writes 'full' only when more than nlist/2 lists are non-empty, so this is "
                f"'{layout}'" + (" with 7 empty lists in the sizes array." if layout == "full"
                                 else " (the boundary case)."), grid)
            self.check_layout(name, layout)

        # 5. add_with_ids (non-contiguous, some ~1e12), no direct map / hashtable
        for dm in ("none", "hashtable"):
            rng = self.rng(f"ivf-ids-{dm}")
            xb = float_data(rng, 300, 8)
            ids = unique_ids(rng, 300)
            index = build("l2", 8, 8, xb, ids=ids)
            if dm == "hashtable":
                index.set_direct_map_type(faiss.DirectMap.Hashtable)
            name = "ivf_flat_l2_ids" if dm == "none" else "ivf_flat_l2_ids_hashtable"
            self.faiss_fixture(
                name, index, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
                f"IndexIVFFlat L2 n=300 d=8 nlist=8, add_with_ids with non-contiguous int64 ids "
                f"(a fifth of them near 1e12), direct map {dm}.", grid)

        # 6. direct map array (sequential ids)
        rng = self.rng("ivf-dm-array")
        xb = float_data(rng, 300, 8)
        index = build("l2", 8, 8, xb)
        index.make_direct_map()
        self.faiss_fixture(
            "ivf_flat_l2_directmap_array", index, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
            "IndexIVFFlat L2 n=300 d=8 nlist=8 after make_direct_map(): direct map 'array' "
            "(one packed list_no<<32|offset per id).", grid)

        # 7. integer tier L2 and IP
        for metric in ("l2", "ip"):
            rng = self.rng(f"ivf-int-{metric}")
            xb = int_data(rng, 400, 8)
            index = build(metric, 8, 8, xb, nprobe=3)
            self.faiss_fixture(
                f"ivf_flat_{metric}_int", index, make_queries(rng, xb, INT_TIER), INT_TIER,
                f"IndexIVFFlat {metric.upper()} n=400 d=8 nlist=8 on integer coordinates in "
                "[-2,2]: many duplicate vectors and exact distance ties.", grid)

        # 8. a coarse quantizer whose metric is not the index's: faiss ranks the lists by inner product
        #    (the quantizer's search) and scans them by L2 (the index's)
        rng = self.rng("ivf-ip-quantizer")
        xb = float_data(rng, 400, 16)
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(16), 16, 12, faiss.METRIC_L2)
        index.train(xb)
        index.add(xb)
        index.nprobe = 3
        self.faiss_fixture(
            "ivf_flat_l2_ip_quantizer", index, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
            "IndexIVFFlat(IndexFlatIP(16), 16, 12, METRIC_L2): lists ranked by the quantizer's inner "
            "product, vectors scored by L2. Saved nprobe=3.", grid)

    def gen_ivf_legacy(self):
        """Legacy IvFl / IvFL files crafted from an IwFl file, verified by faiss.read_index."""
        rng = self.rng("ivf-legacy")
        d, nlist = 8, 8
        xb = float_data(rng, 120, d)
        quant = faiss.IndexFlatL2(d)
        index = faiss.IndexIVFFlat(quant, d, nlist)
        index.train(xb)
        index.add(xb)
        index.nprobe = 3
        blob = faiss.serialize_index(index).tobytes()
        assert blob[:4] == b"IwFl"
        q = make_queries(rng, xb, FLOAT_TIER)

        # IwFl = 'IwFl' header nlist nprobe quantizer | direct_map | ilar ... lists
        marker = b"ilar" + struct.pack("<QQ", nlist, d * 4)
        ilar = blob.index(marker)
        dm_none = b"\x00" + struct.pack("<Q", 0)   # type 0, empty array
        assert blob[ilar - len(dm_none):ilar] == dm_none
        prefix = blob[4:ilar - len(dm_none)]       # header, nlist, nprobe, quantizer

        # parse the 'ilar' block written by faiss: layout, sizes, then per
        # non-empty list its codes (n * code_size bytes) and ids (n int64)
        pos = ilar + len(marker)
        layout = blob[pos:pos + 4]
        pos += 4
        (nsz,) = struct.unpack_from("<Q", blob, pos)
        pos += 8
        raw_sizes = struct.unpack_from(f"<{nsz}Q", blob, pos)
        pos += 8 * nsz
        sizes = [0] * nlist
        if layout == b"full":
            sizes = list(raw_sizes)
        else:
            for list_no, n in zip(raw_sizes[0::2], raw_sizes[1::2]):
                sizes[list_no] = n
        lists = []
        for n in sizes:
            codes = blob[pos:pos + n * d * 4]
            pos += n * d * 4
            ids = blob[pos:pos + n * 8]
            pos += n * 8
            lists.append((ids, codes))
        assert pos == len(blob), (pos, len(blob))

        def vec(count, payload):
            return struct.pack("<Q", count) + payload

        ids_part = b"".join(vec(len(ids) // 8, ids) for ids, _ in lists)
        variants = {
            # IvFL: codes as a byte vector (size in bytes)
            "IvFL": b"".join(vec(len(c), c) for _, c in lists),
            # IvFl: codes as a float vector (size in floats)
            "IvFl": b"".join(vec(len(c) // 4, c) for _, c in lists),
        }
        grid = ([(k, p, None) for p in (1, 3, nlist) for k in IVF_KS]
                + [(padding_k(sizes), 1, None)])
        reference = self.faiss_searches(index, q, grid)
        for code, lists_part in variants.items():
            name = f"ivf_flat_l2_legacy_{code}"
            fname = f"{name}.faiss"
            data = code.encode() + prefix + ids_part + dm_none + lists_part
            with open(self.path(fname), "wb") as fh:
                fh.write(data)
            try:
                back = faiss.read_index(self.path(fname))
            except RuntimeError as e:  # pragma: no cover - depends on faiss build
                os.remove(self.path(fname))
                print(f"  faiss refused legacy {code}: {e}; skipped", file=sys.stderr)
                continue
            expect = self.faiss_expect(data, 0, back)   # before searches change nprobe
            assert "invlistsLayout" not in expect
            searches = self.faiss_searches(back, q, grid)
            assert searches == reference, f"legacy {code} answers differ from IwFl"
            self.add_fixture(
                name=name, file=fname, format="faiss", tier=FLOAT_TIER,
                notes=(f"Legacy '{code}' IVFFlat (ids of every list after the quantizer, then "
                       f"the direct map, then each list's codes as a "
                       f"{'byte' if code == 'IvFL' else 'float'} vector with its own length "
                       f"prefix). Crafted by this script from an IwFl index (n=120 d=8 nlist=8 "
                       f"nprobe=3); faiss 1.15.1 read_index accepts it and returns exactly the "
                       f"IwFl answers. No 'ilar' block, so no invlistsLayout."),
                expect=expect, queries=self.save_queries(name, q), searches=searches)

    def gen_ivf_quantized(self):
        """IndexIVFPQ (IwPQ) and IndexIVFScalarQuantizer QT_8bit (IwSq)."""
        d, nlist = 16, 8

        def grid(idx):
            ivf = faiss.extract_index_ivf(idx)
            sizes = [ivf.invlists.list_size(i) for i in range(ivf.nlist)]
            g = [(k, p, None) for p in sorted({1, int(ivf.nprobe), nlist}) for k in IVF_KS]
            return g + [(padding_k(sizes), 1, None)]

        rng = self.rng("ivf-pq")
        xb = float_data(rng, 600, d)
        quant = faiss.IndexFlatL2(d)
        index = faiss.IndexIVFPQ(quant, d, nlist, 4, 8)
        index.train(xb)
        index.add(xb)
        index.nprobe = 3
        self.faiss_fixture(
            "ivf_pq_l2", index, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
            "IndexIVFPQ L2 n=600 d=16 nlist=8 M=4 nbits=8, by_residual, saved nprobe=3. "
            "Inspect-only for now; answers are faiss's approximate (PQ) distances.", grid)

        rng = self.rng("ivf-sq8")
        xb = float_data(rng, 400, d)
        quant = faiss.IndexFlatL2(d)
        index = faiss.IndexIVFScalarQuantizer(quant, d, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_L2)
        index.train(xb)
        index.add(xb)
        index.nprobe = 3
        self.faiss_fixture(
            "ivf_sq8_l2", index, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
            "IndexIVFScalarQuantizer QT_8bit L2 n=400 d=16 nlist=8, by_residual, saved "
            "nprobe=3. Inspect-only for now; answers use the decoded 8-bit codes.", grid)

    def gen_quantized_kinds(self):
        """The quantized and composite kinds faiss's factory makes: IndexPQ, IndexScalarQuantizer (several
        qtypes), fast scan (flat and IVF), HNSW over PQ / SQ storage, pre-transforms (OPQ, PCA, L2 norm, random
        rotation) and refine wrappers."""
        d = 16

        # k 25 and 100 take other result handlers (fast scan's reservoir above 20, faiss's flat reservoir from 100).
        def flat_grid(idx):
            return [(k, None, None) for k in FLAT_KS + (25, 100)]

        def ivf_grid(idx):
            ivf = faiss.extract_index_ivf(idx)
            probes = {1, int(ivf.nprobe), int(ivf.nlist)}
            if isinstance(ivf, faiss.IndexIVFPQFastScan):
                probes.add(int(ivf.nlist) + 2)  # fast scan keeps probes past nlist as −1 entries
            return [(k, p, None) for p in sorted(probes) for k in IVF_KS + (25, 100)]

        def hnsw_grid(idx):
            return [(k, None, ef) for ef in (8, 32) for k in HNSW_KS]

        rng = self.rng("quantized-kinds")
        xb = float_data(rng, 800, d)
        xi = int_data(rng, 600, d)
        kinds = [
            ("pq_l2", "PQ4", faiss.METRIC_L2, xb, FLOAT_TIER, flat_grid),
            ("pq_ip_nbits6", "PQ4x6", faiss.METRIC_INNER_PRODUCT, xb, FLOAT_TIER, flat_grid),
            ("sq8_l2", "SQ8", faiss.METRIC_L2, xb, FLOAT_TIER, flat_grid),
            ("sq4_ip", "SQ4", faiss.METRIC_INNER_PRODUCT, xb, FLOAT_TIER, flat_grid),
            ("sqfp16_l2", "SQfp16", faiss.METRIC_L2, xb, FLOAT_TIER, flat_grid),
            ("sq8_l2_int", "SQ8", faiss.METRIC_L2, xi, INT_TIER, flat_grid),
            ("pqfs_l2", "PQ4x4fs", faiss.METRIC_L2, xb, FLOAT_TIER, flat_grid),
            ("ivf_pqfs_l2", "IVF8,PQ4x4fs", faiss.METRIC_L2, xb, FLOAT_TIER, ivf_grid),
            ("ivf_pqfs_res_l2", "IVF8,PQ8x4fs", faiss.METRIC_L2, xb, FLOAT_TIER, ivf_grid),
            ("ivf_pqfs_res_ip", "IVF8,PQ4x4fs", faiss.METRIC_INNER_PRODUCT, xb, FLOAT_TIER, ivf_grid),
            ("pqfs_ip_int", "PQ8x4fs", faiss.METRIC_INNER_PRODUCT, xi, INT_TIER, flat_grid),
            ("ivf_sq6_ip", "IVF8,SQ6", faiss.METRIC_INNER_PRODUCT, xb, FLOAT_TIER, ivf_grid),
            ("hnsw_sq8_l2", "HNSW8,SQ8", faiss.METRIC_L2, xb, FLOAT_TIER, hnsw_grid),
            ("hnsw_pq_l2", "HNSW8,PQ4", faiss.METRIC_L2, xb, FLOAT_TIER, hnsw_grid),
            ("opq_ivf_pq_l2", "OPQ4,IVF8,PQ4", faiss.METRIC_L2, xb, FLOAT_TIER, ivf_grid),
            ("pca_flat_l2", "PCA8,Flat", faiss.METRIC_L2, xb, FLOAT_TIER, flat_grid),
            ("l2norm_flat_ip", "L2norm,Flat", faiss.METRIC_INNER_PRODUCT, xb, FLOAT_TIER, flat_grid),
            ("rr_flat_l2", "RR16,Flat", faiss.METRIC_L2, xb, FLOAT_TIER, flat_grid),
            ("ivf_pq_rflat_l2", "IVF8,PQ4,RFlat", faiss.METRIC_L2, xb, FLOAT_TIER, ivf_grid),
            ("pq_refine_sqfp16_l2", "PQ4,Refine(SQfp16)", faiss.METRIC_L2, xb, FLOAT_TIER, flat_grid),
        ]
        for name, factory, metric, data, tier, grid in kinds:
            index = faiss.index_factory(d, factory, metric)
            if "_res_" in name:
                faiss.extract_index_ivf(index).by_residual = True
            index.train(data)
            index.add(data)
            ivf = faiss.try_extract_index_ivf(index)
            if ivf is not None:
                ivf.nprobe = 3
            self.faiss_fixture(
                name, index, make_queries(rng, data, tier), tier,
                f"index_factory({d}, '{factory}', {metric_name(metric)}) over {len(data)} {tier} vectors. "
                "Inspect-only for now; answers are faiss's own (quantized) distances.", grid)

    def gen_quantized_paths(self):
        """The code paths inside PQ and SQ searches that sum in their own order: IVFPQ by table kind (precomputed,
        per-list residual tables when the quantizer is not L2, inner product, no residual), sub-quantizer counts
        of 16 (SIMD lanes), codes of 3 and 6 bits (the table kernels' leftover rows), the batched tables of
        IndexPQ (2-float sub-vectors, BLAS from 16), HNSW over PQ with inner product; SQ types whose kernels
        differ per level (uniform types' predecoded query, bf16, the integer kernels of the direct types, 6-bit
        packing) at dimensions that select each level's code; refine with k_factor above 1."""
        rng = self.rng("quantized-paths")

        def flat_grid(idx):
            return [(k, None, None) for k in FLAT_KS + (25, 100)]

        def ivf_grid(idx):
            ivf = faiss.extract_index_ivf(idx)
            return [(k, p, None) for p in sorted({1, int(ivf.nprobe), int(ivf.nlist)}) for k in IVF_KS + (25,)]

        def hnsw_grid(idx):
            return [(k, None, ef) for ef in (8, 32) for k in HNSW_KS + (25,)]

        L2, IP = faiss.METRIC_L2, faiss.METRIC_INNER_PRODUCT
        x16 = float_data(rng, 800, 16)
        x24 = float_data(rng, 600, 24)
        x64 = float_data(rng, 600, 64)
        x20 = float_data(rng, 700, 20)
        # The direct types store integers as they are: bytes, and signed bytes shifted by 128.
        direct = rng.integers(0, 256, size=(600, 64)).astype(np.float32)
        signed = rng.integers(-128, 128, size=(600, 64)).astype(np.float32)

        def ivf_pq_on(quantizer, d, nlist, m, nbits, metric):
            return faiss.IndexIVFPQ(quantizer, d, nlist, m, nbits, metric)

        def ivf_pq_without_residuals():
            index = faiss.index_factory(16, "IVF8,PQ4", L2)
            faiss.extract_index_ivf(index).by_residual = False
            return index

        def hnsw_pq_ip():
            return faiss.IndexHNSWPQ(16, 4, 8, 8, IP)

        def sq(d, qtype, metric):
            return faiss.IndexScalarQuantizer(d, qtype, metric)

        def ivf_sq(d, qtype, metric, nlist=8):
            quantizer = faiss.IndexFlat(d, metric)
            return faiss.IndexIVFScalarQuantizer(quantizer, d, nlist, qtype, metric, True)

        def hnsw_sq(d, qtype, metric):
            return faiss.IndexHNSWSQ(d, qtype, 8, metric)

        Q = faiss.ScalarQuantizer
        cases = [
            # IVFPQ
            ("ivfpq_ip", lambda: faiss.index_factory(16, "IVF8,PQ4", IP), x16, ivf_grid),
            ("ivfpq_nores_l2", ivf_pq_without_residuals, x16, ivf_grid),
            ("ivfpq_ipquantizer_l2", lambda: ivf_pq_on(faiss.IndexFlatIP(16), 16, 8, 4, 8, L2), x16, ivf_grid),
            ("ivfpq_m16_l2", lambda: faiss.index_factory(16, "IVF8,PQ16", L2), x16, ivf_grid),
            ("ivfpq_nbits3_l2", lambda: faiss.index_factory(16, "IVF8,PQ4x3", L2), x16, ivf_grid),
            ("ivfpq_nbits6_ip", lambda: faiss.index_factory(16, "IVF8,PQ8x6", IP), x16, ivf_grid),
            # IndexPQ: 2-float sub-vectors below 8 bits, BLAS from 16 floats, 16 sub-quantizers of 8 bits.
            ("pq_dsub2_l2", lambda: faiss.index_factory(16, "PQ8x6", L2), x16, flat_grid),
            ("pq_dsub16_l2", lambda: faiss.index_factory(16, "PQ1", L2), x16, flat_grid),
            ("pq_dsub16_ip", lambda: faiss.index_factory(16, "PQ1", IP), x16, flat_grid),
            ("pq_m16_ip", lambda: faiss.index_factory(16, "PQ16", IP), x16, flat_grid),
            ("hnsw_pq_ip", hnsw_pq_ip, x16, hnsw_grid),
            # Fast scan with an odd number of sub-quantizer pairs (M 6 and 10: the last pair alone).
            ("pqfs_m6_l2", lambda: faiss.index_factory(24, "PQ6x4fs", L2), x24, flat_grid),
            ("ivf_pqfs_m10_ip", lambda: faiss.index_factory(20, "IVF8,PQ10x4fs", IP), x20, ivf_grid),
            # SQ, flat: every level's code at d 64 (d % 64 == 0), AVX2's at d 24, NONE's at d 20.
            ("sq8u_l2_d64", lambda: sq(64, Q.QT_8bit_uniform, L2), x64, flat_grid),
            ("sq4u_ip_d64", lambda: sq(64, Q.QT_4bit_uniform, IP), x64, flat_grid),
            ("sq6_l2_d64", lambda: sq(64, Q.QT_6bit, L2), x64, flat_grid),
            ("sqbf16_l2_d64", lambda: sq(64, Q.QT_bf16, L2), x64, flat_grid),
            ("sqbf16_ip_d16", lambda: sq(16, Q.QT_bf16, IP), x16, flat_grid),
            ("sqfp16_ip_d64", lambda: sq(64, Q.QT_fp16, IP), x64, flat_grid),
            ("sq8direct_l2_d64", lambda: sq(64, Q.QT_8bit_direct, L2), direct, flat_grid),
            ("sq8direct_ip_d64", lambda: sq(64, Q.QT_8bit_direct, IP), direct, flat_grid),
            ("sq8signed_l2_d64", lambda: sq(64, Q.QT_8bit_direct_signed, L2), signed, flat_grid),
            ("sq8signed_ip_d64", lambda: sq(64, Q.QT_8bit_direct_signed, IP), signed, flat_grid),
            ("sq4u_l2_d24", lambda: sq(24, Q.QT_4bit_uniform, L2), x24, flat_grid),
            ("sq8_ip_d24", lambda: sq(24, Q.QT_8bit, IP), x24, flat_grid),
            ("sq8u_ip_d20", lambda: sq(20, Q.QT_8bit_uniform, IP), x20, flat_grid),
            # SQ in IVF (residuals per list) and HNSW (groups of four through distances_batch_4).
            ("ivf_sq8u_l2_d32", lambda: ivf_sq(32, Q.QT_8bit_uniform, L2), x64[:, :32].copy(), ivf_grid),
            ("ivf_sq4_ip_d32", lambda: ivf_sq(32, Q.QT_4bit, IP), x64[:, :32].copy(), ivf_grid),
            ("hnsw_sq8u_l2_d32", lambda: hnsw_sq(32, Q.QT_8bit_uniform, L2), x64[:, :32].copy(), hnsw_grid),
            ("hnsw_sq4u_ip_d32", lambda: hnsw_sq(32, Q.QT_4bit_uniform, IP), x64[:, :32].copy(), hnsw_grid),
            ("hnsw_sqbf16_l2_d32", lambda: hnsw_sq(32, Q.QT_bf16, L2), x64[:, :32].copy(), hnsw_grid),
        ]
        for name, build, data, grid in cases:
            index = build()
            index.train(data)
            index.add(data)
            ivf = faiss.try_extract_index_ivf(index)
            if ivf is not None:
                ivf.nprobe = 3
            # Fresh queries; the direct types' are fractional, so the integer kernels' truncation shows.
            queries = make_queries(rng, data, FLOAT_TIER)
            if "direct" in name or "signed" in name:
                queries[:3] = data[:3] + rng.uniform(-0.9, 0.9, size=(3, data.shape[1])).astype(np.float32)
            self.faiss_fixture(
                name, index, np.ascontiguousarray(queries, dtype=np.float32), FLOAT_TIER,
                f"{type(faiss.downcast_index(index)).__name__} over {len(data)} × {data.shape[1]} vectors; "
                "answers are faiss's own (quantized) distances.", grid)

        # Refine with a k_factor above 1: an IVF-PQ shortlist re-scored by flat vectors, a PQ shortlist by SQ8.
        for name, factory, metric, k_factor in (("ivfpq_rflat_kf4_l2", "IVF8,PQ4,RFlat", L2, 4.0),
                                                 ("pq_refine_sq8_kf2_ip", "PQ4,Refine(SQ8)", IP, 2.5)):
            index = faiss.index_factory(16, factory, metric)
            index.train(x16)
            index.add(x16)
            index.k_factor = k_factor
            ivf = faiss.try_extract_index_ivf(index)
            grid = ivf_grid if ivf is not None else flat_grid
            if ivf is not None:
                ivf.nprobe = 3
            self.faiss_fixture(
                name, index, make_queries(rng, x16, FLOAT_TIER), FLOAT_TIER,
                f"index_factory(16, '{factory}', {metric_name(metric)}) with k_factor {k_factor}.", grid)

    def gen_hnsw(self):
        """IndexHNSWFlat (IHNf) L2 and IP, float; L2 integer."""

        def grid(idx):
            h = find_hnsw(faiss.downcast_index(idx))
            efs = sorted(set(HNSW_EFS) | {int(h.hnsw.efSearch)})
            return [(k, None, ef) for ef in efs for k in HNSW_KS]

        cases = (("hnsw_flat_l2", "l2", FLOAT_TIER, 400, 16),
                 ("hnsw_flat_ip", "ip", FLOAT_TIER, 400, 16),
                 ("hnsw_flat_l2_int", "l2", INT_TIER, 300, 8))
        for name, metric, tier, n, d in cases:
            rng = self.rng(name)
            xb = int_data(rng, n, d) if tier == INT_TIER else float_data(rng, n, d)
            mt = faiss.METRIC_L2 if metric == "l2" else faiss.METRIC_INNER_PRODUCT
            index = faiss.IndexHNSWFlat(d, 8, mt)
            index.hnsw.efConstruction = 40
            index.add(xb)
            index.hnsw.efSearch = 24
            self.faiss_fixture(
                name, index, make_queries(rng, xb, tier), tier,
                f"IndexHNSWFlat {metric.upper()} n={n} d={d} M=8 (2M=16 on level 0) "
                f"efConstruction=40, saved efSearch=24; storage is IndexFlat"
                f"{'L2' if metric == 'l2' else 'IP'}.", grid)

    def gen_idmap(self):
        """IndexIDMap over flat and IVF (IxMp), IndexIDMap2 over HNSW (IxM2)."""
        # IDMap(IndexFlatL2), float and integer tiers
        for tier, n, d in ((FLOAT_TIER, 150, 8), (INT_TIER, 120, 6)):
            rng = self.rng(f"idmap-flat-{tier}")
            xb = int_data(rng, n, d) if tier == INT_TIER else float_data(rng, n, d)
            ids = unique_ids(rng, n)
            inner = faiss.IndexFlatL2(d)
            index = faiss.IndexIDMap(inner)
            index.add_with_ids(xb, ids)
            name = f"idmap_flat_l2_{'int' if tier == INT_TIER else 'float'}"
            self.faiss_fixture(
                name, index, make_queries(rng, xb, tier), tier,
                f"IndexIDMap(IndexFlatL2) n={n} d={d} with non-contiguous user ids; results "
                "are user ids (ties are broken on the inner sequential id, not the user id).",
                lambda idx: [(k, None, None) for k in FLAT_KS + (idx.ntotal + 3,)])

        # IDMap2(IndexHNSWFlat)
        rng = self.rng("idmap2-hnsw")
        xb = float_data(rng, 300, 8)
        ids = unique_ids(rng, 300)
        inner = faiss.IndexHNSWFlat(8, 8)
        inner.hnsw.efConstruction = 40
        index = faiss.IndexIDMap2(inner)
        index.add_with_ids(xb, ids)
        inner.hnsw.efSearch = 24
        self.faiss_fixture(
            "idmap2_hnsw_l2", index, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
            "IndexIDMap2(IndexHNSWFlat L2 M=8 efConstruction=40 efSearch=24) n=300 d=8; "
            "inner.entryPoint is an internal id.",
            lambda idx: [(k, None, ef) for ef in (8, 16, 24, 64) for k in HNSW_KS])

        # IDMap(IndexIVFFlat)
        rng = self.rng("idmap-ivf")
        xb = float_data(rng, 300, 8)
        ids = unique_ids(rng, 300)
        quant = faiss.IndexFlatL2(8)
        inner = faiss.IndexIVFFlat(quant, 8, 8)
        inner.train(xb)
        index = faiss.IndexIDMap(inner)
        index.add_with_ids(xb, ids)
        inner.nprobe = 3

        def ivf_grid(idx):
            ivf = faiss.extract_index_ivf(idx)
            sizes = [ivf.invlists.list_size(i) for i in range(ivf.nlist)]
            return ([(k, p, None) for p in (1, 3, 8) for k in IVF_KS]
                    + [(padding_k(sizes), 1, None)])

        self.faiss_fixture(
            "idmap_ivf_flat_l2", index, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
            "IndexIDMap(IndexIVFFlat L2 nlist=8 saved nprobe=3) n=300 d=8: the inner IVF "
            "stores sequential ids 0..n-1, the outer id_map turns them into user ids.",
            ivf_grid)

    def gen_metrics_and_dims(self):
        """faiss METRIC_L1 and METRIC_Linf (flat, IVF, HNSW), and flat L2 / IP at every kernel residue class."""
        metrics = (("l1", faiss.METRIC_L1), ("linf", faiss.METRIC_Linf))
        for name, mt in metrics:
            rng = self.rng(f"flat-{name}")
            xb = float_data(rng, 300, 24)
            index = faiss.IndexFlat(24, mt)
            index.add(xb)
            self.faiss_fixture(
                f"flat_{name}", index, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
                f"IndexFlat metric {name.upper()} n=300 d=24 (knn_extra_metrics: the k-heap at any k).",
                lambda idx: [(k, None, None) for k in FLAT_KS + (120, idx.ntotal + 3)])

            rng = self.rng(f"ivf-{name}")
            xb = float_data(rng, 400, 20)
            ivf = faiss.IndexIVFFlat(faiss.IndexFlat(20, mt), 20, 12, mt)
            ivf.train(xb)
            ivf.add(xb)
            ivf.nprobe = 3
            self.faiss_fixture(
                f"ivf_flat_{name}", ivf, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
                f"IndexIVFFlat metric {name.upper()} over an IndexFlat {name.upper()} quantizer, n=400 d=20 nlist=12.",
                lambda idx: [(k, p, None) for p in (1, 3, 12) for k in IVF_KS])

            rng = self.rng(f"hnsw-{name}")
            xb = float_data(rng, 300, 19)
            hnsw = faiss.IndexHNSWFlat(19, 8, mt)
            hnsw.hnsw.efConstruction = 40
            hnsw.add(xb)
            hnsw.hnsw.efSearch = 24
            self.faiss_fixture(
                f"hnsw_flat_{name}", hnsw, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
                f"IndexHNSWFlat metric {name.upper()} n=300 d=19 M=8 efConstruction=40, saved efSearch=24.",
                lambda idx: [(k, None, ef) for ef in (8, 24, 64) for k in HNSW_KS])

        # IVF over an HNSW coarse quantizer (IVFn_HNSWm,Flat): the lists are ranked by the quantizer's graph search.
        for name, mt in (("l2", faiss.METRIC_L2), ("ip", faiss.METRIC_INNER_PRODUCT)):
            rng = self.rng(f"ivf-hnsw-{name}")
            xb = float_data(rng, 1200, 12)
            quantizer = faiss.IndexHNSWFlat(12, 6, mt)
            quantizer.hnsw.efSearch = 10
            ivf = faiss.IndexIVFFlat(quantizer, 12, 64, mt)
            ivf.train(xb)
            ivf.add(xb)
            ivf.nprobe = 4
            self.faiss_fixture(
                f"ivf_hnsw_quantizer_{name}", ivf, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
                f"IndexIVFFlat {name.upper()} n=1200 d=12 nlist=64 over an IndexHNSWFlat quantizer (M=6, efSearch 10).",
                lambda idx: [(k, p, None) for p in (1, 4, 16) for k in IVF_KS])

        # faiss's kernels branch on d's residue mod 4, 8 and 16 at each SIMD level; d = 1001 leaves 9.
        for dd in (2, 3, 17, 33, 128, 1001):
            n = 40 if dd > 500 else 120
            for name, cls in (("l2", faiss.IndexFlatL2), ("ip", faiss.IndexFlatIP)):
                rng = self.rng(f"flat-{name}-d{dd}")
                xb = float_data(rng, n, dd)
                index = cls(dd)
                index.add(xb)
                self.faiss_fixture(
                    f"flat_{name}_d{dd}", index, make_queries(rng, xb, FLOAT_TIER), FLOAT_TIER,
                    f"IndexFlat{name.upper()} n={n} d={dd}: covers faiss's kernel for this residue class.",
                    lambda idx: [(k, None, None) for k in (1, 10)])

    def gen_blas_path(self):
        """One query of d >= 128,000 (nq * d reaches distance_compute_blas_threshold): faiss's BLAS path, OpenBLAS's
        sgemm in blocks of GEMM_Q terms, then the k = 1 SIMD handlers, the heap or the reservoir. Fresh sets
        only: each file is 12 MB, too big to commit."""
        if not self.fresh:
            return
        n, d = 24, BLAS_DIM
        for name, cls in (("l2", faiss.IndexFlatL2), ("ip", faiss.IndexFlatIP)):
            rng = self.rng(f"flat-blas-{name}")
            xb = float_data(rng, n, d)
            # Copies of row 3 in other SIMD lanes and in the scalar tail: exact ties for the top-1 handlers.
            xb[[9, 17, 20]] = xb[3]
            index = cls(d)
            index.add(xb)
            self.faiss_fixture(
                f"flat_{name}_blas", index, make_queries(rng, xb, FLOAT_TIER, nq_new=2, copy_rows=[3]),
                FLOAT_TIER,
                f"IndexFlat{name.upper()} n={n} d={d} (one query goes through BLAS from d = 128,000 on); rows 9, "
                f"17 and 20 copy row 3.",
                lambda idx: [(k, None, None) for k in (1, 5, 100, idx.ntotal + 3)])
        # An IVF's flat coarse quantizer takes the same path.
        rng = self.rng("ivf-blas-l2")
        xb = float_data(rng, n, d)
        quantizer = faiss.IndexFlatL2(d)
        quantizer.add(xb[[0, 8, 16]])  # stored rows as centroids: k-means wants 39 points a list
        ivf = faiss.IndexIVFFlat(quantizer, d, 3)
        ivf.is_trained = True
        ivf.add(xb)
        self.faiss_fixture(
            "ivf_flat_l2_blas", ivf, make_queries(rng, xb, FLOAT_TIER, nq_new=2, nq_copy=1), FLOAT_TIER,
            f"IndexIVFFlat L2 n={n} d={d} nlist=3: the coarse quantizer's search goes through BLAS.",
            lambda idx: [(k, p, None) for p in (1, 2) for k in (1, 5)])

    def gen_hnswlib(self):
        """hnswlib indexes: l2/ip/cosine, deletions, integers, labels, tiny, empty."""
        n, d = 400, 16
        for space in ("l2", "ip", "cosine"):
            rng = self.rng(f"hnswlib-{space}")
            xb = float_data(rng, n, d)
            self.hnswlib_fixture(
                f"hnswlib_{space}", space, xb, np.arange(n), 500, FLOAT_TIER,
                f"hnswlib space={space} n={n} d={d} M=8 ef_construction=40 max_elements=500 "
                f"(100 slots unused), labels 0..n-1."
                + (" Stored vectors are normalized by hnswlib; the file does not record the "
                   "space." if space == "cosine" else ""),
                make_queries(rng, xb, FLOAT_TIER))

        # Every dimension class hnswlib dispatches on: d < 4 (scalar), d > 4 with a 1..3 residue (4-wide +
        # scalar tail), d > 16 with a residue (16-wide + scalar tail), d % 16 == 0 (16-wide only).
        for dd in (2, 3, 17, 33, 128):
            for space in ("l2", "ip", "cosine"):
                rng = self.rng(f"hnswlib-{space}-d{dd}")
                xb = float_data(rng, 200, dd)
                self.hnswlib_fixture(
                    f"hnswlib_{space}_d{dd}", space, xb, np.arange(200), 200, FLOAT_TIER,
                    f"hnswlib space={space} n=200 d={dd} M=8 ef_construction=40: covers hnswlib's "
                    f"distance kernel for this dimension class.",
                    make_queries(rng, xb, FLOAT_TIER))

        rng = self.rng("hnswlib-deleted")
        xb = float_data(rng, n, d)
        dead = rng.choice(n, size=10, replace=False)
        q = make_queries(rng, xb, FLOAT_TIER, copy_rows=[int(dead[0]), int(rng.integers(n))])
        self.hnswlib_fixture(
            "hnswlib_l2_deleted", "l2", xb, np.arange(n), 500, FLOAT_TIER,
            f"hnswlib l2 n={n} d={d} with 10 elements mark_deleted (labels "
            f"{sorted(int(x) for x in dead)}); query row 3 is a copy of deleted label "
            f"{int(dead[0])}. Deleted elements stay in the graph but never appear in results.",
            q, deleted=[int(x) for x in dead])

        rng = self.rng("hnswlib-int")
        xb = int_data(rng, 300, 8)
        self.hnswlib_fixture(
            "hnswlib_l2_int", "l2", xb, np.arange(300), 320, INT_TIER,
            "hnswlib l2 n=300 d=8 on integer coordinates in [-2,2]: duplicates and ties.",
            make_queries(rng, xb, INT_TIER))

        rng = self.rng("hnswlib-labels")
        xb = float_data(rng, 300, 8)
        labels = unique_ids(rng, 300).astype(np.uint64)
        self.hnswlib_fixture(
            "hnswlib_l2_labels", "l2", xb, labels, 400, FLOAT_TIER,
            "hnswlib l2 n=300 d=8 with non-contiguous labels (some near 1e12), added in "
            "shuffled order.", make_queries(rng, xb, FLOAT_TIER))

        rng = self.rng("hnswlib-tiny")
        xb = float_data(rng, 1, 8)
        self.hnswlib_fixture(
            "hnswlib_l2_tiny", "l2", xb, [42], 4, FLOAT_TIER,
            "hnswlib l2 with a single element (label 42), max_elements=4. Only k=1 searches "
            "are recorded: hnswlib raises when fewer than k results exist.",
            make_queries(rng, xb, FLOAT_TIER, nq_copy=1))

        rng = self.rng("hnswlib-empty")
        self.hnswlib_fixture(
            "hnswlib_l2_empty", "l2", np.zeros((0, 8), np.float32), [], 8, FLOAT_TIER,
            "hnswlib l2 d=8 with no elements, max_elements=8: the file records maxlevel -1 and "
            "enterpoint_node 0xFFFFFFFF (reported here as null). No searches (hnswlib raises).",
            make_queries(rng, np.zeros((0, 8), np.float32), FLOAT_TIER, copy_rows=[]))

    # -- faiss binary indexes ------------------------------------------------

    def binary_fixture(self, name, index, queries, grid, notes):
        """Write a binary index, read it back, record faiss's searches and statistics on it."""
        fname = f"{name}.faissbin"
        faiss.write_index_binary(index, self.path(fname))
        back = faiss.read_index_binary(self.path(fname))
        qname = f"{name}.bits.npy"
        assert queries.dtype == np.uint8 and queries.flags["C_CONTIGUOUS"]
        np.save(self.path(qname), queries)
        inner = back.index if isinstance(back, (faiss.IndexBinaryIDMap, faiss.IndexBinaryIDMap2)) else back
        inner = faiss.downcast_IndexBinary(inner) if hasattr(faiss, "downcast_IndexBinary") else inner
        searches = []
        for k, nprobe, ef in grid:
            if nprobe is not None:
                inner.nprobe = nprobe
            if ef is not None:
                inner.hnsw.efSearch = ef
            results, stats = [], []
            for row in queries:
                faiss.cvar.indexIVF_stats.reset()
                faiss.cvar.hnsw_stats.reset()
                D, I = back.search(row[None, :], k)
                results.append({"ids": [int(i) for i in I[0]], "distances": [int(x) for x in D[0]]})
                if nprobe is not None:
                    st = faiss.cvar.indexIVF_stats
                    stats.append({"ndis": int(st.ndis), "nlist": int(st.nlist)})
                elif ef is not None:
                    st = faiss.cvar.hnsw_stats
                    stats.append({"ndis": int(st.ndis), "nhops": int(st.nhops)})
                else:
                    stats.append(None)
            searches.append({"k": int(k), "nprobe": nprobe, "ef": ef, "results": results, "stats": stats})
        expect = {"format": "faiss-binary", "type": faiss_binary_code(back), "dim": int(back.d), "count": int(back.ntotal)}
        self.binary.append({"name": name, "file": fname, "format": "faiss-binary", "tier": "bits", "notes": notes,
                            "expect": expect, "queries": qname, "searches": searches})

    def gen_binary(self):
        """faiss binary indexes: random bits (d = 64) and short codes (d = 16, where almost every distance ties)."""
        rng = self.rng("binary")
        for d, n in ((64, 400), (16, 300)):
            xb = rng.integers(0, 256, (n, d // 8), dtype=np.uint8)
            queries = np.ascontiguousarray(np.vstack([rng.integers(0, 256, (3, d // 8), dtype=np.uint8), xb[[5, n - 1]]]))
            flat = faiss.IndexBinaryFlat(d)
            flat.add(xb)
            self.binary_fixture(f"bin_flat_d{d}", flat, queries, [(k, None, None) for k in (1, 5, 10, n + 3)],
                                f"IndexBinaryFlat n={n} d={d}; k=n+3 pads with -1 and INT32_MAX.")
            ivf = faiss.IndexBinaryIVF(faiss.IndexBinaryFlat(d), d, 8)
            ivf.train(xb)
            ivf.add(xb)
            self.binary_fixture(f"bin_ivf_d{d}", ivf, queries,
                                [(k, p, None) for p in (1, 3, 8) for k in (1, 5, 10, n // 2)],
                                f"IndexBinaryIVF nlist=8 n={n} d={d}; which tied ids stay follows the probe order.")
            hnsw = faiss.IndexBinaryHNSW(d, 8)
            hnsw.add(xb)
            self.binary_fixture(f"bin_hnsw_d{d}", hnsw, queries,
                                [(k, None, ef) for ef in (4, 16, 64) for k in (1, 5, 10)],
                                f"IndexBinaryHNSW M=8 n={n} d={d}.")
        d, n = 64, 300
        xb = rng.integers(0, 256, (n, d // 8), dtype=np.uint8)
        ids = unique_ids(rng, n)
        queries = np.ascontiguousarray(np.vstack([rng.integers(0, 256, (3, d // 8), dtype=np.uint8), xb[[7]]]))
        mapped = faiss.IndexBinaryIDMap(faiss.IndexBinaryFlat(d))
        mapped.add_with_ids(xb, ids)
        self.binary_fixture("bin_idmap_flat", mapped, queries, [(k, None, None) for k in (1, 10, n + 2)],
                            "IndexBinaryIDMap over a flat index with large random ids.")
        ivf = faiss.IndexBinaryIVF(faiss.IndexBinaryFlat(d), d, 4)
        ivf.train(xb)
        mapped2 = faiss.IndexBinaryIDMap2(ivf)
        mapped2.add_with_ids(xb, ids)
        self.binary_fixture("bin_idmap2_ivf", mapped2, queries, [(k, p, None) for p in (1, 2) for k in (1, 10)],
                            "IndexBinaryIDMap2 over an IVF index.")

    # -- Voyager ----------------------------------------------------------------

    def voyager_fixture(self, name, index, queries, grid, notes, space, storage, tier=FLOAT_TIER):
        """Save a Voyager index, load it back, and record `Index.query` on each query row (k, query_ef)."""
        fname = f"{name}.voy"
        index.save(self.path(fname))
        back = voyager.Index.load(self.path(fname))
        searches = []
        for k, ef in grid:
            results = []
            for row in queries:
                labels, distances = back.query(row, k=k, query_ef=-1 if ef is None else ef)
                results.append({"ids": [int(i) for i in labels], "distances": [f32(x) for x in distances]})
            searches.append({"k": int(k), "nprobe": None, "ef": ef, "results": results, "stats": [None] * len(results)})
        expect = {"format": "voyager", "type": storage, "dim": int(back.num_dimensions), "count": int(len(back)),
                  "space": space}
        self.voyager.append({"name": name, "file": fname, "format": "voyager", "tier": tier, "notes": notes,
                             "expect": expect, "queries": self.save_queries(name, queries), "searches": searches})

    def gen_voyager(self):
        """Voyager 2.2.3: Float32 and Float8 storage in every space, dimensions that take each kernel path (16: blocks
        of 16; 20: blocks of 4; 33: 16s and a tail; 7: 4 and a tail), one index with deleted items, one of integer
        coordinates (ties); then E4M3 storage (`gen_voyager_e4m3`)."""
        rng = self.rng("voyager")
        spaces = (("euclidean", voyager.Space.Euclidean), ("ip", voyager.Space.InnerProduct), ("cosine", voyager.Space.Cosine))
        storages = (("Float32", voyager.StorageDataType.Float32), ("Float8", voyager.StorageDataType.Float8))
        grid = [(1, None), (5, 16), (10, None), (10, 48)]
        for d in (16, 20, 33, 7):
            for sname, space in spaces:
                for tname, storage in storages:
                    n = 300
                    x = rng.uniform(-0.9, 0.9, (n, d)).astype(np.float32)
                    index = voyager.Index(space, num_dimensions=d, M=12, ef_construction=64, random_seed=1,
                                          storage_data_type=storage)
                    index.add_items(x, num_threads=1)
                    queries = np.ascontiguousarray(np.vstack([rng.uniform(-0.9, 0.9, (3, d)), x[[11]]]).astype(np.float32))
                    self.voyager_fixture(f"voyager_{sname}_{tname.lower()}_d{d}", index, queries, grid,
                                         f"voyager {sname} {tname} n={n} d={d} M=12", sname, tname)
        # Integer coordinates: many tied distances, ordered by libstdc++'s heap moves.
        x = rng.integers(-2, 3, (300, 8)).astype(np.float32)
        index = voyager.Index(voyager.Space.Euclidean, num_dimensions=8, M=8, ef_construction=40, random_seed=1)
        index.add_items(x, num_threads=1)
        queries = np.ascontiguousarray(np.vstack([rng.integers(-2, 3, (3, 8)), x[[5]]]).astype(np.float32))
        self.voyager_fixture("voyager_euclidean_int", index, queries, grid, "integer coordinates (ties)", "euclidean", "Float32")
        # Deleted items are walked through but never returned.
        x = rng.uniform(-0.9, 0.9, (300, 16)).astype(np.float32)
        index = voyager.Index(voyager.Space.Cosine, num_dimensions=16, M=12, ef_construction=64, random_seed=1)
        index.add_items(x, num_threads=1)
        for item in range(0, 300, 3):
            index.mark_deleted(item)
        queries = np.ascontiguousarray(np.vstack([rng.uniform(-0.9, 0.9, (3, 16)), x[[10]]]).astype(np.float32))
        self.voyager_fixture("voyager_cosine_deleted", index, queries, grid, "a third of the items marked deleted", "cosine",
                             "Float32")
        self.gen_voyager_e4m3(spaces, grid)

    def gen_voyager_e4m3(self, spaces, grid):
        """E4M3 storage (its own random stream, so the files above stay the same): in every space, dimensions whose
        stored width (the user's, plus one for inner product) takes each of the kernels the wheel picks by width —
        in order (widths 1-3 and multiples of 32), blocks of 4, 8 and 16, and AtLeast<4 / 8 / 16 / 32 / 64 / 128>.
        Coordinates are spread over E4M3's exponents (sign · 2^u, u in [-7, 4]) so the order of the additions shows
        in the float bits; three integer sets (coordinates in [-2, 2]) give ties. Cosine queries and items keep a
        non-zero first coordinate: the wheel encodes a leading zero with an unset sign byte (undefined behaviour);
        the other spaces' integer sets keep their zeros, which the wheel encodes as +0."""
        rng = self.rng("voyager-e4m3")
        e4m3 = voyager.StorageDataType.E4M3
        n = 80

        def spread(shape, cosine):
            return (rng.choice([-1.0, 1.0], size=shape) * np.exp2(rng.uniform(-7.0, 4.0, size=shape))).astype(np.float32)

        def integers(shape, cosine):
            x = rng.integers(-2, 3, size=shape).astype(np.float32)
            if cosine:
                x[..., 0] = rng.choice([-2.0, -1.0, 1.0, 2.0], size=shape[:-1])
            return x

        def fixture(name, sname, space, d, data, tier, notes):
            x = data((n, d), sname == "cosine")
            index = voyager.Index(space, num_dimensions=d, M=12, ef_construction=64, random_seed=1, storage_data_type=e4m3)
            index.add_items(x, num_threads=1)
            queries = np.ascontiguousarray(np.vstack([data((3, d), sname == "cosine"), x[[11]]]).astype(np.float32))
            self.voyager_fixture(name, index, queries, grid, notes, sname, "E4M3", tier)

        for d in (2, 5, 7, 11, 12, 16, 24, 31, 32, 47, 63, 64, 127, 128, 130):
            for sname, space in spaces:
                fixture(f"voyager_{sname}_e4m3_d{d}", sname, space, d, spread, FLOAT_TIER,
                        f"voyager {sname} E4M3 n={n} d={d} M=12, coordinates sign * 2^u")
        for (sname, space), d in zip(spaces, (8, 11, 16)):
            fixture(f"voyager_{sname}_e4m3_int_d{d}", sname, space, d, integers, INT_TIER,
                    f"voyager {sname} E4M3 n={n} d={d} M=12, integer coordinates (ties)")

    # ----------------------------------------------------------------------

    def check_layout(self, name, layout):
        fx = next(f for f in self.fixtures if f["name"] == name)
        got = fx["expect"]["invlistsLayout"]
        assert got == layout, f"{name}: expected '{layout}' inverted lists, file says '{got}'"

    def run(self):
        faiss.omp_set_num_threads(1)
        print(f"faiss {faiss.__version__}, hnswlib {hnswlib_version()}, numpy {np.__version__}, "
              f"seed {self.seed}", file=sys.stderr)
        print("hnsw_stats fields:", stat_fields(faiss.cvar.hnsw_stats),
              "| indexIVF_stats fields:", stat_fields(faiss.cvar.indexIVF_stats), file=sys.stderr)
        for family in (self.gen_flat, self.gen_ivf_flat, self.gen_ivf_legacy,
                       self.gen_ivf_quantized, self.gen_quantized_kinds, self.gen_quantized_paths, self.gen_hnsw,
                       self.gen_idmap,
                       self.gen_metrics_and_dims,
                       self.gen_blas_path,
                       self.gen_hnswlib,
                       self.gen_binary,
                       self.gen_voyager):
            print(f"- {family.__name__}", file=sys.stderr)
            family()
        manifest = {
            "generator": {"faiss": faiss.__version__, "hnswlib": hnswlib_version(),
                          "numpy": np.__version__, "seed": self.seed},
            "fixtures": [order_fixture(f) for f in self.fixtures],
            "binary": self.binary,
            "voyager": self.voyager,
        }
        with open(self.path("manifest.json"), "w") as fh:
            json.dump(manifest, fh, indent=1, allow_nan=False)
            fh.write("\n")
        return manifest


# --------------------------------------------------------------------------
# describing indexes
# --------------------------------------------------------------------------

def metric_name(metric_type):
    return {faiss.METRIC_L2: "l2", faiss.METRIC_INNER_PRODUCT: "ip", faiss.METRIC_L1: "l1",
            faiss.METRIC_Linf: "linf"}[metric_type]


def faiss_code(index):
    """The four-character code faiss writes for a (nested) index, from its class."""
    index = faiss.downcast_index(index)
    for cls, code in ((faiss.IndexIVFPQFastScan, "IwPf"), (faiss.IndexPQFastScan, "IPfs"), (faiss.IndexIVFPQ, "IwPQ"),
                      (faiss.IndexIVFScalarQuantizer, "IwSq"), (faiss.IndexIVFFlat, "IwFl"), (faiss.IndexHNSWFlat, "IHNf"),
                      (faiss.IndexHNSWPQ, "IHNp"), (faiss.IndexHNSWSQ, "IHNs"), (faiss.IndexPQ, "IxPq"),
                      (faiss.IndexScalarQuantizer, "IxSQ"), (faiss.IndexPreTransform, "IxPT"), (faiss.IndexRefine, "IxRF")):
        if isinstance(index, cls):
            return code
    if isinstance(index, faiss.IndexFlat):
        return {faiss.METRIC_L2: "IxF2", faiss.METRIC_INNER_PRODUCT: "IxFI"}.get(index.metric_type, "IxFl")
    raise ValueError(f"no code known for {type(index).__name__}")


def find_hnsw(index):
    if isinstance(index, faiss.IndexHNSW):
        return index
    if isinstance(index, (faiss.IndexIDMap, faiss.IndexIDMap2)):
        return find_hnsw(faiss.downcast_index(index.index))
    return None


def ivf_expect(blob, offset, ivf):
    nlist = int(ivf.nlist)
    sizes = [int(ivf.invlists.list_size(i)) for i in range(nlist)]
    ex = {"nlist": nlist, "nprobe": int(ivf.nprobe), "listSizes": sizes}
    marker = b"ilar" + struct.pack("<QQ", nlist, int(ivf.code_size))
    pos = blob.find(marker, offset)
    if pos >= 0:
        layout = blob[pos + len(marker):pos + len(marker) + 4].decode("ascii")
        rule = "full" if sum(1 for s in sizes if s > 0) > nlist // 2 else "sprs"
        assert layout == rule, (layout, rule)
        ex["invlistsLayout"] = layout
    ex["directMap"] = DIRECT_MAP_NAMES[int(ivf.direct_map.type)]
    if isinstance(ivf, faiss.IndexIVFPQFastScan):
        ex["pq"] = {"M": int(ivf.pq.M), "nbits": int(ivf.pq.nbits)}
        ex["fastScanBlock"] = int(ivf.bbs)
        ex["invlistsLayout"] = "ilbl"
    if isinstance(ivf, faiss.IndexIVFPQ):
        ex["pq"] = {"M": int(ivf.pq.M), "nbits": int(ivf.pq.nbits)}
    if isinstance(ivf, faiss.IndexIVFScalarQuantizer):
        ex["sqType"] = int(ivf.sq.qtype)
    return ex


def faiss_hnsw_expect(index):
    h = index.hnsw
    levels = faiss.vector_to_array(h.levels)   # number of layers of each node
    nlevels = int(h.max_level) + 1
    assert len(levels) == 0 or int(levels.max()) == nlevels
    return {
        "levels": nlevels,
        "levelCounts": [int((levels > l).sum()) for l in range(nlevels)],
        "M": int(h.nb_neighbors(1)),
        "efConstruction": int(h.efConstruction),
        "efSearch": int(h.efSearch),
        "entryPoint": int(h.entry_point),
        "maxLevel": int(h.max_level),
    }


HNSWLIB_HEADER = struct.Struct("<QQQQQQiIQQQdQ")  # hnswlib saveIndex header


def hnswlib_expect(st, space, path, n_deleted_expected):
    count = int(st["cur_element_count"])
    size = int(st["size_data_per_element"])
    raw = np.asarray(st["data_level0"]).view(np.uint8)[:count * size].reshape(count, size)
    lab_off, lvl0_off = int(st["label_offset"]), int(st["offset_level0"])
    labels = raw[:, lab_off:lab_off + 8].copy().view("<u8")[:, 0] if count else np.zeros(0, np.uint64)
    deleted = int((raw[:, lvl0_off + 2] & 1).sum()) if count else 0
    assert deleted == n_deleted_expected, (deleted, n_deleted_expected)
    assert bool(st["has_deletions"]) == (deleted > 0)
    levels = np.asarray(st["element_levels"])[:count]
    max_level = int(st["max_level"])
    ep = int(st["enterpoint_node"])

    # cross-check the state against the header hnswlib wrote
    with open(path, "rb") as fh:
        hdr = HNSWLIB_HEADER.unpack(fh.read(HNSWLIB_HEADER.size))
    (off0, max_el, cur, sdpe, lab_o, off_data, maxlevel, ep_file, maxM, maxM0, M, mult,
     efc) = hdr
    assert (off0, max_el, cur, sdpe, lab_o, maxlevel, ep_file, M, efc) == (
        lvl0_off, st["max_elements"], count, size, lab_off, max_level, ep & 0xFFFFFFFF,
        st["M"], st["ef_construction"]), hdr

    return {
        "format": "hnswlib",
        "type": "hnswlib",
        "dim": int(st["dim"]),
        "count": count,
        "metric": space,
        "levels": max_level + 1,
        "levelCounts": [int((levels >= l).sum()) for l in range(max_level + 1)],
        "M": int(st["M"]),
        "efConstruction": int(st["ef_construction"]),
        "entryPoint": int(labels[ep]) if count else None,
        "entryPointInternal": ep if count else None,
        "maxLevel": max_level,
        "deleted": deleted,
        "maxElements": int(st["max_elements"]),
    }


def hnswlib_searches(index, queries, grid, skip_refused=True):
    """grid: list of (ef, k). One query row per call, one thread."""
    searches = []
    for ef, k in grid:
        index.set_ef(ef)
        results = []
        try:
            for row in queries:
                L, D = index.knn_query(row[None, :], k=k, num_threads=1)
                results.append({"ids": [int(x) for x in L[0]],
                                "distances": [f32(x) for x in D[0]]})
        except RuntimeError:
            # hnswlib refuses when fewer than k live elements are found.
            if not skip_refused:
                raise
            continue
        searches.append({"k": k, "nprobe": None, "ef": ef,
                         "results": results, "stats": [None] * len(results)})
    return searches


def answer(fixtures_dir):
    """Every search a manifest records, run again on this machine's libraries over the fixture files.

    The libraries' float results depend on the build and the CPU (faiss's SIMD level, hnswlib's
    -march=native compile), so the tests compare against answers made here, not where the files were written.
    """
    faiss.omp_set_num_threads(1)
    with open(os.path.join(fixtures_dir, "manifest.json")) as fh:
        manifest = json.load(fh)
    out = {}
    for fx in manifest["fixtures"]:
        if not fx.get("queries") or not fx["searches"]:
            continue
        path = os.path.join(fixtures_dir, fx["file"])
        queries = np.load(os.path.join(fixtures_dir, fx["queries"]))
        if fx["format"] == "faiss":
            grid = [(s["k"], s["nprobe"], s["ef"]) for s in fx["searches"]]
            index = faiss.read_index(path)  # kept alive: faiss_searches' downcast does not own it
            out[fx["name"]] = Generator.faiss_searches(index, queries, grid)
        else:
            index = hnswlib.Index(space=fx["space"], dim=fx["expect"]["dim"])
            index.load_index(path)
            index.set_num_threads(1)
            grid = [(s["ef"], s["k"]) for s in fx["searches"]]
            out[fx["name"]] = hnswlib_searches(index, queries, grid, skip_refused=False)
    return out


def faiss_binary_code(index):
    for cls, code in ((faiss.IndexBinaryIDMap2, "IBM2"), (faiss.IndexBinaryIDMap, "IBMp"), (faiss.IndexBinaryFlat, "IBxF"),
                      (faiss.IndexBinaryIVF, "IBwF"), (faiss.IndexBinaryHNSW, "IBHf")):
        if isinstance(index, cls):
            return code
    raise ValueError(type(index))


def order_fixture(fx):
    keys = ("name", "file", "format", "space", "tier", "notes", "expect", "queries", "searches")
    return {k: fx[k] for k in keys if k in fx}


def hnswlib_version():
    return importlib.metadata.version("hnswlib")


def stat_fields(obj):
    return [a for a in dir(obj) if not a.startswith("_") and a not in ("this", "thisown", "reset", "combine", "add")]


def clean_outdir(outdir):
    os.makedirs(outdir, exist_ok=True)
    for fname in os.listdir(outdir):
        if fname == "manifest.json" or fname.endswith(OWNED_SUFFIXES):
            os.remove(os.path.join(outdir, fname))


def verify(outdir, manifest):
    """Re-read the manifest as JSON and check every listed file exists."""
    with open(os.path.join(outdir, "manifest.json")) as fh:
        loaded = json.load(fh)
    assert loaded == json.loads(json.dumps(manifest))
    for fx in loaded["fixtures"]:
        for key in ("file", "queries"):
            assert os.path.isfile(os.path.join(outdir, fx[key])), fx[key]
        q = np.load(os.path.join(outdir, fx["queries"]))
        assert q.dtype == np.float32 and q.ndim == 2 and q.shape[1] == fx["expect"]["dim"]
        for s in fx["searches"]:
            assert len(s["results"]) == len(s["stats"]) == q.shape[0]


def summary(outdir, manifest):
    rows = [(f["name"], f["expect"]["type"], f["tier"],
             os.path.getsize(os.path.join(outdir, f["file"])),
             os.path.getsize(os.path.join(outdir, f["queries"])))
            for f in manifest["fixtures"]]
    w = max(len(r[0]) for r in rows)
    print(f"{'name':<{w}}  type     tier     bytes  queries")
    for name, typ, tier, size, qsize in rows:
        print(f"{name:<{w}}  {typ:<7}  {tier:<7}  {size:>6}  {qsize:>7}")
    total = sum(os.path.getsize(os.path.join(outdir, x)) for x in os.listdir(outdir))
    print(f"{len(rows)} fixtures, {len(os.listdir(outdir))} files, {total} bytes in {outdir}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=None, help=f"data seed (default {DEFAULT_SEED})")
    ap.add_argument("--fresh", action="store_true",
                    help="random seed unless --seed is given (for CI scratch directories)")
    ap.add_argument("--answer", action="store_true",
                    help="print, as JSON, every search the manifest in OUTDIR records, run again on this "
                         "machine over its files (nothing is written)")
    args = ap.parse_args(argv)
    if args.answer:
        json.dump(answer(args.outdir), sys.stdout, allow_nan=False)
        return
    seed = args.seed
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "little") % 10**9 if args.fresh else DEFAULT_SEED
    clean_outdir(args.outdir)
    manifest = Generator(args.outdir, seed, fresh=args.fresh).run()
    verify(args.outdir, manifest)
    summary(args.outdir, manifest)


if __name__ == "__main__":
    main()

"""Generate the bundled `digits` example for feder-report.

Everything is built from scikit-learn's bundled handwritten digits
(`load_digits()`: 1797 grey 8x8 images, values 0-16, labels 0-9), so the
script needs no network access. It writes, next to itself:

    images/NNNN.png, images.txt        one 64x64 picture per digit (row i = id i)
    raw-ivf.faiss, norm-ivf.faiss      faiss IndexIVFFlat (L2, nlist 32, nprobe 4)
    raw.hnsw, norm.hnsw                hnswlib indexes (space "l2", M 8, ef_construction 100)
    scene.npy, scene-norm.npy,         "whole picture" query: a 32x32 noisy scene with
    scene.png                          digit 40 pasted in, mean-pooled to 8x8
    crop.npy, crop-norm.npy, crop.png  "detected object" query: the digit's box cropped
                                       from the scene and resized to 8x8
    queries.npy, queries-norm.npy,     40 dataset digits (4 per class) for the sweeps
    queries-ids.json
    base.npy, raw-ivfpq.faiss,         the raw vectors, and the same as PQ16 codes (IVF32) and as
    raw-opq-rflat.faiss                OPQ16 codes re-scored by the flat vectors (generate_quantized.py)
    compare.json                       the feder-report job spec
    expected.json                      faiss / hnswlib top-8 answers for comparisons 0-2

"raw" vectors are the 64 pixel values as float32; "norm" vectors are the same
rows scaled to unit L2 length. Every index uses (squared) L2 distance.

The output is deterministic: fixed seeds, one thread in faiss and hnswlib.
Rerunning overwrites everything. Usage (from the repository root):

    .venv/bin/pip install scikit-learn pillow
    .venv/bin/python Examples/digits/generate.py
"""

import json
from pathlib import Path

import faiss
import hnswlib
import numpy as np
from PIL import Image, ImageDraw
from sklearn.datasets import load_digits

import generate_quantized

OUT = Path(__file__).resolve().parent

SEED = 1                 # noise in the scene canvas
HNSW_SEED = 7            # hnswlib random_seed
NLIST = 32
NPROBE = 4
HNSW_M = 8
HNSW_EF_CONSTRUCTION = 100
K = 8
EF = 8

DIGIT_ID = 40            # the digit pasted into the scene and used as "digit-40"
SCENE_SIZE = 32          # scene canvas is 32x32 on the 0-16 scale
PASTE_X, PASTE_Y = 2, 3  # offset of the pasted 8x8 digit: column 2, row 3
NOISE_MAX = 3            # background noise values 0..3
INK_THRESHOLD = 3        # pixels > 3 inside the pasted region form the detected box
QUERIES_PER_CLASS = 4    # 4 x 10 classes = 40 sweep queries

faiss.omp_set_num_threads(1)


# --- helpers -----------------------------------------------------------------

def l2_normalise(x):
    """Rows of `x` scaled to unit L2 length (float32)."""
    x = np.asarray(x, dtype=np.float32)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def to_grey(values):
    """0-16 pixel values -> 8-bit greyscale with ink dark (16 -> 0 black, 0 -> 255 white)."""
    v = np.clip(np.asarray(values, dtype=np.float64), 0, 16)
    return np.round(255.0 - v * (255.0 / 16.0)).astype(np.uint8)


def enlarged(values, size):
    """A greyscale PIL image of a 2-D 0-16 array, scaled to `size` x `size` (nearest neighbour)."""
    return Image.fromarray(to_grey(values), mode="L").resize((size, size), Image.NEAREST)


def save_png(image, path):
    image.save(path, format="PNG", optimize=True)


def save_npy(array, name):
    np.save(OUT / name, np.ascontiguousarray(array, dtype=np.float32))


def to_json(value, indent=0, width=88):
    """2-space indented JSON; a list or object that fits on one line stays on one line."""
    flat = json.dumps(value, separators=(", ", ": "))
    if not isinstance(value, (dict, list)) or len(flat) + indent <= width or not value:
        return flat
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, list):
        items = [inner + to_json(v, indent + 2, width) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    items = [inner + json.dumps(k) + ": " + to_json(v, indent + 2, width) for k, v in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + pad + "}"


def write_json(obj, name):
    (OUT / name).write_text(to_json(obj) + "\n")


# --- artifacts ----------------------------------------------------------------

def write_images(images):
    """images/NNNN.png (64x64, dark ink on white) for every digit, and images.txt listing them."""
    folder = OUT / "images"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    lines = []
    for i, image in enumerate(images):
        rel = "images/%04d.png" % i
        save_png(enlarged(image, 64), OUT / rel)
        lines.append(rel)
    (OUT / "images.txt").write_text("\n".join(lines) + "\n")
    return len(lines)


def build_ivf(vectors, name):
    """faiss IndexIVFFlat (L2, nlist 32) trained on and holding all rows; nprobe 4 saved."""
    quantizer = faiss.IndexFlatL2(vectors.shape[1])
    index = faiss.IndexIVFFlat(quantizer, vectors.shape[1], NLIST, faiss.METRIC_L2)
    index.train(vectors)
    index.add(vectors)
    index.nprobe = NPROBE
    faiss.write_index(index, str(OUT / name))
    return index


def build_hnsw(vectors, name):
    """hnswlib index, space "l2" (squared L2), M 8, ef_construction 100, labels 0..n-1."""
    n, dim = vectors.shape
    index = hnswlib.Index(space="l2", dim=dim)
    index.init_index(max_elements=n, ef_construction=HNSW_EF_CONSTRUCTION, M=HNSW_M,
                     random_seed=HNSW_SEED)
    index.set_num_threads(1)
    index.add_items(vectors, np.arange(n), num_threads=1)
    index.save_index(str(OUT / name))
    return index


def make_scene_and_crop(images):
    """The "whole picture" and "detected object" queries built from digit DIGIT_ID.

    The scene is a 32x32 canvas of light noise (0..3) with the 8x8 digit
    composited on top (per-pixel maximum, so the ink covers the noise) at
    column PASTE_X, row PASTE_Y. The whole-picture query mean-pools the scene
    4x4 -> 8x8, so the digit becomes a 2x2-ish blob in one corner. The
    detected-object query crops the tight box of pixels > INK_THRESHOLD in the
    pasted region, resizes it to 8x8 (bilinear) and rescales it to 0..16.
    """
    rng = np.random.default_rng(SEED)
    scene = rng.integers(0, NOISE_MAX + 1, size=(SCENE_SIZE, SCENE_SIZE)).astype(np.float64)
    digit = images[DIGIT_ID]
    region = (slice(PASTE_Y, PASTE_Y + 8), slice(PASTE_X, PASTE_X + 8))
    scene[region] = np.maximum(scene[region], digit)

    pooled = scene.reshape(8, 4, 8, 4).mean(axis=(1, 3))

    rows, cols = np.nonzero(scene[region] > INK_THRESHOLD)
    top, bottom = PASTE_Y + int(rows.min()), PASTE_Y + int(rows.max())   # inclusive, scene coords
    left, right = PASTE_X + int(cols.min()), PASTE_X + int(cols.max())
    box = scene[top:bottom + 1, left:right + 1].astype(np.float32)
    small = np.asarray(Image.fromarray(box, mode="F").resize((8, 8), Image.BILINEAR), dtype=np.float64)
    crop = (small - small.min()) / (small.max() - small.min()) * 16.0

    scene_vec = pooled.reshape(1, 64).astype(np.float32)
    crop_vec = crop.reshape(1, 64).astype(np.float32)
    save_npy(scene_vec, "scene.npy")
    save_npy(crop_vec, "crop.npy")
    save_npy(l2_normalise(scene_vec), "scene-norm.npy")
    save_npy(l2_normalise(crop_vec), "crop-norm.npy")

    scale = 128 // SCENE_SIZE
    picture = enlarged(scene, 128).convert("RGB")
    ImageDraw.Draw(picture).rectangle(
        [left * scale - 1, top * scale - 1, (right + 1) * scale, (bottom + 1) * scale],
        outline=(220, 0, 0), width=1)
    save_png(picture, OUT / "scene.png")
    save_png(enlarged(crop, 64), OUT / "crop.png")
    return scene_vec, crop_vec, (left, top, right, bottom)


def pick_query_ids(labels):
    """QUERIES_PER_CLASS ids per class, evenly spread over each class's rows (sorted)."""
    ids = []
    for c in range(10):
        members = np.flatnonzero(labels == c)
        picks = np.linspace(0, len(members) - 1, QUERIES_PER_CLASS + 2)[1:-1].round().astype(int)
        ids.extend(int(members[p]) for p in picks)
    return sorted(ids)


def write_queries(raw, norm, labels):
    """queries.npy / queries-norm.npy (40x64 float32) and queries-ids.json."""
    ids = pick_query_ids(labels)
    save_npy(raw[ids], "queries.npy")
    save_npy(norm[ids], "queries-norm.npy")
    write_json({"ids": ids, "labels": [int(labels[i]) for i in ids]}, "queries-ids.json")
    return ids


def write_spec():
    """compare.json, the job spec (paths relative to the spec file)."""
    spec = {
        "title": "Handwritten digits: raw vs L2-normalised vectors, whole picture vs detected object",
        "indexes": {
            "raw-ivf": {"file": "raw-ivf.faiss"},
            "norm-ivf": {"file": "norm-ivf.faiss"},
            "raw-hnsw": {"file": "raw.hnsw", "space": "l2"},
            "norm-hnsw": {"file": "norm.hnsw", "space": "l2"},
            "raw-ivfpq": {"file": "raw-ivfpq.faiss", "vectors": "base.npy"},
            "raw-opq-rflat": {"file": "raw-opq-rflat.faiss"},
        },
        "media": {"type": "image", "list": "images.txt"},
        "queries": {
            "digit-40": {"id": DIGIT_ID},
            "scene": {"vector": "scene.npy", "row": 0, "media": "scene.png"},
            "crop": {"vector": "crop.npy", "row": 0, "media": "crop.png"},
            "set": {"vector": "queries.npy"},
            "set-norm": {"vector": "queries-norm.npy"},
        },
        "params": {"k": K, "nprobe": NPROBE, "ef": EF},
        "comparisons": [
            {"title": "IVF: raw vs normalised vectors (digit 40)",
             "left": {"index": "raw-ivf", "query": "digit-40"},
             "right": {"index": "norm-ivf", "query": "digit-40"}},
            {"title": "HNSW: raw vs normalised vectors (digit 40)",
             "left": {"index": "raw-hnsw", "query": "digit-40"},
             "right": {"index": "norm-hnsw", "query": "digit-40"}},
            {"title": "Whole picture vs detected object (IVF, raw)",
             "left": {"index": "raw-ivf", "query": "scene"},
             "right": {"index": "raw-ivf", "query": "crop"}},
            {"title": "nprobe sweep over 40 queries: raw vs normalised",
             "left": {"index": "raw-ivf", "query": "set"},
             "right": {"index": "norm-ivf", "query": "set-norm"},
             "sweep": {"nprobe": [1, 2, 4, 8, 16, 32]}},
            {"title": "ef sweep over 40 queries: raw vs normalised HNSW",
             "left": {"index": "raw-hnsw", "query": "set"},
             "right": {"index": "norm-hnsw", "query": "set-norm"},
             "sweep": {"ef": [4, 8, 16, 32, 64]}},
            {"title": "Float vectors vs PQ16 codes, IVF32 (digit 40)",
             "left": {"index": "raw-ivf", "query": "digit-40"},
             "right": {"index": "raw-ivfpq", "query": "digit-40"}},
            {"title": "PQ16 codes vs OPQ16 codes re-scored by the flat vectors (digit 40)",
             "left": {"index": "raw-ivfpq", "query": "digit-40"},
             "right": {"index": "raw-opq-rflat", "query": "digit-40"}},
            {"title": "nprobe sweep over 40 queries: PQ16 vs OPQ16 + refine",
             "left": {"index": "raw-ivfpq", "query": "set"},
             "right": {"index": "raw-opq-rflat", "query": "set"},
             "sweep": {"nprobe": [1, 2, 4, 8, 16, 32]}},
        ],
        "template": "compare",
        "output": {"page": "A4-landscape", "theme": "light"},
        "seed": 1,
    }
    write_json(spec, "compare.json")


def search(index, query):
    """Top-K (ids, squared-L2 distances) for one query row at the spec's params."""
    q = np.asarray(query, dtype=np.float32).reshape(1, -1)
    if isinstance(index, hnswlib.Index):
        index.set_ef(EF)
        labels, dists = index.knn_query(q, k=K, num_threads=1)
    else:
        index.nprobe = NPROBE
        dists, labels = index.search(q, K)
    return [int(i) for i in labels[0]], [float(d) for d in dists[0]]


def write_expected(ivf_raw, ivf_norm, hnsw_raw, hnsw_norm, raw, norm, scene_vec, crop_vec):
    """expected.json: each side's top-8 from the libraries, for comparisons 0-2."""
    sides = [
        ((ivf_raw, raw[DIGIT_ID]), (ivf_norm, norm[DIGIT_ID])),
        ((hnsw_raw, raw[DIGIT_ID]), (hnsw_norm, norm[DIGIT_ID])),
        ((ivf_raw, scene_vec[0]), (ivf_raw, crop_vec[0])),
    ]
    out = []
    for (li, lq), (ri, rq) in sides:
        entry = {}
        for side, index, query in (("left", li, lq), ("right", ri, rq)):
            ids, dists = search(index, query)
            entry[side] = {"ids": ids, "distances": dists}
        out.append(entry)
    write_json({"comparisons": out}, "expected.json")
    return out


def class_agreement(indexes, raw_q, norm_q, labels):
    """How many of the top-K share digit DIGIT_ID's class, per index (raw or norm query as fits)."""
    target = labels[DIGIT_ID]
    result = {}
    for name, (index, is_norm) in indexes.items():
        ids, _ = search(index, norm_q if is_norm else raw_q)
        result[name] = (sum(int(labels[i] == target) for i in ids), ids)
    return result


def exact_top_k(vectors, query):
    """Brute-force top-K ids by squared L2 (for comparison with the approximate indexes)."""
    d = ((vectors - np.asarray(query, dtype=np.float32)) ** 2).sum(axis=1)
    return np.argsort(d, kind="stable")[:K].tolist()


# --- main ---------------------------------------------------------------------

def main():
    digits = load_digits()
    images, labels = digits.images, digits.target
    raw = digits.data.astype(np.float32)
    norm = l2_normalise(raw)

    count = write_images(images)
    ivf_raw = build_ivf(raw, "raw-ivf.faiss")
    ivf_norm = build_ivf(norm, "norm-ivf.faiss")
    hnsw_raw = build_hnsw(raw, "raw.hnsw")
    hnsw_norm = build_hnsw(norm, "norm.hnsw")
    scene_vec, crop_vec, box = make_scene_and_crop(images)
    query_ids = write_queries(raw, norm, labels)
    write_spec()
    generate_quantized.main()
    expected = write_expected(ivf_raw, ivf_norm, hnsw_raw, hnsw_norm, raw, norm, scene_vec, crop_vec)

    print(f"digits: {count} images; digit {DIGIT_ID} has label {labels[DIGIT_ID]}")
    print(f"detected box (scene x0,y0,x1,y1 inclusive): {box}")
    print(f"sweep queries: {len(query_ids)} ids, {QUERIES_PER_CLASS} per class")
    names = ["IVF raw vs norm (digit 40)", "HNSW raw vs norm (digit 40)", "scene vs crop (IVF raw)"]
    for name, entry in zip(names, expected):
        print(f"  {name}: left {entry['left']['ids']}  right {entry['right']['ids']}")

    indexes = {"raw-ivf": (ivf_raw, False), "norm-ivf": (ivf_norm, True),
               "raw-hnsw": (hnsw_raw, False), "norm-hnsw": (hnsw_norm, True)}
    scene = class_agreement(indexes, scene_vec[0], l2_normalise(scene_vec)[0], labels)
    crop = class_agreement(indexes, crop_vec[0], l2_normalise(crop_vec)[0], labels)
    print(f"top-{K} results in class {labels[DIGIT_ID]} (scene vs crop):")
    for name in indexes:
        print(f"  {name:10s} scene {scene[name][0]}/{K}   crop {crop[name][0]}/{K}"
              f"   scene classes {[int(labels[i]) for i in scene[name][1]]}"
              f"   crop classes {[int(labels[i]) for i in crop[name][1]]}")
    for name, data, sq, cq in (("exact raw", raw, scene_vec[0], crop_vec[0]),
                               ("exact norm", norm, l2_normalise(scene_vec)[0], l2_normalise(crop_vec)[0])):
        s_ids, c_ids = exact_top_k(data, sq), exact_top_k(data, cq)
        print(f"  {name:10s} scene {sum(int(labels[i] == labels[DIGIT_ID]) for i in s_ids)}/{K}"
              f"   crop {sum(int(labels[i] == labels[DIGIT_ID]) for i in c_ids)}/{K}"
              f"   scene classes {[int(labels[i]) for i in s_ids]}"
              f"   crop classes {[int(labels[i]) for i in c_ids]}")
    exact_scene, exact_crop = exact_top_k(raw, scene_vec[0]), exact_top_k(raw, crop_vec[0])
    print(f"raw-ivf at nprobe {NPROBE} vs exact top-{K}: scene "
          f"{len(set(expected[2]['left']['ids']) & set(exact_scene))}/{K} found, crop "
          f"{len(set(expected[2]['right']['ids']) & set(exact_crop))}/{K} found")

    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({total / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()

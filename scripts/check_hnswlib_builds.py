#!/usr/bin/env python3
"""Check feder-report's hnswlib kernels against hnswlib 0.8.0 compiled for other CPUs, on this machine.

pip compiles hnswlib with -march=native, so the kernels the tool must reproduce depend on the CPU (and on
GCC's tuning for it). This script downloads hnswlib 0.8.0's source from PyPI, builds it once per target below
with -march=native replaced by that target's flags, and compares every distance the emulation
(Sources/CFederKernels, compiled here) gives for the matching build with the library's own, bit for bit, at
d = 1..149, 255, 256, 257, 1001 and 1024: L2, inner product, cosine normalisation (stored vectors) and cosine
search. Targets that need AVX-512 are skipped on a CPU without it. Not part of the test suite (it builds
hnswlib twelve times); run it after changing the kernels.

Usage (from the repository root):
    .venv/bin/python scripts/check_hnswlib_builds.py [--workdir /tmp/feder-hnswlib-builds] [--seeds 1 2 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile

# (name, the -march flags, the build it must match as feder_kernels.h names it)
TARGETS = [
    ("nehalem", "-march=nehalem", "sse"),
    ("sandybridge", "-march=sandybridge", "avx"),
    ("haswell", "-march=haswell", "avx2"),
    ("skylake", "-march=skylake", "avx2"),
    ("znver2", "-march=znver2", "avx2-zen"),
    ("znver3", "-march=znver3", "avx2-zen"),
    ("icelake-server", "-march=icelake-server", "avx512"),
    ("sapphirerapids", "-march=sapphirerapids", "avx512"),
    # GCC 12 does not know Emerald Rapids, Granite Rapids or newer Intel parts: -march=native guesses the arch
    # from the features and tunes generically.
    ("emeraldrapids-gcc12", "-march=cooperlake -mtune=generic", "avx512-generic"),
    ("arrowlake-gcc12", "-march=alderlake -mtune=generic", "avx2"),
    # GCC 12 does not know Zen 4; -march=native there means Zen 3 tuning plus the AVX-512 flags.
    ("zen4-gcc12", "-march=znver3 -mavx512f -mavx512cd -mavx512bw -mavx512dq -mavx512vl", "avx512-zen"),
]
BUILDS = {"sse": 0, "avx": 1, "avx2-zen": 2, "avx2": 3, "avx512": 4, "avx512-zen": 5, "avx512-generic": 6}

HARNESS = r'''
import ctypes, os, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
import hnswlib
assert hnswlib.__file__.startswith(sys.argv[1]), hnswlib.__file__
lib = ctypes.CDLL(sys.argv[3])
lib.feder_hnswlib_kernel.restype = ctypes.c_float
lib.feder_hnswlib_kernel.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
lib.feder_hnswlib_squared_norm.restype = ctypes.c_float
lib.feder_hnswlib_squared_norm.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
lib.feder_kernels_select.argtypes = [ctypes.c_int, ctypes.c_int]
build = int(sys.argv[2])
lib.feder_kernels_select(-1, build)
f32 = np.float32
def kernel(ip, q, x, d):
    return f32(lib.feder_hnswlib_kernel(build, int(ip), q.ctypes.data, x.ctypes.data, d))
def normalize(x):
    x = np.ascontiguousarray(x, dtype=np.float32)
    norm = f32(lib.feder_hnswlib_squared_norm(x.ctypes.data, x.shape[0]))
    return (x * (f32(1) / (np.sqrt(norm) + f32(1e-30)))).astype(np.float32)
def differ(a, b):
    return int((np.asarray(a, np.float32).view(np.uint32) != np.asarray(b, np.float32).view(np.uint32)).sum())
bad = 0
for seed in [int(s) for s in sys.argv[4].split(",")]:
    rng = np.random.default_rng(seed)
    for d in list(range(1, 150)) + [255, 256, 257, 1001, 1024]:
        n = 48
        xb = (rng.standard_normal((n, d)) * rng.uniform(0.01, 100)).astype(np.float32)
        q = rng.standard_normal(d).astype(np.float32)
        for space in ("l2", "ip"):
            index = hnswlib.BFIndex(space=space, dim=d)
            index.init_index(max_elements=n)
            index.add_items(xb, np.arange(n))
            labels, distances = index.knn_query(q[None], k=n)
            want = np.empty(n, np.float32)
            want[labels[0].astype(np.int64)] = distances[0]
            got = [kernel(space == "ip", q, xb[i], d) for i in range(n)]
            if space == "ip":
                got = [f32(1) - g for g in got]
            bad += differ(got, want)
        normalized = np.stack([normalize(x) for x in xb])
        index = hnswlib.Index(space="cosine", dim=d)
        index.init_index(max_elements=n, ef_construction=100, M=16, random_seed=seed)
        index.set_num_threads(1)
        index.add_items(xb, np.arange(n))
        bad += differ(np.array(index.get_items(np.arange(n)), np.float32), normalized)
        index.set_ef(n)
        labels, distances = index.knn_query(q[None], k=n)
        qn = normalize(q)
        bad += differ([f32(1) - kernel(1, qn, normalized[int(l)], d) for l in labels[0]], distances[0])
print(bad)
'''


def run(command, **kwargs):
    return subprocess.run(command, check=True, **kwargs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", default="/tmp/feder-hnswlib-builds")
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--only", nargs="+", default=None, help="check only these targets (by name)")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = args.workdir
    os.makedirs(work, exist_ok=True)

    venv = os.path.join(work, "venv")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        run([sys.executable, "-m", "venv", venv])
    run([python, "-m", "pip", "install", "-q", "numpy", "pybind11", "setuptools", "wheel"])
    source = os.path.join(work, "hnswlib-0.8.0")
    if not os.path.isdir(source):
        run([python, "-m", "pip", "download", "-q", "hnswlib==0.8.0", "--no-binary", "hnswlib", "--no-deps",
             "--no-build-isolation", "-d", work])
        with tarfile.open(os.path.join(work, "hnswlib-0.8.0.tar.gz")) as archive:
            archive.extractall(work)

    kernels = os.path.join(work, "libfederkernels.so")
    run(["clang", "-O2", "-shared", "-fPIC", "-I", os.path.join(root, "Sources/CFederKernels/include"),
         os.path.join(root, "Sources/CFederKernels/kernels.c"), "-o", kernels])
    avx512 = "avx512f" in open("/proc/cpuinfo").read()

    failures = 0
    for name, flags, build in TARGETS:
        if args.only and name not in args.only:
            continue
        if "avx512" in build and not avx512:
            print(f"{name:16} {build:11} skipped: this CPU has no AVX-512")
            continue
        copy = os.path.join(work, f"src-{name}")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(source, copy)
        setup = os.path.join(copy, "setup.py")
        text = open(setup).read()
        first, *extra = flags.split()
        assert "'-march=native'" in text and "compiler_flag_native]," in text, "setup.py no longer names -march=native"
        text = text.replace("'-march=native'", repr(first)).replace("compiler_flag_native],", f"compiler_flag_native] + {extra!r},")
        open(setup, "w").write(text)
        library = os.path.join(work, f"build-{name}")
        run([python, "setup.py", "build_ext", "--force", "--build-lib", library, "--build-temp", os.path.join(work, f"tmp-{name}")],
            cwd=copy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seeds = ",".join(map(str, args.seeds))
        out = run([python, "-c", HARNESS, library, str(BUILDS[build]), kernels, seeds], capture_output=True, text=True)
        mismatches = int(out.stdout.strip())
        failures += mismatches > 0
        print(f"{name:16} {build:11} {'exact' if mismatches == 0 else f'{mismatches} distances differ'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

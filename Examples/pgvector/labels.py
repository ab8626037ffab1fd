"""Writes digit-labels.txt: the digit (0-9) of each of scikit-learn's 1797 `load_digits()` images, line i for
row i of ../digits/base.npy (the same images). Run once with scikit-learn installed; the output is committed, so
building the example needs only numpy.
"""
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

here = Path(__file__).resolve().parent
digits = load_digits()
base = np.load(here.parent / "digits" / "base.npy")
assert np.array_equal(digits.data.astype("float32"), base), "base.npy is not load_digits()'s data"
(here / "digit-labels.txt").write_text("".join(f"{int(label)}\n" for label in digits.target))

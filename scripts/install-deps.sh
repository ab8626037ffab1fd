#!/usr/bin/env bash
# Install what feder-report needs on a Debian machine that already has Swift:
# the cairo / pango / turbojpeg / hdf5 / libpq development packages and poppler-utils (system),
# and the Python venv with faiss-cpu and hnswlib used by the fixture generator and the tests (and the
# PostgreSQL servers with pgvector that scripts/pgserver.sh runs for the pgvector tests).
#
# Usage: scripts/install-deps.sh            (idempotent; apt runs only when something is missing)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need_apt=()
pkg-config --exists cairo 2>/dev/null || need_apt+=(libcairo2-dev)
pkg-config --exists pangocairo 2>/dev/null || need_apt+=(libpango1.0-dev)
pkg-config --exists libturbojpeg 2>/dev/null || need_apt+=(libturbojpeg0-dev)
pkg-config --exists hdf5 2>/dev/null || need_apt+=(libhdf5-dev)
pkg-config --exists libpq 2>/dev/null || need_apt+=(libpq-dev)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
fc-list : family 2>/dev/null | grep -q "DejaVu Sans" || need_apt+=(fonts-dejavu-core fontconfig)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv python3-dev)

if [ ${#need_apt[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "install-deps: apt-get install ${need_apt[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

"$root/scripts/setup_venv.sh" "$root/.venv"

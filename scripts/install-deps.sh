#!/usr/bin/env bash
# Installs every Debian package keycomp needs to build, test and write reports.
# Idempotent: asks apt-get only for what is missing, and runs `apt-get update` only then.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --oracle also R + metafor (only to regenerate tests/oracle golden files)
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config ccache
  libeigen3-dev libboost-math-dev libceres-dev
  catch2 libcli11-dev nlohmann-json3-dev libfmt-dev
  libmuparser-dev libcairo2-dev
  chromium texlive-latex-base
  libxml2-dev libxml2-utils pandoc man-db
  pybind11-dev python3-dev python3-numpy python3-pytest python3-setuptools
  python3-dask python3-distributed
)
if [[ "${1:-}" == "--oracle" ]]; then
  packages+=(r-base-core r-cran-metafor r-cran-metadat)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

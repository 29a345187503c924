#!/usr/bin/env bash
# Install the Debian 12 packages WASP needs, only those missing.
#   scripts/deps.sh build   - compiler, meson, MPI, PETSc, HDF5, FFTW, Check, Random123
#   scripts/deps.sh test    - build + the independent references used by the tests
#                             (GLPK, POT, PyWavelets, h5py, numpy) and gnuplot for plots
set -euo pipefail
build_pkgs=(gcc pkg-config meson ninja-build openmpi-bin libopenmpi-dev petsc-dev
            libhdf5-openmpi-dev libfftw3-dev check librandom123-dev gnuplot-nox)
test_pkgs=(libglpk-dev python3 python3-numpy python3-h5py python3-pot python3-pywt)
want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"

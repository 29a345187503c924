#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and run the main job
# on its embedded default input: a small noise-sensitivity sweep on built-in
# images on 2 MPI ranks, printing a summary table and writing noise_demo.h5.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
bash scripts/build.sh
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
mpirun -n 2 build/wasp noise -options_file input/demo.opts "$@"

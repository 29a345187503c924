#!/bin/sh
# Benchmark of `wasp simulate` (issue 6): 10,000 projections of the 65^3
# 70S ribosome map at 128 x 128, one SNR, written to HDF5, on 2 ranks.
# Target: <= 60 s wall time on 2 cores.  Not a test: run by hand,
#   bench/bench_simulate.sh [BUILD_DIR] [OUT_DIR]
# prints the wall time, the per-phase times of -log_view, and exits 1 when
# the target is missed.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
out=${2:-$(mktemp -d /tmp/wasp-bench-XXXXXX)}
map=$here/../shared/data/ribosome70S_65.mrc
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
start=$(date +%s.%N)
mpirun -n 2 "$build/wasp" simulate -volume "$map" -n_images 10000 -box 128 -snr_list 1/16 \
  -seed 1 -o "$out/bench" -quiet -log_view :"$out/log.txt"
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc)
size=$(du -m "$out/bench_snr0.0625.h5" | cut -f1)
echo "wasp simulate: 10000 x 128^2 projections of ribosome70S_65.mrc on 2 ranks -> ${size} MB HDF5"
grep -E "^(WaspProject|WaspNoise|WaspGather|WaspWrite|WaspRead)" "$out/log.txt" |
  awk '{printf "  %-12s max %8.3f s\n", $1, $4}' || true
echo "wall time: ${secs} s (target <= 60 s)"
rm -f "$out/bench_snr0.0625.h5"
[ "$(echo "$secs <= 60" | bc)" = 1 ]

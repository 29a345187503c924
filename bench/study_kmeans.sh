#!/bin/sh
# The wemd-vs-L2 clustering study (issue 7; docs/results.md): simulated
# projections of the 70S ribosome map at 128 x 128, SNR 1/16, clustered with
# rotationally-invariant k-means (200 rotations) under wemd and under L2,
# judged by the within-cluster viewing-angle spread and occupancy evenness.
#   bench/study_kmeans.sh [BUILD_DIR] [N_IMAGES (2000)] [K (30)] [OUT_DIR]
# The paper's configuration is N_IMAGES=10000 K=150 (about 45 min on 2 cores here).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
n=${2:-2000}
k=${3:-30}
out=${4:-$(mktemp -d /tmp/wasp-study-XXXXXX)}
map=$here/../shared/data/ribosome70S_65.mrc
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
cd "$out"
mpirun -n 2 "$build/wasp" simulate -volume "$map" -n_images "$n" -box 128 -snr_list 1/16 -seed 2021 \
  -o study -quiet
for metric in wemd l2; do
  mpirun -n 2 "$build/wasp" kmeans -input study_snr0.0625.h5 -k "$k" -metric $metric -rotations 200 \
    -max_iter 30 -tol 1e-4 -seed 1 -checkpoint ckpt_$metric -o km_$metric.h5 -montage montage_$metric.png
done
"$build/wasp" evaluate -clusters km_wemd.h5,km_l2.h5 -truth study_snr0.0625.h5 -plots study
"$build/wasp" evaluate -clusters km_wemd.h5,km_l2.h5 -truth study_snr0.0625.h5 -json
echo "outputs in $out"

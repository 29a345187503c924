#!/bin/sh
# Benchmark of `wasp kmeans` (issue 7): the study configuration - simulated
# ribosome projections at 128 x 128, SNR 1/16, k = 150, 200 rotations, wemd -
# for three iterations on 2 ranks.  Not a test: run by hand,
#   bench/bench_kmeans.sh [BUILD_DIR] [N_IMAGES (10000)] [METRIC (wemd)] [OUT_DIR] [ITERATIONS (3)]
# prints seconds of seeding and per iteration, the seconds per
# image-centroid-rotation distance (per core: seconds x 2 cores / (n k m),
# for the seeding and for the searched iterations - iteration 1 reuses the
# seeding's search, docs/kmeans.md), and exits 1 when an iteration exceeds
# the 60 s target.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
n=${2:-10000}
metric=${3:-wemd}
out=${4:-$(mktemp -d /tmp/wasp-bench-XXXXXX)}
iters=${5:-3}
map=$here/../shared/data/ribosome70S_65.mrc
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
[ -f "$out/bench_snr0.0625.h5" ] || mpirun -n 2 "$build/wasp" simulate -volume "$map" -n_images "$n" -box 128 -snr_list 1/16 \
  -seed 2021 -o "$out/bench" -quiet
mpirun -n 2 "$build/wasp" kmeans -input "$out/bench_snr0.0625.h5" -k 150 -rotations 200 -metric "$metric" \
  -max_iter "$iters" -tol 0 -seed 1 -o "$out/km.h5" -json -log_view :"$out/log.txt" > "$out/km.json"
cat "$out/km.json"
grep -E "^(WaspCandidates|WaspGather|WaspAssign|WaspReduce|WaspRead|WaspWrite)" "$out/log.txt" |
  awk '{printf "  %-12s max %8.3f s\n", $1, $4}' || true
status=0
/usr/bin/python3 - "$out/km.h5" "$n" <<'PY' || status=$?
import sys, h5py
f = h5py.File(sys.argv[1]); n = int(sys.argv[2])
sec = f["seconds"][:]; k = int(f.attrs["k"]); m = int(f.attrs["rotations"])
seed = float(f.attrs["seed_seconds"]); searched = sec[1:] if sec.size > 1 else sec
print(f"seeding {seed:.1f} s; seconds per iteration: " + ", ".join(f"{s:.1f}" for s in sec))
per = lambda t: t * 2 / (n * k * m) * 1e6
print(f"per image-centroid-rotation distance (2 cores): seeding {per(seed):.3f} us-core, searched iterations "
      f"{per(searched.mean()):.3f} us-core ({f.attrs['distances_pruned'] / max(1, f.attrs['distances_full'] + f.attrs['distances_pruned']):.4f} of candidates pruned)")
sys.exit(0 if sec.max() <= 60 else 1)
PY
rm -f "$out/bench_snr0.0625.h5" "$out/km.h5"
exit $status

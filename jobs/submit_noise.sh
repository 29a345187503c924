#!/bin/bash
# Submit the sweep array and its merge (afterok on the whole array).
#   bash jobs/submit_noise.sh [sbatch options for the array, e.g. --array=0-7]
# Prints "ARRAY_ID MERGE_ID"; the result is $WASP_OUT/noise-ARRAY_ID/noise.h5.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
array=$(sbatch --parsable "$@" "$here/noise_sweep.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
        --export="ALL,WASP_SWEEP_ID=$array" "$here/noise_merge.sbatch")
echo "$array ${merge%%;*}"

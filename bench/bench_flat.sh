#!/bin/sh
# Seconds per flat distance between groups of 1,000 points in 5-D (issue 8).
# Usage: bench/bench_flat.sh BUILD/wasp [REPEATS]
# Five 1,000-point groups (tests/tools/make_flat_groups.py --sizes 1000,...,
# unit 200: masses 5 each) are compared pairwise (10 pairs); each distance is
# the exact LP with its certificate; the figure is the solver's own "seconds"
# (solve + certificate, excluding process start and file reading).
set -eu
WASP=${1:?usage: bench/bench_flat.sh BUILD/wasp [REPEATS]}
REPEATS=${2:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
G=${TMPDIR:-/tmp}/bench_flat_groups.h5
/usr/bin/python3 "$ROOT/tests/tools/make_flat_groups.py" "$G" --sizes 1000,1000,1000,1000,1000
OUT=$(
  r=0
  while [ "$r" -lt "$REPEATS" ]; do
    for i in 0 1 2 3 4; do
      for j in 0 1 2 3 4; do
        [ "$i" -lt "$j" ] || continue
        "$WASP" distance -options_file "$ROOT/input/flat_groups.opts" -a "$G:$i" -b "$G:$j" -json
      done
    done
    r=$((r + 1))
  done
)
echo "$OUT" | /usr/bin/python3 -c '
import json, sys
rs = [json.loads(l) for l in sys.stdin if l.strip()]
assert all(r["optimal"] for r in rs), "a flat LP lacks its certificate"
s = sorted(r["seconds"] for r in rs)
print("flat, 1000 vs 1000 points in 5-D: %d distances, seconds per distance: median %.3f, min %.3f, max %.3f, mean %.3f"
      % (len(s), s[len(s) // 2], s[0], s[-1], sum(s) / len(s)))
for r in rs: print("  value %.6f  pivots %d  seconds %.3f" % (r["value"], r["iterations"], r["seconds"]))
'

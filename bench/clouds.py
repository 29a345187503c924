#!/usr/bin/python3
"""Exact W_p between point clouds in R^d: WASP against POT's ot.emd2 on the
same clouds, in the same run (each solve in its own process, so its peak
memory is its own).

  /usr/bin/python3 bench/clouds.py [--points 500,1000,2000] [--dims 2,3] [--p 1,2]
                                   [--reps 3] [--pot-max 4000]

Each problem: two clouds of N points, each a mixture of four Gaussian
clusters at random centres in the unit cube, with random positive weights
normalised to mass 1 (files in WASP's HDF5 cloud format,
/measures/<k>/points and /weights).  Prints a markdown table: N, d, p, our
median seconds, POT's, the ratio, both peak MiB, the max relative
difference of the values; and the fitted exponent of each solver's time
versus N.  POT needs the dense N x N cost matrix (8 N^2 bytes; 128 MB at
4000 points), WASP prices arcs from the coordinates."""
import argparse
import json
import os
import statistics
import sys
import tempfile
import numpy as np
import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from solver import HERE, WASP, measured  # noqa: E402


def cloud(n, dim, rng):
    centres = rng.random((4, dim))
    pts = centres[rng.integers(0, 4, n)] + 0.08 * rng.standard_normal((n, dim))
    w = rng.random(n) + 0.05
    return pts, w / w.sum()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", default="500,1000,2000")
    ap.add_argument("--dims", default="2,3")
    ap.add_argument("--p", default="1,2")
    ap.add_argument("--reps", type=int, default=3, help="problems (random instances) per row")
    ap.add_argument("--pot-max", type=int, default=4000, help="largest N POT runs at")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print("| N | d | p | WASP s (median) | POT s (median) | POT/WASP | WASP MiB | POT MiB | max rel diff |")
    print("|---|---|---|---|---|---|---|---|---|")
    tmp = tempfile.mkdtemp(prefix="wasp-clouds-")
    fits = {}
    for n in [int(s) for s in args.points.split(",")]:
        for dim in [int(s) for s in args.dims.split(",")]:
            for p in [float(s) for s in args.p.split(",")]:
                rng = np.random.default_rng(args.seed + 7919 * n + dim)
                ours, theirs, om, tm, diffs = [], [], 0.0, 0.0, []
                for _ in range(args.reps):
                    (X, a), (Y, b) = cloud(n, dim, rng), cloud(n, dim, rng)
                    h5 = os.path.join(tmp, "c.h5")
                    with h5py.File(h5, "w") as f:
                        for k, (P, w) in enumerate(((X, a), (Y, b))):
                            f[f"measures/{k}/points"] = P
                            f[f"measures/{k}/weights"] = w
                    out, mem = measured([WASP, "distance", "-a", h5 + ":0", "-b", h5 + ":1", "-metric", "wp",
                                         "-p", str(p), "-json"])
                    res = json.loads(out.strip().splitlines()[-1])
                    assert res["optimal"], res
                    ours.append(res["seconds"]); om = max(om, mem)
                    if n <= args.pot_max:
                        npz = os.path.join(tmp, "c.npz")
                        np.savez(npz, X=X, Y=Y, a=a, b=b, p=p)
                        out, mem = measured(["/usr/bin/python3", os.path.join(HERE, "pot_solve.py"), npz])
                        pr = json.loads(out)
                        theirs.append(pr["seconds"]); tm = max(tm, mem)
                        diffs.append(abs(res["value"] - pr["value"]) / max(abs(pr["value"]), 1e-300))
                mo = statistics.median(ours)
                mt = statistics.median(theirs) if theirs else None
                fits.setdefault(("WASP", dim, p), []).append((n, mo))
                if mt:
                    fits.setdefault(("POT", dim, p), []).append((n, mt))
                print(f"| {n} | {dim} | {p:g} | {mo:.4f} | {'%.4f' % mt if mt else '-'} | "
                      f"{'%.3g' % (mt / mo) if mt else '-'} | {om:.0f} | {'%.0f' % tm if mt else '-'} | "
                      f"{'%.1e' % max(diffs) if diffs else '-'} |", flush=True)
    print()
    for (who, dim, p), pts in fits.items():
        if len(pts) >= 2:
            e = np.polyfit(np.log([q[0] for q in pts]), np.log([q[1] for q in pts]), 1)[0]
            print(f"fitted exponent of time vs N, {who}, d={dim} p={p:g}: {e:.2f}")


if __name__ == "__main__":
    main()

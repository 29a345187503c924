#!/usr/bin/python3
"""Write the five-group study's point clouds (issue 8) as HDF5 for `wasp`.

Five Gaussian groups in 5-D with different sizes and spreads, in the layout
the io module reads with FILE:INDEX: /measures/<k>/points [n, 5] and
/measures/<k>/weights [n].  Every point weighs 1/unit, so a group's total mass
is its size / unit: mass counts (cells, say), which the flat metric sees and
W1 between normalised groups does not.

  group  size  mean             spread  (mass with unit 200)
    1     200  0                 0.5     1
    2    1000  0.25 e1           0.5     5   same shape as 1, 5x the size
    3     200  7 e2              1.0     1
    4    1000  7 e3              1.0     5
    5     200  10 e4             1.5     1

Groups 1 and 2 are near in W1 (only the 0.25 shift) but far in flat (mass
difference 4); group 3 is far from 1 in W1 (~7) yet, at flat distance
|mu|+|nu| = 2, closer to 1 than 2 is.

Usage: make_flat_groups.py OUT.h5 [--seed S] [--unit U] [--sizes n1,n2,...]
(--sizes overrides the group sizes, e.g. 1000,1000,... for the benchmark).
"""
import argparse
import os

import h5py
import numpy as np

MEANS = [np.zeros(5), 0.25 * np.eye(5)[0], 7 * np.eye(5)[1], 7 * np.eye(5)[2], 10 * np.eye(5)[3]]
SPREADS = [0.5, 0.5, 1.0, 1.0, 1.5]
SIZES = [200, 1000, 200, 1000, 200]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--unit", type=float, default=200.0, help="points per unit of mass")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    if len(sizes) != 5 or min(sizes) < 1:
        ap.error(f"--sizes {a.sizes}: give five positive group sizes")
    rng = np.random.default_rng(a.seed)
    tmp = a.out + ".tmp.%d" % os.getpid()  # never leave a half-written file
    with h5py.File(tmp, "w") as f:
        for k, (mu, sd, n) in enumerate(zip(MEANS, SPREADS, sizes)):
            f[f"/measures/{k}/points"] = mu + sd * rng.standard_normal((n, 5))
            f[f"/measures/{k}/weights"] = np.full(n, 1.0 / a.unit)
        f.attrs["generator"] = "tests/tools/make_flat_groups.py --seed %d --unit %g --sizes %s" % (
            a.seed, a.unit, a.sizes)
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()

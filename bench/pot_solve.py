"""One POT solve in its own process (so its peak memory is its own):
reads a problem written by solver.py (an n x n image pair) or clouds.py
(point clouds X, Y), prints JSON {seconds, value}."""
import json
import os
import sys
import time
import numpy as np
import ot

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import cost_matrix  # noqa: E402

d = np.load(sys.argv[1])
a, b, p = d["a"], d["b"], float(d["p"])
if "X" in d:
    X, Y = d["X"], d["Y"]
    C = np.sqrt(np.maximum(((X[:, None, :] - Y[None, :, :]) ** 2).sum(axis=2), 0.0)) ** p
else:
    C = cost_matrix(int(d["n"]), p, bool(d["torus"]))
t0 = time.perf_counter()
cost = ot.emd2(np.ascontiguousarray(a), np.ascontiguousarray(b), C, numItermax=2**31 - 1)
print(json.dumps({"seconds": time.perf_counter() - t0, "value": float(cost) ** (1 / p)}))

"""One POT solve in its own process (so its peak memory is its own):
reads a problem written by solver.py, prints JSON {seconds, value}."""
import json
import os
import sys
import time
import numpy as np
import ot

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import cost_matrix  # noqa: E402

d = np.load(sys.argv[1])
a, b, n, p, torus = d["a"], d["b"], int(d["n"]), float(d["p"]), bool(d["torus"])
C = cost_matrix(n, p, torus)
t0 = time.perf_counter()
cost = ot.emd2(np.ascontiguousarray(a), np.ascontiguousarray(b), C, numItermax=2**31 - 1)
print(json.dumps({"seconds": time.perf_counter() - t0, "value": float(cost) ** (1 / p)}))

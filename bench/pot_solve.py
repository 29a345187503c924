"""One POT solve in its own process (so its peak memory is its own):
reads a problem written by solver.py, prints JSON {seconds, value}."""
import json
import sys
import time
import numpy as np
import ot

d = np.load(sys.argv[1])
a, b, n, p, torus = d["a"], d["b"], int(d["n"]), float(d["p"]), bool(d["torus"])
I, J = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
I, J = I.ravel(), J.ravel()
dy = np.abs(I[:, None] - I[None, :]).astype(np.float64)
dx = np.abs(J[:, None] - J[None, :]).astype(np.float64)
if torus:
    dy = np.minimum(dy, n - dy)
    dx = np.minimum(dx, n - dx)
C = np.ascontiguousarray((np.sqrt(dy * dy + dx * dx) / n) ** p)
del dy, dx, I, J
t0 = time.perf_counter()
cost = ot.emd2(np.ascontiguousarray(a), np.ascontiguousarray(b), C, numItermax=2**31 - 1)
print(json.dumps({"seconds": time.perf_counter() - t0, "value": float(cost) ** (1 / p)}))

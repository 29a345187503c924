"""What the benchmarks share: where the `wasp` binary is, the MPI environment
for running it as root on 2 cores, and the dense ground-cost matrix POT needs
for an n x n image in WASP's geometry (pixel (i, j) at (i/n, j/n), optional
torus wrap), so both solvers see the same problem."""
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MPIENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
              OMPI_MCA_rmaps_base_oversubscribe="1")


def default_wasp():
    """$WASP, else build-bench/wasp, else build/wasp."""
    if os.environ.get("WASP"):
        return os.environ["WASP"]
    for b in ("build-bench", "build"):
        p = os.path.join(ROOT, b, "wasp")
        if os.path.exists(p):
            return p
    return os.path.join(ROOT, "build", "wasp")


def cost_matrix(n, p, torus):
    I, J = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    I, J = I.ravel(), J.ravel()
    dy = np.abs(I[:, None] - I[None, :]).astype(np.float64)
    dx = np.abs(J[:, None] - J[None, :]).astype(np.float64)
    if torus:
        dy = np.minimum(dy, n - dy)
        dx = np.minimum(dx, n - dx)
    return np.ascontiguousarray((np.sqrt(dy * dy + dx * dx) / n) ** p)

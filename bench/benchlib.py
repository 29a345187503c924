"""What the benchmarks share: where the `wasp` binary is, the MPI environment
for running it as root on 2 cores, and the dense ground-cost matrix POT needs
for an n x n image in WASP's geometry (pixel (i, j) at (i/n, j/n), optional
torus wrap), so both solvers see the same problem."""
import os
import resource
import subprocess
import time

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


def timed_run(cmd):
    """Run an mpirun command line with MPIENV; returns (CompletedProcess, wall
    seconds, CPU seconds of all its processes, 1-minute load before it)."""
    load = os.getloadavg()[0]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=MPIENV, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return p, wall, cpu, load

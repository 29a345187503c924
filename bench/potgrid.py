"""The dense ground-cost matrix POT needs for an n x n image, in WASP's
geometry (pixel (i, j) at (i/n, j/n), optional torus wrap): shared by the
benchmarks so both solvers see the same problem."""
import numpy as np


def cost_matrix(n, p, torus):
    I, J = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    I, J = I.ravel(), J.ravel()
    dy = np.abs(I[:, None] - I[None, :]).astype(np.float64)
    dx = np.abs(J[:, None] - J[None, :]).astype(np.float64)
    if torus:
        dy = np.minimum(dy, n - dy)
        dx = np.minimum(dx, n - dx)
    return np.ascontiguousarray((np.sqrt(dy * dy + dx * dx) / n) ** p)

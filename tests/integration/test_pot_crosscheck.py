"""Random problems through `wasp distance` against POT's exact network
simplex (Debian python3-pot): W_p on grid and torus, signed with zero-sum
noise, signed -normalize with i.i.d. noise; values to 1e-9 relative."""
import os
import numpy as np
from wasp_test import run_json, expect, close, tmpdir, finish, need

ot = need("ot")
d = tmpdir()
j = lambda name: os.path.join(d, name)


def cost(n, p, torus):
    I, J = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    I, J = I.ravel(), J.ravel()
    dy = np.abs(I[:, None] - I[None, :]); dx = np.abs(J[:, None] - J[None, :])
    if torus:
        dy = np.minimum(dy, n - dy); dx = np.minimum(dx, n - dx)
    return np.ascontiguousarray((np.hypot(dy, dx) / n) ** p)


def pot_wp(a, b, C, p):
    return ot.emd2(np.ascontiguousarray(a), np.ascontiguousarray(b), C, numItermax=10**9) ** (1 / p)


rng = np.random.default_rng(11)
k = 0
for n in (8, 12, 16):
    for p in (1, 2, 3):
        for torus in (False, True):
            k += 1
            C = cost(n, p, torus)
            A = rng.random((n, n)) * (rng.random((n, n)) < 0.6)
            B = rng.random((n, n)) * (rng.random((n, n)) < 0.6)
            A[0, 0] += 0.1; B[-1, -1] += 0.1
            fa, fb = j(f"a{k}.csv"), j(f"b{k}.csv")
            np.savetxt(fa, A, delimiter=","); np.savetxt(fb, B, delimiter=",")
            args = ["distance", "-a", fa, "-b", fb, "-p", p] + (["-torus"] if torus else [])
            r = run_json(args + ["-metric", "wp"])
            want = pot_wp(A.ravel() / A.sum(), B.ravel() / B.sum(), C, p)
            expect(close(r["value"], want, 1e-9) and r["optimal"],
                   f"wp n={n} p={p} torus={torus}: {r['value']:.15g} vs POT {want:.15g}")
            # Signed, zero-sum noise on both sides (masses stay equal).
            mu = rng.random((n, n)); mu /= mu.sum()
            e1 = rng.normal(0, 0.01, (n, n)); e1 -= e1.mean()
            e2 = rng.normal(0, 0.01, (n, n)); e2 -= e2.mean()
            x, y = mu + e1, mu + e2
            np.savetxt(fa, x, delimiter=","); np.savetxt(fb, y, delimiter=",")
            x, y = np.loadtxt(fa, delimiter=","), np.loadtxt(fb, delimiter=",")
            S = np.maximum(x, 0) + np.maximum(-y, 0); T = np.maximum(y, 0) + np.maximum(-x, 0)
            T = T * S.sum() / T.sum()
            r = run_json(args + ["-metric", "signed"])
            want = ot.emd2(np.ascontiguousarray(S.ravel()), np.ascontiguousarray(T.ravel()), C, numItermax=10**9) ** (1 / p)
            expect(close(r["value"], want, 1e-9) and close(r["mass"], S.sum(), 1e-12),
                   f"signed n={n} p={p} torus={torus}: {r['value']:.15g} vs POT {want:.15g}, mass {r['mass']:.6g}")
            # Signed -normalize, i.i.d. noise (unequal masses).
            x = mu + rng.normal(0, 0.01, (n, n)); y = mu + rng.normal(0, 0.01, (n, n))
            np.savetxt(fa, x, delimiter=","); np.savetxt(fb, y, delimiter=",")
            x, y = np.loadtxt(fa, delimiter=","), np.loadtxt(fb, delimiter=",")
            S = np.maximum(x, 0) + np.maximum(-y, 0); T = np.maximum(y, 0) + np.maximum(-x, 0)
            r = run_json(args + ["-metric", "signed", "-normalize"])
            want = pot_wp(S.ravel() / S.sum(), T.ravel() / T.sum(), C, p)
            expect(close(r["value"], want, 1e-9), f"signed -normalize n={n} p={p} torus={torus}: {r['value']:.15g} vs POT {want:.15g}")
finish()

"""End-to-end tests of -metric flat, tv, uot-kl and sliced through `wasp distance`.

Truths are independent of WASP: POT's ot.emd2 on the dummy-node problem of
../shared/notes/flat-metric.md (flat, tv), POT's
ot.unbalanced.sinkhorn_unbalanced2 (uot-kl, which returns <C, pi>), and the
1-D quantile formula written here (sliced in 1-D equals W_p).  Inputs are
HDF5 point clouds in the /measures/<k>/points, /weights layout, read with
FILE:INDEX.  Runs on 1 and 2 ranks (rank 0 solves; the result must not depend
on the rank count).  Skips with a reason when numpy, h5py or POT is missing.
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import h5py
except ImportError as e:  # pragma: no cover
    print(f"SKIP: numpy/h5py not importable under {sys.executable}: {e}")
    sys.exit(77)
try:
    import ot
except ImportError as e:  # pragma: no cover
    ot = None
    print(f"note: POT not importable ({e}); POT cross-checks are skipped")

WASP = os.environ["WASP"]
FAILS = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        FAILS.append(msg)


def run(args, nproc=1, expect_ok=True):
    cmd = ["mpirun", "-n", str(nproc), WASP, "distance"] + args + ["-json"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if expect_ok:
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{p.stderr}")
        return json.loads(p.stdout.strip().splitlines()[-1])
    return p


def write_clouds(path, clouds):
    with h5py.File(path, "w") as f:
        for k, (x, w) in enumerate(clouds):
            f[f"/measures/{k}/points"] = np.asarray(x, dtype=np.float64)
            f[f"/measures/{k}/weights"] = np.asarray(w, dtype=np.float64)


def dist(x, y):
    return np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))


def pot_tv(x, a, y, b, lam):
    """The dummy-node LP: costs min(d, 2 lam), lam to/from a dummy, 0 dummy-dummy."""
    C = np.full((len(a) + 1, len(b) + 1), lam)
    C[:-1, :-1] = np.minimum(dist(x, y), 2 * lam)
    C[-1, -1] = 0.0
    aa = np.append(a, b.sum())
    bb = np.append(b, a.sum())
    return ot.emd2(aa, bb, C, numItermax=10**7)


def main():
    rng = np.random.default_rng(2024)
    tmp = tempfile.mkdtemp(prefix="wasp_unb_")
    h5 = os.path.join(tmp, "clouds.h5")
    clouds = []
    for k in range(6):
        dim = 3
        n = 15 + 4 * k
        x = rng.normal(scale=0.3 + 0.2 * (k % 3), size=(n, dim)) + 0.4 * k
        w = rng.uniform(0.2, 1.0, size=n) * (1.0 + k % 2) / n * 3
        clouds.append((x, w))
    write_clouds(h5, clouds)

    # flat / tv against POT's emd2 on the dummy-node problem, 1 and 2 ranks
    for (i, j, lam) in [(0, 1, 1.0), (2, 5, 1.0), (1, 4, 0.3), (3, 0, 2.5)]:
        metric = "flat" if lam == 1.0 else "tv"
        args = ["-a", f"{h5}:{i}", "-b", f"{h5}:{j}", "-metric", metric, "-tol", "1e-11"]
        if metric == "tv":
            args += ["-lambda", str(lam)]
        for nproc in (1, 2):
            r = run(args, nproc)
            check(r["optimal"], f"{metric} {i}-{j} lambda {lam} on {nproc} ranks: certified optimal")
            if ot is not None:
                (x, a), (y, b) = clouds[i], clouds[j]
                want = pot_tv(x, a, y, b, lam)
                check(abs(r["value"] - want) <= 1e-9 * max(1.0, want),
                      f"{metric} {i}-{j} lambda {lam} on {nproc} ranks: {r['value']:.12g} vs POT {want:.12g}")

    # uot-kl against POT's sinkhorn_unbalanced2 (<C, pi>), C = d^p
    if ot is not None:
        for (i, j, eps, tau, p) in [(0, 1, 0.1, 1.0, 2.0), (2, 3, 0.05, 0.5, 1.0), (4, 5, 0.5, 5.0, 2.0)]:
            (x, a), (y, b) = clouds[i], clouds[j]
            C = dist(x, y) ** p
            want = float(ot.unbalanced.sinkhorn_unbalanced2(a, b, C, eps, tau, numItermax=200000,
                                                            stopThr=1e-14)[0])
            r = run(["-a", f"{h5}:{i}", "-b", f"{h5}:{j}", "-metric", "uot-kl", "-epsilon", str(eps),
                     "-tau", str(tau), "-p", str(p), "-tol", "1e-12"])
            check(abs(r["value"] - want) <= 1e-7 * max(1.0, abs(want)),
                  f"uot-kl {i}-{j} eps {eps} tau {tau} p {p}: {r['value']:.12g} vs POT {want:.12g}")
    else:
        print("SKIP uot-kl cross-check: POT (python3-pot) is not importable")

    # sliced in 1-D is exact W_p: the quantile formula written here
    h1 = os.path.join(tmp, "line.h5")
    xa, xb = rng.normal(size=(30, 1)), rng.normal(loc=0.7, size=(45, 1)) * 1.5
    wa, wb = rng.uniform(0.1, 1, 30), rng.uniform(0.1, 1, 45)
    write_clouds(h1, [(xa, wa), (xb, wb)])
    for p in (1.0, 2.0):
        def quantiles(x, w):
            o = np.argsort(x[:, 0])
            return x[o, 0], np.cumsum(w[o]) / w.sum()
        pa, ca = quantiles(xa, wa)
        pb, cb = quantiles(xb, wb)
        ts = np.unique(np.r_[0.0, ca, cb].clip(0, 1))
        mid = 0.5 * (ts[1:] + ts[:-1])
        qa = pa[np.minimum(np.searchsorted(ca, mid), len(pa) - 1)]
        qb = pb[np.minimum(np.searchsorted(cb, mid), len(pb) - 1)]
        want = (np.sum(np.diff(ts) * np.abs(qa - qb) ** p)) ** (1 / p)
        r = run(["-a", f"{h1}:0", "-b", f"{h1}:1", "-metric", "sliced", "-p", str(p), "-directions", "3"])
        check(abs(r["value"] - want) <= 1e-9 * want, f"sliced 1-D p {p}: {r['value']:.12g} vs {want:.12g}")

    # same seed -> same sliced value on 1 and 2 ranks
    r1 = run(["-a", f"{h5}:0", "-b", f"{h5}:1", "-metric", "sliced", "-seed", "7"], 1)
    r2 = run(["-a", f"{h5}:0", "-b", f"{h5}:1", "-metric", "sliced", "-seed", "7"], 2)
    check(r1["value"] == r2["value"], "sliced: same -seed, same value on 1 and 2 ranks")

    # bad options: every rank stops, the message names the option and value
    for args, key in [(["-metric", "tv", "-lambda", "-1"], "-lambda -1"),
                      (["-metric", "flat", "-lambda", "3"], "-lambda 3"),
                      (["-metric", "uot-kl", "-epsilon", "0"], "-epsilon 0"),
                      (["-metric", "sliced", "-directions", "0"], "-directions 0"),
                      (["-metric", "sliced", "-equispaced"], "-equispaced")]:
        p = run(["-a", f"{h5}:0", "-b", f"{h5}:1"] + args, 2, expect_ok=False)
        check(p.returncode != 0 and key in p.stderr, f"{' '.join(args)}: fails naming '{key}'")

    if FAILS:
        print(f"{len(FAILS)} failure(s)")
        sys.exit(1)
    print("all unbalanced/sliced integration checks passed")


if __name__ == "__main__":
    main()

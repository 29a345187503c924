"""`wasp distance` end to end against closed forms: Dirac to Dirac, a torus
translation, 1-D quantile formulas, the signed cost not divided by its mass;
plus -options_file, -help, -log_view and the -plan HDF5 file with its plan and
optimal dual, checked against the dense LP."""
import json
import os
import numpy as np
import h5py
from wasp_test import run, run_json, expect, close, tmpdir, finish

d = tmpdir()
j = lambda name: os.path.join(d, name)


def save(name, img):
    np.savetxt(j(name), img, delimiter=",")
    return j(name)


n = 16
A = np.zeros((n, n)); A[3, 4] = 1
B = np.zeros((n, n)); B[10, 12] = 1
a, b = save("dA.csv", A), save("dB.csv", B)
dist = np.hypot(7, 8) / n
for p in (1, 2, 3, 1.5):
    r = run_json(["distance", "-a", a, "-b", b, "-metric", "wp", "-p", p])
    expect(close(r["value"], dist, 1e-12), f"Dirac to Dirac W_{p} = |x-y| = {dist:.6g} (got {r['value']:.15g})")
    expect(r["optimal"] and r["duality_gap"] <= 1e-12 and r["min_reduced_cost"] >= -1e-12, f"certificate W_{p}")
# Torus: the short way round, (16-7, 16-8) -> (7, 8) wraps to (9?)- compute by hand.
tor = np.hypot(min(7, n - 7), min(8, n - 8)) / n
r = run_json(["distance", "-a", a, "-b", b, "-metric", "wp", "-p", 2, "-torus"])
expect(close(r["value"], tor, 1e-12), f"torus Dirac distance {tor:.6g} (got {r['value']:.15g})")
# Pixel units.
r = run_json(["distance", "-a", a, "-b", b, "-metric", "wp", "-p", 1, "-spacing", 1])
expect(close(r["value"], np.hypot(7, 8), 1e-12), "-spacing 1 measures in pixels")

# A translated image on the torus: W_p = shift length for every p when both
# supports fit in a box narrower than half the period (there the torus
# distance is Euclidean, and <x, v/|v|> extends to a 1-Lipschitz function on
# the torus, so W_1 >= |v| while translation gives W_p <= |v|).  The support
# straddles the wrap-around edge so the periodic distance is exercised.
rng0 = np.random.default_rng(2)
img = np.zeros((n, n)); img[0:3, 0:3] = rng0.random((3, 3)) + 0.1
img = np.roll(np.roll(img, -1, axis=0), -1, axis=1)  # rows/cols 15, 0, 1
img /= img.sum()
shifted = np.roll(np.roll(img, 3, axis=0), -5, axis=1)
s1, s2 = save("img.csv", img), save("shift.csv", shifted)
for p in (1, 2, 3):
    r = run_json(["distance", "-a", s1, "-b", s2, "-metric", "wp", "-p", p, "-torus"])
    expect(close(r["value"], np.hypot(3, 5) / n, 1e-9), f"torus translation W_{p} = {np.hypot(3,5)/n:.6g} (got {r['value']:.12g})")

# 1-D: a 1 x n image against the quantile formula.
rng = np.random.default_rng(5)
u = rng.random(24) + 0.05; v = rng.random(24) + 0.05
u /= u.sum(); v /= v.sum()
pa, pb = save("u.csv", u[None, :]), save("v.csv", v[None, :])


def quantile_wp(u, v, p):
    cu, cv = np.cumsum(u), np.cumsum(v)
    ts = np.unique(np.concatenate([[0], cu, cv]))
    ts = ts[ts <= 1]
    tot = 0.0
    for t0, t1 in zip(ts[:-1], ts[1:]):
        tm = 0.5 * (t0 + t1)
        xi = np.searchsorted(cu, tm); yi = np.searchsorted(cv, tm)
        tot += (t1 - t0) * abs(xi - yi) ** p
    return (tot / len(u) ** p) ** (1 / p)


for p in (1, 2, 3):
    r = run_json(["distance", "-a", pa, "-b", pb, "-metric", "wp", "-p", p])
    q = quantile_wp(u, v, p)
    expect(close(r["value"], q, 1e-9), f"1-D W_{p} equals the quantile formula {q:.12g} (got {r['value']:.12g})")

# Signed cost of mass C, not divided by C: a = delta_x + eps, b = delta_y + eps'
# with a zero-sum perturbation; here a hand case: a = 2 d0 - d1, b = d2 (sum 1 each).
Sa = np.zeros((1, 8)); Sa[0, 0] = 2; Sa[0, 1] = -1
Sb = np.zeros((1, 8)); Sb[0, 5] = 1
sa, sb = save("sa.csv", Sa), save("sb.csv", Sb)
# S = a+ + b- = 2 d0, T = b+ + a- = d5 + d1: move 1 from 0 to 5 (5/8) and 1 from 0 to 1 (1/8).
for p in (1, 2):
    want = ((5 / 8) ** p + (1 / 8) ** p) ** (1 / p)
    r = run_json(["distance", "-a", sa, "-b", sb, "-metric", "signed", "-p", p])
    expect(close(r["value"], want, 1e-12) and close(r["mass"], 2, 1e-12),
           f"signed W_{p} of mass C=2 is {want:.6g} (got {r['value']:.12g}, mass {r['mass']})")
    # normalized: S/2 and T/2 -> cost halves
    wn = (((5 / 8) ** p + (1 / 8) ** p) / 2) ** (1 / p)
    r = run_json(["distance", "-a", sa, "-b", sb, "-metric", "signed", "-p", p, "-normalize"])
    expect(close(r["value"], wn, 1e-12), f"signed -normalize W_{p} = {wn:.6g} (got {r['value']:.12g})")

# L2, not normalised.
r = run_json(["distance", "-a", s1, "-b", s2, "-metric", "l2"])
expect(close(r["value"], np.sqrt(((img - shifted) ** 2).sum()), 1e-12), "l2 is the plain Euclidean norm")

# Options file, -help, -log_view.
with open(j("opts"), "w") as f:
    f.write(f"-a {s1}\n-b {s2}\n-metric wp\n-p 2\n-torus\n")
r = run_json(["distance", "-options_file", j("opts")])
expect(close(r["value"], np.hypot(3, 5) / n, 1e-9) and r["torus"], "-options_file supplies the options")
h = run(["distance", "-help"], check=True)
for opt in ("-a", "-b", "-metric", "-p", "-torus", "-normalize", "-spacing", "-json", "-plan", "-tol",
            "-quiet", "-progress_interval"):
    expect(opt in h.stdout, f"-help lists {opt}")
expect("wp" in h.stdout and "1." in h.stdout, "-help shows defaults")
lv = run(["distance", "-a", s1, "-b", s2, "-log_view"], check=True)
for ev in ("WaspRead", "WaspSolve"):
    expect(ev in lv.stdout, f"-log_view shows event {ev}")

# -plan: an HDF5 file whose marginals are the normalised inputs.
for ranks in (1, 2):
    out = j(f"plan{ranks}.h5")
    run(["distance", "-a", s1, "-b", s2, "-metric", "wp", "-p", 2, "-torus", "-plan", out], ranks=ranks, check=True)
    with h5py.File(out) as f:
        src, dst, m = f["plan/source"][:], f["plan/target"][:], f["plan/mass"][:]
        ra = np.bincount(src, weights=m, minlength=n * n)
        rb = np.bincount(dst, weights=m, minlength=n * n)
        expect(np.abs(ra - img.ravel()).max() < 1e-12 and np.abs(rb - shifted.ravel()).max() < 1e-12,
               f"{ranks} rank(s): plan marginals equal the inputs")
        expect(close(f.attrs["value"], np.hypot(3, 5) / n, 1e-9), "plan file records the value")

# -plan also holds the optimal dual: the certificate, checked here from the
# file alone against the dense LP built in numpy (dual feasibility on every
# arc, the dual objective equal to the plan's cost, the plan only on tight
# arcs).  W_p (p = 2 torus; p = 1, the difference path), signed (p = 1;
# p = 1.5 torus), flat (capped cost, dummy sites -1), and a point cloud.
m_ = 9
rng3 = np.random.default_rng(5)
P = rng3.random((m_, m_)) * (rng3.random((m_, m_)) < 0.7)
Q = rng3.random((m_, m_)) * (rng3.random((m_, m_)) < 0.7)
P[0, 0] += 0.1; Q[-1, -1] += 0.1
fp, fq = save("dualP.csv", P), save("dualQ.csv", Q)
fz = save("dualZ.csv", Q - Q.mean() + P.mean())  # equal total mass: signed without -normalize
cloud = j("dual_cloud.h5")
with h5py.File(cloud, "w") as f:
    for k in range(2):
        g = f.create_group(f"measures/{k}")
        g["points"] = rng3.random((25, 3))
        g["weights"] = rng3.random(25) + 0.1


def grid_cost(p, torus):
    I, J = np.meshgrid(np.arange(m_), np.arange(m_), indexing="ij")
    I, J = I.ravel(), J.ravel()
    dy = np.abs(I[:, None] - I[None, :]); dx = np.abs(J[:, None] - J[None, :])
    if torus:
        dy = np.minimum(dy, m_ - dy); dx = np.minimum(dx, m_ - dx)
    return (np.hypot(dy, dx) / m_) ** p


with h5py.File(cloud) as f:
    X, Y = f["measures/0/points"][:], f["measures/1/points"][:]
cloud_cost = np.linalg.norm(X[:, None, :] - Y[None, :, :], axis=2) ** 2
cases = [("wp p=2 torus", fp, fq, ["-metric", "wp", "-p", 2, "-torus"], grid_cost(2, True), None),
         ("wp p=1", fp, fq, ["-metric", "wp", "-p", 1], grid_cost(1, False), None),
         ("signed p=1", fp, fz, ["-metric", "signed", "-p", 1], grid_cost(1, False), None),
         ("signed p=1.5 torus", fp, fz, ["-metric", "signed", "-p", 1.5, "-torus"], grid_cost(1.5, True), None),
         ("flat", fp, fq, ["-metric", "flat"], np.minimum(grid_cost(1, False), 2.0), 1.0),
         ("cloud wp p=2", cloud + ":0", cloud + ":1", ["-metric", "wp", "-p", 2], cloud_cost, None)]
for name, fa, fb, args, C, lam in cases:
    out = j("dual.h5")
    r = run_json(["distance", "-a", fa, "-b", fb, "-plan", out] + args)

    def c(i, k):  # the LP's cost, dummy site -1 included (flat)
        if i < 0 or k < 0:
            return 0.0 if i < 0 and k < 0 else lam
        return C[i, k]

    with h5py.File(out) as f:
        ss, sm, u = f["dual/source_site"][:], f["dual/source_mass"][:], f["dual/u"][:]
        ts, tm, v = f["dual/target_site"][:], f["dual/target_mass"][:], f["dual/v"][:]
        ps, pt, pm = f["plan/source"][:], f["plan/target"][:], f["plan/mass"][:]
        lp = f.attrs["lp_cost"]
    M = np.array([[c(i, k) for k in ts] for i in ss])
    scale = np.abs(M).max()
    rc = M - u[:, None] - v[None, :]
    primal = float(sum(w * c(i, k) for i, k, w in zip(ps, pt, pm)))
    dual = float(sm @ u + tm @ v)
    si = {s_: x for x, s_ in enumerate(ss)}; ti = {s_: x for x, s_ in enumerate(ts)}
    on_plan = max(abs(rc[si[i], ti[k]]) for i, k in zip(ps, pt))
    expect(rc.min() >= -1e-12 * scale, f"dual of {name}: u_i + v_j <= c_ij on all {rc.size} arcs (min rc {rc.min():.1e})")
    expect(on_plan <= 1e-12 * scale, f"dual of {name}: the plan uses tight arcs only (max |rc| {on_plan:.1e})")
    expect(close(primal, dual, 1e-12, 1e-15) and close(lp, primal, 1e-12, 1e-15) and close(r["lp_cost"], lp, 1e-15),
           f"dual of {name}: dual objective {dual:.15g} = plan cost {primal:.15g} = lp_cost")

# Progress of one solve: rank 0 reports each pricing round of each
# multiscale level (64 x 64 warm-starts from 32 x 32 and coarser) on stderr;
# -quiet silences it, and a solve shorter than the interval prints nothing.
import re
rng2 = np.random.default_rng(8)
g1, g2 = save("g1.csv", rng2.random((64, 64)) + 0.05), save("g2.csv", rng2.random((64, 64)) + 0.05)
big = ["distance", "-a", g1, "-b", g2, "-metric", "wp", "-p", 2, "-torus", "-json"]
pr = run(big + ["-progress_interval", 0], ranks=2, check=True)
res = [json.loads(l) for l in pr.stdout.splitlines() if l.startswith("{")][-1]
lines = re.findall(r"^\[distance\] level (\d+)x(\d+) of 64x64: round (\d+), (\d+) pivots, "
                   r"min reduced cost \S+, elapsed [^,]+, ETA (?:\?|~.+)$", pr.stderr, re.M)
sides = {int(y) for y, x, _, _ in lines}
expect({64, 32} <= sides and sides <= {64, 32, 16, 8}, f"progress names the levels 64 and 32 of 64x64 (saw {sorted(sides)})")
top = [(int(r), int(p)) for y, _, r, p in lines if y == "64"]
expect(len(top) == len({r for r, _ in top}) and [r for r, _ in top] == sorted(r for r, _ in top),
       "one line per round, from rank 0 only, rounds in order")
expect(max(p for _, p in top) <= res["iterations"], f"pivots reported <= the solve's {res['iterations']}")
quiet = run(big + ["-progress_interval", 0, "-quiet"], ranks=2, check=True)
expect("[distance]" not in quiet.stderr, "-quiet prints no progress")
fast = run(big, check=True)
expect("[distance]" not in fast.stderr, "a solve shorter than the 2 s interval prints no progress")
finish()

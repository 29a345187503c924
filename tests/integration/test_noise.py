"""`wasp noise`: the noise-sensitivity study on reduced trial counts.

Asserted against independent truths, not earlier output:
- fitted log-log exponents on a smooth 32x32 image with zero-sum noise on
  the torus: W2^± in [0.4, 0.6], W1^± and L2 in [0.85, 1.15] (the paper's
  Theorems 2-3 and Figure 2);
- squared L2: E = ||x - y||^2 + (sides) m sigma^2 exactly, within 5 standard errors;
- measured means below the theorem upper bounds (and above Theorem 2's
  lower bound) where the assumptions hold, within 4 standard errors;
- pair: the ratio noisy/clean crosses 1 + tau first for L2, then W1, then W2;
- dirac: W2^± dips below its clean value, W1^± never does (E W1^± >= W1 by
  Jensen on the Kantorovich dual); at small sigma the mass of (8,8) goes to (24,24);
- matrix: clean entries equal `wasp distance`; ranks are kept at small sigma;
- identical datasets on 1 and 2 ranks, bit for bit;
- bad options: every rank exits non-zero with a message naming the option,
  and no output file appears; a missing gnuplot skips -plots with a warning."""
import json
import math
import os
import subprocess
import time
import numpy as np
import h5py
from wasp_test import WASP, SRC, run, run_json, expect, tmpdir, finish

d = tmpdir()
j = lambda name: os.path.join(d, name)
N = 32
M = N * N


def load(path):
    out = {}
    with h5py.File(path) as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
        out["attrs"] = dict(f.attrs)
    return out


def l2sq_theory(h, sides):
    """Expectation and standard error of the squared L2 mean, from the noise
    model alone: with d = x - y (zero sum for probability images) and e of
    pixel variance v = sides sigma^2, ||d + e||^2 = ||d||^2 + 2<d,e> + ||e||^2
    has mean ||d||^2 + m v and variance 4 v ||d||^2 + 2 m v^2 (Gaussian e;
    the zero-sum covariance changes this by O(1/m)).  Sample standard errors
    from 2-3 trials are too unreliable to test against."""
    s = h["sigma"][:, None]
    d2 = h["clean"][:, 1][None, :]
    v = sides * s ** 2
    return d2 + M * v, np.sqrt((4 * v * d2 + 2 * M * v ** 2) / h["attrs"]["trials"])


def bounds_hold(h, label, sides, k=4.0):
    mean, sem = h["stats/mean"], h["stats/sem"].copy()
    # L2's Jensen bound sqrt(E||d+e||^2) is tight to O(1/m): judge it with the
    # model's standard error (delta method), not the sample's.
    ex, se2 = l2sq_theory(h, sides)
    sem[:, :, 0] = np.maximum(sem[:, :, 0], se2 / (2 * np.sqrt(ex)))
    up, lo = h["bounds/upper"], h["bounds/lower"]
    n_up = int(np.isfinite(up).sum())
    ok_up = np.all(~np.isfinite(up) | (mean <= up + k * sem))
    ok_lo = np.all(~np.isfinite(lo) | (mean >= lo - k * sem))
    expect(n_up > 0 and ok_up, f"{label}: means below all {n_up} finite upper bounds")
    expect(ok_lo, f"{label}: means above the finite lower bounds")


def l2sq_identity(h, sides, label):
    # E ||x - y + e1 - e2||^2 = ||x - y||^2 + sides * m sigma^2 (pixel variance sigma^2)
    want, se = l2sq_theory(h, sides)
    mean = h["stats/mean"][:, :, 1]
    z = np.abs(mean - want) / se
    expect(np.all(z <= 5), f"{label}: squared L2 mean = clean^2 + {sides} m sigma^2 (max {z.max():.2f} standard errors)")


# ---- self: slopes, bounds, rank independence --------------------------------
self_args = ["noise", "-experiment", "self", "-image", "builtin:blobs:32", "-torus", "-noise", "zerosum",
             "-sigma_min", 1e-6, "-sigma_max", 1e-2, "-nsigma", 5, "-p_list", "1,2", "-trials", 3,
             "-seed", 11, "-quiet"]
run(self_args + ["-o", j("self1.h5")], ranks=1, check=True)
run(self_args + ["-o", j("self2.h5"), "-csv", j("self2.csv")], ranks=2, check=True)
h1, h2 = load(j("self1.h5")), load(j("self2.h5"))
keys = sorted(k for k in h1 if k != "attrs")
same = keys == sorted(k for k in h2 if k != "attrs") and all(np.array_equal(h1[k], h2[k], equal_nan=True) for k in keys)
expect(same, f"self: all {len(keys)} datasets identical bit for bit on 1 and 2 ranks")
expect(h1["attrs"]["nranks"] == 1 and h2["attrs"]["nranks"] == 2, "self: rank counts recorded")
slope = h2["fit/slope"]  # [p][metric]: metric 0 l2, 1 l2sq, 2 signed
print(f"self slopes: L2 {slope[0,0]:.4f}, W1 {slope[0,2]:.4f}, W2 {slope[1,2]:.4f}; "
      f"W2 CI [{h2['fit/ci_low'][1,2]:.4f}, {h2['fit/ci_high'][1,2]:.4f}]")
expect(0.4 <= slope[1, 2] <= 0.6, f"self: W2^± exponent {slope[1,2]:.4f} in [0.4, 0.6]")
expect(0.85 <= slope[0, 2] <= 1.15, f"self: W1^± exponent {slope[0,2]:.4f} in [0.85, 1.15]")
expect(0.85 <= slope[0, 0] <= 1.15, f"self: L2 exponent {slope[0,0]:.4f} in [0.85, 1.15]")
expect(np.all(h2["fit/ci_low"] <= slope) and np.all(slope <= h2["fit/ci_high"]), "self: intervals contain the slopes")
bounds_hold(h2, "self one side", 1)
l2sq_identity(h2, 1, "self one side")
csv = np.genfromtxt(j("self2.csv"), delimiter=",", names=True, dtype=None, encoding=None)
expect(len(csv) == 5 * 2 * 3 and np.allclose(csv["mean"], h2["stats/mean"].ravel(), rtol=1e-15, atol=0),
       "self: CSV rows hold the HDF5 means (17 digits)")

# Both sides noised (Theorem 2 as stated) and its lower bound; the p = 1
# distance depends only on e1 - e2, whose std is sqrt2 sigma: W1(both) / W1(one) ~ sqrt2.
both = run_json(["noise", "-experiment", "self", "-image", "builtin:blobs:32", "-torus", "-both_sides",
                 "-sigma_list", "1e-5,1e-4,1e-3", "-p_list", "1,2", "-trials", 3, "-seed", 11,
                 "-o", j("both.h5")], ranks=2)
hb = load(j("both.h5"))
bounds_hold(hb, "self both sides", 2)
l2sq_identity(hb, 2, "self both sides")
r = hb["stats/mean"][:, 0, 2] / h2["stats/mean"][1:4, 0, 2]
expect(np.all(np.abs(r / math.sqrt(2) - 1) < 0.15), f"self: W1 both/one side ratios {np.round(r, 3)} ~ sqrt2")

# i.i.d. noise: `signed -normalize`; the zero-sum theorems do not apply.
run(["noise", "-noise", "iid", "-torus", "-sigma_list", "1e-4,1e-3,1e-2", "-p_list", 1, "-trials", 2,
     "-o", j("iid.h5"), "-quiet"], ranks=2, check=True)
hi = load(j("iid.h5"))
expect(hi["attrs"]["normalize"] == 1 and np.all(np.isnan(hi["bounds/upper"][:, :, 2])),
       "iid: normalised signed cost, no zero-sum theorem bounds")
l2sq_identity(hi, 1, "iid")

# ---- pair: ratios leave 1 in the order L2, W1, W2 ----------------------------
pair = run_json(["noise", "-experiment", "pair", "-image", "builtin:blobs:32", "-image2", "builtin:cryo:32",
                 "-torus", "-sigma_min", 1e-6, "-sigma_max", 1e-1, "-nsigma", 11, "-p_list", "1,2",
                 "-trials", 2, "-seed", 5, "-o", j("pair.h5")], ranks=2)
hp = load(j("pair.h5"))
sig = np.array(pair["sigma"])
res = {(x["metric"], x["p"]): x for x in pair["results"]}
ratios = {"L2": np.array(res[("l2", 1)]["ratio"]), "W1": np.array(res[("signed", 1)]["ratio"]),
          "W2": np.array(res[("signed", 2)]["ratio"])}
for k, v in ratios.items():
    print(f"pair ratio {k}: " + " ".join(f"{x:.4g}" for x in v))


def crossing(ratio, level):
    """sigma where the ratio first exceeds level, interpolated in log sigma."""
    for i in range(1, len(ratio)):
        if ratio[i] > level >= max(ratio[:i].max(), 0):
            t = (level - ratio[i - 1]) / (ratio[i] - ratio[i - 1])
            return math.exp(math.log(sig[i - 1]) + t * (math.log(sig[i]) - math.log(sig[i - 1])))
    return math.inf


for level in (1.25, 1.5, 2.0):
    c = {k: crossing(v, level) for k, v in ratios.items()}
    expect(c["L2"] < c["W1"] < c["W2"] < math.inf,
           f"pair: ratio crosses {level} first for L2 ({c['L2']:.3g}), then W1 ({c['W1']:.3g}), then W2 ({c['W2']:.3g})")
bounds_hold(hp, "pair (Theorems 4, 5)", 2)
l2sq_identity(hp, 2, "pair")
clean = run_json(["distance", "-a", "builtin:blobs:32", "-b", "builtin:cryo:32", "-metric", "signed", "-p", 2, "-torus"])
expect(abs(res[("signed", 2)]["clean"] - clean["value"]) <= 1e-12 * clean["value"],
       "pair: clean W2^± equals `wasp distance`")

# ---- dirac: the dip for p = 2, none for p = 1 --------------------------------
run(["noise", "-experiment", "dirac", "-torus", "-sigma_min", 1e-4, "-sigma_max", 1e-1, "-nsigma", 7,
     "-p_list", "1,2", "-trials", 2, "-seed", 3, "-o", j("dirac.h5"), "-quiet"], ranks=2, check=True)
hd = load(j("dirac.h5"))
w1, w2 = hd["stats/mean"][:, 0, 2], hd["stats/mean"][:, 1, 2]
s1 = hd["stats/sem"][:, 0, 2]
c1, c2 = hd["clean"][0, 2], hd["clean"][1, 2]
print("dirac W1: " + " ".join(f"{x:.4g}" for x in w1) + f" (clean {c1:.4g})")
print("dirac W2: " + " ".join(f"{x:.4g}" for x in w2) + f" (clean {c2:.4g})")
diag = math.sqrt(0.5)  # (8,8) to (24,24) on the unit torus
expect(abs(c1 - diag) < 1e-9 and abs(c2 - diag) < 1e-9, "dirac: clean W1 = W2 = sqrt(1/2) on the unit torus")
expect(w2.min() < 0.8 * c2 and w2[-1] > 1.2 * w2.min(), f"dirac: W2^± dips to {w2.min():.4g} < 0.8 x {c2:.4g}, then rises")
expect(np.all(w1 >= c1 - 4 * s1 - 1e-12), "dirac: W1^± never below its clean value (no dip)")
dest = hd["dirac/destination"]  # [sigma][p][row][col]
expect(dest.shape == (7, 2, N, N), f"dirac: destination images {dest.shape}")
expect(dest[0, 0, 24, 24] > 0.95, f"dirac: at small sigma the W1 plan sends the unit at (8,8) to (24,24) ({dest[0,0,24,24]:.4f})")
expect(all(abs(dest[0, ip].sum() - 1) < 0.01 for ip in range(2)), "dirac: the tracked mass is the unit of (8,8) (sums ~1)")
bounds_hold(hd, "dirac (Theorems 4, 5)", 2)

# ---- matrix -----------------------------------------------------------------
mj = run_json(["noise", "-experiment", "matrix", "-image", "builtin:cryo:32", "-nimages", 4, "-torus",
               "-sigma_list", "1e-5,1e-4,1e-2", "-p_list", 1, "-trials", 2, "-o", j("matrix.h5")], ranks=2)
hm = load(j("matrix.h5"))
C = hm["matrix/clean"][0, 2]
expect(C.shape == (4, 4) and np.array_equal(C, C.T) and np.all(np.diag(C) == 0), "matrix: clean matrix symmetric, zero diagonal")
dv = run_json(["distance", "-a", "builtin:cryo:32:seed=2", "-b", "builtin:cryo:32:seed=4", "-metric", "signed", "-p", 1, "-torus"])
expect(abs(C[1, 3] - dv["value"]) <= 1e-12 * dv["value"], "matrix: clean entry (1,3) equals `wasp distance`")
rho = hm["matrix/spearman"]  # [sigma][p][metric]
expect(np.all(rho[0, 0, :] > 0.99), f"matrix: ranks kept at sigma 1e-5 (Spearman {rho[0,0,:]})")

# ---- plots, and plots without gnuplot ----------------------------------------
quick = ["noise", "-torus", "-sigma_list", "1e-4,1e-3,1e-2", "-p_list", "1,2", "-trials", 2, "-quiet"]
if os.access("/usr/bin/gnuplot", os.X_OK):
    run(["noise", "-experiment", "dirac", "-torus", "-sigma_list", "1e-3,1e-2,3e-2", "-p_list", "1,2",
         "-trials", 1, "-quiet", "-plots", j("fig")], ranks=2, check=True)
    pngs = [j(f"fig_{s}.png") for s in ("distance", "ratio", "dip", "destination_p1", "destination_p2")]
    ok = all(os.path.exists(p) and open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n" for p in pngs)
    expect(ok, "plots: the dirac figures are PNG files")
    expect(not [f for f in os.listdir(d) if ".tmp." in f], "plots: no temporary files left")
else:
    print("note: /usr/bin/gnuplot missing, figure check skipped (apt-get install gnuplot-nox)")
p = run(quick + ["-o", j("nogp.h5"), "-plots", j("nogp")], ranks=2, env={"WASP_GNUPLOT": "/nonexistent/gnuplot"})
expect(p.returncode == 0 and os.path.exists(j("nogp.h5")) and not os.path.exists(j("nogp_distance.png"))
       and "gnuplot not found" in p.stderr, "plots: a missing gnuplot is a warning, the HDF5 is still written")

# ---- bad input: all ranks fail together, message names the option, no output --
bad = [
    (["-experiment", "selfie"], "-experiment"),
    (["-noise", "pink"], "pink"),
    (["-p_list", "1,0.5"], "-p_list"),
    (["-sigma_min", -1], "-sigma_min"),
    (["-trials", 0], "-trials"),
    (["-fit_min", 1e-3, "-fit_max", 2e-3], "-fit_min"),
    (["-image", "builtin:nosuch:32"], "nosuch"),
    (["-image", j("missing.h5")], "missing.h5"),
    (["-experiment", "dirac", "-dirac_site", "40,8"], "-dirac_site"),
]
# A range, not a list, so that -sigma_min/-sigma_max matter; later options win.
base = ["noise", "-torus", "-sigma_min", 1e-4, "-sigma_max", 1e-2, "-nsigma", 3, "-p_list", "1,2", "-trials", 2, "-quiet"]
for extra, word in bad:
    out = j("bad.h5")
    if os.path.exists(out):
        os.remove(out)
    p = run(base + extra + ["-o", out], ranks=2)
    expect(p.returncode != 0 and word in p.stderr and not os.path.exists(out),
           f"bad {' '.join(map(str, extra))}: non-zero exit naming '{word}', no output")
p = run(quick + ["-o", j("nodir/x.h5")], ranks=2)
expect(p.returncode != 0 and "-o" in p.stderr, "unwritable -o folder is refused before solving")

# ---- checkpoint records wider than 64 values (dirac cells carry the n^2 plan image)
ck, out = j("ckd"), j("dirac_ck.h5")
p = run(["noise", "-experiment", "dirac", "-torus", "-p_list", "2", "-nsigma", 2, "-sigma_min", 1e-4,
         "-sigma_max", 1e-3, "-trials", 2, "-checkpoint", ck, "-o", out, "-quiet"], ranks=2)
expect(p.returncode == 0 and os.path.exists(out) and not os.path.exists(ck),
       f"dirac sweep with a checkpoint completes and removes it ({p.stderr.strip()[-200:]})")

# ---- the demo job ------------------------------------------------------------
t0 = time.time()
p = subprocess.run(["mpirun", "-n", "2", WASP, "noise", "-options_file", os.path.join(SRC, "input", "demo.opts")],
                   cwd=d, capture_output=True, text=True, timeout=300)
dt = time.time() - t0
expect(p.returncode == 0 and os.path.exists(j("noise_demo.h5")) and "slope" in p.stdout,
       f"demo.opts: table printed and noise_demo.h5 written in {dt:.1f} s")
expect(dt < 30, f"demo.opts runs in under 30 s on 2 ranks ({dt:.1f} s)")
finish()

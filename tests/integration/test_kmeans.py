"""`wasp kmeans` and `wasp evaluate` end to end, against independent truths:
the sym5 DWT against PyWavelets' wavedecn coefficient for coefficient, wemd
distances recomputed from pywt's coefficients, the one-cluster centroid as
numpy's mean; results bit-identical on 1, 2 and 3 ranks and with the brute
force; a run stopped by SIGTERM that a rerun continues to the identical
result; a foreign checkpoint refused; evaluate's numbers against a numpy
computation on a tiny dataset; clear errors with no output for bad input."""
import json
import os
import signal
import subprocess
import time
import numpy as np
import h5py
from wasp_test import WASP, run, expect, need, tmpdir, finish, kill_job, shared_file

pywt = need("pywt")
d = tmpdir()
j = lambda name: os.path.join(d, name)
rng = np.random.default_rng(11)

# --- the DWT against pywt.wavedecn(img, 'sym5', mode='zero', level=6) -------
imgs = np.stack([rng.standard_normal((128, 128)),
                 np.outer(np.hanning(128), np.hanning(128)) + 0.1 * rng.standard_normal((128, 128)),
                 rng.standard_normal((128, 128))[:, :128]])
with h5py.File(j("dwt.h5"), "w") as f:
    f["images"] = imgs
for idx in range(2):
    out = j(f"coef{idx}.h5")
    run(["kmeans", "-dump_wavelet", f"{j('dwt.h5')}:{idx}", "-o", out], check=True)
    ref = pywt.wavedecn(imgs[idx], "sym5", mode="zero", level=6)
    scale = max(np.abs(ref[0]).max(), 1.0)
    with h5py.File(out) as f:
        ok = f["cA"].shape == ref[0].shape and np.abs(f["cA"][:] - ref[0]).max() <= 1e-12 * scale
        sizes = []
        for lev in range(6):
            for band in ("ad", "da", "dd"):
                a, b = f[f"details/{lev}/{band}"][:], ref[lev + 1][band]
                ok = ok and a.shape == b.shape and np.abs(a - b).max() <= 1e-12 * scale
            sizes.append(f[f"details/{lev}/ad"].shape[0])
            ok = ok and f[f"details/{lev}"].attrs["wemd_weight"] == 2.0 ** (2 * (5 - lev))
    expect(ok, f"image {idx}: every sym5 coefficient equals pywt.wavedecn's (sizes {sizes})")
expect(sizes == [10, 12, 16, 23, 38, 68], "level sizes grow as floor((N + 9) / 2): 10 12 16 23 38 68")


def wemd_ref(a, b):
    ca = pywt.wavedecn(a, "sym5", mode="zero", level=6)
    cb = pywt.wavedecn(b, "sym5", mode="zero", level=6)
    return sum(2.0 ** (2 * (5 - lev)) * sum(np.abs(ca[lev + 1][k] - cb[lev + 1][k]).sum() for k in ("ad", "da", "dd"))
               for lev in range(6))


# --- one cluster, one rotation: distances are plain wemd to the seed, the
# centroid is the mean (fixed-point sums), loss = sum d^2 ---------------------
small = rng.random((12, 32, 32))
with h5py.File(j("small.h5"), "w") as f:
    f["images"] = small
run(["kmeans", "-input", j("small.h5"), "-k", 1, "-rotations", 1, "-max_iter", 1, "-o", j("one.h5"), "-quiet"],
    ranks=2, check=True)
with h5py.File(j("one.h5")) as f:
    dist, cent, loss = f["distance"][:], f["centroids"][0], f["loss"][:]
    attrs = dict(f.attrs)
s = int(np.argmin(dist))
ref = np.array([wemd_ref(small[i], small[s]) for i in range(12)])
expect(dist[s] == 0 and np.abs(dist - ref).max() <= 1e-5 * ref.max(),
       f"wemd distances equal pywt-based wemd (max rel err {np.abs(dist - ref).max() / ref.max():.2e})")
expect(np.abs(cent - small.mean(axis=0)).max() < 1e-12, "one-cluster centroid equals numpy's mean")
expect(abs(loss[0] - (dist ** 2).sum()) <= 1e-12 * loss[0], "loss is the sum of squared distances")
expect(all(k in attrs for k in ("metric", "k", "rotations", "levels", "max_iter", "tol", "seed", "input")),
       "options recorded as attributes")

# --- 1, 2, 3 ranks and brute force give the same bits -------------------------
run(["simulate", "-volume", shared_file("data", "ribosome70S_65.mrc"), "-n_images", 90, "-box", 32,
     "-snr_list", "1/8", "-seed", 3, "-o", j("sim"), "-quiet"], ranks=2, check=True)
sim = j("sim_snr0.125.h5")
FIELDS = ("centroids", "assignment", "rotation", "distance", "loss", "sizes")


def load(path):
    with h5py.File(path) as f:
        return {k: f[k][:] for k in FIELDS}


for metric in ("wemd", "l2"):
    base = ["kmeans", "-input", sim, "-k", 5, "-metric", metric, "-rotations", 24, "-max_iter", 4, "-tol", 0,
            "-seed", 9, "-quiet"]
    res = {}
    for ranks in (1, 2, 3):
        run(base + ["-o", j(f"{metric}{ranks}.h5")], ranks=ranks, check=True)
        res[ranks] = load(j(f"{metric}{ranks}.h5"))
    run(base + ["-o", j(f"{metric}b.h5"), "-brute"], ranks=2, check=True)
    res["brute"] = load(j(f"{metric}b.h5"))
    # Iteration 1 normally reuses the seeding's search; searching it afresh
    # (as a restart from the seeding checkpoint does) must change nothing.
    run(base + ["-o", j(f"{metric}s.h5")], ranks=2, check=True, env={"WASP_KMEANS_SEARCH_FIRST": "1"})
    res["search"] = load(j(f"{metric}s.h5"))
    same = all(np.array_equal(res[1][k], res[r][k]) for r in (2, 3, "brute", "search") for k in FIELDS)
    expect(same, f"{metric}: identical bits on 1, 2, 3 ranks, with -brute and with iteration 1 searched afresh "
           f"(loss {res[1]['loss'][-1]:.6g})")
    expect(res[1]["loss"].size == 4 and np.all(np.diff(res[1]["loss"]) <= 1e-9 * res[1]["loss"][0]),
           f"{metric}: 4 iterations, loss non-increasing {res[1]['loss']}")

# --- w1 (exact LP) on tiny non-negative data: brute == pruned path, runs ------
tiny = rng.random((6, 8, 8)) + 0.1
with h5py.File(j("tiny.h5"), "w") as f:
    f["images"] = tiny
p = run(["kmeans", "-input", j("tiny.h5"), "-k", 2, "-metric", "w1", "-rotations", 4, "-max_iter", 2,
         "-o", j("w1.h5"), "-quiet"], ranks=2)
expect(p.returncode == 0 and os.path.exists(j("w1.h5")), f"w1 metric runs on tiny data ({p.stderr.strip()[-200:]})")

# --- SIGTERM mid-run, rerun continues to the same result -----------------------
# 128 x 128 so that an iteration takes ~0.5 s: the kill lands with many left.
run(["simulate", "-volume", shared_file("data", "ribosome70S_65.mrc"), "-n_images", 200, "-box", 128,
     "-snr_list", "1/16", "-seed", 4, "-o", j("kill"), "-quiet"], ranks=2, check=True)
kin = j("kill_snr0.0625.h5")
kbase = ["kmeans", "-input", kin, "-k", 8, "-rotations", 120, "-max_iter", 12, "-tol", 0, "-seed", 2, "-quiet"]
run(kbase + ["-o", j("ref.h5")], ranks=2, check=True)
ck = j("ckpt")
env = dict(os.environ)
p = subprocess.Popen(["mpirun", "-n", "2", WASP] + [str(a) for a in kbase + ["-o", j("killed.h5"), "-checkpoint", ck]],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env=env)
t0, it = time.time(), 0
while time.time() - t0 < 120 and p.poll() is None:
    try:
        with h5py.File(os.path.join(ck, "kmeans.h5")) as f:
            it = int(f.attrs["iteration"])
    except Exception:
        it = 0
    if it >= 1:
        break
    time.sleep(0.05)
expect(p.poll() is None and it >= 1, f"the run was still going after checkpoint iteration {it}")
os.kill(p.pid, signal.SIGTERM)
out, err = p.communicate(timeout=120)
expect(p.returncode != 0 and "interrupted" in err, f"SIGTERM: non-zero exit with a message ({err.strip()[-160:]})")
expect(not os.path.exists(j("killed.h5")), "SIGTERM: no output file")
p2 = run(kbase[:-1] + ["-o", j("killed.h5"), "-checkpoint", ck], ranks=1)
expect(p2.returncode == 0 and "restart:" in p2.stdout, f"rerun on 1 rank restarts from the checkpoint ({p2.stdout.strip()[:80]})")
a, b = load(j("ref.h5")), load(j("killed.h5"))
expect(all(np.array_equal(a[k], b[k]) for k in FIELDS), "killed + restarted run equals the uninterrupted run bit for bit")
expect(not os.path.exists(ck), "checkpoint removed after the output is written")
# A checkpoint of other options is refused.
os.makedirs(ck)
run(kbase + ["-o", j("tmp.h5"), "-checkpoint", ck, "-max_iter", 1], ranks=1, check=True)  # leaves none: finished
p = subprocess.Popen(["mpirun", "-n", "1", WASP] + [str(a) for a in kbase + ["-o", j("x.h5"), "-checkpoint", ck]],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
t0 = time.time()
while time.time() - t0 < 60 and not os.path.exists(os.path.join(ck, "kmeans.h5")):
    time.sleep(0.05)
kill_job(p)
p.communicate()
p = run(kbase[:-2] + ["-seed", 3, "-o", j("y.h5"), "-checkpoint", ck])
expect(p.returncode != 0 and "other options" in p.stderr and not os.path.exists(j("y.h5")),
       f"a checkpoint of another seed is refused ({p.stderr.strip()[-120:]})")

# --- evaluate against a numpy computation ------------------------------------
v = rng.standard_normal((7, 3))
v /= np.linalg.norm(v, axis=1)[:, None]
v[6] = -v[0]  # an antipodal pair
assign = np.array([0, 1, 0, 2, 1, 0, 0])
with h5py.File(j("truth.h5"), "w") as f:
    f["view_dirs"] = v
with h5py.File(j("cl.h5"), "w") as f:
    f["assignment"] = assign
    f.attrs["k"] = 4
    f.attrs["metric"] = "test"
ang = [np.degrees(np.arccos(np.clip(v[a] @ v[b], -1, 1))) for a in range(7) for b in range(a + 1, 7)
       if assign[a] == assign[b]]
sizes = np.bincount(assign, minlength=4)
pp = sizes[sizes > 0] / 7
want = {"median_angle_deg": np.median(ang), "frac_under_10deg": np.mean(np.array(ang) < 10),
        "frac_under_20deg": np.mean(np.array(ang) < 20), "antipodal_frac": np.mean(np.array(ang) > 160),
        "occupancy_evenness": -(pp * np.log(pp)).sum() / np.log(4), "k": 4, "n": 7}
p = run(["evaluate", "-clusters", f"{j('cl.h5')},{j('cl.h5')}", "-truth", j("truth.h5"), "-json", "-plots", j("ev")],
        check=True)
objs = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
expect(len(objs) == 2, "one JSON object per run")
expect(all(abs(objs[0][k] - w) <= 1e-9 * max(1, abs(w)) for k, w in want.items()),
       f"evaluate equals numpy: {objs[0]} vs {want}")
expect(os.path.exists(j("ev_angles.png")) and os.path.exists(j("ev_occupancy.png")), "PNG histograms written")
p = run(["evaluate", "-clusters", j("cl.h5"), "-truth", j("truth.h5")], check=True)
expect("median angle" in p.stdout and "occupancy evenness" in p.stdout, "table printed")

# --- errors: one message, non-zero exit, no output ----------------------------
cases = [
    (["-input", sim, "-k", 5, "-metric", "emd"], "-metric emd"),
    (["-input", sim, "-k", 500], "-k 500"),
    (["-input", j("missing.h5"), "-k", 2], "missing.h5"),
    (["-input", sim, "-k", 2, "-rotations", 0], "-rotations 0"),
    (["-input", sim, "-k", 2, "-metric", "w1"], "non-negative"),
    (["-input", sim, "-k", 2, "-seed", "x"], "-seed"),
]
for args, msg in cases:
    p = run(["kmeans"] + args + ["-o", j("bad.h5"), "-quiet"], ranks=2)
    expect(p.returncode != 0 and msg in p.stderr and p.stderr.count("error:") == 1 and not os.path.exists(j("bad.h5")),
           f"error names '{msg}': {p.stderr.strip()[-150:]}")
p = run(["evaluate", "-clusters", j("cl.h5"), "-truth", sim], ranks=2)
expect(p.returncode != 0 and "90 images" in p.stderr, f"evaluate: size mismatch named ({p.stderr.strip()[-150:]})")
finish()

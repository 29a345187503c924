"""`wasp pairs`: identical matrices on 1, 2 and 3 ranks, agreement with
`wasp distance`, the rectangular mode, CSV output, and a run killed mid-way
(SIGTERM to mpirun, then SIGKILL of the whole job) that a restart completes
with the identical matrix; a checkpoint from other options is refused."""
import os
import signal
import subprocess
import time
import numpy as np
import h5py
from wasp_test import WASP, run, run_json, expect, close, tmpdir, finish, kill_job

d = tmpdir()
j = lambda name: os.path.join(d, name)
rng = np.random.default_rng(7)
imgs = rng.random((9, 12, 12)) + 0.05
with h5py.File(j("stack.h5"), "w") as f:
    f["images"] = imgs
with h5py.File(j("refs.h5"), "w") as f:
    f["images"] = imgs[:3] ** 2

base = ["pairs", "-input", j("stack.h5"), "-metric", "wp", "-p", 2, "-torus", "-quiet"]
mats = {}
for ranks in (1, 2, 3):
    out = j(f"m{ranks}.h5")
    run(base + ["-o", out], ranks=ranks, check=True)
    with h5py.File(out) as f:
        mats[ranks] = f["distance"][:]
        expect(f.attrs["ranks"] == ranks and f.attrs["metric"] == "wp", f"{ranks} ranks: attributes recorded")
        expect(np.abs(f["gap"][:]).max() < 1e-12 and f["min_reduced_cost"][:].min() > -1e-12, f"{ranks} ranks: certificates")
    expect(not os.path.exists(out + ".ckpt"), f"{ranks} ranks: checkpoint removed after success")
expect(np.array_equal(mats[1], mats[2]) and np.array_equal(mats[1], mats[3]), "matrices identical bit for bit on 1, 2, 3 ranks")
M = mats[1]
expect(np.array_equal(M, M.T) and np.all(np.diag(M) == 0), "matrix symmetric with zero diagonal")
for (a, b) in ((0, 1), (2, 7), (5, 8)):
    r = run_json(["distance", "-a", f"{j('stack.h5')}:{a}", "-b", f"{j('stack.h5')}:{b}", "-metric", "wp", "-p", 2, "-torus"])
    expect(r["value"] == M[a, b], f"pair ({a},{b}) equals wasp distance ({r['value']!r} vs {M[a,b]!r})")

# Rectangular mode and CSV.
run(["pairs", "-input", j("stack.h5"), "-against", j("refs.h5"), "-metric", "signed", "-normalize", "-p", 1,
     "-o", j("rect.h5"), "-csv", j("rect.csv"), "-quiet"], ranks=2, check=True)
with h5py.File(j("rect.h5")) as f:
    R = f["distance"][:]
expect(R.shape == (9, 3), f"rectangular block is 9 x 3 (got {R.shape})")
C = np.loadtxt(j("rect.csv"), delimiter=",")
expect(np.array_equal(C, R), "CSV holds the same matrix (17 digits)")
r = run_json(["distance", "-a", f"{j('stack.h5')}:4", "-b", f"{j('refs.h5')}:2", "-metric", "signed", "-normalize", "-p", 1])
expect(r["value"] == R[4, 2], "block entry (4, 2) equals wasp distance")

# Kill and restart: a bigger job so the kill lands mid-way.
big = rng.random((40, 32, 32)) + 0.05
with h5py.File(j("big.h5"), "w") as f:
    f["images"] = big
kb = ["pairs", "-input", j("big.h5"), "-metric", "wp", "-p", 2, "-torus", "-quiet"]
run(kb + ["-o", j("ref.h5")], ranks=2, check=True)
with h5py.File(j("ref.h5")) as f:
    ref = f["distance"][:]
env = dict(os.environ)


def start(out):
    return subprocess.Popen(["mpirun", "-n", "2", WASP] + [str(a) for a in kb] + ["-o", out],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)


def ckpt_records(out):
    folder = out + ".ckpt"
    if not os.path.isdir(folder):
        return 0
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))


for how in ("SIGTERM", "SIGKILL"):
    out = j(f"killed_{how}.h5")
    p = start(out)
    t0 = time.time()
    while ckpt_records(out) < 700 and time.time() - t0 < 60 and p.poll() is None:
        time.sleep(0.05)
    expect(p.poll() is None, f"{how}: the job was still running when killed (else enlarge it)")
    if how == "SIGTERM":
        os.kill(p.pid, signal.SIGTERM)
    else:
        kill_job(p)
    so, se = p.communicate(timeout=120)
    expect(p.returncode != 0, f"{how}: the interrupted run exits non-zero")
    expect(not os.path.exists(out), f"{how}: no output file under the final name after the kill")
    if how == "SIGTERM":
        expect("checkpoint" in se, f"{how}: the message points to the checkpoint ({se.strip()[-200:]})")
    r = run(kb + ["-o", out, "-json"], ranks=2, check=True)
    with h5py.File(out) as f:
        restored = int(f.attrs["pairs_restored"])
        got = f["distance"][:]
    total = 40 * 39 // 2
    expect(0 < restored < total, f"{how}: restart resumed from the checkpoint ({restored} of {total} pairs restored)")
    expect(np.array_equal(got, ref), f"{how}: restarted matrix identical to the uninterrupted run")

# A checkpoint from other options is refused, not mixed.
out = j("mixed.h5")
p = start(out)
t0 = time.time()
while ckpt_records(out) < 700 and time.time() - t0 < 60 and p.poll() is None:
    time.sleep(0.05)
kill_job(p)
p.communicate(timeout=120)
r = run(["pairs", "-input", j("big.h5"), "-metric", "wp", "-p", 1, "-quiet", "-o", out], ranks=2)
expect(r.returncode != 0 and "different options" in r.stderr, f"a checkpoint from other options is refused ({r.stderr.strip()[-200:]})")
finish()

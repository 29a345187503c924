"""Faults during a run, and damaged files (docs/reliability.md):
  - one rank of a 2-rank pairs run killed with SIGKILL (rank 1, then rank 0):
    mpirun ends the whole job with a non-zero exit within a bounded time
    (no hang), no output appears, and rerunning the command finishes from
    the checkpoint with the uninterrupted matrix;
  - a sliced noise sweep killed and restarted gives the same partial file;
    a slice's checkpoint is refused by another slice;
  - damaged checkpoint files: a torn last record is dropped, a foreign file
    is refused by name;
  - damaged inputs: truncated and garbage HDF5, MRC with a bad mode or a
    short data block, on 2 ranks: one clear error, every rank exits;
  - a full disk (a 48 KiB tmpfs) under -o and under -checkpoint: an error
    naming the file, no partial output under the final name."""
import os
import shutil
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wasp_test import WASP, expect, finish, kill_job, need, run, tmpdir  # noqa: E402

h5py = need("h5py")
np = need("numpy")

d = tmpdir()
j = lambda name: os.path.join(d, name)  # noqa: E731
STACK = j("stack.h5")
with h5py.File(STACK, "w") as f:
    f["images"] = np.random.default_rng(11).random((40, 24, 24))
PAIRS = ["pairs", "-input", STACK, "-metric", "wp", "-p", "2", "-quiet"]
HANG = 90  # seconds mpirun may take to tear the job down after a rank dies


def err(r):
    """wasp's one error line (mpirun adds its own banner after it)."""
    lines = [l for l in r.stderr.splitlines() if "error:" in l]
    return lines[0][:200] if lines else "no error line"


def start(args):
    return subprocess.Popen(["mpirun", "-n", "2", WASP] + [str(a) for a in args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def ckpt_bytes(folder):
    if not os.path.isdir(folder):
        return 0
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))


def wait_for_records(p, folder, nbytes=3000, limit=60):
    t0 = time.time()
    while ckpt_bytes(folder) < nbytes and time.time() - t0 < limit and p.poll() is None:
        time.sleep(0.02)
    return p.poll() is None


def rank_pid(mpirun_pid, rank):
    """The pid of MPI rank `rank` among mpirun's children (their environment
    carries OMPI_COMM_WORLD_RANK)."""
    kids = subprocess.run(["pgrep", "-P", str(mpirun_pid)], capture_output=True, text=True).stdout.split()
    for pid in kids:
        try:
            env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
        except OSError:
            continue
        if f"OMPI_COMM_WORLD_RANK={rank}".encode() in env:
            return int(pid)
    return None


run(PAIRS + ["-o", j("ref.h5"), "-checkpoint", "none"], ranks=2, check=True)
with h5py.File(j("ref.h5")) as f:
    REF = f["distance"][:]
TOTAL = 40 * 39 // 2

# 1. One rank killed: the job ends (no hang), the rerun completes.
for victim in (1, 0):
    out = j(f"kill_rank{victim}.h5")
    p = start(PAIRS + ["-o", out])
    running = wait_for_records(p, out + ".ckpt")
    pid = rank_pid(p.pid, victim) if running else None
    expect(pid is not None, f"rank {victim}: found the rank's process while the run was going")
    if pid is None:
        kill_job(p)
        p.communicate()
        continue
    t0 = time.time()
    os.kill(pid, signal.SIGKILL)
    try:
        so, se = p.communicate(timeout=HANG)
        ended = time.time() - t0
    except subprocess.TimeoutExpired:
        kill_job(p)
        so, se = p.communicate()
        ended = None
    expect(ended is not None, f"rank {victim} SIGKILLed: mpirun ended the job in "
                              f"{'%.1f s' % ended if ended is not None else f'> {HANG} s (hang)'}")
    expect(p.returncode != 0, f"rank {victim} SIGKILLed: non-zero exit ({p.returncode})")
    expect(not os.path.exists(out), f"rank {victim} SIGKILLed: no output under the final name")
    t0 = time.time()
    run(PAIRS + ["-o", out], ranks=2, check=True)
    with h5py.File(out) as f:
        restored, got = int(f.attrs["pairs_restored"]), f["distance"][:]
    expect(0 < restored < TOTAL and np.array_equal(got, REF),
           f"rank {victim} SIGKILLed: the rerun resumed ({restored} of {TOTAL} restored) and equals the "
           f"uninterrupted matrix ({time.time() - t0:.1f} s)")

# 2. A sliced sweep: killed and restarted == uninterrupted; a slice's
#    checkpoint does not fit another slice.
SWEEP = ["noise", "-experiment", "pair", "-image", "builtin:blobs:32", "-image2", "builtin:cryo:32", "-torus",
         "-nsigma", "4", "-sigma_min", "1e-3", "-sigma_max", "1", "-trials", "40", "-p_list", "1,2",
         "-seed", "4", "-quiet"]
run(SWEEP + ["-slice", "1/2", "-o", j("slice_ref.h5")], ranks=2, check=True)
ck = j("slice.ckpt")
p = start(SWEEP + ["-slice", "1/2", "-o", j("slice.h5"), "-checkpoint", ck])
running = wait_for_records(p, ck, nbytes=1200)
kill_job(p)
p.communicate()
expect(running and not os.path.exists(j("slice.h5")), "slice 1/2 killed mid-run, no partial output left")
r = run(SWEEP + ["-slice", "0/2", "-o", j("slice0.h5"), "-checkpoint", ck], ranks=2)
expect(r.returncode != 0 and "different options" in r.stderr and ck in r.stderr,
       f"slice 0/2 refuses the checkpoint of slice 1/2 ({err(r)})")
r = run(SWEEP + ["-slice", "1/2", "-o", j("slice.h5"), "-checkpoint", ck, "-trials", "41"], ranks=2)
expect(r.returncode != 0 and "different options" in r.stderr,
       f"the slice with another -trials refuses it too ({err(r)})")
run(SWEEP + ["-slice", "1/2", "-o", j("slice.h5"), "-checkpoint", ck], ranks=1, check=True)
with h5py.File(j("slice.h5")) as a, h5py.File(j("slice_ref.h5")) as b:
    same = all(a[n][()].tobytes() == b[n][()].tobytes() for n in ("slice/items", "slice/records"))
expect(same and not os.path.exists(ck), "restarted slice (on 1 rank) == uninterrupted slice (2 ranks), "
                                        "checkpoint removed")

# 3. Damaged checkpoints.
out = j("torn.h5")
p = start(PAIRS + ["-o", out])
wait_for_records(p, out + ".ckpt")
kill_job(p)
p.communicate()
rank0 = os.path.join(out + ".ckpt", "rank0.ckpt")
with open(rank0, "r+b") as f:      # tear the last record in half
    f.truncate(os.path.getsize(rank0) - 30)
run(PAIRS + ["-o", out], ranks=2, check=True)
with h5py.File(out) as f:
    expect(np.array_equal(f["distance"][:], REF), "a torn last checkpoint record is dropped, result exact")
os.makedirs(j("bad.ckpt"))
with open(j("bad.ckpt/rank0.ckpt"), "wb") as f:
    f.write(os.urandom(200))
r = run(PAIRS + ["-o", j("bad.h5"), "-checkpoint", j("bad.ckpt")], ranks=2)
expect(r.returncode != 0 and "rank0.ckpt" in r.stderr and "not a WASP checkpoint" in r.stderr
       and not os.path.exists(j("bad.h5")), f"a garbage checkpoint file is refused by name ({err(r)})")

# 4. Damaged inputs, on 2 ranks: one error naming the file, no hang.
shutil.copy(STACK, j("trunc.h5"))
with open(j("trunc.h5"), "r+b") as f:
    f.truncate(os.path.getsize(STACK) // 2)
with open(j("garbage.h5"), "wb") as f:
    f.write(b"\x89HDF\r\n\x1a\n" + os.urandom(3000))


def mrc(path, nx, ny, nz, mode, data_bytes):
    hdr = bytearray(1024)
    struct.pack_into("<4i", hdr, 0, nx, ny, nz, mode)
    hdr[208:212] = b"MAP "
    hdr[212:216] = b"\x44\x44\x00\x00"
    with open(path, "wb") as f:
        f.write(bytes(hdr) + os.urandom(data_bytes))


mrc(j("badmode.mrcs"), 16, 16, 3, 5, 16 * 16 * 3)
mrc(j("short.mrcs"), 16, 16, 3, 2, 16 * 16 * 4)   # header: 3 float images, data: 1
mrc(j("huge.mrcs"), 1 << 30, 1 << 30, 1 << 30, 2, 64)
for name in ("trunc.h5", "garbage.h5", "badmode.mrcs", "short.mrcs", "huge.mrcs"):
    t0 = time.time()
    r = run(["pairs", "-input", j(name), "-o", j("never.h5"), "-checkpoint", "none"], ranks=2, timeout=HANG)
    expect(r.returncode != 0 and name in r.stderr and r.stderr.count("error:") == 1
           and not os.path.exists(j("never.h5")),
           f"damaged input {name}: one error naming it, exit {r.returncode} in {time.time() - t0:.1f} s "
           f"({err(r)})")

# 5. A full disk under the output and under the checkpoint.
full = j("full")
os.makedirs(full)
mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", full],
                         capture_output=True, text=True).returncode == 0
if not mounted:
    print("note: cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN): full-disk rows not run")
else:
    try:
        big = j("big.h5")
        with h5py.File(big, "w") as f:
            f["images"] = np.random.default_rng(2).random((60, 8, 8))
        out = os.path.join(full, "pairs.h5")
        r = run(["pairs", "-input", big, "-metric", "l2", "-o", out, "-checkpoint", "none"], ranks=2)
        left = os.listdir(full)
        expect(r.returncode != 0 and "pairs.h5" in r.stderr and not left,
               f"full disk under -o: error naming the file, nothing left ({left}; {err(r)})")
        r = run(["pairs", "-input", big, "-metric", "l2", "-o", j("pairs_full.h5"),
                 "-checkpoint", os.path.join(full, "ck")], ranks=2)
        expect(r.returncode != 0 and "checkpoint" in r.stderr and not os.path.exists(j("pairs_full.h5")),
               f"full disk under -checkpoint: error, no output ({err(r)})")
    finally:
        subprocess.run(["umount", full])
finish()

"""`wasp simulate` end to end: identical datasets on 1, 2 and 3 ranks; the
measured SNR against the request; the Haar uniformity of the recorded
rotations; the recorded conventions (view directions, RELION angles) against
their definitions; the MRCS stack and the RELION STAR file; the mask; and
clear, collective errors that leave no output behind.  Optional: a RELION
tool reads the STAR file (skipped with a reason when RELION is absent)."""
import glob
import os
import shutil
import struct
import subprocess
import numpy as np
import h5py
from wasp_test import run, expect, close, tmpdir, finish, shared_file

d = tmpdir()
j = lambda name: os.path.join(d, name)
MAP = shared_file("data", "ribosome70S_65.mrc")

# ---- identical output on 1, 2 and 3 ranks ---------------------------------
base = ["simulate", "-volume", MAP, "-n_images", 61, "-box", 64, "-snr_list", "1/8,1/16",
        "-seed", 7, "-shift_max", 2.5, "-write_clean", "-mrcs", "-quiet"]
for k in (1, 2, 3):
    p = run(base + ["-o", j(f"r{k}")], ranks=k)
    expect(p.returncode == 0, f"simulate on {k} rank(s) runs ({p.stderr.strip()[-300:]})")


def same_h5(a, b):
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        if set(fa.keys()) != set(fb.keys()) or dict(fa.attrs) != dict(fb.attrs):
            return False
        return all(np.array_equal(fa[k][()], fb[k][()]) for k in fa.keys())


for snr in ("0.125", "0.0625"):
    for k in (2, 3):
        expect(same_h5(j(f"r1_snr{snr}.h5"), j(f"r{k}_snr{snr}.h5")),
               f"SNR {snr}: HDF5 bit-identical on 1 and {k} ranks")
        with open(j(f"r1_snr{snr}.mrcs"), "rb") as fa, open(j(f"r{k}_snr{snr}.mrcs"), "rb") as fb:
            expect(fa.read() == fb.read(), f"SNR {snr}: MRCS bit-identical on 1 and {k} ranks")

# ---- the measured SNR matches the request ---------------------------------
# sigma^2 is estimated from n N^2 independent residuals, relative standard
# error sqrt(2 / (n N^2)) = 0.29% here: 5 standard errors allowed.
for snr, val in (("0.125", 1 / 8), ("0.0625", 1 / 16)):
    with h5py.File(j(f"r2_snr{snr}.h5"), "r") as f:
        D = f["clean"][()].astype(np.float64)
        I = f["images"][()].astype(np.float64)
        n, N, _ = D.shape
        measured = (D ** 2).sum() / (n * N * N * ((I - D) ** 2).mean())
        tol = 5 * np.sqrt(2 / (n * N * N))
        expect(abs(measured / val - 1) <= tol,
               f"measured SNR {measured:.5f} vs requested {val:.5f} (rel. tol {tol:.2%})")
        expect(close(f.attrs["sigma"] ** 2 * n * N * N * val, (D ** 2).sum(), 1e-6),
               "attribute sigma satisfies SNR = ||D||^2 / (n N^2 sigma^2) on the written /clean")
        expect((f.attrs["n_images"], f.attrs["box"], f.attrs["seed"]) == (61, 64, 7), "size and seed attributes")
        expect(f.attrs["volume"] == MAP, "volume source attribute")
        expect(f["rotations"].shape == (61, 3, 3) and f["view_dirs"].shape == (61, 3) and
               f["shifts"].shape == (61, 2) and f["images"].dtype == np.float32, "dataset shapes and types")
        expect(np.hypot(*f["shifts"][()].T).max() <= 2.5, "shifts inside -shift_max")
# Common random numbers: the two SNR datasets differ only by the noise scale.
with h5py.File(j("r1_snr0.125.h5"), "r") as a, h5py.File(j("r1_snr0.0625.h5"), "r") as b:
    ea = a["images"][()].astype(float) - a["clean"][()]
    eb = b["images"][()].astype(float) - b["clean"][()]
    ratio = b.attrs["sigma"] / a.attrs["sigma"]
    expect(close(ratio, np.sqrt(2), 1e-12), "sigma(1/16) / sigma(1/8) = sqrt(2)")
    expect(np.abs(eb - ratio * ea).max() <= 1e-5 * np.abs(eb).max(), "same noise field, scaled by sigma")

# ---- rotations: conventions and Haar uniformity ----------------------------
p = run(["simulate", "-n_images", 4000, "-box", 16, "-snr_list", 1, "-o", j("u"), "-quiet"], ranks=2)
expect(p.returncode == 0, f"4000 small phantom images ({p.stderr.strip()[-300:]})")
with h5py.File(j("u_snr1.h5"), "r") as f:
    R, v, e = f["rotations"][()], f["view_dirs"][()], f["euler"][()]
n = len(R)
expect(np.abs(np.einsum("nij,nkj->nik", R, R) - np.eye(3)).max() < 1e-12 and
       np.abs(np.linalg.det(R) - 1).max() < 1e-12, "rotations are orthogonal with det +1")
expect(np.abs(v - R[:, 2, :]).max() == 0, "view_dirs = R^T e_z (third row of R)")
# RELION's Euler_angles2matrix (src/euler.cpp), written out independently.
a, b, g = np.radians(e.T)
ca, sa, cb, sb, cg, sg = np.cos(a), np.sin(a), np.cos(b), np.sin(b), np.cos(g), np.sin(g)
A = np.stack([np.stack([cg * cb * ca - sg * sa, cg * cb * sa + sg * ca, -cg * sb], -1),
              np.stack([-sg * cb * ca - cg * sa, -sg * cb * sa + cg * ca, sg * sb], -1),
              np.stack([sb * ca, sb * sa, cb], -1)], 1)
expect(np.abs(A - R).max() < 1e-9, "euler = RELION (rot, tilt, psi) of each rotation")
# Uniform on the sphere: E v = 0 (se sqrt(1/3n)), E v v^T = I/3 (se of the
# diagonal sqrt((1/5 - 1/9)/n), off-diagonal sqrt(1/15n)); 5 standard errors.
m1, m2 = v.mean(0), v.T @ v / n
expect(np.abs(m1).max() <= 5 * np.sqrt(1 / 3 / n), f"mean view direction {np.round(m1, 4)} ~ 0")
se = np.where(np.eye(3) > 0, np.sqrt((1 / 5 - 1 / 9) / n), np.sqrt(1 / 15 / n))
expect((np.abs(m2 - np.eye(3) / 3) <= 5 * se).all(), f"second moment of view directions ~ I/3 (max dev {np.abs(m2 - np.eye(3)/3).max():.4f})")
# The in-plane angle too: Haar has E R = 0 and E (tr R)^2 = 1 (var 2).
tr = np.trace(R, axis1=1, axis2=2)
expect(np.abs(R.mean(0)).max() <= 5 * np.sqrt(1 / 3 / n) and abs((tr ** 2).mean() - 1) <= 5 * np.sqrt(2 / n),
       "E R = 0 and E (tr R)^2 = 1 (Haar, not just uniform view directions)")

# ---- MRCS and STAR --------------------------------------------------------
with open(j("r1_snr0.125.mrcs"), "rb") as f:
    hdr = f.read(1024)
    nx, ny, nz, mode = struct.unpack("<4i", hdr[:16])
    data = np.frombuffer(f.read(), dtype="<f4").reshape(nz, ny, nx)
with h5py.File(j("r1_snr0.125.h5"), "r") as f:
    expect((nx, ny, nz, mode) == (64, 64, 61, 2), f"MRCS header {nx}x{ny}x{nz} mode {mode}")
    expect(np.array_equal(data, f["images"][()]), "MRCS stack = /images")
    eul, sh, px = f["euler"][()], f["shifts"][()], f.attrs["pixel_size"]


def star_loop(text, block):
    """Column names and rows of the loop in data_<block>."""
    part = text.split("data_" + block, 1)[1].split("data_", 1)[0]
    cols, rows = [], []
    for line in part.splitlines():
        line = line.strip()
        if line.startswith("_rln"):
            cols.append(line.split()[0][1:])
        elif line and not line.startswith(("#", "loop_")):
            rows.append(line.split())
    return cols, rows


star = open(j("r1_snr0.125.star")).read()
oc, orows = star_loop(star, "optics")
pc, prows = star_loop(star, "particles")
expect("# version 30001" in star and oc == ["rlnOpticsGroup", "rlnOpticsGroupName", "rlnImagePixelSize",
       "rlnVoltage", "rlnSphericalAberration", "rlnAmplitudeContrast", "rlnImageSize",
       "rlnImageDimensionality"] and len(orows) == 1 and orows[0][6] == "64" and orows[0][7] == "2",
       "STAR data_optics (RELION 3.1)")
expect(pc[:5] == ["rlnImageName", "rlnOpticsGroup", "rlnAngleRot", "rlnAngleTilt", "rlnAnglePsi"] and
       "rlnOriginXAngst" in pc and len(prows) == 61, "STAR data_particles columns and count")
expect(prows[0][0] == "000001@r1_snr0.125.mrcs" and prows[60][0] == "000061@r1_snr0.125.mrcs",
       "rlnImageName numbers the MRCS slices from 1")
ang = np.array([[float(x) for x in r[2:5]] for r in prows])
org = np.array([[float(x) for x in r[5:7]] for r in prows])
expect(np.abs(ang - eul).max() < 1e-5 and np.abs(org - sh * px).max() < 1e-5,
       "STAR angles = /euler, origins = /shifts * pixel size")
tool = shutil.which("relion_star_printtable")
if tool:
    q = subprocess.run([tool, j("r1_snr0.125.star"), "data_particles", "rlnAngleTilt"],
                       capture_output=True, text=True)
    vals = [float(x) for x in q.stdout.split()] if q.returncode == 0 else []
    expect(len(vals) == 61 and np.allclose(vals, eul[:, 1], atol=1e-5), "relion_star_printtable reads the STAR file")
else:
    print("skipped: RELION check (relion_star_printtable not on PATH; RELION is not installed in CI)")

# ---- mask ------------------------------------------------------------------
p = run(["simulate", "-n_images", 4, "-box", 32, "-snr_list", "0.5", "-mask_radius", 10,
         "-write_clean", "-o", j("m"), "-quiet"])
with h5py.File(j("m_snr0.5.h5"), "r") as f:
    yy, xx = np.mgrid[:32, :32]
    out = (yy - 16) ** 2 + (xx - 16) ** 2 > 100
    I, D = f["images"][()], f["clean"][()]
    expect(p.returncode == 0 and (I[:, out] == 0).all() and (D[:, out] == 0).all() and
           (I[:, ~out] != 0).all(), "-mask_radius zeroes exactly the pixels outside the disc")

# ---- errors: named, collective, nothing written ----------------------------
bad = np.zeros((4, 5, 5), dtype="<f4")
hdr = bytearray(1024)
struct.pack_into("<4i", hdr, 0, 5, 5, 4, 2)
struct.pack_into("<3i", hdr, 28, 5, 5, 4)
hdr[208:212] = b"MAP "
hdr[212:214] = b"\x44\x44"
with open(j("flat.mrc"), "wb") as f:
    f.write(bytes(hdr) + bad.tobytes())
cases = [
    (["-snr_list", "0"], "-snr_list"),
    (["-snr_list", "1/8,0.125"], "-snr_list"),
    (["-snr_list", "abc"], "abc"),
    (["-n_images", 0], "-n_images"),
    (["-box", 4], "-box"),
    (["-seed", "-3"], "-seed"),
    (["-shift_max", -1], "-shift_max"),
    (["-volume", j("missing.mrc")], "missing.mrc"),
    (["-volume", j("flat.mrc")], "cubic"),
    (["-o", j("no/such/dir/x")], "no/such/dir"),
]
for args, word in cases:
    p = run(["simulate", "-n_images", 3, "-box", 16, "-o", j("e")] + args, ranks=2)
    expect(p.returncode != 0 and word in p.stderr and p.stderr.count("error:") == 1,
           f"{' '.join(map(str, args))}: one error naming '{word}', non-zero exit ({p.stderr.strip()[:160]})")
left = glob.glob(j("e_*")) + glob.glob(j("*.tmp.*"))
expect(not left, f"no output or temporary file left by failed runs ({left})")

finish()

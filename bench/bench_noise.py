#!/usr/bin/python3
"""Noise-sweep benchmark (issue 5): the sweep of an options file (default
input/noise_self.opts) with `wasp noise` on K MPI ranks against a POT-based
Python loop over the same problems, in the same run.

  /usr/bin/python3 bench/bench_noise.py [--wasp BUILD/wasp] [--opts input/noise_self.opts]
        [--ranks 2] [--reps 3] [--pot-reps 1] [--trials T] [--sigma-every K] [--json-out FILE]

Supported: -experiment self with a built-in `blobs` image (the study's Figure 2
setting).  WASP runs the options file as it is, except that -csv and -plots are
dropped and -o points to a scratch file (outputs, not computation); --trials and
--sigma-every (keep every K-th sigma) make a stated subset for both sides.

The POT loop rebuilds the same problems with numpy: the clean image (the
built-in blobs, re-implemented here and checked against `wasp distance -plan`),
zero-sum noise (i.i.d. N(0, sigma^2 m/(m-1)) minus its mean, Assumption 1)
on one side (or both with -both_sides), S = a+ + b-, T = b+ + a- with T rescaled
to the mass of S, and W_p^± = ot.emd2(S, T, C_p)^(1/p) with the cost matrix C_p
of the (torus) grid built once per p.  The noise draws differ from WASP's
Philox streams, so the two sides agree in distribution, not bit for bit: the
table gives both means per (sigma, p) and the difference in combined standard
errors.  L2 means (numpy) are compared the same way.  Wall times: WASP's
outside mpirun and its own sweep wall_seconds; POT's loop (one process,
one core); per-core: POT loop versus the sum over ranks of WASP's WaspSolve."""
import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import MPIENV, cost_matrix, default_wasp, timed_run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def read_opts(path):
    """An options file as an ordered list of (option, value or None)."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 1)
            out.append((parts[0], parts[1].strip() if len(parts) > 1 else None))
    return out


def sweep_axes(opts):
    d = dict(opts)
    if "-sigma_list" in d:
        sig = [float(s) for s in d["-sigma_list"].split(",")]
    else:
        lo, hi = float(d.get("-sigma_min", 1e-6)), float(d.get("-sigma_max", 1e-1))
        ns = int(d.get("-nsigma", 6))
        sig = [lo if ns == 1 else math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * i / (ns - 1))
               for i in range(ns)]
        sig[0], sig[-1] = lo, hi
    ps = [float(s) for s in d.get("-p_list", "1,2").split(",")]
    return sig, ps


def blobs(n):
    """builtin:blobs:N without seed (src/image/builtin.c make_blobs, seed 0)."""
    bs = [(0.30, 0.30, 0.08, 0.05, 0.5, 1.0), (0.70, 0.65, 0.06, 0.10, -0.3, 0.8),
          (0.25, 0.72, 0.05, 0.05, 0.0, 0.6), (0.68, 0.25, 0.10, 0.04, 1.0, 0.5)]
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    w = np.zeros((n, n))
    for cy, cx, sy, sx, th, wt in bs:
        y, x = i / n - cy, j / n - cx
        c, s = math.cos(th), math.sin(th)
        u, v = (c * y + s * x) / sy, (-s * y + c * x) / sx
        w += wt * np.exp(-0.5 * (u * u + v * v))
    return w / w.sum()


def check_blobs(wasp, n, tmp):
    """The plan of W2(blobs, blobs) is the identity (zero cost): its masses are
    WASP's image.  Returns the max relative difference to ours."""
    plan = os.path.join(tmp, "blobs_plan.h5")
    spec = f"builtin:blobs:{n}"
    subprocess.run([wasp, "distance", "-a", spec, "-b", spec, "-metric", "wp", "-p", "2", "-plan", plan],
                   check=True, capture_output=True, env=MPIENV)
    img = np.zeros(n * n)
    with h5py.File(plan, "r") as f:
        s, t, m = f["plan/source"][:], f["plan/target"][:], f["plan/mass"][:]
    assert np.all(s == t), "the plan of an image against itself should be the identity"
    img[s] = m
    ours = blobs(n).ravel()
    return float(np.max(np.abs(img - ours)) / ours.max())


def zerosum(rng, sigma, m):
    e = rng.normal(0.0, sigma * math.sqrt(m / (m - 1.0)), m)
    return e - e.mean()


def pot_sweep(ot, mu, sigmas, ps, trials, torus, both, seed):
    """Same cells as wasp noise -experiment self -noise zerosum: every p sees the
    same noisy images of (sigma, trial).  Returns samples [ns][np][trials][2]
    (l2, signed) and timings."""
    n = mu.shape[0]
    m = n * n
    a0 = mu.ravel()
    t0 = time.perf_counter()
    Cs = [cost_matrix(n, p, torus) for p in ps]
    build = time.perf_counter() - t0
    rng = np.random.default_rng(seed)
    out = np.zeros((len(sigmas), len(ps), trials, 2))
    solve = 0.0
    t_all = time.perf_counter()
    for i_s, s in enumerate(sigmas):
        for t in range(trials):
            a = a0 + zerosum(rng, s, m) if both else a0.copy()
            b = a0 + zerosum(rng, s, m)
            S = np.maximum(a, 0) + np.maximum(-b, 0)
            T = np.maximum(b, 0) + np.maximum(-a, 0)
            T = T * (S.sum() / T.sum())
            l2 = float(np.linalg.norm(a - b))
            for i_p, (p, C) in enumerate(zip(ps, Cs)):
                t1 = time.perf_counter()
                c = ot.emd2(S, T, C, numItermax=2**31 - 1)
                solve += time.perf_counter() - t1
                out[i_s, i_p, t] = (l2, max(float(c), 0.0) ** (1.0 / p))
    return out, build, solve, time.perf_counter() - t_all


def read_logview(path):
    ev = {}
    with open(path) as f:
        for row in csv.reader(f):
            if len(row) >= 5 and row[0] == "Main Stage" and (row[1].startswith("Wasp") or row[1] == "summary"):
                ev.setdefault(row[1], {})[int(row[2])] = float(row[4])
    return ev


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wasp", default=default_wasp())
    ap.add_argument("--opts", default=os.path.join(ROOT, "input", "noise_self.opts"))
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--pot-reps", type=int, default=1)
    ap.add_argument("--trials", type=int, help="override -trials (a stated subset)")
    ap.add_argument("--sigma-every", type=int, default=1, help="keep every K-th sigma (a stated subset)")
    ap.add_argument("--json-out")
    args = ap.parse_args()
    import ot

    tmp = tempfile.mkdtemp(prefix="wasp-bench-noise-")
    opts = [(k, v) for k, v in read_opts(args.opts) if k not in ("-o", "-csv", "-plots", "-json", "-quiet")]
    d = dict(opts)
    if d.get("-experiment", "self") != "self" or d.get("-noise", "zerosum") != "zerosum":
        sys.exit("bench_noise.py supports -experiment self with -noise zerosum")
    image = d.get("-image", "builtin:blobs:32")
    if not image.startswith("builtin:blobs:") or "seed" in image:
        sys.exit("bench_noise.py rebuilds builtin:blobs:N only")
    n = int(image.split(":")[2])
    sigmas, ps = sweep_axes(opts)
    sigmas = sigmas[::args.sigma_every]
    trials = args.trials or int(d.get("-trials", 4))
    torus = "-torus" in d and d["-torus"] not in ("0", "false", "no")
    both = "-both_sides" in d and d["-both_sides"] not in ("0", "false", "no")
    opts = [(k, v) for k, v in opts if k not in ("-sigma_min", "-sigma_max", "-nsigma", "-sigma_list", "-trials")]
    opts += [("-sigma_list", ",".join("%.17g" % s for s in sigmas)), ("-trials", str(trials))]
    if "-fit_min" in d and (float(d["-fit_min"]) < sigmas[0] or sum(
            1 for s in sigmas if float(d["-fit_min"]) <= s <= float(d.get("-fit_max", sigmas[-1]))) < 3):
        opts = [(k, v) for k, v in opts if k not in ("-fit_min", "-fit_max")]
    optfile = os.path.join(tmp, "sweep.opts")
    with open(optfile, "w") as f:
        for k, v in opts:
            f.write(f"{k} {v}\n" if v is not None else f"{k}\n")
    ncells = len(sigmas) * len(ps) * trials
    print(f"# {os.path.relpath(args.opts, ROOT)}: {len(sigmas)} sigmas x {len(ps)} p x {trials} trials = {ncells} "
          f"W_p^± solves on {n}x{n}{' torus' if torus else ''}, {'both sides' if both else 'one side'} noised; "
          f"load average at start {os.getloadavg()}", flush=True)
    blob_diff = check_blobs(args.wasp, n, tmp)
    print(f"  builtin:blobs:{n} re-implemented in numpy: max rel. difference {blob_diff:.1e}", flush=True)

    wasp_runs = []
    for r in range(args.reps):
        out = os.path.join(tmp, f"noise{r}.h5")
        lv = os.path.join(tmp, f"lv{r}.csv")
        cmd = ["mpirun", "-n", str(args.ranks), args.wasp, "noise", "-options_file", optfile, "-o", out,
               "-quiet", "-log_view", f":{lv}:ascii_csv"]
        p, ext, cpu, l0 = timed_run(cmd)
        if p.returncode:
            sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr}")
        with h5py.File(out, "r") as f:
            wall = float(f.attrs["wall_seconds"])
            samples = f["samples"][:]  # [ns][np][trials][nm] l2, l2sq, signed
        ev = read_logview(lv)
        wasp_runs.append({"ext_wall": ext, "wall": wall, "cpu": cpu, "solve": ev.get("WaspSolve", {}),
                          "load1_before": l0, "load1_after": os.getloadavg()[0]})
        print(f"  wasp noise rep {r} on {args.ranks} ranks: outside {ext:.2f} s, sweep {wall:.2f} s, "
              f"WaspSolve per rank {[round(v, 2) for v in ev.get('WaspSolve', {}).values()]}, CPU {cpu:.2f} s, "
              f"load {l0:.2f}",
              flush=True)

    pot_runs, pot_samples = [], None
    for r in range(args.pot_reps):
        l0 = os.getloadavg()[0]
        c0 = time.process_time()
        s, build, solve, total = pot_sweep(ot, blobs(n), sigmas, ps, trials, torus, both, 1000 + r)
        pot_samples = s if pot_samples is None else np.concatenate([pot_samples, s], axis=2)
        pot_runs.append({"build": build, "solve": solve, "loop": total, "cpu": time.process_time() - c0,
                         "load1_before": l0,
                         "load1_after": os.getloadavg()[0]})
        print(f"  POT loop {r}: cost matrices {build:.2f} s, emd2 {solve:.1f} s, whole loop {total:.1f} s, "
              f"CPU {pot_runs[-1]['cpu']:.1f} s, load {l0:.2f}", flush=True)

    # Statistics side by side (WASP: the last run's samples; all runs hold the same numbers).
    rows = []
    for i_s, sg in enumerate(sigmas):
        for i_p, p in enumerate(ps):
            for name, wi, pi in (("signed", 2, 1), ("l2", 0, 0)):
                w = samples[i_s, i_p, :, wi]
                q = pot_samples[i_s, i_p, :, pi]
                mw, mq = float(w.mean()), float(q.mean())
                sw = float(w.std(ddof=1) / math.sqrt(len(w))) if len(w) > 1 else float("nan")
                sq = float(q.std(ddof=1) / math.sqrt(len(q))) if len(q) > 1 else float("nan")
                z = (mw - mq) / math.sqrt(sw * sw + sq * sq) if sw + sq > 0 else 0.0
                rows.append({"sigma": sg, "p": p, "metric": name, "wasp_mean": mw, "wasp_sem": sw,
                             "pot_mean": mq, "pot_sem": sq, "z": z})
    ext = med([x["ext_wall"] for x in wasp_runs])
    wall = med([x["wall"] for x in wasp_runs])
    core = med([sum(x["solve"].values()) for x in wasp_runs])
    loop = med([x["loop"] for x in pot_runs])
    psolve = med([x["solve"] for x in pot_runs])
    print()
    wcpu = med([x["cpu"] for x in wasp_runs])
    pcpu = med([x["cpu"] for x in pot_runs])
    print(f"| | wall, s (median [min–max]) | CPU time, s | per W_p^± solve, ms | load avg (1 min) |")
    print("|---|---|---|---|---|")
    wl = [x["load1_before"] for x in wasp_runs]
    pl = [x["load1_before"] for x in pot_runs]
    print(f"| wasp noise, {args.ranks} ranks, outside mpirun ({args.reps} runs) | {ext:.2f} "
          f"[{min(x['ext_wall'] for x in wasp_runs):.2f}–{max(x['ext_wall'] for x in wasp_runs):.2f}] | "
          f"{wcpu:.2f} (all processes) | {1e3 * wcpu / ncells:.1f} (CPU) | {min(wl):.2f}–{max(wl):.2f} |")
    print(f"| wasp noise, sweep wall_seconds | {wall:.2f} | | {1e3 * wall * args.ranks / ncells:.1f} (rank-seconds) | |")
    print(f"| wasp noise, sum over ranks of WaspSolve (rank-seconds) | {core:.2f} | | {1e3 * core / ncells:.1f} | |")
    print(f"| POT loop, 1 process ({args.pot_reps} runs) | {loop:.2f} | {pcpu:.2f} | {1e3 * psolve / ncells:.1f} "
          f"(emd2 wall only) | {min(pl):.2f}–{max(pl):.2f} |")
    print()
    print(f"Ratio POT loop / wasp noise on {args.ranks} ranks (wall, outside mpirun): {loop / ext:.1f}; "
          f"against the sweep's own wall_seconds: {loop / wall:.1f}; per core (POT loop / sum of WaspSolve): "
          f"{loop / core:.1f}; emd2 time alone / WaspSolve sum: {psolve / core:.1f}; CPU time (POT loop / all WASP "
          f"processes incl. launch): {pcpu / wcpu:.1f}")
    print()
    print("| σ | p | W_p^± WASP mean ± sem | W_p^± POT mean ± sem | z | L2 WASP mean | L2 numpy mean | z |")
    print("|---|---|---|---|---|---|---|---|")
    for k in range(0, len(rows), 2):
        a, b = rows[k], rows[k + 1]
        print(f"| {a['sigma']:.3g} | {a['p']:g} | {a['wasp_mean']:.5g} ± {a['wasp_sem']:.2g} | "
              f"{a['pot_mean']:.5g} ± {a['pot_sem']:.2g} | {a['z']:+.2f} | {b['wasp_mean']:.5g} | "
              f"{b['pot_mean']:.5g} | {b['z']:+.2f} |")
    zs = [abs(r["z"]) for r in rows if r["metric"] == "signed"]
    print()
    print(f"W_p^± means: max |z| {max(zs):.2f} over {len(zs)} cells; {sum(z > 2 for z in zs)} with |z| > 2 "
          f"(about {0.046 * len(zs):.1f} expected by chance if independent - they are not: all p of one sigma "
          f"share the noisy images), {sum(z > 3 for z in zs)} with |z| > 3")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"opts": args.opts, "sigmas": sigmas, "p": ps, "trials": trials, "ranks": args.ranks,
                       "wasp": wasp_runs, "pot": pot_runs, "rows": rows, "blob_diff": blob_diff,
                       "nproc": os.cpu_count(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}, f, indent=1,
                      default=lambda o: {str(k): v for k, v in o.items()} if isinstance(o, dict) else float(o))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Pair-workload benchmark (issue 4): `wasp pairs` on 1 and 2 MPI ranks against
POT's ot.emd2 on the same pairs, in the same run.

  /usr/bin/python3 bench/bench_pairs.py [--wasp BUILD/wasp] [--n 20] [--size 32]
        [--reps 5] [--variants wp,torus,signed] [--pot-reps 3] [--variant-pot-reps 1]
        [--no-control] [--json-out FILE]

For each variant (wp = W2 on the plain grid, torus = W2 on the periodic grid,
signed = Mainini's W2^± between images carrying zero-sum noise):
  * N images of n x n are written to one HDF5 stack (smooth random blobs,
    every pixel positive; for `signed` the same plus zero-sum Gaussian noise of
    pixel std 1/n^2, so pixels go negative and every image keeps mass 1);
  * `mpirun -n P wasp pairs ... -json -quiet -log_view :F:ascii_csv` runs for
    P = 1, 2, alternating the order between repetitions so slow drifts of the
    machine's load hit both; we record the wall time outside mpirun
    (launch + read + solve + gather + write), the program's own wall_seconds
    (from the command's start to the end of the gather: no launch, no write),
    the sum of the per-pair solve seconds, and the per-rank PETSc events
    (WaspRead, WaspSolve, WaspGather, WaspWrite) from -log_view;
  * control (first variant): two independent 1-rank runs started together
    (`mpirun --bind-to none`, else both would be pinned to core 0), no MPI
    between them: how much the per-pair solve slows down when both vCPUs are
    busy, whatever the driver does;
  * POT: a Python loop of ot.emd2 over the same N(N-1)/2 pairs with the cost
    matrix built once (its build time reported apart), and the values compared.
The load average (os.getloadavg) is recorded around every run.  Prints
markdown tables; --json-out keeps every raw figure."""
import argparse
import csv
import json
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


def smooth(n, rng):
    """Six Gaussian blobs at random places and widths, plus a floor of 1e-6 of
    the peak so every pixel is positive; mass 1."""
    y, x = np.mgrid[0:n, 0:n] / n
    img = np.zeros((n, n))
    for _ in range(6):
        cy, cx, s = rng.random(), rng.random(), 0.03 + 0.12 * rng.random()
        img += rng.random() * np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * s * s))
    img += 1e-6 * img.max()
    return img / img.sum()


def make_stack(variant, N, n, seed):
    rng = np.random.default_rng(seed)
    imgs = [smooth(n, rng) for _ in range(N)]
    if variant == "signed":
        sigma = 1.0 / (n * n)
        out = []
        for im in imgs:
            e = rng.normal(0, sigma, (n, n))
            e -= e.mean()
            out.append(im + e)
        imgs = out
    return np.stack(imgs)


def pot_marginals(variant, x, y):
    if variant != "signed":
        return x.ravel() / x.sum(), y.ravel() / y.sum()
    S = np.maximum(x, 0) + np.maximum(-y, 0)
    T = np.maximum(y, 0) + np.maximum(-x, 0)
    return S.ravel(), (T * S.sum() / T.sum()).ravel()  # WASP rescales T to C exactly too


def pot_loop(ot, stack, variant, p, torus):
    """One POT pass over all pairs i < j: (build seconds, [emd2 seconds], values)."""
    N, n = stack.shape[0], stack.shape[1]
    t0 = time.perf_counter()
    C = cost_matrix(n, p, torus)
    build = time.perf_counter() - t0
    secs, vals = [], np.zeros((N, N))
    for i in range(N):
        for j in range(i + 1, N):
            a, b = pot_marginals(variant, stack[i], stack[j])
            t0 = time.perf_counter()
            c = ot.emd2(a, b, C, numItermax=2**31 - 1)
            secs.append(time.perf_counter() - t0)
            vals[i, j] = vals[j, i] = max(float(c), 0.0) ** (1.0 / p)
    return build, secs, vals


def read_logview(path):
    """Per-rank times of the WASP events and PETSc's total, from ascii_csv."""
    ev = {}
    with open(path) as f:
        for row in csv.reader(f):
            if len(row) < 5 or row[0] != "Main Stage":
                continue
            name, rank, t = row[1], int(row[2]), float(row[4])
            if name.startswith("Wasp") or name == "summary":
                ev.setdefault(name, {})[rank] = t
    return ev


def run_wasp(wasp, ranks, stack_path, args_metric, out, tag, tmp):
    lv = os.path.join(tmp, f"lv_{tag}.csv")
    cmd = ["mpirun", "-n", str(ranks), wasp, "pairs", "-input", stack_path, *args_metric,
           "-o", out, "-checkpoint", "none", "-json", "-quiet", "-log_view", f":{lv}:ascii_csv"]
    p, ext, cpu, load0 = timed_run(cmd)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{p.stderr}")
    js = json.loads([l for l in p.stdout.splitlines() if l.startswith("{")][-1])
    with h5py.File(out, "r") as f:
        dist = f["distance"][:]
    return {"ranks": ranks, "ext_wall": ext, "cpu": cpu, "wall": js["wall_seconds"], "solve_sum": js["solve_seconds"],
            "events": read_logview(lv), "load1_before": load0, "load1_after": os.getloadavg()[0],
            "dist": dist}


def run_control(wasp, stack_path, args_metric, tmp):
    """Two independent 1-rank runs at once (no MPI between them)."""
    procs, t0 = [], time.perf_counter()
    load0 = os.getloadavg()[0]
    for k in range(2):
        # --bind-to none: every `mpirun -n 1` would pin its rank to core 0, so two
        # of them would share one core (Open MPI's default binding).
        cmd = ["mpirun", "--bind-to", "none", "-n", "1", wasp, "pairs", "-input", stack_path, *args_metric,
               "-o", os.path.join(tmp, f"ctl{k}.h5"), "-checkpoint", "none", "-json", "-quiet"]
        procs.append(subprocess.Popen(cmd, env=MPIENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    res = []
    for pr in procs:
        out, err = pr.communicate()
        if pr.returncode != 0:
            raise RuntimeError(err)
        res.append(json.loads([l for l in out.splitlines() if l.startswith("{")][-1]))
    return {"ext_wall": time.perf_counter() - t0, "solve_sum": [r["solve_seconds"] for r in res],
            "load1_before": load0, "load1_after": os.getloadavg()[0]}


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wasp", default=default_wasp())
    ap.add_argument("--n", type=int, default=20, help="number of images")
    ap.add_argument("--size", type=int, default=32, help="image side")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--variants", default="wp,torus,signed")
    ap.add_argument("--pot-reps", type=int, default=3, help="POT passes for the first variant")
    ap.add_argument("--variant-pot-reps", type=int, default=1, help="POT passes for the other variants")
    ap.add_argument("--no-control", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json-out")
    args = ap.parse_args()
    import ot  # Debian's python3-pot

    tmp = tempfile.mkdtemp(prefix="wasp-bench-pairs-")
    N, n, npairs = args.n, args.size, args.n * (args.n - 1) // 2
    report = {"wasp": args.wasp, "N": N, "n": n, "pairs": npairs, "nproc": os.cpu_count(),
              "pot_version": ot.__version__, "started": time.strftime("%Y-%m-%d %H:%M:%S"), "variants": {}}
    print(f"# wasp pairs: {N} images of {n}x{n}, {npairs} pairs, p = 2; {args.reps} repetitions per rank "
          f"count; load average at start {os.getloadavg()}", flush=True)
    for vi, variant in enumerate(args.variants.split(",")):
        stack = make_stack(variant, N, n, args.seed + vi)
        path = os.path.join(tmp, f"stack_{variant}.h5")
        with h5py.File(path, "w") as f:
            f["images"] = stack
        metric = ["-metric", "signed" if variant == "signed" else "wp", "-p", "2"] + \
                 (["-torus"] if variant == "torus" else [])
        runs = {1: [], 2: []}
        for r in range(args.reps):
            order = (1, 2) if r % 2 == 0 else (2, 1)
            for P in order:
                runs[P].append(run_wasp(args.wasp, P, path, metric, os.path.join(tmp, f"out{P}.h5"),
                                        f"{variant}_{P}_{r}", tmp))
                x = runs[P][-1]
                print(f"  {variant} rep {r} P={P}: outside {x['ext_wall']:.3f} s, program {x['wall']:.3f} s, "
                      f"solve sum {x['solve_sum']:.3f} s, CPU {x['cpu']:.3f} s, load {x['load1_before']:.2f}",
                      flush=True)
        same = all(np.array_equal(runs[1][0]["dist"], x["dist"]) for P in (1, 2) for x in runs[P])
        control = None
        if vi == 0 and not args.no_control:
            control = [run_control(args.wasp, path, metric, tmp) for _ in range(max(2, args.reps // 2))]
            for c in control:
                print(f"  control (2 x 1 rank at once): solve sums {c['solve_sum'][0]:.3f}, "
                      f"{c['solve_sum'][1]:.3f} s, load {c['load1_before']:.2f}", flush=True)
        pot_reps = args.pot_reps if vi == 0 else args.variant_pot_reps
        pot = []
        for r in range(pot_reps):
            l0 = os.getloadavg()[0]
            build, secs, vals = pot_loop(ot, stack, variant, 2.0, variant == "torus")
            pot.append({"build": build, "loop": sum(secs), "per_pair_median": med(secs),
                        "load1_before": l0, "load1_after": os.getloadavg()[0]})
            print(f"  POT pass {r}: cost matrix {build:.3f} s, loop {sum(secs):.2f} s, load {l0:.2f}", flush=True)
        diff = float("nan")
        if pot_reps:
            iu = np.triu_indices(N, 1)
            d1 = runs[1][0]["dist"]
            diff = float((np.abs(d1[iu] - vals[iu]) / np.maximum(np.abs(vals[iu]), 1e-300)).max())
        for P in (1, 2):
            for x in runs[P]:
                del x["dist"]
        report["variants"][variant] = {"runs": runs, "control": control, "pot": pot,
                                       "identical_1_2": same, "max_rel_diff_pot": diff}
    print_tables(report)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(report, f, indent=1, default=float)


def ev_med(runs, name, fn):
    vals = [fn(list(x["events"].get(name, {0: 0.0}).values())) for x in runs]
    return med(vals)


def print_tables(rep):
    npairs = rep["pairs"]
    print()
    print("| variant | ranks | wall outside mpirun, s (median [min–max]) | program wall, s | "
          "solve-time sum, s | CPU time of all processes, s | cores obtained (CPU / outside wall) | "
          "wall per pair, ms | mean solve per pair, ms | load avg (1 min) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for v, d in rep["variants"].items():
        for P in (1, 2):
            rs = d["runs"][P]
            ext = [x["ext_wall"] for x in rs]
            wall = [x["wall"] for x in rs]
            ss = [x["solve_sum"] for x in rs]
            loads = [x["load1_before"] for x in rs]
            cpu = [x["cpu"] for x in rs]
            share = med([x["cpu"] / x["ext_wall"] for x in rs])
            print(f"| {v} | {P} | {med(ext):.3f} [{min(ext):.3f}–{max(ext):.3f}] | {med(wall):.3f} "
                  f"[{min(wall):.3f}–{max(wall):.3f}] | {med(ss):.3f} | {med(cpu):.3f} | {share:.2f} | "
                  f"{1e3 * med(wall) / npairs:.2f} | "
                  f"{1e3 * med(ss) / npairs:.2f} | {min(loads):.2f}–{max(loads):.2f} |")
    print()
    print("| variant | efficiency T1/(2·T2), program wall (medians) | same, per-repetition median | "
          "same, outside mpirun | solve-time inflation on 2 ranks | control: inflation of 2 independent 1-rank runs | "
          "rank-0/1 finish gap (median), ms | launch + write (outside − program), s, 1 / 2 ranks | "
          "matrix identical on 1 and 2 ranks |")
    print("|---|---|---|---|---|---|---|---|---|")
    for v, d in rep["variants"].items():
        r1, r2 = d["runs"][1], d["runs"][2]
        e_prog = med([x["wall"] for x in r1]) / (2 * med([x["wall"] for x in r2]))
        e_ext = med([x["ext_wall"] for x in r1]) / (2 * med([x["ext_wall"] for x in r2]))
        e_pair = med([a["wall"] / (2 * b["wall"]) for a, b in zip(r1, r2)])
        infl = med([x["solve_sum"] for x in r2]) / med([x["solve_sum"] for x in r1])
        ctl = "–"
        if d["control"]:
            ctl = f"{med([s for c in d['control'] for s in c['solve_sum']]) / med([x['solve_sum'] for x in r1]):.3f}"
        gap = 1e3 * ev_med(r2, "WaspSolve", lambda t: max(t) - min(t))
        ov1 = med([x["ext_wall"] - x["wall"] for x in r1])
        ov2 = med([x["ext_wall"] - x["wall"] for x in r2])
        print(f"| {v} | {100 * e_prog:.1f}% | {100 * e_pair:.1f}% | {100 * e_ext:.1f}% | {infl:.3f} | {ctl} | "
              f"{gap:.1f} | {ov1:.2f} / {ov2:.2f} | {'yes' if d['identical_1_2'] else 'NO'} |")
    print()
    print("| variant | WASP wall per pair, 1 rank, ms | WASP mean solve per pair, ms | POT emd2 per pair, ms (mean; median) | "
          "POT per pair incl. cost matrix built once, ms | POT per pair if C rebuilt per pair, ms | POT/WASP (solve) | "
          "max rel. diff of values | POT load avg |")
    print("|---|---|---|---|---|---|---|---|---|")
    for v, d in rep["variants"].items():
        if not d["pot"]:
            continue
        r1 = d["runs"][1]
        w_wall = 1e3 * med([x["wall"] for x in r1]) / npairs
        w_solve = 1e3 * med([x["solve_sum"] for x in r1]) / npairs
        loop = med([p["loop"] for p in d["pot"]])
        build = med([p["build"] for p in d["pot"]])
        pmed = med([p["per_pair_median"] for p in d["pot"]])
        loads = [p["load1_before"] for p in d["pot"]]
        print(f"| {v} | {w_wall:.2f} | {w_solve:.2f} | {1e3 * loop / npairs:.1f}; {1e3 * pmed:.1f} | "
              f"{1e3 * (loop + build) / npairs:.1f} | {1e3 * (loop / npairs + build):.1f} | "
              f"{(loop / npairs) / (w_solve / 1e3):.1f} | {d['max_rel_diff_pot']:.1e} | "
              f"{min(loads):.2f}–{max(loads):.2f} |")
    print()
    print("Per-rank PETSc events (medians over repetitions, seconds; -log_view ascii_csv):")
    print()
    print("| variant | ranks | WaspRead | WaspSolve rank 0 | WaspSolve rank 1 | WaspGather (max) | WaspWrite (rank 0) |")
    print("|---|---|---|---|---|---|---|")
    for v, d in rep["variants"].items():
        for P in (1, 2):
            rs = d["runs"][P]
            s0 = med([x["events"]["WaspSolve"].get(0, float("nan")) for x in rs])
            s1 = med([x["events"]["WaspSolve"].get(1, float("nan")) for x in rs]) if P > 1 else float("nan")
            print(f"| {v} | {P} | {ev_med(rs, 'WaspRead', max):.4f} | {s0:.3f} | "
                  f"{'%.3f' % s1 if P > 1 else '–'} | {ev_med(rs, 'WaspGather', max):.5f} | "
                  f"{med([x['events']['WaspWrite'].get(0, float('nan')) for x in rs]):.4f} |")


if __name__ == "__main__":
    sys.exit(main())

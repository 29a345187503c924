"""A sliced noise sweep (`wasp noise ... -slice K/N`, one Slurm array task per
slice) merged by `wasp merge` equals the single mpirun run: every dataset bit
for bit, every root attribute except wall_seconds and nranks.  Inconsistent
parts (other options, another seed, a duplicate, a missing or a foreign
file) are refused with a message naming the file, on 1 and 2 ranks, and no
output is left behind."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wasp_test import expect, finish, need, run, tmpdir  # noqa: E402

h5py = need("h5py")
np = need("numpy")

RUN_ATTRS = {"wall_seconds", "nranks"}


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
        attrs = {k: f.attrs[k] for k in f.attrs}
        for g in ("bounds", "fit", "dirac"):
            if g in f:
                attrs.update({f"{g}/{k}": f[g].attrs[k] for k in f[g].attrs})
    return out, attrs


def same_file(a, b):
    """Return a list of differences ('' for none) between two noise outputs."""
    da, aa = datasets(a)
    db, ab = datasets(b)
    diffs = []
    if sorted(da) != sorted(db):
        diffs.append(f"dataset names differ: {sorted(set(da) ^ set(db))}")
    for k in set(da) & set(db):
        x, y = np.asarray(da[k]), np.asarray(db[k])
        if x.shape != y.shape or x.dtype != y.dtype or x.tobytes() != y.tobytes():
            diffs.append(f"dataset {k} differs")
    for k in set(aa) | set(ab):
        if k in RUN_ATTRS:
            continue
        if k not in aa or k not in ab or not np.array_equal(aa[k], ab[k]):
            diffs.append(f"attribute {k}: {aa.get(k)!r} vs {ab.get(k)!r}")
    return diffs


def sliced(d, args, n, ranks=1, prefix="part", extra=None):
    parts = []
    for k in range(n):
        part = os.path.join(d, f"{prefix}{k}.h5")
        more = (extra or {}).get(k, [])
        run(list(args) + more + ["-slice", f"{k}/{n}", "-o", part], ranks=ranks, check=True)
        parts.append(part)
    return parts


def refused(args, ranks, words, what, out=None):
    p = run(args, ranks=ranks)
    text = p.stdout + p.stderr
    ok = p.returncode != 0 and all(w in text for w in words)
    if out:
        ok = ok and not os.path.exists(out) and not [x for x in os.listdir(os.path.dirname(out))
                                                     if x.startswith(os.path.basename(out) + ".tmp")]
    expect(ok, f"{what} (ranks {ranks}): exit {p.returncode}, message names {words}"
           + ("" if ok else f"\n{text[-600:]}"))


def main():
    d = tmpdir()
    pair = ["noise", "-experiment", "pair", "-nsigma", "3", "-sigma_min", "1e-3", "-sigma_max", "1e-1",
            "-trials", "3", "-p_list", "1,2", "-torus", "-seed", "7", "-quiet"]
    single = os.path.join(d, "single.h5")
    run(pair + ["-o", single, "-csv", single + ".csv"], ranks=2, check=True)

    # 3 slices on 1 rank, merged in shuffled order; 4 slices on 2 ranks.  The
    # progress interval steers a run, not its results: a slice with its own
    # still merges.
    parts = sliced(d, pair, 3, extra={1: ["-progress_interval", "0.5"]})
    with h5py.File(parts[1]) as f:
        stored = f.attrs["options"]
        stored = stored.decode() if isinstance(stored, bytes) else str(stored)
    expect("-progress_interval" not in stored and "-sigma_min" in stored,
           f"a part stores the options that set its results, not its progress interval: {stored}")
    merged = os.path.join(d, "merged.h5")
    run(["merge", "-quiet", "-o", merged, "-csv", merged + ".csv", parts[2], parts[0], parts[1]],
        check=True)
    diffs = same_file(single, merged)
    expect(not diffs, "pair sweep: 3 slices merged == single 2-rank run " + "; ".join(diffs))
    expect(open(single + ".csv").read() == open(merged + ".csv").read(), "merged CSV == single-run CSV")
    parts4 = sliced(d, pair, 4, ranks=2, prefix="four")
    merged4 = os.path.join(d, "merged4.h5")
    run(["merge", "-o", merged4] + parts4, ranks=2, check=True)
    diffs = same_file(single, merged4)
    expect(not diffs, "pair sweep: 4 slices on 2 ranks merged on 2 ranks == single run " + "; ".join(diffs))

    # Matrix experiment (several pairs per cell) with an options file.
    opts = os.path.join(d, "matrix.opts")
    with open(opts, "w") as f:
        f.write("-experiment matrix\n-image builtin:blobs:12\n-nimages 4\n-nsigma 2\n"
                "-sigma_min 1e-2\n-sigma_max 1e-1\n-trials 2\n-p_list 1\n-seed 3\n-quiet\n")
    msingle = os.path.join(d, "msingle.h5")
    run(["noise", "-options_file", opts, "-o", msingle], ranks=2, check=True)
    mparts = sliced(d, ["noise", "-options_file", opts], 2, prefix="mat")
    mmerged = os.path.join(d, "mmerged.h5")
    run(["merge", "-o", mmerged] + mparts, check=True)
    diffs = same_file(msingle, mmerged)
    expect(not diffs, "matrix sweep from an options file: 2 slices merged == single run " + "; ".join(diffs))

    # Refusals, on 1 and 2 ranks; the output must not appear.
    other = sliced(d, [a if a != "7" else "8" for a in pair], 3, prefix="seed8")
    bad = os.path.join(d, "bad.h5")
    for ranks in (1, 2):
        refused(["merge", "-o", bad, parts[0], other[1], parts[2]], ranks,
                [other[1], "other options"], "a part with another -seed", bad)
        refused(["merge", "-o", bad, parts[0], parts[1]], ranks, ["slice(s) 2 of 3 are missing"],
                "a missing slice", bad)
        refused(["merge", "-o", bad, parts[0], parts[1], parts[1], parts[2]], ranks,
                [parts[1], "both hold slice 1/3"], "a slice given twice", bad)
        refused(["merge", "-o", bad, parts[0], parts4[1]], ranks, [parts4[1], "slice of 4"],
                "parts of different N", bad)
        refused(["merge", "-o", bad, parts[0], single], ranks, [single, "not a partial output"],
                "a full output given as a part", bad)
        refused(["merge", "-o", bad, parts[0], os.path.join(d, "nope.h5")], ranks, ["nope.h5"],
                "a missing part file", bad)
        refused(["merge", "-o", bad], ranks, ["no part files"], "no part files", bad)
    trunc = os.path.join(d, "trunc.h5")
    shutil.copy(parts[1], trunc)
    with open(trunc, "r+b") as f:
        f.truncate(os.path.getsize(trunc) // 2)
    refused(["merge", "-o", bad, parts[0], trunc, parts[2]], 2, ["trunc.h5"], "a truncated part", bad)

    # Bad -slice values name the option and the value.
    for value, words in (("3/3", ["-slice '3/3'"]), ("a/b", ["-slice 'a/b'"]), ("1/3x", ["-slice '1/3x'"]),
                         ("0/1000", ["-slice 0/1000", "only 20 cells"])):
        refused(pair + ["-slice", value, "-o", bad], 2, words, f"-slice {value}", bad)
    refused(pair + ["-slice", "0/2"], 2, ["needs -o"], "-slice without -o")
    refused(pair + ["-slice", "0/2", "-o", bad, "-json"], 1, ["give -csv, -plots and -json to `wasp merge`"],
            "-slice with -json", bad)
    finish()


if __name__ == "__main__":
    main()

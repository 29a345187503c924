"""Every bad input gets a clear error naming the file, dataset, option or
value, a non-zero exit on 1 and 2 ranks (no hang), and no output file left
under its final name."""
import os
import numpy as np
import h5py
from wasp_test import run, expect, tmpdir, finish

d = tmpdir()
j = lambda name: os.path.join(d, name)

rng = np.random.default_rng(3)
good = rng.random((16, 16)) + 0.1
np.savetxt(j("good.csv"), good, delimiter=",")
np.savetxt(j("small.csv"), rng.random((8, 8)) + 0.1, delimiter=",")
neg = good.copy(); neg[2, 5] = -0.25
np.savetxt(j("neg.csv"), neg, delimiter=",")
nan = good.copy(); nan[4, 1] = np.nan
np.savetxt(j("nan.csv"), nan, delimiter=",")
inf = good.copy(); inf[0, 3] = np.inf
np.savetxt(j("inf.csv"), inf, delimiter=",")
np.savetxt(j("zero.csv"), np.zeros((16, 16)), delimiter=",")
with h5py.File(j("wrong.h5"), "w") as f:
    f["images"] = np.ones(7)
with h5py.File(j("other.h5"), "w") as f:
    f["stuff"] = np.ones((4, 4))
with h5py.File(j("stack.h5"), "w") as f:
    f["images"] = rng.random((3, 16, 16))
heavier = good * 1.5
np.savetxt(j("heavy.csv"), heavier, delimiter=",")
with open(j("truncated.mrc"), "wb") as f:
    f.write(b"\0" * 100)

G = j("good.csv")
cases = [
    # (args, words the message must contain)
    (["distance", "-a", j("missing.csv"), "-b", G], ["missing.csv"]),
    (["distance", "-a", j("wrong.h5"), "-b", G], ["wrong.h5", "/images"]),
    (["distance", "-a", j("other.h5"), "-b", G], ["other.h5", "/images"]),
    (["distance", "-a", j("stack.h5") + ":9", "-b", G], ["stack.h5", "9"]),
    (["distance", "-a", j("small.csv"), "-b", G], ["small.csv", "8 x 8", "16 x 16"]),
    (["distance", "-a", j("nan.csv"), "-b", G], ["nan.csv", "(4, 1)", "nan"]),
    (["distance", "-a", G, "-b", j("inf.csv")], ["inf.csv", "(0, 3)", "inf"]),
    (["distance", "-a", j("zero.csv"), "-b", G, "-metric", "wp"], ["mass"]),
    (["distance", "-a", j("neg.csv"), "-b", G, "-metric", "wp"], ["neg.csv", "(2, 5)", "-0.25"]),
    (["distance", "-a", G, "-b", G, "-p", "0.5"], ["-p", "0.5"]),
    (["distance", "-a", G, "-b", G, "-metric", "emd"], ["emd", "l2", "signed"]),
    (["distance", "-a", G, "-b", j("heavy.csv"), "-metric", "signed"], ["-normalize", "sum(a)", "sum(b)"]),
    (["distance", "-a", j("truncated.mrc"), "-b", G], ["truncated.mrc"]),
    (["distance", "-b", G], ["-a"]),
    (["distance", "-a", G, "-b", G, "-plan", j("nodir/plan.h5")], ["nodir"]),
    (["pairs", "-input", j("missing.h5")], ["missing.h5"]),
    (["pairs", "-input", j("stack.h5"), "-metric", "wp", "-p", "0"], ["-p"]),
    (["pairs", "-input", j("stack.h5"), "-o", j("nodir/out.h5"), "-checkpoint", "none"], ["nodir"]),
]

for ranks in (1, 2):
    for args, words in cases:
        p = run(args, ranks=ranks, timeout=120)
        msg = p.stderr
        label = f"{ranks} rank(s): wasp {' '.join(os.path.basename(a) for a in args)}"
        expect(p.returncode != 0, f"{label}: non-zero exit")
        missing = [w for w in words if w.lower() not in msg.lower()]
        expect(not missing, f"{label}: message names {words} (missing {missing}); got: {msg.strip()[:300]}")
        expect(msg.count("error:") == 1, f"{label}: exactly one error line (from rank 0)")

# No half-written output: failed runs leave neither the final name nor temporaries.
expect(not os.path.exists(j("nodir")), "no output folder created for an unwritable path")
leftovers = [f for f in os.listdir(d) if ".tmp." in f]
expect(not leftovers, f"no temporary files left behind ({leftovers})")

# Unknown command.
p = run(["frobnicate"], ranks=1)
expect(p.returncode != 0 and "frobnicate" in p.stderr, "unknown command is an error naming it")
finish()

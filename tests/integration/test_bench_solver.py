"""bench/solver.py: its verdicts against issue 12's targets (hand-worked
cases), and one small run of the whole benchmark - our solver and, when
python3-pot is installed, POT on the same problems, whose values must agree
to 1e-9 relative; and one small run of bench/clouds.py, likewise."""
import importlib.util
import os
import subprocess
import sys
from wasp_test import SRC, expect, finish

spec = importlib.util.spec_from_file_location("solver", os.path.join(SRC, "bench", "solver.py"))
solver = importlib.util.module_from_spec(spec)
spec.loader.exec_module(solver)

# Row verdicts: 10 ms at 32 px, 80 ms at 64 px, 1 s and 1 GiB at 128 px.
met, text = solver.verdict(32, 2.0, 0.0086, 41)
expect(met and "met" in text and "0.86x the time" in text, f"32 px at 8.6 ms is met: {text}")
met, text = solver.verdict(32, 2.0, 0.0138, 41)
expect(not met and "MISSED" in text and "1.38x the time" in text, f"32 px at 13.8 ms is missed by 1.38x: {text}")
met, text = solver.verdict(64, 2.0, 0.08, 45)
expect(met and "1.00x the time" in text, f"64 px at exactly 80 ms is met: {text}")
met, text = solver.verdict(128, 2.0, 0.5, 2048)
expect(not met and "0.50x the time" in text and "2.00x the memory" in text,
       f"128 px within time but at 2 GiB is missed: {text}")
met, text = solver.verdict(128, 2.0, 0.5, 61)
expect(met and "0.06x the memory" in text, f"128 px at 0.5 s and 61 MiB is met: {text}")
expect(solver.verdict(256, 2.0, 3.0, 100) is None, "no target at 256 px")
expect(solver.verdict(32, 1.0, 0.5, 41) is None, "no target for p = 1")
expect("missed by 0.09" in solver.exponent_verdict(1.39), "exponent 1.39 misses the 1.3 aim by 0.09")
expect(solver.exponent_verdict(1.28).endswith(": met"), "exponent 1.28 meets the aim")
rows = [(32, 2.0, "grid", "smooth", 0.0086, 41, 2.8e-15, solver.verdict(32, 2.0, 0.0086, 41)),
        (32, 2.0, "torus", "smooth", 0.0138, 41, 6.9e-15, solver.verdict(32, 2.0, 0.0138, 41)),
        (256, 2.0, "torus", "smooth", 6.3, 120, None, None)]
lines = solver.summary(rows)
expect(lines[0].startswith("targets (W2 medians): 1 of 2 met; missed: 32 px torus smooth 13.8 ms"),
       f"summary counts and names the miss: {lines[0]}")
expect(lines[1] == "values within 1e-09 of POT's (relative): 2 of 2 rows, max 6.9e-15 - met",
       f"summary of the values: {lines[1]}")
rows[0] = rows[0][:6] + (2e-9,) + rows[0][7:]
expect(solver.summary(rows)[1].endswith("- MISSED"), "a value 2e-9 off POT's is reported as missed")

# One small run: 16 and 32 px smooth images on the torus, POT beside us.
try:
    import ot  # noqa: F401
    pot_max = 32
except ImportError:
    pot_max = 0
cmd = ["/usr/bin/python3", os.path.join(SRC, "bench", "solver.py"), "--sizes", "16,32", "--kinds", "smooth",
       "--costs", "torus", "--reps", "1", "--runs", "1", "--warm", "1", "--pot-max", str(pot_max),
       "--tripartite-max", "0"]
p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
print(p.stdout, p.stderr, sep="\n")
expect(p.returncode == 0, "the benchmark runs")
out = p.stdout.splitlines()
expect(any("| target (W2) |" in l for l in out), "the table has the target column")
row32 = [l for l in out if l.startswith("| 32 | 2 | torus | smooth |")]
expect(len(row32) == 1 and ("<= 10 ms: met" in row32[0] or "<= 10 ms: MISSED" in row32[0]),
       "the 32 px row carries its verdict")
row16 = [l for l in out if l.startswith("| 16 | 2 | torus | smooth |")]
expect(len(row16) == 1 and "| - |" in row16[0], "the 16 px row has no target")
expect(any(l.startswith("targets (W2 medians): ") and " of 1 met" in l for l in out), "the summary line")
expect(any("p=2 torus smooth" in l and "(aim <= 1.3: " in l for l in out), "the exponent against the aim")
if pot_max:
    expect(any(l.startswith("fitted exponent of time vs pixel count (POT), p=2 torus smooth: ") for l in out),
           "POT's exponent beside ours")
    expect(any(l.startswith("values within 1e-09 of POT's (relative): 2 of 2 rows") and l.endswith("- met")
               for l in out), "our values equal POT's to 1e-9 at 16 and 32 px")
# The point-cloud bench (bench/clouds.py): a small run; with POT beside us,
# every row's values must agree to 1e-9.
cmd = ["/usr/bin/python3", os.path.join(SRC, "bench", "clouds.py"), "--points", "60,120", "--dims", "2,3",
       "--p", "1,2", "--reps", "1", "--pot-max", "120" if pot_max else "0"]
p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
print(p.stdout, p.stderr, sep="\n")
expect(p.returncode == 0, "the cloud benchmark runs")
rows = [l.split("|")[1:-1] for l in p.stdout.splitlines() if l.startswith("| ") and l[2].isdigit()]
expect(len(rows) == 8, f"eight rows (2 sizes x 2 dimensions x 2 exponents): {len(rows)}")
if pot_max:
    diffs = [float(r[8]) for r in rows]
    expect(max(diffs) <= 1e-9, f"cloud values equal POT's to 1e-9 (max {max(diffs):.1e})")
sys.exit(finish())

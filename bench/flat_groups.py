#!/usr/bin/python3
"""The five-group study of issue 8: 5 x 5 tables of flat (unnormalised groups)
and W1 (normalised groups), side by side, as Markdown on stdout.

Usage (from the source root, after building):
  bench/flat_groups.py BUILD/wasp [GROUPS.h5]
Generates GROUPS.h5 (default /tmp/flat_groups.h5) with
tests/tools/make_flat_groups.py, then runs for every ordered pair
  wasp distance -options_file input/flat_groups.opts -a G:i -b G:j -json
  (and the same with -metric wp -p 1)
and checks every LP reported a certificate of optimality.
"""
import json
import os
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def distance(wasp, groups, i, j, extra):
    cmd = [wasp, "distance", "-options_file", os.path.join(root, "input", "flat_groups.opts"),
           "-a", f"{groups}:{i}", "-b", f"{groups}:{j}", "-json"] + extra
    r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    if not r["optimal"]:
        sys.exit(f"{' '.join(cmd)}: no optimality certificate")
    return r


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    wasp, groups = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "/tmp/flat_groups.h5"
    subprocess.run(["/usr/bin/python3", os.path.join(root, "tests", "tools", "make_flat_groups.py"),
                    groups], check=True)
    n = 5
    flat = [[0.0] * n for _ in range(n)]
    w1 = [[0.0] * n for _ in range(n)]
    secs = []
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            r = distance(wasp, groups, i, j, [])
            flat[i][j] = r["value"]
            secs.append(r["seconds"])
            w1[i][j] = distance(wasp, groups, i, j, ["-metric", "wp", "-p", "1"])["value"]
    print("| (flat, W1) | " + " | ".join(f"group {j + 1}" for j in range(n)) + " |")
    print("|---|" + "---|" * n)
    for i in range(n):
        print(f"| group {i + 1} | " + " | ".join(f"({flat[i][j]:.2f}, {w1[i][j]:.2f})" for j in range(n)) + " |")
    for name, t in (("flat", flat), ("W1", w1)):
        nn = [min((t[i][j], j + 1) for j in range(n) if j != i)[1] for i in range(n)]
        print(f"\nnearest neighbour in {name}: " + ", ".join(f"{i + 1} -> {nn[i]}" for i in range(n)))
    print(f"\nflat LP seconds per pair: min {min(secs):.3f}, max {max(secs):.3f}, "
          f"mean {sum(secs) / len(secs):.3f} (all {len(secs)} certified optimal)")


if __name__ == "__main__":
    main()

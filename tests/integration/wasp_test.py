"""Shared helpers for the integration tests: run the real `wasp` under mpirun,
make input files, skip cleanly (exit 77) when an optional peer is missing."""
import json
import os
import subprocess
import sys
import tempfile

WASP = os.environ.get("WASP", "build/wasp")
SRC = os.environ.get("WASP_SOURCE_ROOT", ".")
SHARED = os.environ.get("WASP_SHARED", os.path.join(SRC, "..", "shared"))
SKIP = 77

failures = []


def run(args, ranks=1, timeout=600, check=False, env=None):
    """Run `mpirun -n ranks wasp args...`; return CompletedProcess (text)."""
    cmd = ["mpirun", "-n", str(ranks), WASP] + [str(a) for a in args]
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=e)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def run_json(args, ranks=1, timeout=600):
    p = run(list(args) + ["-json"], ranks=ranks, timeout=timeout, check=True)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    assert lines, f"no JSON in output:\n{p.stdout}\n{p.stderr}"
    return json.loads(lines[-1])


def kill_job(p):
    """SIGKILL a job started with start_new_session=True: mpirun *and* its
    ranks.  Open MPI moves each rank to a process group of its own, so
    killpg(mpirun) alone leaves them running; they stay in the session."""
    import signal
    subprocess.run(["pkill", "-KILL", "-s", str(p.pid)], capture_output=True)
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    # Wait until no process of the session is left (the ranks are reparented).
    import time
    for _ in range(200):
        if subprocess.run(["pgrep", "-s", str(p.pid)], capture_output=True).returncode != 0:
            break
        time.sleep(0.05)


def expect(cond, what):
    """Record a failed check without stopping the test file."""
    status = "ok  " if cond else "FAIL"
    print(f"{status} {what}", flush=True)
    if not cond:
        failures.append(what)


def close(a, b, rel=1e-9, abs_=0.0):
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


_tmpdirs = []


def tmpdir():
    """A scratch folder, removed by finish() when every check passed (kept
    for inspection after a failure)."""
    d = tempfile.mkdtemp(prefix="wasp-test-")
    _tmpdirs.append(d)
    return d


def need(module):
    """Import an optional Python module or exit with 'skipped'."""
    try:
        return __import__(module)
    except ImportError:
        print(f"skipped: /usr/bin/python3 has no module '{module}' (apt-get install python3-{module})")
        sys.exit(SKIP)


def shared_file(*parts):
    """A file of the shared data kept beside the checkout (../shared, or
    $WASP_SHARED), not in the repository: its path, or exit 'skipped' with
    the path that is missing (after reporting any check already failed)."""
    path = os.path.join(SHARED, *parts)
    if not os.path.isfile(path):
        if failures:
            finish()
        print(f"skipped: shared data {path} not found (set WASP_SHARED to the directory holding data/)")
        sys.exit(SKIP)
    return path


def finish():
    if failures:
        print(f"{len(failures)} check(s) failed:")
        for f in failures:
            print("  -", f)
        sys.exit(1)
    print("all checks passed")
    import shutil
    for d in _tmpdirs:
        shutil.rmtree(d, ignore_errors=True)
    sys.exit(0)

"""The jobs/ scripts on a real one-node Slurm cluster on localhost.

Installs slurm-wlm and munge from Debian when missing, starts a private
munged, slurmctld and slurmd (own key, socket, ports and state folder, so a
system Slurm is left alone), then:
  1. submits the noise sweep as a job array plus its afterok merge
     (jobs/submit_noise.sh) and checks the merged file equals a direct
     mpirun run, bit for bit; once with mpirun inside the allocation, once
     with srun --mpi=pmix;
  2. submits jobs/pairs.sbatch, requeues it mid-run with `scontrol requeue`
     and checks the final matrix equals an uninterrupted run;
  3. submits it again and sends the time-limit warning signal to the batch
     shell only (`scancel --signal=USR1 --batch`, what --signal=B:USR1@120
     does): the trap forwards it, the job requeues itself and finishes with
     the same matrix;
  4. does the same with jobs/kmeans.sbatch when `wasp kmeans` exists.
Stops every daemon it started, also on failure.  Skips (exit 77) with the
reason when it cannot run: not root, no apt, or daemons that do not start."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wasp_test import SKIP, SRC, WASP, expect, finish, need, run, tmpdir  # noqa: E402

h5py = need("h5py")
np = need("numpy")

WAIT = 240            # seconds any one job may take before the test gives up
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
            "BOOT_FAIL", "DEADLINE", "PREEMPTED"}


def skip(why):
    print(f"skipped: {why}")
    sys.exit(SKIP)


def ensure_packages():
    if all(shutil.which(p) for p in ("slurmctld", "slurmd", "sbatch", "munged")):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        skip("slurm-wlm/munge are not installed and this is not root with apt-get "
             "(apt-get install slurm-wlm munge)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "install", "-y", "-q", "--no-install-recommends", "slurm-wlm", "munge"],
                ["apt-get", "update", "-q"],
                ["apt-get", "install", "-y", "-q", "--no-install-recommends", "slurm-wlm", "munge"]):
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
        if p.returncode == 0 and cmd[1] == "install":
            return
    skip(f"apt-get could not install slurm-wlm and munge:\n{p.stdout[-800:]}{p.stderr[-800:]}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A private one-node cluster; every command gets SLURM_CONF."""

    def __init__(self, root):
        self.root = root
        self.procs = []
        self.env = dict(os.environ, SLURM_CONF=os.path.join(root, "slurm.conf"))

    def node_line(self):
        p = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, timeout=60)
        first = p.stdout.splitlines()[0] if p.returncode == 0 and p.stdout else ""
        fields = dict(kv.split("=", 1) for kv in first.split() if "=" in kv)
        if "NodeName" not in fields or "CPUs" not in fields:
            skip(f"`slurmd -C` did not describe this machine: {p.stdout}{p.stderr}")
        self.node = fields["NodeName"]
        keep = ["CPUs", "Boards", "SocketsPerBoard", "CoresPerSocket", "ThreadsPerCore", "RealMemory"]
        return f"NodeName={self.node} NodeAddr=127.0.0.1 " + " ".join(
            f"{k}={fields[k]}" for k in keep if k in fields) + " State=UNKNOWN"

    def write_conf(self):
        r = self.root
        for d in ("state", "spool"):
            os.makedirs(os.path.join(r, d), exist_ok=True)
        node = self.node_line()
        conf = f"""ClusterName=wasptest
SlurmctldHost={self.node}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={r}/munge.sock,cred_expire=10
StateSaveLocation={r}/state
SlurmdSpoolDir={r}/spool
SlurmctldPidFile={r}/slurmctld.pid
SlurmdPidFile={r}/slurmd.pid
SlurmctldLogFile={r}/slurmctld.log
SlurmdLogFile={r}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
ReturnToService=2
KillWait=10
MinJobAge=3600
{node}
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""
        with open(os.path.join(r, "slurm.conf"), "w") as f:
            f.write(conf)
        with open(os.path.join(r, "munge.key"), "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(os.path.join(r, "munge.key"), 0o600)

    def daemon(self, cmd, name):
        log = open(os.path.join(self.root, name + ".out"), "w")
        self.procs.append((name, subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env)))

    def start(self):
        r = self.root
        self.write_conf()
        self.daemon(["munged", "--foreground", "--force", f"--socket={r}/munge.sock",
                     f"--key-file={r}/munge.key", f"--pid-file={r}/munged.pid",
                     f"--log-file={r}/munged.log", f"--seed-file={r}/munge.seed"], "munged")
        time.sleep(1)
        self.daemon(["slurmctld", "-D", "-i"], "slurmctld")
        self.daemon(["slurmd", "-D", "-N", self.node], "slurmd")
        deadline = time.time() + 60
        while time.time() < deadline:
            dead = [n for n, p in self.procs if p.poll() is not None]
            if dead:
                skip(f"Slurm daemon(s) {dead} exited at start:\n{self.logs()}")
            p = self.cmd(["sinfo", "-h", "-o", "%T"], check=False)
            if p.returncode == 0 and p.stdout.strip() in ("idle", "mixed", "allocated"):
                return
            time.sleep(1)
        skip(f"the one-node cluster did not become idle within 60 s:\n{self.logs()}")

    def logs(self):
        out = []
        for name in ("munged.out", "slurmctld.log", "slurmd.log", "slurmctld.out", "slurmd.out"):
            path = os.path.join(self.root, name)
            if os.path.exists(path):
                out.append(f"--- {name}\n" + "".join(open(path, errors="replace").readlines()[-15:]))
        return "\n".join(out)

    def cmd(self, args, check=True, env=None, cwd=None):
        e = dict(self.env)
        e.update(env or {})
        p = subprocess.run(args, capture_output=True, text=True, env=e, cwd=cwd, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed: {p.stdout}{p.stderr}")
        return p

    def states(self, job):
        p = self.cmd(["scontrol", "-o", "show", "job", str(job)], check=False)
        return re.findall(r"JobState=(\S+)", p.stdout), p.stdout

    def wait(self, job, want=None, timeout=WAIT):
        """Wait for every task of job to end (or one to reach state want)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            states, _ = self.states(job)
            if want and want in states:
                return states
            if states and all(s in TERMINAL for s in states):
                return states
            time.sleep(1)
        raise AssertionError(f"job {job} still not done after {timeout} s: {self.states(job)[1]}")

    def stop(self):
        subprocess.run(["scancel", "--full", "--user=root"], env=self.env, capture_output=True, timeout=60)
        time.sleep(1)
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def h5_equal(a, b, skip_datasets=(), skip_attrs=()):
    diffs = []
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        na, nb = [], []
        fa.visititems(lambda n, o: na.append(n) if isinstance(o, h5py.Dataset) else None)
        fb.visititems(lambda n, o: nb.append(n) if isinstance(o, h5py.Dataset) else None)
        if sorted(na) != sorted(nb):
            diffs.append(f"datasets {sorted(set(na) ^ set(nb))}")
        for n in set(na) & set(nb):
            if n in skip_datasets:
                continue
            x, y = fa[n][()], fb[n][()]
            if np.asarray(x).tobytes() != np.asarray(y).tobytes() or np.shape(x) != np.shape(y):
                diffs.append(f"dataset {n}")
        for k in set(fa.attrs) | set(fb.attrs):
            if k not in skip_attrs and (k not in fa.attrs or k not in fb.attrs
                                        or not np.array_equal(fa.attrs[k], fb.attrs[k])):
                diffs.append(f"attribute {k}")
    return diffs


def job_log(work, pattern):
    text = ""
    for name in sorted(os.listdir(work)):
        if re.match(pattern, name):
            text += open(os.path.join(work, name), errors="replace").read()
    return text


def sweep(cl, work, out, opts, launcher, tasks, ntasks):
    env = {"WASP_ROOT": SRC, "WASP": WASP, "WASP_OPTS": opts, "WASP_OUT": out, "WASP_LAUNCHER": launcher}
    t0 = time.time()
    p = cl.cmd(["bash", os.path.join(SRC, "jobs", "submit_noise.sh"), f"--array=0-{tasks - 1}",
                f"--ntasks={ntasks}"], env=env, cwd=work)
    array, merge = p.stdout.split()
    cl.wait(array)
    states = cl.wait(merge)
    merged = os.path.join(out, f"noise-{array}", "noise.h5")
    ok = states == ["COMPLETED"] and os.path.exists(merged)
    expect(ok, f"{launcher}: sweep array {array} ({tasks} tasks x {ntasks} ranks) and afterok merge "
               f"{merge} completed in {time.time() - t0:.0f} s")
    if not ok:
        print(job_log(work, r"slurm-wasp-noise"), cl.logs())
        return None
    return merged


def requeue_job(cl, work, out, name, env, ref, how, records=20000):
    """Submit jobs/NAME.sbatch, interrupt it once its checkpoint holds
    `records` bytes (`scontrol requeue`, or USR1 to the batch shell), wait
    for it to finish and compare with the uninterrupted run `ref`."""
    env = dict({"WASP_ROOT": SRC, "WASP": WASP, "WASP_OUT": out}, **env)
    t0 = time.time()
    job = cl.cmd(["sbatch", "--parsable", os.path.join(SRC, "jobs", f"{name}.sbatch")],
                 env=env, cwd=work).stdout.strip().split(";")[0]
    ckpt = os.path.join(out, f"{name}-{job}", f"{name}.h5.ckpt")
    deadline = time.time() + WAIT
    while time.time() < deadline:   # interrupt once real work is in the checkpoint
        size = sum(os.path.getsize(os.path.join(ckpt, f)) for f in os.listdir(ckpt)) if os.path.isdir(ckpt) else 0
        if size >= records or cl.states(job)[0] == ["COMPLETED"]:
            break
        time.sleep(0.2)
    interrupted = cl.states(job)[0] == ["RUNNING"]
    if how == "requeue":
        cl.cmd(["scontrol", "requeue", job])
    else:
        cl.cmd(["scancel", "--signal=USR1", "--batch", job])
    states = cl.wait(job, timeout=WAIT)
    result = os.path.join(out, f"{name}-{job}", f"{name}.h5")
    log = job_log(work, rf"slurm-wasp-{name}-{job}\.out")
    ok = states == ["COMPLETED"] and os.path.exists(result)
    expect(ok, f"{name} job {job} interrupted by {how} while running ({interrupted}) finished (COMPLETED) "
               f"in {time.time() - t0:.0f} s")
    expect("restart 1" in log, f"{name}/{how}: the job started a second time (SLURM_RESTART_COUNT 1)")
    if how == "usr1":
        expect("USR1" in log and "requeueing job" in log,
               f"{name}: USR1 to the batch shell: the trap forwarded it and the job requeued itself")
    if not ok:
        print(log, cl.logs())
        return None
    diffs = h5_equal(ref, result, skip_datasets={"seconds"},
                     skip_attrs={"wall_seconds", "ranks", "nranks", "pairs_restored", "restored_iterations",
                                 "resumed_from", "checkpoint", "seed_seconds",
                                 "distances_pruned", "distances_full"})
    expect(not diffs, f"{name}/{how}: requeued result == uninterrupted run (all datasets but /seconds) {diffs}")
    return result


def pairs_requeue(cl, work, out, stack, ref, how):
    result = requeue_job(cl, work, out, "pairs", {"WASP_INPUT": stack}, ref, how)
    if result:
        with h5py.File(result, "r") as f:
            restored, n = int(f.attrs["pairs_restored"]), int(f.attrs["n"])
        total = n * (n - 1) // 2
        expect(0 < restored < total, f"pairs/{how}: resumed from the checkpoint ({restored} of {total} "
                                     "pairs restored)")


def kmeans_available():
    p = subprocess.run([WASP, "kmeans", "-help"], capture_output=True, text=True, timeout=60)
    return p.returncode == 0 and "-checkpoint" in p.stdout + p.stderr


def main():
    if os.geteuid() != 0:
        skip("the one-node cluster runs its daemons as root (SlurmUser=root); run as root")
    ensure_packages()
    root = tmpdir()
    work = os.path.join(root, "work")
    out = os.path.join(root, "runs")
    os.makedirs(work)
    cl = Cluster(os.path.join(root, "slurm"))
    os.makedirs(cl.root)
    t0 = time.time()
    try:
        cl.start()
        print(f"one-node Slurm up in {time.time() - t0:.0f} s ({cl.node}, state in {cl.root})", flush=True)

        # 1. sweep array + merge == direct mpirun run.
        opts = os.path.join(root, "sweep.opts")
        with open(opts, "w") as f:
            f.write("-experiment pair\n-image builtin:blobs:16\n-image2 builtin:cryo:16\n-torus\n"
                    "-nsigma 3\n-sigma_min 1e-3\n-sigma_max 1e-1\n-trials 3\n-p_list 1,2\n-seed 5\n-quiet\n")
        single = os.path.join(root, "single.h5")
        run(["noise", "-options_file", opts, "-o", single], ranks=2, check=True)
        for launcher, tasks, ntasks in (("mpirun", 3, 1), ("srun", 2, 2)):
            merged = sweep(cl, work, os.path.join(out, launcher), opts, launcher, tasks, ntasks)
            if merged:
                diffs = h5_equal(single, merged, skip_attrs={"wall_seconds", "nranks"})
                expect(not diffs, f"{launcher}: merged sweep == direct mpirun run, bit for bit {diffs}")

        # 2./3. pairs: requeued mid-run, and the USR1 warning with self-requeue.
        stack = os.path.join(root, "stack.h5")
        with h5py.File(stack, "w") as f:
            f["images"] = np.random.default_rng(9).random((70, 24, 24))
        ref = os.path.join(root, "pairs_ref.h5")
        t1 = time.time()
        run(["pairs", "-options_file", os.path.join(SRC, "input", "slurm_pairs.opts"), "-input", stack,
             "-o", ref, "-checkpoint", "none", "-quiet"], ranks=2, check=True)
        print(f"uninterrupted pairs run: {time.time() - t1:.0f} s", flush=True)
        pairs_requeue(cl, work, out, stack, ref, "requeue")
        pairs_requeue(cl, work, out, stack, ref, "usr1")

        # 4. clustering, when the command exists.
        if kmeans_available():
            kopts = os.path.join(root, "kmeans.opts")
            with open(kopts, "w") as f:
                f.write("-k 10\n-rotations 100\n-metric l2\n-max_iter 12\n-tol 0\n-seed 2\n-quiet\n")
            kstack = os.path.join(root, "kstack.h5")
            with h5py.File(kstack, "w") as f:
                f["images"] = np.random.default_rng(3).random((1000, 32, 32))
            kref = os.path.join(root, "kmeans_ref.h5")
            t1 = time.time()
            run(["kmeans", "-options_file", kopts, "-input", kstack, "-o", kref], ranks=2, check=True)
            print(f"uninterrupted kmeans run: {time.time() - t1:.0f} s", flush=True)
            requeue_job(cl, work, out, "kmeans", {"WASP_INPUT": kstack, "WASP_OPTS": kopts}, kref,
                        "requeue", records=1)
        else:
            print("note: `wasp kmeans` is not in this build: jobs/kmeans.sbatch was not submitted")
    finally:
        cl.stop()
        print(f"daemons stopped; total {time.time() - t0:.0f} s", flush=True)
    finish()


if __name__ == "__main__":
    main()

# Sourced by jobs/*.sbatch: the environment, the per-job output folder and
# the MPI launch with signal forwarding, written once for every job.
#
# Environment (all optional):
#   WASP_ROOT      repository (default: the submit folder, $SLURM_SUBMIT_DIR)
#   WASP           the program (default $WASP_ROOT/build/wasp)
#   WASP_OPTS      options file (default $WASP_ROOT/input/slurm_<job>.opts)
#   WASP_ARGS      extra options appended after the options file
#   WASP_OUT       base output folder (default $WASP_ROOT/runs)
#   WASP_RUN_DIR   this job's folder (default $WASP_OUT/<job>-<job id>)
#   WASP_LAUNCHER  mpirun (default) or srun (srun --mpi=pmix); see docs/slurm.md

wasp_job_setup() { # NAME ID
  WASP_ROOT=${WASP_ROOT:-${SLURM_SUBMIT_DIR:-$PWD}}
  WASP=${WASP:-$WASP_ROOT/build/wasp}
  WASP_OPTS=${WASP_OPTS:-$WASP_ROOT/input/slurm_$1.opts}
  WASP_OUT=${WASP_OUT:-$WASP_ROOT/runs}
  WASP_RUN_DIR=${WASP_RUN_DIR:-$WASP_OUT/$1-$2}
  WASP_LAUNCHER=${WASP_LAUNCHER:-mpirun}
  WASP_ARGS=${WASP_ARGS:-}
  if [ ! -x "$WASP" ]; then
    echo "wasp job: error: WASP=$WASP is not an executable (build first or set WASP)" >&2
    exit 2
  fi
  if [ ! -r "$WASP_OPTS" ]; then
    echo "wasp job: error: options file WASP_OPTS=$WASP_OPTS is not readable" >&2
    exit 2
  fi
  mkdir -p "$WASP_RUN_DIR"
  # Open MPI refuses root without these; clusters run jobs as users.
  if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
  echo "wasp job $1: $(date -Is) job ${SLURM_JOB_ID:-none} restart ${SLURM_RESTART_COUNT:-0}," \
       "${SLURM_NTASKS:-1} task(s) via $WASP_LAUNCHER, output $WASP_RUN_DIR"
}

# Run `wasp "$@"` on the allocation's tasks.  The batch shell gets Slurm's
# warning signal (--signal=B:USR1@120): the trap forwards it to the launcher,
# which forwards it to every rank; the ranks stop taking work, their
# checkpoint is already flushed record by record, and the job requeues
# itself so the next start resumes from the checkpoint.  SIGTERM (scancel,
# scontrol requeue, preemption) is forwarded the same way.
wasp_launch() {
  local launch pid st rc=""
  case "$WASP_LAUNCHER" in
    mpirun) launch=(mpirun -n "${SLURM_NTASKS:-1}") ;;
    srun) launch=(srun --mpi=pmix) ;;
    *) echo "wasp job: error: WASP_LAUNCHER=$WASP_LAUNCHER: use mpirun or srun" >&2; exit 2 ;;
  esac
  WASP_SIGNALLED=0
  "${launch[@]}" "$WASP" "$@" &
  pid=$!
  trap 'WASP_SIGNALLED=1; echo "wasp job: USR1 (time limit near): stopping at the checkpoint"; kill -USR1 "$pid" 2>/dev/null' USR1
  trap 'echo "wasp job: TERM: stopping at the checkpoint"; kill -TERM "$pid" 2>/dev/null' TERM
  # wait returns early (status > 128) when a trapped signal arrives while
  # the launcher still runs: wait again for its real exit status.
  while [ -z "$rc" ]; do
    st=0
    wait "$pid" || st=$?
    if [ "$st" -gt 128 ] && kill -0 "$pid" 2>/dev/null; then continue; fi
    rc=$st
  done
  trap - USR1 TERM
  if [ "$rc" -ne 0 ] && [ "$WASP_SIGNALLED" = 1 ] && [ -n "${SLURM_JOB_ID:-}" ]; then
    echo "wasp job: requeueing job $SLURM_JOB_ID to resume from the checkpoint"
    scontrol requeue "$SLURM_JOB_ID"
  fi
  return "$rc"
}

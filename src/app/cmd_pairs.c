/* wasp pairs: the distance matrix of a set of measures (or a query block
 * against references), computed by the work queue, written by rank 0. */
#include "app.h"

#include "wasp/wasp_io.h"
#include "wasp/wasp_pairs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  char input[PETSC_MAX_PATH_LEN], against[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN];
  char csv[PETSC_MAX_PATH_LEN], ckpt[PETSC_MAX_PATH_LEN], metric[64];
  wasp_metric_params par;
  PetscBool quiet, json;
} pairs_opts;

static PetscErrorCode process_options(MPI_Comm comm, pairs_opts *o)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof *o));
  wasp_metric_params_default(&o->par);
  PetscCall(PetscStrncpy(o->metric, "wp", sizeof o->metric));
  PetscCall(PetscStrncpy(o->out, "pairs.h5", sizeof o->out));
  PetscOptionsBegin(comm, NULL, "wasp pairs: all pairwise distances of a stack of measures", NULL);
  PetscCall(PetscOptionsString("-input", "Measures: HDF5 stack (/images or /measures), MRCS, or a list file of FILE[:INDEX] lines",
                               NULL, o->input, o->input, sizeof o->input, NULL));
  PetscCall(PetscOptionsString("-against", "Reference set: compute the input x against block instead of all pairs",
                               NULL, o->against, o->against, sizeof o->against, NULL));
  PetscCall(wasp_app_metric_options(PetscOptionsObject, o->metric, sizeof o->metric, &o->par));
  PetscCall(PetscOptionsString("-o", "Output HDF5 file", NULL, o->out, o->out, sizeof o->out, NULL));
  PetscCall(PetscOptionsString("-csv", "Also write the distance matrix as CSV", NULL, o->csv, o->csv,
                               sizeof o->csv, NULL));
  PetscCall(PetscOptionsString("-checkpoint", "Checkpoint folder (default OUT.ckpt; 'none' disables)",
                               NULL, o->ckpt, o->ckpt, sizeof o->ckpt, NULL));
  PetscCall(PetscOptionsBool("-json", "Print a JSON summary", NULL, o->json, &o->json, NULL));
  PetscCall(PetscOptionsBool("-quiet", "No progress output", NULL, o->quiet, &o->quiet, NULL));
  PetscCall(wasp_app_progress_options(PetscOptionsObject));
  PetscOptionsEnd();
  if (!o->ckpt[0]) PetscCall(PetscSNPrintf(o->ckpt, sizeof o->ckpt, "%s.ckpt", o->out));
  if (!strcmp(o->ckpt, "none")) o->ckpt[0] = '\0';
  PetscFunctionReturn(PETSC_SUCCESS);
}

static wasp_status load_set(const char *path, long *n, wasp_measure **ms)
{
  WASP_TRY(wasp_io_count(path, n));
  if (*n < 1) return wasp_fail(WASP_ERR_INPUT, "%s holds no measures", path);
  WASP_TRY(wasp_calloc((size_t)*n, sizeof **ms, ms));
  return wasp_io_read_range(path, 0, *n, *ms);
}

static void free_set(long n, wasp_measure **ms)
{
  for (long k = 0; ms && *ms && k < n; k++) wasp_measure_destroy(&(*ms)[k]);
  wasp_free(ms);
}

/* Fingerprint of everything that determines the numbers: options and data. */
static uint64_t fingerprint(const pairs_opts *o, const wasp_measure *A, long na,
                            const wasp_measure *B, long nb)
{
  char text[4096];
  snprintf(text, sizeof text, "pairs|%s|p=%.17g|t=%d|n=%d|h=%.17g|tol=%.17g|na=%ld|nb=%ld", o->metric,
           o->par.p, o->par.torus, o->par.normalize, o->par.spacing, o->par.ot.tol, na, nb);
  uint64_t h = wasp_fingerprint(text);
  for (int set = 0; set < 2; set++) {
    const wasp_measure *m = set ? B : A;
    for (long k = 0; m && k < (set ? nb : na); k++) {
      const unsigned char *p = (const unsigned char *)m[k].w;
      for (size_t b = 0; b < sizeof(double) * (size_t)wasp_measure_size(&m[k]); b++) {
        h ^= p[b];
        h *= 1099511628211ULL;
      }
    }
  }
  return h;
}

static wasp_status write_output(const pairs_opts *o, const wasp_pairs_job *job, const double *vals,
                                double wall, int nranks, long restored)
{
  const long na = job->na, nb = job->B ? job->nb : job->na, total = wasp_pairs_count(job);
  const char *names[] = {"/distance", "/seconds", "/iterations", "/gap", "/primal_residual",
                         "/min_reduced_cost"};
  double *mat = NULL;
  wasp_h5 *f = NULL;
  WASP_TRY(wasp_calloc((size_t)(na * nb), sizeof(double), &mat));
  wasp_status s = wasp_h5_create(o->out, &f);
  for (int field = 0; !s && field < WASP_PAIR_NVALS; field++) {
    for (long k = 0; k < na * nb; k++) mat[k] = 0;
    for (long k = 0; k < total; k++) {
      long i, j;
      wasp_pairs_index(job, k, &i, &j);
      mat[i * nb + j] = vals[k * WASP_PAIR_NVALS + field];
      if (!job->B) mat[j * nb + i] = mat[i * nb + j];
    }
    long dims[2] = {na, nb};
    s = wasp_h5_write_double(f, names[field], 2, dims, mat);
    if (!s && field == WASP_PAIR_DISTANCE && o->csv[0]) {
      /* CSV beside the HDF5 file, same temp-then-rename rule. */
      size_t len = (size_t)(na * nb) * 26 + (size_t)na + 1;
      char *text = NULL, *p;
      s = wasp_malloc(len, &text);
      p = text;
      for (long i = 0; !s && i < na; i++)
        for (long j = 0; j < nb; j++)
          p += sprintf(p, "%.17g%c", mat[i * nb + j], j + 1 < nb ? ',' : '\n');
      if (!s) s = wasp_io_write_text(o->csv, text);
      wasp_free(&text);
    }
  }
  if (!s) s = wasp_app_write_params(f, o->metric, &o->par);
  if (!s) s = wasp_h5_attr_string(f, "/", "input", o->input);
  if (!s) s = wasp_h5_attr_string(f, "/", "against", o->against);
  if (!s) s = wasp_h5_attr_long(f, "/", "n", na);
  if (!s) s = wasp_h5_attr_long(f, "/", "m", nb);
  if (!s) s = wasp_h5_attr_long(f, "/", "symmetric", job->B == NULL);
  if (!s) s = wasp_h5_attr_long(f, "/", "ranks", nranks);
  if (!s) s = wasp_h5_attr_long(f, "/", "pairs_restored", restored);
  if (!s) s = wasp_h5_attr_double(f, "/", "wall_seconds", wall);
  wasp_free(&mat);
  if (s) {
    wasp_h5_abort(&f);
    return s;
  }
  return wasp_h5_commit(&f);
}

static void summary(const pairs_opts *o, const wasp_pairs_job *job, const double *vals, double wall,
                    int nranks)
{
  const long total = wasp_pairs_count(job);
  double sum = 0, gap = 0, mrc = 0, lo = INFINITY, hi = -INFINITY;
  for (long k = 0; k < total; k++) {
    const double *r = vals + k * WASP_PAIR_NVALS;
    sum += r[WASP_PAIR_SECONDS];
    gap = fmax(gap, fabs(r[WASP_PAIR_GAP]));
    mrc = fmin(mrc, r[WASP_PAIR_MIN_RC]);
    lo = fmin(lo, r[WASP_PAIR_DISTANCE]);
    hi = fmax(hi, r[WASP_PAIR_DISTANCE]);
  }
  if (o->json) {
    printf("{\"metric\": \"%s\", \"p\": %.17g, \"n\": %ld, \"m\": %ld, \"pairs\": %ld, \"ranks\": %d, "
           "\"wall_seconds\": %.6g, \"solve_seconds\": %.6g, \"max_abs_gap\": %.3g, "
           "\"min_reduced_cost\": %.3g, \"output\": \"%s\"}\n",
           o->metric, o->par.p, job->na, job->B ? job->nb : job->na, total, nranks, wall, sum, gap,
           mrc, o->out);
  } else if (!o->quiet) {
    printf("pairs: %ld %s, metric %s p=%g%s, on %d ranks\n", total, job->B ? "query-reference pairs" : "pairs",
           o->metric, o->par.p, o->par.torus ? " torus" : "", nranks);
    printf("  distance range [%.6g, %.6g]; %.4g s of solves (%.3g s/pair), wall %.3g s\n", lo, hi,
           sum, total ? sum / (double)total : 0, wall);
    printf("  certificates: max |gap| %.2e, min reduced cost %.2e\n  wrote %s%s%s\n", gap, mrc, o->out,
           o->csv[0] ? " and " : "", o->csv);
  }
  fflush(stdout);
}

PetscErrorCode wasp_cmd_pairs(MPI_Comm comm)
{
  pairs_opts o;
  wasp_measure *A = NULL, *B = NULL;
  long na = 0, nb = 0, restored = 0;
  double *vals = NULL, t0 = wasp_wtime();
  PetscBool complete;
  PetscMPIInt rank, size;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(process_options(comm, &o));
  if (wasp_app_help()) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCheck(o.input[0], comm, PETSC_ERR_USER, "missing -input: give an HDF5 stack, MRCS file or list file");
  wasp_queue_install_signals();

  PetscCall(PetscLogEventBegin(wasp_log.read, 0, 0, 0, 0));
  wasp_status s = load_set(o.input, &na, &A);
  if (!s && o.against[0]) s = load_set(o.against, &nb, &B);
  if (!s && !o.against[0] && na < 2)
    s = wasp_fail(WASP_ERR_INPUT, "-input %s holds %ld measure; pairs need at least 2", o.input, na);
  PetscCall(PetscLogEventEnd(wasp_log.read, 0, 0, 0, 0));
  WaspAgree(comm, s);

  wasp_pairs_job job = {o.metric, &o.par, A, B, na, nb, o.ckpt[0] ? o.ckpt : NULL, 0, o.quiet};
  job.fingerprint = fingerprint(&o, A, na, B, nb);
  PetscCall(wasp_pairs_run(comm, &job, &vals, &complete, &restored));
  PetscCheck(complete, comm, PETSC_ERR_USER,
             "interrupted by a signal before all %ld pairs were done; the finished pairs are in "
             "the checkpoint %s - rerun the same command to complete them",
             wasp_pairs_count(&job), o.ckpt[0] ? o.ckpt : "(none: -checkpoint none was given)");

  double wall = wasp_wtime() - t0;
  PetscCall(PetscLogEventBegin(wasp_log.write, 0, 0, 0, 0));
  s = rank == 0 ? write_output(&o, &job, vals, wall, size, restored) : WASP_OK;
  PetscCall(PetscLogEventEnd(wasp_log.write, 0, 0, 0, 0));
  WaspAgree(comm, s);
  if (o.ckpt[0]) PetscCall(wasp_checkpoint_remove(comm, o.ckpt));
  if (rank == 0) summary(&o, &job, vals, wall, size);
  PetscCall(PetscFree(vals));
  free_set(na, &A);
  free_set(nb, &B);
  PetscFunctionReturn(PETSC_SUCCESS);
}

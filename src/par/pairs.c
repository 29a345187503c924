/* The pair driver: every rank holds the measures, claims pairs from the work
 * queue, evaluates the metric through the registry and keeps the record. */
#include "wasp/wasp_pairs.h"

#include <math.h>
#include <stdio.h>

long wasp_pairs_count(const wasp_pairs_job *job)
{
  return job->B ? job->na * job->nb : job->na * (job->na - 1) / 2;
}

void wasp_pairs_index(const wasp_pairs_job *job, long k, long *i, long *j)
{
  if (job->B) {
    *i = k / job->nb;
    *j = k % job->nb;
    return;
  }
  /* Row i of the upper triangle starts at i*n - i(i+1)/2. */
  const long n = job->na;
  long r = (long)((2.0 * n - 1 - sqrt((2.0 * n - 1) * (2.0 * n - 1) - 8.0 * (double)k)) / 2);
  if (r < 0) r = 0;
  while (r > 0 && r * n - r * (r + 1) / 2 > k) r--;
  while ((r + 1) * n - (r + 1) * (r + 2) / 2 <= k) r++;
  *i = r;
  *j = k - (r * n - r * (r + 1) / 2) + r + 1;
}

PetscErrorCode wasp_pairs_run(MPI_Comm comm, const wasp_pairs_job *job, double **out,
                              PetscBool *complete, long *restored)
{
  wasp_queue *q = NULL;
  wasp_metric_ctx *ctx = NULL;
  wasp_progress *pr = NULL;
  const double *vals;
  const long total = wasp_pairs_count(job);
  PetscMPIInt rank;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  WaspAgree(comm, wasp_metric_ctx_create(job->metric, job->par, &ctx));
  PetscCall(wasp_queue_create(comm, total, WASP_PAIR_NVALS, job->ckpt_dir, job->fingerprint, &q));
  *restored = wasp_queue_restored(q);
  if (rank == 0 && !job->quiet && *restored > 0)
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "restart: %ld of %ld pairs restored from %s\n", *restored,
                          total, job->ckpt_dir));
  PetscCall(wasp_progress_create(comm, "pairs", total, job->quiet, &pr));

  /* A failing pair stops this rank's claims; the agreement after the gather
   * turns it into one error on every rank. */
  wasp_status s = WASP_OK;
  long k, done = 0;
  char an[64], bn[64];
  PetscCall(PetscLogEventBegin(wasp_log.solve, 0, 0, 0, 0));
  PetscCall(wasp_queue_next(q, &k));
  while (k >= 0) {
    long i, j;
    wasp_metric_result r;
    wasp_pairs_index(job, k, &i, &j);
    snprintf(an, sizeof an, "measure %ld", i);
    snprintf(bn, sizeof bn, "%s %ld", job->B ? "reference" : "measure", j);
    s = wasp_metric_eval(ctx, &job->A[i], an, job->B ? &job->B[j] : &job->A[j], bn, &r);
    if (s) break;
    double rec[WASP_PAIR_NVALS] = {r.value, r.seconds, (double)r.ot.iterations, r.ot.duality_gap,
                                   r.ot.primal_residual, r.has_certificate ? r.ot.min_reduced_cost : 0};
    PetscCall(wasp_queue_complete(q, k, rec));
    done++;
    PetscCall(wasp_progress_update(pr, wasp_queue_position(q) - 1));
    PetscCall(wasp_queue_next(q, &k));
  }
  PetscCall(PetscLogEventEnd(wasp_log.solve, 0, 0, 0, 0));
  WaspAgree(comm, s);

  PetscCall(PetscLogEventBegin(wasp_log.gather, 0, 0, 0, 0));
  PetscCall(wasp_queue_gather(q, &vals, complete));
  PetscCall(PetscLogEventEnd(wasp_log.gather, 0, 0, 0, 0));
  *out = NULL;
  if (rank == 0) {
    PetscCall(PetscMalloc1(total * WASP_PAIR_NVALS + 1, out));
    PetscCall(PetscArraycpy(*out, vals, total * WASP_PAIR_NVALS));
  }
  PetscCall(wasp_progress_update(pr, total));
  PetscCall(wasp_progress_destroy(&pr));
  /* The checkpoint outlives an incomplete run; the caller removes it after
   * committing the output (wasp_checkpoint_remove). */
  PetscCall(wasp_queue_destroy(&q, PETSC_FALSE));
  wasp_metric_ctx_destroy(&ctx);
  PetscFunctionReturn(PETSC_SUCCESS);
}

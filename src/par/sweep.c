/* The noise sweep on the work queue: each rank claims cells, rebuilds the
 * noisy images of that cell from the counter-based RNG (so no noise is ever
 * communicated) and stores one record per cell. */
#include "wasp/wasp_sweep.h"

#include <stdio.h>
#include <string.h>

int wasp_sweep_nvals(const wasp_sweep_job *job)
{
  const long m = job->nimages > 0 ? wasp_measure_size(&job->images[0]) : 0;
  return WASP_SWEEP_NVALS + (job->dest_site >= 0 ? (int)m : 0);
}

long wasp_sweep_count(const wasp_sweep_job *job)
{
  return (job->nsigma * job->trials + 1) * job->np * job->npairs;
}

long wasp_sweep_item(const wasp_sweep_job *job, long is, long ip, long trial, long pair)
{
  return ((is * job->np + ip) * job->trials + trial) * job->npairs + pair;
}

long wasp_sweep_clean_item(const wasp_sweep_job *job, long ip, long pair)
{
  return job->nsigma * job->np * job->trials * job->npairs + ip * job->npairs + pair;
}

long wasp_sweep_cells(const wasp_sweep_job *job) { return (job->nsigma * job->trials + 1) * job->np; }

long wasp_sweep_slice_count(const wasp_sweep_job *job)
{
  if (job->nslices <= 1) return wasp_sweep_count(job);
  const long cells = wasp_sweep_cells(job);
  const long mine = job->slice < cells ? (cells - job->slice + job->nslices - 1) / job->nslices : 0;
  return mine * job->npairs;
}

long wasp_sweep_slice_item(const wasp_sweep_job *job, long l)
{
  if (job->nslices <= 1) return l;
  const long cell = job->slice + (l / job->npairs) * job->nslices;
  return cell * job->npairs + l % job->npairs;
}

wasp_rng_key wasp_sweep_noise_key(const wasp_sweep_job *job, long is, long trial, long image)
{
  return wasp_rng_key_make(job->seed, WASP_SWEEP_RNG_BASE + (uint32_t)job->experiment,
                           (uint32_t)is, (uint32_t)trial, (uint32_t)image);
}

/* Per-rank state: one context per metric and p (each keeps its LP
 * workspace between cells) and the two noisy images of the current cell. */
typedef struct {
  wasp_metric_ctx *l2, **wp;
  wasp_measure a, b;
} sweep_work;

static void work_destroy(const wasp_sweep_job *job, sweep_work *w)
{
  wasp_metric_ctx_destroy(&w->l2);
  for (long ip = 0; w->wp && ip < job->np; ip++) wasp_metric_ctx_destroy(&w->wp[ip]);
  wasp_free(&w->wp);
  wasp_measure_destroy(&w->a);
  wasp_measure_destroy(&w->b);
}

static wasp_status work_create(const wasp_sweep_job *job, sweep_work *w)
{
  memset(w, 0, sizeof *w);
  wasp_metric_params par = *job->par;
  WASP_TRY(wasp_metric_ctx_create("l2", &par, &w->l2));
  WASP_TRY(wasp_calloc((size_t)job->np, sizeof *w->wp, &w->wp));
  /* i.i.d. noise changes the masses of S and T, zero-sum noise does not:
   * the signed cost needs the standardisation only for the former. */
  par.normalize = job->noise == WASP_NOISE_IID;
  for (long ip = 0; ip < job->np; ip++) {
    par.p = job->p[ip];
    WASP_TRY(wasp_metric_ctx_create("signed", &par, &w->wp[ip]));
  }
  WASP_TRY(wasp_measure_copy(&job->images[0], &w->a));
  return wasp_measure_copy(&job->images[0], &w->b);
}

/* The image of one side of a cell: clean, or clean plus this cell's noise. */
static wasp_status side(const wasp_sweep_job *job, long is, long trial, long image, bool noised,
                        wasp_measure *out)
{
  const wasp_measure *src = &job->images[image];
  const long m = wasp_measure_size(src);
  memcpy(out->w, src->w, (size_t)m * sizeof *out->w);
  if (!noised) return WASP_OK;
  const wasp_rng_key key = wasp_sweep_noise_key(job, is, trial, image);
  return wasp_noise_add(job->noise, job->sigma[is], &key, m, out->w);
}

/* Mass leaving site `site` of S, accumulated per destination site. */
static wasp_status destination(const wasp_metric_ctx *ctx, long site, long m, double *dest)
{
  long nnz;
  const long *src, *dst;
  const double *mass;
  memset(dest, 0, (size_t)m * sizeof *dest);
  WASP_TRY(wasp_metric_last_plan(ctx, &nnz, &src, &dst, &mass));
  for (long k = 0; k < nnz; k++)
    if (src[k] == site && dst[k] >= 0 && dst[k] < m) dest[dst[k]] += mass[k];
  return WASP_OK;
}

/* One item: decode it, build both sides, evaluate the three metrics. */
static wasp_status run_item(const wasp_sweep_job *job, sweep_work *w, long k, double *rec)
{
  const long noisy = job->nsigma * job->np * job->trials * job->npairs;
  long is = -1, ip, trial = 0, pair;
  if (k < noisy) {
    pair = k % job->npairs;
    trial = (k / job->npairs) % job->trials;
    ip = (k / (job->npairs * job->trials)) % job->np;
    is = k / (job->npairs * job->trials * job->np);
  } else {
    pair = (k - noisy) % job->npairs;
    ip = (k - noisy) / job->npairs;
  }
  const long i = job->pair_i[pair], j = job->pair_j[pair];
  const bool noise_a = is >= 0 && !(job->first_clean && i == 0);
  WASP_TRY(side(job, is, trial, i, noise_a, &w->a));
  WASP_TRY(side(job, is, trial, j, is >= 0, &w->b));
  char an[96], bn[96];
  snprintf(an, sizeof an, "image %ld (sigma index %ld, trial %ld)", i, is, trial);
  snprintf(bn, sizeof bn, "image %ld", j);
  wasp_metric_result r;
  WASP_TRY(wasp_metric_eval(w->l2, &w->a, an, &w->b, bn, &r));
  rec[WASP_SWEEP_L2] = r.value;
  rec[WASP_SWEEP_L2SQ] = r.value * r.value;
  WASP_TRY(wasp_metric_eval(w->wp[ip], &w->a, an, &w->b, bn, &r));
  rec[WASP_SWEEP_WP] = r.value;
  rec[WASP_SWEEP_MASS] = r.mass;
  if (job->dest_site >= 0) {
    const long m = wasp_measure_size(&w->a);
    if (r.has_certificate) WASP_TRY(destination(w->wp[ip], job->dest_site, m, rec + WASP_SWEEP_NVALS));
    else memset(rec + WASP_SWEEP_NVALS, 0, (size_t)m * sizeof *rec);
  }
  return WASP_OK;
}

PetscErrorCode wasp_sweep_run(MPI_Comm comm, const wasp_sweep_job *job, double **out,
                              PetscBool *complete, long *restored)
{
  wasp_queue *q = NULL;
  wasp_progress *pr = NULL;
  sweep_work w;
  const double *vals;
  /* The queue hands out local indices of the slice; records stay keyed by
   * them (and the checkpoint too: its fingerprint names the slice). */
  const long total = wasp_sweep_slice_count(job);
  const int nv = wasp_sweep_nvals(job);
  double *rec = NULL;
  PetscMPIInt rank;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  wasp_status s = work_create(job, &w);
  if (!s) s = wasp_malloc((size_t)nv * sizeof *rec, &rec);
  PetscErrorCode ierr = wasp_par_agree(comm, s);
  if (ierr) {
    work_destroy(job, &w);
    wasp_free(&rec);
    PetscFunctionReturn(ierr);
  }
  PetscCall(wasp_queue_create(comm, total, nv, job->ckpt_dir, job->fingerprint, &q));
  *restored = wasp_queue_restored(q);
  if (rank == 0 && !job->quiet && *restored > 0)
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "restart: %ld of %ld cells restored from %s\n",
                          *restored, total, job->ckpt_dir));
  PetscCall(wasp_progress_create(comm, "noise cells", total, job->quiet, &pr));

  /* A failing cell stops this rank's claims; the agreement after the loop
   * turns it into one error on every rank. */
  long k;
  PetscCall(PetscLogEventBegin(wasp_log.solve, 0, 0, 0, 0));
  PetscCall(wasp_queue_next(q, &k));
  while (k >= 0) {
    s = run_item(job, &w, wasp_sweep_slice_item(job, k), rec);
    if (s) break;
    PetscCall(wasp_queue_complete(q, k, rec));
    PetscCall(wasp_progress_update(pr, wasp_queue_position(q) - 1));
    PetscCall(wasp_queue_next(q, &k));
  }
  PetscCall(PetscLogEventEnd(wasp_log.solve, 0, 0, 0, 0));
  work_destroy(job, &w);
  wasp_free(&rec);
  PetscCall(wasp_progress_destroy(&pr));
  ierr = wasp_par_agree(comm, s);
  if (ierr) {
    PetscCall(wasp_queue_destroy(&q, PETSC_FALSE));
    PetscFunctionReturn(ierr);
  }

  PetscCall(PetscLogEventBegin(wasp_log.gather, 0, 0, 0, 0));
  PetscCall(wasp_queue_gather(q, &vals, complete));
  PetscCall(PetscLogEventEnd(wasp_log.gather, 0, 0, 0, 0));
  *out = NULL;
  if (rank == 0) {
    PetscCall(PetscMalloc1((size_t)total * nv + 1, out));
    PetscCall(PetscArraycpy(*out, vals, (size_t)total * nv));
  }
  PetscCall(wasp_queue_destroy(&q, PETSC_FALSE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

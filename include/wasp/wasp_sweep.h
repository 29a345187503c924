/* wasp_sweep.h - the parallel Monte-Carlo driver of the noise study: every
 * cell (sigma index, p index, trial, compared pair) is one item of the work
 * queue; the rank that claims it draws the noise from the counter-based RNG,
 * keyed by (seed, experiment, sigma index, trial, image) and never by rank,
 * and evaluates L2, squared L2 and W_p^± through the metric registry.
 * Results are keyed by item id, so 1 or K ranks give identical records.
 * Collective on comm unless noted. */
#ifndef WASP_SWEEP_H
#define WASP_SWEEP_H

#include <stdbool.h>
#include "wasp_metric.h"
#include "wasp_noise.h"
#include "wasp_queue.h"

/* The experiments; the value is also the RNG "experiment" axis (plus
 * WASP_SWEEP_RNG_BASE) so two experiments never share noise. */
typedef enum { WASP_SWEEP_SELF = 0, WASP_SWEEP_PAIR, WASP_SWEEP_MATRIX, WASP_SWEEP_DIRAC } wasp_sweep_experiment;
#define WASP_SWEEP_RNG_BASE 0x6e730000u

/* The record of one item, in this order; with dest_site >= 0 the record
 * continues with the destination image (ny*nx values, see below). */
enum { WASP_SWEEP_L2, WASP_SWEEP_L2SQ, WASP_SWEEP_WP, WASP_SWEEP_MASS, WASP_SWEEP_NVALS };
/* The metrics of the study in the order of the record's first values. */
#define WASP_SWEEP_NMETRICS 3

typedef struct {
  wasp_sweep_experiment experiment;
  const wasp_measure *images; /* clean images, all of one size             */
  long nimages;
  long npairs;                /* compared pairs (image i, image j)         */
  const long *pair_i, *pair_j;
  bool first_clean;           /* image 0 is never noised (self, one side)  */
  long nsigma, np, trials;
  const double *sigma, *p;
  wasp_noise_model noise;
  uint64_t seed;
  const wasp_metric_params *par; /* torus, spacing, LP options; p and
                                    normalize are set per item (normalize for
                                    i.i.d. noise, whose masses differ)       */
  long dest_site;             /* >= 0: also record where the mass of this
                                 site of the source S goes in the W_p^± plan */
  const char *ckpt_dir;       /* NULL: no checkpoint                        */
  uint64_t fingerprint;
  PetscBool quiet;
  long slice, nslices;        /* nslices > 1: run only the cells of slice
                                 `slice` (0-based), see wasp_sweep_slice_* */
} wasp_sweep_job;

/* Not collective.  Values per item: WASP_SWEEP_NVALS (+ ny*nx with dest_site). */
int wasp_sweep_nvals(const wasp_sweep_job *job);
/* Not collective.  Noisy items nsigma*np*trials*npairs, then the clean
 * items np*npairs (distances without noise, the reference of ratios). */
long wasp_sweep_count(const wasp_sweep_job *job);
/* Not collective.  Item of a noisy cell / of a clean (pair, p). */
long wasp_sweep_item(const wasp_sweep_job *job, long is, long ip, long trial, long pair);
long wasp_sweep_clean_item(const wasp_sweep_job *job, long ip, long pair);

/* Slices (a sweep split over a Slurm job array).  A cell is (sigma index,
 * p index, trial), or a clean p index; cell c holds items c*npairs ..
 * c*npairs+npairs-1 and belongs to slice c mod nslices, so every slice
 * mixes cheap small-sigma and costly large-sigma cells.  The RNG keys do not
 * depend on the slice: the union of all slices equals the single run.
 * Not collective. */
long wasp_sweep_cells(const wasp_sweep_job *job);
/* Items of the job's slice (all items without slicing). */
long wasp_sweep_slice_count(const wasp_sweep_job *job);
/* The global item of the local index l of the job's slice. */
long wasp_sweep_slice_item(const wasp_sweep_job *job, long l);

/* Not collective: the RNG key of the noise added to image `image` in cell
 * (sigma index is, trial).  The p index is absent on purpose: every p sees
 * the same noisy images, so metrics are compared on common noise. */
wasp_rng_key wasp_sweep_noise_key(const wasp_sweep_job *job, long is, long trial, long image);

/* Run every item of the job's slice (every item without slicing).  On rank
 * 0 *vals receives wasp_sweep_slice_count*nvals values in local order (item
 * order without slicing; wasp_sweep_slice_item maps local to global) (caller frees with PetscFree; NULL elsewhere); *complete is false
 * when a stop signal cut the run short. */
PetscErrorCode wasp_sweep_run(MPI_Comm comm, const wasp_sweep_job *job, double **vals,
                              PetscBool *complete, long *restored);

#endif

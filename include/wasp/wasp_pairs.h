/* wasp_pairs.h - the distributed pair workload: distances between all pairs
 * of a set of measures (or between two sets), spread over the ranks by the
 * work queue.  Collective on comm. */
#ifndef WASP_PAIRS_H
#define WASP_PAIRS_H

#include "wasp_metric.h"
#include "wasp_queue.h"

/* Per-pair record, in this order, in the gathered array. */
enum { WASP_PAIR_DISTANCE, WASP_PAIR_SECONDS, WASP_PAIR_ITERATIONS, WASP_PAIR_GAP,
       WASP_PAIR_RESIDUAL, WASP_PAIR_MIN_RC, WASP_PAIR_NVALS };

typedef struct {
  const char *metric;
  const wasp_metric_params *par;
  const wasp_measure *A, *B;  /* B == NULL: all pairs i < j of A             */
  long na, nb;
  const char *ckpt_dir;       /* NULL: no checkpoint                         */
  uint64_t fingerprint;
  PetscBool quiet;
} wasp_pairs_job;

/* Number of items: na(na-1)/2 (symmetric) or na*nb (rectangular). */
long wasp_pairs_count(const wasp_pairs_job *job);
/* Item k -> (i, j): row-major upper triangle, or row-major block. */
void wasp_pairs_index(const wasp_pairs_job *job, long k, long *i, long *j);

/* Compute every pair.  On rank 0 *vals receives count*WASP_PAIR_NVALS values
 * (caller frees with PetscFree); *complete is false when a stop signal cut
 * the run short (the checkpoint keeps what was done). */
PetscErrorCode wasp_pairs_run(MPI_Comm comm, const wasp_pairs_job *job, double **vals,
                              PetscBool *complete, long *restored);

#endif

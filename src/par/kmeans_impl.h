/* Private to src/par/kmeans*.c: the checkpoint of a k-means run. */
#ifndef WASP_KMEANS_IMPL_H
#define WASP_KMEANS_IMPL_H

#include "wasp/wasp_kmeans.h"

/* Everything a restart needs to continue to the same result.  The state
 * after iteration t: centroids C_{t+1}, the loss history, and (t >= 1) the
 * last assignment, so a run killed after its final iteration only writes
 * its output.  The RNG is counter-based: its position is the number of
 * draws made, which is k once seeding is over (empty clusters are re-seeded
 * deterministically), stored for the record. */
typedef struct {
  int iteration;        /* iterations completed (0: just seeded) */
  int converged;
  long n, k, npix, rng_draws;
  double *centroids;    /* k*npix */
  double *loss, *seconds;      /* iteration values */
  long *assignment, *rotation; /* n (iteration >= 1) */
  double *distance;            /* n (iteration >= 1) */
} wasp_kmeans_ckpt;

/* Serial (rank 0).  Writes DIR/kmeans.h5 through a temporary name. */
wasp_status wasp_kmeans_ckpt_write(const char *dir, uint64_t fingerprint, const wasp_kmeans_ckpt *c);
/* Serial (rank 0).  *found = 0 when there is no checkpoint; a checkpoint of
 * other options or data fails naming the file.  Arrays are malloc'd in c,
 * whose n, k, npix must be set by the caller. */
wasp_status wasp_kmeans_ckpt_read(const char *dir, uint64_t fingerprint, wasp_kmeans_ckpt *c, int *found);

#endif

/* wasp_kmeans.h - the MPI driver of rotationally-invariant k-means
 * (src/par/kmeans.c, checkpoints in src/par/kmeans_ckpt.c).
 *
 * Images are split over ranks by index blocks; each rank assigns its own.
 * The k*m rotated centroids of an iteration are computed once in all: each
 * rank transforms a share of every batch and the shares are all-gathered.
 * Centroid sums are int64 fixed point (wasp_cluster_fixed_scale) reduced
 * with MPI_SUM, k-means++ weights and the loss are gathered to rank 0 and
 * summed there in index order, every random draw is keyed by (seed, draw
 * number): the result is bit-identical on any number of ranks and across a
 * checkpoint restart. */
#ifndef WASP_KMEANS_H
#define WASP_KMEANS_H

#include "wasp_cluster.h"
#include "wasp_par.h"

typedef struct {
  wasp_cluster_metric metric;
  long k;
  int rotations, levels, max_iter;
  double tol;                 /* stop when (loss_prev - loss) / loss_prev < tol */
  uint64_t seed;
  const char *ckpt_dir;       /* NULL or "": no checkpoint */
  const char *options_text;   /* every result-determining option, for the fingerprint */
  PetscBool brute;            /* no pruning (testing: same answers, slower) */
  PetscBool quiet;
} wasp_kmeans_opts;

typedef struct {
  /* Rank 0 only (NULL elsewhere), malloc'd; free with wasp_kmeans_result_free. */
  double *centroids;          /* [k][side][side]: means of the final assignment */
  long *assignment, *rotation;/* [n] cluster and rotation index per image */
  double *distance;           /* [n] d^R(image, centroid it was assigned to) */
  double *loss, *seconds;     /* [iterations] */
  int iterations, restored_iterations;
  PetscBool converged, interrupted; /* all ranks */
  long dist_full, dist_pruned;/* candidate distances finished / cut short (all ranks, summed) */
  double seed_seconds;
} wasp_kmeans_result;

/* Collective.  images: this rank's count images (index first .. first+count-1
 * of n, ranks in order, blocks contiguous), each side x side.  On a stop
 * signal the run ends after the checkpoint with interrupted = true. */
PetscErrorCode wasp_kmeans_run(MPI_Comm comm, const wasp_kmeans_opts *o, long n, int side, long first,
                               long count, const double *images, wasp_kmeans_result *res);
void wasp_kmeans_result_free(wasp_kmeans_result *res);
/* Serial (call from rank 0 after the output is committed): delete
 * DIR/kmeans.h5, and DIR itself when that leaves it empty. */
wasp_status wasp_kmeans_ckpt_remove(const char *dir);

/* The block of image indices rank r of size owns: [n r / size, n (r+1) / size). */
void wasp_kmeans_block(long n, int rank, int size, long *first, long *count);

#endif

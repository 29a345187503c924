/* wasp_cluster.h - kernels of rotationally-invariant k-means: the feature
 * space of a metric, the exact pruned assignment, k-means++ draws, exact
 * fixed-point centroid sums, and the viewing-angle statistics of `wasp
 * evaluate`.  Pure C: no MPI, no files.  A space keeps scratch memory and a
 * metric context: one thread at a time.  Not collective.
 *
 * Distances in a space.  Every image becomes a feature vector of float
 * blocks; the distance is accumulated block by block in a fixed order:
 *   wemd: blocks = detail levels coarse to fine, features = the weighted
 *         coefficients 2^{2(L-1-j)} W(img) (wasp_wavelet.h), sum = L1 norm,
 *         d = sum;
 *   l2:   blocks = 8 bands of rows, features = pixels, sum = squared
 *         Euclidean norm a.a + c.c - 2 a.c, d = sqrt(sum), computed for
 *         every candidate by a dense register-tiled kernel (noise leaves
 *         nothing to prune, see gram.c);
 *   w1:   one block of pixels; sum = d = exact W1 (metric registry 'wp',
 *         p = 1) between the unit-mass images (negative pixels of a rotated
 *         centroid, interpolation undershoot, are set to 0 first).
 * For wemd every block adds a non-negative amount, so a partial sum
 * is a lower bound of the whole: the pruned search stops a candidate as soon
 * as its partial sum exceeds the best full sum found, which changes no
 * answer (the full sums it does finish are computed in the same order as the
 * brute force, hence bit-identical).
 *
 * Candidate sets.  The m rotations r = 0..m-1 (angle 2 pi r / m) of nc
 * centroids are stored block-major: block b of candidate c (c = j*m + r) at
 * base + off[b]*N + c*len[b], N = nc*m, so the coarse blocks of all
 * candidates are contiguous. */
#ifndef WASP_CLUSTER_H
#define WASP_CLUSTER_H

#include <stdbool.h>
#include "wasp_base.h"
#include "wasp_noise.h"

typedef enum { WASP_CLUSTER_WEMD = 0, WASP_CLUSTER_L2 = 1, WASP_CLUSTER_W1 = 2 } wasp_cluster_metric;

/* "wemd", "l2", "w1"; unknown names fail with WASP_ERR_ARG listing them. */
wasp_status wasp_cluster_metric_parse(const char *name, wasp_cluster_metric *metric);
const char *wasp_cluster_metric_name(wasp_cluster_metric metric);

typedef struct wasp_cluster_space wasp_cluster_space;

/* n x n images (n >= 8), m >= 1 in-plane rotations; levels: wavelet levels
 * of wemd (6 in the paper). */
wasp_status wasp_cluster_space_create(wasp_cluster_metric metric, int n, int rotations, int levels,
                                      wasp_cluster_space **sp);
void wasp_cluster_space_destroy(wasp_cluster_space **sp);
/* Floats per feature vector (blocks padded to multiples of 32). */
long wasp_cluster_space_dim(const wasp_cluster_space *sp);
int wasp_cluster_space_rotations(const wasp_cluster_space *sp);
/* Number of blocks; off[b], len[b] (floats, b < nblocks) as in the layout
 * above (for moving a slice of a set between ranks block by block). */
int wasp_cluster_space_blocks(const wasp_cluster_space *sp, const long **off, const long **len);
/* Angle of rotation r in radians: 2 pi r / m. */
double wasp_cluster_space_angle(const wasp_cluster_space *sp, int r);

/* Features of img (n*n doubles) as item c of a block-major set of N items. */
wasp_status wasp_cluster_space_features(wasp_cluster_space *sp, const double *img, float *base,
                                        long N, long c);
/* Features of the m rotations of a centroid as items c0 .. c0+m-1 of a set
 * of N items (each rotation: wasp_rotate_image, then features). */
/* Features of rotation r of a centroid as item c of a set of N items. */
wasp_status wasp_cluster_space_rotated(wasp_cluster_space *sp, const double *centroid, int r,
                                       float *base, long N, long c);
wasp_status wasp_cluster_space_rotations_of(wasp_cluster_space *sp, const double *centroid,
                                            float *base, long N, long c0);

/* Does the search cut candidates short?  wemd: yes (coarse-to-fine bounds);
 * l2: no, every distance is an inner product of a dense kernel (a guess
 * changes nothing); w1: no. */
bool wasp_cluster_space_prunes(const wasp_cluster_space *sp);

/* Distance conversions of the block sum: d = sum (wemd, w1) or sqrt(sum). */
double wasp_cluster_space_distance(const wasp_cluster_space *sp, double sum);

/* The best candidate found so far for one image: lexicographic minimum of
 * (sum, cluster, rotation) over the candidates seen. */
typedef struct {
  long cluster;  /* -1: none yet */
  int rotation;
  double sum;    /* block sum (see above); +inf: none yet */
} wasp_cluster_best;

typedef struct {
  long full, pruned; /* candidates evaluated to the end / stopped early */
} wasp_cluster_counts;

void wasp_cluster_best_reset(wasp_cluster_best *best, long nimg);

/* Update best[i] for images i < nimg (items of a set of nimg) against the
 * candidates of a set of nc centroids x m rotations whose first centroid has
 * global id j0.  prune = false is the brute force; both give identical best.
 * counts may be NULL. */
wasp_status wasp_cluster_assign(wasp_cluster_space *sp, long nimg, const float *images, long j0,
                                long nc, const float *cands, bool prune, wasp_cluster_best *best,
                                wasp_cluster_counts *counts);

/* The pruned search with a guess: image i (of subset[0..nsub), or all nimg
 * when subset is NULL) also drops candidates whose bound exceeds hint[i]
 * (e.g. slightly above its distance in the previous iteration).  After all
 * candidates, best[i] is exact (identical to the brute force) whenever
 * best[i].sum <= hint[i]; otherwise the guess was too small and the image
 * must be searched again without a hint (wasp_cluster_assign). */
wasp_status wasp_cluster_assign_hinted(wasp_cluster_space *sp, long nimg, const float *images,
                                       const long *subset, long nsub, const double *hint, long j0,
                                       long nc, const float *cands, wasp_cluster_best *best,
                                       wasp_cluster_counts *counts);

/* k-means++ D^2 draw: the first index i with w[0] + ... + w[i] > u * total
 * (sums in index order), u = wasp_rng_uniform(key, counter); w >= 0.  When
 * every weight is 0 the draw is uniform (wasp_rng_draw_index).  Returns the
 * index in *pick. */
wasp_status wasp_kmeanspp_draw(const wasp_rng_key *key, uint64_t counter, const double *w, long n,
                               long *pick);

/* Exact centroid sums.  The scale 2^e is the largest with
 * nimg * 2 * maxabs * scale < 2^62 (rotation by Keys' cubic overshoots by at
 * most a factor 1.5625), so int64 sums of nimg images cannot overflow and
 * are the same in any order. */
double wasp_cluster_fixed_scale(long nimg, double maxabs);
/* sum[p] += llround(scale * rot(img, -angle)[p]) (the image rotated back by
 * its best rotation); scratch holds n*n doubles. */
wasp_status wasp_cluster_accumulate(const double *img, int n, double angle, double scale,
                                    int64_t *sum, double *scratch);

/* ---- evaluation (wasp evaluate) -------------------------------------- */

#define WASP_EVAL_BINS 180 /* 1-degree histogram bins over [0, 180] */

typedef struct {
  long n, k, pairs;              /* images, clusters, within-cluster pairs */
  double median_angle_deg;       /* of all within-cluster pairwise angles */
  double frac_under_10deg, frac_under_20deg, antipodal_frac; /* < 10, < 20, > 160 degrees */
  double occupancy_evenness;     /* normalised entropy of the sizes (docs/kmeans.md) */
  long hist[WASP_EVAL_BINS];     /* bin b: [b, b+1) degrees, 180 in the last bin */
  long *sizes;                   /* k cluster sizes, decreasing (malloc'd) */
} wasp_cluster_eval;

/* Angle in degrees between two unit vectors (acos of the clamped dot). */
double wasp_view_angle_deg(const double u[3], const double v[3]);
/* Statistics of an assignment (values in [0, k)) against view_dirs [n][3].
 * Fails with WASP_ERR_INPUT on an assignment out of range. */
wasp_status wasp_cluster_evaluate(long n, long k, const long *assignment, const double *view_dirs,
                                  wasp_cluster_eval *ev);
void wasp_cluster_eval_free(wasp_cluster_eval *ev);

#endif

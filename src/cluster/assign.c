/* The rotationally-invariant assignment: brute force and the exact
 * coarse-to-fine pruning (see wasp_cluster.h for why they agree bit for
 * bit: both run one summation routine in one order; pruning only skips
 * candidates that provably cannot win). */
#include "cluster_impl.h"

#include <math.h>

/* One block's L1 sum (wemd) in a fixed order: runs of at most 256 values
 * (short runs keep float rounding small) in four 8-lane float accumulators
 * (lane l of accumulator q takes k = 32 t + 8 q + l), the accumulators and
 * then the lanes added pairwise, runs in double.  Four independent
 * accumulators keep the adds off each other's latency.  Blocks are padded
 * to multiples of 32 (space.c). */
static inline __attribute__((always_inline)) double block_sum(const float *a, const float *b, long len)
{
  const v8i abs_mask = {0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff,
                        0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff};
  double total = 0.0;
  for (long k0 = 0; k0 < len; k0 += 256) {
    const long k1 = k0 + 256 < len ? k0 + 256 : len;
    v8 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    for (long k = k0; k < k1; k += 32) {
      s0 += (v8)((v8i)(LOAD8(a + k) - LOAD8(b + k)) & abs_mask);
      s1 += (v8)((v8i)(LOAD8(a + k + 8) - LOAD8(b + k + 8)) & abs_mask);
      s2 += (v8)((v8i)(LOAD8(a + k + 16) - LOAD8(b + k + 16)) & abs_mask);
      s3 += (v8)((v8i)(LOAD8(a + k + 24) - LOAD8(b + k + 24)) & abs_mask);
    }
    const v8 s = (s0 + s1) + (s2 + s3);
    total += LANES_SUM(s);
  }
  return total;
}

/* Unit-mass copy of a float image (for the exact W1 LP). */
static wasp_status unit_mass(const float *src, long npix, wasp_measure *m, const char *what)
{
  double mass = 0.0;
  for (long p = 0; p < npix; p++) mass += src[p];
  if (!(mass > 0))
    return wasp_fail(WASP_ERR_INPUT, "w1: %s has no positive mass (sum %g); W1 needs non-negative images", what, mass);
  for (long p = 0; p < npix; p++) m->w[p] = src[p] / mass;
  return WASP_OK;
}

static wasp_status w1_sum(wasp_cluster_space *sp, const float *a, const float *b, double *sum)
{
  const long npix = (long)sp->n * sp->n;
  wasp_metric_result res;
  WASP_TRY(unit_mass(a, npix, &sp->ma, "an image"));
  WASP_TRY(unit_mass(b, npix, &sp->mb, "a rotated centroid"));
  WASP_TRY(wasp_metric_eval(sp->w1, &sp->ma, "image", &sp->mb, "rotated centroid", &res));
  *sum = res.value;
  return WASP_OK;
}

void wasp_cluster_best_reset(wasp_cluster_best *best, long nimg)
{
  for (long i = 0; i < nimg; i++) {
    best[i].cluster = -1;
    best[i].rotation = -1;
    best[i].sum = INFINITY;
  }
}

/* A lower bound of block b's computed L1 sum from the stored norms na, nc:
 * sum |a - c| >= |sum |a| - sum |c||.  The norms are float-rounded, so
 * 1e-5 (na + nc) is taken off first; the caller also discounts the float
 * rounding of the block sums (SAFE). */
static double norm_bound(float na, float nc)
{
  double g = fabs((double)na - (double)nc) - 1e-5 * ((double)na + (double)nc);
  return g > 0 ? g : 0.0;
}

/* Float runs of <= 32 additions per lane err by < 3e-6 relative; 1e-4 is a
 * wide margin, and best is inflated by 1e-12 against the double additions:
 * a candidate cut by the bound provably has a computed sum above best. */
#define SAFE 1e-4
#define TILE 16

/* The common loop (l2 goes to its dense kernel, gram.c): images subset[0..nsub) (all nimg when subset is NULL);
 * the pruning threshold of image i is min(best sum so far, hint[i]). */
__attribute__((target_clones("avx2", "default")))
static wasp_status assign_core(wasp_cluster_space *sp, long nimg, const float *images, const long *subset,
                               long nsub, const double *hint, long j0, long nc, const float *cands, bool prune,
                               wasp_cluster_best *best, wasp_cluster_counts *counts)
{
  const int m = sp->m, nb = sp->nblocks;
  const long N = nc * m;
  long full = 0, pruned = 0;
  if (sp->metric == WASP_CLUSTER_L2) {
    WASP_TRY(wasp_cluster_l2_assign(sp, nimg, images, subset, nsub, j0, nc, cands, best, counts ? &counts->full : &full));
    return WASP_OK;
  }
  /* Tiles of images: a candidate's blocks are read from memory once per
   * tile and reused from cache for every image of it. */
  for (long i0 = 0; i0 < nsub; i0 += TILE)
  for (long c = 0; c < N; c++) {
    const long j = j0 + c / m;
    const int r = (int)(c % m);
    for (long q = i0; q < nsub && q < i0 + TILE; q++) {
      const long i = subset ? subset[q] : q;
      wasp_cluster_best *bi = &best[i];
      const double thr = hint && hint[i] < bi->sum ? hint[i] : bi->sum;
      double sum = 0.0;
      int stopped = 0;
      if (sp->metric == WASP_CLUSTER_W1) {
        WASP_TRY(w1_sum(sp, images + i * sp->blen[0], cands + c * sp->blen[0], &sum));
      } else {
        /* rest[b] = bound of blocks b.. not yet summed. */
        double rest[18];
        rest[nb] = 0.0;
        if (prune) {
          const float *na = images + sp->boff[nb] * nimg + i * sp->blen[nb];
          const float *ncn = cands + sp->boff[nb] * N + c * sp->blen[nb];
          for (int b = nb - 1; b >= 0; b--) rest[b] = rest[b + 1] + norm_bound(na[b], ncn[b]);
          stopped = (1.0 - SAFE) * rest[0] > thr * (1.0 + 1e-12);
        }
        for (int b = 0; b < nb && !stopped; b++) {
          sum += block_sum(images + sp->boff[b] * nimg + i * sp->blen[b],
                           cands + sp->boff[b] * N + c * sp->blen[b], sp->blen[b]);
          /* sum only grows, and the rest adds at least its bound: past the
           * best it can never come back. */
          if (prune && (sum > thr || sum + (1.0 - SAFE) * rest[b + 1] > thr * (1.0 + 1e-12))) stopped = 1;
        }
      }
      if (stopped) {
        pruned++;
        continue;
      }
      full++;
      wasp_cluster_consider(bi, sum, j, r);
    }
  }
  if (counts) {
    counts->full += full;
    counts->pruned += pruned;
  }
  return WASP_OK;
}

wasp_status wasp_cluster_assign(wasp_cluster_space *sp, long nimg, const float *images, long j0,
                                long nc, const float *cands, bool prune, wasp_cluster_best *best,
                                wasp_cluster_counts *counts)
{
  return assign_core(sp, nimg, images, NULL, nimg, NULL, j0, nc, cands, prune, best, counts);
}

wasp_status wasp_cluster_assign_hinted(wasp_cluster_space *sp, long nimg, const float *images,
                                       const long *subset, long nsub, const double *hint, long j0,
                                       long nc, const float *cands, wasp_cluster_best *best,
                                       wasp_cluster_counts *counts)
{
  return assign_core(sp, nimg, images, subset, nsub, hint, j0, nc, cands, true, best, counts);
}

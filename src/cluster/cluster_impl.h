/* Private to src/cluster: the layout of a feature space. */
#ifndef WASP_CLUSTER_IMPL_H
#define WASP_CLUSTER_IMPL_H

#include "wasp/wasp_cluster.h"
#include "wasp/wasp_metric.h"
#include "wasp/wasp_wavelet.h"

/* 8 float lanes (one AVX register; two SSE ones in the baseline build).
 * Used through macros, not functions: a function passing an AVX vector
 * would change the ABI of the baseline build.  v8 is declared 4-byte
 * aligned, so loads may be unaligned; GCC lets a vector alias its element
 * type. */
typedef float v8 __attribute__((vector_size(32), aligned(4)));
typedef int v8i __attribute__((vector_size(32), aligned(4)));
#define LOAD8(p) (*(const v8 *)(p))
#define LANES_SUM(s) \
  ((double)((((s)[0] + (s)[1]) + ((s)[2] + (s)[3])) + (((s)[4] + (s)[5]) + ((s)[6] + (s)[7]))))

struct wasp_cluster_space {
  wasp_cluster_metric metric;
  int n, m, nblocks;
  long blen[17], boff[17];   /* padded block lengths and offsets (floats)  */
  float weight[16];          /* wemd level weights                         */
  wasp_wavelet *wav;         /* wemd                                       */
  double *coeffs, *rotated;  /* scratch: DWT output, a rotated centroid    */
  wasp_metric_ctx *w1;       /* w1: the registry's exact LP 'wp', p = 1    */
  wasp_measure ma, mb;       /* w1: unit-mass copies of the two images     */
};

/* Lexicographic (sum, cluster, rotation): ties go to the lowest index, so the
 * answer does not depend on the order in which candidates are seen. */
static inline void wasp_cluster_consider(wasp_cluster_best *b, double sum, long j, int r)
{
  if (sum != b->sum ? sum < b->sum : (j < b->cluster || (j == b->cluster && r < b->rotation))) {
    b->sum = sum;
    b->cluster = j;
    b->rotation = r;
  }
}

/* l2: every candidate's distance by inner products (gram.c); images
 * subset[0..nsub) (all when NULL); *evaluated += the pairs done. */
wasp_status wasp_cluster_l2_assign(const wasp_cluster_space *sp, long nimg, const float *images, const long *subset,
                                   long nsub, long j0, long nc, const float *cands, wasp_cluster_best *best,
                                   long *evaluated);

#endif

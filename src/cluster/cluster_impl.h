/* Private to src/cluster: the layout of a feature space. */
#ifndef WASP_CLUSTER_IMPL_H
#define WASP_CLUSTER_IMPL_H

#include "wasp/wasp_cluster.h"
#include "wasp/wasp_metric.h"
#include "wasp/wasp_wavelet.h"

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

#endif

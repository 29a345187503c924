/* Spearman's rank correlation: how well a noisy distance matrix keeps the
 * order of the clean one, which is what a nearest-neighbour or clustering
 * step downstream depends on. */
#include "wasp/wasp_stats.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
  double v;
  long i;
} keyed;

static int cmp_keyed(const void *pa, const void *pb)
{
  const keyed *a = pa, *b = pb;
  if (a->v < b->v) return -1;
  if (a->v > b->v) return 1;
  /* ties by index: a total order, so qsort's result does not depend on its
   * internal algorithm */
  return (a->i > b->i) - (a->i < b->i);
}

/* rank[i] in 1..n, ties get the average of their positions. */
static void average_ranks(long n, keyed *k, double *rank)
{
  qsort(k, (size_t)n, sizeof *k, cmp_keyed);
  for (long s = 0; s < n;) {
    long e = s + 1;
    while (e < n && k[e].v == k[s].v) e++;
    const double r = 0.5 * (double)(s + 1 + e); /* mean of s+1 .. e */
    for (long t = s; t < e; t++) rank[k[t].i] = r;
    s = e;
  }
}

wasp_status wasp_stats_spearman(long n, const double *x, const double *y, double *rho)
{
  if (n < 2) return wasp_fail(WASP_ERR_ARG, "Spearman correlation needs 2 or more pairs, got %ld", n);
  for (long i = 0; i < n; i++)
    if (!isfinite(x[i]) || !isfinite(y[i]))
      return wasp_fail(WASP_ERR_ARG, "Spearman correlation: entry %ld is not finite (%g, %g)", i,
                       x[i], y[i]);
  keyed *k = NULL;
  double *rx = NULL, *ry = NULL;
  WASP_TRY(wasp_malloc((size_t)n * sizeof *k, &k));
  wasp_status s = wasp_malloc((size_t)n * sizeof *rx, &rx);
  if (!s) s = wasp_malloc((size_t)n * sizeof *ry, &ry);
  if (s) {
    wasp_free(&k);
    wasp_free(&rx);
    return s;
  }
  for (long i = 0; i < n; i++) k[i] = (keyed){x[i], i};
  average_ranks(n, k, rx);
  for (long i = 0; i < n; i++) k[i] = (keyed){y[i], i};
  average_ranks(n, k, ry);
  const double mean = 0.5 * (double)(n + 1);
  double sxy = 0, sxx = 0, syy = 0;
  for (long i = 0; i < n; i++) {
    const double a = rx[i] - mean, b = ry[i] - mean;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  wasp_free(&k);
  wasp_free(&rx);
  wasp_free(&ry);
  if (!(sxx > 0) || !(syy > 0))
    return wasp_fail(WASP_ERR_INPUT, "Spearman correlation is undefined: one sample is constant");
  *rho = sxy / sqrt(sxx * syy);
  return WASP_OK;
}

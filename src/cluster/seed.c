/* k-means++ draws and exact centroid sums: the two places where k-means
 * must not depend on how many ranks did the work. */
#include "wasp/wasp_cluster.h"
#include "wasp/wasp_rotate.h"

#include <math.h>

wasp_status wasp_kmeanspp_draw(const wasp_rng_key *key, uint64_t counter, const double *w, long n,
                               long *pick)
{
  if (n < 1) return wasp_fail(WASP_ERR_ARG, "k-means++: no images to draw from");
  double total = 0.0;
  for (long i = 0; i < n; i++) {
    if (!(w[i] >= 0) || !isfinite(w[i]))
      return wasp_fail(WASP_ERR_INPUT, "k-means++: weight %ld is %g (must be finite and >= 0)", i, w[i]);
    total += w[i];
  }
  if (!(total > 0)) { /* every image equals a centre: any choice is as good */
    *pick = wasp_rng_draw_index(key, counter, n);
    return WASP_OK;
  }
  const double target = wasp_rng_uniform(key, counter) * total;
  double cum = 0.0;
  long last = -1;
  for (long i = 0; i < n; i++) {
    if (w[i] <= 0) continue;
    cum += w[i];
    last = i;
    if (cum > target) break;
  }
  /* Rounding can leave cum == total <= target: the last positive weight. */
  *pick = last;
  return WASP_OK;
}

double wasp_cluster_fixed_scale(long nimg, double maxabs)
{
  if (!(maxabs > 0) || nimg < 1) return 1.0;
  int e;
  frexp(0x1.0p62 / ((double)nimg * 2.0 * maxabs), &e); /* x = f 2^e, f in [0.5, 1) */
  return ldexp(1.0, e - 1);
}

wasp_status wasp_cluster_accumulate(const double *img, int n, double angle, double scale,
                                    int64_t *sum, double *scratch)
{
  WASP_TRY(wasp_rotate_image(img, n, -angle, scratch));
  for (long p = 0; p < (long)n * n; p++) sum[p] += (int64_t)llround(scale * scratch[p]);
  return WASP_OK;
}

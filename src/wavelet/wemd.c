/* The wavelet earth mover's distance on top of the DWT (formula in
 * wasp_wavelet.h).  The k-means driver uses the same weights through
 * src/cluster/space.c, which stores the weighted coefficients once. */
#include "wasp/wasp_wavelet.h"

#include <math.h>

double wasp_wemd_weight(int levels, int j) { return ldexp(1.0, 2 * (levels - 1 - j)); }

wasp_status wasp_wemd_distance(wasp_wavelet *w, const double *a, const double *b, double *dist)
{
  const long len = wasp_wavelet_length(w);
  double *ca = NULL, *cb = NULL;
  wasp_status s = wasp_malloc(sizeof(double) * (size_t)len, &ca);
  if (!s) s = wasp_malloc(sizeof(double) * (size_t)len, &cb);
  if (!s) s = wasp_wavelet_forward(w, a, ca);
  if (!s) s = wasp_wavelet_forward(w, b, cb);
  if (!s) {
    const int L = wasp_wavelet_levels(w);
    double total = 0.0;
    for (int j = 0; j < L; j++) {
      double part = 0.0;
      for (long k = wasp_wavelet_offset(w, j, 0); k < wasp_wavelet_offset(w, j, 3); k++)
        part += fabs(ca[k] - cb[k]);
      total += wasp_wemd_weight(L, j) * part;
    }
    *dist = total;
  }
  wasp_free(&ca);
  wasp_free(&cb);
  return s;
}

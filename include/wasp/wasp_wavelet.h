/* wasp_wavelet.h - 2-D discrete wavelet transform (PyWavelets' wavedecn
 * convention) and the wavelet earth mover's distance (wemd).  Pure kernel:
 * no MPI, no files.  A transform object keeps scratch memory, so it is used
 * by one thread at a time.  Not collective.
 *
 * Convention (checked against pywt.wavedecn(img, name, mode='zero', level=L)
 * coefficient for coefficient, tests/integration/test_kmeans.py):
 *  - one level along an axis of length N with the decomposition filter h of
 *    length F gives floor((N + F - 1) / 2) outputs
 *        out[o] = sum_{t=0}^{F-1} h[t] * x[2o + 1 - t],  x = 0 outside [0, N)
 *    (pywt's "zero" mode full convolution, keeping the odd samples);
 *  - a 2-D level filters axis 0 (rows index) first, then axis 1, giving the
 *    bands aa (next approximation), ad, da, dd (first letter: axis 0);
 *  - levels are applied L times to the approximation, even past pywt's
 *    dwt_max_level (pywt only warns there; so do we not).
 * Coefficient layout (one double array, as wavedecn's list):
 *    [ cA (level L) | level j=0: ad, da, dd | j=1: ad, da, dd | ... ]
 * with detail level j = 0 the coarsest (pywt's coeffs[1]) and j = L-1 the
 * finest (coeffs[-1]); each band is row-major with the shape of its level.
 *
 * wemd (the formula; docs/kmeans.md):
 *    wemd(a, b) = sum_{j=0}^{L-1} 2^{2(L-1-j)} sum_{band, pos} |Wa - Wb|
 * over detail coefficients only (the approximation is dropped).  This is
 * Shirdhonkar and Jacobs' weight 2^{-j(1+n/2)} for n = 2 dimensions, with j
 * counted from the coarsest level, multiplied by the constant 2^{2(L-1)}. */
#ifndef WASP_WAVELET_H
#define WASP_WAVELET_H

#include "wasp_base.h"

typedef struct wasp_wavelet wasp_wavelet;

/* name: "sym5" (symlet 5, the wemd basis) or "haar".  ny, nx >= 1,
 * 1 <= levels <= 16.  Fails with WASP_ERR_ARG naming the bad value. */
wasp_status wasp_wavelet_create(const char *name, int ny, int nx, int levels, wasp_wavelet **w);
void wasp_wavelet_destroy(wasp_wavelet **w);

int wasp_wavelet_levels(const wasp_wavelet *w);
/* Shape of detail level j (0 = coarsest); j = -1 gives the approximation's
 * shape (the same as level 0). */
void wasp_wavelet_shape(const wasp_wavelet *w, int j, int *ny, int *nx);
/* Total number of coefficients, and the offset of band (0 = ad, 1 = da,
 * 2 = dd) of detail level j in the layout above (j = -1: cA, band ignored). */
long wasp_wavelet_length(const wasp_wavelet *w);
long wasp_wavelet_offset(const wasp_wavelet *w, int j, int band);

/* coeffs[wasp_wavelet_length(w)] = the transform of the ny x nx row-major
 * image img. */
wasp_status wasp_wavelet_forward(wasp_wavelet *w, const double *img, double *coeffs);

/* The wemd weight of detail level j for L levels: 2^{2(L-1-j)}. */
double wasp_wemd_weight(int levels, int j);
/* wemd between two images (transforms both; for tests and single pairs). */
wasp_status wasp_wemd_distance(wasp_wavelet *w, const double *a, const double *b, double *dist);

#endif

/* The separable 2-D DWT in PyWavelets' convention (see wasp_wavelet.h).
 * Axis 0 is filtered row by row of output so that the inner loop runs along
 * contiguous memory (vectorised); axis 1 filters each row directly. */
#include "wasp/wasp_wavelet.h"

#include <math.h>
#include <string.h>

#define MAX_LEVELS 16
#define MAX_TAPS 10

/* pywt.Wavelet(name).dec_lo / dec_hi, printed by repr (exact doubles). */
static const double sym5_lo[10] = {
  0.027333068345077982, 0.029519490925774643, -0.039134249302383094, 0.1993975339773936,
  0.7234076904024206, 0.6339789634582119, 0.01660210576452232, -0.17532808990845047,
  -0.021101834024758855, 0.019538882735286728};
static const double sym5_hi[10] = {
  -0.019538882735286728, -0.021101834024758855, 0.17532808990845047, 0.01660210576452232,
  -0.6339789634582119, 0.7234076904024206, -0.1993975339773936, -0.039134249302383094,
  -0.029519490925774643, 0.027333068345077982};
static const double haar_lo[2] = {0.7071067811865476, 0.7071067811865476};
static const double haar_hi[2] = {-0.7071067811865476, 0.7071067811865476};

struct wasp_wavelet {
  int levels, ntaps;
  const double *lo, *hi;
  int ny[MAX_LEVELS + 1], nx[MAX_LEVELS + 1]; /* [0] = input, [l] = after l levels */
  long length;
  double *approx, *tmp_a, *tmp_d;             /* scratch: current approximation, axis-0 halves */
};

wasp_status wasp_wavelet_create(const char *name, int ny, int nx, int levels, wasp_wavelet **wp)
{
  *wp = NULL;
  const double *lo, *hi;
  int taps;
  if (name && !strcmp(name, "sym5")) lo = sym5_lo, hi = sym5_hi, taps = 10;
  else if (name && !strcmp(name, "haar")) lo = haar_lo, hi = haar_hi, taps = 2;
  else return wasp_fail(WASP_ERR_ARG, "wavelet '%s' is unknown: use sym5 or haar", name ? name : "(null)");
  if (ny < 1 || nx < 1) return wasp_fail(WASP_ERR_ARG, "wavelet: image size %d x %d must be >= 1", ny, nx);
  if (levels < 1 || levels > MAX_LEVELS)
    return wasp_fail(WASP_ERR_ARG, "wavelet: %d levels: give 1 to %d", levels, MAX_LEVELS);
  wasp_wavelet *w;
  WASP_TRY(wasp_calloc(1, sizeof *w, &w));
  w->levels = levels;
  w->ntaps = taps;
  w->lo = lo;
  w->hi = hi;
  w->ny[0] = ny;
  w->nx[0] = nx;
  long len = 0;
  for (int l = 1; l <= levels; l++) {
    w->ny[l] = (w->ny[l - 1] + taps - 1) / 2;
    w->nx[l] = (w->nx[l - 1] + taps - 1) / 2;
    len += 3L * w->ny[l] * w->nx[l];
  }
  w->length = len + (long)w->ny[levels] * w->nx[levels];
  /* Level 1 is the largest output; the input copy is the largest array. */
  size_t big = (size_t)ny * nx, half = (size_t)w->ny[1] * nx;
  wasp_status s = wasp_malloc(sizeof(double) * (big > 1 ? big : 1), &w->approx);
  if (!s) s = wasp_malloc(sizeof(double) * half, &w->tmp_a);
  if (!s) s = wasp_malloc(sizeof(double) * half, &w->tmp_d);
  if (s) {
    wasp_wavelet_destroy(&w);
    return s;
  }
  *wp = w;
  return WASP_OK;
}

void wasp_wavelet_destroy(wasp_wavelet **wp)
{
  if (!wp || !*wp) return;
  wasp_free(&(*wp)->approx);
  wasp_free(&(*wp)->tmp_a);
  wasp_free(&(*wp)->tmp_d);
  wasp_free(wp);
}

int wasp_wavelet_levels(const wasp_wavelet *w) { return w->levels; }

void wasp_wavelet_shape(const wasp_wavelet *w, int j, int *ny, int *nx)
{
  /* Detail level j (coarsest first) is produced by transform level L - j. */
  int l = j < 0 ? w->levels : w->levels - j;
  *ny = w->ny[l];
  *nx = w->nx[l];
}

long wasp_wavelet_length(const wasp_wavelet *w) { return w->length; }

long wasp_wavelet_offset(const wasp_wavelet *w, int j, int band)
{
  long off = (long)w->ny[w->levels] * w->nx[w->levels];
  if (j < 0) return 0;
  for (int jj = 0; jj < j; jj++) off += 3L * w->ny[w->levels - jj] * w->nx[w->levels - jj];
  return off + (long)band * w->ny[w->levels - j] * w->nx[w->levels - j];
}

/* Axis 0: out rows o of [no x nx] from in [n x nx]; out_o = sum_t h_t in_{2o+1-t}. */
static void filter_axis0(const double *in, int n, int nx, const double *h, int taps, double *out)
{
  const int no = (n + taps - 1) / 2;
  for (int o = 0; o < no; o++) {
    double *dst = out + (size_t)o * nx;
    for (int x = 0; x < nx; x++) dst[x] = 0.0;
    for (int t = 0; t < taps; t++) {
      int r = 2 * o + 1 - t;
      if (r < 0 || r >= n) continue;
      const double *src = in + (size_t)r * nx, c = h[t];
      for (int x = 0; x < nx; x++) dst[x] += c * src[x];
    }
  }
}

/* Axis 1: each of the ny rows of length n. */
static void filter_axis1(const double *in, int ny, int n, const double *h, int taps, double *out)
{
  const int no = (n + taps - 1) / 2;
  for (int y = 0; y < ny; y++) {
    const double *src = in + (size_t)y * n;
    double *dst = out + (size_t)y * no;
    for (int o = 0; o < no; o++) {
      int t0 = 2 * o + 1 - (n - 1), t1 = 2 * o + 1;
      if (t0 < 0) t0 = 0;
      if (t1 > taps - 1) t1 = taps - 1;
      double acc = 0.0;
      for (int t = t0; t <= t1; t++) acc += h[t] * src[2 * o + 1 - t];
      dst[o] = acc;
    }
  }
}

wasp_status wasp_wavelet_forward(wasp_wavelet *w, const double *img, double *coeffs)
{
  if (!w || !img || !coeffs) return wasp_fail(WASP_ERR_ARG, "wasp_wavelet_forward: NULL argument");
  memcpy(w->approx, img, sizeof(double) * (size_t)w->ny[0] * w->nx[0]);
  for (int l = 1; l <= w->levels; l++) {
    const int n0 = w->ny[l - 1], n1 = w->nx[l - 1], m0 = w->ny[l];
    const int j = w->levels - l; /* detail level index, coarsest = 0 */
    filter_axis0(w->approx, n0, n1, w->lo, w->ntaps, w->tmp_a);
    filter_axis0(w->approx, n0, n1, w->hi, w->ntaps, w->tmp_d);
    /* Next approximation overwrites the input copy: it is no longer needed. */
    filter_axis1(w->tmp_a, m0, n1, w->lo, w->ntaps, w->approx);
    filter_axis1(w->tmp_a, m0, n1, w->hi, w->ntaps, coeffs + wasp_wavelet_offset(w, j, 0));
    filter_axis1(w->tmp_d, m0, n1, w->lo, w->ntaps, coeffs + wasp_wavelet_offset(w, j, 1));
    filter_axis1(w->tmp_d, m0, n1, w->hi, w->ntaps, coeffs + wasp_wavelet_offset(w, j, 2));
  }
  memcpy(coeffs, w->approx, sizeof(double) * (size_t)w->ny[w->levels] * w->nx[w->levels]);
  return WASP_OK;
}

/* The two noise models of the noise study: i.i.d. Gaussian pixels, and the
 * zero-sum Gaussian vector of Assumption 1 that keeps the noisy image's mass. */
#include "wasp/wasp_noise.h"

#include <math.h>
#include <string.h>

static const char *const model_names[] = {"iid", "zerosum"};

wasp_status wasp_noise_model_parse(const char *name, wasp_noise_model *model)
{
  if (name) {
    for (int k = 0; k < 2; k++) {
      if (strcmp(name, model_names[k]) == 0) {
        *model = (wasp_noise_model)k;
        return WASP_OK;
      }
    }
  }
  return wasp_fail(WASP_ERR_ARG, "unknown noise model '%s'; known models: iid, zerosum",
                   name ? name : "(null)");
}

const char *wasp_noise_model_name(wasp_noise_model model)
{
  return (model == WASP_NOISE_IID || model == WASP_NOISE_ZEROSUM) ? model_names[model] : "?";
}

/* Kahan-Babuska sum: the mean of 10^6 normals must not lose the digits that
 * would leave a visible nonzero sum after subtraction. */
static double compensated_sum(long m, const double *x)
{
  double s = 0.0, c = 0.0;
  for (long k = 0; k < m; k++) {
    double t = s + x[k];
    c += fabs(s) >= fabs(x[k]) ? (s - t) + x[k] : (x[k] - t) + s;
    s = t;
  }
  return s + c;
}

wasp_status wasp_noise_fill(wasp_noise_model model, double sigma, const wasp_rng_key *key, long m,
                            double *eps)
{
  if (!(sigma >= 0.0) || !isfinite(sigma))
    return wasp_fail(WASP_ERR_ARG, "noise level sigma = %g; it must be finite and >= 0", sigma);
  if (model != WASP_NOISE_IID && model != WASP_NOISE_ZEROSUM)
    return wasp_fail(WASP_ERR_ARG, "noise model %d is neither iid nor zerosum", (int)model);
  if (m < 1) return wasp_fail(WASP_ERR_ARG, "noise vector of length %ld; need at least 1", m);
  if (model == WASP_NOISE_ZEROSUM && m < 2)
    return wasp_fail(WASP_ERR_ARG,
                     "zero-sum noise on %ld entry is identically 0; it needs at least 2", m);

  wasp_rng_normal_fill(key, 0, m, eps);
  /* Inflating by m/(m-1) compensates the variance the mean removal takes
   * away, so each entry still has variance sigma^2 (Assumption 1). */
  double scale = model == WASP_NOISE_IID ? sigma : sigma * sqrt((double)m / (double)(m - 1));
  for (long k = 0; k < m; k++) eps[k] *= scale;
  if (model == WASP_NOISE_ZEROSUM) {
    /* The second pass removes what rounding left of the first, so the
     * remaining sum is a few ulps of the entries, not of their sum. */
    for (int pass = 0; pass < 2; pass++) {
      double mean = compensated_sum(m, eps) / (double)m;
      for (long k = 0; k < m; k++) eps[k] -= mean;
    }
  }
  return WASP_OK;
}

wasp_status wasp_noise_add(wasp_noise_model model, double sigma, const wasp_rng_key *key, long m,
                           double *x)
{
  if (model == WASP_NOISE_IID && m >= 1 && sigma >= 0.0 && isfinite(sigma)) {
    /* No allocation: i.i.d. entries are independent, so draw them in chunks
     * (same values as wasp_noise_fill: sigma * z_k). */
    double buf[256];
    for (long k0 = 0; k0 < m; k0 += 256) {
      long len = m - k0 < 256 ? m - k0 : 256;
      wasp_rng_normal_fill(key, (uint64_t)k0, len, buf);
      for (long k = 0; k < len; k++) x[k0 + k] += sigma * buf[k];
    }
    return WASP_OK;
  }
  /* Zero-sum (or an invalid argument, which wasp_noise_fill reports): the
   * mean needs the whole vector first. */
  double *eps = NULL;
  if (m < 1) return wasp_fail(WASP_ERR_ARG, "noise vector of length %ld; need at least 1", m);
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)m, &eps));
  wasp_status s = wasp_noise_fill(model, sigma, key, m, eps);
  if (s == WASP_OK)
    for (long k = 0; k < m; k++) x[k] += eps[k];
  wasp_free(&eps);
  return s;
}

/* The power-law fit of the noise study: the exponent of distance ~ sigma^b
 * is the slope of a straight line through (log sigma, log mean distance). */
#include "wasp/wasp_stats.h"

#include <math.h>

static int usable(double x, double y, double xmin, double xmax)
{
  return x > 0 && isfinite(x) && x >= xmin && x <= xmax && y > 0 && isfinite(y);
}

wasp_status wasp_stats_loglog_fit(long n, const double *x, const double *y, double xmin,
                                  double xmax, double level, wasp_fit *fit)
{
  if (!(level > 0 && level < 1))
    return wasp_fail(WASP_ERR_ARG, "confidence level %g is not in (0, 1)", level);
  /* Two passes (means, then centred sums) avoid the cancellation of the
   * one-pass formula when log x spans a narrow range. */
  long k = 0;
  double mx = 0, my = 0;
  for (long i = 0; i < n; i++)
    if (usable(x[i], y[i], xmin, xmax)) {
      mx += log(x[i]);
      my += log(y[i]);
      k++;
    }
  if (k < 3)
    return wasp_fail(WASP_ERR_ARG, "only %ld point(s) with positive values in the fit range "
                                   "[%g, %g]; a slope with a confidence interval needs 3", k,
                     xmin, xmax);
  mx /= (double)k;
  my /= (double)k;
  double sxx = 0, sxy = 0;
  for (long i = 0; i < n; i++)
    if (usable(x[i], y[i], xmin, xmax)) {
      const double dx = log(x[i]) - mx, dy = log(y[i]) - my;
      sxx += dx * dx;
      sxy += dx * dy;
    }
  if (!(sxx > 0))
    return wasp_fail(WASP_ERR_ARG, "all points of the fit range [%g, %g] have the same x", xmin,
                     xmax);
  const double b = sxy / sxx, a = my - b * mx;
  double rss = 0;
  for (long i = 0; i < n; i++)
    if (usable(x[i], y[i], xmin, xmax)) {
      const double r = log(y[i]) - a - b * log(x[i]);
      rss += r * r;
    }
  const double dof = (double)(k - 2);
  fit->npoints = k;
  fit->slope = b;
  fit->intercept = a;
  fit->slope_se = sqrt(rss / dof / sxx);
  fit->level = level;
  const double t = wasp_stats_t_quantile(0.5 * (1.0 + level), dof);
  fit->ci_low = b - t * fit->slope_se;
  fit->ci_high = b + t * fit->slope_se;
  return WASP_OK;
}

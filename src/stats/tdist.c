/* Student's t distribution: the CDF through the regularised incomplete beta
 * function and its quantile by bisection.  A handful of quantiles per run,
 * so robustness matters more than speed. */
#include "wasp/wasp_stats.h"

#include <math.h>

/* Continued fraction of I_x(a, b) (modified Lentz), valid for
 * x < (a + 1)/(a + b + 2); the caller uses the symmetry otherwise. */
static double beta_cf(double a, double b, double x)
{
  const double tiny = 1e-300;
  double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
  if (fabs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int k = 1; k <= 500; k++) {
    /* even step */
    double num = k * (b - k) * x / ((a + 2.0 * k - 1.0) * (a + 2.0 * k));
    d = 1.0 + num * d;
    c = 1.0 + num / c;
    if (fabs(d) < tiny) d = tiny;
    if (fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    h *= d * c;
    /* odd step */
    num = -(a + k) * (a + b + k) * x / ((a + 2.0 * k) * (a + 2.0 * k + 1.0));
    d = 1.0 + num * d;
    c = 1.0 + num / c;
    if (fabs(d) < tiny) d = tiny;
    if (fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (fabs(del - 1.0) < 1e-15) break;
  }
  return h;
}

static double incomplete_beta(double a, double b, double x)
{
  if (x <= 0) return 0.0;
  if (x >= 1) return 1.0;
  const double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
  if (x < (a + 1.0) / (a + b + 2.0)) return exp(lfront) * beta_cf(a, b, x) / a;
  return 1.0 - exp(lfront) * beta_cf(b, a, 1.0 - x) / b;
}

double wasp_stats_t_cdf(double t, double dof)
{
  if (!(dof > 0) || isnan(t)) return NAN;
  if (isinf(t)) return t > 0 ? 1.0 : 0.0;
  /* P(|T| > |t|) = I_{dof/(dof+t^2)}(dof/2, 1/2) */
  const double tail = 0.5 * incomplete_beta(0.5 * dof, 0.5, dof / (dof + t * t));
  return t > 0 ? 1.0 - tail : tail;
}

double wasp_stats_t_quantile(double prob, double dof)
{
  if (!(prob > 0 && prob < 1) || !(dof > 0)) return NAN;
  if (prob == 0.5) return 0.0;
  const double q = prob > 0.5 ? prob : 1.0 - prob;
  /* The bracket doubles until it holds the quantile (dof = 1 at 1 - 1e-12
   * needs ~3e11), then bisection to relative precision. */
  double lo = 0.0, hi = 1.0;
  while (wasp_stats_t_cdf(hi, dof) < q && hi < 1e300) {
    lo = hi;
    hi *= 2.0;
  }
  for (int it = 0; it < 200 && hi - lo > 1e-13 * hi; it++) {
    const double mid = 0.5 * (lo + hi);
    if (wasp_stats_t_cdf(mid, dof) < q) lo = mid;
    else hi = mid;
  }
  const double t = 0.5 * (lo + hi);
  return prob > 0.5 ? t : -t;
}

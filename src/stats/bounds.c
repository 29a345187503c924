/* The theorem bounds of the noise study, one function per formula.  The
 * assumptions of each are in wasp_bounds.h and docs/noise.md; here only the
 * arithmetic and the checks that make a formula inapplicable (NaN). */
#include "wasp/wasp_bounds.h"

#include <math.h>

#define SQRT2 1.41421356237309504880
#define SQRTPI 1.77245385090551602730

bool wasp_is_power_of_two(long n) { return n >= 1 && (n & (n - 1)) == 0; }

bool wasp_bounds_applicable(int ny, int nx, double spacing, bool torus, bool zerosum,
                            double mass_a, double min_a, double mass_b, double min_b,
                            const char **why)
{
  const char *w = "";
  if (ny != nx) w = "the image is not square";
  else if (!torus) w = "the theorems are stated on the torus (give -torus)";
  else if (!zerosum) w = "the theorems assume zero-sum noise (-noise zerosum)";
  else if (spacing > 0 && fabs(spacing * nx - 1.0) > 1e-12)
    w = "the theorems use the unit grid (spacing 1/n)";
  else if (fabs(mass_a - 1.0) > 1e-9 || fabs(mass_b - 1.0) > 1e-9)
    w = "the theorems compare probability images (total mass 1)";
  else if (min_a < 0 || min_b < 0) w = "the theorems compare nonnegative images";
  if (why) *why = w;
  return w[0] == '\0';
}

double wasp_bound_w1_self_lower(int n, double sigma, bool both_sides)
{
  /* Both sides: the positive part of e1 - e2 (pixel std sqrt2 sigma) has
   * expected mass m sqrt2 sigma/sqrt(2 pi) = n^2 sigma/sqrt(pi), and each
   * unit moves at least one pixel, 1/n. */
  const double b = n * sigma / SQRTPI;
  return both_sides ? b : b / SQRT2;
}

double wasp_bound_w1_self_upper(int n, double sigma, bool both_sides)
{
  const double l = log2((double)n);
  return (both_sides ? 2.0 * SQRT2 : 2.0) * n * l / SQRTPI * sigma +
         n / (SQRT2 * SQRTPI) * sigma;
}

double wasp_bound_wp_self_upper(int n, double p, double sigma, bool both_sides)
{
  if (p == 1.0) return wasp_bound_w1_self_upper(n, sigma, both_sides);
  if (!(p > 1) || p != floor(p) || !wasp_is_power_of_two(n)) return NAN;
  const double moment = (both_sides ? 4.0 * SQRT2 : 4.0) / SQRTPI * n * sigma;
  return pow(moment, 1.0 / p);
}

double wasp_bound_l2sq_self_expected(long m, double sigma, bool both_sides)
{
  return (both_sides ? 2.0 : 1.0) * (double)m * sigma * sigma;
}

double wasp_bound_w1_pair_upper(int n, double sigma, double w1_clean)
{
  if (!wasp_is_power_of_two(n)) return NAN;
  const double l = log2((double)n);
  return w1_clean + (4.0 * n * l + n) / SQRTPI * sigma + SQRT2 / n;
}

double wasp_bound_wp_pair_upper(int n, double p, double sigma, double w1_clean)
{
  if (!(p >= 1) || !wasp_is_power_of_two(n)) return NAN;
  const double l = log2((double)n), diam = SQRT2 / 2.0;
  return pow(diam, 1.0 - 1.0 / p) * pow(w1_clean, 1.0 / p) +
         diam * pow(4.0 / SQRTPI * n * l + 2.0 / SQRTPI * n, 1.0 / p) * pow(sigma, 1.0 / p);
}

/* wasp_bounds.h - the theorem bounds of the noise study (paper 000,
 * Theorems 2-5 and Remark 1; ../shared/notes/noise-study.md), evaluated at a
 * noise level so that drivers can print and plot them beside the data.
 * Pure C.  Not collective.
 *
 * Common assumptions (the caller checks them and reports NaN otherwise, see
 * wasp_bounds_applicable): n x n images that are probability measures
 * (values >= 0, total mass 1) on the unit grid (pixel (i, j) at (i/n, j/n),
 * spacing 1/n) with cyclic boundary (-torus); zero-sum noise of pixel
 * standard deviation sigma (Assumption 1); W_p^± is Mainini's signed cost
 * of the whole mass C, not divided by C (`signed` without -normalize).
 * Each function returns NaN when its own extra assumption (integer p, n a
 * power of two, ...) fails. */
#ifndef WASP_BOUNDS_H
#define WASP_BOUNDS_H

#include <stdbool.h>
#include "wasp_base.h"

/* Which of the assumptions above hold; *why receives the first that fails
 * (a static string), or "" when all hold.  mass_* and min_* describe the
 * clean image(s); zerosum and torus the run; spacing the grid unit (<= 0
 * means the default 1/n). */
bool wasp_bounds_applicable(int ny, int nx, double spacing, bool torus, bool zerosum,
                            double mass_a, double min_a, double mass_b, double min_b,
                            const char **why);

/* Theorem 2 (p = 1, one image): n sigma/sqrt(pi) <= E W_1^±(mu+e1, mu+e2).
 * With one side noised W_1^± depends on the noise only through e, which has
 * the law of (e1 - e2)/sqrt(2): the bound at sigma/sqrt(2), n sigma/sqrt(2 pi). */
double wasp_bound_w1_self_lower(int n, double sigma, bool both_sides);
/* Theorem 2 upper: (2 sqrt2 n log2 n/sqrt pi) sigma + (n/sqrt(2 pi)) sigma;
 * one side (Remark 1): the sqrt2 factor of the first term is removed. */
double wasp_bound_w1_self_upper(int n, double sigma, bool both_sides);
/* Theorem 3 (integer p > 1, n a power of two):
 * E[(W_p^±)^p] <= (4 sqrt2/sqrt pi) n sigma, hence by Jensen
 * E W_p^± <= ((4 sqrt2/sqrt pi) n sigma)^(1/p); one side: without sqrt2.
 * For p == 1 returns the Theorem 2 upper bound. */
double wasp_bound_wp_self_upper(int n, double p, double sigma, bool both_sides);
/* E ||e||^2 = m sigma^2 for one noised side (m = n^2 pixels of variance
 * sigma^2), 2 m sigma^2 for two independent sides: an identity, not a bound,
 * for both noise models. */
double wasp_bound_l2sq_self_expected(long m, double sigma, bool both_sides);

/* Theorem 4 (p = 1, two images both noised, n a power of two):
 * E W_1^±(mu+e, nu+e') <= W_1^±(mu, nu) + ((4 n log2 n + n)/sqrt pi) sigma + sqrt2/n. */
double wasp_bound_w1_pair_upper(int n, double sigma, double w1_clean);
/* Theorem 5 (p >= 1, two images both noised, n a power of two):
 * E W_p^± <= (sqrt2/2)^(1-1/p) W_1(mu, nu)^(1/p)
 *            + (sqrt2/2) ((4/sqrt pi) n log2 n + (2/sqrt pi) n)^(1/p) sigma^(1/p).
 * sqrt2/2 is the diameter of the unit torus. */
double wasp_bound_wp_pair_upper(int n, double p, double sigma, double w1_clean);

/* Is n a power of two (n >= 1)? */
bool wasp_is_power_of_two(long n);

#endif

/* wasp_stats.h - small statistics kernels for the Monte-Carlo drivers:
 * running moments, a log-log power-law fit with a Student-t confidence
 * interval, and Spearman's rank correlation.  Pure C on arrays: no MPI, no
 * files, no state beyond the caller's structs.  Not collective.
 *
 * Reproducibility: every function is a fixed sequence of floating-point
 * operations on its inputs in the order given, so a driver that feeds values
 * in item order gets bit-identical results whatever the rank count. */
#ifndef WASP_STATS_H
#define WASP_STATS_H

#include "wasp_base.h"

/* Running mean / variance (Welford) with min and max. */
typedef struct {
  long n;
  double mean, m2, min, max;
} wasp_moments;

void wasp_moments_init(wasp_moments *m);
void wasp_moments_add(wasp_moments *m, double x);
/* Sample standard deviation (divisor n-1); 0 when n < 2. */
double wasp_moments_std(const wasp_moments *m);
/* Standard error of the mean, std/sqrt(n); 0 when n < 2. */
double wasp_moments_sem(const wasp_moments *m);

/* Fit log(y) = intercept + slope*log(x) by least squares. */
typedef struct {
  long npoints;            /* points used                                   */
  double slope, intercept; /* natural logarithms                            */
  double slope_se;         /* standard error of the slope (residual based)  */
  double level;            /* confidence level of the interval, e.g. 0.95   */
  double ci_low, ci_high;  /* slope -/+ t_{(1+level)/2, npoints-2} * slope_se */
} wasp_fit;

/* Use the points with xmin <= x[i] <= xmax and finite y[i] > 0 (others are
 * skipped: a log needs positive values).  Needs at least 3 such points with
 * at least 2 distinct x (an interval needs a residual degree of freedom);
 * fails with WASP_ERR_ARG otherwise.  0 < level < 1. */
wasp_status wasp_stats_loglog_fit(long n, const double *x, const double *y, double xmin,
                                  double xmax, double level, wasp_fit *fit);

/* The quantile t with P(T <= t) = prob of Student's t with dof > 0 degrees
 * of freedom, 0 < prob < 1 (NaN otherwise).  Bisection on the exact CDF
 * (regularised incomplete beta), accurate to ~1e-12 relative. */
double wasp_stats_t_quantile(double prob, double dof);
/* The CDF P(T <= t) of Student's t with dof degrees of freedom. */
double wasp_stats_t_cdf(double t, double dof);

/* Spearman's rank correlation of (x[i], y[i]), i < n: Pearson's correlation
 * of the ranks, ties given their average rank.  Fails with WASP_ERR_ARG when
 * n < 2 or a value is not finite, and WASP_ERR_INPUT when either sample is
 * constant (the correlation is undefined).  Allocates O(n) scratch. */
wasp_status wasp_stats_spearman(long n, const double *x, const double *y, double *rho);

#endif

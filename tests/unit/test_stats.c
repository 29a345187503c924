/* Unit tests of the statistics kernels and the theorem bounds.  Expected
 * values come from textbook tables, closed forms, hand computations written
 * out below, and the POT measurements/bounds table of
 * ../shared/notes/noise-study.md - never from the code's own output. */
#include "unit_util.h"
#include "wasp/wasp_bounds.h"
#include "wasp/wasp_stats.h"

#include <math.h>

#define PI 3.14159265358979323846

START_TEST(test_moments_known)
{
  /* {2,4,4,4,5,5,7,9}: mean 5, sum of squared deviations 32. */
  const double v[] = {2, 4, 4, 4, 5, 5, 7, 9};
  wasp_moments m;
  wasp_moments_init(&m);
  for (int i = 0; i < 8; i++) wasp_moments_add(&m, v[i]);
  ck_assert_int_eq(m.n, 8);
  ck_assert_double_eq_tol(m.mean, 5.0, 1e-15);
  ck_assert_double_eq_tol(wasp_moments_std(&m), sqrt(32.0 / 7.0), 1e-14);
  ck_assert_double_eq_tol(wasp_moments_sem(&m), sqrt(32.0 / 7.0) / sqrt(8.0), 1e-14);
  ck_assert(m.min == 2.0 && m.max == 9.0);
  /* One value: no spread to estimate. */
  wasp_moments one;
  wasp_moments_init(&one);
  wasp_moments_add(&one, 3.5);
  ck_assert(wasp_moments_std(&one) == 0.0 && wasp_moments_sem(&one) == 0.0);
  ck_assert(one.min == 3.5 && one.max == 3.5);
}
END_TEST

START_TEST(test_moments_large_offset)
{
  /* 1e9 + {-1, 0, 1} repeated: the naive sum-of-squares formula loses all
   * digits here; the sample variance is exactly 2/3 * n/(n-1). */
  wasp_moments m;
  wasp_moments_init(&m);
  const int n = 3000;
  for (int i = 0; i < n; i++) wasp_moments_add(&m, 1e9 + (double)(i % 3 - 1));
  ck_assert_double_eq_tol(m.mean, 1e9, 1e-4);
  ck_assert_double_eq_tol(wasp_moments_std(&m), sqrt(2.0 / 3.0 * n / (n - 1.0)), 1e-6);
}
END_TEST

START_TEST(test_t_distribution)
{
  /* Closed forms: dof 1 is Cauchy, dof 2 has F(t) = 1/2 + t/(2 sqrt(2 + t^2)). */
  for (double t = -30; t <= 30; t += 0.7) {
    ck_assert_double_eq_tol(wasp_stats_t_cdf(t, 1), 0.5 + atan(t) / PI, 1e-13);
    ck_assert_double_eq_tol(wasp_stats_t_cdf(t, 2), 0.5 + t / (2 * sqrt(2 + t * t)), 1e-13);
  }
  /* Two-sided 95% critical values from standard tables. */
  const struct { double dof, t; } tab[] = {{1, 12.7062047361747}, {2, 4.30265272974946},
                                           {3, 3.18244630528371}, {5, 2.57058183563631},
                                           {10, 2.22813885198627}, {30, 2.04227245630124}};
  for (unsigned i = 0; i < sizeof tab / sizeof tab[0]; i++) {
    ck_assert_double_eq_tol(wasp_stats_t_quantile(0.975, tab[i].dof), tab[i].t, 1e-8 * tab[i].t);
    ck_assert_double_eq_tol(wasp_stats_t_quantile(0.025, tab[i].dof), -tab[i].t, 1e-8 * tab[i].t);
  }
  /* Many degrees of freedom: the normal quantile 1.959963985. */
  ck_assert_double_eq_tol(wasp_stats_t_quantile(0.975, 1e7), 1.959963985, 1e-6);
  /* 99%, dof 4: 4.60409487134999 (table). */
  ck_assert_double_eq_tol(wasp_stats_t_quantile(0.995, 4), 4.60409487134999, 1e-8);
  ck_assert(wasp_stats_t_quantile(0.5, 3) == 0.0);
  ck_assert(isnan(wasp_stats_t_quantile(1.0, 3)) && isnan(wasp_stats_t_quantile(0.9, 0)));
}
END_TEST

START_TEST(test_fit_exact_power_law)
{
  /* y = 3 x^0.5 exactly: slope 1/2, intercept log 3, zero-width interval. */
  double x[6], y[6];
  for (int i = 0; i < 6; i++) {
    x[i] = pow(10.0, -6 + i);
    y[i] = 3 * sqrt(x[i]);
  }
  wasp_fit f;
  ck_assert_int_eq(wasp_stats_loglog_fit(6, x, y, 0, INFINITY, 0.95, &f), WASP_OK);
  ck_assert_int_eq(f.npoints, 6);
  ck_assert_double_eq_tol(f.slope, 0.5, 1e-12);
  ck_assert_double_eq_tol(f.intercept, log(3.0), 1e-10);
  ck_assert(f.ci_high - f.ci_low < 1e-10);
}
END_TEST

START_TEST(test_fit_hand_computed)
{
  /* log x = 0,1,2,3 and log y = 0.1, 0.9, 1.9, 3.1: by hand Sxx = 5, Sxy = 5,
   * slope 1, intercept 0, residuals +-0.1, RSS 0.04 with 2 degrees of
   * freedom, se = sqrt(0.04/2/5), 95% half-width t_{0.975,2} * se. */
  double x[7], y[7];
  const double ly[4] = {0.1, 0.9, 1.9, 3.1};
  for (int i = 0; i < 4; i++) {
    x[i] = exp((double)i);
    y[i] = exp(ly[i]);
  }
  /* Outside the range or unusable: skipped. */
  x[4] = exp(10.0), y[4] = 1e300;
  x[5] = exp(1.5), y[5] = 0.0;
  x[6] = exp(2.5), y[6] = NAN;
  wasp_fit f;
  ck_assert_int_eq(wasp_stats_loglog_fit(7, x, y, 0.5, exp(3.5), 0.95, &f), WASP_OK);
  ck_assert_int_eq(f.npoints, 4);
  ck_assert_double_eq_tol(f.slope, 1.0, 1e-12);
  ck_assert_double_eq_tol(f.intercept, 0.0, 1e-12);
  const double se = sqrt(0.004);
  ck_assert_double_eq_tol(f.slope_se, se, 1e-12);
  ck_assert_double_eq_tol(f.ci_low, 1.0 - 4.30265272974946 * se, 1e-9);
  ck_assert_double_eq_tol(f.ci_high, 1.0 + 4.30265272974946 * se, 1e-9);
}
END_TEST

START_TEST(test_fit_errors)
{
  const double x[3] = {1, 2, 3}, y[3] = {1, 2, 3}, same[3] = {2, 2, 2};
  wasp_fit f;
  ck_assert_int_eq(wasp_stats_loglog_fit(3, x, y, 1.5, 10, 0.95, &f), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_stats_loglog_fit(3, same, y, 0, 10, 0.95, &f), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_stats_loglog_fit(3, x, y, 0, 10, 1.0, &f), WASP_ERR_ARG);
}
END_TEST

START_TEST(test_spearman)
{
  const double x[6] = {0.1, 0.5, 0.2, 0.9, 0.3, 0.7};
  double y[6], z[6], rho;
  for (int i = 0; i < 6; i++) {
    y[i] = exp(5 * x[i]); /* monotone increasing: rho = 1 */
    z[i] = -x[i] * x[i];  /* monotone decreasing on x > 0: rho = -1 */
  }
  ck_assert_int_eq(wasp_stats_spearman(6, x, y, &rho), WASP_OK);
  ck_assert_double_eq_tol(rho, 1.0, 1e-15);
  ck_assert_int_eq(wasp_stats_spearman(6, x, z, &rho), WASP_OK);
  ck_assert_double_eq_tol(rho, -1.0, 1e-15);
  /* Ties, by hand: ranks x = 1, 2.5, 2.5, 4 and y = 1, 3, 2, 4 give
   * rho = 4.5/sqrt(4.5*5). */
  const double tx[4] = {1, 2, 2, 3}, ty[4] = {1, 3, 2, 4};
  ck_assert_int_eq(wasp_stats_spearman(4, tx, ty, &rho), WASP_OK);
  ck_assert_double_eq_tol(rho, 4.5 / sqrt(22.5), 1e-14);
  /* Undefined or bad input. */
  const double c[4] = {1, 1, 1, 1}, bad[2] = {1, NAN};
  ck_assert_int_eq(wasp_stats_spearman(4, tx, c, &rho), WASP_ERR_INPUT);
  ck_assert_int_eq(wasp_stats_spearman(2, bad, tx, &rho), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_stats_spearman(1, tx, ty, &rho), WASP_ERR_ARG);
}
END_TEST

START_TEST(test_bounds_against_notes)
{
  /* ../shared/notes/noise-study.md, 32x32, both sides: Thm 2 bounds
   * 1.81e-5 ... 2.68e-4 at sigma 1e-6 and 0.181 ... 2.68 at 1e-2; Thm 3
   * (p = 2) 1.01e-2 at 1e-6 and 0.101 at 1e-4. */
  ck_assert_double_eq_tol(wasp_bound_w1_self_lower(32, 1e-6, true), 1.81e-5, 0.01e-5);
  ck_assert_double_eq_tol(wasp_bound_w1_self_upper(32, 1e-6, true), 2.68e-4, 0.01e-4);
  ck_assert_double_eq_tol(wasp_bound_w1_self_lower(32, 1e-2, true), 0.181, 0.001);
  ck_assert_double_eq_tol(wasp_bound_w1_self_upper(32, 1e-2, true), 2.68, 0.01);
  ck_assert_double_eq_tol(wasp_bound_wp_self_upper(32, 2, 1e-6, true), 1.01e-2, 0.01e-2);
  ck_assert_double_eq_tol(wasp_bound_wp_self_upper(32, 2, 1e-4, true), 0.101, 0.001);
  /* Hand-evaluated (n = 32, log2 n = 5, sigma = 1e-4):
   * Thm 3 p = 3: (4 sqrt2/sqrt pi * 32e-4)^(1/3) = 0.216961834;
   * one side (Remark 1): lower n sigma/sqrt(2 pi) = 1.2766153e-3, Thm 3 p = 2
   * sqrt(4/sqrt pi * 32e-4) = 0.0849801546;
   * Thm 4 with W1 = 0.25: 0.25 + 181e-4/sqrt pi + sqrt2/32 = 0.332107714;
   * Thm 5 p = 2, W1 = 0.25: 0.561371851. */
  ck_assert_double_eq_tol(wasp_bound_wp_self_upper(32, 3, 1e-4, true), 0.216961834, 1e-8);
  ck_assert_double_eq_tol(wasp_bound_w1_self_lower(32, 1e-4, false), 1.2766152973e-3, 1e-12);
  ck_assert_double_eq_tol(wasp_bound_wp_self_upper(32, 2, 1e-4, false), 0.0849801546, 1e-9);
  ck_assert_double_eq_tol(wasp_bound_w1_pair_upper(32, 1e-4, 0.25), 0.332107714, 1e-8);
  ck_assert_double_eq_tol(wasp_bound_wp_pair_upper(32, 2, 1e-4, 0.25), 0.561371851, 1e-8);
  /* Squared L2 identity: m sigma^2 per noised side. */
  ck_assert_double_eq_tol(wasp_bound_l2sq_self_expected(1024, 1e-3, false), 1.024e-3, 1e-15);
  ck_assert_double_eq_tol(wasp_bound_l2sq_self_expected(1024, 1e-3, true), 2.048e-3, 1e-15);
  /* Outside the assumptions: NaN. */
  ck_assert(isnan(wasp_bound_wp_self_upper(32, 2.5, 1e-4, true)));
  ck_assert(isnan(wasp_bound_wp_self_upper(24, 2, 1e-4, true)));
  ck_assert(isnan(wasp_bound_w1_pair_upper(24, 1e-4, 0.25)));
}
END_TEST

START_TEST(test_bounds_applicable)
{
  const char *why;
  ck_assert(wasp_bounds_applicable(32, 32, 0, true, true, 1, 0, 1, 0, &why));
  ck_assert_str_eq(why, "");
  ck_assert(wasp_bounds_applicable(32, 32, 1.0 / 32, true, true, 1, 0, 1, 0, &why));
  ck_assert(!wasp_bounds_applicable(32, 16, 0, true, true, 1, 0, 1, 0, &why));
  ck_assert(!wasp_bounds_applicable(32, 32, 0, false, true, 1, 0, 1, 0, &why));
  ck_assert(!wasp_bounds_applicable(32, 32, 0, true, false, 1, 0, 1, 0, &why));
  ck_assert(!wasp_bounds_applicable(32, 32, 1.0, true, true, 1, 0, 1, 0, &why));
  ck_assert(!wasp_bounds_applicable(32, 32, 0, true, true, 2, 0, 1, 0, &why));
  ck_assert(!wasp_bounds_applicable(32, 32, 0, true, true, 1, -0.1, 1, 0, &why));
  ck_assert(why[0] != '\0');
  ck_assert(wasp_is_power_of_two(1) && wasp_is_power_of_two(32) && !wasp_is_power_of_two(24) &&
            !wasp_is_power_of_two(0));
}
END_TEST

int main(void)
{
  Suite *s = suite_create("stats");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_moments_known);
  tcase_add_test(tc, test_moments_large_offset);
  tcase_add_test(tc, test_t_distribution);
  tcase_add_test(tc, test_fit_exact_power_law);
  tcase_add_test(tc, test_fit_hand_computed);
  tcase_add_test(tc, test_fit_errors);
  tcase_add_test(tc, test_spearman);
  tcase_add_test(tc, test_bounds_against_notes);
  tcase_add_test(tc, test_bounds_applicable);
  suite_add_tcase(s, tc);
  return unit_run(s);
}

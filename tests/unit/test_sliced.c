/* Unit tests of -metric sliced through the registry.  Truths: the 1-D
 * quantile formula of ref_lp.h (in 1-D sliced W_p is W_p), hand closed forms
 * for two Diracs (W_p along theta is |<theta, x - y>|, so SW_p^p is the mean
 * of |cos|^p over the directions, 1/2 resp. 1/3 on average for p = 2 in 2-D
 * resp. 3-D), and W_p from GLPK's dense LP with hand costs (SW_p <= W_p). */
#include "unit_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_lp.h"
#include "wasp/wasp_metric.h"

static wasp_metric_ctx *make_ctx(double p, int directions, unsigned long seed)
{
  wasp_metric_params par;
  wasp_metric_ctx *ctx = NULL;
  wasp_metric_params_default(&par);
  par.p = p;
  par.directions = directions < 0 ? -directions : directions; /* < 0: equispaced */
  par.equispaced = directions < 0;
  par.seed = seed;
  ck_assert_int_eq(wasp_metric_ctx_create("sliced", &par, &ctx), WASP_OK);
  return ctx;
}

static double sliced(wasp_metric_ctx *ctx, const wasp_measure *a, const wasp_measure *b)
{
  wasp_metric_result r;
  wasp_status s = wasp_metric_eval(ctx, a, "a", b, "b", &r);
  ck_assert_msg(s == WASP_OK, "eval: %s", wasp_last_error());
  return r.value;
}

static void random_cloud(uint64_t *rng, int n, int dim, double shift, wasp_measure *m)
{
  ck_assert_int_eq(wasp_measure_create_cloud(n, dim, m), WASP_OK);
  for (long k = 0; k < (long)n * dim; k++) m->coords[k] = unit_normal(rng) + shift;
  for (int i = 0; i < n; i++) m->w[i] = unit_uniform(rng) < 0.1 ? 0.0 : 0.1 + unit_uniform(rng);
}

START_TEST(one_dimension_is_exact)
{
  uint64_t rng = 31;
  const double ps[] = {1.0, 1.5, 2.0, 3.0};
  for (int t = 0; t < 8; t++) {
    wasp_measure a, b;
    random_cloud(&rng, 7 + t, 1, 0.0, &a);
    random_cloud(&rng, 12 + 3 * t, 1, 0.3 * t, &b);
    double p = ps[t % 4];
    wasp_metric_ctx *ctx = make_ctx(p, 5, 9);
    double sa = 0;
    for (int i = 0; i < a.npts; i++) sa += a.w[i];
    double want = pow(ref_quantile_1d(a.npts, a.coords, a.w, b.npts, b.coords, b.w, p) / sa, 1 / p);
    double got = sliced(ctx, &a, &b);
    ck_assert_msg(fabs(got - want) <= 1e-12 * fmax(1, want), "p %g: %.15g vs %.15g", p, got, want);
    wasp_metric_ctx_destroy(&ctx);
    wasp_measure_destroy(&a);
    wasp_measure_destroy(&b);
  }
}
END_TEST

/* Two Diracs at distance r along angle phi, equispaced directions pi k / K. */
START_TEST(two_diracs_equispaced)
{
  const double r = 1.3, phi = 0.4;
  for (int K = 1; K <= 16; K *= 2)
    for (int pi_ = 0; pi_ < 2; pi_++) {
      double p = pi_ ? 2.0 : 1.0;
      wasp_measure a, b;
      ck_assert_int_eq(wasp_measure_create_cloud(1, 2, &a), WASP_OK);
      ck_assert_int_eq(wasp_measure_create_cloud(1, 2, &b), WASP_OK);
      a.w[0] = 2.0;
      b.w[0] = 0.5; /* masses are normalised away */
      a.coords[0] = 0.2;
      a.coords[1] = -0.1;
      b.coords[0] = 0.2 + r * cos(phi);
      b.coords[1] = -0.1 + r * sin(phi);
      double mean = 0;
      for (int k = 0; k < K; k++) mean += pow(fabs(r * cos(M_PI * k / K - phi)), p) / K;
      wasp_metric_ctx *ctx = make_ctx(p, -K, 1);
      double got = sliced(ctx, &a, &b), want = pow(mean, 1 / p);
      ck_assert_msg(fabs(got - want) <= 1e-12, "K %d p %g: %.15g vs %.15g", K, p, got, want);
      wasp_metric_ctx_destroy(&ctx);
      wasp_measure_destroy(&a);
      wasp_measure_destroy(&b);
    }
}
END_TEST

/* Random directions: SW_2 of two Diracs at distance r tends to r / sqrt(d). */
START_TEST(two_diracs_random)
{
  for (int dim = 2; dim <= 3; dim++) {
    wasp_measure a, b;
    ck_assert_int_eq(wasp_measure_create_cloud(1, dim, &a), WASP_OK);
    ck_assert_int_eq(wasp_measure_create_cloud(1, dim, &b), WASP_OK);
    a.w[0] = b.w[0] = 1.0;
    for (int k = 0; k < dim; k++) b.coords[k] = 1.0 / sqrt(dim); /* r = 1 */
    wasp_metric_ctx *ctx = make_ctx(2.0, 20000, 5);
    double got = sliced(ctx, &a, &b), want = 1 / sqrt(dim);
    /* mean of 20000 draws of cos^2 (sd <= 0.35): 3 sigma ~ 0.8% of the mean */
    ck_assert_msg(fabs(got - want) <= 0.01 * want, "dim %d: %.6g vs %.6g", dim, got, want);
    wasp_metric_ctx_destroy(&ctx);
    /* the same seed gives the same directions; another seed other ones */
    wasp_metric_ctx *c1 = make_ctx(2.0, 7, 5), *c2 = make_ctx(2.0, 7, 5), *c3 = make_ctx(2.0, 7, 6);
    double v1 = sliced(c1, &a, &b), v2 = sliced(c2, &a, &b), v3 = sliced(c3, &a, &b);
    ck_assert(v1 == v2 && v1 != v3);
    wasp_metric_ctx_destroy(&c1);
    wasp_metric_ctx_destroy(&c2);
    wasp_metric_ctx_destroy(&c3);
    wasp_measure_destroy(&a);
    wasp_measure_destroy(&b);
  }
}
END_TEST

/* A grid image is the cloud of its pixel positions (i h, j h). */
START_TEST(grid_pixels)
{
  wasp_measure a, b;
  ck_assert_int_eq(wasp_measure_create_grid(4, 5, &a), WASP_OK);
  ck_assert_int_eq(wasp_measure_create_grid(4, 5, &b), WASP_OK);
  a.w[1 * 5 + 0] = 1.0; /* pixel (1, 0) */
  b.w[3 * 5 + 4] = 3.0; /* pixel (3, 4) */
  const double h = 1.0 / 5, dy = 2 * h, dx = 4 * h;
  const int K = 6;
  double mean = 0;
  for (int k = 0; k < K; k++) mean += fabs(dy * cos(M_PI * k / K) + dx * sin(M_PI * k / K)) / K;
  wasp_metric_ctx *ctx = make_ctx(1.0, -K, 1);
  double got = sliced(ctx, &a, &b);
  ck_assert_msg(fabs(got - mean) <= 1e-13, "%.15g vs %.15g", got, mean);
  wasp_metric_ctx_destroy(&ctx);
  wasp_measure_destroy(&a);
  wasp_measure_destroy(&b);
}
END_TEST

#ifdef WASP_HAVE_GLPK
/* |<theta, x - y>| <= |x - y| on every arc of any plan, so SW_p <= W_p. */
START_TEST(below_wp)
{
  uint64_t rng = 8;
  for (int t = 0; t < 6; t++) {
    int dim = 2 + t % 3, n = 6 + t, m = 9;
    double p = t % 2 ? 2.0 : 1.0;
    wasp_measure a, b;
    random_cloud(&rng, n, dim, 0.0, &a);
    random_cloud(&rng, m, dim, 0.5, &b);
    a.w[0] = b.w[0] = 1.0; /* at least one positive weight */
    double *c = malloc(sizeof(double) * (size_t)n * m), *wa = malloc(sizeof(double) * n),
           *wb = malloc(sizeof(double) * m), sa = 0, wp = 0;
    int ns = 0, nt = 0;
    for (int i = 0; i < n; i++) if (a.w[i] > 0) wa[ns++] = a.w[i], sa += a.w[i];
    for (int j = 0; j < m; j++) if (b.w[j] > 0) wb[nt++] = b.w[j];
    int ii = 0;
    for (int i = 0; i < n; i++) {
      if (!(a.w[i] > 0)) continue;
      int jj = 0;
      for (int j = 0; j < m; j++) {
        if (!(b.w[j] > 0)) continue;
        double s = 0;
        for (int k = 0; k < dim; k++) s += pow(a.coords[i * dim + k] - b.coords[j * dim + k], 2);
        c[ii * nt + jj++] = pow(sqrt(s), p);
      }
      ii++;
    }
    ck_assert_int_eq(ref_lp_transport(ns, wa, nt, wb, c, &wp), 0);
    wp = pow(wp / sa, 1 / p);
    wasp_metric_ctx *ctx = make_ctx(p, 200, 3);
    double got = sliced(ctx, &a, &b);
    ck_assert_msg(got <= wp * (1 + 1e-12) && got > 0, "SW %.15g vs W %.15g", got, wp);
    wasp_metric_ctx_destroy(&ctx);
    free(c);
    free(wa);
    free(wb);
    wasp_measure_destroy(&a);
    wasp_measure_destroy(&b);
  }
}
END_TEST
#endif

START_TEST(bad_input)
{
  wasp_measure a, b;
  wasp_metric_result r;
  ck_assert_int_eq(wasp_measure_create_cloud(2, 3, &a), WASP_OK);
  ck_assert_int_eq(wasp_measure_create_cloud(2, 3, &b), WASP_OK);
  a.w[0] = b.w[1] = 1.0;
  wasp_metric_ctx *ctx = make_ctx(1.0, -8, 1);
  ck_assert_int_eq(wasp_metric_eval(ctx, &a, "a", &b, "b", &r), WASP_ERR_ARG);
  ck_assert_msg(strstr(wasp_last_error(), "-equispaced"), "message: %s", wasp_last_error());
  wasp_metric_ctx_destroy(&ctx);
  ctx = make_ctx(1.0, 0, 1);
  ck_assert_int_eq(wasp_metric_eval(ctx, &a, "a", &b, "b", &r), WASP_ERR_ARG);
  ck_assert_msg(strstr(wasp_last_error(), "-directions 0"), "message: %s", wasp_last_error());
  wasp_metric_ctx_destroy(&ctx);
  b.w[1] = 0.0;
  ctx = make_ctx(1.0, 8, 1);
  ck_assert_int_eq(wasp_metric_eval(ctx, &a, "a", &b, "b", &r), WASP_ERR_INPUT);
  wasp_metric_ctx_destroy(&ctx);
  wasp_measure_destroy(&a);
  wasp_measure_destroy(&b);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("sliced");
  TCase *tc = tcase_create("sliced");
  tcase_add_test(tc, one_dimension_is_exact);
  tcase_add_test(tc, two_diracs_equispaced);
  tcase_add_test(tc, two_diracs_random);
  tcase_add_test(tc, grid_pixels);
#ifdef WASP_HAVE_GLPK
  tcase_add_test(tc, below_wp);
#else
  printf("test_sliced: GLPK not found, skipping SW_p <= W_p against the dense LP\n");
#endif
  tcase_add_test(tc, bad_input);
  suite_add_tcase(s, tc);
  return unit_run(s);
}

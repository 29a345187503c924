/* Unit tests of the unbalanced metrics `flat`, `tv` (exact LP) and `uot-kl`
 * (log-domain unbalanced Sinkhorn), through the metric registry.  Truths are
 * independent of src/: the closed forms of ../shared/notes/flat-metric.md,
 * the dummy-node LP solved densely by GLPK (ref_lp.c) with hand-computed
 * costs, and the stationarity condition of the 1 x 1 KL problem solved by
 * hand.  POT's sinkhorn_unbalanced2 is cross-checked in the integration test
 * (tests/integration/test_unbalanced.py). */
#include "unit_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_lp.h"
#include "wasp/wasp_metric.h"

#define RTOL 1e-9

static int close_rel(double got, double want, double rtol, double atol)
{
  return fabs(got - want) <= atol + rtol * fmax(fabs(got), fabs(want));
}

static wasp_metric_ctx *make_ctx(const char *name, double lambda, int torus)
{
  wasp_metric_params par;
  wasp_metric_ctx *ctx = NULL;
  wasp_metric_params_default(&par);
  par.lambda = lambda;
  par.torus = torus;
  par.ot.tol = 1e-11;
  wasp_status s = wasp_metric_ctx_create(name, &par, &ctx);
  ck_assert_msg(s == WASP_OK, "ctx %s: %s", name, wasp_last_error());
  return ctx;
}

static double eval_ok(wasp_metric_ctx *ctx, const wasp_measure *a, const wasp_measure *b,
                      wasp_metric_result *r)
{
  wasp_status s = wasp_metric_eval(ctx, a, "a", b, "b", r);
  ck_assert_msg(s == WASP_OK, "eval: %s", wasp_last_error());
  return r->value;
}

/* A cloud of n points in dimension dim with given coordinates and weights. */
static wasp_measure cloud(int n, int dim, const double *x, const double *w)
{
  wasp_measure m;
  ck_assert_int_eq(wasp_measure_create_cloud(n, dim, &m), WASP_OK);
  memcpy(m.coords, x, sizeof(double) * (size_t)n * dim);
  memcpy(m.w, w, sizeof(double) * (size_t)n);
  return m;
}

/* ---- closed forms -------------------------------------------------------- */

/* flat(a delta_0, b delta_x) = |a - b| + min(a, b) min(|x|, 2); tv with price
 * lambda: lambda |a - b| + min(a, b) min(|x|, 2 lambda). */
START_TEST(two_diracs)
{
  const double masses[][2] = {{1, 1}, {1, 3}, {2.5, 0.5}, {0.7, 0.0}, {0, 2}};
  const double dists[] = {0.0, 0.3, 1.0, 1.99, 2.0, 2.5, 10.0};
  const double lambdas[] = {1.0, 0.25, 3.0};
  for (int li = 0; li < 3; li++) {
    double lambda = lambdas[li];
    wasp_metric_ctx *ctx = make_ctx(lambda == 1.0 ? "flat" : "tv", lambda, 0);
    for (int mi = 0; mi < 5; mi++)
      for (int di = 0; di < 7; di++) {
        double a = masses[mi][0], b = masses[mi][1], r = dists[di];
        /* in 3-D, x along a skew direction */
        double x0[3] = {0.1, -0.2, 0.3}, x1[3];
        double u[3] = {2.0 / 3, 1.0 / 3, -2.0 / 3};
        for (int k = 0; k < 3; k++) x1[k] = x0[k] + r * u[k];
        wasp_measure A = cloud(1, 3, x0, &a), B = cloud(1, 3, x1, &b);
        wasp_metric_result res;
        double got = eval_ok(ctx, &A, &B, &res);
        double want = lambda * fabs(a - b) + fmin(a, b) * fmin(r, 2 * lambda);
        ck_assert_msg(close_rel(got, want, RTOL, 1e-12), "lambda %g a %g b %g |x| %g: got %.15g want %.15g",
                      lambda, a, b, r, got, want);
        if (a > 0 || b > 0)
          ck_assert_msg(res.has_certificate && res.ot.optimal, "certificate missing");
        wasp_measure_destroy(&A);
        wasp_measure_destroy(&B);
      }
    wasp_metric_ctx_destroy(&ctx);
  }
}
END_TEST

/* mu = m delta_0, nu = unit Diracs at x_1..x_N: move the closest points with
 * |x| < 2 while the mass lasts (the last one fractionally). */
static double dirac_fan_truth(double m, int n, const double *r)
{
  double *s = malloc(sizeof(double) * (size_t)n), left = m, total = 0.0, moved = 0.0;
  memcpy(s, r, sizeof(double) * (size_t)n);
  for (int i = 0; i < n; i++) /* insertion sort: n is small */
    for (int j = i; j > 0 && s[j] < s[j - 1]; j--) {
      double t = s[j];
      s[j] = s[j - 1];
      s[j - 1] = t;
    }
  for (int i = 0; i < n && s[i] < 2 && left > 0; i++) {
    double t = fmin(1.0, left);
    total += t * s[i];
    moved += t;
    left -= t;
  }
  free(s);
  return total + (m - moved) + (n - moved);
}

START_TEST(dirac_fan)
{
  uint64_t rng = 12345;
  wasp_metric_ctx *ctx = make_ctx("flat", 1.0, 0);
  const double ms[] = {0.0, 0.4, 1.0, 2.6, 5.0, 40.0};
  for (int trial = 0; trial < 6; trial++) {
    int n = 3 + trial * 2, dim = 1 + trial % 3;
    double *x = calloc((size_t)n * dim, sizeof(double)), *w = malloc(sizeof(double) * (size_t)n);
    double *r = malloc(sizeof(double) * (size_t)n), origin[3] = {0, 0, 0};
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int k = 0; k < dim; k++) {
        x[i * dim + k] = 3.0 * (unit_uniform(&rng) - 0.5);
        s += x[i * dim + k] * x[i * dim + k];
      }
      r[i] = sqrt(s);
      w[i] = 1.0;
    }
    double m = ms[trial];
    wasp_measure A = cloud(1, dim, origin, &m), B = cloud(n, dim, x, w);
    wasp_metric_result res;
    double got = eval_ok(ctx, &A, &B, &res), want = dirac_fan_truth(m, n, r);
    ck_assert_msg(close_rel(got, want, RTOL, 1e-12), "m %g N %d dim %d: got %.15g want %.15g", m,
                  n, dim, got, want);
    wasp_measure_destroy(&A);
    wasp_measure_destroy(&B);
    free(x);
    free(w);
    free(r);
  }
  wasp_metric_ctx_destroy(&ctx);
}
END_TEST

/* ---- random clouds: bounds, homogeneity, plan, GLPK reference ------------- */

static void random_cloud(uint64_t *rng, int n, int dim, double spread, double mass, wasp_measure *m)
{
  ck_assert_int_eq(wasp_measure_create_cloud(n, dim, m), WASP_OK);
  for (long k = 0; k < (long)n * dim; k++) m->coords[k] = spread * unit_normal(rng);
  double s = 0;
  for (int i = 0; i < n; i++) s += m->w[i] = 0.1 + unit_uniform(rng);
  for (int i = 0; i < n; i++) m->w[i] *= mass / s;
}

static double dist(const wasp_measure *a, long i, const wasp_measure *b, long j)
{
  double s = 0;
  for (int k = 0; k < a->dim; k++) {
    double d = a->coords[i * a->dim + k] - b->coords[j * a->dim + k];
    s += d * d;
  }
  return sqrt(s);
}

#ifdef WASP_HAVE_GLPK
/* The dummy-node LP of flat-metric.md, dense, with hand costs. */
static double glpk_tv(const wasp_measure *a, const wasp_measure *b, double lambda)
{
  int n = a->npts, m = b->npts, ns = n + 1, nt = m + 1;
  double *c = malloc(sizeof(double) * (size_t)ns * nt), *sa = malloc(sizeof(double) * ns),
         *sb = malloc(sizeof(double) * nt), A = 0, B = 0, value = NAN;
  for (int i = 0; i < n; i++) A += sa[i] = a->w[i];
  for (int j = 0; j < m; j++) B += sb[j] = b->w[j];
  sa[n] = B;
  sb[m] = A;
  for (int i = 0; i < ns; i++)
    for (int j = 0; j < nt; j++)
      c[i * nt + j] = i < n && j < m ? fmin(dist(a, i, b, j), 2 * lambda)
                      : (i == n && j == m) ? 0.0 : lambda;
  ck_assert_int_eq(ref_lp_transport(ns, sa, nt, sb, c, &value), 0);
  free(c);
  free(sa);
  free(sb);
  return value;
}

/* W1 between equal-mass clouds, dense GLPK with hand costs. */
static double glpk_w1(const wasp_measure *a, const wasp_measure *b)
{
  int n = a->npts, m = b->npts;
  double *c = malloc(sizeof(double) * (size_t)n * m), value = NAN;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < m; j++) c[i * m + j] = dist(a, i, b, j);
  ck_assert_int_eq(ref_lp_transport(n, a->w, m, b->w, c, &value), 0);
  free(c);
  return value;
}
#endif

START_TEST(random_clouds)
{
  uint64_t rng = 777;
  const double lambdas[] = {1.0, 0.3, 2.0};
  for (int trial = 0; trial < 12; trial++) {
    double lambda = lambdas[trial % 3];
    int n = 5 + trial, m = 9 + (trial * 7) % 11, dim = 1 + trial % 5;
    double ma = 0.5 + 3 * unit_uniform(&rng), mb = trial % 4 == 0 ? ma : 0.5 + 3 * unit_uniform(&rng);
    wasp_measure a, b;
    random_cloud(&rng, n, dim, 0.4 + 0.3 * (trial % 4), ma, &a);
    random_cloud(&rng, m, dim, 0.8, mb, &b);
    for (int k = 0; k < dim; k++) b.coords[k] += 0.5 * trial / 12.0; /* one point drifts away */
    wasp_metric_ctx *ctx = make_ctx(lambda == 1.0 ? "flat" : "tv", lambda, 0);
    wasp_metric_result res;
    double got = eval_ok(ctx, &a, &b, &res);
    ck_assert(res.has_certificate && res.ot.optimal);
    /* bounds: | |mu| - |nu| | lambda <= tv <= lambda (|mu| + |nu|) */
    ck_assert_msg(got <= lambda * (ma + mb) * (1 + 1e-12), "above lambda (|mu| + |nu|)");
    ck_assert_msg(got >= lambda * fabs(ma - mb) * (1 - 1e-12) - 1e-12, "below lambda ||mu| - |nu||");
    /* the plan: real sites keep within their masses, dummies carry the rest */
    long nnz;
    const long *ps, *pd;
    const double *pm;
    ck_assert_int_eq(wasp_metric_last_plan(ctx, &nnz, &ps, &pd, &pm), WASP_OK);
    double out_a = 0, in_b = 0, cost = 0, moved = 0;
    for (long e = 0; e < nnz; e++) {
      ck_assert(pm[e] >= 0);
      if (ps[e] >= 0) out_a += pm[e];
      if (pd[e] >= 0) in_b += pm[e];
      if (ps[e] >= 0 && pd[e] >= 0) {
        cost += pm[e] * fmin(dist(&a, ps[e], &b, pd[e]), 2 * lambda);
        moved += pm[e];
      } else if (ps[e] >= 0 || pd[e] >= 0) {
        cost += lambda * pm[e];
      }
    }
    ck_assert(close_rel(out_a, ma, 1e-9, 0) && close_rel(in_b, mb, 1e-9, 0));
    ck_assert_msg(close_rel(cost, got, 1e-9, 1e-12), "plan cost %.15g vs value %.15g", cost, got);
    ck_assert(close_rel(moved, res.mass, 1e-9, 1e-12));
    /* positive homogeneity */
    for (int i = 0; i < n; i++) a.w[i] *= 2.5;
    for (int j = 0; j < m; j++) b.w[j] *= 2.5;
    wasp_metric_result res2;
    ck_assert(close_rel(eval_ok(ctx, &a, &b, &res2), 2.5 * got, 1e-9, 1e-12));
    for (int i = 0; i < n; i++) a.w[i] /= 2.5;
    for (int j = 0; j < m; j++) b.w[j] /= 2.5;
#ifdef WASP_HAVE_GLPK
    double want = glpk_tv(&a, &b, lambda);
    ck_assert_msg(close_rel(got, want, 1e-8, 1e-10), "trial %d: got %.15g GLPK %.15g", trial, got,
                  want);
    if (ma == mb) {
      double w1 = glpk_w1(&a, &b);
      ck_assert_msg(got <= w1 * (1 + 1e-9), "flat %.15g exceeds W1 %.15g", got, w1);
    }
#endif
    wasp_metric_ctx_destroy(&ctx);
    wasp_measure_destroy(&a);
    wasp_measure_destroy(&b);
  }
}
END_TEST

/* Equal masses and lambda above half the diameter: nothing is deleted, so
 * tv = W1 (times the mass). */
START_TEST(large_lambda_is_w1)
{
  uint64_t rng = 99;
  wasp_measure a, b;
  random_cloud(&rng, 8, 2, 1.0, 1.7, &a);
  random_cloud(&rng, 11, 2, 1.0, 1.7, &b);
  wasp_metric_ctx *tv = make_ctx("tv", 100.0, 0), *wp = make_ctx("wp", 1.0, 0);
  wasp_metric_result r1, r2;
  double got = eval_ok(tv, &a, &b, &r1), w1 = 1.7 * eval_ok(wp, &a, &b, &r2);
  ck_assert_msg(close_rel(got, w1, 1e-9, 0), "tv %.15g vs W1 %.15g", got, w1);
  ck_assert(close_rel(r1.mass, 1.7, 1e-9, 0));
  wasp_metric_ctx_destroy(&tv);
  wasp_metric_ctx_destroy(&wp);
  wasp_measure_destroy(&a);
  wasp_measure_destroy(&b);
}
END_TEST

/* ---- grids: plain and torus, against the dense LP with hand distances ----- */

#ifdef WASP_HAVE_GLPK
START_TEST(grid_torus)
{
  uint64_t rng = 4242;
  const int ny = 5, nx = 6;
  const double h = 1.0 / 6;
  for (int torus = 0; torus < 2; torus++)
    for (int trial = 0; trial < 3; trial++) {
      wasp_measure a, b;
      ck_assert_int_eq(wasp_measure_create_grid(ny, nx, &a), WASP_OK);
      ck_assert_int_eq(wasp_measure_create_grid(ny, nx, &b), WASP_OK);
      for (int k = 0; k < ny * nx; k++) {
        a.w[k] = unit_uniform(&rng) < 0.5 ? 0.0 : unit_uniform(&rng);
        b.w[k] = unit_uniform(&rng) < 0.5 ? 0.0 : 2.0 * unit_uniform(&rng);
      }
      double lambda = trial == 0 ? 1.0 : 0.1 * trial; /* small lambda: the cap binds */
      wasp_metric_ctx *ctx = make_ctx(lambda == 1.0 ? "flat" : "tv", lambda, torus);
      wasp_metric_result res;
      double got = eval_ok(ctx, &a, &b, &res);
      /* dense dummy-node LP over the positive pixels, hand torus distance */
      int ia[30], ib[30], n = 0, m = 0;
      for (int k = 0; k < ny * nx; k++) {
        if (a.w[k] > 0) ia[n++] = k;
        if (b.w[k] > 0) ib[m++] = k;
      }
      double sa[31], sb[31], c[31 * 31], A = 0, B = 0, want = NAN;
      for (int i = 0; i < n; i++) A += sa[i] = a.w[ia[i]];
      for (int j = 0; j < m; j++) B += sb[j] = b.w[ib[j]];
      sa[n] = B;
      sb[m] = A;
      for (int i = 0; i <= n; i++)
        for (int j = 0; j <= m; j++) {
          double v;
          if (i < n && j < m) {
            int dy = abs(ia[i] / nx - ib[j] / nx), dx = abs(ia[i] % nx - ib[j] % nx);
            if (torus && ny - dy < dy) dy = ny - dy;
            if (torus && nx - dx < dx) dx = nx - dx;
            v = fmin(h * sqrt((double)dy * dy + (double)dx * dx), 2 * lambda);
          } else {
            v = i == n && j == m ? 0.0 : lambda;
          }
          c[i * (m + 1) + j] = v;
        }
      ck_assert_int_eq(ref_lp_transport(n + 1, sa, m + 1, sb, c, &want), 0);
      ck_assert_msg(close_rel(got, want, 1e-8, 1e-10), "torus %d lambda %g: %.15g vs %.15g", torus,
                    lambda, got, want);
      wasp_metric_ctx_destroy(&ctx);
      wasp_measure_destroy(&a);
      wasp_measure_destroy(&b);
    }
}
END_TEST
#endif

/* ---- bad input ----------------------------------------------------------- */

START_TEST(bad_input)
{
  double x = 0, w = 1, neg = -1;
  wasp_measure A = cloud(1, 1, &x, &w), B = cloud(1, 1, &x, &neg);
  wasp_metric_result r;
  wasp_metric_ctx *ctx = make_ctx("flat", 2.0, 0);
  ck_assert_int_eq(wasp_metric_eval(ctx, &A, "a", &A, "a", &r), WASP_ERR_ARG);
  ck_assert_msg(strstr(wasp_last_error(), "-lambda 2"), "message: %s", wasp_last_error());
  wasp_metric_ctx_destroy(&ctx);
  ctx = make_ctx("tv", -1.0, 0);
  ck_assert_int_eq(wasp_metric_eval(ctx, &A, "a", &A, "a", &r), WASP_ERR_ARG);
  ck_assert_msg(strstr(wasp_last_error(), "-lambda -1"), "message: %s", wasp_last_error());
  wasp_metric_ctx_destroy(&ctx);
  ctx = make_ctx("flat", 1.0, 0);
  ck_assert_int_eq(wasp_metric_eval(ctx, &A, "a", &B, "b", &r), WASP_ERR_INPUT);
  wasp_metric_ctx_destroy(&ctx);
  wasp_measure_destroy(&A);
  wasp_measure_destroy(&B);
}
END_TEST

/* ---- uot-kl --------------------------------------------------------------- */

/* One site each side, cost c: the objective c p + eps (p log p - p)
 * + tau (p log(p/a) - p + a) + tau (p log(p/b) - p + b) is stationary at
 * log p = (tau (log a + log b) - c) / (eps + 2 tau). */
START_TEST(uot_one_by_one)
{
  const double eps_list[] = {1.0, 0.1, 1e-3, 1e-5};
  const double tau_list[] = {1.0, 0.2, 10.0};
  const double masses[][2] = {{1, 1}, {0.3, 2.0}, {5, 0.01}};
  for (int e = 0; e < 4; e++)
    for (int t = 0; t < 3; t++)
      for (int q = 0; q < 3; q++) {
        wasp_metric_params par;
        wasp_metric_ctx *ctx;
        wasp_metric_params_default(&par);
        par.epsilon = eps_list[e];
        par.tau = tau_list[t];
        par.p = 2.0;
        par.ot.tol = 1e-12;
        ck_assert_int_eq(wasp_metric_ctx_create("uot-kl", &par, &ctx), WASP_OK);
        double x0 = 0.25, x1 = 1.75, a = masses[q][0], b = masses[q][1], c = 1.5 * 1.5;
        wasp_measure A = cloud(1, 1, &x0, &a), B = cloud(1, 1, &x1, &b);
        wasp_metric_result r;
        double got = eval_ok(ctx, &A, &B, &r);
        double eps = par.epsilon, tau = par.tau;
        double pi = exp((tau * (log(a) + log(b)) - c) / (eps + 2 * tau));
        ck_assert_msg(close_rel(got, c * pi, 1e-9, 1e-300), "eps %g tau %g a %g b %g: %.15g vs %.15g",
                      eps, tau, a, b, got, c * pi);
        ck_assert(close_rel(r.mass, pi, 1e-9, 1e-300));
        double obj = c * pi + eps * (pi * log(pi) - pi) + tau * (pi * log(pi / a) - pi + a) +
                     tau * (pi * log(pi / b) - pi + b);
        ck_assert_msg(close_rel(r.ot.value, obj, 1e-9, 1e-12), "objective %.15g vs %.15g",
                      r.ot.value, obj);
        ck_assert(r.ot.iterations >= 1 && !r.has_certificate);
        wasp_measure_destroy(&A);
        wasp_measure_destroy(&B);
        wasp_metric_ctx_destroy(&ctx);
      }
}
END_TEST

/* Stationarity of the n x m problem checked on the returned pieces is not
 * independent; instead: the plan of identical point sets with zero cost
 * between matching points and huge cost otherwise is diagonal, each entry the
 * 1 x 1 solution.  Small eps makes the off-diagonal underflow in a naive
 * implementation but not in the log domain. */
START_TEST(uot_diagonal)
{
  wasp_metric_params par;
  wasp_metric_ctx *ctx;
  wasp_metric_params_default(&par);
  par.epsilon = 1e-3;
  par.tau = 0.5;
  par.ot.tol = 1e-12;
  ck_assert_int_eq(wasp_metric_ctx_create("uot-kl", &par, &ctx), WASP_OK);
  double x[4] = {0, 10, 20, 30}, y[4] = {0.5, 10.5, 20.5, 30.5};
  double a[4] = {1, 2, 0.5, 3}, b[4] = {2, 2, 1, 0.25};
  wasp_measure A = cloud(4, 1, x, a), B = cloud(4, 1, y, b);
  wasp_metric_result r;
  double got = eval_ok(ctx, &A, &B, &r), want = 0, mass = 0;
  for (int i = 0; i < 4; i++) {
    double pi = exp((par.tau * (log(a[i]) + log(b[i])) - 0.5) / (par.epsilon + 2 * par.tau));
    want += 0.5 * pi;
    mass += pi;
  }
  ck_assert_msg(close_rel(got, want, 1e-9, 0), "%.15g vs %.15g", got, want);
  ck_assert(close_rel(r.mass, mass, 1e-9, 0));
  wasp_measure_destroy(&A);
  wasp_measure_destroy(&B);
  wasp_metric_ctx_destroy(&ctx);
}
END_TEST

START_TEST(uot_bad_params)
{
  double x = 0, w = 1;
  wasp_measure A = cloud(1, 1, &x, &w);
  wasp_metric_params par;
  wasp_metric_ctx *ctx;
  wasp_metric_result r;
  wasp_metric_params_default(&par);
  par.epsilon = 0;
  ck_assert_int_eq(wasp_metric_ctx_create("uot-kl", &par, &ctx), WASP_OK);
  ck_assert_int_eq(wasp_metric_eval(ctx, &A, "a", &A, "a", &r), WASP_ERR_ARG);
  ck_assert_msg(strstr(wasp_last_error(), "-epsilon 0"), "message: %s", wasp_last_error());
  wasp_metric_ctx_destroy(&ctx);
  par.epsilon = 0.1;
  par.tau = -2;
  ck_assert_int_eq(wasp_metric_ctx_create("uot-kl", &par, &ctx), WASP_OK);
  ck_assert_int_eq(wasp_metric_eval(ctx, &A, "a", &A, "a", &r), WASP_ERR_ARG);
  ck_assert_msg(strstr(wasp_last_error(), "-tau -2"), "message: %s", wasp_last_error());
  wasp_metric_ctx_destroy(&ctx);
  wasp_measure_destroy(&A);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("unbalanced");
  TCase *tc = tcase_create("flat");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, two_diracs);
  tcase_add_test(tc, dirac_fan);
  tcase_add_test(tc, random_clouds);
  tcase_add_test(tc, large_lambda_is_w1);
#ifdef WASP_HAVE_GLPK
  tcase_add_test(tc, grid_torus);
#else
  printf("test_unbalanced: GLPK not found, skipping the dense-LP references\n");
#endif
  tcase_add_test(tc, bad_input);
  suite_add_tcase(s, tc);
  TCase *tu = tcase_create("uot-kl");
  tcase_set_timeout(tu, 120);
  tcase_add_test(tu, uot_one_by_one);
  tcase_add_test(tu, uot_diagonal);
  tcase_add_test(tu, uot_bad_params);
  suite_add_tcase(s, tu);
  return unit_run(s);
}

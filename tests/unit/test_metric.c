/* Unit tests of the metric registry (include/wasp/wasp_metric.h) for "l2",
 * "wp" and "signed", written against the documented semantics:
 *   l2     = sqrt(sum (a - b)^2), not normalised;
 *   wp     = W_p(a/|a|, b/|b|), value = cost^(1/p);
 *   signed = W_p(S, T) with S = a+ + b-, T = b+ + a-, of mass C = |S| = |T|,
 *            NOT divided by C; with normalize, W_p(S/|S|, T/|T|).
 * Grid geometry: pixel (i, j) at (i*h, j*h), h = spacing or 1/max(ny, nx).
 * References: closed forms, the 1-D quantile formula, the GLPK LP. */
#include "unit_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_lp.h"
#include "wasp/wasp_metric.h"

#define VALUE_RTOL 1e-9

static const double pvals[] = {1.0, 2.0, 3.0};

/* ---- helpers ------------------------------------------------------------------ */

static int close_rel(double got, double want, double rtol)
{
  if (got == want) return 1;
  return fabs(got - want) <= rtol * fmax(fabs(got), fabs(want));
}

static void expect_value(double got, double want, double rtol, const char *what)
{
  ck_assert_msg(close_rel(got, want, rtol) || fabs(got - want) <= 1e-300,
                "%s: value %.17g, want %.17g (rel diff %.3g > %g)", what, got, want,
                fabs(got - want) / fmax(fabs(want), 1e-300), rtol);
}

static wasp_measure grid(int ny, int nx)
{
  wasp_measure m;
  ck_assert_int_eq(wasp_measure_create_grid(ny, nx, &m), WASP_OK);
  return m;
}

static wasp_metric_ctx *make_ctx(const char *name, double p, int torus, int normalize,
                                 double spacing)
{
  wasp_metric_params par;
  wasp_metric_params_default(&par);
  par.p = p;
  par.torus = torus;
  par.normalize = normalize;
  par.spacing = spacing;
  wasp_metric_ctx *ctx = NULL;
  wasp_status st = wasp_metric_ctx_create(name, &par, &ctx);
  ck_assert_msg(st == WASP_OK && ctx, "ctx_create(%s, p=%g, torus=%d, normalize=%d): %d %s", name,
                p, torus, normalize, (int)st, wasp_last_error());
  return ctx;
}

static wasp_status eval(wasp_metric_ctx *ctx, const wasp_measure *a, const wasp_measure *b,
                        wasp_metric_result *res)
{
  memset(res, 0, sizeof *res);
  wasp_clear_error();
  return wasp_metric_eval(ctx, a, "a.h5:1", b, "b.h5:2", res);
}

static double eval_ok(wasp_metric_ctx *ctx, const wasp_measure *a, const wasp_measure *b,
                      wasp_metric_result *res, const char *what)
{
  wasp_status st = eval(ctx, a, b, res);
  ck_assert_msg(st == WASP_OK, "%s: eval failed: status %d: %s", what, (int)st, wasp_last_error());
  ck_assert_msg(isfinite(res->value) && res->value >= 0.0, "%s: value %g", what, res->value);
  return res->value;
}

static double grid_h(int ny, int nx, double spacing)
{
  return spacing > 0.0 ? spacing : 1.0 / (ny > nx ? ny : nx);
}

static double grid_cost(int ny, int nx, double h, int torus, double p, long s, long t)
{
  long di = labs(s / nx - t / nx), dj = labs(s % nx - t % nx);
  if (torus) {
    if (ny - di < di) di = ny - di;
    if (nx - dj < dj) dj = nx - dj;
  }
  double dy = (double)di * h, dx = (double)dj * h;
  return pow(sqrt(dy * dy + dx * dx), p);
}

static double total(long n, const double *w)
{
  long double s = 0.0L;
  for (long k = 0; k < n; k++) s += w[k];
  return (double)s;
}

/* S = a+ + b-, T = b+ + a- by hand */
static void split_signed(long n, const double *a, const double *b, double *S, double *T)
{
  for (long k = 0; k < n; k++) {
    S[k] = fmax(a[k], 0.0) + fmax(-b[k], 0.0);
    T[k] = fmax(b[k], 0.0) + fmax(-a[k], 0.0);
  }
}

/* W_p^p between the nonnegative grid measures S and T (T rescaled to the
 * total of S), 1-D quantile formula: grid must be 1 x n or n x 1. */
static double quantile_grid(long n, double h, const double *S, const double *T, double p)
{
  double *x = malloc(sizeof(double) * n), *a = malloc(sizeof(double) * n);
  double *y = malloc(sizeof(double) * n), *b = malloc(sizeof(double) * n);
  long ns = 0, nt = 0;
  for (long k = 0; k < n; k++) {
    if (S[k] > 0.0) {
      x[ns] = k * h;
      a[ns++] = S[k];
    }
    if (T[k] > 0.0) {
      y[nt] = k * h;
      b[nt++] = T[k];
    }
  }
  double v = ref_quantile_1d(ns, x, a, nt, y, b, p);
  free(x);
  free(a);
  free(y);
  free(b);
  return v;
}

#ifdef WASP_HAVE_GLPK
/* W_p^p between nonnegative grid measures S and T (T rescaled to |S|) by the
 * GLPK reference, zero pixels left out. */
static double glpk_grid(int ny, int nx, double h, int torus, double p, const double *S,
                        const double *T, const char *what)
{
  long n = (long)ny * nx, ns = 0, nt = 0;
  long *is = malloc(sizeof(long) * n), *it = malloc(sizeof(long) * n);
  double *a = malloc(sizeof(double) * n), *b = malloc(sizeof(double) * n);
  for (long k = 0; k < n; k++) {
    if (S[k] > 0.0) {
      is[ns] = k;
      a[ns++] = S[k];
    }
    if (T[k] > 0.0) {
      it[nt] = k;
      b[nt++] = T[k];
    }
  }
  double *C = malloc(sizeof(double) * ns * nt), v = NAN;
  for (long i = 0; i < ns; i++)
    for (long j = 0; j < nt; j++) C[i * nt + j] = grid_cost(ny, nx, h, torus, p, is[i], it[j]);
  ck_assert_msg(ref_lp_transport((int)ns, a, (int)nt, b, C, &v) == 0,
                "%s: the GLPK reference failed", what);
  free(is);
  free(it);
  free(a);
  free(b);
  free(C);
  return v;
}
#endif

/* The last plan must move S to T (up to a common factor when the metric
 * normalises) and its cost must be the reported value^p (per unit mass when
 * normalised, in mass C otherwise). */
/* The optimal dual of the last LP (wasp_metric_last_duals) against the
 * dense problem: one source per positive pixel of S and one target per
 * positive pixel of T, u_i + v_j <= c_ij on every pair, equality on the
 * plan's arcs, and the dual objective equal to the plan's cost Q. */
static void check_duals(const wasp_metric_ctx *ctx, int ny, int nx, double h, int torus, double p,
                        const double *S, const double *T, double Q, const char *what)
{
  const long n = (long)ny * nx;
  wasp_metric_duals d;
  ck_assert_msg(wasp_metric_last_duals(ctx, &d) == WASP_OK, "%s: wasp_metric_last_duals: %s", what,
                wasp_last_error());
  long ps = 0, pt = 0;
  for (long k = 0; k < n; k++) ps += S[k] > 0, pt += T[k] > 0;
  ck_assert_msg(d.ns == ps && d.nt == pt, "%s: dual has %ld sources and %ld targets, want %ld and %ld",
                what, d.ns, d.nt, ps, pt);
  long *at_s = malloc(sizeof(long) * (size_t)n), *at_t = malloc(sizeof(long) * (size_t)n);
  for (long k = 0; k < n; k++) at_s[k] = at_t[k] = -1;
  long double obj = 0.0L;
  double cmax = 0.0, min_rc = INFINITY;
  for (long i = 0; i < d.ns; i++) {
    const long si = d.source_site[i];
    ck_assert_msg(si >= 0 && si < n && S[si] > 0 && d.source_mass[i] > 0, "%s: dual source %ld at site %ld", what, i, si);
    at_s[si] = i;
    obj += (long double)d.source_mass[i] * d.u[i];
    for (long j = 0; j < d.nt; j++) {
      const double c = grid_cost(ny, nx, h, torus, p, si, d.target_site[j]);
      cmax = fmax(cmax, c);
      min_rc = fmin(min_rc, c - d.u[i] - d.v[j]);
    }
  }
  for (long j = 0; j < d.nt; j++) {
    const long tj = d.target_site[j];
    ck_assert_msg(tj >= 0 && tj < n && T[tj] > 0 && d.target_mass[j] > 0, "%s: dual target %ld at site %ld", what, j, tj);
    at_t[tj] = j;
    obj += (long double)d.target_mass[j] * d.v[j];
  }
  ck_assert_msg(min_rc >= -1e-12 * fmax(cmax, 1.0), "%s: dual infeasible, min reduced cost %.3g", what, min_rc);
  long nnz;
  const long *src, *dst;
  const double *m;
  wasp_metric_last_plan(ctx, &nnz, &src, &dst, &m);
  for (long k = 0; k < nnz; k++) {
    const long i = at_s[src[k]], j = at_t[dst[k]];
    ck_assert_msg(i >= 0 && j >= 0, "%s: plan entry %ld joins sites outside the dual", what, k);
    const double rc = grid_cost(ny, nx, h, torus, p, src[k], dst[k]) - d.u[i] - d.v[j];
    ck_assert_msg(fabs(rc) <= 1e-12 * fmax(cmax, 1.0), "%s: plan arc %ld -> %ld has reduced cost %.3g",
                  what, src[k], dst[k], rc);
  }
  ck_assert_msg(close_rel((double)obj, Q, 1e-11) || fabs((double)obj - Q) <= 1e-15,
                "%s: dual objective %.17Lg, plan cost %.17g", what, obj, Q);
  free(at_s);
  free(at_t);
}

static void check_plan(const wasp_metric_ctx *ctx, int ny, int nx, double h, int torus, double p,
                       const double *S, const double *T, int normalized, double value,
                       const char *what)
{
  long n = (long)ny * nx, nnz = -1;
  const long *src = NULL, *dst = NULL;
  const double *m = NULL;
  ck_assert_msg(wasp_metric_last_plan(ctx, &nnz, &src, &dst, &m) == WASP_OK,
                "%s: wasp_metric_last_plan: %s", what, wasp_last_error());
  ck_assert_msg(nnz >= 1, "%s: empty plan", what);
  long double *row = calloc((size_t)n, sizeof(long double)), *col = calloc((size_t)n, sizeof(long double));
  long double P = 0.0L, Q = 0.0L;
  for (long k = 0; k < nnz; k++) {
    ck_assert_msg(src[k] >= 0 && src[k] < n && dst[k] >= 0 && dst[k] < n,
                  "%s: plan entry %ld = (%ld -> %ld) outside the %dx%d image", what, k, src[k],
                  dst[k], ny, nx);
    ck_assert_msg(isfinite(m[k]) && !(m[k] < 0.0), "%s: plan entry %ld has mass %g", what, k, m[k]);
    row[src[k]] += m[k];
    col[dst[k]] += m[k];
    P += m[k];
    Q += (long double)m[k] * grid_cost(ny, nx, h, torus, p, src[k], dst[k]);
  }
  double cS = total(n, S), cT = total(n, T);
  /* normalised: compare shapes; otherwise the masses themselves */
  double fS = normalized ? (double)P / cS : 1.0, fT = normalized ? (double)P / cT : 1.0;
  for (long k = 0; k < n; k++) {
    ck_assert_msg(fabsl(row[k] - fS * S[k]) <= 1e-12 * (double)P,
                  "%s: plan leaves pixel (%ld, %ld) with %.17Lg, want %s%.17g", what, k / nx,
                  k % nx, row[k], normalized ? "(scaled) " : "S = ", fS * S[k]);
    ck_assert_msg(fabsl(col[k] - fT * T[k]) <= 1e-12 * (double)P,
                  "%s: plan brings %.17Lg to pixel (%ld, %ld), want %s%.17g", what, col[k], k / nx,
                  k % nx, normalized ? "(scaled) " : "T = ", fT * T[k]);
  }
  check_duals(ctx, ny, nx, h, torus, p, S, T, (double)Q, what);
  double vp = pow(value, p), per = normalized ? (double)(Q / P) : (double)Q;
  ck_assert_msg(close_rel(per, vp, 1e-11) || fabs(per - vp) <= 1e-300,
                "%s: the plan costs %.17g%s but value^p = %.17g", what, per,
                normalized ? " per unit mass" : "", vp);
  free(row);
  free(col);
}

static void check_certificate(const wasp_metric_result *res, const char *what)
{
  ck_assert_msg(res->has_certificate == 1, "%s: has_certificate = %d for an exact LP", what,
                res->has_certificate);
  ck_assert_msg(res->ot.optimal == 1, "%s: res.ot.optimal = %d", what, res->ot.optimal);
}

/* does msg mention the shape ny x nx in some usual spelling? */
static int mentions_shape(const char *msg, int ny, int nx)
{
  char f[4][48];
  snprintf(f[0], sizeof f[0], "%d x %d", ny, nx);
  snprintf(f[1], sizeof f[1], "%dx%d", ny, nx);
  snprintf(f[2], sizeof f[2], "(%d, %d)", ny, nx);
  snprintf(f[3], sizeof f[3], "%d by %d", ny, nx);
  for (int k = 0; k < 4; k++)
    if (strstr(msg, f[k])) return 1;
  return 0;
}

/* a smooth nonnegative bump centred at (ci, cj), plus a floor, mass 1 */
static void blob(int ny, int nx, double ci, double cj, double width, double floor_, double *w)
{
  long n = (long)ny * nx;
  for (long k = 0; k < n; k++) {
    double di = (double)(k / nx) - ci, dj = (double)(k % nx) - cj;
    w[k] = exp(-(di * di + dj * dj) / (2.0 * width * width)) + floor_;
  }
  double s = total(n, w);
  for (long k = 0; k < n; k++) w[k] /= s;
}

/* zero-sum Gaussian noise of pixel std sigma (Assumption 1 of the study) */
static void zero_sum_noise(uint64_t *rng, long n, double sigma, double *w)
{
  double *e = malloc(sizeof(double) * n);
  double sd = sigma * sqrt((double)n / (double)(n - 1));
  for (long k = 0; k < n; k++) e[k] = sd * unit_normal(rng);
  double mean = total(n, e) / (double)n;
  for (long k = 0; k < n; k++) w[k] += e[k] - mean;
  free(e);
}

/* ---- registry ------------------------------------------------------------------- */

START_TEST(registry_names)
{
  const char *names[] = {"l2", "wp", "signed"};
  ck_assert_msg(wasp_metric_count() >= 3, "only %d metrics registered", wasp_metric_count());
  for (int q = 0; q < 3; q++) {
    const wasp_metric_entry *e = NULL;
    ck_assert_msg(wasp_metric_lookup(names[q], &e) == WASP_OK && e, "lookup(%s): %s", names[q],
                  wasp_last_error());
    ck_assert_str_eq(e->name, names[q]);
    ck_assert_msg(e->eval != NULL, "%s: no eval function", names[q]);
    ck_assert_msg(e->summary && strlen(e->summary) > 0, "%s: no summary", names[q]);
    int found = 0;
    for (int i = 0; i < wasp_metric_count(); i++)
      if (wasp_metric_at(i) && strcmp(wasp_metric_at(i)->name, names[q]) == 0) found++;
    ck_assert_msg(found == 1, "%s appears %d times in wasp_metric_at", names[q], found);
    wasp_metric_ctx *ctx = make_ctx(names[q], 2.0, false, false, 0.0);
    ck_assert_str_eq(wasp_metric_ctx_entry(ctx)->name, names[q]);
    wasp_metric_ctx_destroy(&ctx);
    ck_assert_msg(ctx == NULL, "ctx_destroy must set the handle to NULL");
  }
  const wasp_metric_entry *l2, *wp, *sg;
  wasp_metric_lookup("l2", &l2);
  wasp_metric_lookup("wp", &wp);
  wasp_metric_lookup("signed", &sg);
  ck_assert_msg(wp->needs_nonnegative, "wp must reject negative pixels (needs_nonnegative)");
  ck_assert_msg(!sg->needs_nonnegative, "signed takes signed images (needs_nonnegative = false)");
  ck_assert_msg(!l2->needs_nonnegative, "l2 takes signed images");
  ck_assert_msg(wp->is_exact_lp && sg->is_exact_lp, "wp and signed are exact LPs");
  ck_assert_msg(!l2->is_exact_lp, "l2 is not an LP");
  ck_assert_msg(wp->uses_p && sg->uses_p && !l2->uses_p, "uses_p: wp %d signed %d l2 %d",
                wp->uses_p, sg->uses_p, l2->uses_p);
  ck_assert_msg(sg->uses_normalize, "signed uses -normalize");
  ck_assert_msg(wp->uses_torus && sg->uses_torus, "wp and signed use -torus");
}
END_TEST

START_TEST(unknown_name_lists_known_names)
{
  const wasp_metric_entry *e = NULL;
  wasp_clear_error();
  wasp_status st = wasp_metric_lookup("wasserstein-42", &e);
  ck_assert_msg(st != WASP_OK, "lookup of an unknown name succeeded");
  const char *msg = wasp_last_error();
  ck_assert_msg(strstr(msg, "wasserstein-42") || strstr(msg, "unknown"),
                "message does not say what was unknown: '%s'", msg);
  ck_assert_msg(strstr(msg, "l2") && strstr(msg, "wp") && strstr(msg, "signed"),
                "message does not list the known names l2, wp, signed: '%s'", msg);
  wasp_metric_params par;
  wasp_metric_params_default(&par);
  wasp_metric_ctx *ctx = NULL;
  wasp_clear_error();
  st = wasp_metric_ctx_create("wasserstein-42", &par, &ctx);
  ck_assert_msg(st != WASP_OK, "ctx_create of an unknown name succeeded");
  msg = wasp_last_error();
  ck_assert_msg(strstr(msg, "l2") && strstr(msg, "wp") && strstr(msg, "signed"),
                "ctx_create message does not list the known names: '%s'", msg);
}
END_TEST

START_TEST(p_below_one_is_refused)
{
  const char *names[] = {"wp", "signed"};
  const double bad[] = {0.5, 0.0, -2.0};
  for (int q = 0; q < 2; q++)
    for (int k = 0; k < 3; k++) {
      wasp_metric_params par;
      wasp_metric_params_default(&par);
      par.p = bad[k];
      wasp_metric_ctx *ctx = NULL;
      wasp_clear_error();
      wasp_status st = wasp_metric_ctx_create(names[q], &par, &ctx);
      ck_assert_msg(st == WASP_ERR_ARG, "%s with p = %g: status %d, want WASP_ERR_ARG", names[q],
                    bad[k], (int)st);
      const char *msg = wasp_last_error();
      char num[32];
      snprintf(num, sizeof num, "%g", bad[k]);
      ck_assert_msg(strchr(msg, 'p') && (strstr(msg, num) || strstr(msg, ">= 1") || strstr(msg, "≥ 1")),
                    "%s with p = %g: the message should mention p and its bound or value: '%s'",
                    names[q], bad[k], msg);
    }
  wasp_metric_params par;
  wasp_metric_params_default(&par);
  par.p = NAN;
  wasp_metric_ctx *ctx = NULL;
  ck_assert_msg(wasp_metric_ctx_create("wp", &par, &ctx) != WASP_OK, "wp with p = NaN accepted");
  par.p = 1.0; /* the boundary is allowed */
  ck_assert_int_eq(wasp_metric_ctx_create("wp", &par, &ctx), WASP_OK);
  wasp_metric_ctx_destroy(&ctx);
}
END_TEST

/* ---- l2 --------------------------------------------------------------------------- */

START_TEST(l2_is_plain_euclidean)
{
  uint64_t rng = 3;
  wasp_measure a = grid(5, 7), b = grid(5, 7);
  for (long k = 0; k < 35; k++) {
    a.w[k] = unit_normal(&rng);
    b.w[k] = 2.0 * unit_uniform(&rng); /* different masses on purpose */
  }
  long double s = 0.0L;
  for (long k = 0; k < 35; k++) s += (long double)(a.w[k] - b.w[k]) * (a.w[k] - b.w[k]);
  double want = sqrtl(s);
  /* p and torus must not matter (-normalize may be refused: it is signed's) */
  for (int q = 0; q < 3; q++) {
    wasp_metric_ctx *ctx = make_ctx("l2", pvals[q], q == 1, false, 0.0);
    wasp_metric_result res;
    char what[64];
    snprintf(what, sizeof what, "l2 (p=%g torus=%d)", pvals[q], q == 1);
    expect_value(eval_ok(ctx, &a, &b, &res, what), want, 1e-13, what);
    ck_assert_msg(res.has_certificate == 0, "l2: has_certificate = %d", res.has_certificate);
    ck_assert_msg(res.mass == 0.0, "l2: mass %g, want 0 (no transport)", res.mass);
    /* symmetric, zero on itself, homogeneous of degree 1 */
    expect_value(eval_ok(ctx, &b, &a, &res, what), want, 1e-13, "l2 symmetric");
    ck_assert_msg(eval_ok(ctx, &a, &a, &res, what) == 0.0, "l2(a, a) = %g", res.value);
    wasp_metric_ctx_destroy(&ctx);
  }
  wasp_metric_ctx *ctx = make_ctx("l2", 2.0, false, false, 0.0);
  wasp_measure a2 = grid(5, 7), b2 = grid(5, 7);
  for (long k = 0; k < 35; k++) {
    a2.w[k] = 3.0 * a.w[k];
    b2.w[k] = 3.0 * b.w[k];
  }
  wasp_metric_result res;
  expect_value(eval_ok(ctx, &a2, &b2, &res, "l2 x3"), 3.0 * want, 1e-13, "l2 is not normalised");
  /* a hand example: (1, 2, 2) vs 0 -> 3 */
  wasp_measure c = grid(1, 3), z = grid(1, 3);
  c.w[0] = 1.0;
  c.w[1] = -2.0;
  c.w[2] = 2.0;
  expect_value(eval_ok(ctx, &c, &z, &res, "l2 hand"), 3.0, 1e-15, "l2((1,-2,2), 0)");
  wasp_metric_ctx_destroy(&ctx);
  wasp_measure_destroy(&a);
  wasp_measure_destroy(&b);
  wasp_measure_destroy(&a2);
  wasp_measure_destroy(&b2);
  wasp_measure_destroy(&c);
  wasp_measure_destroy(&z);
}
END_TEST

/* ---- wp ------------------------------------------------------------------------------ */

START_TEST(wp_dirac_is_the_distance)
{
  char what[160];
  for (int e = 0; e < 3; e++) {
    double p = pvals[e];
    /* 6 x 10, default spacing 1/10: (1, 2) -> (4, 7) is sqrt(0.34) */
    wasp_measure a = grid(6, 10), b = grid(6, 10);
    a.w[1 * 10 + 2] = 3.0;
    b.w[4 * 10 + 7] = 0.5; /* masses differ: wp normalises */
    wasp_metric_ctx *ctx = make_ctx("wp", p, false, false, 0.0);
    wasp_metric_result res;
    snprintf(what, sizeof what, "wp dirac 6x10 p=%g", p);
    expect_value(eval_ok(ctx, &a, &b, &res, what), sqrt(0.34), 1e-12, what);
    check_certificate(&res, what);
    /* on the torus: (0, 0) -> (5, 9) is one step on each axis */
    wasp_metric_ctx_destroy(&ctx);
    memset(a.w, 0, sizeof(double) * 60);
    memset(b.w, 0, sizeof(double) * 60);
    a.w[0] = 1.0;
    b.w[5 * 10 + 9] = 1.0;
    ctx = make_ctx("wp", p, true, false, 0.0);
    snprintf(what, sizeof what, "wp dirac torus 6x10 p=%g", p);
    expect_value(eval_ok(ctx, &a, &b, &res, what), sqrt(0.02), 1e-12, what);
    wasp_metric_ctx_destroy(&ctx);
    ctx = make_ctx("wp", p, false, false, 0.0);
    snprintf(what, sizeof what, "wp dirac plane 6x10 p=%g", p);
    expect_value(eval_ok(ctx, &a, &b, &res, what), sqrt(0.25 + 0.81), 1e-12, what);
    wasp_metric_ctx_destroy(&ctx);
    /* explicit spacing 0.3 on 5 x 5: (0, 0) -> (0, 3) is 0.9 */
    wasp_measure c = grid(5, 5), d = grid(5, 5);
    c.w[0] = 1.0;
    d.w[3] = 2.0;
    ctx = make_ctx("wp", p, false, false, 0.3);
    snprintf(what, sizeof what, "wp dirac spacing 0.3 p=%g", p);
    expect_value(eval_ok(ctx, &c, &d, &res, what), 0.9, 1e-12, what);
    wasp_metric_ctx_destroy(&ctx);
    /* same pixel: 0 */
    ctx = make_ctx("wp", p, true, false, 0.0);
    ck_assert_msg(eval_ok(ctx, &c, &c, &res, "wp same dirac") == 0.0, "wp(delta, delta) = %g",
                  res.value);
    wasp_metric_ctx_destroy(&ctx);
    wasp_measure_destroy(&a);
    wasp_measure_destroy(&b);
    wasp_measure_destroy(&c);
    wasp_measure_destroy(&d);
  }
}
END_TEST

/* delta_x against (delta_y + 3 delta_z)/4: the plan is forced. */
START_TEST(wp_forced_split)
{
  for (int e = 0; e < 3; e++) {
    double p = pvals[e];
    wasp_measure a = grid(8, 8), b = grid(8, 8);
    long x = 1 * 8 + 1, y = 5 * 8 + 2, z = 2 * 8 + 6;
    a.w[x] = 7.0;
    b.w[y] = 1.0;
    b.w[z] = 3.0;
    double h = 1.0 / 8;
    double want = pow(0.25 * grid_cost(8, 8, h, 0, p, x, y) + 0.75 * grid_cost(8, 8, h, 0, p, x, z),
                      1.0 / p);
    wasp_metric_ctx *ctx = make_ctx("wp", p, false, false, 0.0);
    wasp_metric_result res;
    char what[64];
    snprintf(what, sizeof what, "wp forced split p=%g", p);
    double v = eval_ok(ctx, &a, &b, &res, what);
    expect_value(v, want, 1e-12, what);
    check_plan(ctx, 8, 8, h, 0, p, a.w, b.w, 1, v, what);
    wasp_metric_ctx_destroy(&ctx);
    wasp_measure_destroy(&a);
    wasp_measure_destroy(&b);
  }
}
END_TEST

/* A cyclic shift of a blob straddling both seams: W_p = |v| h (the union
 * of the supports spans less than half a period on each axis). */
START_TEST(wp_shift_on_torus)
{
  uint64_t rng = 11;
  const int shifts[][2] = {{1, 0}, {0, 3}, {2, -2}, {-3, 1}};
  char what[128];
  for (int q = 0; q < 4; q++)
    for (int e = 0; e < 3; e++) {
      const int n = 16;
      wasp_measure a = grid(n, n), b = grid(n, n);
      for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++) {
          int si = (n - 2 + i) % n, sj = (n - 1 + j) % n;
          int ti = (si + shifts[q][0] + n) % n, tj = (sj + shifts[q][1] + n) % n;
          double w = 0.1 + unit_uniform(&rng);
          a.w[si * n + sj] = w;
          b.w[ti * n + tj] = 2.0 * w; /* normalised away */
        }
      wasp_metric_ctx *ctx = make_ctx("wp", pvals[e], true, false, 0.0);
      wasp_metric_result res;
      snprintf(what, sizeof what, "wp torus shift (%d, %d) p=%g", shifts[q][0], shifts[q][1], pvals[e]);
      double v = eval_ok(ctx, &a, &b, &res, what);
      expect_value(v, hypot(shifts[q][0], shifts[q][1]) / n, VALUE_RTOL, what);
      check_certificate(&res, what);
      check_plan(ctx, n, n, 1.0 / n, 1, pvals[e], a.w, b.w, 1, v, what);
      wasp_metric_ctx_destroy(&ctx);
      wasp_measure_destroy(&a);
      wasp_measure_destroy(&b);
    }
  /* a uniform image is its own cyclic shift: 0 */
  wasp_measure u = grid(8, 8);
  for (long k = 0; k < 64; k++) u.w[k] = 1.0 / 64;
  wasp_metric_ctx *ctx = make_ctx("wp", 1.0, true, false, 0.0);
  wasp_metric_result res;
  double v = eval_ok(ctx, &u, &u, &res, "uniform");
  ck_assert_msg(v <= 1e-15, "wp(uniform, uniform) = %g", v);
  wasp_metric_ctx_destroy(&ctx);
  wasp_measure_destroy(&u);
}
END_TEST

/* 1 x n and n x 1 images with zero pixels against the quantile formula. */
START_TEST(wp_one_dimensional)
{
  uint64_t rng = 12;
  char what[128];
  for (int e = 0; e < 3; e++)
    for (int trial = 0; trial < 6; trial++) {
      const int n = 50;
      int ny = trial % 2 ? n : 1, nx = trial % 2 ? 1 : n;
      wasp_measure a = grid(ny, nx), b = grid(ny, nx);
      for (long k = 0; k < n; k++) {
        a.w[k] = unit_uniform(&rng) < 0.3 ? 0.0 : unit_uniform(&rng);
        b.w[k] = unit_uniform(&rng) < 0.3 ? 0.0 : 5.0 * unit_uniform(&rng);
      }
      double h = grid_h(ny, nx, 0.0);
      double want = pow(quantile_grid(n, h, a.w, b.w, pvals[e]) / total(n, a.w), 1.0 / pvals[e]);
      wasp_metric_ctx *ctx = make_ctx("wp", pvals[e], false, false, 0.0);
      wasp_metric_result res;
      snprintf(what, sizeof what, "wp %dx%d p=%g trial %d", ny, nx, pvals[e], trial);
      double v = eval_ok(ctx, &a, &b, &res, what);
      expect_value(v, want, VALUE_RTOL, what);
      check_certificate(&res, what);
      check_plan(ctx, ny, nx, h, 0, pvals[e], a.w, b.w, 1, v, what);
      wasp_metric_ctx_destroy(&ctx);
      wasp_measure_destroy(&a);
      wasp_measure_destroy(&b);
    }
}
END_TEST

START_TEST(wp_random_vs_glpk)
{
#ifndef WASP_HAVE_GLPK
  printf("wp_random_vs_glpk skipped: GLPK not found\n");
#else
  uint64_t rng = 13;
  char what[128];
  const int dims[][2] = {{8, 8}, {7, 10}};
  for (int d = 0; d < 2; d++)
    for (int torus = 0; torus < 2; torus++)
      for (int e = 0; e < 3; e++) {
        int ny = dims[d][0], nx = dims[d][1];
        long n = (long)ny * nx;
        wasp_measure a = grid(ny, nx), b = grid(ny, nx);
        for (long k = 0; k < n; k++) {
          a.w[k] = unit_uniform(&rng) < 0.4 ? 0.0 : unit_uniform(&rng);
          b.w[k] = unit_uniform(&rng) < 0.4 ? 0.0 : 3.0 * unit_uniform(&rng);
        }
        double h = grid_h(ny, nx, 0.0);
        snprintf(what, sizeof what, "wp %dx%d torus=%d p=%g", ny, nx, torus, pvals[e]);
        double want = pow(glpk_grid(ny, nx, h, torus, pvals[e], a.w, b.w, what) / total(n, a.w),
                          1.0 / pvals[e]);
        wasp_metric_ctx *ctx = make_ctx("wp", pvals[e], torus, false, 0.0);
        wasp_metric_result res;
        double v = eval_ok(ctx, &a, &b, &res, what);
        expect_value(v, want, VALUE_RTOL, what);
        check_certificate(&res, what);
        check_plan(ctx, ny, nx, h, torus, pvals[e], a.w, b.w, 1, v, what);
        wasp_metric_ctx_destroy(&ctx);
        wasp_measure_destroy(&a);
        wasp_measure_destroy(&b);
      }
#endif
}
END_TEST

/* Point clouds with their own coordinates, different point counts and a
 * zero-weight point (which the metric must leave out of the LP). */
START_TEST(wp_clouds)
{
  for (int e = 0; e < 3; e++) {
    double p = pvals[e];
    wasp_measure a, b;
    ck_assert_int_eq(wasp_measure_create_cloud(1, 3, &a), WASP_OK);
    ck_assert_int_eq(wasp_measure_create_cloud(3, 3, &b), WASP_OK);
    a.w[0] = 2.0; /* at the origin */
    const double yb[] = {1.0, 2.0, 2.0, 0.0, 0.0, 4.0, 9.0, 9.0, 9.0};
    memcpy(b.coords, yb, sizeof yb);
    b.w[0] = 1.0;
    b.w[1] = 3.0;
    b.w[2] = 0.0;
    double want = pow(0.25 * pow(3.0, p) + 0.75 * pow(4.0, p), 1.0 / p);
    wasp_metric_ctx *ctx = make_ctx("wp", p, false, false, 0.0);
    wasp_metric_result res;
    char what[64];
    snprintf(what, sizeof what, "wp clouds p=%g", p);
    expect_value(eval_ok(ctx, &a, &b, &res, what), want, 1e-12, what);
    check_certificate(&res, what);
    wasp_metric_ctx_destroy(&ctx);
    wasp_measure_destroy(&a);
    wasp_measure_destroy(&b);
  }
}
END_TEST

/* ---- signed ----------------------------------------------------------------------------- */

/* 1 x 8 (h = 1/8): a = d0 - d3 + d5, b = d1.  S = d0 + d5, T = d1 + d3, C = 2;
 * monotone matching 0->1, 5->3: W_p^p = (1 + 2^p) h^p, not divided by C. */
START_TEST(signed_known_line)
{
  for (int e = 0; e < 3; e++) {
    double p = pvals[e], h = 1.0 / 8;
    wasp_measure a = grid(1, 8), b = grid(1, 8);
    a.w[0] = 1.0;
    a.w[3] = -1.0;
    a.w[5] = 1.0;
    b.w[1] = 1.0;
    wasp_metric_ctx *ctx = make_ctx("signed", p, false, false, 0.0);
    wasp_metric_result res;
    char what[64];
    snprintf(what, sizeof what, "signed line p=%g", p);
    double v = eval_ok(ctx, &a, &b, &res, what);
    expect_value(v, pow((1.0 + pow(2.0, p)) * pow(h, p), 1.0 / p), 1e-12, what);
    ck_assert_msg(close_rel(res.mass, 2.0, 1e-12), "%s: mass %g, want C = 2", what, res.mass);
    check_certificate(&res, what);
    expect_value(res.ot.value, pow(v, p), 1e-11, "signed line: res.ot.value is the raw LP cost");
    double S[8], T[8];
    split_signed(8, a.w, b.w, S, T);
    check_plan(ctx, 1, 8, h, 0, p, S, T, 0, v, what);
    wasp_metric_ctx_destroy(&ctx);
    /* normalised: the same plan per unit mass */
    ctx = make_ctx("signed", p, false, true, 0.0);
    snprintf(what, sizeof what, "signed line normalised p=%g", p);
    v = eval_ok(ctx, &a, &b, &res, what);
    expect_value(v, pow((1.0 + pow(2.0, p)) * pow(h, p) / 2.0, 1.0 / p), 1e-12, what);
    wasp_metric_ctx_destroy(&ctx);
    wasp_measure_destroy(&a);
    wasp_measure_destroy(&b);
  }
}
END_TEST

/* 8 x 8: a = d(0,0) + d(3,4) - d(3,0), b = d(0,4): S = d(0,0) + d(3,4),
 * T = d(0,4) + d(3,0).  Vertical moves (3 + 3) beat horizontal (4 + 4):
 * W_p = 2^(1/p) * 3h on plane and torus. */
START_TEST(signed_known_square)
{
  for (int torus = 0; torus < 2; torus++)
    for (int e = 0; e < 3; e++) {
      double p = pvals[e];
      wasp_measure a = grid(8, 8), b = grid(8, 8);
      a.w[0] = 1.0;
      a.w[3 * 8 + 4] = 1.0;
      a.w[3 * 8 + 0] = -1.0;
      b.w[0 * 8 + 4] = 1.0;
      wasp_metric_ctx *ctx = make_ctx("signed", p, torus, false, 0.0);
      wasp_metric_result res;
      char what[64];
      snprintf(what, sizeof what, "signed square torus=%d p=%g", torus, p);
      double v = eval_ok(ctx, &a, &b, &res, what);
      expect_value(v, pow(2.0, 1.0 / p) * 3.0 / 8.0, 1e-12, what);
      ck_assert_msg(close_rel(res.mass, 2.0, 1e-12), "%s: mass %g, want C = 2", what, res.mass);
      wasp_metric_ctx_destroy(&ctx);
      wasp_measure_destroy(&a);
      wasp_measure_destroy(&b);
    }
}
END_TEST

/* A zero-sum perturbation: a = d_z + t d_x - t d_y, b = d_z.  Then
 * S = d_z + t d_x, T = d_z + t d_y, C = 1 + t, and moving t from x to y is
 * optimal for every p >= 1 (d_xy^p <= d_xz^p + d_zy^p), so
 * W^± = (t d_xy^p)^(1/p): the cost of moving, not divided by C. */
START_TEST(signed_zero_sum_perturbation)
{
  const double ts[] = {0.1, 0.5, 2.0};
  for (int torus = 0; torus < 2; torus++)
    for (int e = 0; e < 3; e++)
      for (int q = 0; q < 3; q++) {
        double p = pvals[e], t = ts[q], h = 1.0 / 16;
        wasp_measure a = grid(16, 16), b = grid(16, 16);
        long z = 12 * 16 + 3, x = 2 * 16 + 4, y = 5 * 16 + 9;
        a.w[z] = 1.0;
        a.w[x] += t;
        a.w[y] -= t;
        b.w[z] = 1.0;
        double dxy = grid_cost(16, 16, h, torus, 1.0, x, y); /* p = 1: the distance */
        wasp_metric_ctx *ctx = make_ctx("signed", p, torus, false, 0.0);
        wasp_metric_result res;
        char what[96];
        snprintf(what, sizeof what, "signed perturbation t=%g torus=%d p=%g", t, torus, p);
        double v = eval_ok(ctx, &a, &b, &res, what);
        expect_value(v, pow(t, 1.0 / p) * dxy, 1e-12, what);
        ck_assert_msg(close_rel(res.mass, 1.0 + t, 1e-12), "%s: mass %.17g, want C = %.17g", what,
                      res.mass, 1.0 + t);
        check_certificate(&res, what);
        wasp_metric_ctx_destroy(&ctx);
        ctx = make_ctx("signed", p, torus, true, 0.0);
        snprintf(what, sizeof what, "signed perturbation normalised t=%g torus=%d p=%g", t, torus, p);
        v = eval_ok(ctx, &a, &b, &res, what);
        expect_value(v, pow(t / (1.0 + t), 1.0 / p) * dxy, 1e-12, what);
        wasp_metric_ctx_destroy(&ctx);
        wasp_measure_destroy(&a);
        wasp_measure_destroy(&b);
      }
}
END_TEST

/* Signed 1 x n and n x 1 images against the quantile formula on S and T
 * built by hand; equal totals (plain) and unequal totals (normalised). */
START_TEST(signed_one_dimensional)
{
  uint64_t rng = 21;
  char what[128];
  for (int e = 0; e < 3; e++)
    for (int trial = 0; trial < 8; trial++) {
      const int n = 40;
      int ny = trial % 2 ? n : 1, nx = trial % 2 ? 1 : n;
      int normalize = trial >= 4;
      wasp_measure a = grid(ny, nx), b = grid(ny, nx);
      for (long k = 0; k < n; k++) {
        a.w[k] = unit_normal(&rng);
        b.w[k] = 0.5 + unit_normal(&rng);
      }
      if (!normalize) { /* equal totals */
        double shift = (total(n, a.w) - total(n, b.w)) / n;
        for (long k = 0; k < n; k++) b.w[k] += shift;
      }
      double S[40], T[40], h = 1.0 / n;
      split_signed(n, a.w, b.w, S, T);
      double cost = quantile_grid(n, h, S, T, pvals[e]), C = total(n, S);
      double want = pow(normalize ? cost / C : cost, 1.0 / pvals[e]);
      wasp_metric_ctx *ctx = make_ctx("signed", pvals[e], false, normalize, 0.0);
      wasp_metric_result res;
      snprintf(what, sizeof what, "signed %dx%d p=%g normalize=%d trial %d", ny, nx, pvals[e],
               normalize, trial);
      double v = eval_ok(ctx, &a, &b, &res, what);
      expect_value(v, want, VALUE_RTOL, what);
      check_certificate(&res, what);
      if (!normalize) {
        ck_assert_msg(close_rel(res.mass, C, 1e-12), "%s: mass %.17g, want C = %.17g", what,
                      res.mass, C);
      }
      check_plan(ctx, ny, nx, h, 0, pvals[e], S, T, normalize, v, what);
      wasp_metric_ctx_destroy(&ctx);
      wasp_measure_destroy(&a);
      wasp_measure_destroy(&b);
    }
}
END_TEST

/* The noise study on a line (no GLPK needed): two probability images on
 * 1 x 64, zero-sum noise on both, against the quantile formula on S, T. */
START_TEST(signed_noise_on_a_line)
{
  uint64_t rng = 24;
  char what[160];
  const double sigmas[] = {1e-6, 1e-3, 1e-1, 1.0};
  const long n = 64;
  for (int q = 0; q < 4; q++)
    for (int e = 0; e < 3; e++) {
      double p = pvals[e], h = 1.0 / n;
      wasp_measure a = grid(1, (int)n), b = grid(1, (int)n);
      blob(1, (int)n, 0.0, 15.0, 4.0, 0.0, a.w);
      blob(1, (int)n, 0.0, 44.0, 6.0, 0.0, b.w);
      zero_sum_noise(&rng, n, sigmas[q], a.w);
      zero_sum_noise(&rng, n, sigmas[q], b.w);
      double S[64], T[64];
      split_signed(n, a.w, b.w, S, T);
      double C = total(n, S), cost = quantile_grid(n, h, S, T, p);
      for (int normalize = 0; normalize < 2; normalize++) {
        wasp_metric_ctx *ctx = make_ctx("signed", p, false, normalize, 0.0);
        wasp_metric_result res;
        snprintf(what, sizeof what, "signed line sigma=%g p=%g normalize=%d (C = %.4g)", sigmas[q],
                 p, normalize, C);
        double v = eval_ok(ctx, &a, &b, &res, what);
        expect_value(v, pow(normalize ? cost / C : cost, 1.0 / p), VALUE_RTOL, what);
        check_certificate(&res, what);
        if (!normalize)
          ck_assert_msg(close_rel(res.mass, C, 1e-12), "%s: mass %.17g, want C = %.17g", what,
                        res.mass, C);
        check_plan(ctx, 1, (int)n, h, 0, p, S, T, normalize, v, what);
        wasp_metric_ctx_destroy(&ctx);
      }
      wasp_measure_destroy(&a);
      wasp_measure_destroy(&b);
    }
}
END_TEST

/* The noise study's setting at 8 x 8: two probability images, both noised
 * with zero-sum Gaussian noise; reference LP built from S and T by hand. */
START_TEST(signed_random_vs_glpk)
{
#ifndef WASP_HAVE_GLPK
  printf("signed_random_vs_glpk skipped: GLPK not found\n");
#else
  uint64_t rng = 22;
  char what[160];
  const double sigmas[] = {1e-3, 1e-2, 0.1, 1.0};
  const int n = 8;
  const long N = 64;
  for (int q = 0; q < 4; q++)
    for (int torus = 0; torus < 2; torus++)
      for (int e = 0; e < 2; e++) {
        double p = pvals[e], h = 1.0 / n;
        wasp_measure a = grid(n, n), b = grid(n, n);
        blob(n, n, 2.0, 2.5, 1.2, 0.0, a.w);
        blob(n, n, 5.5, 5.0, 1.5, 0.0, b.w);
        zero_sum_noise(&rng, N, sigmas[q], a.w);
        zero_sum_noise(&rng, N, sigmas[q], b.w);
        double S[64], T[64];
        split_signed(N, a.w, b.w, S, T);
        double C = total(N, S);
        snprintf(what, sizeof what, "signed 8x8 sigma=%g torus=%d p=%g (C = %.4g)", sigmas[q],
                 torus, p, C);
        double cost = glpk_grid(n, n, h, torus, p, S, T, what);
        for (int normalize = 0; normalize < 2; normalize++) {
          wasp_metric_ctx *ctx = make_ctx("signed", p, torus, normalize, 0.0);
          wasp_metric_result res;
          char w2[200];
          snprintf(w2, sizeof w2, "%s normalize=%d", what, normalize);
          double v = eval_ok(ctx, &a, &b, &res, w2);
          expect_value(v, pow(normalize ? cost / C : cost, 1.0 / p), VALUE_RTOL, w2);
          check_certificate(&res, w2);
          if (!normalize)
            ck_assert_msg(close_rel(res.mass, C, 1e-12), "%s: mass %.17g, want C = %.17g", w2,
                          res.mass, C);
          check_plan(ctx, n, n, h, torus, p, S, T, normalize, v, w2);
          wasp_metric_ctx_destroy(&ctx);
        }
        wasp_measure_destroy(&a);
        wasp_measure_destroy(&b);
      }
#endif
}
END_TEST

/* Unequal masses: an error without -normalize that names both sums and the
 * option; with normalize, W_p(S/|S|, T/|T|); within 1e-10 relative, fine. */
START_TEST(signed_unequal_masses)
{
  uint64_t rng = 23;
  const int n = 8;
  wasp_measure a = grid(n, n), b = grid(n, n);
  const double sums[][2] = {{1.0, 1.1}, {2.5, 3.75}};
  for (int q = 0; q < 2; q++) {
    for (long k = 0; k < 64; k++) {
      a.w[k] = unit_uniform(&rng);
      b.w[k] = unit_uniform(&rng);
    }
    double sa = total(64, a.w), sb = total(64, b.w);
    for (long k = 0; k < 64; k++) {
      a.w[k] *= sums[q][0] / sa;
      b.w[k] *= sums[q][1] / sb;
    }
    /* make the totals land exactly on the round numbers */
    a.w[0] += sums[q][0] - total(64, a.w);
    b.w[0] += sums[q][1] - total(64, b.w);
    wasp_metric_ctx *ctx = make_ctx("signed", 1.0, false, false, 0.0);
    wasp_metric_result res;
    wasp_status st = eval(ctx, &a, &b, &res);
    const char *msg = wasp_last_error();
    char s0[32], s1[32];
    snprintf(s0, sizeof s0, "%g", sums[q][0]);
    snprintf(s1, sizeof s1, "%g", sums[q][1]);
    ck_assert_msg(st == WASP_ERR_INPUT, "signed, masses %s vs %s: status %d, want WASP_ERR_INPUT",
                  s0, s1, (int)st);
    ck_assert_msg(strstr(msg, s0) && strstr(msg, s1) && strstr(msg, "-normalize"),
                  "signed, masses %s vs %s: the message should give both sums and suggest "
                  "-normalize: '%s'",
                  s0, s1, msg);
    wasp_metric_ctx_destroy(&ctx);
    /* normalised: works, = W_p(a/|a|, b/|b|) = wp for nonnegative images */
    for (int e = 0; e < 3; e++) {
      wasp_metric_ctx *sg = make_ctx("signed", pvals[e], true, true, 0.0);
      wasp_metric_ctx *wp = make_ctx("wp", pvals[e], true, false, 0.0);
      wasp_metric_result r1, r2;
      char what[160];
      snprintf(what, sizeof what, "signed -normalize, masses %s vs %s, p=%g", s0, s1, pvals[e]);
      double v1 = eval_ok(sg, &a, &b, &r1, what), v2 = eval_ok(wp, &a, &b, &r2, what);
      expect_value(v1, v2, 1e-10, what);
#ifdef WASP_HAVE_GLPK
      double want = pow(glpk_grid(n, n, 1.0 / n, 1, pvals[e], a.w, b.w, what) / sums[q][0],
                        1.0 / pvals[e]);
      expect_value(v1, want, VALUE_RTOL, what);
#endif
      wasp_metric_ctx_destroy(&sg);
      wasp_metric_ctx_destroy(&wp);
    }
  }
  /* equal to within 1e-10 relative: accepted without -normalize */
  for (long k = 0; k < 64; k++) {
    a.w[k] = unit_uniform(&rng);
    b.w[k] = unit_uniform(&rng);
  }
  double sa = total(64, a.w), sb = total(64, b.w);
  for (long k = 0; k < 64; k++) b.w[k] *= (1.0 + 1e-10) * sa / sb;
  wasp_metric_ctx *ctx = make_ctx("signed", 2.0, false, false, 0.0);
  wasp_metric_result res;
  wasp_status st = eval(ctx, &a, &b, &res);
  ck_assert_msg(st == WASP_OK, "signed, masses equal to 1e-10 relative: %d %s", (int)st,
                wasp_last_error());
  check_certificate(&res, "signed, masses equal to 1e-10");
  wasp_metric_ctx_destroy(&ctx);
  wasp_measure_destroy(&a);
  wasp_measure_destroy(&b);
}
END_TEST

/* ---- errors ----------------------------------------------------------------------------- */

START_TEST(wp_rejects_negative_pixels)
{
  wasp_measure a = grid(4, 5), b = grid(4, 5);
  for (long k = 0; k < 20; k++) a.w[k] = b.w[k] = 0.05;
  a.w[2 * 5 + 3] = -0.01;
  wasp_metric_ctx *ctx = make_ctx("wp", 2.0, false, false, 0.0);
  wasp_metric_result res;
  memset(&res, 0, sizeof res);
  wasp_clear_error();
  wasp_status st = wasp_metric_eval(ctx, &a, "left.h5:7", &b, "right.h5:9", &res);
  const char *msg = wasp_last_error();
  ck_assert_msg(st == WASP_ERR_INPUT, "wp with a negative pixel: status %d, want WASP_ERR_INPUT",
                (int)st);
  ck_assert_msg(strstr(msg, "left.h5:7") != NULL,
                "the message should name the image with the negative pixel (left.h5:7): '%s'", msg);
  ck_assert_msg(strstr(msg, "(2, 3)") || strstr(msg, "(2,3)"),
                "the message should give the pixel (2, 3): '%s'", msg);
  /* in b */
  a.w[2 * 5 + 3] = 0.05;
  b.w[3 * 5 + 1] = -1e-9;
  wasp_clear_error();
  st = wasp_metric_eval(ctx, &a, "left.h5:7", &b, "right.h5:9", &res);
  msg = wasp_last_error();
  ck_assert_msg(st == WASP_ERR_INPUT, "wp with a negative pixel in b: status %d", (int)st);
  ck_assert_msg(strstr(msg, "right.h5:9") && (strstr(msg, "(3, 1)") || strstr(msg, "(3,1)")),
                "the message should name right.h5:9 and pixel (3, 1): '%s'", msg);
  wasp_metric_ctx_destroy(&ctx);
  /* signed takes the same images */
  ctx = make_ctx("signed", 2.0, false, true, 0.0);
  ck_assert_msg(eval(ctx, &a, &b, &res) == WASP_OK, "signed refused a negative pixel: %s",
                wasp_last_error());
  wasp_metric_ctx_destroy(&ctx);
  wasp_measure_destroy(&a);
  wasp_measure_destroy(&b);
}
END_TEST

START_TEST(non_finite_values_are_refused)
{
  const char *names[] = {"l2", "wp", "signed"};
  const double bad[] = {NAN, INFINITY, -INFINITY};
  for (int q = 0; q < 3; q++)
    for (int k = 0; k < 3; k++)
      for (int side = 0; side < 2; side++) {
        wasp_measure a = grid(4, 4), b = grid(4, 4);
        for (long i = 0; i < 16; i++) a.w[i] = b.w[i] = 1.0 / 16;
        (side ? b : a).w[6] = bad[k];
        wasp_metric_ctx *ctx = make_ctx(names[q], 1.0, false, false, 0.0);
        wasp_metric_result res;
        wasp_status st = eval(ctx, &a, &b, &res);
        ck_assert_msg(st == WASP_ERR_INPUT, "%s with %g in %s: status %d, want WASP_ERR_INPUT",
                      names[q], bad[k], side ? "b" : "a", (int)st);
        ck_assert_msg(strstr(wasp_last_error(), side ? "b.h5:2" : "a.h5:1"),
                      "%s with %g: the message should name %s: '%s'", names[q], bad[k],
                      side ? "b.h5:2" : "a.h5:1", wasp_last_error());
        wasp_metric_ctx_destroy(&ctx);
        wasp_measure_destroy(&a);
        wasp_measure_destroy(&b);
      }
}
END_TEST

START_TEST(zero_mass_is_refused)
{
  for (int side = 0; side < 2; side++) {
    wasp_measure a = grid(4, 4), b = grid(4, 4);
    for (long i = 0; i < 16; i++) (side ? a : b).w[i] = 1.0 / 16;
    wasp_metric_ctx *ctx = make_ctx("wp", 2.0, false, false, 0.0);
    wasp_metric_result res;
    wasp_status st = eval(ctx, &a, &b, &res);
    ck_assert_msg(st == WASP_ERR_INPUT, "wp with an all-zero %s: status %d, want WASP_ERR_INPUT",
                  side ? "b" : "a", (int)st);
    ck_assert_msg(strlen(wasp_last_error()) > 0, "wp zero mass: no message");
    wasp_metric_ctx_destroy(&ctx);
    wasp_measure_destroy(&a);
    wasp_measure_destroy(&b);
  }
}
END_TEST

START_TEST(different_shapes_are_refused)
{
  const char *names[] = {"l2", "wp", "signed"};
  for (int q = 0; q < 3; q++) {
    wasp_measure a = grid(4, 5), b = grid(5, 4);
    for (long i = 0; i < 20; i++) a.w[i] = b.w[i] = 0.05;
    wasp_metric_ctx *ctx = make_ctx(names[q], 1.0, false, false, 0.0);
    wasp_metric_result res;
    wasp_status st = eval(ctx, &a, &b, &res);
    const char *msg = wasp_last_error();
    ck_assert_msg(st == WASP_ERR_INPUT, "%s, 4x5 vs 5x4: status %d, want WASP_ERR_INPUT", names[q],
                  (int)st);
    ck_assert_msg(mentions_shape(msg, 4, 5) && mentions_shape(msg, 5, 4),
                  "%s: the message should give both shapes 4 x 5 and 5 x 4: '%s'", names[q], msg);
    /* an image against a point cloud */
    wasp_measure c;
    ck_assert_int_eq(wasp_measure_create_cloud(20, 2, &c), WASP_OK);
    for (long i = 0; i < 20; i++) c.w[i] = 0.05;
    st = eval(ctx, &a, &c, &res);
    ck_assert_msg(st != WASP_OK, "%s: an image against a cloud was accepted", names[q]);
    wasp_metric_ctx_destroy(&ctx);
    wasp_measure_destroy(&a);
    wasp_measure_destroy(&b);
    wasp_measure_destroy(&c);
  }
}
END_TEST

/* One context for images of changing size gives the answers of fresh ones. */
START_TEST(context_reuse)
{
  uint64_t rng = 31;
  const char *names[] = {"wp", "signed"};
  const int sizes[] = {8, 4, 12, 1, 8};
  for (int q = 0; q < 2; q++) {
    int normalize = q == 1; /* -normalize belongs to signed */
    wasp_metric_ctx *shared = make_ctx(names[q], 2.0, true, normalize, 0.0);
    for (int s = 0; s < 5; s++) {
      int n = sizes[s];
      wasp_measure a = grid(n, n), b = grid(n, n);
      for (long k = 0; k < (long)n * n; k++) {
        a.w[k] = 0.1 + unit_uniform(&rng);
        b.w[k] = 0.1 + unit_uniform(&rng);
      }
      wasp_metric_result r1, r2;
      char what[128];
      snprintf(what, sizeof what, "%s reuse %d (%dx%d)", names[q], s, n, n);
      double v1 = eval_ok(shared, &a, &b, &r1, what);
      wasp_metric_ctx *fresh = make_ctx(names[q], 2.0, true, normalize, 0.0);
      double v2 = eval_ok(fresh, &a, &b, &r2, what);
      expect_value(v1, v2, 1e-12, what);
      if (n == 1) ck_assert_msg(v1 == 0.0, "%s: a 1x1 image is at distance 0, got %g", what, v1);
      wasp_metric_ctx_destroy(&fresh);
      wasp_measure_destroy(&a);
      wasp_measure_destroy(&b);
    }
    wasp_metric_ctx_destroy(&shared);
  }
}
END_TEST


/* 1 x 1 images: every cost is 0, the distance is 0 and is still certified. */
START_TEST(single_pixel_images)
{
  const double vals[][2] = {{3e-5, 0.81}, {0.37, 0.37}, {7.1e4, 7.1e4}, {3e-5, 3e-5}};
  const char *names[] = {"wp", "signed"};
  for (int q = 0; q < 2; q++)
    for (int k = 0; k < 4; k++) {
      wasp_measure a = grid(1, 1), b = grid(1, 1);
      a.w[0] = vals[k][0];
      b.w[0] = vals[k][1];
      int normalize = q == 1 && vals[k][0] != vals[k][1];
      wasp_metric_ctx *ctx = make_ctx(names[q], 2.0, k % 2, normalize, 0.0);
      wasp_metric_result res;
      char what[96];
      snprintf(what, sizeof what, "%s 1x1 %g vs %g", names[q], vals[k][0], vals[k][1]);
      ck_assert_msg(eval_ok(ctx, &a, &b, &res, what) == 0.0, "%s: value %g", what, res.value);
      check_certificate(&res, what);
      wasp_metric_ctx_destroy(&ctx);
      wasp_measure_destroy(&a);
      wasp_measure_destroy(&b);
    }
}
END_TEST

int main(void)
{
  Suite *s = suite_create("metric");
  TCase *tc = tcase_create("metric");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, registry_names);
  tcase_add_test(tc, unknown_name_lists_known_names);
  tcase_add_test(tc, p_below_one_is_refused);
  tcase_add_test(tc, l2_is_plain_euclidean);
  tcase_add_test(tc, wp_dirac_is_the_distance);
  tcase_add_test(tc, wp_forced_split);
  tcase_add_test(tc, wp_shift_on_torus);
  tcase_add_test(tc, wp_one_dimensional);
  tcase_add_test(tc, wp_random_vs_glpk);
  tcase_add_test(tc, wp_clouds);
  tcase_add_test(tc, signed_known_line);
  tcase_add_test(tc, signed_known_square);
  tcase_add_test(tc, signed_zero_sum_perturbation);
  tcase_add_test(tc, signed_one_dimensional);
  tcase_add_test(tc, signed_noise_on_a_line);
  tcase_add_test(tc, signed_random_vs_glpk);
  tcase_add_test(tc, signed_unequal_masses);
  tcase_add_test(tc, wp_rejects_negative_pixels);
  tcase_add_test(tc, non_finite_values_are_refused);
  tcase_add_test(tc, zero_mass_is_refused);
  tcase_add_test(tc, different_shapes_are_refused);
  tcase_add_test(tc, context_reuse);
  tcase_add_test(tc, single_pixel_images);
  suite_add_tcase(s, tc);
  return unit_run(s);
}

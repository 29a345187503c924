/* Unit tests of the exact OT solver (include/wasp/wasp_ot.h), written against
 * the header, independently of src/ot.  Every solve is checked against a
 * truth computed here (a closed form, the 1-D quantile formula or the GLPK
 * reference of ref_lp.c) and its certificate is re-checked by brute force
 * over all source x target pairs with costs from the hand formula. */
#include "unit_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_lp.h"
#include "wasp/wasp_cost.h"
#include "wasp/wasp_ot.h"
/* the one private module tested directly: the p = 2 pricing transform */
#include "../../src/ot/ot_sep.h"

#define VALUE_RTOL 1e-9 /* value against an independent truth */

/* ---- geometry: hand formulas, independent of src/ot/cost.c ----------------- */

typedef struct {
  int cloud;        /* 0 grid, 1 cloud */
  int ny, nx;       /* grid */
  double h;
  int torus;
  int dim, nX, nY;  /* cloud: sources are rows of X, targets rows of Y */
  const double *X, *Y;
  double p;
  double lambda;    /* > 0: dummy sites (WASP_SITE_DUMMY) cost lambda */
  double cap;       /* > 0: real moves cost at most cap (flat/TV: 2 lambda) */
} geom;

static double hand_distance(const geom *g, long s, long t)
{
  if (g->cloud) {
    double q = 0.0;
    for (int k = 0; k < g->dim; k++) {
      double d = g->X[s * g->dim + k] - g->Y[t * g->dim + k];
      q += d * d;
    }
    return sqrt(q);
  }
  long di = labs(s / g->nx - t / g->nx), dj = labs(s % g->nx - t % g->nx);
  if (g->torus) {
    if (g->ny - di < di) di = g->ny - di;
    if (g->nx - dj < dj) dj = g->nx - dj;
  }
  double dy = (double)di * g->h, dx = (double)dj * g->h;
  return sqrt(dy * dy + dx * dx);
}

static double hand_cost(const geom *g, long s, long t)
{
  if (s == WASP_SITE_DUMMY || t == WASP_SITE_DUMMY) return s == t ? 0.0 : g->lambda;
  double c = pow(hand_distance(g, s, t), g->p);
  return g->cap > 0.0 && c > g->cap ? g->cap : c;
}

static wasp_cost *geom_cost(const geom *g)
{
  wasp_cost *c = NULL;
  wasp_status st = g->cloud
                       ? wasp_cost_create_cloud(g->dim, g->nX, g->X, g->nY, g->Y, g->p, &c)
                       : wasp_cost_create_grid(g->ny, g->nx, g->h, g->torus, g->p, &c);
  ck_assert_msg(st == WASP_OK && c, "creating the cost model failed: %d %s", (int)st,
                wasp_last_error());
  if (g->lambda > 0.0) ck_assert_int_eq(wasp_cost_set_dummy(c, g->lambda), WASP_OK);
  if (g->cap > 0.0) ck_assert_int_eq(wasp_cost_set_cap(c, g->cap), WASP_OK);
  return c;
}

/* ---- problems ----------------------------------------------------------------- */

typedef struct {
  long ns, nt;
  long *src, *dst;
  double *a, *b;
} problem;

static void problem_alloc(problem *pr, long ns, long nt)
{
  pr->ns = ns;
  pr->nt = nt;
  pr->src = malloc(sizeof(long) * (size_t)(ns > 0 ? ns : 1));
  pr->dst = malloc(sizeof(long) * (size_t)(nt > 0 ? nt : 1));
  pr->a = malloc(sizeof(double) * (size_t)(ns > 0 ? ns : 1));
  pr->b = malloc(sizeof(double) * (size_t)(nt > 0 ? nt : 1));
}

static void problem_free(problem *pr)
{
  free(pr->src);
  free(pr->dst);
  free(pr->a);
  free(pr->b);
  memset(pr, 0, sizeof *pr);
}

static double sum(long n, const double *x)
{
  long double s = 0.0L;
  for (long k = 0; k < n; k++) s += x[k];
  return (double)s;
}

/* scale b so that its total equals that of a (up to rounding) */
static void balance(problem *pr)
{
  double r = sum(pr->ns, pr->a) / sum(pr->nt, pr->b);
  for (long j = 0; j < pr->nt; j++) pr->b[j] *= r;
}

/* random subset of n sites (each kept with probability q, at least one) with
 * masses uniform in [lo, hi) */
static long random_sites(uint64_t *rng, long n, double q, double lo, double hi, long *ids, double *w)
{
  long k = 0;
  for (long s = 0; s < n; s++)
    if (unit_uniform(rng) < q) {
      ids[k] = s;
      w[k] = lo + (hi - lo) * unit_uniform(rng);
      k++;
    }
  if (k == 0) {
    ids[0] = (long)(unit_uniform(rng) * n);
    w[0] = lo + (hi - lo) * unit_uniform(rng);
    k = 1;
  }
  return k;
}

static void random_grid_problem(uint64_t *rng, long nsites, double lo, double hi, problem *pr)
{
  problem_alloc(pr, nsites, nsites);
  double qa = 0.3 + 0.6 * unit_uniform(rng), qb = 0.3 + 0.6 * unit_uniform(rng);
  pr->ns = random_sites(rng, nsites, qa, lo, hi, pr->src, pr->a);
  pr->nt = random_sites(rng, nsites, qb, lo, hi, pr->dst, pr->b);
  balance(pr);
}

static double *dense_cost(const geom *g, const problem *pr)
{
  double *C = malloc(sizeof(double) * (size_t)pr->ns * (size_t)pr->nt);
  for (long i = 0; i < pr->ns; i++)
    for (long j = 0; j < pr->nt; j++) C[i * pr->nt + j] = hand_cost(g, pr->src[i], pr->dst[j]);
  return C;
}

/* ---- the certificate, re-checked by brute force ------------------------------ */

static int close_rel(double got, double want, double rtol)
{
  if (got == want) return 1;
  return fabs(got - want) <= rtol * fmax(fabs(got), fabs(want));
}

static double check_solution(const wasp_ot *ot, const geom *g, const wasp_cost *cost,
                             const problem *pr, wasp_status st, const wasp_ot_result *res,
                             const char *what)
{
  ck_assert_msg(st == WASP_OK, "%s: wasp_ot_solve failed: status %d: %s", what, (int)st,
                wasp_last_error());
  long ns = pr->ns, nt = pr->nt;
  double sa = sum(ns, pr->a), ratio = sa / sum(nt, pr->b);
  double *C = dense_cost(g, pr), cmax = 0.0;
  for (long k = 0; k < ns * nt; k++) cmax = fmax(cmax, C[k]);
  double value = res->value;

  ck_assert_msg(isfinite(value) && value >= 0.0, "%s: value %g", what, value);
  ck_assert_msg(res->optimal == 1, "%s: res.optimal = %d (gap %g, min reduced cost %g, scale %g)",
                what, res->optimal, res->duality_gap, res->min_reduced_cost, res->cost_scale);
  ck_assert_msg(close_rel(res->mass, sa, 1e-12), "%s: res.mass = %.17g, want sum a = %.17g", what,
                res->mass, sa);
  ck_assert_msg(res->primal_residual >= 0.0 && res->primal_residual <= 1e-12 * sa,
                "%s: primal_residual %g > 1e-12 * mass %g", what, res->primal_residual, sa);
  ck_assert_msg(fabs(res->duality_gap) <= 1e-9 * fmax(1.0, fabs(value)),
                "%s: |duality_gap| = %g > 1e-9 * max(1, |value| = %g)", what, res->duality_gap, value);
  ck_assert_msg(res->iterations >= 0, "%s: iterations %ld", what, res->iterations);
  ck_assert_msg(isfinite(res->seconds) && res->seconds >= 0.0, "%s: seconds %g", what, res->seconds);

  /* the plan */
  long nnz = -1;
  const long *is = NULL, *jd = NULL;
  const double *pm = NULL;
  ck_assert_msg(wasp_ot_plan(ot, &nnz, &is, &jd, &pm) == WASP_OK, "%s: wasp_ot_plan: %s", what,
                wasp_last_error());
  ck_assert_msg(nnz >= 1 && nnz <= ns * nt, "%s: plan has %ld entries for %ld x %ld", what, nnz,
                ns, nt);
  long double *row = calloc((size_t)ns, sizeof(long double));
  long double *col = calloc((size_t)nt, sizeof(long double));
  long double pc = 0.0L;
  double plan_cmax = 0.0; /* over entries with mass > 0 */
  for (long k = 0; k < nnz; k++) {
    ck_assert_msg(is[k] >= 0 && is[k] < ns && jd[k] >= 0 && jd[k] < nt,
                  "%s: plan entry %ld = (%ld, %ld) out of range %ld x %ld", what, k, is[k], jd[k],
                  ns, nt);
    ck_assert_msg(isfinite(pm[k]) && !(pm[k] < 0.0), "%s: plan entry %ld (%ld, %ld) has mass %g",
                  what, k, is[k], jd[k], pm[k]);
    row[is[k]] += pm[k];
    col[jd[k]] += pm[k];
    double c = C[is[k] * nt + jd[k]];
    pc += (long double)pm[k] * c;
    if (pm[k] > 0.0) plan_cmax = fmax(plan_cmax, c);
  }
  for (long i = 0; i < ns; i++)
    ck_assert_msg(fabsl(row[i] - pr->a[i]) <= 1e-12 * sa,
                  "%s: plan row %ld (site %ld) sums to %.17Lg, want a = %.17g", what, i, pr->src[i],
                  row[i], pr->a[i]);
  for (long j = 0; j < nt; j++)
    ck_assert_msg(fabsl(col[j] - pr->b[j] * ratio) <= 1e-12 * sa,
                  "%s: plan column %ld (site %ld) sums to %.17Lg, want b = %.17g", what, j,
                  pr->dst[j], col[j], pr->b[j] * ratio);
  ck_assert_msg(fabsl(pc - value) <= 1e-12 * fmax(fabs(value), (double)pc) + 1e-300,
                "%s: sum plan * cost = %.17Lg but value = %.17g", what, pc, value);
  /* the scale for tol, as documented: the cost model's bound over ALL site
   * pairs, 1 if all costs are 0 */
  double bound = wasp_cost_bound(cost), scale = bound > 0.0 ? bound : 1.0;
  ck_assert_msg(res->cost_scale == scale,
                "%s: cost_scale %.17g, want the cost model's bound %.17g (1 if 0); max over the "
                "problem's pairs %.17g, over the plan %.17g",
                what, res->cost_scale, bound, cmax, plan_cmax);
  ck_assert_msg(res->cost_scale >= cmax * (1.0 - 1e-13),
                "%s: cost_scale %.17g below the cost %.17g of a pair",
                what, res->cost_scale, cmax);
  ck_assert_msg(res->min_reduced_cost >= -1e-9 * scale,
                "%s: min_reduced_cost %g < -1e-9 * cost_scale %g", what, res->min_reduced_cost,
                scale);

  /* the potentials: dual feasible on ALL pairs, dual objective = value */
  const double *u = NULL, *v = NULL;
  ck_assert_msg(wasp_ot_potentials(ot, &u, &v) == WASP_OK && u && v, "%s: wasp_ot_potentials: %s",
                what, wasp_last_error());
  double umax = 0.0, vmax = 0.0, bf_min = INFINITY;
  long imin = -1, jmin = -1;
  long double dual = 0.0L;
  for (long i = 0; i < ns; i++) {
    ck_assert_msg(isfinite(u[i]), "%s: u[%ld] = %g", what, i, u[i]);
    umax = fmax(umax, fabs(u[i]));
    dual += (long double)pr->a[i] * u[i];
  }
  for (long j = 0; j < nt; j++) {
    ck_assert_msg(isfinite(v[j]), "%s: v[%ld] = %g", what, j, v[j]);
    vmax = fmax(vmax, fabs(v[j]));
    dual += (long double)(pr->b[j] * ratio) * v[j];
  }
  for (long i = 0; i < ns; i++)
    for (long j = 0; j < nt; j++) {
      double d = C[i * nt + j] - u[i] - v[j];
      if (d < bf_min) {
        bf_min = d;
        imin = i;
        jmin = j;
      }
    }
  ck_assert_msg(bf_min >= -1e-9 * scale,
                "%s: u[%ld] + v[%ld] = %.17g exceeds c = %.17g by %g (> 1e-9 * cost_scale %g)", what,
                imin, jmin, u[imin] + v[jmin], C[imin * nt + jmin], -bf_min, scale);
  /* min over ALL arcs; on grids a proven lower bound of it: never above */
  double rtol = 1e-11 * (cmax + umax + vmax);
  ck_assert_msg(res->min_reduced_cost <= bf_min + rtol,
                "%s: res.min_reduced_cost %.17g is above the minimum over all pairs %.17g", what,
                res->min_reduced_cost, bf_min);
  if (g->cloud)
    ck_assert_msg(res->min_reduced_cost >= bf_min - rtol,
                  "%s: res.min_reduced_cost %.17g but the minimum over all pairs is %.17g", what,
                  res->min_reduced_cost, bf_min);
  ck_assert_msg(fabsl(dual - value) <= 1e-9 * fabs(value) + 1e-13 * sa * scale,
                "%s: sum a u + sum b v = %.17Lg but value = %.17g", what, dual, value);

  free(row);
  free(col);
  free(C);
  return value;
}

static double solve_checked(wasp_ot *ot, const geom *g, const problem *pr, const char *what)
{
  wasp_cost *c = geom_cost(g);
  wasp_ot_result res;
  memset(&res, 0, sizeof res);
  wasp_status st = wasp_ot_solve(ot, c, pr->ns, pr->src, pr->a, pr->nt, pr->dst, pr->b, &res);
  double v = check_solution(ot, g, c, pr, st, &res, what);
  wasp_cost_destroy(&c);
  return v;
}

static wasp_ot *new_solver(void)
{
  wasp_ot_options opt;
  wasp_ot_options_default(&opt);
  wasp_ot *ot = NULL;
  ck_assert_msg(wasp_ot_create(&opt, &ot) == WASP_OK && ot, "wasp_ot_create: %s", wasp_last_error());
  return ot;
}

static void expect_value(double got, double want, double rtol, const char *what)
{
  ck_assert_msg(close_rel(got, want, rtol) || fabs(got - want) <= 1e-300,
                "%s: value %.17g, want %.17g (rel diff %.3g > %g)", what, got, want,
                fabs(got - want) / fmax(fabs(want), 1e-300), rtol);
}

static const double pvals[] = {1.0, 2.0, 3.0};

/* ---- tests ------------------------------------------------------------------------ */

START_TEST(options_default)
{
  wasp_ot_options opt;
  memset(&opt, 0xff, sizeof opt);
  wasp_ot_options_default(&opt);
  ck_assert_msg(opt.tol == 1e-9, "default tol %g, want 1e-9", opt.tol);
  ck_assert_msg(opt.max_pivots == 0, "default max_pivots %ld, want 0 (no limit)", opt.max_pivots);
  ck_assert_msg(opt.block == 0, "default block %ld, want 0 (automatic)", opt.block);
  ck_assert_msg(opt.lean_nodes == 0 && opt.lazy_nodes == 0 && opt.compact_nodes == 0 && opt.one_axis == 0 &&
                    opt.window_seed == 0 && opt.neighbourhood == 0,
                "default path thresholds must be 0 (automatic)");
  wasp_ot *ot = new_solver();
  wasp_ot_destroy(&ot);
  ck_assert_msg(ot == NULL, "wasp_ot_destroy must set the handle to NULL");
}
END_TEST

START_TEST(dirac_to_dirac)
{
  wasp_ot *ot = new_solver();
  char what[160];
  const double masses[] = {1.0, 2.5, 1e-7, 3e5};
  const long pairs[][2] = {{0, 63}, {63, 0}, {9, 9}, {3, 59}, {8, 15}, {27, 36}};
  for (int torus = 0; torus < 2; torus++)
    for (int e = 0; e < 3; e++)
      for (int q = 0; q < 6; q++)
        for (int m = 0; m < 4; m++) {
          geom g = {.cloud = 0, .ny = 8, .nx = 8, .h = 1.0 / 8, .torus = torus, .p = pvals[e]};
          problem pr;
          problem_alloc(&pr, 1, 1);
          pr.src[0] = pairs[q][0];
          pr.dst[0] = pairs[q][1];
          pr.a[0] = pr.b[0] = masses[m];
          snprintf(what, sizeof what, "dirac %ld -> %ld, mass %g, torus=%d p=%g", pr.src[0],
                   pr.dst[0], masses[m], torus, pvals[e]);
          double v = solve_checked(ot, &g, &pr, what);
          expect_value(v, masses[m] * hand_cost(&g, pr.src[0], pr.dst[0]), 1e-12, what);
          problem_free(&pr);
        }
  /* a cloud: (0,0,0) -> (1,2,2) at distance 3 */
  const double X[] = {0.0, 0.0, 0.0}, Y[] = {1.0, 2.0, 2.0};
  for (int e = 0; e < 3; e++) {
    geom g = {.cloud = 1, .dim = 3, .nX = 1, .nY = 1, .X = X, .Y = Y, .p = pvals[e]};
    problem pr;
    problem_alloc(&pr, 1, 1);
    pr.src[0] = pr.dst[0] = 0;
    pr.a[0] = pr.b[0] = 0.75;
    snprintf(what, sizeof what, "cloud dirac p=%g", pvals[e]);
    expect_value(solve_checked(ot, &g, &pr, what), 0.75 * pow(3.0, pvals[e]), 1e-12, what);
    problem_free(&pr);
  }
  wasp_ot_destroy(&ot);
}
END_TEST

/* 2 x 2 problems: pi_11 = t in [max(0, a1 - b2), min(a1, b1)], the cost is
 * linear in t, so the optimum is at one end. */
START_TEST(two_point_problems)
{
  wasp_ot *ot = new_solver();
  uint64_t rng = 2024;
  char what[160];
  for (int trial = 0; trial < 60; trial++) {
    double X[4], Y[4];
    for (int k = 0; k < 4; k++) {
      X[k] = unit_uniform(&rng) * 2.0 - 1.0;
      Y[k] = unit_uniform(&rng) * 2.0 - 1.0;
    }
    geom g = {.cloud = 1, .dim = 2, .nX = 2, .nY = 2, .X = X, .Y = Y, .p = 1.0 + trial % 3};
    problem pr;
    problem_alloc(&pr, 2, 2);
    pr.src[0] = pr.dst[0] = 0;
    pr.src[1] = pr.dst[1] = 1;
    pr.a[0] = 0.1 + unit_uniform(&rng);
    pr.a[1] = 0.1 + unit_uniform(&rng);
    pr.b[0] = 0.1 + unit_uniform(&rng) * (pr.a[0] + pr.a[1] - 0.2);
    pr.b[1] = (pr.a[0] + pr.a[1]) - pr.b[0];
    double c11 = hand_cost(&g, 0, 0), c12 = hand_cost(&g, 0, 1), c21 = hand_cost(&g, 1, 0),
           c22 = hand_cost(&g, 1, 1);
    double best = INFINITY;
    const double ends[2] = {fmax(0.0, pr.a[0] - pr.b[1]), fmin(pr.a[0], pr.b[0])};
    for (int k = 0; k < 2; k++) {
      double t = ends[k];
      double c = c11 * t + c12 * (pr.a[0] - t) + c21 * (pr.b[0] - t) + c22 * (pr.b[1] - pr.a[0] + t);
      best = fmin(best, c);
    }
    snprintf(what, sizeof what, "2x2 trial %d p=%g", trial, g.p);
    expect_value(solve_checked(ot, &g, &pr, what), best, 1e-11, what);
    problem_free(&pr);
  }
  /* one source, many targets and the reverse: the plan is forced */
  for (int trial = 0; trial < 10; trial++) {
    double X[2 * 6], Y[2 * 6];
    for (int k = 0; k < 12; k++) {
      X[k] = unit_uniform(&rng);
      Y[k] = unit_uniform(&rng);
    }
    geom g = {.cloud = 1, .dim = 2, .nX = 6, .nY = 6, .X = X, .Y = Y, .p = 1.0 + trial % 3};
    problem pr;
    problem_alloc(&pr, 1, 6);
    pr.src[0] = 2;
    pr.a[0] = 1.7;
    for (long j = 0; j < 6; j++) {
      pr.dst[j] = j;
      pr.b[j] = 0.05 + unit_uniform(&rng);
    }
    balance(&pr);
    long double want = 0.0L;
    for (long j = 0; j < 6; j++) want += pr.b[j] * hand_cost(&g, 2, j);
    snprintf(what, sizeof what, "1x6 trial %d", trial);
    expect_value(solve_checked(ot, &g, &pr, what), (double)want, 1e-12, what);
    problem_free(&pr);

    problem_alloc(&pr, 6, 1);
    pr.dst[0] = 4;
    pr.b[0] = 0.3;
    for (long i = 0; i < 6; i++) {
      pr.src[i] = i;
      pr.a[i] = 0.05 + unit_uniform(&rng);
    }
    balance(&pr);
    want = 0.0L;
    for (long i = 0; i < 6; i++) want += pr.a[i] * hand_cost(&g, i, 4);
    snprintf(what, sizeof what, "6x1 trial %d", trial);
    expect_value(solve_checked(ot, &g, &pr, what), (double)want, 1e-12, what);
    problem_free(&pr);
  }
  wasp_ot_destroy(&ot);
}
END_TEST

/* 1-D: grids 1 x n and n x 1 and clouds in dimension 1 against the sorted
 * quantile formula. */
START_TEST(one_dimensional_quantiles)
{
  wasp_ot *ot = new_solver();
  uint64_t rng = 99;
  char what[160];
  const double ps[] = {1.0, 1.5, 2.0, 3.0};
  for (int e = 0; e < 4; e++)
    for (int trial = 0; trial < 8; trial++) {
      const int n = 40;
      for (int orient = 0; orient < 2; orient++) {
        geom g = {.cloud = 0, .ny = orient ? n : 1, .nx = orient ? 1 : n, .h = 1.0 / n, .p = ps[e]};
        problem pr;
        random_grid_problem(&rng, n, 0.05, 1.0, &pr);
        double *x = malloc(sizeof(double) * pr.ns), *y = malloc(sizeof(double) * pr.nt);
        for (long i = 0; i < pr.ns; i++) x[i] = pr.src[i] * g.h; /* either orientation */
        for (long j = 0; j < pr.nt; j++) y[j] = pr.dst[j] * g.h;
        double want = ref_quantile_1d(pr.ns, x, pr.a, pr.nt, y, pr.b, g.p);
        snprintf(what, sizeof what, "grid %dx%d p=%g trial %d (%ld -> %ld sites)", g.ny, g.nx,
                 g.p, trial, pr.ns, pr.nt);
        expect_value(solve_checked(ot, &g, &pr, what), want, VALUE_RTOL, what);
        free(x);
        free(y);
        problem_free(&pr);
      }
      /* cloud in dimension 1, with some coordinates shared across sides */
      int nX = 20 + (int)(unit_uniform(&rng) * 20), nY = 15 + (int)(unit_uniform(&rng) * 30);
      double *X = malloc(sizeof(double) * nX), *Y = malloc(sizeof(double) * nY);
      for (int k = 0; k < nX; k++) X[k] = 3.0 * unit_uniform(&rng) - 1.0;
      for (int k = 0; k < nY; k++) Y[k] = k % 4 == 0 ? X[k % nX] : 2.0 * unit_uniform(&rng);
      geom g = {.cloud = 1, .dim = 1, .nX = nX, .nY = nY, .X = X, .Y = Y, .p = ps[e]};
      problem pr;
      problem_alloc(&pr, nX, nY);
      for (long i = 0; i < nX; i++) {
        pr.src[i] = i;
        pr.a[i] = 0.01 + unit_uniform(&rng);
      }
      for (long j = 0; j < nY; j++) {
        pr.dst[j] = j;
        pr.b[j] = 0.01 + unit_uniform(&rng);
      }
      balance(&pr);
      double want = ref_quantile_1d(nX, X, pr.a, nY, Y, pr.b, g.p);
      snprintf(what, sizeof what, "cloud 1-D p=%g trial %d (%d -> %d)", g.p, trial, nX, nY);
      expect_value(solve_checked(ot, &g, &pr, what), want, VALUE_RTOL, what);
      problem_free(&pr);
      free(X);
      free(Y);
    }
  wasp_ot_destroy(&ot);
}
END_TEST

/* Masses over eight decades: the integer scaling inside the solver must not
 * lose the small ones. */
START_TEST(wide_mass_range)
{
  wasp_ot *ot = new_solver();
  uint64_t rng = 31337;
  char what[160];
  for (int trial = 0; trial < 12; trial++) {
    const int nX = 30, nY = 25;
    double X[30], Y[25];
    for (int k = 0; k < nX; k++) X[k] = unit_uniform(&rng);
    for (int k = 0; k < nY; k++) Y[k] = unit_uniform(&rng);
    geom g = {.cloud = 1, .dim = 1, .nX = nX, .nY = nY, .X = X, .Y = Y, .p = 1.0 + trial % 3};
    problem pr;
    problem_alloc(&pr, nX, nY);
    for (long i = 0; i < nX; i++) {
      pr.src[i] = i;
      pr.a[i] = pow(10.0, -8.0 * unit_uniform(&rng));
    }
    for (long j = 0; j < nY; j++) {
      pr.dst[j] = j;
      pr.b[j] = pow(10.0, -8.0 * unit_uniform(&rng));
    }
    balance(&pr);
    double want = ref_quantile_1d(nX, X, pr.a, nY, Y, pr.b, g.p);
    snprintf(what, sizeof what, "masses 1e-8..1, p=%g trial %d", g.p, trial);
    expect_value(solve_checked(ot, &g, &pr, what), want, VALUE_RTOL, what);
    problem_free(&pr);
  }
  wasp_ot_destroy(&ot);
}
END_TEST

/* Scaling all masses scales the value. */
START_TEST(mass_scaling)
{
  wasp_ot *ot = new_solver();
  uint64_t rng = 5150;
  char what[160];
  const double factors[] = {1e-9, 1e-3, 1e3, 1e9};
  for (int trial = 0; trial < 4; trial++) {
    geom g = {.cloud = 0, .ny = 10, .nx = 10, .h = 0.1, .torus = trial % 2, .p = 1.0 + trial % 3};
    problem pr;
    random_grid_problem(&rng, 100, 0.01, 1.0, &pr);
    snprintf(what, sizeof what, "scaling base trial %d", trial);
    double base = solve_checked(ot, &g, &pr, what);
    for (int f = 0; f < 4; f++) {
      problem sc;
      problem_alloc(&sc, pr.ns, pr.nt);
      memcpy(sc.src, pr.src, sizeof(long) * pr.ns);
      memcpy(sc.dst, pr.dst, sizeof(long) * pr.nt);
      for (long i = 0; i < pr.ns; i++) sc.a[i] = pr.a[i] * factors[f];
      for (long j = 0; j < pr.nt; j++) sc.b[j] = pr.b[j] * factors[f];
      snprintf(what, sizeof what, "masses x %g trial %d", factors[f], trial);
      expect_value(solve_checked(ot, &g, &sc, what), base * factors[f],
                   VALUE_RTOL, what);
      problem_free(&sc);
    }
    problem_free(&pr);
  }
  wasp_ot_destroy(&ot);
}
END_TEST

/* A translated image on the plane: W_p = |v| h for every p >= 1 (W_p >= W_1
 * >= |difference of the means| = |v| h, and the translation achieves it). */
START_TEST(translation_plane)
{
  wasp_ot *ot = new_solver();
  uint64_t rng = 8080;
  char what[160];
  const int n = 16;
  const int shifts[][2] = {{0, 3}, {4, 0}, {2, 5}, {-3, 1}, {5, -5}, {1, 1}};
  for (int uniform = 0; uniform < 2; uniform++)
    for (int q = 0; q < 6; q++)
      for (int e = 0; e < 3; e++) {
        geom g = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .torus = 0, .p = pvals[e]};
        problem pr;
        problem_alloc(&pr, 30, 30);
        long k = 0;
        for (int i = 0; i < 5; i++)
          for (int j = 0; j < 6; j++) {
            int si = 5 + i, sj = 5 + j, ti = si + shifts[q][0], tj = sj + shifts[q][1];
            ck_assert(ti >= 0 && ti < n && tj >= 0 && tj < n); /* the test's own premise */
            pr.src[k] = (long)si * n + sj;
            pr.dst[k] = (long)ti * n + tj;
            pr.a[k] = pr.b[k] = uniform ? 1.0 / 30 : 0.05 + unit_uniform(&rng);
            k++;
          }
        double len = hypot(shifts[q][0], shifts[q][1]) * g.h;
        snprintf(what, sizeof what, "plane shift (%d, %d) p=%g %s", shifts[q][0], shifts[q][1],
                 g.p, uniform ? "uniform" : "random");
        expect_value(solve_checked(ot, &g, &pr, what), sum(30, pr.a) * pow(len, g.p), VALUE_RTOL,
                     what);
        problem_free(&pr);
      }
  wasp_ot_destroy(&ot);
}
END_TEST

/* A cyclic shift on the torus.  W_p = |v| h holds when the supports of the
 * image and its shift fit, on each axis, in less than half a period (then
 * every torus distance between them is the plane distance of a lift, and the
 * plane argument applies).  It is NOT true for every image: a uniform image
 * is its own shift (W = 0).  The blob here straddles both seams. */
START_TEST(translation_torus)
{
  wasp_ot *ot = new_solver();
  uint64_t rng = 6060;
  char what[160];
  const int dims[][2] = {{16, 16}, {12, 20}};
  const int shifts[][2] = {{1, 0}, {0, 2}, {2, 1}, {-2, 2}, {1, -1}, {0, -2}, {-1, -1}};
  for (int d = 0; d < 2; d++)
    for (int q = 0; q < 7; q++)
      for (int e = 0; e < 3; e++) {
        int ny = dims[d][0], nx = dims[d][1];
        geom g = {.cloud = 0, .ny = ny, .nx = nx, .h = 1.0 / (ny > nx ? ny : nx), .torus = 1,
                  .p = pvals[e]};
        /* a 4 x 4 blob over rows ny-2 .. 1 and columns nx-1 .. 2: the union
         * with its shift spans at most 3 + 2 = 5 < ny/2 rows / columns */
        problem pr;
        problem_alloc(&pr, 16, 16);
        long k = 0;
        for (int i = 0; i < 4; i++)
          for (int j = 0; j < 4; j++) {
            int si = (ny - 2 + i) % ny, sj = (nx - 1 + j) % nx;
            int ti = (si + shifts[q][0] + ny) % ny, tj = (sj + shifts[q][1] + nx) % nx;
            pr.src[k] = (long)si * nx + sj;
            pr.dst[k] = (long)ti * nx + tj;
            pr.a[k] = pr.b[k] = 0.05 + unit_uniform(&rng);
            k++;
          }
        double len = hypot(shifts[q][0], shifts[q][1]) * g.h;
        snprintf(what, sizeof what, "torus %dx%d shift (%d, %d) p=%g", ny, nx, shifts[q][0],
                 shifts[q][1], g.p);
        expect_value(solve_checked(ot, &g, &pr, what), sum(16, pr.a) * pow(len, g.p), VALUE_RTOL,
                     what);
        problem_free(&pr);
      }
  wasp_ot_destroy(&ot);
}
END_TEST

/* Many ties: equal masses, uniform images, p = 1 on the grid.  Must finish
 * and be optimal. */
START_TEST(degenerate_ties)
{
  wasp_ot *ot = new_solver();
  char what[160];
  /* a uniform image to itself, plane and torus */
  for (int torus = 0; torus < 2; torus++)
    for (int e = 0; e < 3; e++) {
      geom g = {.cloud = 0, .ny = 12, .nx = 12, .h = 1.0 / 12, .torus = torus, .p = pvals[e]};
      problem pr;
      problem_alloc(&pr, 144, 144);
      for (long k = 0; k < 144; k++) {
        pr.src[k] = pr.dst[k] = k;
        pr.a[k] = pr.b[k] = 1.0 / 144;
      }
      snprintf(what, sizeof what, "uniform to itself torus=%d p=%g", torus, g.p);
      double v = solve_checked(ot, &g, &pr, what);
      ck_assert_msg(v <= 1e-15, "%s: value %g, want 0", what, v);
      /* the targets listed in reverse order: same measure, same answer */
      for (long k = 0; k < 144; k++) pr.dst[k] = 143 - k;
      snprintf(what, sizeof what, "uniform to itself (reversed ids) torus=%d p=%g", torus, g.p);
      v = solve_checked(ot, &g, &pr, what);
      ck_assert_msg(v <= 1e-15, "%s: value %g, want 0", what, v);
      problem_free(&pr);
    }
  /* a uniform 24 x 24 box translated by (3, 5) inside 32 x 32, p = 1 and 2 */
  for (int e = 0; e < 2; e++) {
    const int n = 32;
    geom g = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .p = pvals[e]};
    problem pr;
    problem_alloc(&pr, 576, 576);
    long k = 0;
    for (int i = 0; i < 24; i++)
      for (int j = 0; j < 24; j++) {
        pr.src[k] = (long)i * n + j;
        pr.dst[k] = (long)(i + 3) * n + (j + 5);
        pr.a[k] = pr.b[k] = 1.0;
        k++;
      }
    snprintf(what, sizeof what, "uniform box 24x24 shifted (3, 5) p=%g", g.p);
    expect_value(solve_checked(ot, &g, &pr, what), 576.0 * pow(hypot(3, 5) / n, g.p), VALUE_RTOL,
                 what);
    problem_free(&pr);
  }
  /* left half to right half of a uniform 8 x 8 image (plane): 4 columns */
  for (int e = 0; e < 3; e++) {
    geom g = {.cloud = 0, .ny = 8, .nx = 8, .h = 1.0 / 8, .p = pvals[e]};
    problem pr;
    problem_alloc(&pr, 32, 32);
    long k = 0;
    for (int i = 0; i < 8; i++)
      for (int j = 0; j < 4; j++) {
        pr.src[k] = i * 8 + j;
        pr.dst[k] = i * 8 + j + 4;
        pr.a[k] = pr.b[k] = 1.0 / 64;
        k++;
      }
    snprintf(what, sizeof what, "left half -> right half p=%g", g.p);
    expect_value(solve_checked(ot, &g, &pr, what), 0.5 * pow(0.5, g.p), VALUE_RTOL, what);
    problem_free(&pr);
  }
  wasp_ot_destroy(&ot);
}
END_TEST


/* All costs zero (a single site, or every point in one place): the value is
 * 0 and must still be certified, whatever the masses. */
START_TEST(zero_costs)
{
  wasp_ot *ot = new_solver();
  char what[120];
  const double masses[] = {0.37, 1.0, 3e-5, 7.1e4};
  for (int m = 0; m < 4; m++)
    for (int e = 0; e < 3; e++) {
      geom g = {.cloud = 0, .ny = 1, .nx = 1, .h = 0.5, .torus = e == 1, .p = pvals[e]};
      problem pr;
      problem_alloc(&pr, 1, 1);
      pr.src[0] = pr.dst[0] = 0;
      pr.a[0] = masses[m];
      pr.b[0] = masses[m] * (1.0 + 1e-13);
      snprintf(what, sizeof what, "1x1 grid, mass %g, p=%g", masses[m], g.p);
      ck_assert_msg(solve_checked(ot, &g, &pr, what) == 0.0, "%s: value not 0", what);
      problem_free(&pr);
    }
  uint64_t rng = 3;
  for (int e = 0; e < 3; e++) {
    double X[5 * 2], Y[7 * 2];
    for (int k = 0; k < 5; k++) X[2 * k] = 0.25, X[2 * k + 1] = -1.5;
    for (int k = 0; k < 7; k++) Y[2 * k] = 0.25, Y[2 * k + 1] = -1.5;
    geom g = {.cloud = 1, .dim = 2, .nX = 5, .nY = 7, .X = X, .Y = Y, .p = pvals[e]};
    problem pr;
    problem_alloc(&pr, 5, 7);
    for (long i = 0; i < 5; i++) {
      pr.src[i] = i;
      pr.a[i] = 0.1 + unit_uniform(&rng);
    }
    for (long j = 0; j < 7; j++) {
      pr.dst[j] = j;
      pr.b[j] = 0.1 + unit_uniform(&rng);
    }
    balance(&pr);
    snprintf(what, sizeof what, "coincident cloud 5 -> 7, p=%g", g.p);
    ck_assert_msg(solve_checked(ot, &g, &pr, what) == 0.0, "%s: value not 0", what);
    problem_free(&pr);
  }
  wasp_ot_destroy(&ot);
}
END_TEST

/* Larger problems, certified by the brute-force dual check alone (which
 * proves optimality without any reference), a shifted blob on a 64 x 64
 * torus (union of supports 24 < 32 pixels per axis) and a long line. */
START_TEST(larger_problems_certified)
{
  wasp_ot *ot = new_solver();
  uint64_t rng = 5;
  char what[120];
  for (int e = 0; e < 3; e++) {
    const int n = 32;
    geom g = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .torus = e != 1, .p = pvals[e]};
    problem pr;
    problem_alloc(&pr, (long)n * n, (long)n * n);
    for (long k = 0; k < (long)n * n; k++) {
      pr.src[k] = pr.dst[k] = k;
      pr.a[k] = 0.01 + unit_uniform(&rng);
      pr.b[k] = 0.01 + unit_uniform(&rng);
    }
    balance(&pr);
    snprintf(what, sizeof what, "dense %dx%d p=%g torus=%d", n, n, g.p, g.torus);
    solve_checked(ot, &g, &pr, what);
    problem_free(&pr);
  }
  /* odd and non-square shapes (coarsening by 2 x 2 leaves remainders),
   * dense and with 60 % empty pixels */
  const int dims[][2] = {{33, 47}, {63, 65}, {2, 300}, {17, 5}, {64, 64}};
  for (int d = 0; d < 5; d++)
    for (int sparse = 0; sparse < 2; sparse++) {
      int ny = dims[d][0], nx = dims[d][1];
      long n = (long)ny * nx;
      if (n > 3000 && !sparse) continue;
      geom g = {.cloud = 0, .ny = ny, .nx = nx, .h = 1.0 / (ny > nx ? ny : nx), .torus = d % 2,
                .p = pvals[(d + sparse) % 3]};
      problem pr;
      problem_alloc(&pr, n, n);
      long ns = 0, nt = 0;
      for (long k = 0; k < n; k++) {
        if (!sparse || unit_uniform(&rng) < 0.4) {
          pr.src[ns] = k;
          pr.a[ns++] = 0.01 + unit_uniform(&rng);
        }
        if (!sparse || unit_uniform(&rng) < 0.4) {
          pr.dst[nt] = k;
          pr.b[nt++] = 0.01 + unit_uniform(&rng);
        }
      }
      pr.ns = ns;
      pr.nt = nt;
      balance(&pr);
      snprintf(what, sizeof what, "%dx%d p=%g torus=%d sparse=%d", ny, nx, g.p, g.torus, sparse);
      solve_checked(ot, &g, &pr, what);
      problem_free(&pr);
    }
  /* a 64 x 64 torus: a 20 x 20 blob across both seams shifted by (3, -4) */
  for (int e = 0; e < 3; e++) {
    const int n = 64;
    geom g = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .torus = 1, .p = pvals[e]};
    problem pr;
    problem_alloc(&pr, 400, 400);
    long k = 0;
    for (int i = 0; i < 20; i++)
      for (int j = 0; j < 20; j++) {
        int si = (n - 10 + i) % n, sj = (n - 7 + j) % n;
        pr.src[k] = (long)si * n + sj;
        pr.dst[k] = (long)((si + 3) % n) * n + (sj - 4 + n) % n;
        pr.a[k] = pr.b[k] = 0.05 + unit_uniform(&rng);
        k++;
      }
    snprintf(what, sizeof what, "64x64 torus blob shifted (3, -4) p=%g", g.p);
    expect_value(solve_checked(ot, &g, &pr, what), sum(400, pr.a) * pow(5.0 / n, g.p), VALUE_RTOL,
                 what);
    problem_free(&pr);
  }
  for (int e = 0; e < 3; e++) {
    const int n = 1500;
    geom g = {.cloud = 0, .ny = 1, .nx = n, .h = 1.0 / n, .p = pvals[e]};
    problem pr;
    random_grid_problem(&rng, n, 0.01, 1.0, &pr);
    double *x = malloc(sizeof(double) * pr.ns), *y = malloc(sizeof(double) * pr.nt);
    for (long i = 0; i < pr.ns; i++) x[i] = pr.src[i] * g.h;
    for (long j = 0; j < pr.nt; j++) y[j] = pr.dst[j] * g.h;
    snprintf(what, sizeof what, "line 1x%d p=%g (%ld -> %ld sites)", n, g.p, pr.ns, pr.nt);
    expect_value(solve_checked(ot, &g, &pr, what),
                 ref_quantile_1d(pr.ns, x, pr.a, pr.nt, y, pr.b, g.p), VALUE_RTOL, what);
    free(x);
    free(y);
    problem_free(&pr);
  }
  wasp_ot_destroy(&ot);
}
END_TEST

/* The pixels of an ny x nx grid of spacing 1/nx as a 2-D point cloud:
 * the same sites and costs without the grid structure (the tests' path
 * with no pricer, no coarse level and no difference). */
static double *grid_as_cloud(int ny, int nx)
{
  const long N = (long)ny * nx;
  double *X = malloc(sizeof(double) * 2 * (size_t)N);
  for (long k = 0; k < N; k++) {
    X[2 * k] = (double)(k / nx) / nx;
    X[2 * k + 1] = (double)(k % nx) / nx;
  }
  return X;
}

/* A Gaussian blob of width ~1/sqrt(w) at (cy, cx) on a floor of 1e-3. */
static double blob(double y, double x, double cy, double cx, double w)
{
  return 1e-3 + exp(-w * ((y - cy) * (y - cy) + (x - cx) * (x - cx)));
}

/* The multiscale warm start (plain grids) against a path that has none:
 * the same sites as a point cloud (no grid structure, so no coarse level,
 * no starting basis, dense pricing).  Smooth blobs moving far and dense
 * random masses, p = 1, 2, 3; 40 x 40 leaves odd coarse levels. */
START_TEST(warm_start_grid_equals_cloud)
{
  wasp_ot *ot = new_solver();
  uint64_t rng = 17;
  char what[120];
  const int n = 40;
  const long N = (long)n * n;
  double *X = grid_as_cloud(n, n);
  for (int kind = 0; kind < 2; kind++)
    for (int e = 0; e < 3; e++) {
      problem pr;
      problem_alloc(&pr, N, N);
      for (long k = 0; k < N; k++) {
        const double y = (double)(k / n) / n, x = (double)(k % n) / n;
        pr.src[k] = pr.dst[k] = k;
        pr.a[k] = kind ? 0.01 + unit_uniform(&rng) : blob(y, x, 0.25, 0.3, 40);
        pr.b[k] = kind ? 0.01 + unit_uniform(&rng) : blob(y, x, 0.7, 0.75, 60);
      }
      balance(&pr);
      geom grid = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .torus = 0, .p = pvals[e]};
      geom cloud = {.cloud = 1, .dim = 2, .nX = (int)N, .X = X, .nY = (int)N, .Y = X, .p = pvals[e]};
      snprintf(what, sizeof what, "%s %dx%d p=%g: grid (warm start) vs cloud", kind ? "random" : "blobs", n, n, grid.p);
      expect_value(solve_checked(ot, &grid, &pr, what), solve_checked(ot, &cloud, &pr, what), VALUE_RTOL, what);
      /* the torus starts warm too: no cloud has its metric, so the check
       * is the certificate, re-verified on all pairs by solve_checked */
      grid.torus = 1;
      snprintf(what, sizeof what, "%s %dx%d p=%g: torus (warm start)", kind ? "random" : "blobs", n, n, grid.p);
      solve_checked(ot, &grid, &pr, what);
      problem_free(&pr);
    }
  free(X);
  wasp_ot_destroy(&ot);
}
END_TEST


/* Large grid problems are solved with their sites renumbered for memory
 * locality and mapped back: sites given in a shuffled order, with pixels
 * missing on either side, must give the same value as in row-major order
 * and a plan and potentials certified in the caller's own numbering. */
START_TEST(site_order_is_the_callers)
{
  wasp_ot *ot = new_solver();
  uint64_t rng = 4242;
  char what[120];
  const int n = 48;
  for (int torus = 0; torus < 2; torus++) {
    problem pr, sh;
    problem_alloc(&pr, (long)n * n, (long)n * n);
    long ns = 0, nt = 0;
    for (long k = 0; k < (long)n * n; k++) {
      if (unit_uniform(&rng) > 0.1) pr.src[ns] = k, pr.a[ns++] = 0.01 + unit_uniform(&rng);
      if (unit_uniform(&rng) > 0.1) pr.dst[nt] = k, pr.b[nt++] = 0.01 + unit_uniform(&rng);
    }
    pr.ns = ns;
    pr.nt = nt;
    balance(&pr);
    problem_alloc(&sh, ns, nt);
    memcpy(sh.src, pr.src, sizeof(long) * (size_t)ns);
    memcpy(sh.a, pr.a, sizeof(double) * (size_t)ns);
    memcpy(sh.dst, pr.dst, sizeof(long) * (size_t)nt);
    memcpy(sh.b, pr.b, sizeof(double) * (size_t)nt);
    for (long k = ns - 1; k > 0; k--) { /* Fisher-Yates, sites with their masses */
      long q = (long)(unit_uniform(&rng) * (double)(k + 1)), ts = sh.src[k];
      double ta = sh.a[k];
      sh.src[k] = sh.src[q], sh.a[k] = sh.a[q], sh.src[q] = ts, sh.a[q] = ta;
    }
    for (long k = nt - 1; k > 0; k--) {
      long q = (long)(unit_uniform(&rng) * (double)(k + 1)), td = sh.dst[k];
      double tb = sh.b[k];
      sh.dst[k] = sh.dst[q], sh.b[k] = sh.b[q], sh.dst[q] = td, sh.b[q] = tb;
    }
    geom g = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .torus = torus, .p = 2.0};
    snprintf(what, sizeof what, "%dx%d %s, shuffled sites", n, n, torus ? "torus" : "grid");
    double v_shuffled = solve_checked(ot, &g, &sh, what);
    snprintf(what, sizeof what, "%dx%d %s, row-major sites", n, n, torus ? "torus" : "grid");
    expect_value(v_shuffled, solve_checked(ot, &g, &pr, what), 1e-12, what);
    problem_free(&pr);
    problem_free(&sh);
  }
  wasp_ot_destroy(&ot);
}
END_TEST

/* Squared distance between pixels i and k with spacing hy, hx (wrapped on
 * the torus), by hand. */
static double squared_distance(int ny, int nx, double hy, double hx, int torus, long i, long k)
{
  long dy = labs(i / nx - k / nx), dx = labs(i % nx - k % nx);
  if (torus && ny - dy < dy) dy = ny - dy;
  if (torus && nx - dx < dx) dx = nx - dx;
  return hy * hy * (double)(dy * dy) + hx * hx * (double)(dx * dx);
}

/* The c-transform behind p = 2 grid pricing (src/ot/price_sep.c), against
 * the minimum over every target by brute force: plain and wrapped axes,
 * non-square grids, a spacing per axis (the one-axis multiscale levels),
 * missing targets, potentials of both signs. */
START_TEST(squared_cost_transform_vs_brute_force)
{
  uint64_t rng = 99;
  const int dims[3][2] = {{7, 5}, {16, 16}, {9, 12}};
  for (int d = 0; d < 3; d++)
    for (int torus = 0; torus < 2; torus++) {
      const int ny = dims[d][0], nx = dims[d][1];
      const long N = (long)ny * nx;
      const double h = 0.37, hx = d == 1 ? h : (d == 0 ? 0.8 : 0.21);
      int *target_of = malloc(sizeof(int) * N), *arg = malloc(sizeof(int) * N);
      double *w = malloc(sizeof(double) * N), *F = malloc(sizeof(double) * N);
      long nt = 0;
      for (long k = 0; k < N; k++) {
        target_of[k] = unit_uniform(&rng) < 0.3 ? -1 : (int)nt;
        if (target_of[k] >= 0) w[nt++] = 4.0 * (unit_uniform(&rng) - 0.5) * h * h * nx;
      }
      ot_sep *sep = NULL;
      ck_assert_int_eq(ot_sep_create(ny, nx, h, hx, torus, &sep), WASP_OK);
      ot_sep_transform(sep, target_of, w, F, arg);
      for (long i = 0; i < N; i++) {
        double best = INFINITY;
        for (long k = 0; k < N; k++)
          if (target_of[k] >= 0) best = fmin(best, squared_distance(ny, nx, h, hx, torus, i, k) + w[target_of[k]]);
        ck_assert_msg(fabs(F[i] - best) <= 1e-12 * (1 + fabs(best)), "%dx%d %s pixel %ld: %.17g vs brute force %.17g",
                      ny, nx, torus ? "torus" : "grid", i, F[i], best);
        ck_assert_int_ge(arg[i], 0);
        long k = 0;
        while (target_of[k] != arg[i]) k++;
        ck_assert_msg(fabs(squared_distance(ny, nx, h, hx, torus, i, k) + w[arg[i]] - best) <= 1e-12 * (1 + fabs(best)),
                      "pixel %ld: the minimiser does not attain the minimum", i);
      }
      ot_sep_destroy(&sep);
      free(target_of);
      free(arg);
      free(w);
      free(F);
    }
}
END_TEST

#ifdef WASP_HAVE_GLPK
static double reference(const geom *g, const problem *pr, const char *what)
{
  double *C = dense_cost(g, pr), v = NAN;
  int rc = ref_lp_transport((int)pr->ns, pr->a, (int)pr->nt, pr->b, C, &v);
  ck_assert_msg(rc == 0, "%s: the GLPK reference failed", what);
  free(C);
  return v;
}
#endif

/* The reference itself, against the quantile formula (so that a GLPK
 * comparison failing later points at the solver, not at the reference). */
START_TEST(reference_self_check)
{
#ifndef WASP_HAVE_GLPK
  printf("reference_self_check skipped: GLPK not found\n");
#else
  uint64_t rng = 1;
  char what[160];
  for (int trial = 0; trial < 12; trial++) {
    geom g = {.cloud = 0, .ny = 1, .nx = 50, .h = 0.02, .p = 1.0 + trial % 3};
    problem pr;
    random_grid_problem(&rng, 50, 0.01, 1.0, &pr);
    double *x = malloc(sizeof(double) * pr.ns), *y = malloc(sizeof(double) * pr.nt);
    for (long i = 0; i < pr.ns; i++) x[i] = pr.src[i] * g.h;
    for (long j = 0; j < pr.nt; j++) y[j] = pr.dst[j] * g.h;
    snprintf(what, sizeof what, "GLPK vs quantiles, p=%g trial %d", g.p, trial);
    expect_value(reference(&g, &pr, what), ref_quantile_1d(pr.ns, x, pr.a, pr.nt, y, pr.b, g.p),
                 1e-10, what);
    free(x);
    free(y);
    problem_free(&pr);
  }
#endif
}
END_TEST

/* Random images on random subsets of pixels, up to 16 x 16. */
START_TEST(random_grid_vs_glpk)
{
#ifndef WASP_HAVE_GLPK
  printf("random_grid_vs_glpk skipped: GLPK not found\n");
#else
  wasp_ot *ot = new_solver();
  uint64_t rng = 0xabcdef;
  char what[200];
  const int dims[][2] = {{4, 4}, {8, 8}, {6, 11}, {12, 12}, {16, 16}};
  for (int d = 0; d < 5; d++)
    for (int torus = 0; torus < 2; torus++)
      for (int e = 0; e < 3; e++) {
        int ny = dims[d][0], nx = dims[d][1];
        geom g = {.cloud = 0, .ny = ny, .nx = nx, .h = 1.0 / (ny > nx ? ny : nx), .torus = torus,
                  .p = pvals[e]};
        problem pr;
        random_grid_problem(&rng, (long)ny * nx, 0.02, 1.0, &pr);
        snprintf(what, sizeof what, "random grid %dx%d torus=%d p=%g (%ld -> %ld sites)", ny, nx,
                 torus, g.p, pr.ns, pr.nt);
        double want = reference(&g, &pr, what);
        expect_value(solve_checked(ot, &g, &pr, what), want, VALUE_RTOL, what);
        problem_free(&pr);
      }
  wasp_ot_destroy(&ot);
#endif
}
END_TEST

/* Equal masses on equally many pixels (an assignment problem) and integer
 * costs (h = 1, p = 2): massively degenerate. */
/* The same dyadic masses (1..denom-1)/denom on both sides of each pixel
 * kept with probability q, so totals are exact sums: returns the count. */
static long dyadic_equal_sites(uint64_t *rng, long n, double q, int denom, problem *pr)
{
  long k = 0;
  for (long x = 0; x < n; x++)
    if (unit_uniform(rng) < q) {
      pr->src[k] = pr->dst[k] = x;
      pr->a[k] = pr->b[k] = (double)(1 + (long)((denom - 1) * unit_uniform(rng))) / denom;
      k++;
    }
  return k;
}

/* W1 on grids is solved through a - b (src/ot/difference.c): pixels where
 * the two measures agree exactly (dyadic masses, so the totals are exact and
 * nothing is rescaled), pixels held by one side only, identical measures,
 * and a pixel listed twice (the full problem is solved then). */
START_TEST(w1_difference_vs_glpk)
{
#ifndef WASP_HAVE_GLPK
  printf("w1_difference_vs_glpk skipped: GLPK not found\n");
#else
  wasp_ot *ot = new_solver();
  uint64_t rng = 0x51ced;
  char what[200];
  const int dims[][2] = {{6, 6}, {8, 8}, {7, 10}, {12, 12}};
  for (int d = 0; d < 4; d++)
    for (int torus = 0; torus < 2; torus++)
      for (int kind = 0; kind < 3; kind++) {
        const int ny = dims[d][0], nx = dims[d][1];
        const long n = (long)ny * nx;
        geom g = {.cloud = 0, .ny = ny, .nx = nx, .h = 1.0 / nx, .torus = torus, .p = 1.0};
        problem pr;
        problem_alloc(&pr, n + 1, n);
        /* a: dyadic masses on most pixels; b: a copy with the masses of a
         * random window permuted (kind 0), identical (kind 1), or a copy
         * with one source pixel split in two list entries (kind 2) */
        long k = dyadic_equal_sites(&rng, n, 0.85, 64, &pr);
        pr.ns = pr.nt = k;
        if (kind == 0) {
          const long w0 = (long)(unit_uniform(&rng) * (double)k / 2), w1 = w0 + k / 3;
          for (long t = w0; t < w1; t++) {
            long u = w0 + (long)(unit_uniform(&rng) * (double)(w1 - w0));
            double tmp = pr.b[t];
            pr.b[t] = pr.b[u];
            pr.b[u] = tmp;
          }
          pr.a[0] += 0.5; /* and mass that has to travel */
          pr.b[w0] += 0.5;
        } else if (kind == 2) {
          pr.src[k] = pr.src[0];
          pr.a[k] = pr.a[0] / 2;
          pr.a[0] /= 2;
          pr.ns = k + 1;
          pr.a[5] += 0.25;
          pr.b[1] += 0.25;
          pr.b[2] /= 2;
          pr.b[3] += pr.b[2];
        }
        snprintf(what, sizeof what, "W1 difference %dx%d torus=%d kind=%d (%ld -> %ld sites)", ny,
                 nx, torus, kind, pr.ns, pr.nt);
        double want = reference(&g, &pr, what), got = solve_checked(ot, &g, &pr, what);
        expect_value(got, want, VALUE_RTOL, what);
        if (kind == 1) ck_assert_msg(got == 0.0, "%s: identical measures, value %g", what, got);
        problem_free(&pr);
      }
  wasp_ot_destroy(&ot);
#endif
}
END_TEST

/* The flat metric and TV on grids (dummy site at lambda, moves capped at
 * 2 lambda) also go through a - b: equal totals with pixels where the
 * measures agree exactly (the dummy then drops out), and unequal totals
 * (the dummy keeps the difference of the totals), each against GLPK. */
START_TEST(flat_difference_vs_glpk)
{
#ifndef WASP_HAVE_GLPK
  printf("flat_difference_vs_glpk skipped: GLPK not found\n");
#else
  wasp_ot *ot = new_solver();
  uint64_t rng = 0xf1a7;
  char what[200];
  const double lambdas[] = {0.15, 1.0, 2.5};
  for (int q = 0; q < 3; q++)
    for (int torus = 0; torus < 2; torus++)
      for (int mode = 0; mode < 2; mode++) { /* equal totals / A = 1.5 B */
        const int ny = 9, nx = 7;
        const long n = (long)ny * nx;
        geom g = {.cloud = 0, .ny = ny, .nx = nx, .h = 1.0 / nx, .torus = torus, .p = 1.0,
                  .lambda = lambdas[q], .cap = 2.0 * lambdas[q]};
        problem pr;
        problem_alloc(&pr, n + 1, n + 1);
        long k = dyadic_equal_sites(&rng, n, 0.9, 32, &pr);
        /* move some mass (dyadic, so totals stay exact), then unbalance */
        for (int m = 0; m < 6; m++) {
          long u = (long)(unit_uniform(&rng) * (double)k), v = (long)(unit_uniform(&rng) * (double)k);
          double t = pr.b[u] / 2;
          pr.b[u] -= t;
          pr.b[v] += t;
        }
        if (mode == 1)
          for (long j = 0; j < k; j++) pr.b[j] /= 1.5;
        double A = sum(k, pr.a), B = sum(k, pr.b);
        pr.src[k] = WASP_SITE_DUMMY, pr.a[k] = B; /* the flat construction */
        pr.dst[k] = WASP_SITE_DUMMY, pr.b[k] = A;
        pr.ns = pr.nt = k + 1;
        snprintf(what, sizeof what, "flat difference lambda %g torus=%d mode %d (%ld sites)",
                 g.lambda, torus, mode, k);
        double want = reference(&g, &pr, what);
        expect_value(solve_checked(ot, &g, &pr, what), want, VALUE_RTOL, what);
        problem_free(&pr);
      }
  wasp_ot_destroy(&ot);
#endif
}
END_TEST

/* Flat and TV with unequal totals keep the dummy site in the reduced
 * problem, which the multiscale seed now coarsens as a block of its own.
 * Against the same sites as a point cloud (no difference, no coarse level,
 * dense pricing), 32 x 32 so that the reduced problem is past the
 * multiscale threshold; the torus (no cloud has its metric) rests on the
 * certificate, re-checked over all pairs by solve_checked.  Kind 2 lists a
 * pixel twice, which sends the solve to the full problem (both dummies). */
START_TEST(flat_multiscale_equals_cloud)
{
  wasp_ot *ot = new_solver();
  uint64_t rng = 0xd0d0;
  char what[160];
  const int n = 32;
  const long N = (long)n * n;
  double *X = grid_as_cloud(n, n);
  /* (lambda, |b| / |a|): TV and flat, the dummy on either side */
  const double lambdas[] = {0.1, 1.0}, ratios[] = {0.6, 1.7};
  static const char *kinds[] = {"blobs", "random", "duplicate"};
  for (int kind = 0; kind < 3; kind++)
    for (int q = 0; q < 2; q++) {
      problem pr;
      problem_alloc(&pr, N + 2, N + 1);
      for (long k = 0; k < N; k++) {
        const double y = (double)(k / n) / n, x = (double)(k % n) / n;
        pr.src[k] = pr.dst[k] = k;
        pr.a[k] = kind ? 0.01 + unit_uniform(&rng) : blob(y, x, 0.3, 0.3, 40);
        pr.b[k] = kind ? 0.01 + unit_uniform(&rng) : blob(y, x, 0.6, 0.7, 60);
      }
      long ns = N;
      if (kind == 2) { /* pixel 17 twice, its mass split */
        pr.src[ns] = 17;
        pr.a[17] /= 2;
        pr.a[ns++] = pr.a[17];
      }
      const double A = sum(ns, pr.a), B0 = sum(N, pr.b);
      for (long k = 0; k < N; k++) pr.b[k] *= ratios[q] * A / B0;
      const double B = sum(N, pr.b);
      pr.src[ns] = WASP_SITE_DUMMY, pr.a[ns] = B; /* the flat construction */
      pr.dst[N] = WASP_SITE_DUMMY, pr.b[N] = A;
      pr.ns = ns + 1;
      geom grid = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .torus = 0, .p = 1.0,
                   .lambda = lambdas[q], .cap = 2.0 * lambdas[q]};
      geom cloud = {.cloud = 1, .dim = 2, .nX = (int)N, .X = X, .nY = (int)N, .Y = X, .p = 1.0,
                    .lambda = lambdas[q], .cap = 2.0 * lambdas[q]};
      snprintf(what, sizeof what, "%s %dx%d lambda %g |b|/|a| %g: grid (multiscale) vs cloud",
               kinds[kind], n, n, grid.lambda, ratios[q]);
      expect_value(solve_checked(ot, &grid, &pr, what), solve_checked(ot, &cloud, &pr, what),
                   VALUE_RTOL, what);
      grid.torus = 1;
      snprintf(what, sizeof what, "%s %dx%d lambda %g |b|/|a| %g: torus (multiscale)",
               kinds[kind], n, n, grid.lambda, ratios[q]);
      solve_checked(ot, &grid, &pr, what);
      problem_free(&pr);
    }
  free(X);
  wasp_ot_destroy(&ot);
}
END_TEST

START_TEST(degenerate_vs_glpk)
{
#ifndef WASP_HAVE_GLPK
  printf("degenerate_vs_glpk skipped: GLPK not found\n");
#else
  wasp_ot *ot = new_solver();
  uint64_t rng = 777;
  char what[200];
  for (int trial = 0; trial < 12; trial++) {
    const int n = 12;
    geom g = {.cloud = 0, .ny = n, .nx = n, .h = trial % 2 ? 1.0 : 1.0 / n, .torus = trial % 4 >= 2,
              .p = trial < 6 ? 1.0 : 2.0};
    problem pr;
    problem_alloc(&pr, n * n, n * n);
    /* k distinct pixels on each side by a partial shuffle */
    long perm_a[144], perm_b[144];
    for (long s = 0; s < n * n; s++) perm_a[s] = perm_b[s] = s;
    long k = 20 + (long)(unit_uniform(&rng) * 60);
    for (long s = 0; s < k; s++) {
      long r = s + (long)(unit_uniform(&rng) * (n * n - s)), t = perm_a[s];
      perm_a[s] = perm_a[r];
      perm_a[r] = t;
      r = s + (long)(unit_uniform(&rng) * (n * n - s));
      t = perm_b[s];
      perm_b[s] = perm_b[r];
      perm_b[r] = t;
    }
    pr.ns = pr.nt = k;
    for (long s = 0; s < k; s++) {
      pr.src[s] = perm_a[s];
      pr.dst[s] = perm_b[s];
      pr.a[s] = pr.b[s] = 1.0;
    }
    snprintf(what, sizeof what, "assignment k=%ld h=%g torus=%d p=%g", k, g.h, g.torus, g.p);
    double want = reference(&g, &pr, what);
    expect_value(solve_checked(ot, &g, &pr, what), want, VALUE_RTOL, what);
    /* integer masses 1..3 on all pixels vs a permutation of them */
    pr.ns = pr.nt = n * n;
    for (long s = 0; s < n * n; s++) {
      pr.src[s] = s;
      pr.a[s] = 1.0 + (double)(long)(unit_uniform(&rng) * 3);
    }
    for (long s = 0; s < n * n; s++) {
      pr.dst[s] = s;
      pr.b[s] = pr.a[(s * 7 + 5) % (n * n)];
    }
    snprintf(what, sizeof what, "integer masses 12x12 h=%g torus=%d p=%g", g.h, g.torus, g.p);
    want = reference(&g, &pr, what);
    expect_value(solve_checked(ot, &g, &pr, what), want, VALUE_RTOL, what);
    problem_free(&pr);
  }
  wasp_ot_destroy(&ot);
#endif
}
END_TEST

/* Random point clouds in 2-D and 3-D. */
START_TEST(random_cloud_vs_glpk)
{
#ifndef WASP_HAVE_GLPK
  printf("random_cloud_vs_glpk skipped: GLPK not found\n");
#else
  wasp_ot *ot = new_solver();
  uint64_t rng = 4711;
  char what[200];
  for (int dim = 2; dim <= 3; dim++)
    for (int e = 0; e < 3; e++)
      for (int trial = 0; trial < 4; trial++) {
        int nX = 10 + (int)(unit_uniform(&rng) * 60), nY = 10 + (int)(unit_uniform(&rng) * 60);
        double *X = malloc(sizeof(double) * nX * dim), *Y = malloc(sizeof(double) * nY * dim);
        double spread = trial == 2 ? 1e3 : 1.0; /* large coordinates: costs up to 1e10 */
        for (int k = 0; k < nX * dim; k++) X[k] = spread * unit_normal(&rng);
        for (int k = 0; k < nY * dim; k++) Y[k] = spread * (0.5 + unit_normal(&rng));
        if (trial == 3) /* tight clusters far apart, the X side's first one crowded: mass must cross */
          for (int k = 0; k < nX * dim; k++) X[k] = 10.0 * (double)((k / dim) % (k < nX * dim / 2 ? 1 : 3)) + 0.1 * X[k];
        if (trial == 3)
          for (int k = 0; k < nY * dim; k++) Y[k] = 10.0 * (double)((k / dim) % 3) + 0.1 * Y[k];
        for (int k = 0; k < nY && k < nX; k += 5) /* shared points: zero costs */
          memcpy(&Y[k * dim], &X[k * dim], sizeof(double) * dim);
        geom g = {.cloud = 1, .dim = dim, .nX = nX, .nY = nY, .X = X, .Y = Y, .p = pvals[e]};
        problem pr;
        problem_alloc(&pr, nX, nY);
        for (long i = 0; i < nX; i++) {
          pr.src[i] = i;
          pr.a[i] = 0.01 + unit_uniform(&rng);
        }
        for (long j = 0; j < nY; j++) {
          pr.dst[j] = j;
          pr.b[j] = 0.01 + unit_uniform(&rng);
        }
        balance(&pr);
        snprintf(what, sizeof what, "cloud %d-D p=%g %d -> %d spread %g", dim, g.p, nX, nY, spread);
        double want = reference(&g, &pr, what);
        expect_value(solve_checked(ot, &g, &pr, what), want, VALUE_RTOL, what);
        problem_free(&pr);
        free(X);
        free(Y);
      }
  wasp_ot_destroy(&ot);
#endif
}
END_TEST

/* Dummy sites (unbalanced transport as a balanced LP): a dummy target last
 * absorbs the excess of a, a dummy source (anywhere) supplies the excess of
 * b; moving to or from a dummy costs lambda, dummy to dummy 0. */
START_TEST(dummy_sites_vs_glpk)
{
#ifndef WASP_HAVE_GLPK
  printf("dummy_sites_vs_glpk skipped: GLPK not found\n");
#else
  wasp_ot *ot = new_solver();
  uint64_t rng = 6161;
  char what[200];
  const double lambdas[] = {0.02, 0.2, 5.0};
  for (int mode = 0; mode < 3; mode++) /* dummy target / dummy source / both */
    for (int q = 0; q < 3; q++)
      for (int e = 0; e < 2; e++) {
        const int n = 8;
        geom g = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .torus = q == 1, .p = pvals[e],
                  .lambda = lambdas[q]};
        problem pr;
        problem_alloc(&pr, n * n + 1, n * n + 1);
        double qa = 0.3 + 0.5 * unit_uniform(&rng), qb = 0.3 + 0.5 * unit_uniform(&rng);
        long ns = random_sites(&rng, n * n, qa, 0.05, 1.0, pr.src, pr.a);
        long nt = random_sites(&rng, n * n, qb, 0.05, 1.0, pr.dst, pr.b);
        double A = sum(ns, pr.a), B = sum(nt, pr.b);
        /* real totals: A = 1.5 B (mode 0), B = 1.5 A (mode 1), A = B (mode 2) */
        double fb = mode == 0 ? A / (1.5 * B) : mode == 1 ? 1.5 * A / B : A / B;
        for (long j = 0; j < nt; j++) pr.b[j] *= fb;
        B = sum(nt, pr.b);
        double dsrc = mode == 1 ? B - A : 0.25 * A, dtgt = mode == 0 ? A - B : 0.25 * A;
        if (mode != 0) { /* a dummy source may be anywhere: put it in the middle */
          long mid = ns / 2;
          memmove(&pr.src[mid + 1], &pr.src[mid], sizeof(long) * (ns - mid));
          memmove(&pr.a[mid + 1], &pr.a[mid], sizeof(double) * (ns - mid));
          pr.src[mid] = WASP_SITE_DUMMY;
          pr.a[mid] = dsrc;
          ns++;
        }
        if (mode != 1) { /* a dummy target must be last */
          pr.dst[nt] = WASP_SITE_DUMMY;
          pr.b[nt] = dtgt;
          nt++;
        }
        pr.ns = ns;
        pr.nt = nt;
        balance(&pr); /* rounding only */
        snprintf(what, sizeof what, "dummy mode %d lambda %g torus=%d p=%g (%ld -> %ld)", mode,
                 g.lambda, g.torus, g.p, pr.ns, pr.nt);
        double want = reference(&g, &pr, what);
        expect_value(solve_checked(ot, &g, &pr, what), want, VALUE_RTOL, what);
        problem_free(&pr);
      }
  wasp_ot_destroy(&ot);
#endif
}
END_TEST

/* Totals must agree to 1e-9 relative. */
START_TEST(unequal_totals)
{
  wasp_ot *ot = new_solver();
  geom g = {.cloud = 0, .ny = 6, .nx = 6, .h = 1.0 / 6, .p = 2.0};
  wasp_cost *c = geom_cost(&g);
  uint64_t rng = 17;
  problem pr;
  random_grid_problem(&rng, 36, 0.1, 1.0, &pr);
  const double bad[] = {1e-6, -1e-6, 1e-8, 1e-3, 0.5};
  double *b0 = malloc(sizeof(double) * pr.nt);
  memcpy(b0, pr.b, sizeof(double) * pr.nt);
  for (int q = 0; q < 5; q++) {
    for (long j = 0; j < pr.nt; j++) pr.b[j] = b0[j] * (1.0 + bad[q]);
    wasp_ot_result res;
    wasp_clear_error();
    wasp_status st = wasp_ot_solve(ot, c, pr.ns, pr.src, pr.a, pr.nt, pr.dst, pr.b, &res);
    ck_assert_msg(st == WASP_ERR_INPUT || st == WASP_ERR_ARG,
                  "totals differing by %g relative: status %d, want WASP_ERR_INPUT", bad[q], (int)st);
    ck_assert_msg(strlen(wasp_last_error()) > 0, "totals differing by %g: no message", bad[q]);
  }
  /* within tolerance: accepted, b rescaled to the total of a */
  const double fine[] = {1e-11, -3e-12, 2e-10};
  char what[120];
  for (int q = 0; q < 3; q++) {
    for (long j = 0; j < pr.nt; j++) pr.b[j] = b0[j] * (1.0 + fine[q]);
    snprintf(what, sizeof what, "totals differing by %g relative", fine[q]);
    solve_checked(ot, &g, &pr, what);
  }
  free(b0);
  problem_free(&pr);
  wasp_cost_destroy(&c);
  wasp_ot_destroy(&ot);
}
END_TEST

START_TEST(bad_masses)
{
  wasp_ot *ot = new_solver();
  geom g = {.cloud = 0, .ny = 4, .nx = 4, .h = 0.25, .p = 1.0};
  wasp_cost *c = geom_cost(&g);
  long src[] = {0, 5, 9}, dst[] = {3, 12, 15};
  double a[] = {0.5, 0.25, 0.25}, b[] = {0.25, 0.25, 0.5};
  wasp_ot_result res;
  a[1] = -0.25;
  a[2] = 0.75;
  wasp_clear_error();
  wasp_status st = wasp_ot_solve(ot, c, 3, src, a, 3, dst, b, &res);
  ck_assert_msg(st == WASP_ERR_INPUT || st == WASP_ERR_ARG,
                "a negative source mass: status %d, want WASP_ERR_INPUT", (int)st);
  ck_assert_msg(strlen(wasp_last_error()) > 0, "a negative mass: no message");
  a[1] = 0.25;
  a[2] = 0.25;
  b[0] = NAN;
  wasp_clear_error();
  st = wasp_ot_solve(ot, c, 3, src, a, 3, dst, b, &res);
  ck_assert_msg(st == WASP_ERR_INPUT || st == WASP_ERR_ARG, "a NaN target mass: status %d", (int)st);
  ck_assert_msg(strlen(wasp_last_error()) > 0, "a NaN mass: no message");
  b[0] = INFINITY;
  st = wasp_ot_solve(ot, c, 3, src, a, 3, dst, b, &res);
  ck_assert_msg(st != WASP_OK, "an infinite target mass was accepted");
  /* the solver still works after the failures */
  b[0] = 0.25;
  problem pr = {3, 3, src, dst, a, b};
  solve_checked(ot, &g, &pr, "after failed solves");
  wasp_cost_destroy(&c);
  wasp_ot_destroy(&ot);
}
END_TEST

/* The optimum by a fresh solver with default options, certificate checked. */
static double reference_value(const geom *g, const problem *pr, const char *what)
{
  wasp_ot *ref = new_solver();
  double v = solve_checked(ref, g, pr, what);
  wasp_ot_destroy(&ref);
  return v;
}

/* With an iteration limit the solver either proves optimality anyway or
 * fails with WASP_ERR_NUMERIC: it never returns an unproven value as OK. */
START_TEST(pivot_limit_is_not_silent)
{
  uint64_t rng = 4444;
  geom g = {.cloud = 0, .ny = 16, .nx = 16, .h = 1.0 / 16, .torus = 1, .p = 2.0};
  problem pr;
  random_grid_problem(&rng, 256, 0.02, 1.0, &pr);
  double want = reference_value(&g, &pr, "pivot limit: unlimited solve");
  const long limits[] = {1, 5, 50};
  for (int q = 0; q < 3; q++) {
    wasp_ot_options opt;
    wasp_ot_options_default(&opt);
    opt.max_pivots = limits[q];
    wasp_ot *ot = NULL;
    ck_assert_int_eq(wasp_ot_create(&opt, &ot), WASP_OK);
    wasp_cost *c = geom_cost(&g);
    wasp_ot_result res;
    memset(&res, 0, sizeof res);
    wasp_clear_error();
    wasp_status st = wasp_ot_solve(ot, c, pr.ns, pr.src, pr.a, pr.nt, pr.dst, pr.b, &res);
    char what[120];
    snprintf(what, sizeof what, "max_pivots = %ld (%ld -> %ld sites)", limits[q], pr.ns, pr.nt);
    if (st == WASP_OK) {
      check_solution(ot, &g, c, &pr, st, &res, what);
      expect_value(res.value, want, VALUE_RTOL, what);
    } else {
      ck_assert_msg(st == WASP_ERR_NUMERIC, "%s: status %d, want OK or WASP_ERR_NUMERIC", what,
                    (int)st);
      ck_assert_msg(res.optimal == 0, "%s: failed but res.optimal = 1", what);
      ck_assert_msg(strlen(wasp_last_error()) > 0, "%s: failed without a message", what);
    }
    wasp_cost_destroy(&c);
    wasp_ot_destroy(&ot);
  }
  problem_free(&pr);
}
END_TEST

/* Explicit pricing blocks and a tighter tolerance give the same optimum. */
START_TEST(options_do_not_change_the_optimum)
{
  uint64_t rng = 1212;
  geom g = {.cloud = 0, .ny = 12, .nx = 12, .h = 1.0 / 12, .torus = 0, .p = 1.0};
  problem pr;
  random_grid_problem(&rng, 144, 0.02, 1.0, &pr);
  double want = reference_value(&g, &pr, "options: default");
  wasp_ot *ot = NULL;
  const long blocks[] = {1, 7, 100000};
  char what[120];
  for (int q = 0; q < 3; q++) {
    wasp_ot_options opt;
    wasp_ot_options_default(&opt);
    opt.block = blocks[q];
    opt.tol = q == 2 ? 1e-12 : opt.tol;
    ck_assert_int_eq(wasp_ot_create(&opt, &ot), WASP_OK);
    snprintf(what, sizeof what, "options: block %ld tol %g", opt.block, opt.tol);
    expect_value(solve_checked(ot, &g, &pr, what), want, VALUE_RTOL, what);
    wasp_ot_destroy(&ot);
  }
  problem_free(&pr);
}
END_TEST

/* A solver with a forced path (opt) against independent answers: plain grids
 * against the same sites as a point cloud (no pricer, no coarse level), tori
 * against the default path, each certificate re-checked over all pairs.
 * Blobs, dense random masses, and sparse supports. */
static void forced_path_same_optimum(const wasp_ot_options *opt, const char *label, double p,
                                     int dims_mask)
{
  uint64_t rng = 0x1ea4;
  char what[160];
  wasp_ot *forced = NULL, *plain = new_solver();
  ck_assert_int_eq(wasp_ot_create(opt, &forced), WASP_OK);
  const int dims[][2] = {{32, 32}, {20, 28}};
  for (int d = 0; d < 2; d++)
    for (int kind = 0; kind < 3 && (dims_mask >> d & 1); kind++) {
      const int ny = dims[d][0], nx = dims[d][1];
      const long N = (long)ny * nx;
      double *X = grid_as_cloud(ny, nx);
      problem pr;
      problem_alloc(&pr, N, N);
      long ns = 0, nt = 0;
      for (long k = 0; k < N; k++) {
        const double y = (double)(k / nx) / ny, x = (double)(k % nx) / nx;
        double a = 0.01 + unit_uniform(&rng), b = 0.01 + unit_uniform(&rng);
        if (kind == 0) a = blob(y, x, 0.3, 0.25, 30), b = blob(y, x, 0.65, 0.8, 50);
        if (kind < 2 || unit_uniform(&rng) < 0.5) pr.src[ns] = k, pr.a[ns++] = a;
        if (kind < 2 || unit_uniform(&rng) < 0.5) pr.dst[nt] = k, pr.b[nt++] = b;
      }
      pr.ns = ns;
      pr.nt = nt;
      balance(&pr);
      static const char *kinds[] = {"blobs", "random", "sparse"};
      geom grid = {.cloud = 0, .ny = ny, .nx = nx, .h = 1.0 / nx, .torus = 0, .p = p};
      geom cloud = {.cloud = 1, .dim = 2, .nX = (int)N, .X = X, .nY = (int)N, .Y = X, .p = p};
      snprintf(what, sizeof what, "%s %s %dx%d p=%g: grid vs cloud", label, kinds[kind], ny, nx, p);
      expect_value(solve_checked(forced, &grid, &pr, what), solve_checked(plain, &cloud, &pr, what),
                   VALUE_RTOL, what);
      grid.torus = 1;
      snprintf(what, sizeof what, "%s %s %dx%d p=%g: torus vs default path", label, kinds[kind], ny,
               nx, p);
      expect_value(solve_checked(forced, &grid, &pr, what), solve_checked(plain, &grid, &pr, what),
                   VALUE_RTOL, what);
      problem_free(&pr);
      free(X);
    }
  wasp_ot_destroy(&forced);
  wasp_ot_destroy(&plain);
}

/* Lean pricing (simplex.c) normally starts at 128 x 128: forced on every
 * level of small p = 2 problems. */
START_TEST(lean_pricing_same_optimum)
{
  wasp_ot_options opt;
  wasp_ot_options_default(&opt);
  opt.lean_nodes = 1;
  forced_path_same_optimum(&opt, "lean", 2.0, 3);
}
END_TEST

/* Multiscale levels coarsened one axis at a time (automatic for p = 2 from
 * 64 x 64) and by 2 x 2 blocks (automatic otherwise), each forced where it
 * is not the default; and a torus whose wider axis is odd, so one-axis coarsening must
 * halve the other axis (26 x 27 -> 13 x 27), against the 2 x 2 path, which
 * cannot coarsen it at all. */
START_TEST(one_axis_levels_same_optimum)
{
  wasp_ot_options opt;
  wasp_ot_options_default(&opt);
  opt.one_axis = 1;
  forced_path_same_optimum(&opt, "one-axis levels", 2.0, 3);
  forced_path_same_optimum(&opt, "one-axis levels", 1.5, 2);
  forced_path_same_optimum(&opt, "one-axis levels", 1.0, 2);
  uint64_t rng = 2627;
  char what[120];
  wasp_ot *one = NULL, *blocks = NULL;
  ck_assert_int_eq(wasp_ot_create(&opt, &one), WASP_OK);
  opt.one_axis = -1;
  ck_assert_int_eq(wasp_ot_create(&opt, &blocks), WASP_OK);
  for (int q = 0; q < 2; q++) {
    geom g = {.cloud = 0, .ny = 26, .nx = 27, .h = 1.0 / 27, .torus = 1, .p = q ? 3.0 : 2.0};
    problem pr;
    random_grid_problem(&rng, 26L * 27, 0.05, 1.0, &pr);
    snprintf(what, sizeof what, "26x27 torus p=%g: one-axis vs 2x2 levels", g.p);
    expect_value(solve_checked(one, &g, &pr, what), solve_checked(blocks, &g, &pr, what), VALUE_RTOL, what);
    problem_free(&pr);
  }
  wasp_ot_destroy(&one);
  wasp_ot_destroy(&blocks);
}
END_TEST

/* Lazy potential shifts (blocks of the thread with pending offsets) normally
 * start at 512 x 512: forced on every level, with the exact p = 2 pricing,
 * the hierarchical one (p = 1.5), the difference of the measures (p = 1),
 * and together with lean pricing. */
START_TEST(lazy_shifts_same_optimum)
{
  wasp_ot_options opt;
  wasp_ot_options_default(&opt);
  opt.lazy_nodes = 1;
  forced_path_same_optimum(&opt, "lazy", 2.0, 3);      /* 32 x 32 and 20 x 28 */
  forced_path_same_optimum(&opt, "lazy", 1.5, 2);      /* 20 x 28 */
  forced_path_same_optimum(&opt, "lazy", 1.0, 2);
  opt.lean_nodes = 1;
  forced_path_same_optimum(&opt, "lazy and lean", 2.0, 2);
}
END_TEST

/* The potential shift chases 16-bit copies of the thread up to 65536 nodes
 * and the int thread beyond: the same pivots and the same optimum either
 * way, checked here by forcing the int thread on small problems. */
START_TEST(wide_thread_same_pivots)
{
  uint64_t rng = 6464;
  wasp_ot_options opt;
  wasp_ot_options_default(&opt);
  opt.compact_nodes = -1;
  wasp_ot *wide = NULL, *compact = new_solver();
  ck_assert_int_eq(wasp_ot_create(&opt, &wide), WASP_OK);
  for (int q = 0; q < 4; q++) {
    const int n = q < 2 ? 32 : 24;
    geom g = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .torus = q % 2, .p = q < 2 ? 2.0 : 1.5};
    problem pr;
    random_grid_problem(&rng, (long)n * n, 0.05, 1.0, &pr);
    wasp_cost *c = geom_cost(&g);
    wasp_ot_result r1, r2;
    ck_assert_int_eq(wasp_ot_solve(wide, c, pr.ns, pr.src, pr.a, pr.nt, pr.dst, pr.b, &r1), WASP_OK);
    ck_assert_int_eq(wasp_ot_solve(compact, c, pr.ns, pr.src, pr.a, pr.nt, pr.dst, pr.b, &r2), WASP_OK);
    ck_assert_msg(r1.optimal && r2.optimal && r1.iterations == r2.iterations && r1.value == r2.value,
                  "%dx%d torus %d p=%g: int thread %ld pivots, value %.17g; 16-bit %ld, %.17g", n, n,
                  q % 2, g.p, r1.iterations, r1.value, r2.iterations, r2.value);
    wasp_cost_destroy(&c);
    problem_free(&pr);
  }
  wasp_ot_destroy(&wide);
  wasp_ot_destroy(&compact);
}
END_TEST

/* One solver for problems of changing size gives the answers of fresh ones;
 * also with lazy shifts forced, whose block arrays are allocated on the first
 * lazy level and must follow the node arrays as they grow. */
START_TEST(solver_reuse)
{
  uint64_t rng = 9090;
  const int sizes[] = {16, 3, 10, 1, 16, 7, 24};
  char what[120];
  for (int lazy = 0; lazy < 2; lazy++) {
    wasp_ot_options opt;
    wasp_ot_options_default(&opt);
    opt.lazy_nodes = lazy ? 1 : 0;
    wasp_ot *shared = NULL;
    ck_assert_int_eq(wasp_ot_create(&opt, &shared), WASP_OK);
    for (int q = 0; q < 7; q++) {
      int n = sizes[q];
      geom g = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .torus = q % 2, .p = 1.0 + q % 3};
      problem pr;
      random_grid_problem(&rng, (long)n * n, 0.05, 1.0, &pr);
      snprintf(what, sizeof what, "reuse %d%s: %dx%d on a shared solver", q, lazy ? " lazy" : "", n, n);
      double v1 = solve_checked(shared, &g, &pr, what);
      wasp_ot *fresh = new_solver();
      snprintf(what, sizeof what, "reuse %d%s: %dx%d on a fresh solver", q, lazy ? " lazy" : "", n, n);
      double v2 = solve_checked(fresh, &g, &pr, what);
      wasp_ot_destroy(&fresh);
      expect_value(v1, v2, 1e-12, what);
      problem_free(&pr);
    }
    wasp_ot_destroy(&shared);
  }
}
END_TEST

/* Progress reports: every level of a multiscale grid solve reports its
 * rounds in order and finishes with one `done` report; the coarse levels
 * run (and finish) before the finer ones start pricing. */
typedef struct {
  int n;
  wasp_ot_progress rec[4096];
} progress_log;

static void log_progress(void *ctx, const wasp_ot_progress *p)
{
  progress_log *log = ctx;
  ck_assert_int_lt(log->n, 4096);
  log->rec[log->n++] = *p;
}

/* A solver with default options reporting its progress into log. */
static wasp_ot *logging_solver(progress_log *log)
{
  wasp_ot_options opt;
  wasp_ot_options_default(&opt);
  opt.progress = log_progress;
  opt.progress_ctx = log;
  wasp_ot *ot = NULL;
  ck_assert_int_eq(wasp_ot_create(&opt, &ot), WASP_OK);
  return ot;
}

START_TEST(progress_reports)
{
  uint64_t rng = 4242;
  const int n = 32;
  geom g = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .torus = 1, .p = 2.0};
  problem pr;
  problem_alloc(&pr, (long)n * n, (long)n * n);
  pr.ns = random_sites(&rng, (long)n * n, 1.0, 0.05, 1.0, pr.src, pr.a);
  pr.nt = random_sites(&rng, (long)n * n, 1.0, 0.05, 1.0, pr.dst, pr.b);
  balance(&pr);
  static progress_log log;
  log.n = 0;
  wasp_ot *ot = logging_solver(&log);
  wasp_cost *c = geom_cost(&g);
  wasp_ot_result res;
  wasp_status st = wasp_ot_solve(ot, c, pr.ns, pr.src, pr.a, pr.nt, pr.dst, pr.b, &res);
  check_solution(ot, &g, c, &pr, st, &res, "progress 32x32 torus");
  ck_assert_int_gt(log.n, 2);
  /* The last report is the caller's level, done, with the solve's totals. */
  const wasp_ot_progress *last = &log.rec[log.n - 1];
  ck_assert_int_eq(last->depth, 0);
  ck_assert_int_eq(last->done, 1);
  ck_assert_int_eq(last->sites, 2L * n * n);
  ck_assert_int_eq(last->pivots, res.iterations);
  ck_assert(last->min_reduced_cost >= -1e-9 && last->seconds >= 0);
  /* Level k (2x2 coarsenings of a full grid: at 32 x 32 never one axis at
   * a time) has (n / 2^k)^2 sites a side;
   * within a level rounds count up by one and pivots never fall; a level
   * is done before any finer level reports. */
  int seen[8] = {0}, done[8] = {0}, deepest = 0;
  long round[8] = {0}, piv[8] = {0};
  for (int r = 0; r < log.n; r++) {
    const wasp_ot_progress *p = &log.rec[r];
    ck_assert(p->depth >= 0 && p->depth < 8);
    const int d = p->depth, side = n >> d;
    ck_assert_int_eq(p->sites, 2L * side * side);
    ck_assert_msg(!done[d], "depth %d reports after its done report", d);
    if (!p->done) {
      ck_assert_int_eq(p->round, round[d] + 1);
      for (int e = d + 1; e < 8; e++) ck_assert_msg(!seen[e] || done[e], "depth %d prices while depth %d runs", d, e);
    }
    ck_assert_int_ge(p->pivots, piv[d]);
    round[d] = p->round, piv[d] = p->pivots, seen[d] = 1, done[d] = p->done;
    if (d > deepest) deepest = d;
  }
  ck_assert_int_ge(deepest, 1); /* 32 x 32 warm-starts from 16 x 16 */
  for (int d = 0; d <= deepest; d++) ck_assert_msg(seen[d] && done[d], "depth %d: seen %d done %d", d, seen[d], done[d]);
  wasp_cost_destroy(&c);
  wasp_ot_destroy(&ot);
  problem_free(&pr);
}
END_TEST

/* An n x n problem on every pixel: two distant Gaussian blobs (smooth at
 * the pixel scale) or dense uniform noise. */
static void blobs_or_noise(int n, bool smooth, uint64_t *rng, problem *pr)
{
  problem_alloc(pr, (long)n * n, (long)n * n);
  for (long k = 0; k < (long)n * n; k++) {
    const double y = (double)(k / n) / n, x = (double)(k % n) / n;
    pr->src[k] = pr->dst[k] = k;
    pr->a[k] = smooth ? blob(y, x, 0.3, 0.25, 30) : 0.05 + unit_uniform(rng);
    pr->b[k] = smooth ? blob(y, x, 0.65, 0.8, 50) : 0.05 + unit_uniform(rng);
  }
  pr->ns = pr->nt = (long)n * n;
  balance(pr);
}

/* The automatic choice of coarsening (multiscale.c): one axis at a time for
 * p = 2 on measures smooth at the pixel scale, from 64 x 64 on the torus
 * and from 128 x 128 on the plain grid; 2 x 2 blocks for pixel noise, for
 * p != 2, and on smaller grids.  Seen in the size of the first coarse level
 * in the progress reports. */
START_TEST(one_axis_chosen_for_smooth_measures)
{
  uint64_t rng = 4242;
  static progress_log log;
  wasp_ot *ot = logging_solver(&log);
  /* {n, torus, smooth, p} */
  const double cases[][4] = {{64, 1, 1, 2}, {64, 1, 0, 2}, {64, 1, 1, 1.5}, {32, 1, 1, 2},
                             {64, 0, 1, 2}, {128, 0, 1, 2}, {128, 0, 0, 2}};
  for (int q = 0; q < 7; q++) {
    const int n = (int)cases[q][0], smooth = cases[q][2] > 0;
    const bool torus = cases[q][1] > 0;
    const double p = cases[q][3];
    geom g = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .torus = torus, .p = p};
    problem pr;
    blobs_or_noise(n, smooth, &rng, &pr);
    log.n = 0;
    wasp_cost *c = geom_cost(&g);
    wasp_ot_result res;
    ck_assert_int_eq(wasp_ot_solve(ot, c, pr.ns, pr.src, pr.a, pr.nt, pr.dst, pr.b, &res), WASP_OK);
    ck_assert(res.optimal);
    long sites1 = 0;
    for (int r = 0; r < log.n; r++)
      if (log.rec[r].depth == 1) sites1 = log.rec[r].sites;
    const bool one = smooth && p == 2.0 && n >= (torus ? 64 : 128);
    ck_assert_msg(sites1 == (one ? (long)n * n : (long)n * n / 2),
                  "%dx%d %s p=%g torus %d: first coarse level has %ld sites, want %s", n, n,
                  smooth ? "smooth" : "noisy", p, (int)torus, sites1, one ? "one axis halved" : "2 x 2 blocks");
    wasp_cost_destroy(&c);
    problem_free(&pr);
  }
  wasp_ot_destroy(&ot);
}
END_TEST

/* The multiscale window seed (multiscale.c) and pricing's 3 x 3
 * neighbourhood (price_grid.c) forced on and off: blobs
 * (smooth, where it is normally off), dense random masses and sparse
 * supports (rough, normally on), p = 2, each against an independent
 * answer as in forced_path_same_optimum. */
START_TEST(seed_and_pricing_same_optimum)
{
  wasp_ot_options opt;
  wasp_ot_options_default(&opt);
  opt.window_seed = 1;
  forced_path_same_optimum(&opt, "window seed always", 2.0, 3);
  opt.window_seed = -1;
  forced_path_same_optimum(&opt, "window seed never", 2.0, 3);
  /* and pricing's 3 x 3 neighbourhood (price_grid.c) */
  wasp_ot_options_default(&opt);
  opt.neighbourhood = 1;
  forced_path_same_optimum(&opt, "pricing neighbourhood always", 2.0, 3);
  opt.neighbourhood = -1;
  forced_path_same_optimum(&opt, "pricing neighbourhood never", 2.0, 3);
}
END_TEST

/* The automatic choices of the window seed and of pricing's 3 x 3
 * neighbourhood: off for p = 2 between smooth measures, on for pixel noise
 * and for p != 2.  The pivot count is deterministic, so the automatic path
 * must pivot exactly as the forced one it should have chosen, on the plain
 * grid and the torus. */
START_TEST(seed_and_pricing_chosen_for_rough_measures)
{
  uint64_t rng = 777;
  /* {n, smooth, p} */
  const double cases[][3] = {{32, 1, 2}, {32, 0, 2}, {48, 1, 2}, {32, 1, 1.5}};
  for (int knob = 0; knob < 2; knob++) {
    for (int q = 0; q < 4; q++)
      for (int torus = 0; torus < 2; torus++) {
        const int n = (int)cases[q][0], smooth = cases[q][1] > 0;
        const double p = cases[q][2];
        geom g = {.cloud = 0, .ny = n, .nx = n, .h = 1.0 / n, .torus = torus, .p = p};
        problem pr;
        blobs_or_noise(n, smooth, &rng, &pr);
        const bool want = !(smooth && p == 2.0);
        long pivots[2];
        for (int forced = 0; forced < 2; forced++) {
          wasp_ot_options opt;
          wasp_ot_options_default(&opt);
          *(knob ? &opt.neighbourhood : &opt.window_seed) = forced ? (want ? 1 : -1) : 0;
          wasp_ot *ot = NULL;
          ck_assert_int_eq(wasp_ot_create(&opt, &ot), WASP_OK);
          wasp_cost *c = geom_cost(&g);
          wasp_ot_result res;
          ck_assert_int_eq(wasp_ot_solve(ot, c, pr.ns, pr.src, pr.a, pr.nt, pr.dst, pr.b, &res), WASP_OK);
          ck_assert(res.optimal);
          pivots[forced] = res.iterations;
          wasp_cost_destroy(&c);
          wasp_ot_destroy(&ot);
        }
        ck_assert_msg(pivots[0] == pivots[1], "%s, %dx%d %s p=%g torus %d: %ld pivots, forced %s: %ld",
                      knob ? "pricing neighbourhood" : "window seed", n, n, smooth ? "smooth" : "noisy", p,
                      torus, pivots[0], want ? "on" : "off", pivots[1]);
        problem_free(&pr);
      }
  }
}
END_TEST

int main(void)
{
  Suite *s = suite_create("ot");
  TCase *tc = tcase_create("ot");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, options_default);
  tcase_add_test(tc, dirac_to_dirac);
  tcase_add_test(tc, two_point_problems);
  tcase_add_test(tc, one_dimensional_quantiles);
  tcase_add_test(tc, wide_mass_range);
  tcase_add_test(tc, mass_scaling);
  tcase_add_test(tc, translation_plane);
  tcase_add_test(tc, translation_torus);
  tcase_add_test(tc, degenerate_ties);
  tcase_add_test(tc, zero_costs);
  tcase_add_test(tc, larger_problems_certified);
  tcase_add_test(tc, warm_start_grid_equals_cloud);
  tcase_add_test(tc, squared_cost_transform_vs_brute_force);
  tcase_add_test(tc, site_order_is_the_callers);
  tcase_add_test(tc, reference_self_check);
  tcase_add_test(tc, random_grid_vs_glpk);
  tcase_add_test(tc, degenerate_vs_glpk);
  tcase_add_test(tc, w1_difference_vs_glpk);
  tcase_add_test(tc, flat_difference_vs_glpk);
  tcase_add_test(tc, flat_multiscale_equals_cloud);
  tcase_add_test(tc, random_cloud_vs_glpk);
  tcase_add_test(tc, dummy_sites_vs_glpk);
  tcase_add_test(tc, unequal_totals);
  tcase_add_test(tc, bad_masses);
  tcase_add_test(tc, pivot_limit_is_not_silent);
  tcase_add_test(tc, options_do_not_change_the_optimum);
  tcase_add_test(tc, lean_pricing_same_optimum);
  tcase_add_test(tc, lazy_shifts_same_optimum);
  tcase_add_test(tc, wide_thread_same_pivots);
  tcase_add_test(tc, one_axis_levels_same_optimum);
  tcase_add_test(tc, one_axis_chosen_for_smooth_measures);
  tcase_add_test(tc, seed_and_pricing_same_optimum);
  tcase_add_test(tc, seed_and_pricing_chosen_for_rough_measures);
  tcase_add_test(tc, solver_reuse);
  tcase_add_test(tc, progress_reports);
  suite_add_tcase(s, tc);
  return unit_run(s);
}

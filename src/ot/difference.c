/* p = 1 on grids: transport only the difference of the two measures.
 *
 * When the cost is a metric (W1: c = d, plain grid or torus), mass that both
 * measures hold at a pixel can stay where it is: some optimal plan keeps
 * min(a, b) on the diagonal at zero cost, and the rest is an optimal plan
 * between the positive and the negative part of a - b (W1 depends on a - b
 * only).  That problem has one node per pixel instead of two, and no common
 * mass to route: at 128 px it solves 2-3x faster (docs/performance.md,
 * "W1 (and flat, TV)").
 * The flat metric and TV (a dummy site at price lambda, moves capped at
 * 2 lambda) are W1 for a metric too - on the pixels plus the dummy, which is
 * treated as one more pixel - so they reduce the same way.
 *
 * The answer is still certified on the caller's full problem.  From the
 * reduced optimum (u', v') the function f(x) = min_l c(x, y_l) - v'_l is
 * 1-Lipschitz in the metric and equals u' on the reduced sources and -v' on
 * the reduced targets (dual feasibility, complementary slackness and the
 * triangle inequality); u = f, v = -f is then dual feasible for every arc
 * of the full problem and complementary to the diagonal.  The certificate
 * (all ns*nt reduced costs by the grid pricer, the primal residual against
 * a and b, the gap) is computed from these, as for any other solve. */
#include "ot_tree.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* f at pixels whose difference is exactly 0 costs one scan of the reduced
 * targets each: beyond this many evaluations the full problem is solved
 * instead (nearly identical images with large identical regions). */
#define ZERO_PIXEL_BUDGET 2e7

bool ot_difference_applies(const wasp_ot *ot, const wasp_cost *cost)
{
  const double dummy = wasp_cost_dummy_price(cost), cap = wasp_cost_cap(cost);
  /* With a dummy at price lambda the cost is a metric only when no move
   * costs more than the 2 lambda of deleting and creating. */
  const bool metric = dummy <= 0 || (cap > 0 && cap <= 2 * dummy);
  return !ot->reduced && wasp_cost_grid(cost, NULL, NULL, NULL, NULL, NULL) &&
         wasp_cost_exponent(cost) == 1.0 && metric;
}

/* Slots: the pixels 0..npix-1, then the dummy site. */
static inline long slot_of(long site, long npix) { return site < 0 ? npix : site; }
static inline long site_of(long slot, long npix) { return slot < npix ? slot : WASP_SITE_DUMMY; }

typedef struct {
  long npix, nslot;     /* pixels, and pixels + the dummy */
  long *src_at, *dst_at; /* slot -> caller's index, -1 if none */
  double *d;             /* a - ratio b per slot */
  long *rs, *rt;         /* reduced sites (WASP_SITE_DUMMY for the dummy) */
  double *ra, *rb;       /* reduced masses */
  long nrs, nrt;
  double *f;             /* the full potential per slot */
} diff_work;

static void work_free(diff_work *w)
{
  wasp_free(&w->src_at);
  wasp_free(&w->dst_at);
  wasp_free(&w->d);
  wasp_free(&w->rs);
  wasp_free(&w->rt);
  wasp_free(&w->ra);
  wasp_free(&w->rb);
  wasp_free(&w->f);
}

/* Slot maps and the difference; *fallback = 2 (solve the full problem)
 * when a site is listed twice on one side or is not a pixel or the dummy.
 * (The caller sets 1 when the a = b slots would cost too much to extend f
 * to.) */
static wasp_status build(diff_work *w, long ns, const long *src, const double *a, long nt,
                         const long *dst, const double *b, double ratio, int *fallback)
{
  const long P = w->npix, S = w->nslot;
  *fallback = 0;
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)S, &w->src_at));
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)S, &w->dst_at));
  WASP_TRY(wasp_calloc((size_t)S, sizeof(double), &w->d));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)S, &w->f));
  for (long x = 0; x < S; x++) w->src_at[x] = w->dst_at[x] = -1;
  for (long i = 0; i < ns; i++) {
    const long x = slot_of(src[i], P);
    if (src[i] >= P || (src[i] < 0 && src[i] != WASP_SITE_DUMMY) || w->src_at[x] >= 0) {
      *fallback = 2;
      return WASP_OK;
    }
    w->src_at[x] = i;
    w->d[x] += a[i];
  }
  for (long j = 0; j < nt; j++) {
    const long x = slot_of(dst[j], P);
    if (dst[j] >= P || (dst[j] < 0 && dst[j] != WASP_SITE_DUMMY) || w->dst_at[x] >= 0) {
      *fallback = 2;
      return WASP_OK;
    }
    w->dst_at[x] = j;
    w->d[x] -= ratio * b[j];
  }
  /* Equal totals put rounding noise of ~1e-16 on the dummy: that is no
   * mass to create or delete, and leaving it keeps the dummy (and the
   * slower solve it needs) in the reduced problem. */
  long double total = 0;
  for (long i = 0; i < ns; i++) total += a[i];
  if (fabs(w->d[P]) <= 64 * DBL_EPSILON * (double)total) w->d[P] = 0;
  long np = 0, nn = 0;
  for (long x = 0; x < S; x++) np += w->d[x] > 0, nn += w->d[x] < 0;
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)(np + 1), &w->rs));
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)(nn + 1), &w->rt));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)(np + 1), &w->ra));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)(nn + 1), &w->rb));
  long double tp = 0, tn = 0;
  w->nrs = w->nrt = 0;
  /* In slot order, so a reduced dummy target comes last, as the pricer
   * requires. */
  for (long x = 0; x < S; x++) {
    if (w->d[x] > 0) {
      w->rs[w->nrs] = site_of(x, P);
      w->ra[w->nrs++] = w->d[x];
      tp += w->d[x];
    } else if (w->d[x] < 0) {
      w->rt[w->nrt] = site_of(x, P);
      w->rb[w->nrt++] = -w->d[x];
      tn -= w->d[x];
    }
  }
  /* The parts balance up to rounding of a - ratio b; make them balance
   * exactly (a relative change of ~1e-16 of the total mass). */
  if (w->nrs > 0 && w->nrt > 0)
    for (long l = 0; l < w->nrt; l++) w->rb[l] *= (double)(tp / tn);
  return WASP_OK;
}

/* f per slot from the reduced potentials (see the top of the file). */
static void extend_potential(diff_work *w, const wasp_cost *cost, const double *u, const double *v)
{
  const long P = w->npix;
  for (long x = 0; x < w->nslot; x++) w->f[x] = 0.0;
  if (!u || !v) return; /* nothing to move: a = b up to rounding, f = 0 */
  for (long k = 0; k < w->nrs; k++) w->f[slot_of(w->rs[k], P)] = u[k];
  for (long l = 0; l < w->nrt; l++) w->f[slot_of(w->rt[l], P)] = -v[l];
  for (long x = 0; x < P; x++) {
    if (w->d[x] != 0 || (w->src_at[x] < 0 && w->dst_at[x] < 0)) continue;
    double best = INFINITY;
    for (long l = 0; l < w->nrt; l++)
      best = fmin(best, wasp_cost_eval(cost, x, w->rt[l]) - v[l]);
    w->f[x] = best;
  }
  /* A dummy with no net mass took no part in the reduced problem.  Its arcs
   * cost lambda each way, so any f(dummy) within lambda of every f(x)
   * prices them all non-negative: the midpoint of f's range does, as moves
   * are capped at 2 lambda and f is 1-Lipschitz. */
  if (w->d[P] == 0 && (w->src_at[P] >= 0 || w->dst_at[P] >= 0)) {
    double lo = INFINITY, hi = -INFINITY;
    for (long x = 0; x < P; x++)
      if (w->src_at[x] >= 0 || w->dst_at[x] >= 0) lo = fmin(lo, w->f[x]), hi = fmax(hi, w->f[x]);
    w->f[P] = lo <= hi ? 0.5 * (lo + hi) : 0.0;
  }
}

static long zero_pixels(const diff_work *w)
{
  long z = 0;
  for (long x = 0; x < w->nslot; x++)
    z += w->d[x] == 0 && (w->src_at[x] >= 0 || w->dst_at[x] >= 0);
  return z;
}

/* The certificate of the full problem from the plan and potentials in ot. */
static wasp_status certify(wasp_ot *ot, const wasp_cost *cost, long ns, const long *src,
                           const double *a, long nt, const long *dst, const double *b, double ratio,
                           double sa, wasp_ot_result *res)
{
  ot->cost = cost;
  ot->ns = ns;
  ot->nt = nt;
  ot->src = src;
  ot->dst = dst;
  ot->nodes = (int)(ns + nt + 1);
  ot->mass_a = sa;
  ot->cbound = wasp_cost_bound(cost);
  ot->big_m = ot->cbound > 0 ? ot->cbound : 1.0;
  res->mass = sa;
  res->cost_scale = ot->big_m;
  ot_plan_certificate(ot, a, b, ratio, res);
  /* every one of the ns*nt reduced costs, by the grid pricer */
  for (long i = 0; i < ns; i++) ot->pi[i] = ot->u[i];
  for (long j = 0; j < nt; j++) ot->pi[ns + j] = -ot->v[j];
  ot_grid_pricer_destroy(&ot->grid);
  WASP_TRY(ot_grid_pricer_create(cost, ns, src, nt, dst, &ot->grid));
  long added = 0;
  const double t0 = wasp_wtime();
  WASP_TRY(ot_grid_price(ot, ot->grid, 1e-13 * ot->big_m, 0, &res->min_reduced_cost, &added));
  if (getenv("WASP_OT_DEBUG"))
    fprintf(stderr, "difference: certificate pricing %.3f s\n", wasp_wtime() - t0);
  return ot_verdict(ot, 0, res);
}

wasp_status ot_solve_difference(wasp_ot *ot, const wasp_cost *cost, long ns, const long *src,
                                const double *a, long nt, const long *dst, const double *b,
                                wasp_ot_result *res, int *fallback)
{
  const double t0 = wasp_wtime();
  int ny, nx;
  double sa, sb;
  memset(res, 0, sizeof *res);
  ot->nnz = 0;
  WASP_TRY(ot_check_masses(ns, a, nt, b, &sa, &sb));
  if (ns + nt + 1 > 2000000000L)
    return wasp_fail(WASP_ERR_ARG, "%ld + %ld sites exceed the solver's node limit", ns, nt);
  wasp_cost_grid(cost, &ny, &nx, NULL, NULL, NULL);
  const double ratio = sa / sb;
  diff_work w = {.npix = (long)ny * nx, .nslot = (long)ny * nx + 1};
  wasp_status s = build(&w, ns, src, a, nt, dst, b, ratio, fallback);
  if (!s && *fallback == 2 && getenv("WASP_OT_DEBUG"))
    fprintf(stderr, "difference: a pixel is listed twice; solving the full problem instead\n");
  const long nzero = !s && !*fallback ? zero_pixels(&w) : 0;
  if ((double)nzero * (double)w.nrt > ZERO_PIXEL_BUDGET) *fallback = 1;
  if (!s && *fallback != 2 && getenv("WASP_OT_DEBUG"))
    fprintf(stderr, "difference: %ld + %ld reduced sites, %ld pixels with a = b%s\n", w.nrs, w.nrt,
            nzero, *fallback ? "; solving the full problem instead" : "");
  if (s || *fallback) {
    work_free(&w);
    return s;
  }

  /* The reduced problem, on its own solver (it never reduces again). */
  wasp_ot_result rres;
  memset(&rres, 0, sizeof rres);
  if (!ot->diff) s = wasp_ot_create(&ot->opt, &ot->diff);
  if (!s) ot->diff->reduced = true;
  if (!s) ot->diff->depth = ot->depth; /* the same level, reduced */
  /* Equal totals leave the dummy out of the difference: the reduced
   * problem is then a plain grid problem, and solved as one (multiscale
   * seed, locality order), with the dummy price dropped from its cost. */
  wasp_cost *plain = NULL;
  if (!s && wasp_cost_dummy_price(cost) > 0 && w.d[w.npix] == 0) {
    double hy, hx;
    bool torus;
    wasp_cost_grid(cost, &ny, &nx, &hy, &hx, &torus);
    s = wasp_cost_create_grid_axes(ny, nx, hy, hx, torus, wasp_cost_exponent(cost), &plain);
    if (!s && wasp_cost_cap(cost) > 0) s = wasp_cost_set_cap(plain, wasp_cost_cap(cost));
  }
  if (!s && w.nrs > 0 && w.nrt > 0) {
    s = wasp_ot_solve(ot->diff, plain ? plain : cost, w.nrs, w.rs, w.ra, w.nrt, w.rt, w.rb, &rres);
    if (s == WASP_ERR_NUMERIC) *res = rres; /* not certified: report why */
  }
  wasp_cost_destroy(&plain);
  const double *u_r = NULL, *v_r = NULL;
  if (!s && w.nrs > 0 && w.nrt > 0) wasp_ot_potentials(ot->diff, &u_r, &v_r);
  if (!s) extend_potential(&w, cost, u_r, v_r);

  /* The full plan: the diagonal, then the reduced plan in caller indices. */
  if (!s) s = ot_reserve(ot, ns + nt + 1, nt);
  if (!s) {
    long double value = 0;
    for (long x = 0; x < w.nslot; x++) {
      const long i = w.src_at[x], j = w.dst_at[x];
      if (i < 0 || j < 0) continue;
      ot->plan_i[ot->nnz] = i;
      ot->plan_j[ot->nnz] = j;
      ot->plan_m[ot->nnz++] = fmin(a[i], ratio * b[j]);
    }
    long nnz = 0;
    const long *pi = NULL, *pj = NULL;
    const double *pm = NULL;
    if (w.nrs > 0 && w.nrt > 0) wasp_ot_plan(ot->diff, &nnz, &pi, &pj, &pm);
    for (long e = 0; e < nnz; e++) {
      const long i = w.src_at[slot_of(w.rs[pi[e]], w.npix)];
      const long j = w.dst_at[slot_of(w.rt[pj[e]], w.npix)];
      ot->plan_i[ot->nnz] = i;
      ot->plan_j[ot->nnz] = j;
      ot->plan_m[ot->nnz++] = pm[e];
      value += (long double)pm[e] * wasp_cost_eval(cost, src[i], dst[j]);
    }
    for (long i = 0; i < ns; i++) ot->u[i] = w.f[slot_of(src[i], w.npix)];
    for (long j = 0; j < nt; j++) ot->v[j] = -w.f[slot_of(dst[j], w.npix)];
    res->value = (double)value;
    res->iterations = rres.iterations;
    s = certify(ot, cost, ns, src, a, nt, dst, b, ratio, sa, res);
  }
  work_free(&w);
  res->seconds = wasp_wtime() - t0;
  return s;
}

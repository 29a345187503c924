/* The exact-LP metrics: W_p and Mainini's signed W_p^±, and the transport
 * helper they (and the unbalanced metrics) share. */
#include "metric_impl.h"

#include <math.h>
#include <string.h>

static wasp_status grow(wasp_metric_ctx *ctx, long n)
{
  if (n <= ctx->cap) return WASP_OK;
  wasp_free(&ctx->src);
  wasp_free(&ctx->dst);
  wasp_free(&ctx->a);
  wasp_free(&ctx->b);
  wasp_free(&ctx->work_s);
  wasp_free(&ctx->work_t);
  ctx->cap = 0;
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)n, &ctx->src));
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)n, &ctx->dst));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)n, &ctx->a));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)n, &ctx->b));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)n, &ctx->work_s));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)n, &ctx->work_t));
  ctx->cap = n;
  return WASP_OK;
}

wasp_status wasp_metric_scratch(wasp_metric_ctx *ctx, long n, double **s, double **t)
{
  /* One spare slot for the dummy site of the unbalanced metrics, so that
   * wasp_metric_transport never reallocates what s and t point to. */
  WASP_TRY(grow(ctx, n + 1));
  *s = ctx->work_s;
  *t = ctx->work_t;
  return WASP_OK;
}

/* The cost model for these inputs: grid models are cached by geometry, a
 * cloud model is built per call (its coordinates are the data). */
wasp_status wasp_metric_cost_model(wasp_metric_ctx *ctx, const wasp_measure *a,
                                   const wasp_measure *b, double cap, double dummy,
                                   wasp_cost **cost, bool *owned)
{
  const wasp_metric_params *par = &ctx->par;
  double p = ctx->entry->uses_p ? par->p : 1.0;
  *owned = false;
  if (a->kind == WASP_MEASURE_CLOUD) {
    *owned = true;
    WASP_TRY(wasp_cost_create_cloud(a->dim, a->npts, a->coords, b->npts, b->coords, p, cost));
    if (cap > 0) WASP_TRY(wasp_cost_set_cap(*cost, cap));
    if (dummy > 0) WASP_TRY(wasp_cost_set_dummy(*cost, dummy));
    return WASP_OK;
  }
  double h = par->spacing > 0 ? par->spacing : 1.0 / (a->ny > a->nx ? a->ny : a->nx);
  if (!ctx->grid_cost || ctx->g_ny != a->ny || ctx->g_nx != a->nx || ctx->g_h != h ||
      ctx->g_p != p || ctx->g_torus != par->torus || ctx->g_cap != cap ||
      ctx->g_dummy != dummy) {
    wasp_cost_destroy(&ctx->grid_cost);
    WASP_TRY(wasp_cost_create_grid(a->ny, a->nx, h, par->torus, p, &ctx->grid_cost));
    if (cap > 0) WASP_TRY(wasp_cost_set_cap(ctx->grid_cost, cap));
    if (dummy > 0) WASP_TRY(wasp_cost_set_dummy(ctx->grid_cost, dummy));
    ctx->g_ny = a->ny;
    ctx->g_nx = a->nx;
    ctx->g_h = h;
    ctx->g_p = p;
    ctx->g_torus = par->torus;
    ctx->g_cap = cap;
    ctx->g_dummy = dummy;
  }
  *cost = ctx->grid_cost;
  return WASP_OK;
}

static wasp_status keep_plan(wasp_metric_ctx *ctx)
{
  long nnz;
  const long *pi, *pj;
  const double *pm;
  WASP_TRY(wasp_ot_plan(ctx->ot, &nnz, &pi, &pj, &pm));
  if (nnz > ctx->plan_cap) {
    wasp_free(&ctx->plan_src);
    wasp_free(&ctx->plan_dst);
    wasp_free(&ctx->plan_mass);
    ctx->plan_cap = 0;
    WASP_TRY(wasp_malloc(sizeof(long) * (size_t)nnz, &ctx->plan_src));
    WASP_TRY(wasp_malloc(sizeof(long) * (size_t)nnz, &ctx->plan_dst));
    WASP_TRY(wasp_malloc(sizeof(double) * (size_t)nnz, &ctx->plan_mass));
    ctx->plan_cap = nnz;
  }
  for (long e = 0; e < nnz; e++) {
    ctx->plan_src[e] = ctx->src[pi[e]];
    ctx->plan_dst[e] = ctx->dst[pj[e]];
    ctx->plan_mass[e] = pm[e];
  }
  ctx->nnz = nnz;
  return WASP_OK;
}

wasp_status wasp_metric_transport(wasp_metric_ctx *ctx, const wasp_measure *a, const double *S,
                                  const wasp_measure *b, const double *T, double cap,
                                  wasp_ot_result *res)
{
  return wasp_metric_transport_dummy(ctx, a, S, b, T, cap, 0.0, res);
}

wasp_status wasp_metric_transport_dummy(wasp_metric_ctx *ctx, const wasp_measure *a,
                                        const double *S, const wasp_measure *b, const double *T,
                                        double cap, double dummy, wasp_ot_result *res)
{
  long na = wasp_measure_size(a), nb = wasp_measure_size(b), ns = 0, nt = 0;
  long double mass_s = 0, mass_t = 0;
  wasp_cost *cost;
  bool owned;
  WASP_TRY(grow(ctx, (na > nb ? na : nb) + 1));
  /* Zero sites carry nothing: leaving them out shrinks clean images a lot. */
  for (long k = 0; k < na; k++)
    if (S[k] > 0) {
      ctx->src[ns] = k;
      ctx->a[ns++] = S[k];
      mass_s += S[k];
    }
  for (long k = 0; k < nb; k++)
    if (T[k] > 0) {
      ctx->dst[nt] = k;
      ctx->b[nt++] = T[k];
      mass_t += T[k];
    }
  /* Unbalanced: the dummy source creates T's mass, the dummy sink absorbs
   * S's; the cost model requires the dummy target to come last. */
  if (dummy > 0 && mass_t > 0) {
    ctx->src[ns] = WASP_SITE_DUMMY;
    ctx->a[ns++] = (double)mass_t;
  }
  if (dummy > 0 && mass_s > 0) {
    ctx->dst[nt] = WASP_SITE_DUMMY;
    ctx->b[nt++] = (double)mass_s;
  }
  WASP_TRY(wasp_metric_cost_model(ctx, a, b, cap, dummy, &cost, &owned));
  wasp_status s = wasp_ot_solve(ctx->ot, cost, ns, ctx->src, ctx->a, nt, ctx->dst, ctx->b, res);
  if (owned) wasp_cost_destroy(&cost);
  WASP_TRY(s);
  ctx->lp_ns = ns;
  ctx->lp_nt = nt;
  return keep_plan(ctx);
}

static double root_p(double cost, double p) { return p == 1.0 ? cost : pow(fmax(cost, 0.0), 1.0 / p); }

wasp_status wasp_metric_wp(wasp_metric_ctx *ctx, const wasp_measure *a, const wasp_measure *b,
                           wasp_metric_result *res)
{
  long n = wasp_measure_size(a), m = wasp_measure_size(b);
  double ma = wasp_measure_mass(a), mb = wasp_measure_mass(b), *S, *T;
  if (!(ma > 0) || !(mb > 0))
    return wasp_fail(WASP_ERR_INPUT, "total masses are %g and %g; W_p compares probability "
                                     "measures and needs positive total mass", ma, mb);
  WASP_TRY(wasp_metric_scratch(ctx, n > m ? n : m, &S, &T));
  for (long k = 0; k < n; k++) S[k] = a->w[k] / ma;
  for (long k = 0; k < m; k++) T[k] = b->w[k] / mb;
  WASP_TRY(wasp_metric_transport(ctx, a, S, b, T, 0.0, &res->ot));
  res->has_certificate = 1;
  res->mass = 1.0;
  res->value = root_p(res->ot.value, ctx->par.p);
  return WASP_OK;
}

/* S = a+ + b-, T = b+ + a-; their masses are equal exactly when a and b have
 * equal total mass, and W_p^± is the cost of moving that whole mass C. */
wasp_status wasp_metric_signed(wasp_metric_ctx *ctx, const wasp_measure *a, const wasp_measure *b,
                               wasp_metric_result *res)
{
  long n = wasp_measure_size(a);
  double *S, *T;
  WASP_TRY(wasp_metric_scratch(ctx, n, &S, &T));
  long double cs = 0, ct = 0;
  for (long k = 0; k < n; k++) {
    double x = a->w[k], y = b->w[k];
    S[k] = (x > 0 ? x : 0) + (y < 0 ? -y : 0);
    T[k] = (y > 0 ? y : 0) + (x < 0 ? -x : 0);
    /* No cancellation of mass present in both S and T at one pixel: for
     * p > 1 routing through shared mass can be cheaper, so W_p(S, T) is not
     * a function of S - T. */
    cs += S[k];
    ct += T[k];
  }
  const double C_S = (double)cs, C_T = (double)ct, big = fmax(C_S, C_T);
  if (big == 0) { /* a == b: nothing to move */
    res->has_certificate = 0;
    return WASP_OK;
  }
  if (ctx->par.normalize) {
    if (!(C_S > 0) || !(C_T > 0))
      return wasp_fail(WASP_ERR_INPUT, "-normalize: C_S = %g and C_T = %g; both parts need "
                                       "positive mass", C_S, C_T);
    for (long k = 0; k < n; k++) {
      S[k] /= C_S;
      T[k] /= C_T;
    }
  } else if (fabs(C_S - C_T) > 1e-9 * big) {
    return wasp_fail(WASP_ERR_INPUT,
                     "unequal total masses: sum(a) = %.12g, sum(b) = %.12g (C_S = %.12g, "
                     "C_T = %.12g); the signed cost needs equal masses - use -normalize to "
                     "compare S/C_S with T/C_T",
                     wasp_measure_mass(a), wasp_measure_mass(b), C_S, C_T);
  }
  WASP_TRY(wasp_metric_transport(ctx, a, S, b, T, 0.0, &res->ot));
  res->has_certificate = 1;
  res->mass = ctx->par.normalize ? 1.0 : C_S;
  res->value = root_p(res->ot.value, ctx->par.p);
  return WASP_OK;
}

/* Metric contexts: parameter validation, input checks shared by all metrics,
 * and the workspace (solver, support lists, cost model) reused across calls. */
#include "metric_impl.h"

#include <math.h>
#include <string.h>

void wasp_metric_params_default(wasp_metric_params *par)
{
  memset(par, 0, sizeof *par);
  par->p = 1.0;
  par->spacing = 0.0;
  par->lambda = 1.0;
  par->epsilon = 1e-2;
  par->tau = 1.0;
  par->directions = 64;
  par->seed = 1;
  wasp_ot_options_default(&par->ot);
}

wasp_status wasp_metric_ctx_create(const char *name, const wasp_metric_params *par,
                                   wasp_metric_ctx **ctx)
{
  const wasp_metric_entry *e;
  *ctx = NULL;
  WASP_TRY(wasp_metric_lookup(name, &e));
  if (e->uses_p && (!(par->p >= 1.0) || !isfinite(par->p)))
    return wasp_fail(WASP_ERR_ARG, "-p %g is invalid for -metric %s: the exponent must be >= 1",
                     par->p, e->name);
  if (!isfinite(par->spacing) || par->spacing < 0)
    return wasp_fail(WASP_ERR_ARG, "-spacing %g is invalid: it must be positive (0 = 1/n)",
                     par->spacing);
  if (par->normalize && !e->uses_normalize)
    return wasp_fail(WASP_ERR_ARG, "-normalize applies to -metric signed only, not to %s", e->name);
  WASP_TRY(wasp_calloc(1, sizeof **ctx, ctx));
  (*ctx)->entry = e;
  (*ctx)->par = *par;
  if (e->is_exact_lp) {
    wasp_status s = wasp_ot_create(&par->ot, &(*ctx)->ot);
    if (s) {
      wasp_metric_ctx_destroy(ctx);
      return s;
    }
  }
  return WASP_OK;
}

void wasp_metric_ctx_destroy(wasp_metric_ctx **ctx)
{
  if (!*ctx) return;
  wasp_metric_ctx *c = *ctx;
  wasp_ot_destroy(&c->ot);
  wasp_cost_destroy(&c->grid_cost);
  wasp_free(&c->src);
  wasp_free(&c->dst);
  wasp_free(&c->a);
  wasp_free(&c->b);
  wasp_free(&c->work_s);
  wasp_free(&c->work_t);
  wasp_free(&c->plan_src);
  wasp_free(&c->plan_dst);
  wasp_free(&c->plan_mass);
  wasp_free(ctx);
}

const wasp_metric_entry *wasp_metric_ctx_entry(const wasp_metric_ctx *ctx) { return ctx->entry; }

static wasp_status check_sign(const wasp_measure *m, const char *name, const char *metric)
{
  long n = wasp_measure_size(m);
  for (long k = 0; k < n; k++) {
    if (m->w[k] < 0) {
      if (m->kind == WASP_MEASURE_GRID)
        return wasp_fail(WASP_ERR_INPUT,
                         "%s: pixel (%ld, %ld) is %g; -metric %s needs nonnegative values "
                         "(use -metric signed for signed images)",
                         name, k / m->nx, k % m->nx, m->w[k], metric);
      return wasp_fail(WASP_ERR_INPUT, "%s: weight of point %ld is %g; -metric %s needs "
                                       "nonnegative weights", name, k, m->w[k], metric);
    }
  }
  return WASP_OK;
}

wasp_status wasp_metric_eval(wasp_metric_ctx *ctx, const wasp_measure *a, const char *aname,
                             const wasp_measure *b, const char *bname, wasp_metric_result *res)
{
  double t0 = wasp_wtime();
  memset(res, 0, sizeof *res);
  ctx->nnz = ctx->lp_ns = ctx->lp_nt = 0;
  WASP_TRY(wasp_measure_check_compatible(a, aname, b, bname));
  WASP_TRY(wasp_measure_check_finite(a, aname));
  WASP_TRY(wasp_measure_check_finite(b, bname));
  if (a->kind == WASP_MEASURE_CLOUD && ctx->par.torus)
    return wasp_fail(WASP_ERR_ARG, "-torus applies to images; %s and %s are point clouds", aname,
                     bname);
  if (ctx->entry->needs_nonnegative) {
    WASP_TRY(check_sign(a, aname, ctx->entry->name));
    WASP_TRY(check_sign(b, bname, ctx->entry->name));
  }
  wasp_status s = ctx->entry->eval(ctx, a, b, res);
  if (s) return wasp_fail_context(s, "-metric %s between %s and %s", ctx->entry->name, aname, bname);
  res->seconds = wasp_wtime() - t0;
  return WASP_OK;
}

wasp_status wasp_metric_last_plan(const wasp_metric_ctx *ctx, long *nnz, const long **src,
                                  const long **dst, const double **mass)
{
  *nnz = ctx->nnz;
  *src = ctx->plan_src;
  *dst = ctx->plan_dst;
  *mass = ctx->plan_mass;
  return WASP_OK;
}

wasp_status wasp_metric_last_duals(const wasp_metric_ctx *ctx, wasp_metric_duals *d)
{
  const double *u = NULL, *v = NULL;
  if (ctx->lp_ns > 0) WASP_TRY(wasp_ot_potentials(ctx->ot, &u, &v));
  *d = (wasp_metric_duals){.ns = ctx->lp_ns, .nt = ctx->lp_nt, .source_site = ctx->src,
                           .target_site = ctx->dst, .source_mass = ctx->a, .target_mass = ctx->b,
                           .u = u, .v = v};
  return WASP_OK;
}

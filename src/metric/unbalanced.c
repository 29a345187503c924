/* The flat metric and TV-unbalanced transport, exactly, as one LP.
 *
 * Piccoli-Rossi: flat(mu, nu) = min over sub-measures of equal mass of
 * |mu - mu~| + |nu - nu~| + W1(mu~, nu~) - every unit of mass is moved at
 * cost d(x, y) or deleted / created at cost 1 (lambda for `tv`).  As a
 * balanced transport problem (../shared/notes/flat-metric.md): sources a plus
 * a dummy carrying |b|, sinks b plus a dummy carrying |a|, costs
 * min(d, 2 lambda) real -> real, lambda to or from a dummy, 0 dummy -> dummy.
 * The cap at 2 lambda is exact (moving further never beats delete + create)
 * and keeps the LP's cost bound small.  The network simplex then solves it
 * with its usual certificate, on grids (plain or torus) and clouds alike.
 *
 * The plan of the last evaluation (wasp_metric_last_plan) uses site id
 * WASP_SITE_DUMMY (-1): source -1 = mass created at the target site,
 * target -1 = mass deleted at the source site, (-1, -1) = the unused part of
 * the two dummies. */
#include "metric_impl.h"

#include <math.h>

static wasp_status unbalanced(wasp_metric_ctx *ctx, const wasp_measure *a, const wasp_measure *b,
                              double lambda, wasp_metric_result *res)
{
  const double A = wasp_measure_mass(a), B = wasp_measure_mass(b);
  if (A == 0 && B == 0) return WASP_OK; /* nothing to move, delete or create */
  WASP_TRY(wasp_metric_transport_dummy(ctx, a, a->w, b, b->w, 2 * lambda, lambda, &res->ot));
  /* With the dummies priced exactly, the LP optimum is the distance itself
   * (no shift to undo, so no cancellation for large lambda). */
  res->value = res->ot.value;
  res->has_certificate = 1;
  long double moved = 0;
  for (long e = 0; e < ctx->nnz; e++)
    if (ctx->plan_src[e] != WASP_SITE_DUMMY && ctx->plan_dst[e] != WASP_SITE_DUMMY)
      moved += ctx->plan_mass[e];
  res->mass = (double)moved;
  return WASP_OK;
}

wasp_status wasp_metric_flat(wasp_metric_ctx *ctx, const wasp_measure *a, const wasp_measure *b,
                             wasp_metric_result *res)
{
  /* flat is tv at lambda = 1 by definition; a different -lambda is a
   * misunderstanding worth reporting rather than ignoring. */
  if (ctx->par.lambda != 1.0)
    return wasp_fail(WASP_ERR_ARG, "-lambda %g does not apply to -metric flat (its price is 1); "
                                   "use -metric tv -lambda %g", ctx->par.lambda, ctx->par.lambda);
  return unbalanced(ctx, a, b, 1.0, res);
}

wasp_status wasp_metric_tv(wasp_metric_ctx *ctx, const wasp_measure *a, const wasp_measure *b,
                           wasp_metric_result *res)
{
  const double lambda = ctx->par.lambda;
  if (!(lambda > 0) || !isfinite(lambda))
    return wasp_fail(WASP_ERR_ARG, "-lambda %g is invalid for -metric tv: the price per unit "
                                   "deleted or created must be a positive finite number", lambda);
  return unbalanced(ctx, a, b, lambda, res);
}

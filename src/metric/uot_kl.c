/* uot-kl: entropic unbalanced transport with KL marginal penalties, by
 * unbalanced Sinkhorn scaling in the log domain (Chizat, Peyre, Schmitzer,
 * Vialard 2016).
 *
 * The problem, in POT's convention (ot.unbalanced, POT 0.8), with C = d^p:
 *   min_{pi >= 0}  <C, pi> + eps * sum_ij (pi_ij log pi_ij - pi_ij)
 *                 + tau * KL(pi 1 | a) + tau * KL(pi^T 1 | b),
 *   KL(x | y) = sum x log(x / y) - x + y.
 * (POT's docstring writes the entropy as sum pi log pi; its iteration, with
 * K = exp(-C / eps) and u = (a / Kv)^(tau / (tau + eps)), is the optimality
 * condition of the form above, whose plan we therefore match.)
 * The reported value is <C, pi*>, what POT's sinkhorn_unbalanced2 returns;
 * res->mass is the plan's mass sum pi*, res->ot.value the full objective
 * above and res->ot.iterations the number of Sinkhorn sweeps (there is no LP
 * certificate: has_certificate stays 0).
 *
 * Log domain: with potentials f = eps log u, g = eps log v, a sweep is
 *   f_i = k (eps log a_i - eps LSE_j((g_j - C_ij) / eps)),  k = tau/(tau+eps)
 * and the same for g, never forming exp(-C/eps), so small eps cannot
 * underflow.  Each sweep ends with an exact translation step (see iterate())
 * that removes the slow mode of unbalanced Sinkhorn when eps << tau.  We
 * stop when the largest change of f and g is below tol * eps (tol = -tol),
 * i.e. the scalings u, v changed by a relative tol (or only by rounding of
 * the potentials).  Zero-mass sites are left out:
 * their scaling is 0 and their row and column of the plan vanish. */
#include "metric_impl.h"

#include <float.h>
#include <math.h>

#define UOT_MAX_ITERATIONS 200000L
#define UOT_MAX_ENTRIES (1L << 25) /* dense cost matrix: 256 MB of doubles */

typedef struct {
  long ns, nt;
  double *C;        /* ns x nt costs, row-major */
  double *a, *b;    /* masses of the positive sites */
  double *f, *g;    /* potentials */
} uot_problem;

static void uot_free(uot_problem *P)
{
  wasp_free(&P->C);
  wasp_free(&P->a);
  wasp_free(&P->b);
  wasp_free(&P->f);
  wasp_free(&P->g);
}

static wasp_status collect(const wasp_measure *m, long *n, long **ids, double **w)
{
  long size = wasp_measure_size(m), k = 0;
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)(size ? size : 1), ids));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)(size ? size : 1), w));
  for (long i = 0; i < size; i++)
    if (m->w[i] > 0) {
      (*ids)[k] = i;
      (*w)[k++] = m->w[i];
    }
  *n = k;
  return WASP_OK;
}

static wasp_status build(wasp_metric_ctx *ctx, const wasp_measure *ma, const wasp_measure *mb,
                         uot_problem *P)
{
  long *is = NULL, *js = NULL;
  wasp_cost *cost = NULL;
  bool owned = false;
  wasp_status s = collect(ma, &P->ns, &is, &P->a);
  if (!s) s = collect(mb, &P->nt, &js, &P->b);
  if (!s && (double)P->ns * (double)P->nt > (double)UOT_MAX_ENTRIES)
    s = wasp_fail(WASP_ERR_ARG, "-metric uot-kl keeps the %ld x %ld cost matrix in memory; more "
                                "than %ld entries is too large", P->ns, P->nt, UOT_MAX_ENTRIES);
  if (!s) s = wasp_malloc(sizeof(double) * (size_t)(P->ns * P->nt + 1), &P->C);
  if (!s) s = wasp_calloc((size_t)P->ns + 1, sizeof(double), &P->f);
  if (!s) s = wasp_calloc((size_t)P->nt + 1, sizeof(double), &P->g);
  if (!s) s = wasp_metric_cost_model(ctx, ma, mb, 0.0, 0.0, &cost, &owned);
  for (long i = 0; !s && i < P->ns; i++) wasp_cost_row(cost, is[i], P->nt, js, P->C + i * P->nt);
  if (owned) wasp_cost_destroy(&cost);
  wasp_free(&is);
  wasp_free(&js);
  return s;
}

/* log sum_k exp(x_k), shifted by the maximum so nothing overflows. */
static double lse_row(long n, const double *C, const double *pot, double eps)
{
  double mx = -INFINITY;
  for (long k = 0; k < n; k++) mx = fmax(mx, (pot[k] - C[k]) / eps);
  double s = 0.0;
  for (long k = 0; k < n; k++) s += exp((pot[k] - C[k]) / eps - mx);
  return mx + log(s);
}

static double lse_col(const uot_problem *P, long j, const double *pot, double eps)
{
  double mx = -INFINITY;
  for (long i = 0; i < P->ns; i++) mx = fmax(mx, (pot[i] - P->C[i * P->nt + j]) / eps);
  double s = 0.0;
  for (long i = 0; i < P->ns; i++) s += exp((pot[i] - P->C[i * P->nt + j]) / eps - mx);
  return mx + log(s);
}

/* log sum_i w_i exp(-pot_i / tau), shifted like lse_row. */
static double lse_weighted(long n, const double *w, const double *pot, double tau)
{
  double mx = -INFINITY, s = 0.0;
  for (long i = 0; i < n; i++) mx = fmax(mx, log(w[i]) - pot[i] / tau);
  for (long i = 0; i < n; i++) s += exp(log(w[i]) - pot[i] / tau - mx);
  return mx + log(s);
}

/* Sweeps until the potentials settle; returns the number of sweeps.
 *
 * A plain sweep contracts only by k = tau / (tau + eps) per half step, and
 * the slow direction is the translation (f + t, g - t), which leaves the plan
 * unchanged but not the marginal penalties.  After each sweep we therefore
 * maximise the dual exactly along it (the "translation invariant" Sinkhorn of
 * Sejourne, Vialard, Peyre 2022): the dual is, up to constants,
 *   -tau sum a e^(-f/tau) - tau sum b e^(-g/tau) - eps sum e^((f+g-C)/eps),
 * the last term does not see t, and the best t = (tau/2) log(A/B) with
 * A = sum a e^(-f/tau), B = sum b e^(-g/tau).  Both steps are exact block
 * maximisations of one concave dual, so the fixed point is unchanged. */
static wasp_status iterate(uot_problem *P, double eps, double tau, double tol, long *iterations)
{
  const double k = tau / (tau + eps);
  for (long it = 1; it <= UOT_MAX_ITERATIONS; it++) {
    double change = 0.0, scale = 0.0;
    for (long i = 0; i < P->ns; i++) {
      double f = k * eps * (log(P->a[i]) - lse_row(P->nt, P->C + i * P->nt, P->g, eps));
      change = fmax(change, fabs(f - P->f[i]));
      P->f[i] = f;
    }
    for (long j = 0; j < P->nt; j++) {
      double g = k * eps * (log(P->b[j]) - lse_col(P, j, P->f, eps));
      change = fmax(change, fabs(g - P->g[j]));
      P->g[j] = g;
    }
    const double t = 0.5 * tau * (lse_weighted(P->ns, P->a, P->f, tau) -
                                  lse_weighted(P->nt, P->b, P->g, tau));
    for (long i = 0; i < P->ns; i++) scale = fmax(scale, fabs(P->f[i] += t));
    for (long j = 0; j < P->nt; j++) scale = fmax(scale, fabs(P->g[j] -= t));
    change += fabs(t);
    if (!isfinite(change))
      return wasp_fail(WASP_ERR_NUMERIC, "unbalanced Sinkhorn produced a non-finite potential at "
                                         "sweep %ld (-epsilon %g, -tau %g)", it, eps, tau);
    /* Settled when the scalings u = e^(f/eps), v = e^(g/eps) moved by a
     * relative tol, or when the potentials only move by rounding. */
    if (change <= fmax(tol * eps, 16 * DBL_EPSILON * scale)) {
      *iterations = it;
      return WASP_OK;
    }
  }
  return wasp_fail(WASP_ERR_NUMERIC, "unbalanced Sinkhorn did not settle to -tol %g in %ld sweeps "
                                     "(-epsilon %g, -tau %g); a larger -epsilon or -tol converges "
                                     "faster", tol, UOT_MAX_ITERATIONS, eps, tau);
}

static double kl(double x, double y) { return (x > 0 ? x * log(x / y) : 0.0) - x + y; }

/* <C, pi>, the plan mass and the full objective at the final potentials. */
static wasp_status evaluate(const uot_problem *P, double eps, double tau, wasp_metric_result *res)
{
  long double cost = 0, ent = 0, mass = 0, marg = 0, *colsum;
  WASP_TRY(wasp_calloc((size_t)P->nt, sizeof *colsum, &colsum));
  for (long i = 0; i < P->ns; i++) {
    long double row = 0;
    for (long j = 0; j < P->nt; j++) {
      double c = P->C[i * P->nt + j], lp = (P->f[i] + P->g[j] - c) / eps, pi = exp(lp);
      cost += (long double)c * pi;
      ent += (long double)pi * (lp - 1.0); /* pi log pi - pi */
      row += pi;
      colsum[j] += pi;
    }
    mass += row;
    marg += kl((double)row, P->a[i]);
  }
  for (long j = 0; j < P->nt; j++) marg += kl((double)colsum[j], P->b[j]);
  wasp_free(&colsum);
  res->value = (double)cost;
  res->mass = (double)mass;
  res->ot.value = (double)(cost + (long double)eps * ent + (long double)tau * marg);
  res->ot.mass = res->mass;
  return WASP_OK;
}

wasp_status wasp_metric_uot_kl(wasp_metric_ctx *ctx, const wasp_measure *a, const wasp_measure *b,
                               wasp_metric_result *res)
{
  const double eps = ctx->par.epsilon, tau = ctx->par.tau, tol = ctx->par.ot.tol;
  if (!(eps > 0) || !isfinite(eps))
    return wasp_fail(WASP_ERR_ARG, "-epsilon %g is invalid for -metric uot-kl: the entropic "
                                   "strength must be a positive finite number", eps);
  if (!(tau > 0) || !isfinite(tau))
    return wasp_fail(WASP_ERR_ARG, "-tau %g is invalid for -metric uot-kl: the marginal penalty "
                                   "must be a positive finite number", tau);
  if (!(tol > 0) || !(tol < 1))
    return wasp_fail(WASP_ERR_ARG, "-tol %g is invalid for -metric uot-kl: the relative "
                                   "convergence tolerance must lie in (0, 1)", tol);
  uot_problem P = {0};
  wasp_status s = build(ctx, a, b, &P);
  /* An empty side leaves the plan empty: the value is 0 and the objective
   * is the penalty for dropping the other side's mass, tau * its mass. */
  if (!s && (P.ns == 0 || P.nt == 0)) {
    res->ot.value = tau * (wasp_measure_mass(a) + wasp_measure_mass(b));
  } else if (!s) {
    s = iterate(&P, eps, tau, tol, &res->ot.iterations);
    if (!s) s = evaluate(&P, eps, tau, res);
  }
  uot_free(&P);
  return s;
}

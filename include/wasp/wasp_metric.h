/* wasp_metric.h - distances by name on top of the transport kernels.
 *
 * The registry is the shared mechanism of every driver: `wasp distance`,
 * `pairs`, `noise` and `kmeans` look a metric up by name and evaluate it
 * through a context that keeps the solver workspace between calls.  A new
 * metric is one file in src/metric/ plus one line in registry.c.
 * Pure C: no MPI, no files.  A context is used by one thread at a time. */
#ifndef WASP_METRIC_H
#define WASP_METRIC_H

#include <stdbool.h>
#include "wasp_measure.h"
#include "wasp_ot.h"

typedef struct {
  double p;            /* exponent of the ground cost d^p (p >= 1)           */
  bool torus;          /* periodic ground distance on grids                  */
  bool normalize;      /* signed: standardise S/|S|, T/|T| (eq. 8)           */
  double spacing;      /* grid unit h; <= 0 means 1/max(ny, nx)              */
  double lambda;       /* tv: price per unit deleted or created              */
  double epsilon, tau; /* uot-kl: entropic and marginal-penalty strengths    */
  int directions;      /* sliced: number of projection directions            */
  bool equispaced;     /* sliced: equispaced (2-D) instead of random directions */
  unsigned long seed;  /* sliced: direction draw                             */
  wasp_ot_options ot;  /* exact LP settings                                  */
} wasp_metric_params;

typedef struct {
  double value;        /* the distance                                       */
  double mass;         /* transported mass (0 when no transport is involved) */
  int has_certificate; /* ot below is filled by an exact LP                  */
  wasp_ot_result ot;   /* certificate of the LP (value is the raw LP cost)   */
  double seconds;
} wasp_metric_result;

typedef struct wasp_metric_ctx wasp_metric_ctx;

typedef struct {
  const char *name;
  const char *summary;   /* one line for -help                              */
  bool uses_p, uses_torus, uses_normalize, is_exact_lp;
  bool needs_nonnegative;/* rejects negative pixels                         */
  wasp_status (*eval)(wasp_metric_ctx *ctx, const wasp_measure *a,
                      const wasp_measure *b, wasp_metric_result *res);
} wasp_metric_entry;

void wasp_metric_params_default(wasp_metric_params *par);
/* Registry access: lookup fails with a message listing the known names. */
wasp_status wasp_metric_lookup(const char *name, const wasp_metric_entry **entry);
int wasp_metric_count(void);
const wasp_metric_entry *wasp_metric_at(int i);

/* Validate parameters for this metric (p >= 1, lambda > 0, ...). */
wasp_status wasp_metric_ctx_create(const char *name, const wasp_metric_params *par,
                                   wasp_metric_ctx **ctx);
void wasp_metric_ctx_destroy(wasp_metric_ctx **ctx);
const wasp_metric_entry *wasp_metric_ctx_entry(const wasp_metric_ctx *ctx);

/* Evaluate; names are used in error messages (e.g. "a.h5:3"). */
wasp_status wasp_metric_eval(wasp_metric_ctx *ctx, const wasp_measure *a, const char *aname,
                             const wasp_measure *b, const char *bname,
                             wasp_metric_result *res);

/* The transport plan of the last LP evaluation, in site ids of the inputs
 * (pixel index i*nx + j, or point index): mass moved from site src[k] of the
 * source measure S to site dst[k] of the target measure T.  For `signed`, S =
 * a+ + b- and T = b+ + a-.  For `flat`/`tv`, site -1 (WASP_SITE_DUMMY) as a
 * source means mass created at dst[k], as a target mass deleted at src[k].
 * Owned by the context. */
wasp_status wasp_metric_last_plan(const wasp_metric_ctx *ctx, long *nnz, const long **src,
                                  const long **dst, const double **mass);

/* The optimal dual of the last LP evaluation: the half of its certificate a
 * plan cannot show.  The LP's sources (site ids as in the plan, masses,
 * potentials u) and targets (sites, masses, potentials v): u_i + v_j <=
 * c(i, j) on every arc, down to the certificate's min_reduced_cost, with
 * equality on the plan's arcs; sum mass u + sum mass v is the LP cost, up
 * to its duality_gap.  c is the LP's ground cost: d^p, for `flat` and `tv`
 * capped at 2 lambda, lambda to or from the dummy site -1 and 0 between the
 * dummies.  Sites without mass are not in the LP.  ns = nt = 0 when the last
 * evaluation solved none.  Owned by the context. */
typedef struct {
  long ns, nt;
  const long *source_site, *target_site;
  const double *source_mass, *target_mass, *u, *v;
} wasp_metric_duals;
wasp_status wasp_metric_last_duals(const wasp_metric_ctx *ctx, wasp_metric_duals *d);

#endif

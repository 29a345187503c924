/* Private: the metric context and the transport helper the LP metrics share. */
#ifndef WASP_METRIC_IMPL_H
#define WASP_METRIC_IMPL_H

#include "wasp/wasp_metric.h"

struct wasp_metric_ctx {
  const wasp_metric_entry *entry;
  wasp_metric_params par;
  wasp_ot *ot;
  /* support of the last problem: positive sites and their masses */
  long cap;
  long *src, *dst;
  double *a, *b, *work_s, *work_t;
  /* plan of the last LP in site ids; lp_ns and lp_nt of src/a and dst/b
   * were its sources and targets (0: no LP) */
  long nnz, plan_cap, lp_ns, lp_nt;
  long *plan_src, *plan_dst;
  double *plan_mass;
  /* grid cost model kept between calls with the same geometry */
  wasp_cost *grid_cost;
  int g_ny, g_nx;
  double g_h, g_p, g_cap, g_dummy;
  bool g_torus;
};

/* Exact transport of S (on a's sites) to T (on b's sites), both nonnegative
 * arrays of wasp_measure_size() entries with equal totals; costs d^p capped
 * at cap (<= 0: none).  Zero entries are left out of the LP.  Fills res with
 * the LP certificate and stores the plan in site ids. */
wasp_status wasp_metric_transport(wasp_metric_ctx *ctx, const wasp_measure *a, const double *S,
                                  const wasp_measure *b, const double *T, double cap,
                                  wasp_ot_result *res);
/* The same with one dummy node per side when dummy > 0 (the exact flat /
 * TV-unbalanced LP): a dummy source carrying sum T and a dummy sink carrying
 * sum S, at price dummy per unit created or deleted; S and T may then have
 * any totals.  In the stored plan the dummy is site WASP_SITE_DUMMY (-1). */
wasp_status wasp_metric_transport_dummy(wasp_metric_ctx *ctx, const wasp_measure *a,
                                        const double *S, const wasp_measure *b, const double *T,
                                        double cap, double dummy, wasp_ot_result *res);
/* The ground-cost model for a and b (d^p with the metric's p, or p = 1 when
 * it takes none), capped at cap and with dummy price dummy (<= 0: none).
 * Grid models are cached in ctx (*owned false); a cloud model is new and the
 * caller destroys it when *owned. */
wasp_status wasp_metric_cost_model(wasp_metric_ctx *ctx, const wasp_measure *a,
                                   const wasp_measure *b, double cap, double dummy,
                                   wasp_cost **cost, bool *owned);
/* Scratch arrays of n doubles owned by the context (two of them). */
wasp_status wasp_metric_scratch(wasp_metric_ctx *ctx, long n, double **s, double **t);

/* Metric implementations (one file each). */
wasp_status wasp_metric_l2(wasp_metric_ctx *, const wasp_measure *, const wasp_measure *,
                           wasp_metric_result *);
wasp_status wasp_metric_wp(wasp_metric_ctx *, const wasp_measure *, const wasp_measure *,
                           wasp_metric_result *);
wasp_status wasp_metric_signed(wasp_metric_ctx *, const wasp_measure *, const wasp_measure *,
                               wasp_metric_result *);
wasp_status wasp_metric_flat(wasp_metric_ctx *, const wasp_measure *, const wasp_measure *,
                             wasp_metric_result *);
wasp_status wasp_metric_tv(wasp_metric_ctx *, const wasp_measure *, const wasp_measure *,
                           wasp_metric_result *);
wasp_status wasp_metric_uot_kl(wasp_metric_ctx *, const wasp_measure *, const wasp_measure *,
                               wasp_metric_result *);
wasp_status wasp_metric_sliced(wasp_metric_ctx *, const wasp_measure *, const wasp_measure *,
                               wasp_metric_result *);

#endif

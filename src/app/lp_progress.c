/* Progress of one long LP solve (wasp distance).  The solver reports every
 * pricing round of every multiscale level (wasp_ot_progress); a level's own
 * time grows by a steady factor from one 2x2 refinement to the next (about
 * 8-15x at 128-512 px, docs/usage.md), so the two finished levels
 * below the running one give that factor and the time left. */
#include "app.h"

#include <math.h>
#include <stdio.h>

static double own_time(const wasp_app_lp_progress *lp, int d)
{
  if (d + 1 < WASP_APP_LP_LEVELS && lp->known[d + 1]) return lp->total[d] - lp->total[d + 1];
  return lp->total[d];
}

/* Seconds left for level d (running for `seconds`) and the finer levels
 * above it, or -1 without two finished levels below it. */
static double eta(const wasp_app_lp_progress *lp, int d, double seconds)
{
  if (d + 2 >= WASP_APP_LP_LEVELS || !lp->known[d + 1] || !lp->known[d + 2]) return -1;
  const double t1 = own_time(lp, d + 1), t2 = own_time(lp, d + 2);
  if (!(t1 > 0) || !(t2 > 0)) return -1;
  const double g = fmin(fmax(t1 / t2, 1.0), 64.0);
  double level = t1 * g, left = level - (seconds - lp->total[d + 1]);
  if (left < 0) return -1; /* slower than the estimate: no honest figure */
  for (int k = d - 1; k >= 0; k--) left += (level *= g);
  return left;
}

void wasp_app_lp_progress_report(void *ctx, const wasp_ot_progress *p)
{
  wasp_app_lp_progress *lp = ctx;
  const int d = p->depth;
  if (d < 0 || d >= WASP_APP_LP_LEVELS || lp->err) return;
  if (p->done) {
    lp->total[d] = p->seconds;
    lp->known[d] = 1;
    return;
  }
  char level[64], what[192];
  if (lp->ny > 0) {
    int y = lp->ny, x = lp->nx;
    for (int k = 0; k < d; k++) y = (y + 1) / 2, x = (x + 1) / 2;
    snprintf(level, sizeof level, "level %dx%d of %dx%d", y, x, lp->ny, lp->nx);
  } else {
    snprintf(level, sizeof level, "%ld sites", p->sites);
  }
  snprintf(what, sizeof what, "%s: round %ld, %ld pivots, min reduced cost %.2g", level, p->round,
           p->pivots, p->min_reduced_cost);
  lp->err = wasp_progress_note(lp->pr, what, eta(lp, d, p->seconds));
}

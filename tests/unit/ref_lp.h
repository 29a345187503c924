/* ref_lp.h - an independent reference for the exact OT tests: the dense
 * transportation LP solved by GLPK's simplex, accepted only with its own
 * primal-dual certificate checked over every column (see ref_lp.c for why
 * glp_exact is not used).  Shares no code with src/ot.  Only built with GLPK. */
#ifndef WASP_REF_LP_H
#define WASP_REF_LP_H

#ifdef WASP_HAVE_GLPK
/* minimise sum_ij cost[i*nt + j] x_ij  s.t.  sum_j x_ij = a_i,
 * sum_i x_ij = b_j * (sum a / sum b),  x >= 0.
 * a[ns], b[nt] > 0; cost >= 0 dense row-major ns x nt.  The value is
 * certified to about 1e-12 of (sum a)(max cost).
 * Returns 0 and the optimal value (caller's units) in *value; nonzero on
 * failure (a message on stderr). */
int ref_lp_transport(int ns, const double *a, int nt, const double *b, const double *cost,
                     double *value);
#endif

/* The 1-D reference, no GLPK needed: W_p^p between sum_i a_i delta(x_i) and
 * sum_j b_j delta(y_j) on the real line (b rescaled to the total of a) is
 * int_0^M |F^{-1}(t) - G^{-1}(t)|^p dt, computed by merging the two sorted
 * CDFs (the monotone coupling is optimal for every convex |x - y|^p, p >= 1).
 * Positions need not be sorted.  Header-only so that it exists without GLPK. */
#include <math.h>
#include <stdlib.h>

typedef struct {
  double x, w;
} ref_atom_;

static inline int ref_atom_cmp_(const void *p, const void *q)
{
  double a = ((const ref_atom_ *)p)->x, b = ((const ref_atom_ *)q)->x;
  return (a > b) - (a < b);
}

static inline double ref_quantile_1d(long n, const double *x, const double *a, long m,
                                     const double *y, const double *b, double p)
{
  ref_atom_ *s = malloc(sizeof(ref_atom_) * (size_t)n), *t = malloc(sizeof(ref_atom_) * (size_t)m);
  long double sa = 0.0L, sb = 0.0L;
  for (long i = 0; i < n; i++) sa += a[i];
  for (long j = 0; j < m; j++) sb += b[j];
  for (long i = 0; i < n; i++) s[i] = (ref_atom_){x[i], a[i]};
  for (long j = 0; j < m; j++) t[j] = (ref_atom_){y[j], (double)(b[j] * (sa / sb))};
  qsort(s, (size_t)n, sizeof *s, ref_atom_cmp_);
  qsort(t, (size_t)m, sizeof *t, ref_atom_cmp_);
  long i = 0, j = 0;
  long double ra = s[0].w, rb = t[0].w, cost = 0.0L;
  while (i < n && j < m) {
    long double q = ra < rb ? ra : rb;
    cost += q * (long double)pow(fabs(s[i].x - t[j].x), p);
    ra -= q;
    rb -= q;
    /* advance the side that ran out; at the end both run out together up
     * to rounding, and the remainder (1e-16 relative) is dropped */
    if (ra <= rb) {
      if (++i < n) ra += s[i].w;
    } else {
      if (++j < m) rb += t[j].w;
    }
  }
  free(s);
  free(t);
  return (double)cost;
}

#endif

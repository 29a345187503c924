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

#endif

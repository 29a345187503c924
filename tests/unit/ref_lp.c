/* Reference transportation LP with GLPK (see ref_lp.h).
 *
 * The problem is normalised before GLPK sees it (masses to total 1, costs to
 * max 1) because GLPK's tolerances are partly absolute: a W_3 problem on a
 * 16 x 16 unit grid has costs of 2.4e-4 and would otherwise stop early.
 * The last target constraint is dropped (it is implied by the others), so
 * the LP is feasible exactly even though sum a' and sum b' differ by a
 * rounding error.  After the simplex the answer is checked with its own dual
 * certificate over all ns*nt columns (primal residuals, the most negative
 * reduced cost, the primal-dual gap); if it is weak the simplex is resumed
 * with tighter tolerances, and if it is still weak the reference fails.
 *
 * glp_exact is deliberately not used: GLPK 5.0 converts each double input
 * to a "nice" rational within a relative 1e-9 (set_d_eps in glpapi07.c), so
 * on irrational costs such as sqrt(2)/16 it solves a problem perturbed at
 * exactly the level the tests compare at (measured: row residuals 1e-11 and
 * reduced costs -2e-11 after glp_exact, against 1e-17 after glp_simplex). */
#ifdef WASP_HAVE_GLPK
#include "ref_lp.h"

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Dual certificate of the current basis in normalised units: the most
 * negative reduced cost and the primal-dual gap. */
static void certificate(glp_prob *lp, int ns, const double *as, int nt, const double *bs,
                        const double *cs, double *min_dj, double *gap, double *resid)
{
  double *col = calloc((size_t)nt, sizeof(double)), res = 0.0;
  double *u = malloc(sizeof(double) * (size_t)ns), *v = malloc(sizeof(double) * (size_t)nt);
  for (int i = 0; i < ns; i++) u[i] = glp_get_row_dual(lp, 1 + i);
  for (int j = 0; j < nt - 1; j++) v[j] = glp_get_row_dual(lp, 1 + ns + j);
  v[nt - 1] = 0.0;
  long double primal = 0.0L, dual = 0.0L;
  double mn = INFINITY;
  for (int i = 0; i < ns; i++) {
    dual += (long double)as[i] * u[i];
    long double row = 0.0L;
    for (int j = 0; j < nt; j++) {
      double d = cs[(size_t)i * nt + j] - u[i] - v[j], x = glp_get_col_prim(lp, 1 + i * nt + j);
      if (d < mn) mn = d;
      if (-x > res) res = -x;
      row += x;
      col[j] += x;
      primal += (long double)cs[(size_t)i * nt + j] * x;
    }
    res = fmax(res, fabs((double)(row - as[i])));
  }
  for (int j = 0; j < nt; j++) res = fmax(res, fabs(col[j] - bs[j]));
  for (int j = 0; j < nt - 1; j++) dual += (long double)bs[j] * v[j];
  *min_dj = mn;
  *gap = (double)(primal - dual);
  *resid = res;
  free(u);
  free(v);
  free(col);
}

int ref_lp_transport(int ns, const double *a, int nt, const double *b, const double *cost,
                     double *value)
{
  if (ns <= 0 || nt <= 0) {
    fprintf(stderr, "ref_lp: empty problem %d x %d\n", ns, nt);
    return 1;
  }
  double sa = 0.0, sb = 0.0, cmax = 0.0;
  for (int i = 0; i < ns; i++) sa += a[i];
  for (int j = 0; j < nt; j++) sb += b[j];
  for (size_t k = 0; k < (size_t)ns * nt; k++) cmax = fmax(cmax, cost[k]);
  if (!(sa > 0.0) || !(sb > 0.0)) {
    fprintf(stderr, "ref_lp: masses must be positive\n");
    return 1;
  }
  if (cmax == 0.0) {
    *value = 0.0;
    return 0;
  }
  size_t ncol = (size_t)ns * nt;
  double *as = malloc(sizeof(double) * (size_t)ns), *bs = malloc(sizeof(double) * (size_t)nt);
  double *cs = malloc(sizeof(double) * ncol);
  int *ia = malloc(sizeof(int) * (2 * ncol + 1)), *ja = malloc(sizeof(int) * (2 * ncol + 1));
  double *ar = malloc(sizeof(double) * (2 * ncol + 1));
  for (int i = 0; i < ns; i++) as[i] = a[i] / sa;
  for (int j = 0; j < nt; j++) bs[j] = b[j] / sb;
  for (size_t k = 0; k < ncol; k++) cs[k] = cost[k] / cmax;

  glp_term_out(GLP_OFF);
  glp_prob *lp = glp_create_prob();
  glp_set_obj_dir(lp, GLP_MIN);
  int nrow = ns + nt - 1;
  glp_add_rows(lp, nrow);
  for (int i = 0; i < ns; i++) glp_set_row_bnds(lp, 1 + i, GLP_FX, as[i], as[i]);
  for (int j = 0; j < nt - 1; j++) glp_set_row_bnds(lp, 1 + ns + j, GLP_FX, bs[j], bs[j]);
  glp_add_cols(lp, (int)ncol);
  int ne = 0;
  for (int i = 0; i < ns; i++) {
    for (int j = 0; j < nt; j++) {
      int col = 1 + i * nt + j;
      glp_set_col_bnds(lp, col, GLP_LO, 0.0, 0.0);
      glp_set_obj_coef(lp, col, cs[(size_t)i * nt + j]);
      ne++;
      ia[ne] = 1 + i;
      ja[ne] = col;
      ar[ne] = 1.0;
      if (j < nt - 1) {
        ne++;
        ia[ne] = 1 + ns + j;
        ja[ne] = col;
        ar[ne] = 1.0;
      }
    }
  }
  glp_load_matrix(lp, ne, ia, ja, ar);

  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.presolve = GLP_OFF;
  parm.tol_bnd = 1e-10;
  parm.tol_dj = 1e-10;
  glp_adv_basis(lp, 0);
  int fail = 0;
  for (int attempt = 0; attempt < 2; attempt++) {
    if (attempt == 1) {
      /* resume from the current basis with tighter tolerances */
      parm.tol_bnd = 1e-12;
      parm.tol_dj = 1e-12;
      parm.pricing = GLP_PT_STD;
    }
    int rc = glp_simplex(lp, &parm);
    if (rc != 0 || glp_get_status(lp) != GLP_OPT) {
      fprintf(stderr, "ref_lp: glp_simplex failed (rc %d, status %d)\n", rc, glp_get_status(lp));
      fail = 1;
      break;
    }
    double min_dj, gap, resid;
    certificate(lp, ns, as, nt, bs, cs, &min_dj, &gap, &resid);
    fail = min_dj < -1e-13 || fabs(gap) > 1e-13 || resid > 1e-13;
    if (fail)
      fprintf(stderr, "ref_lp: %s certificate: min reduced cost %g, gap %g, residual %g\n",
              attempt ? "weak final" : "retrying after a weak", min_dj, gap, resid);
    else
      break;
  }
  if (!fail) {
    /* the value on the caller's costs: sum a * sum_ij c_ij x'_ij */
    long double s = 0.0L;
    for (int i = 0; i < ns; i++)
      for (int j = 0; j < nt; j++) {
        double x = glp_get_col_prim(lp, 1 + i * nt + j);
        if (x != 0.0) s += (long double)cost[(size_t)i * nt + j] * x;
      }
    *value = (double)(s * sa);
  }
  glp_delete_prob(lp);
  free(as);
  free(bs);
  free(cs);
  free(ia);
  free(ja);
  free(ar);
  return fail;
}
#else
/* without GLPK this file is empty; keep the translation unit non-empty */
typedef int ref_lp_not_built_;
#endif

/* Hierarchical pricing for grid costs: find every arc with a negative
 * reduced cost, and prove a lower bound on all the others, without
 * evaluating all ns*nt arcs.
 *
 * The target potentials v_j are summarised by a pyramid of block maxima
 * (level l: blocks of 2^l x 2^l pixels).  The cost from source pixel x to a
 * block is at least table[ey][ex] with ey, ex the smallest (wrapped, on the
 * torus) row and column offsets from x to the block, because the grid cost
 * grows with each offset.  So every arc into the block has reduced cost
 * c - u_i - v_j >= table[ey][ex] - u_i - max v over the block; when that is
 * not negative the block is skipped whole.  Leaves are priced exactly with
 * the same table entries a full scan would use, so the arcs found and the
 * bound proven are exact.
 *
 * For p = 2 without cap or dummy sites the cost is separable and every
 * row's (and column's) minimum comes from the c-transform in O(N)
 * (price_sep.c) instead. */
#include "ot_tree.h"
#include "ot_sep.h"

#include <math.h>
#include <stdlib.h>

struct ot_grid_pricer {
  int ny, nx, levels;
  bool torus;
  const double *table;
  int *target_of;   /* pixel -> index in the target list, or -1 */
  int *dim_y, *dim_x;
  double **vmax;    /* per level, block maxima of v (-inf: no target) */
  int *stack;       /* DFS stack of (level, block row, block column) */
  long *mark, stamp; /* targets already added for the current row */
  long stack_cap;
  ot_sep *sep;      /* p = 2 without cap or dummy: exact O(N) pricing */
  double *F;        /* its per-pixel row minima and minimisers */
  int *arg;
  int *source_of;   /* pixel -> index in the source list, or -1 */
  double *negu;     /* -pi of the sources, the column transform's weights */
};

void ot_grid_pricer_destroy(ot_grid_pricer **gp)
{
  ot_grid_pricer *g = *gp;
  if (!g) return;
  for (int l = 0; g->vmax && l < g->levels; l++) free(g->vmax[l]);
  free(g->vmax);
  free(g->target_of);
  free(g->dim_y);
  free(g->dim_x);
  free(g->stack);
  free(g->mark);
  ot_sep_destroy(&g->sep);
  wasp_free(&g->F);
  wasp_free(&g->arg);
  wasp_free(&g->source_of);
  wasp_free(&g->negu);
  wasp_free(gp);
}

wasp_status ot_grid_pricer_create(const wasp_cost *cost, long ns, const long *src, long nt,
                                  const long *dst, ot_grid_pricer **gp)
{
  ot_grid_pricer *g;
  int ny, nx;
  double hy, hx;
  bool torus;
  *gp = NULL;
  if (!wasp_cost_grid(cost, &ny, &nx, &hy, &hx, &torus)) return WASP_OK; /* clouds: full scans */
  WASP_TRY(wasp_calloc(1, sizeof *g, &g));
  g->ny = ny;
  g->nx = nx;
  g->torus = torus;
  g->table = wasp_cost_grid_table(cost);
  int big = ny > nx ? ny : nx;
  g->levels = 1;
  while ((1 << (g->levels - 1)) < big) g->levels++;
  wasp_status s = wasp_malloc(sizeof(int) * (size_t)ny * (size_t)nx, &g->target_of);
  if (!s) s = wasp_calloc((size_t)g->levels, sizeof(double *), &g->vmax);
  if (!s) s = wasp_malloc(sizeof(int) * (size_t)g->levels, &g->dim_y);
  if (!s) s = wasp_malloc(sizeof(int) * (size_t)g->levels, &g->dim_x);
  for (int l = 0; !s && l < g->levels; l++) {
    g->dim_y[l] = (ny + (1 << l) - 1) >> l;
    g->dim_x[l] = (nx + (1 << l) - 1) >> l;
    s = wasp_malloc(sizeof(double) * (size_t)g->dim_y[l] * (size_t)g->dim_x[l], &g->vmax[l]);
  }
  g->stack_cap = 3L * (4L * g->levels + 8);
  if (!s) s = wasp_malloc(sizeof(int) * (size_t)g->stack_cap, &g->stack);
  if (!s) s = wasp_calloc((size_t)(nt > 0 ? nt : 1), sizeof(long), &g->mark);
  if (s) {
    ot_grid_pricer_destroy(&g);
    return s;
  }
  if (wasp_cost_exponent(cost) == 2.0 && wasp_cost_cap(cost) <= 0 && wasp_cost_dummy_price(cost) <= 0) {
    s = ot_sep_create(ny, nx, hy, hx, torus, &g->sep);
    if (!s) s = wasp_malloc(sizeof(double) * (size_t)ny * (size_t)nx, &g->F);
    if (!s) s = wasp_malloc(sizeof(int) * (size_t)ny * (size_t)nx, &g->arg);
    if (!s) s = wasp_malloc(sizeof(int) * (size_t)ny * (size_t)nx, &g->source_of);
    if (!s) s = wasp_malloc(sizeof(double) * (size_t)(ns > 0 ? ns : 1), &g->negu);
    if (s) {
      ot_grid_pricer_destroy(&g);
      return s;
    }
  }
  for (long k = 0; k < (long)ny * nx; k++) g->target_of[k] = -1;
  for (long j = 0; j < nt; j++)
    if (dst[j] >= 0) g->target_of[dst[j]] = (int)j;
  if (g->sep) {
    for (long k = 0; k < (long)ny * nx; k++) g->source_of[k] = -1;
    for (long i = 0; i < ns; i++)
      if (src[i] >= 0) g->source_of[src[i]] = (int)i;
  }
  *gp = g;
  return WASP_OK;
}

bool ot_grid_pricer_exact_is_cheap(const ot_grid_pricer *g) { return g->sep != NULL; }

/* Block maxima of the target potentials v_j = -pi[ns + j]. */
static void build_pyramid(ot_grid_pricer *g, const double *pi_t)
{
  double *v0 = g->vmax[0];
  for (long k = 0; k < (long)g->ny * g->nx; k++)
    v0[k] = g->target_of[k] >= 0 ? -pi_t[g->target_of[k]] : -INFINITY;
  for (int l = 1; l < g->levels; l++) {
    const double *lo = g->vmax[l - 1];
    double *hi = g->vmax[l];
    int ly = g->dim_y[l - 1], lx = g->dim_x[l - 1];
    for (int Y = 0; Y < g->dim_y[l]; Y++)
      for (int X = 0; X < g->dim_x[l]; X++) {
        double m = -INFINITY;
        for (int a = 2 * Y; a < 2 * Y + 2 && a < ly; a++)
          for (int b = 2 * X; b < 2 * X + 2 && b < lx; b++)
          if (lo[(long)a * lx + b] > m) m = lo[(long)a * lx + b];
        hi[(long)Y * g->dim_x[l] + X] = m;
      }
  }
}

/* Smallest offset along one axis from coordinate y to rows [lo, hi]. */
static inline int axis_gap(int y, int lo, int hi, int n, bool torus)
{
  if (y >= lo && y <= hi) return 0;
  if (!torus) return y < lo ? lo - y : y - hi;
  int up = lo - y, down = y - hi;
  if (up < 0) up += n;
  if (down < 0) down += n;
  return up < down ? up : down;
}

/* A violated arc (i, j) usually has violated neighbours: optimal plans on
 * grids are locally smooth, so i's arcs to j's 3x3 neighbourhood join too
 * (targets already added for this row, marked with the row's stamp, are
 * skipped; duplicates of older candidates are harmless to the pivots).
 * Not on lean levels, nor between smooth measures (multiscale.c), whose
 * lists keep the nearly tight arcs between rounds (simplex.c): there the
 * eight neighbours are mostly arcs the list holds or that never turn
 * violated, and only lengthen the block search (without them smooth
 * problems take 4-16 % fewer simulated cycles at 32 px, 1-23 % at 64 px;
 * docs/solver-log.md, twelfth session). */
static wasp_status add_neighbourhood(wasp_ot *ot, ot_grid_pricer *g, long i, long j, long *added)
{
  const long site = ot->src[i];
  const int yj = (int)(ot->dst[j] / g->nx), xj = (int)(ot->dst[j] % g->nx);
  const int nb = ot->opt.neighbourhood;
  const int r = !ot->lean && (nb ? nb > 0 : !ot->smooth); /* 0: the minimiser alone */
  for (int dy = -r; dy <= r; dy++)
    for (int dx = -r; dx <= r; dx++) {
      int y = yj + dy, x = xj + dx;
      if (g->torus) {
        y = (y + g->ny) % g->ny;
        x = (x + g->nx) % g->nx;
      } else if (y < 0 || y >= g->ny || x < 0 || x >= g->nx) {
        continue;
      }
      int jj = g->target_of[(long)y * g->nx + x];
      if (jj < 0 || g->mark[jj] == g->stamp) continue;
      g->mark[jj] = g->stamp;
      WASP_TRY(ot_add_candidate(ot, i, jj, wasp_cost_eval(ot->cost, site, ot->dst[jj])));
      (*added)++;
    }
  return WASP_OK;
}

/* p = 2: every row's minimum reduced cost from the c-transform, and its
 * minimiser (with neighbours) as the row's new candidates when violated. */
static wasp_status price_separable(wasp_ot *ot, ot_grid_pricer *g, double eps, double *lower_bound,
                                   long *added)
{
  const double *pi_t = ot->pi + ot->ns;
  double bound = INFINITY, mag = 0.0;
  ot_sep_transform(g->sep, g->target_of, pi_t, g->F, g->arg);
  for (long i = 0; i < ot->ns; i++) {
    const long site = ot->src[i];
    const double rc = g->F[site] - ot->pi[i];
    mag = fmax(mag, fabs(g->F[site]) + fabs(ot->pi[i]));
    if (rc < bound) bound = rc;
    const long j = g->arg[site];
    if (rc >= -eps || j < 0) continue;
    if (wasp_cost_eval(ot->cost, site, ot->dst[j]) - ot->pi[i] + pi_t[j] >= -eps) continue;
    g->stamp++;
    WASP_TRY(add_neighbourhood(ot, g, i, j, added));
  }
  *lower_bound = bound - ot_sep_margin(mag);
  /* Every arc is some row's: a row bound that proves no arc violated
   * leaves the columns nothing to add (each level's last round). */
  if (*lower_bound >= -eps) return WASP_OK;
  /* The same transform over the sources gives every column's best arc:
   * violations seen from the targets' side.  Adding both cuts the pricing
   * rounds of smooth images 5-8x (128 px) at one more O(N) pass. */
  for (long i = 0; i < ot->ns; i++) g->negu[i] = -ot->pi[i];
  ot_sep_transform(g->sep, g->source_of, g->negu, g->F, g->arg);
  for (long j = 0; j < ot->nt; j++) {
    const long site = ot->dst[j], i = g->arg[site];
    if (g->F[site] + pi_t[j] >= -eps || i < 0) continue;
    if (wasp_cost_eval(ot->cost, ot->src[i], site) - ot->pi[i] + pi_t[j] >= -eps) continue;
    g->stamp++;
    WASP_TRY(add_neighbourhood(ot, g, i, j, added));
  }
  return WASP_OK;
}

wasp_status ot_grid_price(wasp_ot *ot, ot_grid_pricer *g, double eps, long k,
                          double *lower_bound, long *added)
{
  *added = 0;
  if (g->sep) return price_separable(ot, g, eps, lower_bound, added);
  const double *pi_t = ot->pi + ot->ns;
  double bound = INFINITY;
  build_pyramid(g, pi_t);
  const double dummy = wasp_cost_dummy_price(ot->cost);
  const long last = ot->nt - 1;
  const int top = g->levels - 1;
  for (long i = 0; i < ot->ns; i++) {
    long site = ot->src[i], nt_top = 0;
    const double u = ot->pi[i];
    if (site < 0) { /* the dummy source: one row, priced in full */
      wasp_cost_row(ot->cost, site, ot->nt, ot->dst, ot->rowbuf);
      for (long j = 0; j < ot->nt; j++) {
        double rc = ot->rowbuf[j] - u + pi_t[j];
        bound = fmin(bound, rc);
        if (rc < -eps && k > 0) {
          WASP_TRY(ot_add_candidate(ot, i, j, ot->rowbuf[j]));
          (*added)++;
        }
      }
      continue;
    }
    const int yi = (int)(site / g->nx), xi = (int)(site % g->nx);
    /* top-k list of this row: (rc, j) kept sorted, most negative first */
#define OFFER(rcv, jv)                                                     \
  do {                                                                     \
    double rc_ = (rcv);                                                    \
    if (rc_ < bound) bound = rc_;                                          \
    if (rc_ < -eps && k > 0 && !(nt_top == k && rc_ >= ot->top_rc[k - 1])) { \
      long pos_ = nt_top < k ? nt_top++ : k - 1;                           \
      while (pos_ > 0 && ot->top_rc[pos_ - 1] > rc_) {                     \
        ot->top_rc[pos_] = ot->top_rc[pos_ - 1];                           \
        ot->top_j[pos_] = ot->top_j[pos_ - 1];                             \
        pos_--;                                                            \
      }                                                                    \
      ot->top_rc[pos_] = rc_;                                              \
      ot->top_j[pos_] = (jv);                                              \
    }                                                                      \
  } while (0)
    if (dummy > 0 && ot->dst[last] < 0) OFFER(dummy - u + pi_t[last], last);
    long sp = 0;
    for (int Y = 0; Y < g->dim_y[top]; Y++)
      for (int X = 0; X < g->dim_x[top]; X++) {
        g->stack[sp++] = top;
        g->stack[sp++] = Y;
        g->stack[sp++] = X;
      }
    while (sp > 0) {
      int X = g->stack[--sp], Y = g->stack[--sp], l = g->stack[--sp];
      double vm = g->vmax[l][(long)Y * g->dim_x[l] + X];
      if (vm == -INFINITY) continue;
      int y0 = Y << l, x0 = X << l;
      int y1 = ((Y + 1) << l) - 1, x1 = ((X + 1) << l) - 1;
      if (y1 >= g->ny) y1 = g->ny - 1;
      if (x1 >= g->nx) x1 = g->nx - 1;
      int ey = axis_gap(yi, y0, y1, g->ny, g->torus), ex = axis_gap(xi, x0, x1, g->nx, g->torus);
      double c = g->table[(long)ey * g->nx + ex], lb = c - u - vm;
      if (l == 0) {
        OFFER(lb, g->target_of[(long)y0 * g->nx + x0]);
        continue;
      }
      if (lb >= -eps) {
        if (lb < bound) bound = lb;
        continue;
      }
      for (int a = 2 * Y; a < 2 * Y + 2 && a < g->dim_y[l - 1]; a++)
        for (int b = 2 * X; b < 2 * X + 2 && b < g->dim_x[l - 1]; b++) {
          g->stack[sp++] = l - 1;
          g->stack[sp++] = a;
          g->stack[sp++] = b;
        }
    }
#undef OFFER
    g->stamp++;
    for (long t = 0; t < nt_top; t++) {
      long j = ot->top_j[t];
      if (ot->dst[j] < 0) {
        WASP_TRY(ot_add_candidate(ot, i, j, dummy));
        (*added)++;
        continue;
      }
      WASP_TRY(add_neighbourhood(ot, g, i, j, added));
    }
  }
  *lower_bound = bound;
  return WASP_OK;
}

wasp_status ot_grid_seed(wasp_ot *ot, ot_grid_pricer *g, int radius, long *added)
{
  *added = 0;
  const double dummy = wasp_cost_dummy_price(ot->cost);
  for (long i = 0; i < ot->ns; i++) {
    long site = ot->src[i];
    if (site < 0) continue;
    const int yi = (int)(site / g->nx), xi = (int)(site % g->nx);
    for (int dy = -radius; dy <= radius; dy++)
      for (int dx = -radius; dx <= radius; dx++) {
        int y = yi + dy, x = xi + dx;
        if (g->torus) {
          y = (y % g->ny + g->ny) % g->ny;
          x = (x % g->nx + g->nx) % g->nx;
        } else if (y < 0 || y >= g->ny || x < 0 || x >= g->nx) {
          continue;
        }
        int j = g->target_of[(long)y * g->nx + x];
        if (j < 0) continue;
        WASP_TRY(ot_add_candidate(ot, i, j, wasp_cost_eval(ot->cost, site, ot->dst[j])));
        (*added)++;
      }
  }
  if (dummy > 0) { /* deleting and creating mass is always a candidate move */
    for (long i = 0; i < ot->ns; i++)
      for (long j = 0; j < ot->nt; j++)
        if ((ot->src[i] < 0) != (ot->dst[j] < 0) && (ot->src[i] < 0 || j == ot->nt - 1)) {
          WASP_TRY(ot_add_candidate(ot, i, j, dummy));
          (*added)++;
        }
  }
  return WASP_OK;
}

/* Multiscale seeding for grid problems: candidate arcs and, on plain
 * grids, a starting basis.
 *
 * Mass that must travel far is what makes a local seed slow: every long
 * move has to be discovered by pricing rounds.  A coarsened problem (2x2
 * blocks, or 2x1 along one axis) has a quarter or half of the sites and
 * (recursively) is cheap; its optimal plan says
 * which regions exchange mass.  Every fine pair (i, j) whose coarse parents
 * are joined in the coarse plan becomes a candidate arc, and the coarse plan
 * refined greedily (cheapest fine pairs first) gives a feasible starting
 * tree: the fine solve then needs 1.5-4x fewer pivots than from the big-M
 * basis.  Both only steer the search: the fine problem is still solved and
 * certified on all arcs, so the seed can never change the answer.  The
 * dummy site of the unbalanced metrics (flat, TV) is a block of its own:
 * the coarse problem keeps it, at the same price and cap. */
#include "ot_tree.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Below this many arcs a direct solve beats building a coarse level. */
#define MULTISCALE_MIN_ARCS 65536.0

typedef struct {
  long *site;    /* coarse site of each coarse support entry */
  double *mass;
  long n;
} coarse_side;

/* How a level is coarsened: fy x fx fine pixels per block (2 x 2, or 1 x 2
 * and 2 x 1 when one axis at a time), the fine width nx, the coarse grid
 * cy x cx and its block count nc. */
typedef struct {
  int nx, fy, fx, cy, cx;
  long nc;
} coarsening;

/* The coarse block of a fine site; the dummy site of the unbalanced
 * metrics (flat, TV) is a block of its own, number nc. */
static long block_of(long site, const coarsening *g)
{
  if (site == WASP_SITE_DUMMY) return g->nc;
  return (site / g->nx / g->fy) * g->cx + site % g->nx / g->fx;
}

/* Sum the fine masses of one side into the blocks of the coarse grid; a
 * dummy site stays a dummy, listed last (the cost model wants a dummy
 * target last). */
static wasp_status coarsen(long n, const long *sites, const double *mass, const coarsening *g,
                           double *acc, coarse_side *out)
{
  const long ncoarse = g->nc;
  memset(acc, 0, sizeof(double) * (size_t)(ncoarse + 1));
  for (long k = 0; k < n; k++) acc[block_of(sites[k], g)] += mass[k];
  out->n = 0;
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)(ncoarse + 1), &out->site));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)(ncoarse + 1), &out->mass));
  for (long c = 0; c <= ncoarse; c++)
    if (acc[c] > 0) {
      out->site[out->n] = c < ncoarse ? c : WASP_SITE_DUMMY;
      out->mass[out->n++] = acc[c];
    }
  return WASP_OK;
}

/* Chains of the sites lying in each coarse block (the dummy's is block
 * nc), in increasing order. */
static wasp_status group_by_block(long n, const long *sites, const coarsening *g, long **first,
                                  long **next)
{
  const long nc = g->nc;
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)(nc + 1), first));
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)(n > 0 ? n : 1), next));
  for (long c = 0; c <= nc; c++) (*first)[c] = -1;
  for (long k = n - 1; k >= 0; k--) {
    long c = block_of(sites[k], g);
    (*next)[k] = (*first)[c];
    (*first)[c] = k;
  }
  return WASP_OK;
}

/* The block number of a coarse site (block_of for the coarse grid). */
static long coarse_block(long csite, long nc) { return csite == WASP_SITE_DUMMY ? nc : csite; }

static int find(int *uf, int v)
{
  while (uf[v] != v) v = uf[v] = uf[uf[v]];
  return v;
}

/* A starting tree near the coarse optimum: route each coarse arc's mass
 * between the fine sites of its two blocks, north-west-corner style, taking
 * only pairs that join two different components (so the arcs form a
 * forest); the tree is then shaped on that forest (warm.c). */
static wasp_status warm_start(wasp_ot *ot, long nc, const coarse_side *cs, const coarse_side *ct, const long *sfirst,
                              const long *snext, const long *tfirst, const long *tnext)
{
  const long ns = ot->ns, n = ns + ot->nt;
  long nnz;
  const long *pi, *pj;
  const double *pm;
  wasp_ot_plan(ot->coarse, &nnz, &pi, &pj, &pm);
  int *uf = NULL, *ei = NULL, *ej = NULL;
  int64_t *rem = NULL;
  long ne = 0;
  wasp_status s = wasp_malloc(sizeof(int) * (size_t)n, &uf);
  if (!s) s = wasp_malloc(sizeof(int) * (size_t)n, &ei);
  if (!s) s = wasp_malloc(sizeof(int) * (size_t)n, &ej);
  if (!s) s = wasp_malloc(sizeof(int64_t) * (size_t)n, &rem);
  if (!s) {
    for (long v = 0; v < n; v++) {
      uf[v] = (int)v;
      rem[v] = ot->supply[v] > 0 ? ot->supply[v] : -ot->supply[v];
    }
    for (long e = 0; e < nnz && ne < n - 1; e++) {
      int64_t q = llround(pm[e] * ot->scale);
      /* The (at most 4 x 4) fine pairs of the two blocks, cheapest first. */
      long pi_[16], pj_[16];
      double pc[16];
      int np = 0;
      for (long i = sfirst[coarse_block(cs->site[pi[e]], nc)]; i >= 0 && np < 16; i = snext[i])
        for (long j = tfirst[coarse_block(ct->site[pj[e]], nc)]; j >= 0 && np < 16; j = tnext[j]) {
          double c = wasp_cost_eval(ot->cost, ot->src[i], ot->dst[j]);
          int k = np++;
          while (k > 0 && pc[k - 1] > c) {
            pc[k] = pc[k - 1], pi_[k] = pi_[k - 1], pj_[k] = pj_[k - 1];
            k--;
          }
          pc[k] = c, pi_[k] = i, pj_[k] = j;
        }
      for (int k = 0; k < np && q > 0; k++) {
        const long i = pi_[k], j = pj_[k];
        if (rem[i] == 0 || rem[ns + j] == 0) continue;
        int a = find(uf, (int)i), b = find(uf, (int)(ns + j));
        if (a == b) continue;
        int64_t x = q < rem[i] ? q : rem[i];
        if (rem[ns + j] < x) x = rem[ns + j];
        uf[a] = b;
        ei[ne] = (int)i;
        ej[ne++] = (int)j;
        rem[i] -= x;
        rem[ns + j] -= x;
        q -= x;
      }
    }
    s = ot_tree_from_forest(ot, ne, ei, ej);
  }
  wasp_free(&uf);
  wasp_free(&ei);
  wasp_free(&ej);
  wasp_free(&rem);
  return s;
}

static bool halvable(int n, bool torus) { return n >= 4 && !(torus && n % 2); }

/* The next coarser level: 2 x 2 blocks, or one axis at a time (the wider
 * one, x on ties), so each level has half, not a quarter, of the sites.
 * Where 2 x 2 is impossible (an odd periodic axis) one axis is used unless
 * the caller forbade it.  False when no coarsening is possible: the grid
 * is too small, or the periodic axes to be halved are odd (no coarsening
 * keeps their period). */
static bool next_level(int ny, int nx, bool torus, bool one_axis, bool forbid_one_axis, coarsening *g)
{
  const bool x_ok = halvable(nx, torus), y_ok = halvable(ny, torus);
  if (!x_ok && !y_ok) return false;
  if (forbid_one_axis && !(x_ok && y_ok)) return false;
  if (one_axis || !x_ok || !y_ok) {
    const bool along_x = x_ok && (nx >= ny || !y_ok);
    g->fx = along_x ? 2 : 1;
    g->fy = along_x ? 1 : 2;
  } else {
    g->fx = g->fy = 2;
  }
  g->nx = nx;
  g->cy = (ny + g->fy - 1) / g->fy;
  g->cx = (nx + g->fx - 1) / g->fx;
  g->nc = (long)g->cy * g->cx;
  return true;
}

/* How much of a measure lives below the 2 x 2 scale: the mass (L1) of its
 * difference from its own 2 x 2 block means, relative to its mass.  Smooth
 * images give 0.02-0.09 on the bench's 64-256 px problems, pixel noise
 * 0.41-0.54. */
static wasp_status roughness(long n, const long *sites, const double *mass, int ny, int nx, double *out)
{
  double *d = NULL, total = 0, off = 0;
  WASP_TRY(wasp_calloc((size_t)ny * (size_t)nx, sizeof(double), &d));
  for (long k = 0; k < n; k++)
    if (sites[k] != WASP_SITE_DUMMY) d[sites[k]] += mass[k], total += fabs(mass[k]);
  for (int y = 0; y < ny; y += 2)
    for (int x = 0; x < nx; x += 2) {
      const int h = y + 1 < ny ? 2 : 1, w = x + 1 < nx ? 2 : 1;
      double mean = 0;
      for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) mean += d[(long)(y + i) * nx + x + j];
      mean /= h * w;
      for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) off += fabs(d[(long)(y + i) * nx + x + j] - mean);
    }
  wasp_free(&d);
  *out = total > 0 ? off / total : 0;
  return WASP_OK;
}

/* One axis at a time gives each level a start twice, not four times, as
 * coarse.  Measured in potential shifts over all levels (p = 2, 64-256 px):
 * smooth images need 8-43 % fewer; noisy images (the random and signed
 * bench problems) anywhere from 26 % fewer to 39 % more, nothing gained on
 * average at 64-128 px and 16 % more at 256 px: where the measures are
 * rough at the pixel scale, a coarse plan says little about the fine one,
 * and every extra level only adds its own pivots.  The extra levels and
 * their pricing rounds cost too (cheap only where pricing is exact and
 * O(N), p = 2), so the finest level must be large enough to dominate.  On
 * smooth images, in simulated cycles (cachegrind: instructions, cache
 * misses, mispredicted branches): on the torus 8-24 % fewer at 64 px, where
 * the 2 x 2 start leaves 1.7x the fine pivots it leaves on the plain grid;
 * on the plain grid 4-13 % more at 64 px, -13 % to +2 % at 128 px; at 256
 * px 27 % (grid) and 38 % (torus) faster in wall time; at 32 px nothing
 * gained (from 5 % fewer to 7 % more, process start-up included).  So one
 * axis at a time for p = 2, measures with less than ONE_AXIS_ROUGHNESS of
 * their mass below the 2 x 2 scale, from 64 x 64 on the torus and from
 * 128 x 128 on the plain grid. */
#define ONE_AXIS_PIXELS_TORUS 4096
#define ONE_AXIS_PIXELS_GRID 16384
#define ONE_AXIS_ROUGHNESS 0.2

/* Measures with less than SMOOTH_ROUGHNESS of their mass below the 2 x 2
 * scale are smooth (p = 2 only; the bench's smooth images have 0.11-0.21
 * at 32 px and 0.02-0.09 from 64 px on, pixel noise 0.41-0.54).  Smooth
 * measures move their mass coherently, over distances the coarse plan
 * already names, and three things that help rough measures only cost them
 * pivots (docs/solver-log.md, tenth and twelfth sessions):
 * - the 3 x 3 window around every source among the candidates of every
 *   level (ot_grid_seed), for the mass rough measures exchange at the
 *   pixel scale, which no coarse plan sees: without it smooth images take
 *   6-13 % fewer simulated cycles at 32 px and 3-17 % at 64 px, random and
 *   signed ones would take 31-40 % more at 32 px;
 * - short candidate lists cut back to the tight arcs only (simplex.c,
 *   KEEP_STEPS): smooth images gain from keeping the nearly tight ones,
 *   random ones lose (+17 % at 512 px);
 * - the 3 x 3 neighbourhood of each arc pricing finds violated
 *   (price_grid.c): smooth images take 1-23 % fewer simulated cycles
 *   without it at 32-64 px. */
#define SMOOTH_ROUGHNESS 0.3

/* How the hierarchy is built, decided by the finest level from its own
 * measures and told to the coarser ones (whose blocks average the noise
 * away, so their own roughness would say little): one axis at a time, and
 * whether the measures are smooth (ot->smooth). */
static wasp_status choose_levels(wasp_ot *ot, const double *a, const double *b, int ny, int nx,
                                 bool torus, bool *one)
{
  if (ot->axes) { /* told, ot->smooth too */
    *one = ot->axes > 0;
    return WASP_OK;
  }
  double ra = 1.0, rb = 1.0; /* rough unless measured: p = 2 only */
  if (ot->grid && ot_grid_pricer_exact_is_cheap(ot->grid)) {
    WASP_TRY(roughness(ot->ns, ot->src, a, ny, nx, &ra));
    WASP_TRY(roughness(ot->nt, ot->dst, b, ny, nx, &rb));
  }
  const double r = fmax(ra, rb);
  const long least = torus ? ONE_AXIS_PIXELS_TORUS : ONE_AXIS_PIXELS_GRID;
  *one = ot->opt.one_axis ? ot->opt.one_axis > 0 : r < ONE_AXIS_ROUGHNESS && (long)ny * nx >= least;
  ot->smooth = r < SMOOTH_ROUGHNESS;
  if (getenv("WASP_OT_DEBUG"))
    fprintf(stderr, "multiscale: roughness %.3g and %.3g: %s, %s\n", ra, rb,
            *one ? "one axis at a time" : "2 x 2", ot->smooth ? "smooth" : "rough");
  return WASP_OK;
}

bool ot_multiscale_applies(const wasp_ot *ot)
{
  int ny, nx;
  bool torus;
  coarsening g;
  if (!wasp_cost_grid(ot->cost, &ny, &nx, NULL, NULL, &torus)) return false;
  return (double)ot->ns * (double)ot->nt >= MULTISCALE_MIN_ARCS &&
         next_level(ny, nx, torus, false, ot->opt.one_axis < 0, &g);
}

wasp_status ot_multiscale_seed(wasp_ot *ot, const double *a, const double *b, long *added)
{
  int ny, nx;
  double hy, hx;
  bool torus;
  coarsening g;
  bool one;
  wasp_cost_grid(ot->cost, &ny, &nx, &hy, &hx, &torus);
  WASP_TRY(choose_levels(ot, a, b, ny, nx, torus, &one));
  next_level(ny, nx, torus, one, ot->opt.one_axis < 0, &g);
  const long nc = g.nc;
  coarse_side cs = {0}, ct = {0};
  double *acc = NULL;
  wasp_cost *ccost = NULL;
  long *first = NULL, *next = NULL;
  wasp_status s = wasp_malloc(sizeof(double) * (size_t)(nc + 1), &acc);
  if (!s) s = coarsen(ot->ns, ot->src, a, &g, acc, &cs);
  if (!s) s = coarsen(ot->nt, ot->dst, b, &g, acc, &ct);
  if (!s)
    s = wasp_cost_create_grid_axes(g.cy, g.cx, g.fy * hy, g.fx * hx, torus, wasp_cost_exponent(ot->cost), &ccost);
  if (!s && wasp_cost_cap(ot->cost) > 0) s = wasp_cost_set_cap(ccost, wasp_cost_cap(ot->cost));
  if (!s && wasp_cost_dummy_price(ot->cost) > 0) s = wasp_cost_set_dummy(ccost, wasp_cost_dummy_price(ot->cost));
  if (!s && !ot->coarse) s = wasp_ot_create(&ot->opt, &ot->coarse);
  if (!s) ot->coarse->depth = ot->depth + 1;
  if (!s) ot->coarse->axes = one ? 1 : -1;
  if (!s) ot->coarse->smooth = ot->smooth;
  wasp_ot_result cres;
  if (!s) s = wasp_ot_solve(ot->coarse, ccost, cs.n, cs.site, cs.mass, ct.n, ct.site, ct.mass, &cres);

  /* Fine sites grouped by coarse block: first[block] -> next[] chains. */
  long *sfirst = NULL, *snext = NULL;
  if (!s) s = group_by_block(ot->nt, ot->dst, &g, &first, &next);
  if (!s) s = group_by_block(ot->ns, ot->src, &g, &sfirst, &snext);
  *added = 0;
  if (!s) {
    long nnz;
    const long *pi, *pj;
    const double *pm;
    wasp_ot_plan(ot->coarse, &nnz, &pi, &pj, &pm);
    for (long e = 0; !s && e < nnz; e++) {
      long S = coarse_block(cs.site[pi[e]], nc), T = coarse_block(ct.site[pj[e]], nc);
      for (long i = sfirst[S]; !s && i >= 0; i = snext[i])
        for (long j = first[T]; !s && j >= 0; j = next[j]) {
          s = ot_add_candidate(ot, i, j, wasp_cost_eval(ot->cost, ot->src[i], ot->dst[j]));
          (*added)++;
        }
    }
  }
  /* Start from the refined coarse plan (plain grid and torus).  On the
   * torus this once slowed random and noisy signed images; with the short
   * pivot blocks a warm start gets (simplex.c) it is 1.3-3.4x faster on
   * every bench problem at 128 px. */
  if (!s) s = warm_start(ot, nc, &cs, &ct, sfirst, snext, first, next);
  /* The window seed, on rough measures (SMOOTH_ROUGHNESS). */
  const bool window = ot->opt.window_seed ? ot->opt.window_seed > 0 : !ot->smooth;
  long more = 0;
  if (!s && window) s = ot_grid_seed(ot, ot->grid, 1, &more);
  *added += more;
  wasp_free(&sfirst);
  wasp_free(&snext);
  wasp_free(&first);
  wasp_free(&next);
  wasp_free(&acc);
  wasp_free(&cs.site);
  wasp_free(&cs.mass);
  wasp_free(&ct.site);
  wasp_free(&ct.mass);
  wasp_cost_destroy(&ccost);
  return s;
}

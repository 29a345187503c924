/* Network simplex for the transportation problem with implicit costs.
 *
 * Nodes: sources 0..ns-1, sinks ns..ns+nt-1, an artificial root R.  Real
 * arcs i -> ns+j are never stored: arc id k = i*nt + j and its cost comes from
 * the cost model on demand.  In an uncapacitated transport problem every
 * non-tree arc carries zero flow, so the only per-arc state is that of the
 * ns+nt tree arcs, each keyed by its child node: memory is linear in the
 * number of sites.
 *
 * The spanning tree is stored as parent pointers plus a preorder thread
 * (thread / rev_thread), subtree sizes and the last node of each subtree,
 * which makes the cycle search, the subtree re-rooting and the potential
 * update proportional to the sizes involved.  Masses are scaled to 64-bit
 * integers: flows are then exact, ties are exact, and the strongly feasible
 * leaving-arc rule (the last blocking arc in the cycle's orientation from
 * the apex) rules out cycling on the many degenerate pivots of grid
 * problems.
 *
 * Optimality is not taken on trust: after the pivots stop, potentials are
 * recomputed from the tree and every one of the ns*nt reduced costs is
 * priced; the result carries that minimum, the primal residual and the gap. */
#include "ot_tree.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UP 1
#define DOWN (-1)

/* Lean pricing, for large p = 2 grid levels: pricing adds only each
 * violated row's and column's minimising arc (no 3x3 neighbourhood), and
 * each pass of the block search over the list drops the arcs no longer
 * violated or tight.  Pivoting on rows' best arcs only halves the
 * potentials shifted and saves a fifth of the pivots, at 2-4x the pricing
 * rounds.  From 2 x 128 x 128 nodes up that lowers both the total and the
 * worst case: at 128 x 128 smooth images gain 5-27 % and random ones lose
 * 0-22 % (three seeds each, grid and torus); below it, at 64 x 64, the
 * extra rounds cost more than the pivots save (docs/solver-log.md). */
#define LEAN_NODES 32768
#define LEAN_MIN_ROUND 0.01 /* leave lean mode below this many pivots per node */

/* Lazy potential shifts (lazy.c) on levels of 512 x 512 and up: the
 * subtree shift is two thirds of the solve there, and offsets on blocks of
 * 128 thread nodes do 11-13x fewer updates; 13-23 % faster on the bench's
 * 512 x 512 problems.  At 256 x 256 the extra load per potential read in
 * the block search makes it a wash (-31 % to +16 %; docs/solver-log.md). */
#define LAZY_NODES 262144
#define LAZY_BLOCK 128

/* Node numbers fit the 16-bit thread copies (ot_tree.h) up to here. */
#define COMPACT_NODES 65536
/* Cloud shortlists that leave mass on the root after this many pricing
 * rounds give way to the search over all arcs: 1000 + 1000 overlapping
 * points in 5-D empty the root in 2 rounds and solve in 0.11-0.16 s on
 * shortlists (all arcs: 0.31-0.39 s); clustered clouds, whose clusters hold
 * different masses on the two sides, kept it for 43 rounds and took 4.5 s
 * (2000 + 2000 points in the plane; all arcs: 0.4-0.5 s). */
#define CLOUD_SHORTLIST_ROUNDS 4

/* Between pricing rounds a short list (p = 2 grids) between smooth
 * measures (multiscale.c) keeps the non-tree arcs whose reduced cost is
 * below this many steps' cost, a step being the cheapest move (to the
 * nearest pixel).  Costs and potentials there are whole multiples of a
 * step, so 2.5 keeps the arcs at 0, 1 or 2 steps from tight: the next
 * pivots turn many of them violated, and finding them in the list, not by
 * another round, cuts the rounds of smooth images (32 x 32 torus: 10-15 ->
 * 6-9 on the finest level).  Smooth images gain 2-13 % in simulated
 * cycles at 32-64 px (one loses 6 %) and 10-14 % in wall time at 128 px.
 * Random and signed ones lose 0-5 % at 32-128 px and 17 % at 512 px
 * (random torus: 7 % more pivots, 27 % more potential shifts), so their
 * lists keep the tight arcs only.  Keeping 0 or 1 step changes nothing, 3
 * steps is mixed (docs/solver-log.md, tenth session). */
#define KEEP_STEPS 2.5

void wasp_ot_options_default(wasp_ot_options *opt)
{
  opt->tol = 1e-9;
  opt->max_pivots = 0;
  opt->block = 0;
  opt->lean_nodes = 0;
  opt->lazy_nodes = 0;
  opt->compact_nodes = 0;
  opt->one_axis = 0;
  opt->window_seed = 0;
  opt->neighbourhood = 0;
  opt->progress = NULL;
  opt->progress_ctx = NULL;
}

wasp_status wasp_ot_create(const wasp_ot_options *opt, wasp_ot **ot)
{
  WASP_TRY(wasp_calloc(1, sizeof **ot, ot));
  if (opt) (*ot)->opt = *opt;
  else wasp_ot_options_default(&(*ot)->opt);
  if (!((*ot)->opt.tol > 0)) (*ot)->opt.tol = 1e-9;
  return WASP_OK;
}

static void free_arrays(wasp_ot *ot)
{
  void **arrays[] = {(void **)&ot->parent, (void **)&ot->thread, (void **)&ot->rev_thread,
                     (void **)&ot->th16, (void **)&ot->rth16,
                     (void **)&ot->succ_num, (void **)&ot->last_succ, (void **)&ot->dir,
                     (void **)&ot->flow, (void **)&ot->supply, (void **)&ot->pred_arc,
                     (void **)&ot->pred_cost, (void **)&ot->pi, (void **)&ot->path, (void **)&ot->path2,
                     (void **)&ot->old_last, (void **)&ot->old_succ, (void **)&ot->seg_a0,
                     (void **)&ot->seg_a1, (void **)&ot->seg_b0, (void **)&ot->old_arc,
                     (void **)&ot->old_cost, (void **)&ot->old_dir, (void **)&ot->old_flow,
                     (void **)&ot->rowbuf, (void **)&ot->plan_i, (void **)&ot->plan_j,
                     (void **)&ot->plan_m, (void **)&ot->u, (void **)&ot->v, (void **)&ot->links,
                     (void **)&ot->blk, (void **)&ot->bhead, (void **)&ot->btail,
                     (void **)&ot->bsize, (void **)&ot->bfree, (void **)&ot->tag,
                     (void **)&ot->bnext, (void **)&ot->bprev, (void **)&ot->key};
  for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) wasp_free(arrays[k]);
  ot->cap_nodes = 0;
  ot->cap_lazy = 0;
}

void wasp_ot_destroy(wasp_ot **ot)
{
  if (!*ot) return;
  free_arrays(*ot);
  wasp_free(&(*ot)->cand_i);
  wasp_free(&(*ot)->cand_j);
  wasp_free(&(*ot)->cand_c);
  wasp_free(&(*ot)->top_j);
  wasp_free(&(*ot)->top_rc);
  ot_grid_pricer_destroy(&(*ot)->grid);
  wasp_ot_destroy(&(*ot)->coarse);
  wasp_ot_destroy(&(*ot)->diff);
  wasp_free(ot);
}

wasp_status ot_reserve(wasp_ot *ot, long nodes, long nt)
{
  if (nodes <= ot->cap_nodes && nt <= ot->cap_row) return WASP_OK;
  free_arrays(ot);
  size_t n = (size_t)nodes;
  if (wasp_malloc(n * sizeof(int), &ot->parent) || wasp_malloc(n * sizeof(int), &ot->thread) ||
      wasp_malloc(n * sizeof(int), &ot->rev_thread) || wasp_malloc(n * sizeof(int), &ot->succ_num) ||
      wasp_malloc(n * sizeof(uint16_t), &ot->th16) || wasp_malloc(n * sizeof(uint16_t), &ot->rth16) ||
      wasp_malloc(n * sizeof(int), &ot->last_succ) || wasp_malloc(n, &ot->dir) ||
      wasp_malloc(n * sizeof(int64_t), &ot->flow) || wasp_malloc(n * sizeof(int64_t), &ot->supply) ||
      wasp_malloc(n * sizeof(long), &ot->pred_arc) || wasp_malloc(n * sizeof(double), &ot->pred_cost) ||
      wasp_malloc(n * sizeof(double), &ot->pi) || wasp_malloc(n * sizeof(int), &ot->path) ||
      wasp_malloc(n * sizeof(int), &ot->path2) ||
      wasp_malloc(n * sizeof(int), &ot->old_last) || wasp_malloc(n * sizeof(int), &ot->old_succ) ||
      wasp_malloc(n * sizeof(int), &ot->seg_a0) || wasp_malloc(n * sizeof(int), &ot->seg_a1) ||
      wasp_malloc(n * sizeof(int), &ot->seg_b0) || wasp_malloc(n * sizeof(long), &ot->old_arc) ||
      wasp_malloc(n * sizeof(double), &ot->old_cost) || wasp_malloc(n, &ot->old_dir) ||
      wasp_malloc(n * sizeof(int64_t), &ot->old_flow) ||
      wasp_malloc((size_t)nt * sizeof(double), &ot->rowbuf) ||
      wasp_malloc(n * sizeof(long), &ot->plan_i) || wasp_malloc(n * sizeof(long), &ot->plan_j) ||
      wasp_malloc(n * sizeof(double), &ot->plan_m) || wasp_malloc(n * sizeof(double), &ot->u) ||
      wasp_malloc(n * sizeof(double), &ot->v) || wasp_malloc((3 * n + 4) * sizeof(int), &ot->links)) {
    free_arrays(ot);
    return WASP_ERR_MEM;
  }
  ot->cap_nodes = nodes;
  ot->cap_row = nt;
  return WASP_OK;
}

/* Scale masses to integers summing to the same total: a power-of-two scale
 * keeps a*scale exact in the leading digits and the total below 2^52. */
static wasp_status scale_masses(wasp_ot *ot, const double *a, const double *b, double ratio)
{
  long ns = ot->ns, nt = ot->nt;
  ot->scale = ldexp(1.0, 51 - ilogb(ot->mass_a));
  int64_t sa = 0, sb = 0;
  long jmax = 0;
  for (long i = 0; i < ns; i++) {
    int64_t q = llround(a[i] * ot->scale);
    ot->supply[i] = q > 0 ? q : 1;
    sa += ot->supply[i];
  }
  for (long j = 0; j < nt; j++) {
    int64_t q = llround(b[j] * ratio * ot->scale);
    ot->supply[ns + j] = -(q > 0 ? q : 1);
    sb -= ot->supply[ns + j];
    if (-ot->supply[ns + j] > -ot->supply[ns + jmax]) jmax = j;
  }
  /* Rounding leaves the totals a few units apart: give the difference to the
   * largest sink, a relative change of ~1e-15 of its mass. */
  ot->supply[ns + jmax] -= sa - sb;
  if (ot->supply[ns + jmax] >= 0)
    return wasp_fail(WASP_ERR_INTERNAL, "mass scaling failed (totals %lld vs %lld)", (long long)sa,
                     (long long)sb);
  return WASP_OK;
}

static void init_tree(wasp_ot *ot)
{
  const int n = ot->nodes - 1, root = n;
  ot->parent[root] = -1;
  ot->pi[root] = 0.0;
  ot->succ_num[root] = ot->nodes;
  ot->last_succ[root] = n - 1;
  ot->thread[root] = 0;
  ot->rev_thread[0] = root;
  for (int v = 0; v < n; v++) {
    ot->parent[v] = root;
    ot->thread[v] = v + 1 < n ? v + 1 : root;
    if (v + 1 < n) ot->rev_thread[v + 1] = v;
    ot->succ_num[v] = 1;
    ot->last_succ[v] = v;
    ot->pred_arc[v] = -1 - (long)v; /* artificial arc between v and the root */
    ot->pred_cost[v] = ot->big_m;
    if (ot->supply[v] > 0) { /* source: v -> root carries its supply */
      ot->dir[v] = UP;
      ot->flow[v] = ot->supply[v];
      ot->pi[v] = ot->big_m;
    } else { /* sink: root -> v */
      ot->dir[v] = DOWN;
      ot->flow[v] = -ot->supply[v];
      ot->pi[v] = -ot->big_m;
    }
  }
  ot->rev_thread[root] = n - 1;
  ot->next_arc = 0;
  ot->warm = false;
  ot_compact_sync(ot);
}

void ot_compact_sync(wasp_ot *ot)
{
  const long most = ot->opt.compact_nodes ? ot->opt.compact_nodes : COMPACT_NODES;
  ot->compact = ot->nodes <= most && ot->nodes <= COMPACT_NODES;
  if (!ot->compact) return;
  for (int v = 0; v < ot->nodes; v++) {
    ot->th16[v] = (uint16_t)ot->thread[v];
    ot->rth16[v] = (uint16_t)ot->rev_thread[v];
  }
}

/* Potentials from the tree alone, in preorder (parents before children):
 * removes the drift that thousands of incremental shifts accumulate. */
static void recompute_potentials(wasp_ot *ot)
{
  const int root = ot->nodes - 1;
  ot->pi[root] = 0.0; /* the complement shifts in update_tree move it */
  for (int v = ot->thread[root]; v != root; v = ot->thread[v])
    ot->pi[v] = ot->pi[ot->parent[v]] + (ot->dir[v] == UP ? ot->pred_cost[v] : -ot->pred_cost[v]);
  if (ot->lazy) ot_lazy_build(ot);
}

/* A potential between two recomputations: lazy shifts keep part of it in
 * the offset of the node's block. */
static inline double potential(const wasp_ot *ot, bool lazy, int v)
{
  return lazy ? ot->pi[v] + ot->tag[ot->blk[v]] : ot->pi[v];
}

/* Block search over the candidate arcs: scan from where the last search
 * stopped, a block at a time, and take the most negative reduced cost of the
 * first block that has one (the first such arc in scan order on ties).
 * Each run of the list is scanned in two interleaved lanes: the running
 * minimum is a dependency chain, and two chains halve its latency. */
static inline __attribute__((always_inline)) void scan_run(const wasp_ot *ot, bool lazy, long from, long to,
                                                          double *min, long *best)
{
  const int *ci = ot->cand_i, *cj = ot->cand_j, ns = (int)ot->ns;
  const double *cc = ot->cand_c;
  double m0 = *min, m1 = *min;
  long b0 = -1, b1 = -1, k = from;
  for (; k + 1 < to; k += 2) {
    const double r0 = cc[k] - potential(ot, lazy, ci[k]) + potential(ot, lazy, ns + cj[k]);
    const double r1 = cc[k + 1] - potential(ot, lazy, ci[k + 1]) + potential(ot, lazy, ns + cj[k + 1]);
    if (r0 < m0) m0 = r0, b0 = k;
    if (r1 < m1) m1 = r1, b1 = k + 1;
  }
  if (k < to) {
    const double r0 = cc[k] - potential(ot, lazy, ci[k]) + potential(ot, lazy, ns + cj[k]);
    if (r0 < m0) m0 = r0, b0 = k;
  }
  if (b1 >= 0 && (m1 < m0 || (m1 == m0 && (b0 < 0 || b1 < b0)))) m0 = m1, b0 = b1;
  if (b0 >= 0) *min = m0, *best = b0;
}

static inline __attribute__((always_inline)) long find_entering_in(wasp_ot *ot, double eps,
                                                                  double *rc_out, bool lazy)
{
  const long nc = ot->ncand;
  long pos = ot->cand_next, best = -1, left = nc;
  double min = -eps;
  while (left > 0) {
    long todo = ot->block < left ? ot->block : left;
    left -= todo;
    while (todo > 0) { /* a block may wrap past the end of the list */
      const long end = pos + todo < nc ? pos + todo : nc;
      scan_run(ot, lazy, pos, end, &min, &best);
      todo -= end - pos;
      pos = end == nc ? 0 : end;
    }
    if (best >= 0) break;
  }
  ot->cand_next = pos;
  *rc_out = min;
  return best;
}

/* The entering arc's position in the candidate list, or -1 when no
 * candidate is violated.  The scan is the innermost loop of the solve: one
 * instance per mode, so the plain one carries no offset loads. */
static long find_entering(wasp_ot *ot, double eps, double *rc_out)
{
  return ot->lazy ? find_entering_in(ot, eps, rc_out, true) : find_entering_in(ot, eps, rc_out, false);
}

/* Point clouds whose shortlists fail (CLOUD_SHORTLIST_ROUNDS): the block
 * search runs over all ns*nt arcs in row-major order, as POT's and LEMON's
 * do, but each block's costs are computed from the coordinates, so neither
 * a candidate list nor a cost matrix is stored (docs/performance.md,
 * "Point clouds"). */
static long find_entering_all(wasp_ot *ot, double eps, double *rc_out, double *c_out)
{
  const long ns = ot->ns, nt = ot->nt, total = ns * nt;
  const bool lazy = ot->lazy;
  long pos = ot->next_arc, best = -1, left = total;
  double min = -eps, best_c = 0.0;
  while (left > 0) {
    long todo = ot->block < left ? ot->block : left;
    left -= todo;
    while (todo > 0) { /* a block may span rows and wrap past the last arc */
      const long i = pos / nt, j0 = pos % nt, len = nt - j0 < todo ? nt - j0 : todo;
      wasp_cost_row(ot->cost, ot->src[i], len, ot->dst + j0, ot->rowbuf);
      const double ui = potential(ot, lazy, (int)i);
      for (long k = 0; k < len; k++) {
        const double rc = ot->rowbuf[k] - ui + potential(ot, lazy, (int)(ns + j0 + k));
        if (rc < min) min = rc, best = pos + k, best_c = ot->rowbuf[k];
      }
      todo -= len;
      pos = pos + len == total ? 0 : pos + len;
    }
    if (best >= 0) break;
  }
  ot->next_arc = pos;
  *rc_out = min;
  *c_out = best_c;
  return best;
}

/* With exact pricing cheap (p = 2 on grids), a short candidate list beats
 * a long one: the block search rescans the list for every pivot.  Between
 * rounds only the non-tree arcs with reduced cost at most `tie` stay (the
 * tight ones and, between rounds, the nearly tight: KEEP_STEPS); pricing
 * re-finds everything else that becomes violated. */
static void keep_tight_candidates(wasp_ot *ot, double tie)
{
  const bool lazy = ot->lazy;
  const int ns = (int)ot->ns;
  long m = 0;
  for (long c = 0; c < ot->ncand; c++) {
    const int i = ot->cand_i[c], j = ot->cand_j[c];
    const long arc = (long)i * ot->nt + j;
    if (ot->cand_c[c] - potential(ot, lazy, i) + potential(ot, lazy, ns + j) > tie) continue;
    if (ot->pred_arc[i] == arc || ot->pred_arc[ot->ns + j] == arc) continue;
    ot->cand_i[m] = i;
    ot->cand_j[m] = j;
    ot->cand_c[m] = ot->cand_c[c];
    m++;
  }
  ot->ncand = m;
  ot->cand_next = 0;
}

wasp_status ot_grow_candidates(wasp_ot *ot)
{
  long cap = ot->cap_cand ? 2 * ot->cap_cand : 16 * (ot->ns + ot->nt);
  int *ni = realloc(ot->cand_i, sizeof(int) * (size_t)cap);
  if (ni) ot->cand_i = ni;
  int *nj = realloc(ot->cand_j, sizeof(int) * (size_t)cap);
  if (nj) ot->cand_j = nj;
  double *nc = realloc(ot->cand_c, sizeof(double) * (size_t)cap);
  if (nc) ot->cand_c = nc;
  if (!ni || !nj || !nc) return wasp_fail(WASP_ERR_MEM, "out of memory growing the candidate arc list to %ld arcs", cap);
  ot->cap_cand = cap;
  return WASP_OK;
}

/* Price every one of the ns*nt arcs with the current potentials: returns the
 * minimum reduced cost (the dual-feasibility half of the certificate) and
 * adds to the candidates up to k most violated arcs of each source row. */
static wasp_status price_all(wasp_ot *ot, double eps, long k, double *min_rc, long *added)
{
  if (ot->grid) return ot_grid_price(ot, ot->grid, eps, k, min_rc, added);
  double min = INFINITY;
  const double *pi_t = ot->pi + ot->ns;
  *added = 0;
  for (long i = 0; i < ot->ns; i++) {
    wasp_cost_row(ot->cost, ot->src[i], ot->nt, ot->dst, ot->rowbuf);
    const double pi_i = ot->pi[i];
    long nt_top = 0;
    for (long j = 0; j < ot->nt; j++) {
      double rc = ot->rowbuf[j] - pi_i + pi_t[j];
      if (rc < min) min = rc;
      if (rc >= -eps || k == 0) continue;
      if (nt_top == k && rc >= ot->top_rc[k - 1]) continue;
      /* Insertion into the row's short sorted list of the k most negative. */
      long pos = nt_top < k ? nt_top++ : k - 1;
      while (pos > 0 && ot->top_rc[pos - 1] > rc) {
        ot->top_rc[pos] = ot->top_rc[pos - 1];
        ot->top_j[pos] = ot->top_j[pos - 1];
        pos--;
      }
      ot->top_rc[pos] = rc;
      ot->top_j[pos] = j;
    }
    for (long t = 0; t < nt_top; t++)
      WASP_TRY(ot_add_candidate(ot, i, ot->top_j[t], ot->rowbuf[ot->top_j[t]]));
    *added += nt_top;
  }
  *min_rc = min;
  return WASP_OK;
}

/* Add `shift` to pi along the thread segment first .. last of n nodes,
 * walked from both ends at once: the shift is a pointer chase bound by the
 * latency of each step, and two independent chases overlap their misses.
 * One body for the int and the 16-bit thread. */
#define SHIFT_SEGMENT(name, T)                                                                    \
  static void name(double *pi, const T *th, const T *rth, int first, int last, int n,          \
                   double shift)                                                                \
  {                                                                                             \
    int f = first, b = last;                                                                    \
    for (int c = 0; c < n / 2; c++) {                                                           \
      pi[f] += shift;                                                                           \
      pi[b] += shift;                                                                           \
      f = th[f];                                                                                \
      b = rth[b];                                                                               \
    }                                                                                           \
    if (n & 1) pi[f] += shift;                                                                  \
  }
SHIFT_SEGMENT(shift_segment, int)
SHIFT_SEGMENT(shift_segment16, uint16_t)

/* Potentials of the subtree first .. last (n nodes) up by shift or, when
 * it holds most of the tree, those of the rest (after .. before) down:
 * by block offsets when lazy (lazy.c counts those), else node by node. */
static void shift_potentials(wasp_ot *ot, int first, int last, int n, int after, int before,
                             double shift)
{
  if (2 * n > ot->nodes) first = after, last = before, n = ot->nodes - n, shift = -shift;
  if (ot->lazy) {
    ot_lazy_shift(ot, first, last, shift);
    return;
  }
  ot->shifted += n;
  if (ot->compact) shift_segment16(ot->pi, ot->th16, ot->rth16, first, last, n, shift);
  else shift_segment(ot->pi, ot->thread, ot->rev_thread, first, last, n, shift);
}

/* Re-hang the subtree cut off by removing u_out's tree arc under v_in via
 * the entering arc; the path u_in .. u_out reverses.  See ot_tree.h for the
 * preorder bookkeeping.
 * w[0 .. nw) is the cycle's side from u_in up to (not including) the join,
 * u_out = w[k]; o[0 .. no) the other side, from v_in (empty when v_in is
 * the join). */
static void update_tree(wasp_ot *ot, int join, const int *w, int k, int nw, int v_in, const int *o,
                        int no, long in_arc, double in_cost, signed char in_dir, int64_t in_flow,
                        double shift)
{
  /* The arrays in locals: dir and old_dir are written through signed
   * char, which may alias anything, so reading them through ot in the
   * loops below reloads every pointer after each such store (0.3-1.3 %
   * fewer simulated cycles per solve at 32-64 px). */
  int *th = ot->thread, *rth = ot->rev_thread, *par = ot->parent;
  int *succ = ot->succ_num, *lsucc = ot->last_succ;
  int *old_last = ot->old_last, *old_succ = ot->old_succ;
  int *seg_a0 = ot->seg_a0, *seg_a1 = ot->seg_a1, *seg_b0 = ot->seg_b0;
  long *pred_arc = ot->pred_arc, *old_arc = ot->old_arc;
  double *pred_cost = ot->pred_cost, *old_cost = ot->old_cost;
  signed char *dir = ot->dir, *old_dir = ot->old_dir;
  int64_t *flow = ot->flow, *old_flow = ot->old_flow;
  const bool lazy = ot->lazy, compact = ot->compact;
  const int u_out = w[k];

  /* Everything about the old tree the splice needs, read before changing it. */
  for (int m = 0; m <= k; m++) {
    old_last[m] = lsucc[w[m]];
    old_succ[m] = succ[w[m]];
    old_arc[m] = pred_arc[w[m]];
    old_cost[m] = pred_cost[w[m]];
    old_dir[m] = dir[w[m]];
    old_flow[m] = flow[w[m]];
    if (m > 0) {
      seg_a0[m] = th[w[m]];
      seg_a1[m] = rth[w[m - 1]];
      seg_b0[m] = th[old_last[m - 1]];
    }
  }
  const int size = succ[u_out], s_last = lsucc[u_out];

  /* 0. The subtree's potentials move together so the entering arc is tight.
   * Only differences of potentials matter (reduced costs, and the dual
   * objective since the masses balance), so when the subtree holds most of
   * the tree, the rest moves the other way instead: min(|S|, N - |S|).
   * Either set is one segment of the old preorder thread. */
  const int before = rth[u_out], after = th[s_last];
  int *links = ot->links, nl = 0;
  if (lazy) {
    /* Blocks must not straddle a link the update rewrites, nor the ends of
     * the shifted segment. */
    ot_lazy_split_after(ot, before);
    ot_lazy_split_after(ot, s_last);
    ot_lazy_split_after(ot, v_in);
    for (int m = 1; m <= k; m++) {
      ot_lazy_split_after(ot, w[m]);
      ot_lazy_split_after(ot, seg_a1[m]);
      ot_lazy_split_after(ot, old_last[m - 1]);
    }
  }
  shift_potentials(ot, u_out, s_last, size, after, before, shift);

  /* 1. Cut the subtree's preorder segment out of the thread. */
  links[nl++] = before;
  th[before] = after;
  rth[after] = before;
  /* The subtree moves within join's subtree, so sizes change only below
   * the join; above it only a last_succ equal to the moved segment's end
   * changes, and the ancestors holding it form an unbroken chain. */
  for (int m = k + 1; m < nw; m++) {
    const int x = w[m];
    succ[x] -= size;
    if (lsucc[x] == s_last) lsucc[x] = before;
  }
  int x = join;
  for (; x >= 0 && lsucc[x] == s_last; x = par[x]) lsucc[x] = before;

  /* 2. Preorder of the re-rooted subtree: w0 and its old subtree, then for
   * each w_m on the path: w_m, the part of its old segment before w_{m-1}'s
   * subtree, the part after it. */
  int tail = old_last[0];
  for (int m = 1; m <= k; m++) {
    links[nl++] = tail;
    th[tail] = w[m];
    rth[w[m]] = tail;
    tail = w[m];
    if (seg_a0[m] != w[m - 1]) {
      links[nl++] = tail;
      th[tail] = seg_a0[m];
      rth[seg_a0[m]] = tail;
      tail = seg_a1[m];
    }
    if (old_last[m - 1] != old_last[m]) {
      links[nl++] = tail;
      th[tail] = seg_b0[m];
      rth[seg_b0[m]] = tail;
      tail = old_last[m];
    }
  }
  const int chain_last = tail;

  /* 3. Insert the chain right after v_in (as its first child). */
  const int next = th[v_in];
  links[nl++] = v_in;
  links[nl++] = chain_last;
  th[v_in] = w[0];
  rth[w[0]] = v_in;
  th[chain_last] = next;
  rth[next] = chain_last;
  const int v_last = lsucc[v_in];
  for (int m = 0; m < no; m++) {
    succ[o[m]] += size;
    if (v_last == v_in && lsucc[o[m]] == v_in) lsucc[o[m]] = chain_last;
  }
  x = join;
  for (; v_last == v_in && x >= 0 && lsucc[x] == v_in; x = par[x]) lsucc[x] = chain_last;

  /* 4. Reverse the path: the arc that tied w_{m-1} to w_m now ties w_m to
   * its new parent w_{m-1}, with the opposite orientation. */
  for (int m = k; m >= 1; m--) {
    par[w[m]] = w[m - 1];
    pred_arc[w[m]] = old_arc[m - 1];
    pred_cost[w[m]] = old_cost[m - 1];
    dir[w[m]] = (signed char)-old_dir[m - 1];
    flow[w[m]] = old_flow[m - 1];
    succ[w[m]] = size - old_succ[m - 1];
    lsucc[w[m]] = chain_last;
  }
  par[w[0]] = v_in;
  pred_arc[w[0]] = in_arc;
  pred_cost[w[0]] = in_cost;
  dir[w[0]] = in_dir;
  flow[w[0]] = in_flow;
  succ[w[0]] = size;
  lsucc[w[0]] = chain_last;
  /* Every rewritten link x -> th[x] into the 16-bit copies too. */
  if (compact)
    for (int l = 0; l < nl; l++) {
      ot->th16[links[l]] = (uint16_t)th[links[l]];
      ot->rth16[th[links[l]]] = (uint16_t)links[l];
    }
  /* Merge the blocks cut at the links back to full size. */
  if (lazy) {
    for (int l = 0; l < nl; l++) ot_lazy_relink(ot, links[l]);
    for (int l = 0; l < nl; l++) ot_lazy_join_after(ot, links[l]);
  }
}

/* One pivot on entering arc (i, j) of cost c_in and reduced cost rc.  The
 * apex search records both sides of the cycle, so the leaving-arc search,
 * the flow change and the tree update read arrays instead of chasing
 * parent pointers again. */
static void pivot(wasp_ot *ot, long i, long j, double c_in, double rc)
{
  const long arc = i * ot->nt + j;
  const int first = (int)i, second = (int)(ot->ns + j);
  const int *par = ot->parent, *size = ot->succ_num;
  const signed char *dir = ot->dir;
  int64_t *flow = ot->flow;
  int *pa = ot->path, *pb = ot->path2, na = 0, nb = 0;
  int u = first, v = second;
  while (u != v) {
    if (size[u] < size[v]) pa[na++] = u, u = par[u];
    else pb[nb++] = v, v = par[v];
  }
  const int join = u;

  /* Leaving arc: the last blocking arc met when walking the cycle from the
   * apex in the entering arc's direction (strongly feasible rule). */
  int64_t delta = INT64_MAX;
  int out = -1, side = 0;
  for (int m = 0; m < na; m++)
    if (dir[pa[m]] == UP && flow[pa[m]] < delta) delta = flow[pa[m]], out = m, side = 1;
  for (int m = 0; m < nb; m++)
    if (dir[pb[m]] == DOWN && flow[pb[m]] <= delta) delta = flow[pb[m]], out = m, side = 2;
  if (delta > 0) {
    for (int m = 0; m < na; m++) flow[pa[m]] += dir[pa[m]] == UP ? -delta : delta;
    for (int m = 0; m < nb; m++) flow[pb[m]] += dir[pb[m]] == UP ? delta : -delta;
  }
  if (side == 1)
    update_tree(ot, join, pa, out, na, second, pb, nb, arc, c_in, UP, delta, rc);
  else
    update_tree(ot, join, pb, out, nb, first, pa, na, arc, c_in, DOWN, delta, -rc);
}

wasp_status ot_check_masses(long ns, const double *a, long nt, const double *b, double *sa,
                            double *sb)
{
  long double ta = 0, tb = 0;
  if (ns <= 0 || nt <= 0)
    return wasp_fail(WASP_ERR_INPUT, "transport between %ld source and %ld target sites: both "
                                     "measures need positive mass", ns, nt);
  for (long i = 0; i < ns; i++) {
    if (!(a[i] > 0) || !isfinite(a[i]))
      return wasp_fail(WASP_ERR_INPUT, "source mass %ld is %g; site masses must be positive", i, a[i]);
    ta += a[i];
  }
  for (long j = 0; j < nt; j++) {
    if (!(b[j] > 0) || !isfinite(b[j]))
      return wasp_fail(WASP_ERR_INPUT, "target mass %ld is %g; site masses must be positive", j, b[j]);
    tb += b[j];
  }
  *sa = (double)ta;
  *sb = (double)tb;
  if (fabs(*sa - *sb) > 1e-9 * fmax(*sa, *sb))
    return wasp_fail(WASP_ERR_INPUT, "source mass %.17g and target mass %.17g differ by %.3g "
                                     "relative; balanced transport needs equal masses",
                     *sa, *sb, fabs(*sa - *sb) / fmax(*sa, *sb));
  return WASP_OK;
}

/* Primal residual and duality gap of the plan and potentials in ot->plan_*,
 * ot->u, ot->v against a and the rescaled b (res->value already set). */
void ot_plan_certificate(wasp_ot *ot, const double *a, const double *b, double ratio,
                         wasp_ot_result *res)
{
  const long ns = ot->ns, nt = ot->nt;
  long double dual = 0;
  for (long i = 0; i < ns; i++) dual += (long double)a[i] * ot->u[i];
  for (long j = 0; j < nt; j++) dual += (long double)b[j] * ratio * ot->v[j];
  double resid = 0;
  double *rs = ot->old_cost; /* scratch of >= ns + nt entries */
  for (long k = 0; k < ns + nt; k++) rs[k] = 0;
  for (long e = 0; e < ot->nnz; e++) {
    rs[ot->plan_i[e]] += ot->plan_m[e];
    rs[ns + ot->plan_j[e]] += ot->plan_m[e];
  }
  for (long i = 0; i < ns; i++) resid = fmax(resid, fabs(rs[i] - a[i]));
  for (long j = 0; j < nt; j++) resid = fmax(resid, fabs(rs[ns + j] - b[j] * ratio));
  res->primal_residual = resid;
  res->duality_gap = (double)((long double)res->value - dual);
}

/* The verdict on a filled certificate; fails when it does not prove
 * optimality within tol (artificial: flow left on artificial arcs). */
wasp_status ot_verdict(const wasp_ot *ot, long long artificial, wasp_ot_result *res)
{
  /* The gap floor covers roundoff of sum(a u) with |u| ~ scale when the
   * optimal value itself is 0 (identical measures, zero costs). */
  const double scale = res->cost_scale, tol = ot->opt.tol;
  res->optimal = artificial == 0 && res->min_reduced_cost >= -tol * scale &&
                 fabs(res->duality_gap) <= tol * fmax(fabs(res->value), 1e-3 * res->mass * scale);
  if (!res->optimal)
    return wasp_fail(WASP_ERR_NUMERIC,
                     "transport LP not certified optimal after %ld pivots: min reduced cost %.3g, "
                     "duality gap %.3g, artificial flow %lld (tolerance %.1g)",
                     res->iterations, res->min_reduced_cost, res->duality_gap, artificial, tol);
  return WASP_OK;
}

/* Plan, potentials and certificate in the caller's real units. */
static void finish(wasp_ot *ot, const double *a, const double *b, double ratio, wasp_ot_result *res)
{
  const long ns = ot->ns, nt = ot->nt;
  long double value = 0;
  ot->nnz = 0;
  for (int v = 0; v < ot->nodes - 1; v++) {
    if (ot->pred_arc[v] < 0 || ot->flow[v] == 0) continue;
    long i = ot->pred_arc[v] / nt, j = ot->pred_arc[v] - i * nt;
    double m = (double)ot->flow[v] / ot->scale;
    ot->plan_i[ot->nnz] = i;
    ot->plan_j[ot->nnz] = j;
    ot->plan_m[ot->nnz] = m;
    ot->nnz++;
    value += (long double)m * ot->pred_cost[v];
  }
  for (long i = 0; i < ns; i++) ot->u[i] = ot->pi[i];
  for (long j = 0; j < nt; j++) ot->v[j] = -ot->pi[ns + j];
  res->value = (double)value;
  res->mass = ot->mass_a;
  res->cost_scale = ot->big_m;
  ot_plan_certificate(ot, a, b, ratio, res);
}

static void report(const wasp_ot *ot, long round, long pivots, double min_rc, double t0, int done)
{
  if (!ot->opt.progress) return;
  const wasp_ot_progress p = {.depth = ot->depth,
                              .sites = ot->ns + ot->nt,
                              .round = round,
                              .pivots = pivots,
                              .min_reduced_cost = min_rc / ot->big_m,
                              .seconds = wasp_wtime() - t0,
                              .done = done};
  ot->opt.progress(ot->opt.progress_ctx, &p);
}

/* Mass the tree still routes through the root (artificial arcs). */
static int64_t artificial_flow(const wasp_ot *ot)
{
  int64_t art = 0;
  for (int v = 0; v < ot->nodes - 1; v++)
    if (ot->pred_arc[v] < 0) art += ot->flow[v];
  return art;
}

static wasp_status solve_in_order(wasp_ot *ot, const wasp_cost *cost, long ns, const long *src,
                                  const double *a, long nt, const long *dst, const double *b,
                                  wasp_ot_result *res)
{
  double t0 = wasp_wtime(), sa = 0, sb = 0;
  memset(res, 0, sizeof *res);
  ot->nnz = 0;
  WASP_TRY(ot_check_masses(ns, a, nt, b, &sa, &sb));
  if (ns + nt + 1 > 2000000000L)
    return wasp_fail(WASP_ERR_ARG, "%ld + %ld sites exceed the solver's node limit", ns, nt);
  WASP_TRY(ot_reserve(ot, ns + nt + 1, nt));
  ot->cost = cost;
  ot->ns = ns;
  ot->nt = nt;
  ot->src = src;
  ot->dst = dst;
  ot->nodes = (int)(ns + nt + 1);
  ot->mass_a = sa;
  const double ratio = sa / sb;
  WASP_TRY(scale_masses(ot, a, b, ratio));
  ot->cbound = wasp_cost_bound(cost);
  /* Routing a unit through the root costs 2M; M = the largest cost makes
   * that dearer than any real arc, so artificial flow cannot be optimal. */
  ot->big_m = ot->cbound > 0 ? ot->cbound : 1.0;
  init_tree(ot);

  const double eps = 1e-13 * ot->big_m;
  const long refresh = ot->nodes > 1000 ? ot->nodes : 1000;
  const long k_round = 8; /* a pricing round keeps each row's k most violated arcs */
  long pivots = 0, since = 0, added = 0;
  double min_rc = 0;
  ot->ncand = 0;
  ot->cand_next = 0;
  wasp_free(&ot->top_j);
  wasp_free(&ot->top_rc);
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)k_round, &ot->top_j));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)k_round, &ot->top_rc));
  /* Seed: on a grid, the multiscale candidates (multiscale.c) or the
   * targets in a small window around each source; on clouds, shortlists of
   * each source's k cheapest targets - with the initial potentials every
   * arc is violated by 2M - c, so a full pass ranks them.  Clouds whose
   * shortlists still route mass through the root after
   * CLOUD_SHORTLIST_ROUNDS rounds switch to the search over all arcs
   * (find_entering_all), except capped costs with dummy sites (flat, TV):
   * there most arcs cost the cap and a search over all of them finds few
   * violated ones (32 x 32 random images as clouds: 4.4 s that way against
   * 0.9 s). */
  ot_grid_pricer_destroy(&ot->grid);
  WASP_TRY(ot_grid_pricer_create(cost, ns, src, nt, dst, &ot->grid));
  if (!ot->axes) ot->smooth = false; /* until the multiscale seed measures it */
  const bool may_search_all =
      !ot->grid && !(wasp_cost_cap(cost) > 0) && !(wasp_cost_dummy_price(cost) > 0);
  bool all_arcs = false;
  if (ot->grid && ot_multiscale_applies(ot)) {
    WASP_TRY(ot_multiscale_seed(ot, a, b, &added));
  } else if (ot->grid) {
    WASP_TRY(ot_grid_seed(ot, ot->grid, 2, &added));
  } else {
    WASP_TRY(price_all(ot, eps, k_round, &min_rc, &added));
  }
  ot->shifted = 0;
  const bool short_list = ot->grid && ot_grid_pricer_exact_is_cheap(ot->grid);
  const long lean_nodes = ot->opt.lean_nodes ? ot->opt.lean_nodes : LEAN_NODES;
  ot->lean = short_list && lean_nodes > 0 && ot->nodes >= lean_nodes;
  const long lazy_nodes = ot->opt.lazy_nodes ? ot->opt.lazy_nodes : LAZY_NODES;
  ot->lazy = lazy_nodes > 0 && ot->nodes >= lazy_nodes;
  if (ot->lazy) {
    WASP_TRY(ot_lazy_reserve(ot));
    ot->bmax = LAZY_BLOCK;
    recompute_potentials(ot); /* builds the blocks */
  }
  double hy, hx;
  const double keep_tie = short_list && ot->smooth && wasp_cost_grid(cost, NULL, NULL, &hy, &hx, NULL)
                              ? KEEP_STEPS * pow(fmin(hy, hx), wasp_cost_exponent(cost))
                              : eps;
  long round = 0;
  for (;; round++) {
    double rc;
    long best, before = pivots;
    /* From a warm start most arcs are nearly optimal and a violated one is
     * best fixed where it is found: a quarter-size block needs 10-25 %
     * fewer pivots there (bench problems at 64-128 px); from the big-M
     * basis the classic sqrt(arcs) block does better. */
    const double bfac = ot->warm ? 0.25 : 1.0;
    const double arcs = all_arcs ? (double)ns * (double)nt : (double)ot->ncand;
    ot->block = ot->opt.block > 0 ? ot->opt.block : (long)fmax(32.0, bfac * sqrt(arcs));
    long last_pos = ot->cand_next;
    double c_in;
    while ((best = all_arcs ? find_entering_all(ot, eps, &rc, &c_in) : find_entering(ot, eps, &rc)) >= 0) {
      if (all_arcs) pivot(ot, best / nt, best % nt, c_in, rc);
      else pivot(ot, ot->cand_i[best], ot->cand_j[best], ot->cand_c[best], rc);
      pivots++;
      /* Lean: each pass over the list drops what is no longer violated. */
      if (ot->lean && ot->cand_next < last_pos) keep_tight_candidates(ot, eps);
      last_pos = ot->cand_next;
      if (++since >= refresh) {
        recompute_potentials(ot);
        since = 0;
      }
      if (ot->opt.max_pivots > 0 && pivots >= ot->opt.max_pivots) break;
    }
    recompute_potentials(ot);
    since = 0;
    /* Arcs added by the last pricing that allow no pivot would repeat
     * forever: stop, and let the certificate below report it. */
    if (round > 0 && pivots == before) break;
    /* Lean rounds pay for themselves while they move much; the tail,
     * a few pivots per round, is cheaper with neighbourhoods and a list. */
    if (ot->lean && (double)(pivots - before) < LEAN_MIN_ROUND * ot->nodes) ot->lean = false;
    if (short_list) keep_tight_candidates(ot, keep_tie);
    /* All arcs searched: this pass is the certificate, and a violation it
     * still finds (potentials recomputed since) is left to the next search. */
    if (may_search_all && !all_arcs && round + 1 >= CLOUD_SHORTLIST_ROUNDS && artificial_flow(ot) > 0)
      all_arcs = true;
    WASP_TRY(price_all(ot, eps, all_arcs ? 0 : k_round, &min_rc, &added));
    if (all_arcs) added = min_rc < -eps;
    if (getenv("WASP_OT_DEBUG"))
      fprintf(stderr, "round %ld: %ld pivots, %ld candidates, +%ld, min rc %.3g, %ld potentials shifted, %.3f s\n",
              round, pivots, ot->ncand, added, min_rc, ot->shifted, wasp_wtime() - t0);
    report(ot, round + 1, pivots, min_rc, t0, 0);
    if (added == 0 || (ot->opt.max_pivots > 0 && pivots >= ot->opt.max_pivots)) break;
  }
  ot->lean = false; /* pricing outside this loop (difference.c) is never lean */
  ot->lazy = false; /* and reads plain potentials: the last recomputation folded the offsets */
  finish(ot, a, b, ratio, res);
  res->min_reduced_cost = min_rc;
  res->iterations = pivots;
  /* Artificial flow left in the tree would mean an infeasible plan. */
  const int64_t art = artificial_flow(ot);
  res->seconds = wasp_wtime() - t0;
  report(ot, round + 1, pivots, min_rc, t0, 1);
  return ot_verdict(ot, (long long)art, res);
}

/* Sites permuted into locality order (order.c): src2[k] = src[ps[k]] etc. */
typedef struct {
  long *ps, *pt, *src, *dst;
  double *a, *b, *tmp;
} reordered;

static void reordered_free(reordered *r)
{
  wasp_free(&r->ps);
  wasp_free(&r->pt);
  wasp_free(&r->src);
  wasp_free(&r->dst);
  wasp_free(&r->a);
  wasp_free(&r->b);
  wasp_free(&r->tmp);
}

static wasp_status reorder(const wasp_cost *cost, long ns, const long *src, const double *a, long nt,
                           const long *dst, const double *b, reordered *r)
{
  int ny, nx;
  wasp_cost_grid(cost, &ny, &nx, NULL, NULL, NULL);
  const long m = ns > nt ? ns : nt;
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)ns, &r->ps));
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)nt, &r->pt));
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)ns, &r->src));
  WASP_TRY(wasp_malloc(sizeof(long) * (size_t)nt, &r->dst));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)ns, &r->a));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)nt, &r->b));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)m, &r->tmp));
  WASP_TRY(ot_locality_order(ns, src, nx, r->ps));
  WASP_TRY(ot_locality_order(nt, dst, nx, r->pt));
  for (long k = 0; k < ns; k++) r->src[k] = src[r->ps[k]], r->a[k] = a[r->ps[k]];
  for (long k = 0; k < nt; k++) r->dst[k] = dst[r->pt[k]], r->b[k] = b[r->pt[k]];
  return WASP_OK;
}

/* Plan and potentials back to the caller's site numbering. */
static void restore_order(wasp_ot *ot, const reordered *r, long ns, long nt)
{
  for (long e = 0; e < ot->nnz; e++) {
    ot->plan_i[e] = r->ps[ot->plan_i[e]];
    ot->plan_j[e] = r->pt[ot->plan_j[e]];
  }
  for (long k = 0; k < ns; k++) r->tmp[r->ps[k]] = ot->u[k];
  memcpy(ot->u, r->tmp, sizeof(double) * (size_t)ns);
  for (long k = 0; k < nt; k++) r->tmp[r->pt[k]] = ot->v[k];
  memcpy(ot->v, r->tmp, sizeof(double) * (size_t)nt);
}

/* Grid problems are solved with their sites in locality order (order.c);
 * others, and grids with dummy sites (whose target must stay last), as
 * given. */
wasp_status wasp_ot_solve(wasp_ot *ot, const wasp_cost *cost, long ns, const long *src,
                          const double *a, long nt, const long *dst, const double *b,
                          wasp_ot_result *res)
{
  if (ot_difference_applies(ot, cost)) {
    int fallback = 0;
    wasp_status s = ot_solve_difference(ot, cost, ns, src, a, nt, dst, b, res, &fallback);
    if (s || !fallback) return s;
  }
  if (!wasp_cost_grid(cost, NULL, NULL, NULL, NULL, NULL) || wasp_cost_dummy_price(cost) > 0 ||
      ns + nt < 4096)
    return solve_in_order(ot, cost, ns, src, a, nt, dst, b, res);
  const double t0 = wasp_wtime();
  double sa, sb;
  ot->nnz = 0;
  memset(res, 0, sizeof *res);
  WASP_TRY(ot_check_masses(ns, a, nt, b, &sa, &sb)); /* errors name the caller's indices */
  reordered r = {0};
  wasp_status s = reorder(cost, ns, src, a, nt, dst, b, &r);
  if (!s) {
    ot->nnz = 0;
    s = solve_in_order(ot, cost, ns, r.src, r.a, nt, r.dst, r.b, res);
    /* nnz > 0: the plan and potentials were written, even if not certified */
    if (ot->nnz > 0) restore_order(ot, &r, ns, nt);
    res->seconds = wasp_wtime() - t0;
  }
  ot->src = src;
  ot->dst = dst;
  reordered_free(&r);
  return s;
}

wasp_status wasp_ot_plan(const wasp_ot *ot, long *nnz, const long **isrc, const long **jdst,
                         const double **mass)
{
  *nnz = ot->nnz;
  *isrc = ot->plan_i;
  *jdst = ot->plan_j;
  *mass = ot->plan_m;
  return WASP_OK;
}

wasp_status wasp_ot_potentials(const wasp_ot *ot, const double **u, const double **v)
{
  *u = ot->u;
  *v = ot->v;
  return WASP_OK;
}

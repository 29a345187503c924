/* Private state of the network simplex (src/ot/simplex.c).
 *
 * Tree bookkeeping, per node v (sources, sinks, then the root):
 *   parent[v]     parent in the spanning tree (-1 for the root)
 *   pred_arc[v]   the tree arc joining v to its parent: i*nt + j for a real
 *                 arc, -1 - v for v's artificial arc to the root
 *   dir[v]        +1 when that arc points v -> parent, -1 when parent -> v
 *   flow[v]       its flow, in integer mass units
 *   thread[v]     next node in a preorder walk of the tree (circular)
 *   rev_thread[v] previous node in that walk
 *   succ_num[v]   number of nodes in v's subtree, v included
 *   last_succ[v]  last node of v's subtree in the preorder walk
 *   pi[v]         potential; reduced cost of arc s -> t is c - pi[s] + pi[t]
 * so a subtree is the contiguous preorder segment [v .. last_succ[v]]. */
#ifndef WASP_OT_TREE_H
#define WASP_OT_TREE_H

#include "wasp/wasp_ot.h"

struct wasp_ot {
  wasp_ot_options opt;
  long cap_nodes, cap_row;   /* allocated sizes, reused across solves */

  const wasp_cost *cost;
  long ns, nt;
  const long *src, *dst;
  int nodes;                 /* ns + nt + 1 */
  double mass_a, scale, cbound, big_m;
  long block, next_arc;
  long shifted;              /* potentials (or block offsets, and nodes relabelled,
                                when lazy) moved by tree updates: profiling */
  bool warm;                 /* the tree came from a feasible warm start */
  int depth;                 /* 0, or k for the k-th coarsening (progress) */
  signed char axes;          /* a coarse level's coarsening, told by its finer level
                                (multiscale.c): 1 one axis, -1 2 x 2, 0 its own choice */
  bool smooth;               /* both measures smooth at the pixel scale (p = 2 grids):
                                measured by the finest multiscale level and told
                                to the coarser ones with axes (multiscale.c);
                                false on levels that are neither */
  bool lean;                 /* lean pricing (simplex.c): each violated row's and
                                column's best arc only, stale arcs dropped */

  int *parent, *thread, *rev_thread, *succ_num, *last_succ;
  /* 16-bit copies of thread and rev_thread, kept while nodes <= 65536
   * (`compact`): the potential shift is a chase along the thread bound by
   * the latency of each step, and half the bytes keep more of the chain in
   * L1 (64-128 px: 3-14 % faster).  Written wherever the thread is. */
  uint16_t *th16, *rth16;
  bool compact;
  signed char *dir;
  int64_t *flow, *supply;
  long *pred_arc;
  double *pred_cost, *pi;

  /* scratch for one pivot: the two sides of its cycle (path, path2), then
   * the tree update's state, indexed along the reversed path */
  int *path, *path2, *old_last, *old_succ, *seg_a0, *seg_a1, *seg_b0;
  long *old_arc;
  double *old_cost;
  signed char *old_dir;
  int64_t *old_flow;
  double *rowbuf;            /* one row of costs (nt) */
  int *links;                /* thread links one tree update rewrote */

  /* Lazy potential shifts (lazy.c), on when `lazy`: the potential of v is
   * pi[v] + tag[blk[v]], blocks being runs of the preorder thread. */
  bool lazy;
  int bmax, nfree;
  long cap_lazy;             /* nodes the block arrays hold: allocated only
                                when a level turns lazy (56 bytes a node) */
  int *blk, *bhead, *btail, *bsize, *bfree, *bnext, *bprev;
                             /* bsize (from keys) and bnext/bprev (from the
                                thread) are derivable, but deriving them was
                                6-15 % slower at 512 x 512 */
  double *tag;
  long *key;                 /* consecutive along the thread within a block */

  /* Candidate arcs (shortlist): pivots price only these; full passes over
   * all ns*nt arcs add the violators and certify optimality. */
  long ncand, cap_cand, cand_next;
  int *cand_i, *cand_j;
  double *cand_c;
  long *top_j;               /* per-row selection buffer (k entries) */
  double *top_rc;
  struct ot_grid_pricer *grid; /* hierarchical pricing (grids only) */
  struct wasp_ot *coarse;      /* solver of the 2x2-coarsened problem */
  struct wasp_ot *diff;        /* p = 1: solver of the difference (difference.c) */
  bool reduced;                /* this solver is that one: never reduce again */

  /* results of the last solve */
  long nnz;
  long *plan_i, *plan_j;
  double *plan_m, *u, *v;
};

/* simplex.c: refresh th16/rth16 from the whole thread (after a rebuild) */
void ot_compact_sync(struct wasp_ot *ot);
/* simplex.c, shared with difference.c */
wasp_status ot_reserve(struct wasp_ot *ot, long nodes, long nt);
wasp_status ot_check_masses(long ns, const double *a, long nt, const double *b, double *sa,
                            double *sb);
void ot_plan_certificate(struct wasp_ot *ot, const double *a, const double *b, double ratio,
                         wasp_ot_result *res);
wasp_status ot_verdict(const struct wasp_ot *ot, long long artificial, wasp_ot_result *res);
/* difference.c: W1, flat and TV on grids through the difference of the
 * measures; sets *fallback (and returns no answer) when the full problem
 * must be solved instead. */
bool ot_difference_applies(const struct wasp_ot *ot, const wasp_cost *cost);
wasp_status ot_solve_difference(struct wasp_ot *ot, const wasp_cost *cost, long ns, const long *src,
                                const double *a, long nt, const long *dst, const double *b,
                                wasp_ot_result *res, int *fallback);
typedef struct ot_grid_pricer ot_grid_pricer;
/* price_grid.c: hierarchical pricing on grids (NULL pricer for clouds). */
wasp_status ot_grid_pricer_create(const wasp_cost *cost, long ns, const long *src, long nt,
                                  const long *dst, ot_grid_pricer **gp);
void ot_grid_pricer_destroy(ot_grid_pricer **gp);
/* Adds violated arcs to the candidates (up to k most violated per source
 * row; for p = 2 each violated row's and column's best arc), each with its
 * 3x3 target neighbourhood (not on lean levels nor between smooth
 * measures), and returns a proven lower bound of every arc's reduced cost. */
wasp_status ot_grid_price(struct wasp_ot *ot, ot_grid_pricer *g, double eps, long k,
                          double *lower_bound, long *added);
/* True when a pricing pass costs O(N) (p = 2: the c-transform). */
bool ot_grid_pricer_exact_is_cheap(const ot_grid_pricer *g);
/* Local window seed: every target within `radius` pixels of each source. */
wasp_status ot_grid_seed(struct wasp_ot *ot, ot_grid_pricer *g, int radius, long *added);
/* multiscale.c: seed candidates from the coarsened problem's plan (and,
 * unless both measures are smooth, the 3 x 3 window of ot_grid_seed). */
bool ot_multiscale_applies(const struct wasp_ot *ot);
wasp_status ot_multiscale_seed(struct wasp_ot *ot, const double *a, const double *b, long *added);
/* warm.c: replace the tree by one shaped on a forest of real arcs
 * (i, ns + j), flows from the supplies, strongly feasible. */
wasp_status ot_tree_from_forest(struct wasp_ot *ot, long ne, const int *ei, const int *ej);
/* order.c: perm[k] = the site index to solve as number k (Z-order). */
wasp_status ot_locality_order(long n, const long *sites, int nx, long *perm);
/* lazy.c: blocks of the thread with pending potential offsets. */
wasp_status ot_lazy_reserve(struct wasp_ot *ot);
void ot_lazy_build(struct wasp_ot *ot);
void ot_lazy_split_after(struct wasp_ot *ot, int x);
void ot_lazy_join_after(struct wasp_ot *ot, int x);
/* After relinking the thread after block tail x: record the block order. */
void ot_lazy_relink(struct wasp_ot *ot, int x);
/* Add shift to every potential of the thread segment first .. last, whose
 * ends are block boundaries. */
void ot_lazy_shift(struct wasp_ot *ot, int first, int last, double shift);
/* simplex.c: append arc (i, j) of cost c to the candidates (inline: the
 * seeds and pricing passes add hundreds of thousands). */
wasp_status ot_grow_candidates(struct wasp_ot *ot);
static inline wasp_status ot_add_candidate(struct wasp_ot *ot, long i, long j, double c)
{
  if (ot->ncand == ot->cap_cand) WASP_TRY(ot_grow_candidates(ot));
  ot->cand_i[ot->ncand] = (int)i;
  ot->cand_j[ot->ncand] = (int)j;
  ot->cand_c[ot->ncand] = c;
  ot->ncand++;
  return WASP_OK;
}

#endif

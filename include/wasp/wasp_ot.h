/* wasp_ot.h - exact discrete optimal transport with an optimality certificate.
 *
 *   minimise  sum_ij c(src_i, dst_j) pi_ij   over pi >= 0 with
 *             sum_j pi_ij = a_i,  sum_i pi_ij = b_j,  sum a = sum b.
 *
 * Network simplex on the bipartite graph with implicit costs (wasp_cost):
 * memory grows with the number of sites, not with their product.  Masses are
 * scaled to 64-bit integers so that pivots are exact and cannot drift; the
 * reported value, plan and certificate are in the caller's real units and
 * are re-evaluated on the real costs.  Pure C, no MPI, no files; a solver
 * object is used by one thread at a time.  Not collective. */
#ifndef WASP_OT_H
#define WASP_OT_H

#include "wasp_base.h"
#include "wasp_cost.h"

typedef struct wasp_ot wasp_ot;

/* Where a solve stands, for progress reports.  A grid solve runs its 2x2
 * coarsenings first (multiscale warm start); each level reports after every
 * pricing round, and once more when it is done. */
typedef struct {
  int depth;               /* 0: the caller's problem; k: its k-th coarsening  */
  long sites;              /* sources + targets of this level                  */
  long round, pivots;      /* pricing rounds and pivots so far on this level   */
  double min_reduced_cost; /* the last pricing's, relative to the cost scale   */
  double seconds;          /* since this level began, its coarsenings included */
  int done;                /* 1 on the level's last report                     */
} wasp_ot_progress;

/* Called on the solving thread; it must not call back into the solver. */
typedef void wasp_ot_progress_fn(void *ctx, const wasp_ot_progress *p);

typedef struct {
  double tol;         /* relative optimality tolerance (default 1e-9)        */
  long max_pivots;    /* 0 = no limit                                        */
  long block;         /* pricing block size in arcs; 0 = automatic           */
  long lean_nodes;    /* grid levels with p = 2 exact pricing and at least this
                         many nodes price "lean" (simplex.c); 0 = automatic,
                         -1 = never.  Changes the path, never the optimum.   */
  long lazy_nodes;    /* levels with at least this many nodes shift potentials
                         lazily, by blocks of the tree's thread (lazy.c);
                         0 = automatic, -1 = never.  Same pivots, same optimum. */
  long compact_nodes; /* levels with at most this many nodes (and at most
                         65536) shift potentials along 16-bit copies of the
                         thread (simplex.c); 0 = automatic (65536), -1 =
                         never.  Same pivots, same optimum.                 */
  int one_axis;       /* multiscale levels coarsen one axis at a time (half
                         the sites per level) instead of 2 x 2 blocks: 1 =
                         always, -1 = never (no coarse level where 2 x 2 is
                         impossible: an odd periodic axis), 0 = automatic
                         (p = 2, smooth measures, from 64 x 64 on the torus
                         and 128 x 128 on the grid, and wherever 2 x 2 is
                         impossible: multiscale.c).  Changes the path, never
                         the optimum.                                       */
  int window_seed;    /* multiscale levels seed the 3 x 3 window around every
                         source besides the coarse plan's pairs: 1 = always,
                         -1 = never, 0 = automatic (unless p = 2 and both
                         measures are smooth: multiscale.c).  Changes the
                         path, never the optimum.                           */
  int neighbourhood;  /* pricing adds the 3 x 3 target neighbourhood of each
                         violated arc it finds (grids): 1 = always, -1 =
                         never, 0 = automatic (unless p = 2 and both
                         measures are smooth: price_grid.c); never on lean
                         levels.  Changes the path, never the optimum.     */
  wasp_ot_progress_fn *progress; /* NULL (default): no reports                */
  void *progress_ctx;
} wasp_ot_options;

typedef struct {
  double value;            /* optimal cost sum c pi (real units)              */
  double mass;             /* transported mass sum a                          */
  double primal_residual;  /* max_i |sum_j pi_ij - a_i|, same for columns     */
  double min_reduced_cost; /* min over ALL arcs of c_ij - u_i - v_j (on grids
                              a proven lower bound of it, see price_grid.c) */
  double duality_gap;      /* value - (sum a u + sum b v)                     */
  double cost_scale;       /* an upper bound of c over ALL site pairs (the cost
                              model's bound, 1 if all costs are 0): the scale
                              that makes min_reduced_cost relative          */
  long iterations;         /* simplex pivots                                  */
  double seconds;          /* wall time of the solve incl. certificate        */
  int optimal;             /* 1 when min_reduced_cost >= -tol*cost_scale and
                              |gap| <= tol*max(|value|, 1e-3*mass*cost_scale) */
} wasp_ot_result;

void wasp_ot_options_default(wasp_ot_options *opt);

wasp_status wasp_ot_create(const wasp_ot_options *opt, wasp_ot **ot);
void wasp_ot_destroy(wasp_ot **ot);

/* Solve.  src[i] / dst[j] are site ids of the cost model with masses a[i] >
 * 0, b[j] > 0 (zero-mass sites must be left out by the caller).  The totals
 * must agree to 1e-9 relative; b is rescaled internally to sum(a) exactly.
 * Fails with WASP_ERR_NUMERIC (and fills res) when the certificate does not
 * prove optimality within tol. */
wasp_status wasp_ot_solve(wasp_ot *ot, const wasp_cost *cost, long ns, const long *src,
                          const double *a, long nt, const long *dst, const double *b,
                          wasp_ot_result *res);

/* The optimal plan of the last solve: nnz entries (source index into src,
 * target index into dst, mass).  Arrays owned by the solver, valid until the
 * next solve or destroy. */
wasp_status wasp_ot_plan(const wasp_ot *ot, long *nnz, const long **isrc,
                         const long **jdst, const double **mass);
/* Dual potentials u[ns], v[nt] of the last solve (owned by the solver). */
wasp_status wasp_ot_potentials(const wasp_ot *ot, const double **u, const double **v);

#endif

/* wasp_cost.h - the ground cost c(x, y) = d(x, y)^p, one interface for grid,
 * torus and point-cloud geometries.  Costs are computed on demand from the
 * site coordinates; nothing of size (#sources x #targets) is ever stored.
 * A cost model is immutable after creation (safe to share read-only).
 * Not collective.
 *
 * Sites: for a grid, a site is a pixel's linear index i*nx + j, and sources
 * and targets live on the same grid.  For a cloud, source site k is row k of
 * X and target site k is row k of Y. */
#ifndef WASP_COST_H
#define WASP_COST_H

#include <stdbool.h>
#include "wasp_base.h"

typedef struct wasp_cost wasp_cost;

/* Grid ny x nx, pixel (i, j) at (i*h, j*h); with torus the axes wrap with
 * periods ny*h and nx*h.  Requires h > 0 and p >= 1. */
wasp_status wasp_cost_create_grid(int ny, int nx, double h, bool torus, double p,
                                  wasp_cost **cost);
/* The same with its own spacing per axis: pixel (i, j) at (i*hy, j*hx)
 * (the multiscale solver's levels coarsened along one axis). */
wasp_status wasp_cost_create_grid_axes(int ny, int nx, double hy, double hx, bool torus, double p,
                                       wasp_cost **cost);
/* Euclidean points in R^dim: X is nx*dim, Y is ny*dim (copied). */
wasp_status wasp_cost_create_cloud(int dim, int nx, const double *X, int ny,
                                   const double *Y, double p, wasp_cost **cost);
void wasp_cost_destroy(wasp_cost **cost);

/* Replace c by min(c, cap): the flat / TV-unbalanced metrics cap moves at the
 * price of deleting and re-creating the mass.  cap <= 0 removes the cap. */
wasp_status wasp_cost_set_cap(wasp_cost *cost, double cap);

/* Dummy sites for unbalanced transport (flat metric, TV-unbalanced): with a
 * dummy price lambda > 0 set, the site id WASP_SITE_DUMMY may appear as a
 * source or target; c(dummy, real) = c(real, dummy) = lambda (deleting or
 * creating a unit of mass), c(dummy, dummy) = 0.  lambda <= 0 disables.
 * A dummy target must be the LAST entry of the solver's target list (the
 * row evaluation relies on it); a dummy source may be anywhere. */
#define WASP_SITE_DUMMY (-1L)
wasp_status wasp_cost_set_dummy(wasp_cost *cost, double lambda);

/* c(source site i, target site j). */
double wasp_cost_eval(const wasp_cost *cost, long i, long j);
/* out[k] = c(i, js[k]) for k < n: one source against many targets, the
 * access pattern of pricing, amortising the dispatch. */
void wasp_cost_row(const wasp_cost *cost, long i, long n, const long *js, double *out);
/* Ground distance d(i, j) (not raised to p, not capped). */
double wasp_cost_distance(const wasp_cost *cost, long i, long j);
/* An upper bound of c over all site pairs. */
double wasp_cost_bound(const wasp_cost *cost);
double wasp_cost_exponent(const wasp_cost *cost);

/* Grid description (size, spacing per axis, wrap), for solvers that exploit the grid (multiscale, W1 on the
 * grid graph).  Returns false for clouds. */
bool wasp_cost_grid(const wasp_cost *cost, int *ny, int *nx, double *hy, double *hx, bool *torus);
/* For a grid: the cost of an offset, table[|di| * nx + |dj|] (cap applied,
 * torus wrap folded in), and the price of dummy arcs (0 if none).  The cost
 * grows with the offset along each axis, which hierarchical pricing uses to
 * bound a whole block of targets by one table entry.  NULL for clouds. */
const double *wasp_cost_grid_table(const wasp_cost *cost);
double wasp_cost_dummy_price(const wasp_cost *cost);
/* The cap set by wasp_cost_set_cap (0 if none). */
double wasp_cost_cap(const wasp_cost *cost);

#endif

/* Ground costs c = d^p for grids (plain or periodic) and point clouds.
 *
 * On a grid the cost depends only on the offset (|di|, |dj|), so one table of
 * ny*nx values serves every pair: memory linear in the pixel count, and a
 * cost evaluation is two integer differences and a load. */
#include "wasp/wasp_cost.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct wasp_cost {
  bool grid;
  double p, cap;       /* cap <= 0: none                                    */
  double dummy;        /* price of WASP_SITE_DUMMY arcs; <= 0: no dummies    */
  /* grid */
  int ny, nx;
  double hy, hx;       /* pixel spacing along each axis */
  bool torus;
  double *table;       /* table[dy*nx + dx] = min(d(dy, dx)^p, cap)          */
  double *dtable;      /* ground distance d(dy, dx)                          */
  int *row_of, *col_of; /* site -> (row, column): no division when pricing  */
  /* cloud */
  int dim, npx, npy;
  double *X, *Y;
  double bound;
};

static double power(double d, double p)
{
  if (p == 1.0) return d;
  if (p == 2.0) return d * d;
  if (p == 3.0) return d * d * d;
  return pow(d, p);
}

static wasp_status check_p(double p)
{
  if (!(p >= 1.0) || !isfinite(p))
    return wasp_fail(WASP_ERR_ARG, "-p %g is invalid: the exponent must be a finite number >= 1", p);
  return WASP_OK;
}

static void fill_grid_tables(wasp_cost *c)
{
  double bound = 0.0;
  for (int dy = 0; dy < c->ny; dy++) {
    int ey = c->torus && c->ny - dy < dy ? c->ny - dy : dy;
    for (int dx = 0; dx < c->nx; dx++) {
      int ex = c->torus && c->nx - dx < dx ? c->nx - dx : dx;
      double d = sqrt(c->hy * c->hy * (double)ey * ey + c->hx * c->hx * (double)ex * ex);
      double v = power(d, c->p);
      if (c->cap > 0 && v > c->cap) v = c->cap;
      c->dtable[(long)dy * c->nx + dx] = d;
      c->table[(long)dy * c->nx + dx] = v;
      if (v > bound) bound = v;
    }
  }
  c->bound = bound;
}

wasp_status wasp_cost_create_grid(int ny, int nx, double h, bool torus, double p, wasp_cost **cost)
{
  return wasp_cost_create_grid_axes(ny, nx, h, h, torus, p, cost);
}

wasp_status wasp_cost_create_grid_axes(int ny, int nx, double hy, double hx, bool torus, double p,
                                       wasp_cost **cost)
{
  wasp_cost *c;
  *cost = NULL;
  WASP_TRY(check_p(p));
  if (ny <= 0 || nx <= 0) return wasp_fail(WASP_ERR_ARG, "grid %d x %d is empty", ny, nx);
  if (!(hy > 0) || !isfinite(hy)) return wasp_fail(WASP_ERR_ARG, "-spacing %g must be positive", hy);
  if (!(hx > 0) || !isfinite(hx)) return wasp_fail(WASP_ERR_ARG, "-spacing %g must be positive", hx);
  WASP_TRY(wasp_calloc(1, sizeof *c, &c));
  c->grid = true;
  c->p = p;
  c->ny = ny;
  c->nx = nx;
  c->hy = hy;
  c->hx = hx;
  c->torus = torus;
  if (wasp_malloc(sizeof(double) * (size_t)ny * (size_t)nx, &c->table) ||
      wasp_malloc(sizeof(double) * (size_t)ny * (size_t)nx, &c->dtable)) {
    wasp_cost_destroy(&c);
    return WASP_ERR_MEM;
  }
  if (wasp_malloc(sizeof(int) * (size_t)ny * (size_t)nx, &c->row_of) ||
      wasp_malloc(sizeof(int) * (size_t)ny * (size_t)nx, &c->col_of)) {
    wasp_cost_destroy(&c);
    return WASP_ERR_MEM;
  }
  for (long k = 0; k < (long)ny * nx; k++) {
    c->row_of[k] = (int)(k / nx);
    c->col_of[k] = (int)(k % nx);
  }
  fill_grid_tables(c);
  *cost = c;
  return WASP_OK;
}

static void cloud_bound(wasp_cost *c)
{
  /* The diameter of the joint bounding box bounds every distance. */
  double d2 = 0.0;
  for (int k = 0; k < c->dim; k++) {
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < c->npx; i++) {
      lo = fmin(lo, c->X[(long)i * c->dim + k]);
      hi = fmax(hi, c->X[(long)i * c->dim + k]);
    }
    for (int i = 0; i < c->npy; i++) {
      lo = fmin(lo, c->Y[(long)i * c->dim + k]);
      hi = fmax(hi, c->Y[(long)i * c->dim + k]);
    }
    d2 += (hi - lo) * (hi - lo);
  }
  c->bound = power(sqrt(d2), c->p);
  if (c->cap > 0 && c->bound > c->cap) c->bound = c->cap;
}

wasp_status wasp_cost_create_cloud(int dim, int npx, const double *X, int npy, const double *Y,
                                   double p, wasp_cost **cost)
{
  wasp_cost *c;
  *cost = NULL;
  WASP_TRY(check_p(p));
  if (dim <= 0 || npx <= 0 || npy <= 0)
    return wasp_fail(WASP_ERR_ARG, "point clouds of %d and %d points in dimension %d", npx, npy, dim);
  WASP_TRY(wasp_calloc(1, sizeof *c, &c));
  c->p = p;
  c->dim = dim;
  c->npx = npx;
  c->npy = npy;
  if (wasp_malloc(sizeof(double) * (size_t)npx * dim, &c->X) ||
      wasp_malloc(sizeof(double) * (size_t)npy * dim, &c->Y)) {
    wasp_cost_destroy(&c);
    return WASP_ERR_MEM;
  }
  memcpy(c->X, X, sizeof(double) * (size_t)npx * dim);
  memcpy(c->Y, Y, sizeof(double) * (size_t)npy * dim);
  cloud_bound(c);
  *cost = c;
  return WASP_OK;
}

void wasp_cost_destroy(wasp_cost **cost)
{
  if (!*cost) return;
  wasp_free(&(*cost)->table);
  wasp_free(&(*cost)->dtable);
  wasp_free(&(*cost)->row_of);
  wasp_free(&(*cost)->col_of);
  wasp_free(&(*cost)->X);
  wasp_free(&(*cost)->Y);
  wasp_free(cost);
}

wasp_status wasp_cost_set_cap(wasp_cost *c, double cap)
{
  if (!isfinite(cap)) return wasp_fail(WASP_ERR_ARG, "cost cap %g is not finite", cap);
  c->cap = cap > 0 ? cap : 0.0;
  if (c->grid) fill_grid_tables(c);
  else cloud_bound(c);
  if (c->dummy > c->bound) c->bound = c->dummy;
  return WASP_OK;
}

wasp_status wasp_cost_set_dummy(wasp_cost *c, double lambda)
{
  if (!isfinite(lambda)) return wasp_fail(WASP_ERR_ARG, "dummy price %g is not finite", lambda);
  c->dummy = lambda > 0 ? lambda : 0.0;
  if (c->dummy > c->bound) c->bound = c->dummy;
  return WASP_OK;
}

/* Dummy arcs are rare (one row and one column), so one test per call. */
static inline double dummy_cost(const wasp_cost *c, long i, long j)
{
  return i == WASP_SITE_DUMMY && j == WASP_SITE_DUMMY ? 0.0 : c->dummy;
}

static inline long grid_offset(const wasp_cost *c, long i, long j)
{
  const int dy = abs(c->row_of[i] - c->row_of[j]), dx = abs(c->col_of[i] - c->col_of[j]);
  return (long)dy * c->nx + dx;
}

static double cloud_dist(const wasp_cost *c, long i, long j)
{
  const double *x = c->X + i * c->dim, *y = c->Y + j * c->dim;
  double s = 0.0;
  for (int k = 0; k < c->dim; k++) s += (x[k] - y[k]) * (x[k] - y[k]);
  return sqrt(s);
}

/* One source's costs to a list of targets: the squared distances first, in
 * loops the compiler can keep in registers for the common dimensions - this
 * is the inner loop of the clouds' block search (simplex.c) - then the power
 * and the cap.  A single arc is a row of one, so rows and single arcs agree
 * to the bit. */
static void cloud_row(const wasp_cost *c, long i, long n, const long *js, double *out)
{
  const int dim = c->dim;
  const double *x = c->X + i * dim, *Y = c->Y;
  if (dim == 2) {
    const double x0 = x[0], x1 = x[1];
    for (long k = 0; k < n; k++) {
      const double *y = Y + 2 * js[k], d0 = x0 - y[0], d1 = x1 - y[1];
      out[k] = d0 * d0 + d1 * d1;
    }
  } else if (dim == 3) {
    const double x0 = x[0], x1 = x[1], x2 = x[2];
    for (long k = 0; k < n; k++) {
      const double *y = Y + 3 * js[k], d0 = x0 - y[0], d1 = x1 - y[1], d2 = x2 - y[2];
      out[k] = d0 * d0 + d1 * d1 + d2 * d2;
    }
  } else {
    for (long k = 0; k < n; k++) {
      const double *y = Y + js[k] * dim;
      double s2 = 0.0;
      for (int d = 0; d < dim; d++) s2 += (x[d] - y[d]) * (x[d] - y[d]);
      out[k] = s2;
    }
  }
  if (c->p != 2.0)
    for (long k = 0; k < n; k++) out[k] = power(sqrt(out[k]), c->p);
  if (c->cap > 0)
    for (long k = 0; k < n; k++) out[k] = out[k] > c->cap ? c->cap : out[k];
}

static double cloud_cost(const wasp_cost *c, long i, long j)
{
  double v;
  cloud_row(c, i, 1, &j, &v);
  return v;
}

double wasp_cost_eval(const wasp_cost *c, long i, long j)
{
  if (i < 0 || j < 0) return dummy_cost(c, i, j);
  return c->grid ? c->table[grid_offset(c, i, j)] : cloud_cost(c, i, j);
}

void wasp_cost_row(const wasp_cost *c, long i, long n, const long *js, double *out)
{
  if (i < 0) {
    for (long k = 0; k < n; k++) out[k] = dummy_cost(c, i, js[k]);
    return;
  }
  if (c->dummy > 0 && n > 0 && js[n - 1] < 0) { /* the dummy target is last */
    wasp_cost_row(c, i, n - 1, js, out);
    out[n - 1] = c->dummy;
    return;
  }
  if (c->grid) {
    const int nx = c->nx, yi = c->row_of[i], xi = c->col_of[i];
    const int *ry = c->row_of, *cx = c->col_of;
    const double *t = c->table;
    for (long k = 0; k < n; k++) {
      int dy = abs(yi - ry[js[k]]), dx = abs(xi - cx[js[k]]);
      out[k] = t[dy * nx + dx];
    }
  } else {
    cloud_row(c, i, n, js, out);
  }
}

double wasp_cost_distance(const wasp_cost *c, long i, long j)
{
  if (i < 0 || j < 0) return i == j ? 0.0 : INFINITY;
  return c->grid ? c->dtable[grid_offset(c, i, j)] : cloud_dist(c, i, j);
}

double wasp_cost_bound(const wasp_cost *c) { return c->bound; }

double wasp_cost_exponent(const wasp_cost *c) { return c->p; }

bool wasp_cost_grid(const wasp_cost *c, int *ny, int *nx, double *hy, double *hx, bool *torus)
{
  if (!c->grid) return false;
  if (ny) *ny = c->ny;
  if (nx) *nx = c->nx;
  if (hy) *hy = c->hy;
  if (hx) *hx = c->hx;
  if (torus) *torus = c->torus;
  return true;
}

const double *wasp_cost_grid_table(const wasp_cost *c) { return c->grid ? c->table : NULL; }

double wasp_cost_dummy_price(const wasp_cost *c) { return c->dummy; }

double wasp_cost_cap(const wasp_cost *c) { return c->cap; }

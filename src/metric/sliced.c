/* sliced: the sliced Wasserstein distance between the mass-normalised
 * measures,
 *   SW_p(mu, nu) = ( (1/K) sum_{k<K} W_p^p(theta_k# mu, theta_k# nu) )^(1/p),
 * the mean of the 1-D costs over K unit directions theta_k, then the p-th
 * root (the Monte-Carlo / quadrature form of the integral over the sphere).
 * Images count as point clouds at the pixel positions (i*h, j*h) of
 * wasp_measure.h; the torus has no projection, so -torus is refused.
 *
 * Directions: random ones are uniform on the sphere, a normalised Gaussian
 * vector drawn from the counter-based RNG keyed by (-seed, this module,
 * direction index), so the same -seed gives the same directions on any rank
 * or order of evaluation.  Equispaced ones (2-D only) are theta_k = (cos
 * pi k/K, sin pi k/K): half the circle suffices because W_p is unchanged
 * when a direction is reversed (params.equispaced, -equispaced).
 *
 * Each 1-D problem is exact: the monotone (quantile) coupling is optimal for
 * |x - y|^p, p >= 1, so W_p^p is the integral of |F^-1 - G^-1|^p, computed by
 * sorting both projections and merging the two piecewise-constant quantile
 * functions.  In dimension 1 every direction is +-1 and SW_p = W_p. */
#include "metric_impl.h"

#include "wasp/wasp_noise.h"

#include <math.h>
#include <stdlib.h>

#define SLICED_RNG_EXPERIMENT 0x534c4943u /* "SLIC": this module's RNG stream */
#define SLICED_MAX_DIRECTIONS 100000000

typedef struct {
  double x, w;
} atom;

typedef struct {
  int dim;
  long n;
  double *pts; /* n x dim positions of the positive-mass sites */
  double *w;   /* their masses divided by the total */
  atom *proj;  /* projections, sorted per direction */
} cloud;

static void cloud_free(cloud *c)
{
  wasp_free(&c->pts);
  wasp_free(&c->w);
  wasp_free(&c->proj);
}

/* Positions and normalised weights of the sites that carry mass. */
static wasp_status cloud_from(const wasp_measure *m, double h, cloud *c)
{
  long size = wasp_measure_size(m), k = 0;
  double total = wasp_measure_mass(m);
  if (!(total > 0))
    return wasp_fail(WASP_ERR_INPUT, "total mass %g; sliced W_p compares probability measures "
                                     "and needs positive total mass", total);
  c->dim = m->kind == WASP_MEASURE_GRID ? 2 : m->dim;
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)size * c->dim, &c->pts));
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)size, &c->w));
  WASP_TRY(wasp_malloc(sizeof(atom) * (size_t)size, &c->proj));
  for (long i = 0; i < size; i++) {
    if (!(m->w[i] > 0)) continue;
    if (m->kind == WASP_MEASURE_GRID) {
      c->pts[2 * k] = h * (double)(i / m->nx);
      c->pts[2 * k + 1] = h * (double)(i % m->nx);
    } else {
      for (int d = 0; d < c->dim; d++) c->pts[k * c->dim + d] = m->coords[i * c->dim + d];
    }
    c->w[k++] = m->w[i] / total;
  }
  c->n = k;
  return WASP_OK;
}

static int atom_cmp(const void *p, const void *q)
{
  double a = ((const atom *)p)->x, b = ((const atom *)q)->x;
  return (a > b) - (a < b);
}

static void project(cloud *c, const double *theta)
{
  for (long i = 0; i < c->n; i++) {
    double s = 0.0;
    for (int d = 0; d < c->dim; d++) s += c->pts[i * c->dim + d] * theta[d];
    c->proj[i] = (atom){s, c->w[i]};
  }
  qsort(c->proj, (size_t)c->n, sizeof(atom), atom_cmp);
}

static double power(double d, double p) { return p == 1.0 ? d : p == 2.0 ? d * d : pow(d, p); }

/* W_p^p of two sorted 1-D measures of unit mass: walk both quantile
 * functions, each step moving the mass until the next jump of either. */
static double w_pp_1d(const cloud *s, const cloud *t, double p)
{
  long i = 0, j = 0;
  double rs = s->proj[0].w, rt = t->proj[0].w;
  long double cost = 0;
  while (i < s->n && j < t->n) {
    double q = rs < rt ? rs : rt;
    cost += (long double)q * power(fabs(s->proj[i].x - t->proj[j].x), p);
    rs -= q;
    rt -= q;
    /* Advance the side that ran out; rounding leaves the other with ~1e-16,
     * which then moves at the next pair's cost - harmless. */
    if (rs <= rt) {
      if (++i < s->n) rs += s->proj[i].w;
    } else if (++j < t->n) {
      rt += t->proj[j].w;
    }
  }
  return (double)cost;
}

static void direction(const wasp_metric_params *par, int dim, int k, int count, bool equi,
                      double *theta)
{
  if (dim == 1) {
    theta[0] = 1.0;
    return;
  }
  if (equi) {
    theta[0] = cos(M_PI * k / count);
    theta[1] = sin(M_PI * k / count);
    return;
  }
  wasp_rng_key key = wasp_rng_key_make(par->seed, SLICED_RNG_EXPERIMENT, 0, (uint32_t)k, 0);
  /* A Gaussian vector has a uniform direction; a zero draw (probability 0)
   * is skipped by moving on to the next dim normals of the stream. */
  for (uint64_t first = 0;; first += (uint64_t)dim) {
    double n2 = 0.0;
    wasp_rng_normal_fill(&key, first, dim, theta);
    for (int d = 0; d < dim; d++) n2 += theta[d] * theta[d];
    if (n2 > 0) {
      for (int d = 0; d < dim; d++) theta[d] /= sqrt(n2);
      return;
    }
  }
}

static wasp_status check_params(const wasp_metric_params *par, int dim, int *count, bool *equi)
{
  if (par->directions <= 0 || par->directions > SLICED_MAX_DIRECTIONS)
    return wasp_fail(WASP_ERR_ARG, "-directions %d is invalid for -metric sliced: give 1 to %d "
                                   "directions", par->directions, SLICED_MAX_DIRECTIONS);
  if (par->torus)
    return wasp_fail(WASP_ERR_ARG, "-torus does not apply to -metric sliced: a periodic image has "
                                   "no projection onto a line");
  *equi = par->equispaced;
  *count = par->directions;
  if (*equi && dim > 2)
    return wasp_fail(WASP_ERR_ARG, "-equispaced directions exist in 2-D only; these measures live "
                                   "in dimension %d (use random directions)", dim);
  return WASP_OK;
}

wasp_status wasp_metric_sliced(wasp_metric_ctx *ctx, const wasp_measure *a, const wasp_measure *b,
                               wasp_metric_result *res)
{
  const wasp_metric_params *par = &ctx->par;
  const double h = par->spacing > 0 ? par->spacing
                                    : (a->kind == WASP_MEASURE_GRID
                                           ? 1.0 / (a->ny > a->nx ? a->ny : a->nx) : 1.0);
  cloud s = {0}, t = {0};
  double *theta = NULL;
  int count = 0;
  bool equi = false;
  wasp_status st = check_params(par, a->kind == WASP_MEASURE_GRID ? 2 : a->dim, &count, &equi);
  if (!st) st = cloud_from(a, h, &s);
  if (!st) st = cloud_from(b, h, &t);
  if (!st) st = wasp_malloc(sizeof(double) * (size_t)s.dim, &theta);
  long double sum = 0;
  for (int k = 0; !st && k < count; k++) {
    direction(par, s.dim, k, count, equi, theta);
    project(&s, theta);
    project(&t, theta);
    sum += w_pp_1d(&s, &t, par->p);
  }
  if (!st) {
    double mean = (double)(sum / count);
    res->value = par->p == 1.0 ? mean : pow(mean, 1.0 / par->p);
    res->mass = 1.0;
  }
  wasp_free(&theta);
  cloud_free(&s);
  cloud_free(&t);
  return st;
}

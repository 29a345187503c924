/* Discrete measures: allocation and the validation every metric shares. */
#include "wasp/wasp_measure.h"

#include <math.h>
#include <string.h>

wasp_status wasp_measure_create_grid(int ny, int nx, wasp_measure *m)
{
  memset(m, 0, sizeof *m);
  if (ny <= 0 || nx <= 0) return wasp_fail(WASP_ERR_INPUT, "image shape %d x %d is empty", ny, nx);
  m->kind = WASP_MEASURE_GRID;
  m->ny = ny;
  m->nx = nx;
  return wasp_calloc((size_t)ny * (size_t)nx, sizeof(double), &m->w);
}

wasp_status wasp_measure_create_cloud(int npts, int dim, wasp_measure *m)
{
  memset(m, 0, sizeof *m);
  if (npts <= 0 || dim <= 0)
    return wasp_fail(WASP_ERR_INPUT, "point cloud with %d points in dimension %d is empty", npts, dim);
  m->kind = WASP_MEASURE_CLOUD;
  m->npts = npts;
  m->dim = dim;
  WASP_TRY(wasp_calloc((size_t)npts * (size_t)dim, sizeof(double), &m->coords));
  return wasp_calloc((size_t)npts, sizeof(double), &m->w);
}

wasp_status wasp_measure_copy(const wasp_measure *src, wasp_measure *dst)
{
  if (src->kind == WASP_MEASURE_GRID) {
    WASP_TRY(wasp_measure_create_grid(src->ny, src->nx, dst));
  } else {
    WASP_TRY(wasp_measure_create_cloud(src->npts, src->dim, dst));
    memcpy(dst->coords, src->coords, sizeof(double) * (size_t)src->npts * (size_t)src->dim);
  }
  memcpy(dst->w, src->w, sizeof(double) * (size_t)wasp_measure_size(src));
  return WASP_OK;
}

void wasp_measure_destroy(wasp_measure *m)
{
  wasp_free(&m->w);
  wasp_free(&m->coords);
  memset(m, 0, sizeof *m);
}

double wasp_measure_mass(const wasp_measure *m)
{
  /* Kahan-Babuska: masses are compared to 1e-9 relative, so the sum itself
   * must not lose digits on 10^5 pixels. */
  double s = 0.0, c = 0.0;
  long n = wasp_measure_size(m);
  for (long k = 0; k < n; k++) {
    double x = m->w[k], t = s + x;
    c += fabs(s) >= fabs(x) ? (s - t) + x : (x - t) + s;
    s = t;
  }
  return s + c;
}

wasp_status wasp_measure_check_finite(const wasp_measure *m, const char *name)
{
  long n = wasp_measure_size(m);
  for (long k = 0; k < n; k++) {
    if (!isfinite(m->w[k])) {
      if (m->kind == WASP_MEASURE_GRID)
        return wasp_fail(WASP_ERR_INPUT, "%s: pixel (%ld, %ld) is %g; values must be finite",
                         name, k / m->nx, k % m->nx, m->w[k]);
      return wasp_fail(WASP_ERR_INPUT, "%s: weight of point %ld is %g; values must be finite",
                       name, k, m->w[k]);
    }
  }
  if (m->coords) {
    for (long k = 0; k < n * m->dim; k++)
      if (!isfinite(m->coords[k]))
        return wasp_fail(WASP_ERR_INPUT, "%s: coordinate %ld of point %ld is %g; must be finite",
                         name, k % m->dim, k / m->dim, m->coords[k]);
  }
  return WASP_OK;
}

wasp_status wasp_measure_check_compatible(const wasp_measure *a, const char *aname,
                                          const wasp_measure *b, const char *bname)
{
  if (a->kind != b->kind)
    return wasp_fail(WASP_ERR_INPUT, "%s is %s but %s is %s; both must be of one kind", aname,
                     a->kind == WASP_MEASURE_GRID ? "an image" : "a point cloud", bname,
                     b->kind == WASP_MEASURE_GRID ? "an image" : "a point cloud");
  if (a->kind == WASP_MEASURE_GRID && (a->ny != b->ny || a->nx != b->nx))
    return wasp_fail(WASP_ERR_INPUT, "images of different sizes: %s is %d x %d, %s is %d x %d",
                     aname, a->ny, a->nx, bname, b->ny, b->nx);
  if (a->kind == WASP_MEASURE_CLOUD && a->dim != b->dim)
    return wasp_fail(WASP_ERR_INPUT, "point clouds of different dimensions: %s has d = %d, %s has d = %d",
                     aname, a->dim, bname, b->dim);
  return WASP_OK;
}

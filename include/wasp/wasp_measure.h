/* wasp_measure.h - a discrete measure: an image on a grid or a weighted point
 * cloud in R^d.  Plain data; the owner allocates and frees.  Not collective.
 *
 * Geometry convention (docs/usage.md): pixel (i, j) = (row, column) of an
 * ny x nx image sits at (i*h, j*h) with h = spacing; the default spacing is
 * 1/max(ny, nx), so an n x n image fills the unit square with pixel (i, j) at
 * (i/n, j/n).  With torus set, the axes wrap with periods ny*h and nx*h.
 * Point clouds carry their own coordinates and never wrap. */
#ifndef WASP_MEASURE_H
#define WASP_MEASURE_H

#include <stdbool.h>
#include "wasp_base.h"

typedef enum { WASP_MEASURE_GRID = 0, WASP_MEASURE_CLOUD = 1 } wasp_measure_kind;

typedef struct {
  wasp_measure_kind kind;
  int ny, nx;       /* GRID: rows, columns; w has ny*nx values row-major     */
  int npts, dim;    /* CLOUD: number of points and their dimension          */
  double *coords;   /* CLOUD: npts*dim coordinates, point-major; NULL for GRID */
  double *w;        /* masses (pixel values or point weights), may be signed */
} wasp_measure;

/* Allocate a zeroed grid image / point cloud (coords and w zeroed). */
wasp_status wasp_measure_create_grid(int ny, int nx, wasp_measure *m);
wasp_status wasp_measure_create_cloud(int npts, int dim, wasp_measure *m);
wasp_status wasp_measure_copy(const wasp_measure *src, wasp_measure *dst);
void wasp_measure_destroy(wasp_measure *m);

/* Number of sites (pixels or points). */
static inline long wasp_measure_size(const wasp_measure *m)
{
  return m->kind == WASP_MEASURE_GRID ? (long)m->ny * m->nx : (long)m->npts;
}

/* Total (signed) mass, computed with compensated summation. */
double wasp_measure_mass(const wasp_measure *m);

/* Check every value is finite; name is used in the message ("a.h5:3"). */
wasp_status wasp_measure_check_finite(const wasp_measure *m, const char *name);
/* Check both measures live on the same support type and size. */
wasp_status wasp_measure_check_compatible(const wasp_measure *a, const char *aname,
                                          const wasp_measure *b, const char *bname);

#endif

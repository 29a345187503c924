/* MRC/MRCS files as image stacks (section k = image k, ny rows of nx
 * columns, x the fast axis) and as volumes. */
#include "io_impl.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static wasp_status open_mrc(const char *path, FILE **fp, io_mrc_header *h)
{
  *fp = fopen(path, "rb");
  if (!*fp) return wasp_fail(WASP_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  wasp_status s = wasp_io_mrc_header(*fp, path, h);
  if (s != WASP_OK) fclose(*fp);
  return s;
}

wasp_status wasp_io_mrc_count(const char *path, long *n)
{
  FILE *fp;
  io_mrc_header h;
  WASP_TRY(open_mrc(path, &fp, &h));
  fclose(fp);
  *n = h.nz;
  return WASP_OK;
}

wasp_status wasp_io_mrc_read(const char *path, long first, long count, wasp_measure *ms)
{
  FILE *fp;
  io_mrc_header h;
  float *buf = NULL;
  wasp_status s;
  for (long k = 0; k < count; k++) memset(&ms[k], 0, sizeof ms[k]);
  WASP_TRY(open_mrc(path, &fp, &h));
  const size_t plane = (size_t)h.nx * (size_t)h.ny;
  s = wasp_malloc(plane * sizeof(float), &buf);
  for (long k = 0; s == WASP_OK && k < count; k++) {
    s = wasp_measure_create_grid(h.ny, h.nx, &ms[k]);
    if (s == WASP_OK) s = wasp_io_mrc_values(fp, path, &h, (first + k) * (long)plane, plane, buf);
    for (size_t i = 0; s == WASP_OK && i < plane; i++) ms[k].w[i] = buf[i];
  }
  if (s != WASP_OK)
    for (long k = 0; k < count; k++) wasp_measure_destroy(&ms[k]);
  free(buf);
  fclose(fp);
  return s;
}

wasp_status wasp_io_read_volume(const char *path, int *nz, int *ny, int *nx, float **data,
                                double *voxel)
{
  FILE *fp;
  io_mrc_header h;
  wasp_status s;
  *data = NULL;
  if (!path || !*path) return wasp_fail(WASP_ERR_ARG, "empty file name");
  if (wasp_io_format_of(path) != IO_FMT_MRC)
    return wasp_fail(WASP_ERR_ARG, "%s: volumes are read from MRC files (.mrc, .map, .mrcs)",
                     path);
  WASP_TRY(open_mrc(path, &fp, &h));
  size_t n = (size_t)h.nx * (size_t)h.ny * (size_t)h.nz;
  s = wasp_malloc(n * sizeof(float), data);
  if (s == WASP_OK) s = wasp_io_mrc_values(fp, path, &h, 0, n, *data);
  fclose(fp);
  if (s != WASP_OK) {
    wasp_free(data);
    return s;
  }
  *nz = h.nz;
  *ny = h.ny;
  *nx = h.nx;
  /* The cell spans mx voxels along x; a header without a cell (0) or with
   * a nonsense one means "unknown". */
  int mx = h.mx > 0 ? h.mx : h.nx;
  *voxel = isfinite(h.cella_x) && h.cella_x > 0 ? (double)h.cella_x / mx : 0.0;
  return WASP_OK;
}

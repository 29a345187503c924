/* Measures in HDF5 files: an image stack /images [N,ny,nx] or one image
 * [ny,nx]; one point cloud /points [M,d] (+ /weights [M]); or clouds
 * /measures/<k>/points (+ weights), k = 0..N-1.  Checked in that order. */
#include "io_impl.h"

#include <limits.h>
#include <string.h>

typedef enum { H5M_NONE, H5M_IMAGES, H5M_POINTS, H5M_GROUPS } h5_layout;

static wasp_status layout_of(hid_t file, const char *path, h5_layout *lay)
{
  if (wasp_io_h5_exists(file, "/images")) *lay = H5M_IMAGES;
  else if (wasp_io_h5_exists(file, "/points")) *lay = H5M_POINTS;
  else if (wasp_io_h5_exists(file, "/measures")) *lay = H5M_GROUPS;
  else
    return wasp_fail(WASP_ERR_INPUT,
                     "%s has no dataset /images (nor /points), nor a group /measures", path);
  return WASP_OK;
}

static wasp_status open_numeric(hid_t file, const char *path, const char *name, hid_t *dset,
                                int *rank, hsize_t dims[8])
{
  *dset = H5Dopen2(file, name, H5P_DEFAULT);
  if (*dset < 0)
    return wasp_fail(WASP_ERR_INPUT, "%s:%s is not a readable dataset (%s)", path, name,
                     wasp_io_h5_detail());
  wasp_status s = wasp_io_h5_numeric_shape(*dset, path, name, rank, dims);
  if (s != WASP_OK) H5Dclose(*dset);
  return s;
}

/* Shape of /images as (count, ny, nx). */
static wasp_status image_shape(const char *path, int rank, const hsize_t *dims,
                               long *n, int *ny, int *nx)
{
  char shape[128];
  wasp_io_h5_shape_str(rank, dims, shape, sizeof shape);
  if (rank != 2 && rank != 3)
    return wasp_fail(WASP_ERR_INPUT, "%s:/images has shape %s but must be [N, ny, nx] or [ny, nx]",
                     path, shape);
  hsize_t y = dims[rank - 2], x = dims[rank - 1];
  if (y == 0 || x == 0 || y > INT_MAX || x > INT_MAX || y * x > (hsize_t)LONG_MAX / 8)
    return wasp_fail(WASP_ERR_INPUT, "%s:/images has shape %s: images must be non-empty "
                     "and at most %d x %d", path, shape, INT_MAX, INT_MAX);
  *n = rank == 3 ? (long)dims[0] : 1;
  *ny = (int)y;
  *nx = (int)x;
  return WASP_OK;
}

static long count_groups(hid_t file)
{
  H5G_info_t info;
  if (H5Gget_info_by_name(file, "/measures", &info, H5P_DEFAULT) < 0) return -1;
  return (long)info.nlinks;
}

wasp_status wasp_io_h5_count(const char *path, long *n, const char **noun)
{
  hid_t file, dset;
  h5_layout lay = H5M_NONE;
  int rank, ny, nx;
  hsize_t dims[8];
  wasp_status s;
  WASP_TRY(wasp_io_h5_open(path, &file));
  s = layout_of(file, path, &lay);
  *noun = lay == H5M_IMAGES ? "image" : "point cloud";
  if (s == WASP_OK && lay == H5M_IMAGES) {
    s = open_numeric(file, path, "/images", &dset, &rank, dims);
    if (s == WASP_OK) {
      s = image_shape(path, rank, dims, n, &ny, &nx);
      H5Dclose(dset);
    }
  } else if (s == WASP_OK && lay == H5M_POINTS) {
    *n = 1;
  } else if (s == WASP_OK) {
    *n = count_groups(file);
    if (*n < 0)
      s = wasp_fail(WASP_ERR_INPUT, "%s:/measures is not a group (%s)", path, wasp_io_h5_detail());
  }
  H5Fclose(file);
  return s;
}

/* Image k of /images into m. */
static wasp_status read_image(hid_t dset, const char *path, int rank, long k, int ny, int nx,
                              wasp_measure *m)
{
  hsize_t start[3] = {(hsize_t)k, 0, 0}, cnt[3] = {1, (hsize_t)ny, (hsize_t)nx};
  hsize_t plane = (hsize_t)ny * (hsize_t)nx;
  hid_t fspace = H5Dget_space(dset), mspace = H5Screate_simple(1, &plane, NULL);
  herr_t e = -1;
  WASP_TRY(wasp_measure_create_grid(ny, nx, m));
  if (fspace >= 0 && mspace >= 0 && rank == 3)
    e = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, cnt, NULL);
  else if (fspace >= 0 && mspace >= 0)
    e = H5Sselect_all(fspace);
  /* HDF5 converts any integer or float type to double on the way. */
  if (e >= 0) e = H5Dread(dset, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, m->w);
  if (fspace >= 0) H5Sclose(fspace);
  if (mspace >= 0) H5Sclose(mspace);
  if (e < 0) {
    wasp_measure_destroy(m);
    return wasp_fail(WASP_ERR_IO, "cannot read image %ld of %s:/images: %s (truncated or "
                     "corrupt file?)", k, path, wasp_io_h5_detail());
  }
  return WASP_OK;
}

static wasp_status read_images(hid_t file, const char *path, long first, long count,
                               wasp_measure *ms)
{
  hid_t dset;
  int rank, ny, nx;
  long n;
  hsize_t dims[8];
  wasp_status s;
  WASP_TRY(open_numeric(file, path, "/images", &dset, &rank, dims));
  s = image_shape(path, rank, dims, &n, &ny, &nx);
  for (long k = 0; s == WASP_OK && k < count; k++) {
    s = read_image(dset, path, rank, first + k, ny, nx, &ms[k]);
    if (s != WASP_OK)
      for (long j = 0; j < k; j++) wasp_measure_destroy(&ms[j]);
  }
  H5Dclose(dset);
  return s;
}

/* Whole numeric dataset `name` into `out` (sized by the caller). */
static wasp_status read_all(hid_t dset, const char *path, const char *name, double *out)
{
  if (H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    return wasp_fail(WASP_ERR_IO, "cannot read %s:%s: %s (truncated or corrupt file?)", path, name,
                     wasp_io_h5_detail());
  return WASP_OK;
}

/* A point cloud from <prefix>/points and optional <prefix>/weights; points
 * without weights weigh 1 each. */
static wasp_status read_cloud(hid_t file, const char *path, const char *prefix, wasp_measure *m)
{
  char pname[256], wname[256], shape[128];
  hid_t dset;
  int rank;
  hsize_t dims[8];
  wasp_status s;
  snprintf(pname, sizeof pname, "%s/points", prefix);
  snprintf(wname, sizeof wname, "%s/weights", prefix);
  if (!wasp_io_h5_exists(file, pname))
    return wasp_fail(WASP_ERR_INPUT, "%s has no dataset %s", path, pname);
  WASP_TRY(open_numeric(file, path, pname, &dset, &rank, dims));
  wasp_io_h5_shape_str(rank, dims, shape, sizeof shape);
  /* A 1-D /points [M] is a cloud on the line (d = 1). */
  hsize_t npts = rank >= 1 ? dims[0] : 0, dim = rank == 2 ? dims[1] : 1;
  if (rank != 1 && rank != 2)
    s = wasp_fail(WASP_ERR_INPUT, "%s:%s has shape %s but must be [M, d]", path, pname, shape);
  else if (npts == 0 || dim == 0 || npts > INT_MAX || dim > INT_MAX || npts * dim > LONG_MAX / 8)
    s = wasp_fail(WASP_ERR_INPUT, "%s:%s has shape %s: a cloud must have at least one point "
                  "and fit in memory", path, pname, shape);
  else
    s = wasp_measure_create_cloud((int)npts, (int)dim, m);
  if (s == WASP_OK) s = read_all(dset, path, pname, m->coords);
  H5Dclose(dset);
  if (s == WASP_OK && !wasp_io_h5_exists(file, wname)) {
    for (long k = 0; k < m->npts; k++) m->w[k] = 1.0;
    return WASP_OK;
  }
  if (s == WASP_OK) s = open_numeric(file, path, wname, &dset, &rank, dims);
  if (s == WASP_OK) {
    wasp_io_h5_shape_str(rank, dims, shape, sizeof shape);
    if (rank != 1 || dims[0] != npts)
      s = wasp_fail(WASP_ERR_INPUT, "%s:%s has shape %s but must be [%llu] to match %s", path,
                    wname, shape, (unsigned long long)npts, pname);
    else
      s = read_all(dset, path, wname, m->w);
    H5Dclose(dset);
  }
  if (s != WASP_OK) wasp_measure_destroy(m);
  return s;
}

wasp_status wasp_io_h5_read(const char *path, long first, long count, wasp_measure *ms)
{
  hid_t file;
  h5_layout lay = H5M_NONE;
  wasp_status s;
  for (long k = 0; k < count; k++) memset(&ms[k], 0, sizeof ms[k]);
  WASP_TRY(wasp_io_h5_open(path, &file));
  s = layout_of(file, path, &lay);
  if (s == WASP_OK && lay == H5M_IMAGES) s = read_images(file, path, first, count, ms);
  else if (s == WASP_OK && lay == H5M_POINTS) s = read_cloud(file, path, "", ms);
  for (long k = 0; s == WASP_OK && lay == H5M_GROUPS && k < count; k++) {
    char prefix[64];
    snprintf(prefix, sizeof prefix, "/measures/%ld", first + k);
    s = read_cloud(file, path, prefix, &ms[k]);
    if (s != WASP_OK)
      for (long j = 0; j < k; j++) wasp_measure_destroy(&ms[j]);
  }
  H5Fclose(file);
  return s;
}

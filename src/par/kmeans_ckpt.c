/* The k-means checkpoint: one small HDF5 file rewritten after every
 * iteration (temporary name, then rename, so a kill never leaves half of
 * one), tagged with the fingerprint of options and data. */
#include "kmeans_impl.h"

#include "wasp/wasp_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void ckpt_path(const char *dir, char *buf, size_t len) { snprintf(buf, len, "%s/kmeans.h5", dir); }

wasp_status wasp_kmeans_ckpt_write(const char *dir, uint64_t fingerprint, const wasp_kmeans_ckpt *c)
{
  char path[4096], fp[32];
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    return wasp_fail(WASP_ERR_IO, "-checkpoint %s: cannot create the folder: %s", dir, strerror(errno));
  ckpt_path(dir, path, sizeof path);
  snprintf(fp, sizeof fp, "%016llx", (unsigned long long)fingerprint);
  wasp_h5 *f = NULL;
  long dc[1] = {c->k * c->npix}, dl[1] = {c->iteration > 0 ? c->iteration : 1}, dn[1] = {c->n};
  double zero = 0;
  WASP_TRY(wasp_h5_create(path, &f));
  wasp_status s = wasp_h5_write_double(f, "/centroids", 1, dc, c->centroids);
  if (!s) s = wasp_h5_write_double(f, "/loss", 1, dl, c->iteration > 0 ? c->loss : &zero);
  if (!s) s = wasp_h5_write_double(f, "/seconds", 1, dl, c->iteration > 0 ? c->seconds : &zero);
  if (!s && c->iteration > 0) s = wasp_h5_write_long(f, "/assignment", 1, dn, c->assignment);
  if (!s && c->iteration > 0) s = wasp_h5_write_long(f, "/rotation", 1, dn, c->rotation);
  if (!s && c->iteration > 0) s = wasp_h5_write_double(f, "/distance", 1, dn, c->distance);
  if (!s) s = wasp_h5_attr_string(f, "/", "fingerprint", fp);
  if (!s) s = wasp_h5_attr_long(f, "/", "iteration", c->iteration);
  if (!s) s = wasp_h5_attr_long(f, "/", "converged", c->converged);
  if (!s) s = wasp_h5_attr_long(f, "/", "rng_draws", c->rng_draws);
  if (s) {
    wasp_h5_abort(&f);
    return wasp_fail_context(s, "writing checkpoint %s", path);
  }
  return wasp_h5_commit(&f);
}

/* Read dataset name with exactly `want` values. */
static wasp_status read_exact(const char *path, const char *name, long want, double **data)
{
  int rank;
  long dims[8];
  WASP_TRY(wasp_h5_read_double(path, name, &rank, dims, data));
  if (rank != 1 || dims[0] != want) {
    wasp_free(data);
    return wasp_fail(WASP_ERR_INPUT, "checkpoint %s: %s has the wrong size (want %ld values)", path, name, want);
  }
  return WASP_OK;
}

static wasp_status read_longs(const char *path, const char *name, long n, long **out)
{
  double *d = NULL;
  WASP_TRY(read_exact(path, name, n, &d));
  wasp_status s = wasp_malloc(sizeof(long) * (size_t)n, out);
  for (long i = 0; !s && i < n; i++) (*out)[i] = (long)d[i];
  wasp_free(&d);
  return s;
}

wasp_status wasp_kmeans_ckpt_read(const char *dir, uint64_t fingerprint, wasp_kmeans_ckpt *c, int *found)
{
  char path[4096], fp[64], want[32];
  double v;
  ckpt_path(dir, path, sizeof path);
  *found = 0;
  if (access(path, F_OK) != 0) return WASP_OK;
  snprintf(want, sizeof want, "%016llx", (unsigned long long)fingerprint);
  WASP_TRY(wasp_h5_read_attr_string(path, "/", "fingerprint", fp, sizeof fp));
  if (strcmp(fp, want) != 0)
    return wasp_fail(WASP_ERR_INPUT, "checkpoint %s belongs to a run with other options or data (fingerprint %s, "
                     "this run %s): remove it or choose another -checkpoint", path, fp, want);
  WASP_TRY(wasp_h5_read_attr_double(path, "/", "iteration", &v));
  c->iteration = (int)v;
  WASP_TRY(wasp_h5_read_attr_double(path, "/", "converged", &v));
  c->converged = (int)v;
  WASP_TRY(wasp_h5_read_attr_double(path, "/", "rng_draws", &v));
  c->rng_draws = (long)v;
  const long nl = c->iteration > 0 ? c->iteration : 1;
  WASP_TRY(read_exact(path, "/centroids", c->k * c->npix, &c->centroids));
  WASP_TRY(read_exact(path, "/loss", nl, &c->loss));
  WASP_TRY(read_exact(path, "/seconds", nl, &c->seconds));
  if (c->iteration > 0) {
    WASP_TRY(read_longs(path, "/assignment", c->n, &c->assignment));
    WASP_TRY(read_longs(path, "/rotation", c->n, &c->rotation));
    WASP_TRY(read_exact(path, "/distance", c->n, &c->distance));
  }
  *found = 1;
  return WASP_OK;
}

wasp_status wasp_kmeans_ckpt_remove(const char *dir)
{
  char path[4096];
  ckpt_path(dir, path, sizeof path);
  if (unlink(path) != 0 && errno != ENOENT)
    return wasp_fail(WASP_ERR_IO, "cannot remove checkpoint %s: %s", path, strerror(errno));
  rmdir(dir); /* only when empty: the user may keep other files there */
  return WASP_OK;
}

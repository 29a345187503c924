/* Reading whole datasets and attributes back (tests, checkpoints, merge). */
#include "io_impl.h"

#include <stdlib.h>
#include <string.h>

wasp_status wasp_h5_read_double(const char *path, const char *name, int *rank, long dims[8],
                                double **data)
{
  hid_t file, dset;
  hsize_t hd[8];
  size_t total = 1;
  wasp_status s;
  *data = NULL;
  WASP_TRY(wasp_io_h5_open(path, &file));
  if (!wasp_io_h5_exists(file, name)) {
    H5Fclose(file);
    return wasp_fail(WASP_ERR_INPUT, "%s has no dataset %s", path, name);
  }
  dset = H5Dopen2(file, name, H5P_DEFAULT);
  if (dset < 0) {
    s = wasp_fail(WASP_ERR_INPUT, "%s:%s is not a dataset (%s)", path, name, wasp_io_h5_detail());
    H5Fclose(file);
    return s;
  }
  s = wasp_io_h5_numeric_shape(dset, path, name, rank, hd);
  for (int k = 0; s == WASP_OK && k < *rank; k++) {
    dims[k] = (long)hd[k];
    total *= (size_t)hd[k];
  }
  if (s == WASP_OK) s = wasp_malloc(total * sizeof(double), data);
  if (s == WASP_OK && total > 0 &&
      H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) < 0) {
    s = wasp_fail(WASP_ERR_IO, "cannot read %s:%s: %s (truncated or corrupt file?)", path, name,
                  wasp_io_h5_detail());
    wasp_free(data);
  }
  H5Dclose(dset);
  H5Fclose(file);
  return s;
}

/* Open attribute `key` on object `obj`, with messages naming both. */
static wasp_status open_attr(const char *path, const char *obj, const char *key, hid_t *file,
                             hid_t *attr)
{
  WASP_TRY(wasp_io_h5_open(path, file));
  if (strcmp(obj, "/") != 0 && !wasp_io_h5_exists(*file, obj)) {
    H5Fclose(*file);
    return wasp_fail(WASP_ERR_INPUT, "%s has no object %s", path, obj);
  }
  if (H5Aexists_by_name(*file, obj, key, H5P_DEFAULT) <= 0) {
    H5Fclose(*file);
    return wasp_fail(WASP_ERR_INPUT, "%s:%s has no attribute '%s'", path, obj, key);
  }
  *attr = H5Aopen_by_name(*file, obj, key, H5P_DEFAULT, H5P_DEFAULT);
  if (*attr < 0) {
    H5Fclose(*file);
    return wasp_fail(WASP_ERR_IO, "cannot open attribute '%s' of %s:%s: %s", key, path, obj,
                     wasp_io_h5_detail());
  }
  return WASP_OK;
}

wasp_status wasp_h5_read_attr_double(const char *path, const char *obj, const char *key,
                                     double *v)
{
  hid_t file, attr, type, space;
  wasp_status s = WASP_OK;
  WASP_TRY(open_attr(path, obj, key, &file, &attr));
  type = H5Aget_type(attr);
  space = H5Aget_space(attr);
  H5T_class_t c = H5Tget_class(type);
  if (c != H5T_INTEGER && c != H5T_FLOAT)
    s = wasp_fail(WASP_ERR_INPUT, "attribute '%s' of %s:%s is a %s, not a number", key, path, obj,
                  wasp_io_h5_class_name(c));
  else if (H5Sget_simple_extent_npoints(space) != 1)
    s = wasp_fail(WASP_ERR_INPUT, "attribute '%s' of %s:%s holds %lld values, not one", key, path,
                  obj, (long long)H5Sget_simple_extent_npoints(space));
  else if (H5Aread(attr, H5T_NATIVE_DOUBLE, v) < 0)
    s = wasp_fail(WASP_ERR_IO, "cannot read attribute '%s' of %s:%s: %s", key, path, obj,
                  wasp_io_h5_detail());
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(attr);
  H5Fclose(file);
  return s;
}

/* Copy src (n bytes, maybe not NUL-terminated) into buf, failing rather than
 * truncating silently. */
static wasp_status copy_string(const char *src, size_t n, char *buf, size_t len, const char *path,
                               const char *obj, const char *key)
{
  if (n >= len)
    return wasp_fail(WASP_ERR_ARG,
                     "attribute '%s' of %s:%s has %zu characters; the buffer holds %zu", key, path,
                     obj, n, len ? len - 1 : 0);
  memcpy(buf, src, n);
  buf[n] = '\0';
  return WASP_OK;
}

static wasp_status read_string(hid_t attr, hid_t type, const char *path, const char *obj,
                               const char *key, char *buf, size_t len)
{
  hid_t mem = H5Tcopy(H5T_C_S1);
  wasp_status s = WASP_OK;
  if (H5Tis_variable_str(type) > 0) {
    char *str = NULL;
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    if (H5Aread(attr, mem, &str) < 0)
      s = wasp_fail(WASP_ERR_IO, "cannot read attribute '%s' of %s:%s: %s", key, path, obj,
                    wasp_io_h5_detail());
    else
      s = copy_string(str ? str : "", str ? strlen(str) : 0, buf, len, path, obj, key);
    if (str) H5free_memory(str);
  } else {
    /* Fixed length: padded with NULs or spaces, not necessarily terminated. */
    size_t n = H5Tget_size(type);
    char *tmp = NULL;
    H5Tset_size(mem, n);
    H5Tset_cset(mem, H5Tget_cset(type));
    H5Tset_strpad(mem, H5T_STR_NULLPAD);
    s = wasp_malloc(n + 1, &tmp);
    if (s == WASP_OK && H5Aread(attr, mem, tmp) < 0)
      s = wasp_fail(WASP_ERR_IO, "cannot read attribute '%s' of %s:%s: %s", key, path, obj,
                    wasp_io_h5_detail());
    if (s == WASP_OK) {
      tmp[n] = '\0';
      size_t k = strlen(tmp);
      if (H5Tget_strpad(type) == H5T_STR_SPACEPAD)
        while (k > 0 && tmp[k - 1] == ' ') k--;
      s = copy_string(tmp, k, buf, len, path, obj, key);
    }
    free(tmp);
  }
  H5Tclose(mem);
  return s;
}

wasp_status wasp_h5_read_attr_string(const char *path, const char *obj, const char *key,
                                     char *buf, size_t len)
{
  hid_t file, attr, type;
  wasp_status s;
  WASP_TRY(open_attr(path, obj, key, &file, &attr));
  type = H5Aget_type(attr);
  if (H5Tget_class(type) != H5T_STRING)
    s = wasp_fail(WASP_ERR_INPUT, "attribute '%s' of %s:%s is a %s, not a string", key, path, obj,
                  wasp_io_h5_class_name(H5Tget_class(type)));
  else
    s = read_string(attr, type, path, obj, key, buf, len);
  H5Tclose(type);
  H5Aclose(attr);
  H5Fclose(file);
  return s;
}

/* HDF5 plumbing shared by readers and writers: silence the library's own
 * error printing and turn its error stack into one line for our messages. */
#include "io_impl.h"

#include <errno.h>
#include <string.h>

void wasp_io_h5_quiet(void)
{
  /* HDF5 prints a stack trace to stderr on every failure, including the
   * expected ones (probing a missing link); we report our own message. */
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static _Thread_local char detail[512];

static herr_t innermost(unsigned n, const H5E_error2_t *err, void *data)
{
  (void)data;
  const char *d = err->desc ? err->desc : "";
  /* System failures read "... errno = 28, error message = 'No space left
   * on device', ..."; the quoted part is what a user needs. */
  const char *q = strstr(d, "error message = '");
  if (q) {
    q += strlen("error message = '");
    const char *e = strchr(q, '\'');
    snprintf(detail, sizeof detail, "%.*s", e ? (int)(e - q) : (int)strlen(q), q);
  } else {
    snprintf(detail, sizeof detail, "%s", d);
  }
  return n == 0 ? 1 : 0; /* stop after the first (innermost) entry */
}

const char *wasp_io_h5_detail(void)
{
  detail[0] = '\0';
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, NULL);
  return detail;
}

wasp_status wasp_io_h5_open(const char *path, hid_t *file)
{
  FILE *probe;
  wasp_io_h5_quiet();
  /* HDF5 does not say why an open failed; probing with fopen gives the
   * operating system's reason (missing file, permission). */
  probe = fopen(path, "rb");
  if (!probe) return wasp_fail(WASP_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  fclose(probe);
  *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (*file < 0) {
    const char *why = wasp_io_h5_detail();
    if (strstr(why, "truncated"))
      return wasp_fail(WASP_ERR_IO, "cannot open '%s': the file is truncated (%s)", path, why);
    if (strstr(why, "signature not found"))
      return wasp_fail(WASP_ERR_IO, "cannot open '%s': not an HDF5 file (%s)", path, why);
    return wasp_fail(WASP_ERR_IO, "cannot open '%s': not an HDF5 file, or corrupt (%s)", path,
                     why);
  }
  return WASP_OK;
}

int wasp_io_h5_exists(hid_t file, const char *name)
{
  /* H5Lexists fails (rather than saying no) when a parent group is missing,
   * so check each prefix of the path in turn. */
  char buf[1024];
  size_t len = strlen(name);
  if (len >= sizeof buf) return 0;
  memcpy(buf, name, len + 1);
  for (size_t k = 1; k <= len; k++) {
    if (buf[k] == '/' || buf[k] == '\0') {
      char c = buf[k];
      buf[k] = '\0';
      if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) return 0;
      buf[k] = c;
    }
  }
  return 1;
}

void wasp_io_h5_shape_str(int rank, const hsize_t *dims, char *buf, size_t len)
{
  size_t used = (size_t)snprintf(buf, len, "[");
  for (int k = 0; k < rank && used < len; k++)
    used += (size_t)snprintf(buf + used, len - used, "%s%llu", k ? ", " : "",
                             (unsigned long long)dims[k]);
  if (used < len) snprintf(buf + used, len - used, "]");
}

const char *wasp_io_h5_class_name(H5T_class_t c)
{
  switch (c) {
  case H5T_INTEGER: return "integer";
  case H5T_FLOAT: return "float";
  case H5T_STRING: return "string";
  case H5T_BITFIELD: return "bitfield";
  case H5T_OPAQUE: return "opaque";
  case H5T_COMPOUND: return "compound";
  case H5T_REFERENCE: return "reference";
  case H5T_ENUM: return "enum";
  case H5T_VLEN: return "variable-length";
  case H5T_ARRAY: return "array";
  default: return "unknown";
  }
}

wasp_status wasp_io_h5_numeric_shape(hid_t dset, const char *path, const char *name, int *rank,
                                     hsize_t dims[8])
{
  hid_t type = H5Dget_type(dset), space = H5Dget_space(dset);
  H5T_class_t c = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
  int r = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  wasp_status s = WASP_OK;
  if (c != H5T_INTEGER && c != H5T_FLOAT)
    s = wasp_fail(WASP_ERR_INPUT, "%s:%s has %s values; it must hold numbers (float or integer)",
                  path, name, wasp_io_h5_class_name(c));
  else if (r < 0)
    s = wasp_fail(WASP_ERR_IO, "%s:%s: cannot read the shape (%s)", path, name,
                  wasp_io_h5_detail());
  else if (r > 8)
    s = wasp_fail(WASP_ERR_INPUT, "%s:%s has rank %d; at most 8 is supported", path, name, r);
  else {
    *rank = r;
    H5Sget_simple_extent_dims(space, dims, NULL);
  }
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  return s;
}

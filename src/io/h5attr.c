/* Attributes on objects of a file being written.  Writing a key twice
 * replaces the value (drivers update run metadata as they go). */
#include "io_impl.h"

#include <string.h>

static wasp_status write_attr(wasp_h5 *f, const char *obj, const char *key, hid_t ftype,
                              hid_t mtype, const void *buf)
{
  hid_t space, attr;
  wasp_status s = WASP_OK;
  if (!f) return wasp_fail(WASP_ERR_ARG, "writing attribute '%s': no file", key);
  if (strcmp(obj, "/") != 0 && !wasp_io_h5_exists(f->file, obj))
    return wasp_fail(WASP_ERR_ARG, "%s has no object %s to hold attribute '%s'", f->path, obj, key);
  if (H5Aexists_by_name(f->file, obj, key, H5P_DEFAULT) > 0 &&
      H5Adelete_by_name(f->file, obj, key, H5P_DEFAULT) < 0)
    return wasp_fail(WASP_ERR_IO, "cannot replace attribute '%s' of %s:%s: %s", key, f->path, obj,
                     wasp_io_h5_detail());
  space = H5Screate(H5S_SCALAR);
  attr = H5Acreate_by_name(f->file, obj, key, ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0 || H5Awrite(attr, mtype, buf) < 0)
    s = wasp_fail(WASP_ERR_IO, "cannot write attribute '%s' of %s:%s: %s", key, f->path, obj,
                  wasp_io_h5_detail());
  if (attr >= 0 && H5Aclose(attr) < 0 && s == WASP_OK)
    s = wasp_fail(WASP_ERR_IO, "cannot write attribute '%s' of %s:%s: %s", key, f->path, obj,
                  wasp_io_h5_detail());
  H5Sclose(space);
  return s;
}

wasp_status wasp_h5_attr_double(wasp_h5 *f, const char *obj, const char *key, double v)
{
  return write_attr(f, obj, key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

wasp_status wasp_h5_attr_long(wasp_h5 *f, const char *obj, const char *key, long v)
{
  return write_attr(f, obj, key, H5T_STD_I64LE, H5T_NATIVE_LONG, &v);
}

wasp_status wasp_h5_attr_string(wasp_h5 *f, const char *obj, const char *key, const char *v)
{
  /* Variable-length UTF-8: h5py returns it as str (fixed-length strings
   * come back as bytes). */
  hid_t type = H5Tcopy(H5T_C_S1);
  wasp_status s;
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  s = write_attr(f, obj, key, type, type, &v);
  H5Tclose(type);
  return s;
}

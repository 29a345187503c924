/* HDF5 writer: the file is built under "<path>.tmp.<pid>" and renamed to
 * `path` on commit, so readers never see a half-written file. */
#define _GNU_SOURCE /* memfd_create */
#include "io_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

wasp_status wasp_h5_create(const char *path, wasp_h5 **f)
{
  wasp_h5 *h = NULL;
  int fd;
  *f = NULL;
  wasp_io_h5_quiet();
  if (!path || !*path) return wasp_fail(WASP_ERR_ARG, "empty file name");
  WASP_TRY(wasp_calloc(1, sizeof *h, &h));
  h->file = -1;
  if (wasp_io_tmp_name(path, &h->tmp) != WASP_OK || wasp_malloc(strlen(path) + 1, &h->path)) {
    wasp_h5_abort(&h);
    return WASP_ERR_MEM;
  }
  strcpy(h->path, path);
  /* HDF5 does not report errno; creating the file ourselves first gives the
   * operating system's reason for a missing or read-only folder. */
  fd = open(h->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) {
    wasp_status s = wasp_fail(WASP_ERR_IO, "cannot create '%s' (as '%s'): %s", path, h->tmp,
                              strerror(errno));
    free(h->tmp);
    h->tmp = NULL; /* nothing to remove */
    wasp_h5_abort(&h);
    return s;
  }
  close(fd);
  /* sec2 explicitly: close_discarding() relies on its file descriptor. */
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_sec2(fapl);
  h->file = H5Fcreate(h->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  if (h->file < 0) {
    wasp_status s = wasp_fail(WASP_ERR_IO, "cannot create '%s' (as '%s'): %s", path, h->tmp,
                              wasp_io_h5_detail());
    wasp_h5_abort(&h);
    return s;
  }
  *f = h;
  return WASP_OK;
}

/* Close a file whose contents are being thrown away.  After a failed write
 * (a full disk) H5Fclose fails too, because it flushes to the same disk, and
 * HDF5 keeps the file open and crashes at exit trying again.  So the file's
 * descriptor is first pointed at an anonymous in-memory file: the final
 * flush then succeeds, and the real temporary file is unlinked anyway. */
static void close_discarding(wasp_h5 *h)
{
  void *handle = NULL;
  if (h->file < 0) return;
  if (H5Fget_vfd_handle(h->file, H5P_DEFAULT, &handle) >= 0 && handle) {
    int fd = *(int *)handle;
    int sink = memfd_create("wasp-discard", 0);
    if (sink < 0) sink = open("/dev/null", O_RDWR);
    if (sink >= 0) {
      dup2(sink, fd);
      close(sink);
    }
  }
  H5Fclose(h->file);
  h->file = -1;
}

wasp_status wasp_h5_commit(wasp_h5 **f)
{
  wasp_h5 *h = *f;
  wasp_status s = WASP_OK;
  if (!h) return wasp_fail(WASP_ERR_ARG, "wasp_h5_commit: no file");
  /* Errors of delayed writes (metadata, a full disk) surface at flush and
   * close; both are checked before the file gets its final name. */
  if (H5Fflush(h->file, H5F_SCOPE_GLOBAL) < 0 || H5Fclose(h->file) < 0)
    s = wasp_fail(WASP_ERR_IO, "cannot write '%s': %s", h->path, wasp_io_h5_detail());
  else
    h->file = -1;
  if (s == WASP_OK) {
    /* HDF5 closes without fsync; sync so that a crash after the rename
     * cannot leave an empty file under the final name. */
    int fd = open(h->tmp, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0)
      s = wasp_fail(WASP_ERR_IO, "cannot write '%s': %s", h->path, strerror(errno));
    if (fd >= 0) close(fd);
  }
  if (s == WASP_OK && rename(h->tmp, h->path) != 0)
    s = wasp_fail(WASP_ERR_IO, "cannot rename '%s' to '%s': %s", h->tmp, h->path,
                  strerror(errno));
  if (s == WASP_OK) {
    free(h->tmp); /* renamed: nothing left to remove */
    h->tmp = NULL;
  }
  wasp_h5_abort(f);
  return s;
}

void wasp_h5_abort(wasp_h5 **f)
{
  wasp_h5 *h = f ? *f : NULL;
  if (!h) return;
  close_discarding(h);
  if (h->tmp) unlink(h->tmp);
  free(h->tmp);
  free(h->path);
  free(h);
  *f = NULL;
}

/* One dataset: file type `ftype` (fixed little-endian, so files compare
 * byte-for-byte across machines), memory type `mtype`. */
static wasp_status write_dataset(wasp_h5 *f, const char *name, int rank, const long *dims,
                                 hid_t ftype, hid_t mtype, const void *data)
{
  hsize_t hd[8];
  hid_t space, lcpl, dset;
  wasp_status s = WASP_OK;
  if (!f) return wasp_fail(WASP_ERR_ARG, "writing %s: no file", name);
  if (rank < 0 || rank > 8)
    return wasp_fail(WASP_ERR_ARG, "%s:%s: rank %d must be 0..8", f->path, name, rank);
  for (int k = 0; k < rank; k++) {
    if (dims[k] < 0)
      return wasp_fail(WASP_ERR_ARG, "%s:%s: dimension %d is %ld", f->path, name, k, dims[k]);
    hd[k] = (hsize_t)dims[k];
  }
  space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, hd, NULL);
  lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1); /* "/plan/mass" creates /plan */
  dset = H5Dcreate2(f->file, name, ftype, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  if (dset < 0) {
    char why[512];
    snprintf(why, sizeof why, "%s", wasp_io_h5_detail()); /* before more HDF5 calls clear it */
    s = wasp_fail(WASP_ERR_IO, "cannot create dataset %s in '%s': %s", name, f->path,
                  wasp_io_h5_exists(f->file, name) ? "it already exists" : why);
  }
  else if (H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    s = wasp_fail(WASP_ERR_IO, "cannot write %s:%s: %s", f->path, name, wasp_io_h5_detail());
  if (dset >= 0 && H5Dclose(dset) < 0 && s == WASP_OK)
    s = wasp_fail(WASP_ERR_IO, "cannot write %s:%s: %s", f->path, name, wasp_io_h5_detail());
  H5Pclose(lcpl);
  H5Sclose(space);
  return s;
}

wasp_status wasp_h5_write_double(wasp_h5 *f, const char *name, int rank, const long *dims,
                                 const double *data)
{
  return write_dataset(f, name, rank, dims, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data);
}

wasp_status wasp_h5_write_float(wasp_h5 *f, const char *name, int rank, const long *dims,
                                const float *data)
{
  return write_dataset(f, name, rank, dims, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, data);
}

wasp_status wasp_h5_write_long(wasp_h5 *f, const char *name, int rank, const long *dims,
                               const long *data)
{
  return write_dataset(f, name, rank, dims, H5T_STD_I64LE, H5T_NATIVE_LONG, data);
}

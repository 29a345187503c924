/* io_impl.h - helpers shared by the files of src/io (not installed).
 *
 * Each reader format offers the same two entry points, count and read a
 * range, so that spec.c can handle "FILE:INDEX" and range checks once for
 * every format.  Serial, not collective. */
#ifndef WASP_IO_IMPL_H
#define WASP_IO_IMPL_H

#include <stdio.h>
#include "wasp/wasp_io.h"

#include <hdf5.h>

/* ---- formats (spec.c) ---- */
typedef enum {
  IO_FMT_UNKNOWN = 0,
  IO_FMT_CSV,
  IO_FMT_H5,
  IO_FMT_MRC,
  IO_FMT_LIST
} io_format;

/* Format from the extension of path (case-insensitive). */
io_format wasp_io_format_of(const char *path);

/* ---- per-format readers: count, then read [first, first+count) ----
 * `noun` (singular) names what the file holds, for messages ("image"). */
wasp_status wasp_io_csv_read(const char *path, wasp_measure *m);
wasp_status wasp_io_csv_check(const char *path);

wasp_status wasp_io_h5_count(const char *path, long *n, const char **noun);
wasp_status wasp_io_h5_read(const char *path, long first, long count, wasp_measure *ms);

wasp_status wasp_io_mrc_count(const char *path, long *n);
wasp_status wasp_io_mrc_read(const char *path, long first, long count, wasp_measure *ms);

wasp_status wasp_io_list_count(const char *path, long *n);
wasp_status wasp_io_list_read(const char *path, long first, long count, wasp_measure *ms);

/* ---- text files (textfile.c) ---- */
/* The whole file, NUL-terminated; *len excludes the NUL. */
wasp_status wasp_io_slurp(const char *path, char **text, size_t *len);

/* ---- temporary file then rename (atomic.c) ---- */
/* "<path>.tmp.<pid>" into tmp (malloc'd). */
wasp_status wasp_io_tmp_name(const char *path, char **tmp);
/* fopen(tmp, "wb") with a message naming path and strerror. */
wasp_status wasp_io_tmp_open(const char *path, const char *tmp, FILE **fp);
/* fwrite with a message naming path and strerror on a short write. */
wasp_status wasp_io_fwrite(FILE *fp, const void *buf, size_t bytes, const char *path);
/* Flush, fsync, close and rename tmp to path; on any failure the temporary
 * file is removed and the message names path and strerror.  Always closes. */
wasp_status wasp_io_tmp_commit(FILE *fp, const char *tmp, const char *path);
/* Close (if fp) and remove tmp, keeping the current error message. */
void wasp_io_tmp_discard(FILE *fp, const char *tmp);

/* ---- HDF5 (h5common.c) ---- */
/* Turn off HDF5's own error printing; called by every HDF5 entry point. */
void wasp_io_h5_quiet(void);
/* The innermost message on HDF5's error stack (errno text when the failure
 * came from the operating system), or "" when the stack is empty. */
const char *wasp_io_h5_detail(void);
/* Open an existing file read-only, failing with "cannot open 'x.h5': ...". */
wasp_status wasp_io_h5_open(const char *path, hid_t *file);
/* True when the link `name` (absolute, may have groups) exists. */
int wasp_io_h5_exists(hid_t file, const char *name);
/* "[3, 4]" into buf. */
void wasp_io_h5_shape_str(int rank, const hsize_t *dims, char *buf, size_t len);
/* "float" / "integer" / "string" / ... for a datatype class. */
const char *wasp_io_h5_class_name(H5T_class_t c);
/* Rank and dims (rank <= 8) of an open dataset; numeric types only. */
wasp_status wasp_io_h5_numeric_shape(hid_t dset, const char *path, const char *name, int *rank,
                                     hsize_t dims[8]);

/* The writer handle (h5write.c, h5attr.c). */
struct wasp_h5 {
  hid_t file; /* open on tmp; -1 once closed */
  char *path; /* final name */
  char *tmp;  /* "<path>.tmp.<pid>"; NULL when there is nothing to remove */
};

/* ---- MRC (mrc.c) ---- */
typedef struct {
  int nx, ny, nz, mode, mx;
  float cella_x;
  long nsymbt;
  int swap;       /* file byte order differs from this machine */
  int unsigned8;  /* mode 0 holds unsigned bytes (IMOD files without its signed flag) */
  size_t bytes;   /* bytes per value */
  long offset;    /* of the first value: 1024 + nsymbt */
} io_mrc_header;

/* Read and validate the header of an open MRC file (also its size). */
wasp_status wasp_io_mrc_header(FILE *fp, const char *path, io_mrc_header *h);
/* Read n values starting at value index `start` as float. */
wasp_status wasp_io_mrc_values(FILE *fp, const char *path, const io_mrc_header *h, long start,
                               size_t n, float *out);
/* IEEE half (binary16) bits to float. */
float wasp_io_half_to_float(uint16_t h);

#endif

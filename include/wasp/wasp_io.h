/* wasp_io.h - files in and out: DOTmark CSV, HDF5, MRC/MRCS.
 *
 * Readers validate what they read and fail with a message naming the file,
 * the dataset and the offending value.  Writers never leave a half-written
 * file under its final name: they write "<path>.tmp.<pid>" and rename it on
 * commit.  Serial (each call touches files from the calling rank only);
 * the drivers in par/ decide which rank reads or writes.  Not collective. */
#ifndef WASP_IO_H
#define WASP_IO_H

#include <stdbool.h>
#include "wasp_measure.h"

/* ---- reading measures ------------------------------------------------- */

/* One measure from "FILE" or "FILE:INDEX" (INDEX selects an image of a stack,
 * 0-based; it follows the last colon and is all digits).  Format by extension
 * (case-insensitive): .csv (DOTmark: one image row per line,
 * comma-separated), .h5/.hdf5 (/images [N,ny,nx] or [ny,nx], any float or
 * integer type; or a point cloud /points [M,d] + optional /weights [M], 1 per
 * point when absent; or groups /measures/<k>/points, /measures/<k>/weights),
 * .mrc/.mrcs/.map (modes 0, 1, 2, 6, 12; section k = image k), .txt/.lst (a
 * list of specs, one per line, relative to the list's folder; INDEX picks a
 * line).  A file holding several measures needs INDEX.  Values are returned as
 * double, unvalidated beyond shape (metrics check NaN/sign).  See
 * docs/formats.md. */
wasp_status wasp_io_read_measure(const char *spec, wasp_measure *m);

/* How many measures FILE holds (images in a stack, clouds in /measures,
 * entries of a list; 1 for a .csv). */
wasp_status wasp_io_count(const char *path, long *count);

/* Measures [first, first+count) of FILE into ms[0..count); on failure none
 * is left allocated. */
wasp_status wasp_io_read_range(const char *path, long first, long count, wasp_measure *ms);

/* A volume (3-D MRC map) as float32 [nz][ny][nx] in file order (x fastest;
 * mapc/mapr/maps are not applied); voxel size cella.x/mx in Angstrom (0 when
 * the header records none).  *data malloc'd. */
wasp_status wasp_io_read_volume(const char *path, int *nz, int *ny, int *nx, float **data,
                                double *voxel);

/* ---- writing --------------------------------------------------------- */

typedef struct wasp_h5 wasp_h5;

/* Create an HDF5 file that appears under `path` only on commit; until then it
 * is "<path>.tmp.<pid>".  After any failed write, call wasp_h5_abort. */
wasp_status wasp_h5_create(const char *path, wasp_h5 **f);
/* Datasets; `name` may contain groups ("/plan/mass"), created as needed.
 * Rank 0..8 (0 = scalar); stored little-endian float64 / float32 / int64. */
wasp_status wasp_h5_write_double(wasp_h5 *f, const char *name, int rank, const long *dims,
                                 const double *data);
wasp_status wasp_h5_write_float(wasp_h5 *f, const char *name, int rank, const long *dims,
                                const float *data);
wasp_status wasp_h5_write_long(wasp_h5 *f, const char *name, int rank, const long *dims,
                               const long *data);
/* Attributes on an existing object ("/" for the file); writing a key again
 * replaces it.  Strings are variable-length UTF-8 (h5py reads them as str). */
wasp_status wasp_h5_attr_double(wasp_h5 *f, const char *obj, const char *key, double v);
wasp_status wasp_h5_attr_long(wasp_h5 *f, const char *obj, const char *key, long v);
wasp_status wasp_h5_attr_string(wasp_h5 *f, const char *obj, const char *key, const char *v);
/* Flush, close and rename to the final name; *f = NULL.  On failure (a full
 * disk shows here) the temporary file is removed and *f = NULL too. */
wasp_status wasp_h5_commit(wasp_h5 **f);
/* Close and delete the temporary file; *f = NULL.  Safe on NULL. */
void wasp_h5_abort(wasp_h5 **f);

/* Read a whole numeric dataset (rank <= 8) as double (tests, checkpoints,
 * merge); *data malloc'd. */
wasp_status wasp_h5_read_double(const char *path, const char *name, int *rank, long dims[8],
                                double **data);
/* Read an attribute (double or integer stored) / string attribute (fixed or
 * variable length; fails rather than truncate when len is too small). */
wasp_status wasp_h5_read_attr_double(const char *path, const char *obj, const char *key,
                                     double *v);
wasp_status wasp_h5_read_attr_string(const char *path, const char *obj, const char *key,
                                     char *buf, size_t len);

/* MRC2014 writer (mode 2 float32, little-endian, cell = n * voxel), through a
 * temporary name. */
wasp_status wasp_mrc_write(const char *path, int nz, int ny, int nx, const float *data,
                           double voxel);

/* Write a text file atomically (temporary name, then rename). */
wasp_status wasp_io_write_text(const char *path, const char *text);

/* ---- RELION STAR files (src/io/star.c; block owned by `wasp simulate`) -- */

/* The optics group of a particle STAR file (RELION 3.1 data_optics). */
typedef struct {
  const char *name;          /* rlnOpticsGroupName, no white space          */
  double pixel_size;         /* rlnImagePixelSize, Angstrom                  */
  double voltage;            /* rlnVoltage, kV                               */
  double cs;                 /* rlnSphericalAberration, mm                   */
  double amplitude_contrast; /* rlnAmplitudeContrast, in [0, 1]              */
  int box;                   /* rlnImageSize, pixels (2-D images)            */
} wasp_star_optics;

/* Write a RELION 3.1 particle STAR file for images 1..n of the MRCS stack
 * `stack` (a name as RELION should open it, relative to the STAR file's
 * folder): one optics group, then per particle rlnImageName "%06ld@stack",
 * rlnOpticsGroup 1, rlnAngleRot/Tilt/Psi = euler[3i..3i+2] (degrees, see
 * wasp_rotate.h) and rlnOriginX/YAngst = origin[2i..2i+1] (Angstrom; NULL
 * for none).  Atomic (temporary name, then rename).  Fails with WASP_ERR_ARG
 * on a bad optics value or a name with white space, WASP_ERR_IO on write. */
wasp_status wasp_star_write(const char *path, const wasp_star_optics *optics, const char *stack,
                            long n, const double *euler, const double *origin);

/* ---- end of the STAR block ------------------------------------------- */

#endif

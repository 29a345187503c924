/* wasp_image.h - built-in test images, generated on an n x n grid (see
 * wasp_measure.h for the geometry: pixel (i, j) = (row, column) at (i/n, j/n)
 * of the unit square).  Every generator returns a probability image: values
 * >= 0 and total mass 1, as the noise study assumes.  Nothing is read from
 * files; random images use the Philox streams of wasp_noise.h, so an image
 * depends only on (name, n, seed).  Not collective.
 *
 * On success the functions that produce an image create img (the caller
 * destroys it with wasp_measure_destroy); on failure img is left empty
 * (zeroed, nothing to free). */
#ifndef WASP_IMAGE_H
#define WASP_IMAGE_H

#include <stdbool.h>
#include "wasp_base.h"
#include "wasp_measure.h"

/* Accepted sizes of built-in images: enough to be a picture, small enough
 * that a typo (32000) does not allocate gigabytes. */
#define WASP_IMAGE_MIN_N 2
#define WASP_IMAGE_MAX_N 4096

/* One built-in image, for -help. */
typedef struct {
  const char *name;
  const char *description;
} wasp_image_builtin_info;

/* The built-in images in a fixed order:
 *   white   - i.i.d. uniform (0, 1) pixels (depends on seed)
 *   squares - two separated squares of different size, upper-left and
 *             lower-right (seed unused)
 *   blobs   - four anisotropic Gaussian blobs at fixed positions; a nonzero
 *             seed jitters centres, widths and weights by up to ~10%
 *   dirac   - a single pixel of mass 1, at (n/2, n/2) unless placed
 *   cryo    - a cryo-EM-like projection: 40 Gaussian blobs in a large and a
 *             small cluster, like a projected ribosome (depends on seed)
 * Returns the table and sets *count to its length. */
const wasp_image_builtin_info *wasp_image_list_builtin(int *count);

/* Generate built-in image name of size n x n (2 <= n <= 4096).  An unknown
 * name fails with WASP_ERR_ARG listing the known names. */
wasp_status wasp_image_builtin(const char *name, int n, uint64_t seed, wasp_measure *img);

/* An n x n image with mass 1 at pixel (i, j), 0 elsewhere. */
wasp_status wasp_image_dirac(int n, int i, int j, wasp_measure *img);

/* Divide every value by the total mass, in place.  Fails with
 * WASP_ERR_INPUT naming the mass if it is not finite and > 0. */
wasp_status wasp_image_normalize(wasp_measure *img);

/* True when spec names a built-in image ("builtin:..."), so that callers
 * can tell it from a file name before parsing. */
bool wasp_image_is_spec(const char *spec);

/* Build an image from a spec:
 *   builtin:NAME:N              e.g. builtin:blobs:32
 *   builtin:NAME:N:seed=S       e.g. builtin:cryo:64:seed=7
 *   builtin:dirac:N[:I,J]       e.g. builtin:dirac:32:8,8
 * Errors (WASP_ERR_ARG) quote the offending token: unknown names (with the
 * list of known ones), sizes that are not integers in [2, 4096], bad seeds,
 * positions outside the image, unknown options. */
wasp_status wasp_image_from_spec(const char *spec, wasp_measure *img);

#endif

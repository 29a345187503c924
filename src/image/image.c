/* Small image utilities: the Dirac image and normalisation to mass 1. */
#include "wasp/wasp_image.h"

#include <math.h>
#include <string.h>

wasp_status wasp_image_dirac(int n, int i, int j, wasp_measure *img)
{
  memset(img, 0, sizeof *img);
  if (n < WASP_IMAGE_MIN_N || n > WASP_IMAGE_MAX_N)
    return wasp_fail(WASP_ERR_ARG, "image size %d is out of range; need %d <= n <= %d", n,
                     WASP_IMAGE_MIN_N, WASP_IMAGE_MAX_N);
  if (i < 0 || i >= n || j < 0 || j >= n)
    return wasp_fail(WASP_ERR_ARG, "Dirac pixel (%d, %d) is outside the %d x %d image", i, j, n, n);
  WASP_TRY(wasp_measure_create_grid(n, n, img));
  img->w[(long)i * n + j] = 1.0;
  return WASP_OK;
}

wasp_status wasp_image_normalize(wasp_measure *img)
{
  double mass = wasp_measure_mass(img);
  /* A zero, negative or NaN mass has no probability image: dividing would
   * flip signs or spread NaN silently. */
  if (!(mass > 0.0) || !isfinite(mass))
    return wasp_fail(WASP_ERR_INPUT, "image mass is %g; normalising needs a finite mass > 0", mass);
  long size = wasp_measure_size(img);
  for (long k = 0; k < size; k++) img->w[k] /= mass;
  return WASP_OK;
}

bool wasp_image_is_spec(const char *spec)
{
  return spec && strncmp(spec, "builtin:", 8) == 0;
}

/* Volume helpers for the projector: where to put the rotation centre. */
#include "wasp/wasp_project.h"

#include <math.h>

wasp_status wasp_volume_center_of_mass(const float *vol, int L, double com[3])
{
  if (!vol || L < 1) return wasp_fail(WASP_ERR_ARG, "centre of mass: empty volume");
  double m = 0, sx = 0, sy = 0, sz = 0;
  for (int z = 0; z < L; z++)
    for (int y = 0; y < L; y++) {
      const float *row = vol + ((size_t)z * L + y) * L;
      double r = 0, rx = 0;
      for (int x = 0; x < L; x++) {
        double v = row[x] > 0 ? row[x] : 0.0;
        r += v;
        rx += v * x;
      }
      m += r;
      sx += rx;
      sy += r * y;
      sz += r * z;
    }
  if (!(m > 0) || !isfinite(m))
    return wasp_fail(WASP_ERR_INPUT, "centre of mass: the volume has no positive density");
  com[0] = sx / m;
  com[1] = sy / m;
  com[2] = sz / m;
  return WASP_OK;
}

/* Real-space projector: line integrals through the tricubic interpolant of
 * the voxels.  It shares no code path with the Fourier-slice projector (no
 * FFT, no slice interpolation, no gridding correction), which is what makes
 * it a useful oracle for it. */
#include "wasp/wasp_project.h"
#include "wasp/wasp_rotate.h"

#include <math.h>

/* Tricubic (Keys) interpolation of vol at (x, y, z), zero outside. */
static double tricubic(const float *vol, int L, double x, double y, double z)
{
  double fx = floor(x), fy = floor(y), fz = floor(z), wx[4], wy[4], wz[4];
  int x0 = (int)fx - 1, y0 = (int)fy - 1, z0 = (int)fz - 1;
  if (x0 >= L || y0 >= L || z0 >= L || x0 + 3 < 0 || y0 + 3 < 0 || z0 + 3 < 0) return 0.0;
  wasp_cubic_weights(x - fx, wx);
  wasp_cubic_weights(y - fy, wy);
  wasp_cubic_weights(z - fz, wz);
  double v = 0.0;
  for (int c = 0; c < 4; c++) {
    int zz = z0 + c;
    if (zz < 0 || zz >= L) continue;
    for (int b = 0; b < 4; b++) {
      int yy = y0 + b;
      if (yy < 0 || yy >= L) continue;
      const float *row = vol + ((size_t)zz * L + yy) * L;
      double s = 0.0;
      for (int a = 0; a < 4; a++) {
        int xx = x0 + a;
        if (xx >= 0 && xx < L) s += wx[a] * row[xx];
      }
      v += wz[c] * wy[b] * s;
    }
  }
  return v;
}

wasp_status wasp_project_real(const float *vol, int L, const double origin[3], const double R[9],
                              const double shift[2], int box, double step, double *img)
{
  if (!vol || !R || !img) return wasp_fail(WASP_ERR_ARG, "real-space projector: NULL argument");
  if (L < 2 || box < 2) return wasp_fail(WASP_ERR_ARG, "real-space projector: size %d, box %d", L, box);
  if (!(step > 0) || !isfinite(step))
    return wasp_fail(WASP_ERR_ARG, "real-space projector: step %g must be > 0", step);
  const double o[3] = {origin ? origin[0] : L / 2, origin ? origin[1] : L / 2,
                       origin ? origin[2] : L / 2};
  const double h = (double)L / box; /* output pixel size in voxels */
  const double sx = shift ? shift[0] : 0.0, sy = shift ? shift[1] : 0.0;
  /* Far enough to leave the cube from any origin inside it. */
  const int nz = (int)ceil((sqrt(3.0) * L + 4.0) / step);
  for (int i = 0; i < box; i++) {
    for (int j = 0; j < box; j++) {
      double u = (j - box / 2 - sx) * h, v = (i - box / 2 - sy) * h, sum = 0.0;
      for (int k = -nz; k <= nz; k++) {
        double z = k * step;
        /* r = origin + R^T (u, v, z) */
        double x = o[0] + R[0] * u + R[3] * v + R[6] * z;
        double y = o[1] + R[1] * u + R[4] * v + R[7] * z;
        double w = o[2] + R[2] * u + R[5] * v + R[8] * z;
        sum += tricubic(vol, L, x, y, w);
      }
      img[(size_t)i * box + j] = sum * step;
    }
  }
  return WASP_OK;
}

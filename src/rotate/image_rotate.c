/* In-plane rotation of a square image by bicubic (Keys) interpolation.
 * Why bicubic rather than FFT shears: no wrap-around of mass across the
 * border, no plan or scratch memory (so it is thread-safe and cheap to call
 * for every angle of a k-means sweep), and third-order accuracy, which is
 * below the noise of any image it will be used on. */
#include "wasp/wasp_rotate.h"

#include <math.h>

/* Keys (1981), a = -1/2: the cubic that reproduces quadratics. */
static inline void keys(double t, double w[4])
{
  double t2 = t * t, t3 = t2 * t;
  w[0] = -0.5 * t3 + t2 - 0.5 * t;
  w[1] = 1.5 * t3 - 2.5 * t2 + 1.0;
  w[2] = -1.5 * t3 + 2.0 * t2 + 0.5 * t;
  w[3] = 0.5 * t3 - 0.5 * t2;
}

void wasp_cubic_weights(double t, double w[4]) { keys(t, w); }

__attribute__((target_clones("avx2", "default")))
wasp_status wasp_rotate_image(const double *in, int n, double angle, double *out)
{
  if (n < 1) return wasp_fail(WASP_ERR_ARG, "wasp_rotate_image: size %d must be >= 1", n);
  if (!in || !out) return wasp_fail(WASP_ERR_ARG, "wasp_rotate_image: NULL image");
  if (!isfinite(angle)) return wasp_fail(WASP_ERR_ARG, "wasp_rotate_image: angle %g", angle);
  size_t m = (size_t)n * (size_t)n;
  if (in < out + m && out < in + m)
    return wasp_fail(WASP_ERR_ARG, "wasp_rotate_image: input and output overlap");
  const double c = (double)(n / 2), ca = cos(angle), sa = sin(angle);
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) {
      /* Source point: Rot(-angle) applied to the output pixel's offset. */
      double dx = j - c, dy = i - c;
      double sx = c + ca * dx + sa * dy, sy = c - sa * dx + ca * dy;
      double fx = floor(sx), fy = floor(sy), wx[4], wy[4];
      int x0 = (int)fx - 1, y0 = (int)fy - 1;
      double v = 0.0;
      if (x0 >= 0 && y0 >= 0 && x0 + 3 < n && y0 + 3 < n) {
        /* Interior (most pixels): the same sums as below, no bound tests. */
        keys(sx - fx, wx);
        keys(sy - fy, wy);
        const double *p = in + (size_t)y0 * n + x0;
        for (int a = 0; a < 4; a++, p += n)
          v += wy[a] * (((wx[0] * p[0] + wx[1] * p[1]) + wx[2] * p[2]) + wx[3] * p[3]);
      } else if (sx > -2.0 && sy > -2.0 && sx < n + 1.0 && sy < n + 1.0) {
        keys(sx - fx, wx);
        keys(sy - fy, wy);
        for (int a = 0; a < 4; a++) {
          int y = y0 + a;
          if (y < 0 || y >= n) continue;
          double row = 0.0;
          for (int b = 0; b < 4; b++) {
            int x = x0 + b;
            if (x >= 0 && x < n) row += wx[b] * in[(size_t)y * n + x];
          }
          v += wy[a] * row;
        }
      }
      out[(size_t)i * n + j] = v;
    }
  }
  return WASP_OK;
}

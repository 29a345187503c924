/* Rotation matrices from quaternions, Haar-uniform sampling, view directions. */
#include "wasp/wasp_rotate.h"

#include <math.h>

void wasp_rotation_from_quaternion(const double q[4], double R[9])
{
  double n2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3];
  if (!(n2 > 0) || !isfinite(n2)) {
    for (int k = 0; k < 9; k++) R[k] = (k % 4 == 0) ? 1.0 : 0.0;
    return;
  }
  /* Dividing by |q|^2 rather than normalising q first: one division, and
   * the result is orthogonal to rounding for any nonzero q. */
  double s = 2.0 / n2, w = q[0], x = q[1], y = q[2], z = q[3];
  R[0] = 1 - s * (y * y + z * z);
  R[1] = s * (x * y - w * z);
  R[2] = s * (x * z + w * y);
  R[3] = s * (x * y + w * z);
  R[4] = 1 - s * (x * x + z * z);
  R[5] = s * (y * z - w * x);
  R[6] = s * (x * z - w * y);
  R[7] = s * (y * z + w * x);
  R[8] = 1 - s * (x * x + y * y);
}

void wasp_rotation_random(const wasp_rng_key *key, double R[9])
{
  double q[4] = {0, 0, 0, 0};
  /* A zero quaternion has probability zero, but a bounded retry costs
   * nothing and keeps the result a pure function of the key. */
  for (uint64_t attempt = 0; attempt < 8; attempt++) {
    wasp_rng_normal_fill(key, 4 * attempt, 4, q);
    if (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3] > 1e-300) break;
  }
  wasp_rotation_from_quaternion(q, R);
}

void wasp_rotation_view_dir(const double R[9], double v[3])
{
  v[0] = R[6];
  v[1] = R[7];
  v[2] = R[8];
}

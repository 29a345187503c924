/* RELION's ZYZ Euler angles (rot, tilt, psi) <-> rotation matrices, written
 * after Euler_angles2matrix and Euler_matrix2angles of RELION's euler.cpp so
 * that STAR files we write mean to RELION what our matrices mean to us. */
#include "wasp/wasp_rotate.h"

#include <float.h>
#include <math.h>

static const double DEG = 3.14159265358979323846 / 180.0;

void wasp_rotation_from_euler(double rot, double tilt, double psi, double R[9])
{
  double ca = cos(rot * DEG), sa = sin(rot * DEG);
  double cb = cos(tilt * DEG), sb = sin(tilt * DEG);
  double cg = cos(psi * DEG), sg = sin(psi * DEG);
  double cc = cb * ca, cs = cb * sa, sc = sb * ca, ss = sb * sa;
  R[0] = cg * cc - sg * sa;
  R[1] = cg * cs + sg * ca;
  R[2] = -cg * sb;
  R[3] = -sg * cc - cg * sa;
  R[4] = -sg * cs + cg * ca;
  R[5] = sg * sb;
  R[6] = sc;
  R[7] = ss;
  R[8] = cb;
}

void wasp_rotation_to_euler(const double R[9], double *rot, double *tilt, double *psi)
{
  double abs_sb = sqrt(R[2] * R[2] + R[5] * R[5]);
  double a, b, g;
  if (abs_sb > 16 * FLT_EPSILON) {
    /* sin(tilt) >= 0 on [0, 180]: the third row and column then give rot
     * and psi without sign ambiguity. */
    g = atan2(R[5], -R[2]);
    a = atan2(R[7], R[6]);
    b = atan2(abs_sb, R[8]);
  } else if (R[8] > 0) {
    /* tilt = 0: only rot + psi is defined; RELION puts it all in psi. */
    a = 0;
    b = 0;
    g = atan2(-R[3], R[0]);
  } else {
    a = 0;
    b = 3.14159265358979323846;
    g = atan2(R[3], -R[0]);
  }
  *rot = a / DEG;
  *tilt = b / DEG;
  *psi = g / DEG;
}

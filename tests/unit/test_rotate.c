/* Unit tests of the rotation kernel: Haar sampling against the moments of
 * the uniform distribution, RELION's Euler convention against known
 * matrices, and the image rotation against exact permutations and rotated
 * closed-form Gaussians.  Statistical tolerances are 5 standard errors of
 * the statistic under the uniform law, so a correct sampler passes with any
 * seed and a biased one (e.g. uniform Euler angles) fails by far. */
#include "unit_util.h"
#include "wasp/wasp_rotate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const double PI = 3.14159265358979323846;

static void random_rotation(long i, double R[9])
{
  wasp_rng_key k = wasp_rng_key_make(2024, 7, 0, 0, (uint32_t)i);
  wasp_rotation_random(&k, R);
}

START_TEST(test_orthogonal)
{
  for (long i = 0; i < 1000; i++) {
    double R[9];
    random_rotation(i, R);
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++) {
        double d = 0;
        for (int k = 0; k < 3; k++) d += R[3 * a + k] * R[3 * b + k];
        ck_assert_double_eq_tol(d, a == b ? 1.0 : 0.0, 1e-14);
      }
    double det = R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) +
                 R[2] * (R[3] * R[7] - R[4] * R[6]);
    ck_assert_double_eq_tol(det, 1.0, 1e-14);
  }
  /* q and -q are the same rotation; (1, 0, 0, 0) is the identity; a
   * quarter turn about z maps x to y. */
  double q[4] = {cos(PI / 4), 0, 0, sin(PI / 4)}, R[9];
  wasp_rotation_from_quaternion(q, R);
  ck_assert_double_eq_tol(R[0], 0, 1e-15);
  ck_assert_double_eq_tol(R[3], 1, 1e-15);
  ck_assert_double_eq_tol(R[1], -1, 1e-15);
}
END_TEST

START_TEST(test_same_key_same_rotation)
{
  double A[9], B[9];
  random_rotation(77, A);
  random_rotation(77, B);
  for (int k = 0; k < 9; k++) ck_assert(A[k] == B[k]);
  random_rotation(78, B);
  ck_assert(A[0] != B[0]);
}
END_TEST

/* Haar measure: E R = 0, E (tr R)^2 = 1 (tr R = 1 + 2 cos(angle), angle
 * density (1 - cos t)/pi), view directions uniform on the sphere: E v = 0,
 * E v v^T = I/3, Var v_x^2 = 1/5 - 1/9, Var v_x v_y = 1/15. */
START_TEST(test_haar_uniform)
{
  const long n = 40000;
  double mv[3] = {0}, m2[9] = {0}, mR[9] = {0}, tr2 = 0;
  for (long i = 0; i < n; i++) {
    double R[9], v[3];
    random_rotation(i, R);
    wasp_rotation_view_dir(R, v);
    ck_assert_double_eq_tol(v[0] * v[0] + v[1] * v[1] + v[2] * v[2], 1.0, 1e-14);
    for (int a = 0; a < 3; a++) {
      mv[a] += v[a] / n;
      for (int b = 0; b < 3; b++) m2[3 * a + b] += v[a] * v[b] / n;
    }
    for (int k = 0; k < 9; k++) mR[k] += R[k] / n;
    double t = R[0] + R[4] + R[8];
    tr2 += t * t / n;
  }
  const double se_mean = sqrt(1.0 / 3 / n), se_diag = sqrt((1.0 / 5 - 1.0 / 9) / n),
               se_off = sqrt(1.0 / 15 / n);
  for (int a = 0; a < 3; a++) {
    ck_assert_double_le(fabs(mv[a]), 5 * se_mean);
    for (int b = 0; b < 3; b++)
      ck_assert_double_le(fabs(m2[3 * a + b] - (a == b ? 1.0 / 3 : 0.0)), 5 * (a == b ? se_diag : se_off));
  }
  for (int k = 0; k < 9; k++) ck_assert_double_le(fabs(mR[k]), 5 * se_mean);
  /* Var (tr R)^2 = E tr^4 - 1 = 3 - 1 = 2 under Haar. */
  ck_assert_double_le(fabs(tr2 - 1.0), 5 * sqrt(2.0 / n));
}
END_TEST

START_TEST(test_euler_relion)
{
  /* Known matrices of RELION's Euler_angles2matrix. */
  double R[9];
  wasp_rotation_from_euler(0, 90, 0, R);
  const double A[9] = {0, 0, -1, 0, 1, 0, 1, 0, 0};
  for (int k = 0; k < 9; k++) ck_assert_double_eq_tol(R[k], A[k], 1e-15);
  wasp_rotation_from_euler(0, 0, 30, R); /* psi alone: Rz(-30 degrees) */
  ck_assert_double_eq_tol(R[0], cos(PI / 6), 1e-15);
  ck_assert_double_eq_tol(R[1], sin(PI / 6), 1e-15);
  ck_assert_double_eq_tol(R[3], -sin(PI / 6), 1e-15);
  /* The viewing direction is the (rot, tilt) point of the sphere. */
  double v[3];
  wasp_rotation_from_euler(40, 70, -110, R);
  wasp_rotation_view_dir(R, v);
  ck_assert_double_eq_tol(v[0], cos(40 * PI / 180) * sin(70 * PI / 180), 1e-15);
  ck_assert_double_eq_tol(v[1], sin(40 * PI / 180) * sin(70 * PI / 180), 1e-15);
  ck_assert_double_eq_tol(v[2], cos(70 * PI / 180), 1e-15);
  /* Round trips, including the gimbal-locked tilts 0 and 180. */
  for (long i = 0; i < 2000; i++) {
    double Q[9], rot, tilt, psi;
    if (i == 0) wasp_rotation_from_euler(0, 0, 25, R);
    else if (i == 1) wasp_rotation_from_euler(0, 180, -60, R);
    else random_rotation(i, R);
    wasp_rotation_to_euler(R, &rot, &tilt, &psi);
    ck_assert(tilt >= 0 && tilt <= 180 && fabs(rot) <= 180 && fabs(psi) <= 180);
    wasp_rotation_from_euler(rot, tilt, psi, Q);
    for (int k = 0; k < 9; k++) ck_assert_double_eq_tol(Q[k], R[k], 1e-9);
  }
}
END_TEST

static double gauss2(int n, int i, int j, double x0, double y0, double s)
{
  double dx = j - n / 2 - x0, dy = i - n / 2 - y0;
  return exp(-(dx * dx + dy * dy) / (2 * s * s));
}

START_TEST(test_rotate_image_exact_cases)
{
  enum { n = 24 };
  double in[n * n], out[n * n];
  uint64_t st = 99;
  for (int k = 0; k < n * n; k++) in[k] = unit_uniform(&st);
  ck_assert_int_eq(wasp_rotate_image(in, n, 0.0, out), WASP_OK);
  for (int k = 0; k < n * n; k++) ck_assert(out[k] == in[k]);
  /* A quarter turn counter-clockwise about (n/2, n/2) is a permutation:
   * out(c + (dx, dy)) = in(c + (dy, -dx)). */
  ck_assert_int_eq(wasp_rotate_image(in, n, PI / 2, out), WASP_OK);
  const int c = n / 2;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      int si = c - (j - c), sj = c + (i - c);
      if (si >= 0 && si < n && sj >= 0 && sj < n)
        ck_assert_double_eq_tol(out[i * n + j], in[si * n + sj], 1e-12);
    }
}
END_TEST

/* Rotating a sampled Gaussian is close to sampling the rotated Gaussian:
 * the bicubic interpolation error for a width of 2.5 pixels is below 1% of
 * the peak (Keys' kernel is third order: error ~ h^3 |f'''| / 8). */
START_TEST(test_rotate_image_gaussian)
{
  enum { n = 48 };
  double in[n * n], out[n * n];
  const double x0 = 7.3, y0 = -4.1, s = 2.5;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) in[i * n + j] = gauss2(n, i, j, x0, y0, s);
  double worst = 0;
  for (int t = 1; t < 12; t++) {
    double a = 0.57 * t;
    ck_assert_int_eq(wasp_rotate_image(in, n, a, out), WASP_OK);
    double rx = cos(a) * x0 - sin(a) * y0, ry = sin(a) * x0 + cos(a) * y0;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) {
        double e = fabs(out[i * n + j] - gauss2(n, i, j, rx, ry, s));
        worst = e > worst ? e : worst;
      }
  }
  fprintf(stderr, "rotate_image: max error vs rotated Gaussian %.2e of peak\n", worst);
  ck_assert_double_le(worst, 1e-2);
}
END_TEST

START_TEST(test_rotate_image_errors)
{
  double a[16] = {0}, b[16];
  ck_assert_int_eq(wasp_rotate_image(a, 0, 0.1, b), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_rotate_image(a, 4, 0.1, a), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_rotate_image(a, 4, NAN, b), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_rotate_image(NULL, 4, 0.1, b), WASP_ERR_ARG);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("rotate");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_orthogonal);
  tcase_add_test(tc, test_same_key_same_rotation);
  tcase_add_test(tc, test_haar_uniform);
  tcase_add_test(tc, test_euler_relion);
  tcase_add_test(tc, test_rotate_image_exact_cases);
  tcase_add_test(tc, test_rotate_image_gaussian);
  tcase_add_test(tc, test_rotate_image_errors);
  suite_add_tcase(s, tc);
  return unit_run(s);
}

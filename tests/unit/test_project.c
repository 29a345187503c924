/* Unit tests of the projector against independent truths: the closed-form
 * projection of Gaussian blobs (a 3-D Gaussian of width s and height A
 * integrates along any line to A sqrt(2 pi) s exp(-d^2 / 2 s^2), d the
 * distance of the line from its centre), the real-space line-integral
 * oracle, and the in-plane rotation of images.  Tolerances are stated with
 * the error they bound; the measured errors are printed. */
#include "unit_util.h"
#include "wasp/wasp_project.h"
#include "wasp/wasp_rotate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double PI = 3.14159265358979323846;

typedef struct {
  double c[3]; /* centre, voxels from the volume's centre L/2 */
  double s, a; /* width (voxels), height */
} blob;

/* A smooth, asymmetric test volume: a few blobs of width >= 2 voxels,
 * band-limited to 1e-6 so sampling it loses nothing. */
static const blob BLOBS[] = {
  {{3.0, -2.0, 4.0}, 3.0, 1.0}, {{-7.5, 5.0, -1.0}, 2.5, 0.7}, {{6.0, 8.0, -6.0}, 2.0, 0.5},
  {{-2.0, -9.0, 3.5}, 3.5, 0.4},
};
enum { NBLOBS = sizeof BLOBS / sizeof BLOBS[0] };

static float *blob_volume(int L, const blob *b, int nb)
{
  float *v = calloc((size_t)L * L * L, sizeof(float));
  ck_assert_ptr_nonnull(v);
  for (int z = 0; z < L; z++)
    for (int y = 0; y < L; y++)
      for (int x = 0; x < L; x++) {
        double s = 0;
        for (int k = 0; k < nb; k++) {
          double dx = x - L / 2 - b[k].c[0], dy = y - L / 2 - b[k].c[1], dz = z - L / 2 - b[k].c[2];
          s += b[k].a * exp(-(dx * dx + dy * dy + dz * dz) / (2 * b[k].s * b[k].s));
        }
        v[((size_t)z * L + y) * L + x] = (float)s;
      }
  return v;
}

/* Closed form of the projection at R on a box x box grid of pixel size
 * L/box voxels, centred at box/2 + shift, with `origin` the voxel offset
 * (from L/2) of the rotation centre. */
static void blob_projection(int L, const blob *b, int nb, const double R[9], const double off[3],
                            const double shift[2], int box, double *img)
{
  const double h = (double)L / box;
  for (int i = 0; i < box; i++)
    for (int j = 0; j < box; j++) {
      double u = (j - box / 2 - shift[0]) * h, v = (i - box / 2 - shift[1]) * h, s = 0;
      for (int k = 0; k < nb; k++) {
        double p[3] = {b[k].c[0] - off[0], b[k].c[1] - off[1], b[k].c[2] - off[2]};
        double px = R[0] * p[0] + R[1] * p[1] + R[2] * p[2];
        double py = R[3] * p[0] + R[4] * p[1] + R[5] * p[2];
        double d2 = (u - px) * (u - px) + (v - py) * (v - py);
        s += b[k].a * sqrt(2 * PI) * b[k].s * exp(-d2 / (2 * b[k].s * b[k].s));
      }
      img[(size_t)i * box + j] = s;
    }
}

static double max_abs(const double *x, long n)
{
  double m = 0;
  for (long k = 0; k < n; k++) m = fabs(x[k]) > m ? fabs(x[k]) : m;
  return m;
}

/* max |a - b| / max |b| */
static double rel_max_err(const double *a, const double *b, long n)
{
  double e = 0;
  for (long k = 0; k < n; k++) e = fabs(a[k] - b[k]) > e ? fabs(a[k] - b[k]) : e;
  return e / max_abs(b, n);
}

static void rotation(long i, double R[9])
{
  wasp_rng_key k = wasp_rng_key_make(11, 3, 0, 0, (uint32_t)i);
  wasp_rotation_random(&k, R);
}

/* The Fourier-slice projector against the closed form, at the native box,
 * upsampled (pixels of half a voxel), downsampled, at an odd box, with a
 * sub-pixel shift and with a sub-voxel rotation centre.  Tolerance 1e-3 of
 * the peak: what remains is the Kaiser-Bessel slice interpolation's
 * aliasing, ~5e-4 at the edge of the object by the kernel's transform
 * (measured ~3e-4).  Trilinear interpolation fails this bound (~1e-2), and
 * so does a missing or wrong gridding correction. */
START_TEST(test_blob_closed_form)
{
  const int L = 48;
  float *vol = blob_volume(L, BLOBS, NBLOBS);
  const int boxes[] = {48, 96, 36, 49};
  const double shifts[][2] = {{0, 0}, {2.5, -1.25}, {0, 0}, {-0.7, 3.1}};
  const double origins[][3] = {{0, 0, 0}, {0, 0, 0}, {0.4, -1.3, 2.25}, {0, 0, 0}};
  double worst = 0;
  for (int c = 0; c < 4; c++) {
    const int N = boxes[c];
    double *img = malloc(sizeof(double) * N * N), *ref = malloc(sizeof(double) * N * N);
    double o[3] = {L / 2 + origins[c][0], L / 2 + origins[c][1], L / 2 + origins[c][2]};
    wasp_projector *p = NULL;
    ck_assert_int_eq(wasp_projector_create(vol, L, o, N, &p), WASP_OK);
    ck_assert_int_eq(wasp_projector_box(p), N);
    for (long r = 0; r < 6; r++) {
      double R[9];
      rotation(r, R);
      ck_assert_int_eq(wasp_projector_project(p, R, shifts[c], img), WASP_OK);
      blob_projection(L, BLOBS, NBLOBS, R, origins[c], shifts[c], N, ref);
      double e = rel_max_err(img, ref, (long)N * N);
      worst = e > worst ? e : worst;
      ck_assert_double_le(e, 1e-3);
    }
    wasp_projector_destroy(&p);
    ck_assert_ptr_null(p);
    free(img);
    free(ref);
  }
  fprintf(stderr, "project: Fourier vs closed form, max error %.2e of peak\n", worst);
  free(vol);
}
END_TEST

/* Fourier-slice vs real-space projector on the same voxels.  Both
 * approximate the same line integrals by different routes (Kaiser-Bessel
 * slice interpolation in Fourier space vs tricubic interpolation and the
 * trapezoid rule in real space).  For blobs of width >= 2 voxels the
 * tricubic error is ~1.5e-3 of the peak (Keys' kernel is third order:
 * ~h^3 |f'''|) and the Fourier one ~3e-4, so they must agree to 5e-3 of
 * the peak (measured 1.5e-3).  A wrong convention (transposed R, sign of
 * the shift, centre off by a pixel) gives differences of order 1e-1 to 1. */
START_TEST(test_fourier_vs_real_space)
{
  const int L = 48, N = 48;
  float *vol = blob_volume(L, BLOBS, NBLOBS);
  double img[N * N], ref[N * N], worst = 0;
  wasp_projector *p = NULL;
  ck_assert_int_eq(wasp_projector_create(vol, L, NULL, N, &p), WASP_OK);
  for (long r = 10; r < 14; r++) {
    double R[9], sh[2] = {0.5 * (r - 11), 1.5};
    rotation(r, R);
    ck_assert_int_eq(wasp_projector_project(p, R, sh, img), WASP_OK);
    ck_assert_int_eq(wasp_project_real(vol, L, NULL, R, sh, N, 0.5, ref), WASP_OK);
    double e = rel_max_err(img, ref, N * N);
    worst = e > worst ? e : worst;
    ck_assert_double_le(e, 5e-3);
  }
  fprintf(stderr, "project: Fourier vs real-space oracle, max difference %.2e of peak\n", worst);
  /* The oracle itself against the closed form, so that agreement above is
   * agreement with the truth and not a shared mistake. */
  double R[9], z[2] = {0, 0}, off[3] = {0, 0, 0};
  rotation(20, R);
  ck_assert_int_eq(wasp_project_real(vol, L, NULL, R, z, N, 0.5, ref), WASP_OK);
  blob_projection(L, BLOBS, NBLOBS, R, off, z, N, img);
  ck_assert_double_le(rel_max_err(ref, img, N * N), 5e-3);
  wasp_projector_destroy(&p);
  free(vol);
}
END_TEST

/* Projecting Rz(a) R vol equals rotating the projection at R by a.  For a
 * quarter turn the slice points are the same points relabelled, so the
 * image is an exact permutation of pixels (checked where the permuted pixel
 * is inside the box; the FFT wraps the rest); for other angles the bicubic
 * image rotation adds ~2e-3 of the peak for blobs of width >= 2 pixels
 * (see test_rotate), bounded by 5e-3. */
START_TEST(test_inplane_rotation)
{
  const int L = 48, N = 48;
  float *vol = blob_volume(L, BLOBS, NBLOBS);
  double P[N * N], Q[N * N], rot[N * N];
  wasp_projector *p = NULL;
  ck_assert_int_eq(wasp_projector_create(vol, L, NULL, N, &p), WASP_OK);
  double R[9];
  rotation(30, R);
  ck_assert_int_eq(wasp_projector_project(p, R, NULL, P), WASP_OK);
  const double angles[] = {PI / 2, 0.3, 1.9, -2.6};
  for (int t = 0; t < 4; t++) {
    double a = angles[t], c = cos(a), s = sin(a);
    const double Rz[9] = {c, -s, 0, s, c, 0, 0, 0, 1};
    double RzR[9];
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++) {
        RzR[3 * i + j] = 0;
        for (int k = 0; k < 3; k++) RzR[3 * i + j] += Rz[3 * i + k] * R[3 * k + j];
      }
    ck_assert_int_eq(wasp_projector_project(p, RzR, NULL, Q), WASP_OK);
    if (t == 0) {
      const int c0 = N / 2;
      for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
          int si = c0 - (j - c0), sj = c0 + (i - c0);
          if (si >= 0 && si < N && sj >= 0 && sj < N)
            ck_assert_double_eq_tol(Q[i * N + j], P[si * N + sj], 1e-12 * max_abs(P, N * N));
        }
      continue;
    }
    ck_assert_int_eq(wasp_rotate_image(P, N, a, rot), WASP_OK);
    double e = rel_max_err(rot, Q, N * N);
    fprintf(stderr, "project: in-plane rotation by %.3f rad, max difference %.2e of peak\n", a, e);
    ck_assert_double_le(e, 5e-3);
  }
  wasp_projector_destroy(&p);
  free(vol);
}
END_TEST

START_TEST(test_center_of_mass)
{
  const int L = 32;
  const blob one = {{2.5, -3.25, 1.75}, 2.0, 1.0};
  float *vol = blob_volume(L, &one, 1);
  double com[3];
  ck_assert_int_eq(wasp_volume_center_of_mass(vol, L, com), WASP_OK);
  for (int a = 0; a < 3; a++) ck_assert_double_eq_tol(com[a], L / 2 + one.c[a], 1e-6);
  /* Centred on its mass, the blob projects onto the image centre from any
   * direction: the closed form with the blob at the origin. */
  wasp_projector *p = NULL;
  double img[L * L], ref[L * L], R[9], z[2] = {0, 0};
  ck_assert_int_eq(wasp_projector_create(vol, L, com, L, &p), WASP_OK);
  rotation(40, R);
  ck_assert_int_eq(wasp_projector_project(p, R, NULL, img), WASP_OK);
  blob_projection(L, &one, 1, R, one.c, z, L, ref);
  ck_assert_double_le(rel_max_err(img, ref, L * L), 1e-3);
  wasp_projector_destroy(&p);
  memset(vol, 0, sizeof(float) * L * L * L);
  ck_assert_int_eq(wasp_volume_center_of_mass(vol, L, com), WASP_ERR_INPUT);
  free(vol);
}
END_TEST

/* The phantom has no symmetry: no half turn about a coordinate axis and no
 * mirror maps it onto itself (differences of at least 30% of its norm). */
START_TEST(test_phantom)
{
  const int L = 48;
  float *v = NULL, *w = NULL;
  ck_assert_int_eq(wasp_phantom_ribosome(L, &v), WASP_OK);
  ck_assert_int_eq(wasp_phantom_ribosome(L, &w), WASP_OK);
  ck_assert_int_eq(memcmp(v, w, sizeof(float) * L * L * L), 0);
  double norm = 0, edge = 0, peak = 0;
  for (int z = 0; z < L; z++)
    for (int y = 0; y < L; y++)
      for (int x = 0; x < L; x++) {
        double a = v[((size_t)z * L + y) * L + x];
        ck_assert(a >= 0);
        norm += a * a;
        peak = a > peak ? a : peak;
        if (x == 0 || y == 0 || z == 0 || x == L - 1 || y == L - 1 || z == L - 1) edge = a > edge ? a : edge;
      }
  ck_assert_double_le(edge, 1e-3 * peak); /* fits in the box */
  for (int op = 0; op < 6; op++) {
    double d = 0;
    for (int z = 0; z < L; z++)
      for (int y = 0; y < L; y++)
        for (int x = 0; x < L; x++) {
          /* images under half turns (op 0-2) and mirrors (op 3-5), about the
           * centre of the voxel grid's reflection x -> L-1-x */
          int X = x, Y = y, Z = z;
          if (op == 0 || op == 1 || op == 3) X = L - 1 - x;
          if (op == 0 || op == 2 || op == 4) Y = L - 1 - y;
          if (op == 1 || op == 2 || op == 5) Z = L - 1 - z;
          double e = v[((size_t)z * L + y) * L + x] - v[((size_t)Z * L + Y) * L + X];
          d += e * e;
        }
    ck_assert_double_ge(sqrt(d / norm), 0.3);
  }
  free(w);
  w = NULL;
  ck_assert_int_eq(wasp_phantom_ribosome(8, &w), WASP_ERR_ARG);
  free(v);
}
END_TEST

START_TEST(test_sim_recipe)
{
  /* Poses: a pure function of (seed, index); shifts inside the disc. */
  double R1[9], R2[9], s1[2], s2[2];
  wasp_sim_pose(5, 123456789012L, 3.0, R1, s1);
  wasp_sim_pose(5, 123456789012L, 3.0, R2, s2);
  ck_assert_int_eq(memcmp(R1, R2, sizeof R1), 0);
  ck_assert(s1[0] == s2[0] && s1[1] == s2[1]);
  double smax = 0, mean[2] = {0, 0};
  for (long i = 0; i < 4000; i++) {
    wasp_sim_pose(5, i, 3.0, R1, s1);
    double r = hypot(s1[0], s1[1]);
    smax = r > smax ? r : smax;
    mean[0] += s1[0] / 4000;
    mean[1] += s1[1] / 4000;
  }
  ck_assert_double_le(smax, 3.0);
  ck_assert_double_ge(smax, 2.9);
  /* uniform in the disc of radius 3: Var x = 9/4, 5 standard errors */
  ck_assert_double_le(fabs(mean[0]), 5 * 1.5 / sqrt(4000.0));
  wasp_sim_pose(5, 1, 0.0, R1, s1);
  ck_assert(s1[0] == 0 && s1[1] == 0);
  /* Noise: N(0, sigma^2) per pixel; the same z for every sigma. */
  enum { m = 100000 };
  double *clean = calloc(m, sizeof(double)), *a = malloc(m * sizeof(double)),
         *b = malloc(m * sizeof(double));
  wasp_sim_add_noise(9, 4, 2.0, m, clean, a);
  wasp_sim_add_noise(9, 4, 0.5, m, clean, b);
  double sum = 0, sq = 0;
  for (long k = 0; k < m; k++) {
    sum += a[k];
    sq += a[k] * a[k];
    ck_assert_double_eq_tol(b[k], a[k] / 4, 1e-12);
  }
  ck_assert_double_le(fabs(sum / m), 5 * 2.0 / sqrt((double)m));
  ck_assert_double_le(fabs(sq / m - 4.0), 5 * 4.0 * sqrt(2.0 / m));
  /* Mask: zero beyond the radius, untouched inside. */
  double img[16 * 16];
  for (int k = 0; k < 256; k++) img[k] = 1;
  wasp_sim_mask(16, 5.0, img);
  ck_assert(img[8 * 16 + 8] == 1 && img[8 * 16 + 13] == 1 && img[8 * 16 + 14] == 0 && img[0] == 0);
  free(clean);
  free(a);
  free(b);
}
END_TEST

START_TEST(test_errors)
{
  float v[27] = {0};
  wasp_projector *p = NULL;
  ck_assert_int_eq(wasp_projector_create(v, 1, NULL, 8, &p), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_projector_create(v, 3, NULL, 1, &p), WASP_ERR_ARG);
  double bad[3] = {NAN, 1, 1};
  ck_assert_int_eq(wasp_projector_create(v, 3, bad, 4, &p), WASP_ERR_ARG);
  v[13] = INFINITY;
  ck_assert_int_eq(wasp_projector_create(v, 3, NULL, 4, &p), WASP_ERR_INPUT);
  ck_assert_ptr_null(p);
  v[13] = 1;
  ck_assert_int_eq(wasp_projector_create(v, 3, NULL, 4, &p), WASP_OK);
  double R[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, img[16], sh[2] = {NAN, 0};
  ck_assert_int_eq(wasp_projector_project(p, R, sh, img), WASP_ERR_ARG);
  wasp_projector_destroy(&p);
  wasp_projector_destroy(&p); /* safe on NULL */
}
END_TEST

int main(void)
{
  Suite *s = suite_create("project");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_blob_closed_form);
  tcase_add_test(tc, test_fourier_vs_real_space);
  tcase_add_test(tc, test_inplane_rotation);
  tcase_add_test(tc, test_center_of_mass);
  tcase_add_test(tc, test_phantom);
  tcase_add_test(tc, test_sim_recipe);
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  return unit_run(s);
}

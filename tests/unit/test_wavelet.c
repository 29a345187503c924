/* Unit tests of the 2-D DWT and wemd: the coefficient layout and sizes of
 * pywt's wavedecn, linearity, hand-checked cases (Haar on 2 x 2; a sym5
 * transform of a single pixel, whose level-1 coefficients are products of
 * filter taps), and the wemd formula on a delta.  The full cross-check
 * against PyWavelets is in tests/integration/test_kmeans.py. */
#include "unit_util.h"
#include "wasp/wasp_wavelet.h"

#include <math.h>
#include <stdlib.h>

/* pywt.Wavelet('sym5').dec_lo, dec_hi (independent copy of the taps). */
static const double lo[10] = {0.027333068345077982, 0.029519490925774643, -0.039134249302383094,
                              0.1993975339773936, 0.7234076904024206, 0.6339789634582119,
                              0.01660210576452232, -0.17532808990845047, -0.021101834024758855,
                              0.019538882735286728};

START_TEST(test_structure)
{
  wasp_wavelet *w;
  ck_assert_int_eq(wasp_wavelet_create("sym5", 128, 128, 6, &w), WASP_OK);
  /* pywt: 128 -> 68 -> 38 -> 23 -> 16 -> 12 -> 10, floor((N + 9) / 2). */
  const int sizes[6] = {10, 12, 16, 23, 38, 68};
  long total = 100;
  for (int j = 0; j < 6; j++) {
    int ny, nx;
    wasp_wavelet_shape(w, j, &ny, &nx);
    ck_assert_int_eq(ny, sizes[j]);
    ck_assert_int_eq(nx, sizes[j]);
    ck_assert_int_eq(wasp_wavelet_offset(w, j, 0), total);
    total += 3L * sizes[j] * sizes[j];
  }
  ck_assert_int_eq(wasp_wavelet_length(w), total);
  ck_assert_int_eq(wasp_wavelet_offset(w, -1, 0), 0);
  wasp_wavelet_destroy(&w);
  ck_assert_ptr_null(w);
  ck_assert_int_eq(wasp_wavelet_create("db99", 8, 8, 1, &w), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_wavelet_create("sym5", 8, 8, 0, &w), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_wavelet_create("sym5", 0, 8, 1, &w), WASP_ERR_ARG);
}
END_TEST

START_TEST(test_linearity)
{
  const int n = 37;
  wasp_wavelet *w;
  ck_assert_int_eq(wasp_wavelet_create("sym5", n, n + 3, 4, &w), WASP_OK);
  long len = wasp_wavelet_length(w);
  double *a = malloc(sizeof(double) * n * (n + 3)), *b = malloc(sizeof(double) * n * (n + 3));
  double *c = malloc(sizeof(double) * n * (n + 3));
  double *ca = malloc(sizeof(double) * len), *cb = malloc(sizeof(double) * len), *cc = malloc(sizeof(double) * len);
  uint64_t st = 5;
  for (int p = 0; p < n * (n + 3); p++) {
    a[p] = unit_normal(&st);
    b[p] = unit_normal(&st);
    c[p] = 2.5 * a[p] - 0.75 * b[p];
  }
  ck_assert_int_eq(wasp_wavelet_forward(w, a, ca), WASP_OK);
  ck_assert_int_eq(wasp_wavelet_forward(w, b, cb), WASP_OK);
  ck_assert_int_eq(wasp_wavelet_forward(w, c, cc), WASP_OK);
  for (long k = 0; k < len; k++) ck_assert_double_eq_tol(cc[k], 2.5 * ca[k] - 0.75 * cb[k], 1e-11);
  free(a), free(b), free(c), free(ca), free(cb), free(cc);
  wasp_wavelet_destroy(&w);
}
END_TEST

/* Haar, one level, 2 x 2 [[p, q], [r, s]]: with dec_lo = (1, 1)/sqrt2 and
 * dec_hi = (-1, 1)/sqrt2 and out = h0 x1 + h1 x0:
 * aa = (p+q+r+s)/2, ad = (p-q+r-s)/2, da = (p+q-r-s)/2, dd = (p-q-r+s)/2. */
START_TEST(test_haar_hand)
{
  wasp_wavelet *w;
  ck_assert_int_eq(wasp_wavelet_create("haar", 2, 2, 1, &w), WASP_OK);
  double img[4] = {1, 2, 3, 5}, c[4];
  ck_assert_int_eq(wasp_wavelet_length(w), 4);
  ck_assert_int_eq(wasp_wavelet_forward(w, img, c), WASP_OK);
  ck_assert_double_eq_tol(c[0], 11.0 / 2, 1e-15);
  ck_assert_double_eq_tol(c[1], (1 - 2 + 3 - 5) / 2.0, 1e-15);
  ck_assert_double_eq_tol(c[2], (1 + 2 - 3 - 5) / 2.0, 1e-15);
  ck_assert_double_eq_tol(c[3], (1 - 2 - 3 + 5) / 2.0, 1e-15);
  wasp_wavelet_destroy(&w);
}
END_TEST

/* sym5, one level, a unit pixel at (py, px) of a 12 x 12 image:
 * aa[o][q] = lo[2o+1-py] lo[2q+1-px] (zero where an index leaves [0, 10)). */
START_TEST(test_sym5_delta)
{
  const int n = 12, py = 5, px = 2;
  wasp_wavelet *w;
  ck_assert_int_eq(wasp_wavelet_create("sym5", n, n, 1, &w), WASP_OK);
  double img[144] = {0}, c[3 * 100 + 100];
  img[py * n + px] = 1.0;
  int ny, nx;
  wasp_wavelet_shape(w, -1, &ny, &nx);
  ck_assert_int_eq(ny, 10);
  ck_assert_int_eq(wasp_wavelet_forward(w, img, c), WASP_OK);
  for (int o = 0; o < 10; o++)
    for (int q = 0; q < 10; q++) {
      int t = 2 * o + 1 - py, u = 2 * q + 1 - px;
      double want = (t >= 0 && t < 10 && u >= 0 && u < 10) ? lo[t] * lo[u] : 0.0;
      ck_assert_double_eq_tol(c[o * 10 + q], want, 1e-16);
    }
  wasp_wavelet_destroy(&w);
}
END_TEST

/* wemd of a delta against zero: sum_j 2^{2(L-1-j)} sum |W delta| over details. */
START_TEST(test_wemd_formula)
{
  const int n = 16, L = 2;
  wasp_wavelet *w;
  ck_assert_int_eq(wasp_wavelet_create("haar", n, n, L, &w), WASP_OK);
  double a[256] = {0}, z[256] = {0}, d;
  a[3 * n + 5] = 1.0;
  /* Haar level 1 (finest, j = 1, weight 1): the pixel falls in one 2 x 2
   * block, three details of magnitude 1/2.  Level 2 (j = 0, weight 4): the
   * level-1 approximation 1/2 falls in one block, details 1/4 each. */
  ck_assert_int_eq(wasp_wemd_distance(w, a, z, &d), WASP_OK);
  ck_assert_double_eq_tol(d, 1.0 * 1.5 + 4.0 * 0.75, 1e-14);
  ck_assert_double_eq(wasp_wemd_weight(6, 0), 1024.0);
  ck_assert_double_eq(wasp_wemd_weight(6, 5), 1.0);
  wasp_wavelet_destroy(&w);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("wavelet");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_structure);
  tcase_add_test(tc, test_linearity);
  tcase_add_test(tc, test_haar_hand);
  tcase_add_test(tc, test_sym5_delta);
  tcase_add_test(tc, test_wemd_formula);
  suite_add_tcase(s, tc);
  return unit_run(s);
}

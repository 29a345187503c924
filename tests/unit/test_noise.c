/* Unit tests of the counter-based RNG and the noise models.  Statistical
 * checks use fixed keys, so they are deterministic; tolerances are 5
 * standard errors so that a correct generator passes with any key. */
#include "unit_util.h"
#include "wasp/wasp_noise.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <Random123/philox.h>
#pragma GCC diagnostic pop

static const wasp_rng_key KEY = {12345u, 1u, 2u, 3u, 4u};

/* The generator is Philox4x64-10 itself (known answers from Random123's
 * kat_vectors), and wasp_rng_u64 follows the documented layout: a change to
 * either would silently change every published result. */
START_TEST(test_philox_layout)
{
  philox4x64_ctr_t c = {{0, 0, 0, 0}};
  philox4x64_key_t k = {{0, 0}};
  philox4x64_ctr_t r = philox4x64(c, k);
  ck_assert_uint_eq(r.v[0], 0x16554d9eca36314cULL);
  ck_assert_uint_eq(r.v[3], 0x7e68b68aec7ba23bULL);
  philox4x64_ctr_t c2 = {{0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
                          0x082efa98ec4e6c89ULL}};
  philox4x64_key_t k2 = {{0x452821e638d01377ULL, 0xbe5466cf34e90c6cULL}};
  r = philox4x64(c2, k2);
  ck_assert_uint_eq(r.v[0], 0xa528f45403e61d95ULL);
  ck_assert_uint_eq(r.v[3], 0x57bd43b5e52b7fe6ULL);

  philox4x64_key_t kk = {{KEY.seed, ((uint64_t)KEY.a << 32) | KEY.b}};
  philox4x64_ctr_t cc = {{((uint64_t)KEY.c << 32) | KEY.d, 2, 0, 0}};
  r = philox4x64(cc, kk);
  ck_assert_uint_eq(wasp_rng_u64(&KEY, 9), r.v[1]);
}
END_TEST

START_TEST(test_same_key_same_numbers)
{
  wasp_rng_key k2 = KEY;
  for (uint64_t c = 0; c < 100; c++) {
    ck_assert(wasp_rng_uniform(&KEY, c) == wasp_rng_uniform(&k2, c));
    ck_assert(wasp_rng_normal(&KEY, c) == wasp_rng_normal(&k2, c));
  }
  /* Drawing a slice [first, first + count) gives exactly the entries of the
   * whole vector: what makes results independent of the rank layout. */
  enum { N = 103 };
  double whole[N], part[N], u[N];
  wasp_rng_normal_fill(&KEY, 0, N, whole);
  wasp_rng_normal_fill(&KEY, 37, N - 37, part);
  for (int i = 0; i < N - 37; i++) ck_assert(part[i] == whole[37 + i]);
  for (int i = 0; i < N; i++) ck_assert(whole[i] == wasp_rng_normal(&KEY, (uint64_t)i));
  wasp_rng_uniform_fill(&KEY, 5, N, 0, u);
  for (int i = 0; i < N; i++) ck_assert(u[i] == wasp_rng_uniform(&KEY, 5u + (uint64_t)i));
  wasp_rng_uniform_fill(&KEY, 5, N, 1, u);
  for (int i = 0; i < N; i++) ck_assert(u[i] == wasp_rng_uniform_open(&KEY, 5u + (uint64_t)i));
}
END_TEST

START_TEST(test_different_keys_differ)
{
  /* Every field of the key must change the stream. */
  for (int f = 0; f < 5; f++) {
    wasp_rng_key k = KEY;
    if (f == 0) k.seed++;
    if (f == 1) k.a++;
    if (f == 2) k.b++;
    if (f == 3) k.c++;
    if (f == 4) k.d++;
    int same = 0;
    for (uint64_t c = 0; c < 64; c++) same += wasp_rng_u64(&k, c) == wasp_rng_u64(&KEY, c);
    ck_assert_int_eq(same, 0);
  }
  /* Fields are not interchangeable: (a, b) = (1, 2) is not (2, 1). */
  wasp_rng_key s = KEY;
  s.a = KEY.b;
  s.b = KEY.a;
  ck_assert(wasp_rng_u64(&s, 0) != wasp_rng_u64(&KEY, 0));
  /* Uniform and normal streams of one key are not the same bits. */
  double bm = sqrt(-2 * log(wasp_rng_uniform_open(&KEY, 0))) *
              cos(6.283185307179586 * wasp_rng_uniform(&KEY, 1));
  ck_assert(wasp_rng_normal(&KEY, 0) != bm);
}
END_TEST

START_TEST(test_uniform_moments)
{
  const long N = 1000000;
  double s = 0, s2 = 0, lo = 1, hi = 0;
  for (long i = 0; i < N; i++) {
    double u = wasp_rng_uniform(&KEY, (uint64_t)i), v = wasp_rng_uniform_open(&KEY, (uint64_t)i);
    ck_assert(u >= 0.0 && u < 1.0);
    ck_assert(v > 0.0 && v < 1.0);
    s += u;
    s2 += u * u;
    lo = fmin(lo, u);
    hi = fmax(hi, u);
  }
  double mean = s / N, var = s2 / N - mean * mean;
  ck_assert_double_le(fabs(mean - 0.5), 5 * sqrt(1.0 / 12 / N));
  /* Var of (u - 1/2)^2 is 1/180: the SE of the sample variance. */
  ck_assert_double_le(fabs(var - 1.0 / 12), 5 * sqrt(1.0 / 180 / N));
  ck_assert_double_lt(lo, 1e-4);
  ck_assert_double_gt(hi, 1 - 1e-4);
}
END_TEST

START_TEST(test_normal_moments)
{
  const long N = 1000000;
  double *z = malloc(sizeof(double) * (size_t)N);
  ck_assert_ptr_nonnull(z);
  wasp_rng_normal_fill(&KEY, 0, N, z);
  double s = 0, s2 = 0, s4 = 0;
  for (long i = 0; i < N; i++) {
    s += z[i];
    s2 += z[i] * z[i];
    s4 += z[i] * z[i] * z[i] * z[i];
  }
  double mean = s / N, var = s2 / N - mean * mean, kurt = s4 / N;
  ck_assert_double_le(fabs(mean), 5 / sqrt((double)N));
  ck_assert_double_le(fabs(var - 1), 5 * sqrt(2.0 / N));
  /* E z^4 = 3, Var z^4 = 105 - 9 = 96. */
  ck_assert_double_le(fabs(kurt - 3), 5 * sqrt(96.0 / N));
  free(z);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

START_TEST(test_normal_ks)
{
  /* Kolmogorov-Smirnov against Phi: sqrt(N) D < 1.95 at the 0.1% level. */
  const long N = 100000;
  double *z = malloc(sizeof(double) * (size_t)N);
  ck_assert_ptr_nonnull(z);
  wasp_rng_key k = KEY;
  k.c = 99;
  wasp_rng_normal_fill(&k, 0, N, z);
  qsort(z, (size_t)N, sizeof(double), cmp_double);
  double d = 0;
  for (long i = 0; i < N; i++) {
    double phi = 0.5 * erfc(-z[i] / sqrt(2.0));
    d = fmax(d, fmax((double)(i + 1) / N - phi, phi - (double)i / N));
  }
  ck_assert_double_lt(sqrt((double)N) * d, 1.95);
  free(z);
}
END_TEST

START_TEST(test_draw_index)
{
  enum { NB = 10 };
  const long N = 100000;
  long counts[NB] = {0};
  for (long i = 0; i < N; i++) {
    long v = wasp_rng_draw_index(&KEY, (uint64_t)i, NB);
    ck_assert(v >= 0 && v < NB);
    counts[v]++;
  }
  /* Chi-square with 9 degrees of freedom: 27.9 is its 0.1% quantile. */
  double chi2 = 0, e = (double)N / NB;
  for (int b = 0; b < NB; b++) chi2 += (counts[b] - e) * (counts[b] - e) / e;
  ck_assert_double_lt(chi2, 27.9);
  ck_assert_int_eq(wasp_rng_draw_index(&KEY, 0, 1), 0);
  ck_assert_int_eq(wasp_rng_draw_index(&KEY, 0, 0), -1);
  ck_assert_int_eq(wasp_rng_draw_index(&KEY, 7, 1000), wasp_rng_draw_index(&KEY, 7, 1000));
  /* A huge n, where rejection matters most, stays in range. */
  long big = (3L << 61) - 1;
  for (uint64_t c = 0; c < 1000; c++) {
    long v = wasp_rng_draw_index(&KEY, c, big);
    ck_assert(v >= 0 && v < big);
  }
}
END_TEST

START_TEST(test_model_parse)
{
  wasp_noise_model m;
  ck_assert_int_eq(wasp_noise_model_parse("iid", &m), WASP_OK);
  ck_assert_int_eq(m, WASP_NOISE_IID);
  ck_assert_int_eq(wasp_noise_model_parse("zerosum", &m), WASP_OK);
  ck_assert_int_eq(m, WASP_NOISE_ZEROSUM);
  ck_assert_str_eq(wasp_noise_model_name(WASP_NOISE_ZEROSUM), "zerosum");
  ck_assert_int_eq(wasp_noise_model_parse("gauss", &m), WASP_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(wasp_last_error(), "'gauss'"));
  ck_assert_ptr_nonnull(strstr(wasp_last_error(), "iid"));
  ck_assert_ptr_nonnull(strstr(wasp_last_error(), "zerosum"));
  ck_assert_int_eq(wasp_noise_model_parse(NULL, &m), WASP_ERR_ARG);
}
END_TEST

START_TEST(test_fill_errors)
{
  double e[4];
  ck_assert_int_eq(wasp_noise_fill(WASP_NOISE_IID, -1.0, &KEY, 4, e), WASP_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(wasp_last_error(), "sigma"));
  ck_assert_int_eq(wasp_noise_fill(WASP_NOISE_IID, NAN, &KEY, 4, e), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_noise_fill(WASP_NOISE_ZEROSUM, 1.0, &KEY, 1, e), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_noise_fill(WASP_NOISE_IID, 1.0, &KEY, 0, e), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_noise_add(WASP_NOISE_IID, -1.0, &KEY, 4, e), WASP_ERR_ARG);
  ck_assert_int_eq(wasp_noise_fill(WASP_NOISE_IID, 1.0, &KEY, 1, e), WASP_OK);
  ck_assert_int_eq(wasp_noise_fill(WASP_NOISE_ZEROSUM, 0.0, &KEY, 4, e), WASP_OK);
  for (int i = 0; i < 4; i++) ck_assert(e[i] == 0.0);
}
END_TEST

START_TEST(test_iid_fill_and_add)
{
  enum { M = 1000 };
  double eps[M], x[M], y[M];
  ck_assert_int_eq(wasp_noise_fill(WASP_NOISE_IID, 0.25, &KEY, M, eps), WASP_OK);
  for (int i = 0; i < M; i++) ck_assert(eps[i] == 0.25 * wasp_rng_normal(&KEY, (uint64_t)i));
  for (int model = 0; model < 2; model++) {
    ck_assert_int_eq(wasp_noise_fill((wasp_noise_model)model, 0.25, &KEY, M, eps), WASP_OK);
    for (int i = 0; i < M; i++) x[i] = y[i] = 1.0 + i;
    ck_assert_int_eq(wasp_noise_add((wasp_noise_model)model, 0.25, &KEY, M, x), WASP_OK);
    for (int i = 0; i < M; i++) ck_assert(x[i] == y[i] + eps[i]);
  }
}
END_TEST

static double compensated(long m, const double *x)
{
  double s = 0, c = 0;
  for (long k = 0; k < m; k++) {
    double t = s + x[k];
    c += fabs(s) >= fabs(x[k]) ? (s - t) + x[k] : (x[k] - t) + s;
    s = t;
  }
  return s + c;
}

START_TEST(test_zerosum_sum)
{
  const long m = 1 << 16;
  double *eps = malloc(sizeof(double) * (size_t)m);
  ck_assert_ptr_nonnull(eps);
  const double sigmas[] = {1e-7, 1e-3, 1.0, 1e3};
  for (int s = 0; s < 4; s++) {
    wasp_rng_key k = wasp_rng_key_make(7, 0, (uint32_t)s, 0, 0);
    ck_assert_int_eq(wasp_noise_fill(WASP_NOISE_ZEROSUM, sigmas[s], &k, m, eps), WASP_OK);
    ck_assert_double_lt(fabs(compensated(m, eps)), 1e-9 * sigmas[s] * sqrt((double)m));
  }
  free(eps);
}
END_TEST

START_TEST(test_zerosum_covariance)
{
  /* Assumption 1: Var eps_k = sigma^2, Cov(eps_k, eps_l) = -sigma^2/(m-1). */
  enum { M = 8 };
  const long T = 40000;
  const double sigma = 0.3, s2 = sigma * sigma, cov = -s2 / (M - 1);
  double var[M] = {0}, c01 = 0, c27 = 0, eps[M];
  for (long t = 0; t < T; t++) {
    wasp_rng_key k = wasp_rng_key_make(11, 0, 0, (uint32_t)t, 0);
    ck_assert_int_eq(wasp_noise_fill(WASP_NOISE_ZEROSUM, sigma, &k, M, eps), WASP_OK);
    for (int i = 0; i < M; i++) var[i] += eps[i] * eps[i];
    c01 += eps[0] * eps[1];
    c27 += eps[2] * eps[7];
  }
  /* The mean is known to be 0, so E[eps^2] is the variance: SE sigma^2
   * sqrt(2/T); for a product of jointly normal entries Var(xy) = s^4 + cov^2. */
  for (int i = 0; i < M; i++) ck_assert_double_le(fabs(var[i] / T - s2), 5 * s2 * sqrt(2.0 / T));
  double se_cov = sqrt((s2 * s2 + cov * cov) / T);
  ck_assert_double_le(fabs(c01 / T - cov), 5 * se_cov);
  ck_assert_double_le(fabs(c27 / T - cov), 5 * se_cov);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("noise");
  TCase *tc = tcase_create("noise");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_philox_layout);
  tcase_add_test(tc, test_same_key_same_numbers);
  tcase_add_test(tc, test_different_keys_differ);
  tcase_add_test(tc, test_uniform_moments);
  tcase_add_test(tc, test_normal_moments);
  tcase_add_test(tc, test_normal_ks);
  tcase_add_test(tc, test_draw_index);
  tcase_add_test(tc, test_model_parse);
  tcase_add_test(tc, test_fill_errors);
  tcase_add_test(tc, test_iid_fill_and_add);
  tcase_add_test(tc, test_zerosum_sum);
  tcase_add_test(tc, test_zerosum_covariance);
  suite_add_tcase(s, tc);
  return unit_run(s);
}

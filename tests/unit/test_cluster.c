/* Unit tests of the k-means kernels: the pruned assignment against the brute
 * force (identical clusters, rotations and sums) on random small data; the
 * k-means++ draw against the D^2 law (chi-square); exact, order-independent
 * fixed-point sums; the evaluation statistics against a hand computation. */
#include "unit_util.h"
#include "wasp/wasp_cluster.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Smooth blobs plus noise: realistic enough that pruning has work to do. */
static void random_image(uint64_t *st, int n, double *img)
{
  double cx = n * (0.3 + 0.4 * unit_uniform(st)), cy = n * (0.3 + 0.4 * unit_uniform(st));
  double sx = n * (0.05 + 0.1 * unit_uniform(st)), sy = n * (0.05 + 0.1 * unit_uniform(st));
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      img[i * n + j] = exp(-0.5 * ((j - cx) * (j - cx) / (sx * sx) + (i - cy) * (i - cy) / (sy * sy))) +
                       0.2 * unit_normal(st);
}

static void check_pruned_equals_brute(wasp_cluster_metric metric, int n, int m, long nimg, long k)
{
  wasp_cluster_space *sp;
  ck_assert_int_eq(wasp_cluster_space_create(metric, n, m, 3, &sp), WASP_OK);
  long dim = wasp_cluster_space_dim(sp);
  float *imf = malloc(sizeof(float) * dim * nimg), *cf = malloc(sizeof(float) * dim * k * m);
  double *img = malloc(sizeof(double) * n * n);
  uint64_t st = 11 + (uint64_t)metric;
  for (long i = 0; i < nimg; i++) {
    random_image(&st, n, img);
    if (metric == WASP_CLUSTER_W1)
      for (int p = 0; p < n * n; p++) img[p] = fabs(img[p]);
    ck_assert_int_eq(wasp_cluster_space_features(sp, img, imf, nimg, i), WASP_OK);
  }
  for (long j = 0; j < k; j++) {
    random_image(&st, n, img);
    if (metric == WASP_CLUSTER_W1)
      for (int p = 0; p < n * n; p++) img[p] = fabs(img[p]);
    ck_assert_int_eq(wasp_cluster_space_rotations_of(sp, img, cf + j * m * dim, m, 0), WASP_OK);
  }
  wasp_cluster_best *bb = malloc(sizeof *bb * nimg), *bp = malloc(sizeof *bp * nimg);
  wasp_cluster_best_reset(bb, nimg);
  wasp_cluster_best_reset(bp, nimg);
  wasp_cluster_counts cb = {0, 0}, cp = {0, 0};
  /* One candidate set per centroid, visited in reverse order for the pruned
   * run: the answer must not depend on the order either. */
  for (long j = 0; j < k; j++)
    ck_assert_int_eq(wasp_cluster_assign(sp, nimg, imf, j, 1, cf + j * m * dim, false, bb, &cb), WASP_OK);
  for (long j = k - 1; j >= 0; j--)
    ck_assert_int_eq(wasp_cluster_assign(sp, nimg, imf, j, 1, cf + j * m * dim, true, bp, &cp), WASP_OK);
  for (long i = 0; i < nimg; i++) {
    ck_assert_int_eq(bb[i].cluster, bp[i].cluster);
    ck_assert_int_eq(bb[i].rotation, bp[i].rotation);
    ck_assert(bb[i].sum == bp[i].sum);
  }
  ck_assert_int_eq(cb.full, nimg * k * m);
  /* Guesses: 1.1 x the answer gives the exact answer; 0.9 x leaves every
   * image above its guess (the caller's cue to search again); a guess of
   * half the images then redone over the subset gives the exact answer. */
  if (metric != WASP_CLUSTER_W1) {
    double *hint = malloc(sizeof(double) * nimg);
    long *sub = malloc(sizeof(long) * nimg), nsub = 0;
    wasp_cluster_best *bh = malloc(sizeof *bh * nimg);
    for (int trial = 0; trial < 2; trial++) {
      for (long i = 0; i < nimg; i++) hint[i] = bb[i].sum * (trial ? 0.9 : 1.1);
      wasp_cluster_best_reset(bh, nimg);
      for (long j = 0; j < k; j++)
        ck_assert_int_eq(wasp_cluster_assign_hinted(sp, nimg, imf, NULL, nimg, hint, j, 1, cf + j * m * dim, bh, NULL),
                         WASP_OK);
      for (long i = 0; i < nimg; i++) {
        if (trial == 0) {
          ck_assert(bh[i].sum == bb[i].sum && bh[i].cluster == bb[i].cluster && bh[i].rotation == bb[i].rotation);
        } else {
          ck_assert(!(bh[i].sum <= hint[i]));
          if (i % 2) sub[nsub++] = i;
        }
      }
    }
    for (long q = 0; q < nsub; q++) wasp_cluster_best_reset(&bh[sub[q]], 1);
    for (long j = 0; j < k; j++)
      ck_assert_int_eq(wasp_cluster_assign_hinted(sp, nimg, imf, sub, nsub, NULL, j, 1, cf + j * m * dim, bh, NULL), WASP_OK);
    for (long q = 0; q < nsub; q++) {
      long i = sub[q];
      ck_assert(bh[i].sum == bb[i].sum && bh[i].cluster == bb[i].cluster && bh[i].rotation == bb[i].rotation);
    }
    free(hint), free(sub), free(bh);
  }
  if (metric == WASP_CLUSTER_WEMD) ck_assert_int_gt(cp.pruned, 0); /* l2 and w1 evaluate every candidate */
  printf("%s: %ld of %ld candidates pruned\n", wasp_cluster_metric_name(metric), cp.pruned, cp.pruned + cp.full);
  free(imf), free(cf), free(img), free(bb), free(bp);
  wasp_cluster_space_destroy(&sp);
}

START_TEST(test_pruned_wemd) { check_pruned_equals_brute(WASP_CLUSTER_WEMD, 32, 24, 40, 6); }
END_TEST
START_TEST(test_pruned_l2) { check_pruned_equals_brute(WASP_CLUSTER_L2, 32, 24, 40, 6); }
END_TEST
START_TEST(test_pruned_w1) { check_pruned_equals_brute(WASP_CLUSTER_W1, 8, 4, 5, 2); }
END_TEST

/* The brute-force minimum equals an independent double-precision search of
 * min over (j, r) of sum |features| (features as the space writes them). */
START_TEST(test_brute_is_minimum)
{
  const int n = 16, m = 8;
  const long nimg = 10, k = 3;
  wasp_cluster_space *sp;
  ck_assert_int_eq(wasp_cluster_space_create(WASP_CLUSTER_L2, n, m, 0, &sp), WASP_OK);
  long dim = wasp_cluster_space_dim(sp);
  ck_assert_int_eq(dim, n * n + 32); /* 8 bands of 2 rows, then the norm block (padded to 32) */
  float *imf = malloc(sizeof(float) * dim), *cf = malloc(sizeof(float) * dim * k * m);
  double *img = malloc(sizeof(double) * n * n);
  uint64_t st = 99;
  for (long j = 0; j < k; j++) {
    random_image(&st, n, img);
    wasp_cluster_space_rotations_of(sp, img, cf + j * m * dim, m, 0);
  }
  for (long i = 0; i < nimg; i++) {
    random_image(&st, n, img);
    wasp_cluster_space_features(sp, img, imf, 1, 0);
    wasp_cluster_best b;
    wasp_cluster_best_reset(&b, 1);
    for (long j = 0; j < k; j++) wasp_cluster_assign(sp, 1, imf, j, 1, cf + j * m * dim, false, &b, NULL);
    /* Row bands of a set of m items: band b of item r at off[b]*m + r*len[b];
     * with n = 16 and 8 bands each band is 2 rows = 32 floats. */
    double bestv = INFINITY;
    long bj = -1;
    int br = -1;
    for (long j = 0; j < k; j++)
      for (int r = 0; r < m; r++) {
        double s = 0;
        for (int band = 0; band < 8; band++)
          for (int q = 0; q < 32; q++) {
            double d = (double)imf[band * 32 + q] - cf[j * m * dim + band * 32 * m + r * 32 + q];
            s += d * d;
          }
        if (s < bestv) bestv = s, bj = j, br = r;
      }
    ck_assert_int_eq(b.cluster, bj);
    ck_assert_int_eq(b.rotation, br);
    ck_assert_double_eq_tol(b.sum, bestv, 1e-5 * bestv);
  }
  free(imf), free(cf), free(img);
  wasp_cluster_space_destroy(&sp);
}
END_TEST

/* D^2 law: the second k-means++ centre is image i with probability
 * d_i^2 / sum d^2.  Weights are rotationally-invariant squared distances of
 * random images to a first centre (brute force); 200,000 draws from
 * independent counters; chi-square with 7 degrees of freedom must stay below
 * 40 (p ~ 1e-6 for a correct sampler; a uniform draw gives thousands). */
START_TEST(test_kmeanspp_d2_law)
{
  const int n = 16, m = 12;
  const long nimg = 8, draws = 200000;
  wasp_cluster_space *sp;
  ck_assert_int_eq(wasp_cluster_space_create(WASP_CLUSTER_WEMD, n, m, 3, &sp), WASP_OK);
  long dim = wasp_cluster_space_dim(sp);
  float *imf = malloc(sizeof(float) * dim * nimg), *cf = malloc(sizeof(float) * dim * m);
  double *img = malloc(sizeof(double) * n * n), w[8], p[8];
  uint64_t st = 3;
  for (long i = 0; i < nimg; i++) {
    random_image(&st, n, img);
    wasp_cluster_space_features(sp, img, imf, nimg, i);
    if (i == 0) wasp_cluster_space_rotations_of(sp, img, cf, m, 0);
  }
  wasp_cluster_best b[8];
  wasp_cluster_best_reset(b, nimg);
  wasp_cluster_assign(sp, nimg, imf, 0, 1, cf, true, b, NULL);
  double total = 0;
  for (long i = 0; i < nimg; i++) {
    double d = wasp_cluster_space_distance(sp, b[i].sum);
    w[i] = d * d;
    total += w[i];
  }
  ck_assert(w[0] == 0.0); /* the centre itself (rotation 0) is never drawn */
  long count[8] = {0};
  wasp_rng_key key = wasp_rng_key_make(42, 1, 0, 0, 0);
  for (long t = 0; t < draws; t++) {
    long pick;
    ck_assert_int_eq(wasp_kmeanspp_draw(&key, (uint64_t)t, w, nimg, &pick), WASP_OK);
    ck_assert(pick >= 1 && pick < nimg);
    count[pick]++;
  }
  double chi2 = 0;
  for (long i = 1; i < nimg; i++) {
    p[i] = w[i] / total;
    double e = p[i] * draws;
    chi2 += (count[i] - e) * (count[i] - e) / e;
  }
  printf("k-means++ D^2 law: chi-square %.2f (7 dof)\n", chi2);
  ck_assert(chi2 < 40.0);
  /* All-zero weights: a uniform draw, still in range. */
  double z[3] = {0, 0, 0};
  long pick;
  ck_assert_int_eq(wasp_kmeanspp_draw(&key, 1, z, 3, &pick), WASP_OK);
  ck_assert(pick >= 0 && pick < 3);
  z[1] = -1;
  ck_assert_int_eq(wasp_kmeanspp_draw(&key, 1, z, 3, &pick), WASP_ERR_INPUT);
  free(imf), free(cf), free(img);
  wasp_cluster_space_destroy(&sp);
}
END_TEST

/* Fixed-point sums: exact integers, so any order gives the same bits, and
 * the mean is within one unit of the scale of the double mean. */
START_TEST(test_fixed_point)
{
  const int n = 8;
  double s = wasp_cluster_fixed_scale(10000, 3.0);
  ck_assert(10000.0 * 2 * 3.0 * s < 0x1.0p62);
  ck_assert(10000.0 * 2 * 3.0 * s * 2 >= 0x1.0p62);
  double img[3][64], scratch[64];
  uint64_t st = 8;
  for (int a = 0; a < 3; a++)
    for (int p = 0; p < 64; p++) img[a][p] = unit_normal(&st);
  int64_t fwd[64] = {0}, rev[64] = {0};
  for (int a = 0; a < 3; a++) wasp_cluster_accumulate(img[a], n, 0.3 * a, s, fwd, scratch);
  for (int a = 2; a >= 0; a--) wasp_cluster_accumulate(img[a], n, 0.3 * a, s, rev, scratch);
  for (int p = 0; p < 64; p++) ck_assert(fwd[p] == rev[p]);
  /* Angle 0 is the identity: the sum is the rounded sum of the pixels. */
  int64_t one[64] = {0};
  wasp_cluster_accumulate(img[0], n, 0.0, s, one, scratch);
  for (int p = 0; p < 64; p++) ck_assert_double_eq_tol((double)one[p] / s, img[0][p], 1.0 / s);
}
END_TEST

/* Evaluation by hand: 5 images, 2 clusters.  Cluster 0 = {e_z, e_z rotated
 * 30 degrees towards x, -e_z}: angles 30, 180, 150; cluster 1 = {e_x, e_y}:
 * 90.  Sorted: 30, 90, 150, 180 -> median 120; under 10: 0; under 20: 0;
 * > 160: 1/4.  Sizes 3, 2: evenness = -(0.6 ln 0.6 + 0.4 ln 0.4) / ln 2. */
START_TEST(test_evaluate_hand)
{
  const double c = cos(M_PI / 6), sn = sin(M_PI / 6);
  double v[15] = {0, 0, 1, sn, 0, c, 0, 0, -1, 1, 0, 0, 0, 1, 0};
  long a[5] = {0, 0, 0, 1, 1};
  wasp_cluster_eval ev;
  ck_assert_int_eq(wasp_cluster_evaluate(5, 2, a, v, &ev), WASP_OK);
  ck_assert_int_eq(ev.pairs, 4);
  ck_assert_double_eq_tol(ev.median_angle_deg, 120.0, 1e-9);
  ck_assert_double_eq(ev.frac_under_10deg, 0.0);
  ck_assert_double_eq(ev.frac_under_20deg, 0.0);
  ck_assert_double_eq_tol(ev.antipodal_frac, 0.25, 1e-15);
  ck_assert_double_eq_tol(ev.occupancy_evenness, -(0.6 * log(0.6) + 0.4 * log(0.4)) / log(2.0), 1e-14);
  ck_assert_int_eq(ev.sizes[0], 3);
  ck_assert_int_eq(ev.sizes[1], 2);
  ck_assert_int_eq(ev.hist[29] + ev.hist[30], 1); /* acos(cos 30deg) may round below 30 */
  ck_assert_int_eq(ev.hist[179], 1);
  wasp_cluster_eval_free(&ev);
  a[4] = 2;
  ck_assert_int_eq(wasp_cluster_evaluate(5, 2, a, v, &ev), WASP_ERR_INPUT);
}
END_TEST

START_TEST(test_metric_names)
{
  wasp_cluster_metric m;
  ck_assert_int_eq(wasp_cluster_metric_parse("l2", &m), WASP_OK);
  ck_assert_int_eq(m, WASP_CLUSTER_L2);
  ck_assert_int_eq(wasp_cluster_metric_parse("emd", &m), WASP_ERR_ARG);
  wasp_cluster_space *sp;
  ck_assert_int_eq(wasp_cluster_space_create(WASP_CLUSTER_WEMD, 4, 10, 6, &sp), WASP_ERR_INPUT);
  ck_assert_int_eq(wasp_cluster_space_create(WASP_CLUSTER_WEMD, 16, 0, 6, &sp), WASP_ERR_ARG);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("cluster");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_pruned_wemd);
  tcase_add_test(tc, test_pruned_l2);
  tcase_add_test(tc, test_pruned_w1);
  tcase_add_test(tc, test_brute_is_minimum);
  tcase_add_test(tc, test_kmeanspp_d2_law);
  tcase_add_test(tc, test_fixed_point);
  tcase_add_test(tc, test_evaluate_hand);
  tcase_add_test(tc, test_metric_names);
  suite_add_tcase(s, tc);
  return unit_run(s);
}

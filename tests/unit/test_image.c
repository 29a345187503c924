/* Unit tests of the built-in images and the image spec parser. */
#include "unit_util.h"
#include "wasp/wasp_image.h"

#include <math.h>
#include <string.h>

static void check_probability(const wasp_measure *img, int n)
{
  ck_assert_int_eq(img->kind, WASP_MEASURE_GRID);
  ck_assert_int_eq(img->ny, n);
  ck_assert_int_eq(img->nx, n);
  for (long k = 0; k < (long)n * n; k++) ck_assert(img->w[k] >= 0.0 && isfinite(img->w[k]));
  ck_assert_double_le(fabs(wasp_measure_mass(img) - 1.0), 1e-12);
}

START_TEST(test_builtin_masses)
{
  int count;
  const wasp_image_builtin_info *tab = wasp_image_list_builtin(&count);
  ck_assert_int_eq(count, 5);
  const int sizes[] = {2, 3, 4, 7, 32, 64};
  for (int b = 0; b < count; b++) {
    ck_assert_ptr_nonnull(tab[b].description);
    for (int s = 0; s < 6; s++) {
      wasp_measure img;
      ck_assert_msg(wasp_image_builtin(tab[b].name, sizes[s], 3, &img) == WASP_OK, "%s %d: %s",
                    tab[b].name, sizes[s], wasp_last_error());
      check_probability(&img, sizes[s]);
      wasp_measure_destroy(&img);
    }
  }
}
END_TEST

static bool same_image(const wasp_measure *a, const wasp_measure *b)
{
  return a->ny == b->ny && a->nx == b->nx &&
         memcmp(a->w, b->w, sizeof(double) * (size_t)a->ny * (size_t)a->nx) == 0;
}

START_TEST(test_builtin_determinism)
{
  const char *names[] = {"white", "blobs", "cryo"};
  for (int b = 0; b < 3; b++) {
    wasp_measure x, y, z;
    ck_assert_int_eq(wasp_image_builtin(names[b], 32, 7, &x), WASP_OK);
    ck_assert_int_eq(wasp_image_builtin(names[b], 32, 7, &y), WASP_OK);
    ck_assert_int_eq(wasp_image_builtin(names[b], 32, 8, &z), WASP_OK);
    ck_assert_msg(same_image(&x, &y), "%s differs for one seed", names[b]);
    ck_assert_msg(!same_image(&x, &z), "%s ignores its seed", names[b]);
    wasp_measure_destroy(&x);
    wasp_measure_destroy(&y);
    wasp_measure_destroy(&z);
  }
  /* White pixels are strictly positive. */
  wasp_measure w;
  ck_assert_int_eq(wasp_image_builtin("white", 16, 0, &w), WASP_OK);
  for (int k = 0; k < 256; k++) ck_assert(w.w[k] > 0.0);
  wasp_measure_destroy(&w);
}
END_TEST

START_TEST(test_squares_shape)
{
  wasp_measure img;
  ck_assert_int_eq(wasp_image_builtin("squares", 32, 0, &img), WASP_OK);
  /* An 8x8 square at (4..11) and a 4x4 one at (20..23), equal pixel values. */
  double v = 1.0 / (64 + 16);
  int nonzero = 0;
  for (int i = 0; i < 32; i++)
    for (int j = 0; j < 32; j++) {
      bool in = (i >= 4 && i < 12 && j >= 4 && j < 12) || (i >= 20 && i < 24 && j >= 20 && j < 24);
      double w = img.w[i * 32 + j];
      ck_assert_double_eq_tol(w, in ? v : 0.0, 1e-15);
      nonzero += w > 0;
    }
  ck_assert_int_eq(nonzero, 80);
  wasp_measure_destroy(&img);
}
END_TEST

START_TEST(test_cryo_two_clusters)
{
  /* The large subunit carries more mass than the small one: split the image
   * along the line through both cluster centres' midpoint. */
  wasp_measure img;
  ck_assert_int_eq(wasp_image_builtin("cryo", 64, 1, &img), WASP_OK);
  double upper = 0, lower = 0;
  for (int i = 0; i < 64; i++)
    for (int j = 0; j < 64; j++) *(i + j < 70 ? &upper : &lower) += img.w[i * 64 + j];
  ck_assert_double_gt(upper, lower);
  ck_assert_double_gt(lower, 0.05);
  wasp_measure_destroy(&img);
}
END_TEST

START_TEST(test_dirac)
{
  wasp_measure img;
  ck_assert_int_eq(wasp_image_dirac(32, 8, 5, &img), WASP_OK);
  check_probability(&img, 32);
  ck_assert(img.w[8 * 32 + 5] == 1.0);
  wasp_measure_destroy(&img);
  ck_assert_int_eq(wasp_image_dirac(32, 32, 0, &img), WASP_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(wasp_last_error(), "(32, 0)"));
  ck_assert_ptr_null(img.w);
  ck_assert_int_eq(wasp_image_builtin("dirac", 9, 0, &img), WASP_OK);
  ck_assert(img.w[4 * 9 + 4] == 1.0);
  wasp_measure_destroy(&img);
}
END_TEST

START_TEST(test_normalize)
{
  wasp_measure img;
  ck_assert_int_eq(wasp_measure_create_grid(2, 2, &img), WASP_OK);
  img.w[0] = 3.0;
  img.w[3] = 1.0;
  ck_assert_int_eq(wasp_image_normalize(&img), WASP_OK);
  ck_assert_double_eq(img.w[0], 0.75);
  ck_assert_double_eq(img.w[3], 0.25);
  img.w[0] = -2.0;
  ck_assert_int_eq(wasp_image_normalize(&img), WASP_ERR_INPUT);
  ck_assert_ptr_nonnull(strstr(wasp_last_error(), "-1.75"));
  img.w[0] = img.w[3] = 0.0;
  ck_assert_int_eq(wasp_image_normalize(&img), WASP_ERR_INPUT);
  ck_assert_ptr_nonnull(strstr(wasp_last_error(), "mass is 0"));
  wasp_measure_destroy(&img);
}
END_TEST

START_TEST(test_spec_ok)
{
  wasp_measure a, b;
  ck_assert(wasp_image_is_spec("builtin:blobs:32"));
  ck_assert(!wasp_image_is_spec("blobs.h5"));
  ck_assert_int_eq(wasp_image_from_spec("builtin:blobs:32", &a), WASP_OK);
  ck_assert_int_eq(wasp_image_builtin("blobs", 32, 0, &b), WASP_OK);
  ck_assert(same_image(&a, &b));
  wasp_measure_destroy(&a);
  wasp_measure_destroy(&b);
  ck_assert_int_eq(wasp_image_from_spec("builtin:cryo:16:seed=7", &a), WASP_OK);
  ck_assert_int_eq(wasp_image_builtin("cryo", 16, 7, &b), WASP_OK);
  ck_assert(same_image(&a, &b));
  wasp_measure_destroy(&a);
  wasp_measure_destroy(&b);
  ck_assert_int_eq(wasp_image_from_spec("builtin:dirac:32:8,8", &a), WASP_OK);
  check_probability(&a, 32);
  ck_assert(a.w[8 * 32 + 8] == 1.0);
  wasp_measure_destroy(&a);
  ck_assert_int_eq(wasp_image_from_spec("builtin:dirac:32:24,3:seed=1", &a), WASP_OK);
  ck_assert(a.w[24 * 32 + 3] == 1.0);
  wasp_measure_destroy(&a);
}
END_TEST

/* Each bad spec must fail with WASP_ERR_ARG, quote the token at fault and
 * leave the image empty. */
START_TEST(test_spec_errors)
{
  static const struct {
    const char *spec, *token;
  } cases[] = {
    {"blobs:32", "'blobs:32'"},
    {"builtin:blob:32", "'blob'"},
    {"builtin:blob:32", "white, squares, blobs, dirac, cryo"},
    {"builtin::32", "''"},
    {"builtin:blobs", "no size"},
    {"builtin:blobs:", "no size"},
    {"builtin:blobs:3x", "'3x'"},
    {"builtin:blobs: 32", "' 32'"},
    {"builtin:blobs:1", "'1'"},
    {"builtin:blobs:4097", "'4097'"},
    {"builtin:blobs:-8", "'-8'"},
    {"builtin:blobs:99999999999999999999", "'99999999999999999999'"},
    {"builtin:blobs:32:seed=x", "'seed=x'"},
    {"builtin:blobs:32:seed=-1", "'seed=-1'"},
    {"builtin:blobs:32:color=red", "'color=red'"},
    {"builtin:blobs:32:8,8", "'8,8'"},
    {"builtin:dirac:32:8,32", "'8,32'"},
    {"builtin:dirac:32:8;8", "'8;8'"},
    {"builtin:dirac:32:a,8", "'a,8'"},
    {"builtin:dirac:32:1,1:2,2", "'2,2'"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    wasp_measure img;
    wasp_clear_error();
    ck_assert_int_eq(wasp_image_from_spec(cases[c].spec, &img), WASP_ERR_ARG);
    ck_assert_msg(strstr(wasp_last_error(), cases[c].token) != NULL, "%s: message '%s' lacks %s",
                  cases[c].spec, wasp_last_error(), cases[c].token);
    ck_assert_ptr_null(img.w);
  }
  wasp_measure img;
  ck_assert_int_eq(wasp_image_builtin("lena", 32, 0, &img), WASP_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(wasp_last_error(), "'lena'"));
  ck_assert_ptr_nonnull(strstr(wasp_last_error(), "cryo"));
  ck_assert_int_eq(wasp_image_builtin("blobs", 5000, 0, &img), WASP_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(wasp_last_error(), "5000"));
}
END_TEST

int main(void)
{
  Suite *s = suite_create("image");
  TCase *tc = tcase_create("image");
  tcase_add_test(tc, test_builtin_masses);
  tcase_add_test(tc, test_builtin_determinism);
  tcase_add_test(tc, test_squares_shape);
  tcase_add_test(tc, test_cryo_two_clusters);
  tcase_add_test(tc, test_dirac);
  tcase_add_test(tc, test_normalize);
  tcase_add_test(tc, test_spec_ok);
  tcase_add_test(tc, test_spec_errors);
  suite_add_tcase(s, tc);
  return unit_run(s);
}

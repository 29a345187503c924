/* Unit tests of the io module: CSV, HDF5 and MRC readers, the writers and
 * their temporary-then-rename behaviour, and every error message. */
#define _XOPEN_SOURCE 700 /* nftw, to remove the test folder */
#include "unit_util.h"
#include "wasp/wasp_io.h"

#include <ftw.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ----------------------------------------------------------- */

static char dir[256]; /* mkdtemp folder shared by every test */

/* dir/name; a few rotating buffers so several paths can be alive at once. */
static const char *P(const char *name)
{
  static char buf[8][512];
  static int next;
  char *b = buf[next++ % 8];
  snprintf(b, sizeof buf[0], "%s/%s", dir, name);
  return b;
}

static void put_bytes(const char *path, const void *data, size_t n)
{
  FILE *fp = fopen(path, "wb");
  ck_assert_ptr_nonnull(fp);
  ck_assert_uint_eq(fwrite(data, 1, n, fp), n);
  ck_assert_int_eq(fclose(fp), 0);
}

static void put_text(const char *path, const char *text) { put_bytes(path, text, strlen(text)); }

static bool exists(const char *path) { return access(path, F_OK) == 0; }

static const char *tmp_of(const char *path)
{
  static char buf[600];
  snprintf(buf, sizeof buf, "%s.tmp.%ld", path, (long)getpid());
  return buf;
}

/* The call failed and its message holds every given fragment (NULL ends). */
static void expect_fail_at(int line, wasp_status s, ...)
{
  va_list ap;
  ck_assert_msg(s != WASP_OK, "line %d: expected a failure", line);
  va_start(ap, s);
  for (const char *frag; (frag = va_arg(ap, const char *));)
    ck_assert_msg(strstr(wasp_last_error(), frag), "line %d: message '%s' lacks '%s'", line,
                  wasp_last_error(), frag);
  va_end(ap);
}

#define OK(expr) ck_assert_msg((expr) == WASP_OK, "%s: %s", #expr, wasp_last_error())

static void expect_grid(const wasp_measure *m, int ny, int nx, const double *w, double tol)
{
  ck_assert_int_eq(m->kind, WASP_MEASURE_GRID);
  ck_assert_int_eq(m->ny, ny);
  ck_assert_int_eq(m->nx, nx);
  for (int k = 0; k < ny * nx; k++)
    ck_assert_msg(fabs(m->w[k] - w[k]) <= tol, "value %d: %g != %g", k, m->w[k], w[k]);
}

static void write_h5_images(const char *path, int n, int ny, int nx, const double *w)
{
  wasp_h5 *f;
  long dims[3] = {n, ny, nx};
  OK(wasp_h5_create(path, &f));
  OK(wasp_h5_write_double(f, "/images", 3, dims, w));
  OK(wasp_h5_commit(&f));
  ck_assert_ptr_null(f);
}

#define expect_fail(...) expect_fail_at(__LINE__, __VA_ARGS__)

/* ---- CSV --------------------------------------------------------------- */

START_TEST(test_csv_read)
{
  wasp_measure m;
  const double want[] = {1, 2, 3, 4, 5e-3, -6};
  /* trailing commas, spaces and CRLF are all DOTmark-compatible */
  put_text(P("a.csv"), "1,2,3,\r\n4, 5e-3 ,-6 , \r\n\n");
  OK(wasp_io_read_measure(P("a.csv"), &m));
  expect_grid(&m, 2, 3, want, 0);
  wasp_measure_destroy(&m);
  put_text(P("B.CSV"), "1,2\n3,4");
  OK(wasp_io_read_measure(P("B.CSV:0"), &m)); /* extension case-insensitive; index 0 ok */
  ck_assert_int_eq(m.ny, 2);
  ck_assert_double_eq(m.w[3], 4);
  wasp_measure_destroy(&m);
  long n;
  OK(wasp_io_count(P("B.CSV"), &n));
  ck_assert_int_eq(n, 1);
  expect_fail(wasp_io_read_measure(P("B.CSV:1"), &m), "B.CSV:1", "index 1 out of range",
              "holds 1 image", NULL);
}
END_TEST

START_TEST(test_csv_nan_inf)
{
  wasp_measure m;
  put_text(P("n.csv"), "nan,inf,-inf,1\n");
  OK(wasp_io_read_measure(P("n.csv"), &m));
  ck_assert(isnan(m.w[0]));
  ck_assert(isinf(m.w[1]) && m.w[1] > 0);
  ck_assert(isinf(m.w[2]) && m.w[2] < 0);
  ck_assert_double_eq(m.w[3], 1);
  wasp_measure_destroy(&m);
}
END_TEST

START_TEST(test_csv_errors)
{
  wasp_measure m;
  char row32[512] = "", row31[512] = "";
  for (int k = 0; k < 32; k++) strcat(row32, k ? ",1" : "1");
  for (int k = 0; k < 31; k++) strcat(row31, k ? ",1" : "1");
  char text[2048];
  snprintf(text, sizeof text, "%s\n%s\n%s\n", row32, row32, row31);
  put_text(P("ragged.csv"), text);
  expect_fail(wasp_io_read_measure(P("ragged.csv"), &m), "ragged.csv line 3 has 31 values",
              "line 1 has 32", NULL);
  put_text(P("word.csv"), "1,2,3,4,5\n1,2,3,4,abc\n");
  expect_fail(wasp_io_read_measure(P("word.csv"), &m),
              "word.csv line 2, column 5: 'abc' is not a number", NULL);
  put_text(P("hole.csv"), "1,,3\n");
  expect_fail(wasp_io_read_measure(P("hole.csv"), &m), "hole.csv line 1, column 2", NULL);
  put_text(P("gap.csv"), "1,2\n\n3,4\n");
  expect_fail(wasp_io_read_measure(P("gap.csv"), &m), "gap.csv line 2 is empty", NULL);
  put_text(P("empty.csv"), "");
  expect_fail(wasp_io_read_measure(P("empty.csv"), &m), "empty.csv is empty", NULL);
  put_text(P("blank.csv"), " \n\n");
  expect_fail(wasp_io_read_measure(P("blank.csv"), &m), "blank.csv is empty", NULL);
  expect_fail(wasp_io_read_measure(P("none.csv"), &m), "cannot open '", "none.csv'",
              "No such file or directory", NULL);
}
END_TEST

/* ---- HDF5 measures ----------------------------------------------------- */

START_TEST(test_h5_stack_roundtrip)
{
  double w[3 * 4 * 5];
  for (int k = 0; k < 60; k++) w[k] = 0.25 * k - 3;
  w[7] = NAN; /* passed through: metrics decide */
  write_h5_images(P("s.h5"), 3, 4, 5, w);
  long n;
  OK(wasp_io_count(P("s.h5"), &n));
  ck_assert_int_eq(n, 3);
  for (int k = 0; k < 3; k++) {
    char spec[600];
    wasp_measure m;
    snprintf(spec, sizeof spec, "%s:%d", P("s.h5"), k);
    OK(wasp_io_read_measure(spec, &m));
    ck_assert_int_eq(m.ny, 4);
    ck_assert_int_eq(m.nx, 5);
    for (int j = 0; j < 20; j++)
      ck_assert(m.w[j] == w[20 * k + j] || (isnan(m.w[j]) && isnan(w[20 * k + j])));
    wasp_measure_destroy(&m);
  }
  wasp_measure ms[2];
  OK(wasp_io_read_range(P("s.h5"), 1, 2, ms));
  ck_assert_double_eq(ms[1].w[19], w[59]);
  wasp_measure_destroy(&ms[0]);
  wasp_measure_destroy(&ms[1]);
  expect_fail(wasp_io_read_range(P("s.h5"), 2, 2, ms), "s.h5", "[2, 4)", "holds 3 images", NULL);
  wasp_measure m;
  expect_fail(wasp_io_read_measure(P("s.h5"), &m), "s.h5 holds 3 images", ":INDEX", NULL);
  expect_fail(wasp_io_read_measure(P("s.h5:7"), &m), "s.h5:7: index 7 out of range",
              "the stack holds 3 images", NULL);
}
END_TEST

START_TEST(test_h5_single_and_types)
{
  /* [ny, nx] float32, and [1, ny, nx] int64: both one image without INDEX */
  wasp_h5 *f;
  float fw[6] = {1.5f, 2, 3, 4, 5, 6};
  long lw[6] = {-3, 2, 1, 0, 7, 1L << 40};
  long d2[2] = {2, 3}, d3[3] = {1, 3, 2};
  OK(wasp_h5_create(P("f.hdf5"), &f));
  OK(wasp_h5_write_float(f, "images", 2, d2, fw));
  OK(wasp_h5_commit(&f));
  OK(wasp_h5_create(P("i.H5"), &f));
  OK(wasp_h5_write_long(f, "/images", 3, d3, lw));
  OK(wasp_h5_commit(&f));
  wasp_measure m;
  const double wf[6] = {1.5, 2, 3, 4, 5, 6}, wl[6] = {-3, 2, 1, 0, 7, 1099511627776.0};
  OK(wasp_io_read_measure(P("f.hdf5"), &m));
  expect_grid(&m, 2, 3, wf, 0);
  wasp_measure_destroy(&m);
  OK(wasp_io_read_measure(P("i.H5:0"), &m));
  expect_grid(&m, 3, 2, wl, 0);
  wasp_measure_destroy(&m);
  expect_fail(wasp_io_read_measure(P("f.hdf5:1"), &m), "f.hdf5:1: index 1 out of range",
              "holds 1 image", NULL);
}
END_TEST

START_TEST(test_h5_clouds)
{
  wasp_h5 *f;
  double pts[8] = {0, 0, 1, 0, 0, 1, 1, 1}, wts[4] = {0.1, 0.2, 0.3, 0.4};
  long dp[2] = {4, 2}, dw[1] = {4}, dbad[1] = {3};
  wasp_measure m;
  OK(wasp_h5_create(P("c.h5"), &f));
  OK(wasp_h5_write_double(f, "/points", 2, dp, pts));
  OK(wasp_h5_write_double(f, "/weights", 1, dw, wts));
  OK(wasp_h5_commit(&f));
  OK(wasp_io_read_measure(P("c.h5"), &m));
  ck_assert_int_eq(m.kind, WASP_MEASURE_CLOUD);
  ck_assert_int_eq(m.npts, 4);
  ck_assert_int_eq(m.dim, 2);
  ck_assert_double_eq(m.coords[5], 1);
  ck_assert_double_eq(m.w[3], 0.4);
  wasp_measure_destroy(&m);
  /* without /weights: each point weighs 1 */
  OK(wasp_h5_create(P("c1.h5"), &f));
  OK(wasp_h5_write_double(f, "/points", 2, dp, pts));
  OK(wasp_h5_commit(&f));
  OK(wasp_io_read_measure(P("c1.h5"), &m));
  for (int k = 0; k < 4; k++) ck_assert_double_eq(m.w[k], 1);
  wasp_measure_destroy(&m);
  /* mismatched weights */
  OK(wasp_h5_create(P("c2.h5"), &f));
  OK(wasp_h5_write_double(f, "/points", 2, dp, pts));
  OK(wasp_h5_write_double(f, "/weights", 1, dbad, wts));
  OK(wasp_h5_commit(&f));
  expect_fail(wasp_io_read_measure(P("c2.h5"), &m), "c2.h5:/weights has shape [3]", "[4]", NULL);
  /* groups /measures/<k> */
  long dq[2] = {3, 1};
  OK(wasp_h5_create(P("g.h5"), &f));
  OK(wasp_h5_write_double(f, "/measures/0/points", 2, dp, pts));
  OK(wasp_h5_write_double(f, "/measures/0/weights", 1, dw, wts));
  OK(wasp_h5_write_double(f, "/measures/1/points", 2, dq, pts));
  OK(wasp_h5_commit(&f));
  long n;
  OK(wasp_io_count(P("g.h5"), &n));
  ck_assert_int_eq(n, 2);
  wasp_measure ms[2];
  OK(wasp_io_read_range(P("g.h5"), 0, 2, ms));
  ck_assert_int_eq(ms[0].npts, 4);
  ck_assert_double_eq(ms[0].w[0], 0.1);
  ck_assert_int_eq(ms[1].npts, 3);
  ck_assert_int_eq(ms[1].dim, 1);
  ck_assert_double_eq(ms[1].w[2], 1);
  wasp_measure_destroy(&ms[0]);
  wasp_measure_destroy(&ms[1]);
  OK(wasp_io_read_measure(P("g.h5:1"), &m));
  ck_assert_int_eq(m.npts, 3);
  wasp_measure_destroy(&m);
  expect_fail(wasp_io_read_measure(P("g.h5"), &m), "g.h5 holds 2 point clouds", NULL);
  expect_fail(wasp_io_read_measure(P("g.h5:2"), &m), "g.h5:2: index 2 out of range",
              "holds 2 point clouds", NULL);
}
END_TEST

/* A file written with plain HDF5, for layouts our writer refuses to make. */
static void raw_h5(const char *path, const char *name, int rank, const hsize_t *dims, hid_t type,
                   const void *data)
{
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t space = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
  hid_t dset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(file >= 0 && dset >= 0);
  ck_assert(H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
  H5Dclose(dset);
  H5Sclose(space);
  H5Fclose(file);
}

START_TEST(test_h5_errors)
{
  wasp_measure m;
  double w[12] = {0};
  hsize_t d1[1] = {3}, d4[4] = {1, 1, 2, 6};
  expect_fail(wasp_io_read_measure(P("missing.h5"), &m), "cannot open '", "missing.h5'",
              "No such file or directory", NULL);
  raw_h5(P("other.h5"), "/foo", 1, d1, H5T_NATIVE_DOUBLE, w);
  expect_fail(wasp_io_read_measure(P("other.h5"), &m),
              "other.h5 has no dataset /images (nor /points)", NULL);
  raw_h5(P("rank1.h5"), "/images", 1, d1, H5T_NATIVE_DOUBLE, w);
  expect_fail(wasp_io_read_measure(P("rank1.h5"), &m),
              "rank1.h5:/images has shape [3] but must be [N, ny, nx] or [ny, nx]", NULL);
  raw_h5(P("rank4.h5"), "/images", 4, d4, H5T_NATIVE_DOUBLE, w);
  expect_fail(wasp_io_count(P("rank4.h5"), &(long){0}), "rank4.h5:/images has shape [1, 1, 2, 6]",
              NULL);
  /* strings are not numbers */
  hid_t str = H5Tcopy(H5T_C_S1);
  H5Tset_size(str, 4);
  raw_h5(P("str.h5"), "/images", 1, d1, str, "abcdefghijkl");
  H5Tclose(str);
  expect_fail(wasp_io_read_measure(P("str.h5"), &m), "str.h5:/images has string values", NULL);
  /* not HDF5 at all, empty, and truncated */
  put_text(P("text.h5"), "hello, I am not HDF5\n");
  expect_fail(wasp_io_read_measure(P("text.h5"), &m), "cannot open '", "text.h5'",
              "not an HDF5 file", NULL);
  put_text(P("empty.h5"), "");
  expect_fail(wasp_io_read_measure(P("empty.h5"), &m), "empty.h5'", NULL);
  double big[64 * 64];
  for (int k = 0; k < 64 * 64; k++) big[k] = k;
  write_h5_images(P("trunc.h5"), 1, 64, 64, big);
  ck_assert_int_eq(truncate(P("trunc.h5"), 20000), 0);
  expect_fail(wasp_io_read_measure(P("trunc.h5"), &m), "trunc.h5", "truncated", NULL);
  /* unknown extension */
  put_text(P("x.dat"), "1\n");
  expect_fail(wasp_io_read_measure(P("x.dat"), &m), "x.dat", "'.dat'", NULL);
}
END_TEST

/* ---- HDF5 writer ------------------------------------------------------- */

START_TEST(test_h5_tmp_then_rename)
{
  wasp_h5 *f;
  long d[1] = {2};
  double w[2] = {1, 2};
  const char *path = P("t.h5");
  OK(wasp_h5_create(path, &f));
  OK(wasp_h5_write_double(f, "/x", 1, d, w));
  ck_assert(!exists(path));
  ck_assert(exists(tmp_of(path)));
  OK(wasp_h5_commit(&f));
  ck_assert(exists(path));
  ck_assert(!exists(tmp_of(path)));
  const char *gone = P("gone.h5");
  OK(wasp_h5_create(gone, &f));
  OK(wasp_h5_write_double(f, "/x", 1, d, w));
  wasp_h5_abort(&f);
  ck_assert_ptr_null(f);
  wasp_h5_abort(&f); /* safe on NULL */
  ck_assert(!exists(gone));
  ck_assert(!exists(tmp_of(gone)));
  /* missing folder, and a "folder" that is a file */
  expect_fail(wasp_h5_create(P("nodir/x.h5"), &f), "nodir/x.h5", "No such file or directory", NULL);
  ck_assert_ptr_null(f);
  expect_fail(wasp_h5_create(P("t.h5/x.h5"), &f), "t.h5/x.h5", "Not a directory", NULL);
  if (geteuid() != 0) { /* root writes anywhere */
    ck_assert_int_eq(mkdir(P("ro"), 0555), 0);
    expect_fail(wasp_h5_create(P("ro/x.h5"), &f), "ro/x.h5", "Permission denied", NULL);
  }
  /* writing a dataset twice is an error naming it */
  OK(wasp_h5_create(path, &f));
  OK(wasp_h5_write_double(f, "/x", 1, d, w));
  expect_fail(wasp_h5_write_double(f, "/x", 1, d, w), "/x", "t.h5", "already exists", NULL);
  wasp_h5_abort(&f);
}
END_TEST

START_TEST(test_h5_groups_attrs_read_double)
{
  wasp_h5 *f;
  const char *path = P("plan.h5");
  double mass[6] = {1, 2, 3, 4, 5, 6}, scalar = 2.5;
  long idx[4] = {0, -1, 1L << 40, 7}, d2[2] = {2, 3}, d1[1] = {4};
  OK(wasp_h5_create(path, &f));
  OK(wasp_h5_write_double(f, "/plan/mass", 2, d2, mass));
  OK(wasp_h5_write_long(f, "/plan/deep/er/idx", 1, d1, idx));
  OK(wasp_h5_write_double(f, "/scalar", 0, NULL, &scalar));
  OK(wasp_h5_attr_string(f, "/", "program", "wasp 0.1"));
  OK(wasp_h5_attr_string(f, "/", "program", "wasp 0.2")); /* replaced */
  OK(wasp_h5_attr_double(f, "/plan/mass", "cost", 0.125));
  OK(wasp_h5_attr_long(f, "/plan", "iterations", 1L << 35));
  expect_fail(wasp_h5_attr_long(f, "/nothing", "k", 1), "/nothing", "plan.h5", NULL);
  OK(wasp_h5_commit(&f));

  int rank;
  long dims[8];
  double *data;
  OK(wasp_h5_read_double(path, "/plan/mass", &rank, dims, &data));
  ck_assert_int_eq(rank, 2);
  ck_assert_int_eq(dims[0], 2);
  ck_assert_int_eq(dims[1], 3);
  ck_assert_double_eq(data[5], 6);
  free(data);
  OK(wasp_h5_read_double(path, "/plan/deep/er/idx", &rank, dims, &data));
  ck_assert_double_eq(data[2], 1099511627776.0);
  ck_assert_double_eq(data[1], -1);
  free(data);
  OK(wasp_h5_read_double(path, "/scalar", &rank, dims, &data));
  ck_assert_int_eq(rank, 0);
  ck_assert_double_eq(data[0], 2.5);
  free(data);
  expect_fail(wasp_h5_read_double(path, "/plan/none", &rank, dims, &data), "plan.h5",
              "/plan/none", NULL);

  /* long is stored as a 64-bit integer */
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t dset = H5Dopen2(file, "/plan/deep/er/idx", H5P_DEFAULT), type = H5Dget_type(dset);
  ck_assert_int_eq(H5Tget_class(type), H5T_INTEGER);
  ck_assert_int_eq(H5Tget_size(type), 8);
  H5Tclose(type);
  H5Dclose(dset);
  H5Fclose(file);

  double v;
  char buf[64];
  OK(wasp_h5_read_attr_double(path, "/plan/mass", "cost", &v));
  ck_assert_double_eq(v, 0.125);
  OK(wasp_h5_read_attr_double(path, "/plan", "iterations", &v));
  ck_assert_double_eq(v, 34359738368.0);
  OK(wasp_h5_read_attr_string(path, "/", "program", buf, sizeof buf));
  ck_assert_str_eq(buf, "wasp 0.2");
  expect_fail(wasp_h5_read_attr_string(path, "/", "program", buf, 4), "program", "plan.h5", NULL);
  expect_fail(wasp_h5_read_attr_double(path, "/", "program", &v), "program", "not a number", NULL);
  expect_fail(wasp_h5_read_attr_double(path, "/", "nokey", &v), "plan.h5", "'nokey'", NULL);
}
END_TEST

START_TEST(test_h5_fixed_string_attr)
{
  /* Files from other tools often carry fixed-length, space-padded strings. */
  const char *path = P("fixed.h5");
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR);
  H5Tset_size(type, 8);
  H5Tset_strpad(type, H5T_STR_SPACEPAD);
  hid_t attr = H5Acreate2(file, "name", type, space, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(H5Awrite(attr, type, "abc     ") >= 0);
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  H5Fclose(file);
  char buf[16];
  OK(wasp_h5_read_attr_string(path, "/", "name", buf, sizeof buf));
  ck_assert_str_eq(buf, "abc");
}
END_TEST

START_TEST(test_h5_h5py_crosscheck)
{
  if (system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") != 0) {
    fprintf(stderr, "test_h5_h5py_crosscheck: skipped, /usr/bin/python3 has no h5py\n");
    return;
  }
  wasp_h5 *f;
  const char *path = P("py.h5");
  double img[6] = {0.5, 1, 1.5, 2, 2.5, 3};
  long l[3] = {1, -2, 1L << 40}, d3[3] = {1, 2, 3}, d1[1] = {3};
  OK(wasp_h5_create(path, &f));
  OK(wasp_h5_write_double(f, "/images", 3, d3, img));
  OK(wasp_h5_write_long(f, "/plan/idx", 1, d1, l));
  OK(wasp_h5_attr_string(f, "/", "metric", "w2"));
  OK(wasp_h5_attr_double(f, "/images", "scale", 0.5));
  OK(wasp_h5_attr_long(f, "/", "n", 3));
  OK(wasp_h5_commit(&f));
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "/usr/bin/python3 -c \"import h5py, numpy as np, sys\n"
           "f = h5py.File(sys.argv[1], 'r')\n"
           "assert f['images'].shape == (1, 2, 3) and f['images'].dtype == np.float64\n"
           "assert np.array_equal(f['images'][0, 1], [2, 2.5, 3])\n"
           "assert f['plan/idx'].dtype == np.int64 and f['plan/idx'][2] == 2**40\n"
           "assert isinstance(f.attrs['metric'], str) and f.attrs['metric'] == 'w2'\n"
           "assert f['images'].attrs['scale'] == 0.5 and f.attrs['n'] == 3\n"
           "g = h5py.File(sys.argv[2], 'w')\n"
           "g['images'] = np.arange(24, dtype=np.float32).reshape(2, 3, 4)\n"
           "g.attrs['who'] = 'h5py'; g.close()\" '%s' '%s'",
           path, P("fromh5py.h5"));
  ck_assert_int_eq(system(cmd), 0);
  wasp_measure m;
  OK(wasp_io_read_measure(P("fromh5py.h5:1"), &m));
  ck_assert_int_eq(m.ny, 3);
  ck_assert_int_eq(m.nx, 4);
  ck_assert_double_eq(m.w[0], 12);
  ck_assert_double_eq(m.w[11], 23);
  wasp_measure_destroy(&m);
  char buf[16];
  OK(wasp_h5_read_attr_string(P("fromh5py.h5"), "/", "who", buf, sizeof buf));
  ck_assert_str_eq(buf, "h5py");
}
END_TEST

/* ---- full disk -------------------------------------------------------- *
 * A file size limit makes write() fail with EFBIG, like a full disk.  The
 * limit lifts itself at the first failure (a disk that fills once), so the
 * clean-up after the failure can be checked too. */

static struct rlimit saved_limit;

static void lift_limit(int sig)
{
  (void)sig;
  setrlimit(RLIMIT_FSIZE, &saved_limit);
}

/* No ck_assert while the limit holds: Check logs each assertion to a file,
 * and that write would hit the limit first. */
static void limit_file_size(rlim_t bytes)
{
  struct rlimit r = saved_limit;
  r.rlim_cur = bytes;
  setrlimit(RLIMIT_FSIZE, &r);
}

static void unlimit(void) { setrlimit(RLIMIT_FSIZE, &saved_limit); }

START_TEST(test_full_disk)
{
  enum { N = 64 * 64 * 16 };
  float *vol = calloc(N, sizeof *vol);
  double *dbl = calloc(N, sizeof *dbl);
  char *text = malloc(N + 1);
  ck_assert(vol && dbl && text);
  memset(text, 'x', N);
  text[N] = '\0';
  ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved_limit), 0);
  signal(SIGXFSZ, lift_limit);

  wasp_status s;
  limit_file_size(32768);
  s = wasp_mrc_write(P("full.mrc"), 16, 64, 64, vol, 1.0);
  unlimit();
  expect_fail(s, "full.mrc", "File too large", NULL);
  ck_assert(!exists(P("full.mrc")) && !exists(tmp_of(P("full.mrc"))));

  limit_file_size(32768);
  s = wasp_io_write_text(P("full.txt"), text);
  unlimit();
  expect_fail(s, "full.txt", "File too large", NULL);
  ck_assert(!exists(P("full.txt")) && !exists(tmp_of(P("full.txt"))));

  /* HDF5: the raw data write fails */
  wasp_h5 *f;
  long dims[1] = {N};
  OK(wasp_h5_create(P("full.h5"), &f));
  limit_file_size(32768);
  s = wasp_h5_write_double(f, "/big", 1, dims, dbl);
  unlimit();
  expect_fail(s, "full.h5", "/big", "File too large", NULL);
  wasp_h5_abort(&f);
  ck_assert(!exists(P("full.h5")) && !exists(tmp_of(P("full.h5"))));

  /* HDF5: the data fit, the metadata flushed at commit do not */
  OK(wasp_h5_create(P("full2.h5"), &f));
  OK(wasp_h5_write_double(f, "/big", 1, dims, dbl));
  OK(wasp_h5_attr_string(f, "/big", "note", "metadata stays in the cache until commit"));
  limit_file_size(1);
  s = wasp_h5_commit(&f); /* the limit lifts at the first failure: see lift_limit */
  unlimit();
  expect_fail(s, "cannot write '", "full2.h5'", "File too large", NULL);
  ck_assert_ptr_null(f);
  ck_assert(!exists(P("full2.h5")) && !exists(tmp_of(P("full2.h5"))));

  /* commit fails at the rename: the temporary file goes too */
  ck_assert_int_eq(mkdir(P("taken.h5"), 0755), 0);
  put_text(P("taken.h5/x"), "x");
  OK(wasp_h5_create(P("taken.h5"), &f));
  expect_fail(wasp_h5_commit(&f), "taken.h5", NULL);
  ck_assert(!exists(tmp_of(P("taken.h5"))));

  signal(SIGXFSZ, SIG_DFL);
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &saved_limit), 0);
  free(vol);
  free(dbl);
  free(text);
}
END_TEST

/* ---- MRC --------------------------------------------------------------- */

/* A hand-made MRC: header words in the chosen byte order, values given in
 * host order with `size` bytes each and stored in the chosen order. */
static void make_mrc(const char *path, int nx, int ny, int nz, int mode, bool big, int stamp,
                     int nsymbt, const void *values, size_t size, size_t drop)
{
  size_t n = (size_t)nx * ny * nz, total = 1024 + (size_t)nsymbt + n * size;
  unsigned char *buf = calloc(total, 1);
  const uint16_t one = 1;
  bool host_big = *(const unsigned char *)&one == 0;
  int32_t words[24] = {nx, ny, nz, mode, 0, 0, 0, nx, ny, nz};
  float cell[3] = {2.0f * nx, 2.0f * ny, 2.0f * nz};
  ck_assert_ptr_nonnull(buf);
  memcpy(words + 10, cell, sizeof cell);
  words[23] = nsymbt;
  memcpy(buf, words, sizeof words);
  memcpy(buf + 208, "MAP ", 4);
  if (stamp) buf[212] = buf[213] = big ? 0x11 : 0x44;
  memset(buf + 1024, 0xAB, (size_t)nsymbt); /* extended header: must be skipped */
  memcpy(buf + 1024 + nsymbt, values, n * size);
  if (big != host_big) {
    for (int w = 0; w < 24; w++)
      for (int b = 0; b < 2; b++) {
        unsigned char t = buf[4 * w + b];
        buf[4 * w + b] = buf[4 * w + 3 - b];
        buf[4 * w + 3 - b] = t;
      }
    for (size_t k = 0; k < n; k++) {
      unsigned char *v = buf + 1024 + nsymbt + k * size;
      for (size_t b = 0; b < size / 2; b++) {
        unsigned char t = v[b];
        v[b] = v[size - 1 - b];
        v[size - 1 - b] = t;
      }
    }
  }
  put_bytes(path, buf, total - drop);
  free(buf);
}

START_TEST(test_mrc_write_roundtrip)
{
  float vol[3 * 4 * 5];
  for (int k = 0; k < 60; k++) vol[k] = (float)(k % 7) - 2.5f;
  OK(wasp_mrc_write(P("v.mrc"), 3, 4, 5, vol, 1.5));
  ck_assert(!exists(tmp_of(P("v.mrc"))));
  int nz, ny, nx;
  float *data;
  double voxel;
  OK(wasp_io_read_volume(P("v.mrc"), &nz, &ny, &nx, &data, &voxel));
  ck_assert_int_eq(nz, 3);
  ck_assert_int_eq(ny, 4);
  ck_assert_int_eq(nx, 5);
  ck_assert_double_eq_tol(voxel, 1.5, 1e-6);
  ck_assert_mem_eq(data, vol, sizeof vol);
  free(data);
  long n;
  OK(wasp_io_count(P("v.mrc"), &n));
  ck_assert_int_eq(n, 3);
  wasp_measure m;
  OK(wasp_io_read_measure(P("v.mrc:2"), &m));
  ck_assert_int_eq(m.ny, 4);
  ck_assert_int_eq(m.nx, 5);
  for (int k = 0; k < 20; k++) ck_assert_double_eq(m.w[k], vol[40 + k]);
  wasp_measure_destroy(&m);
  expect_fail(wasp_io_read_measure(P("v.mrc"), &m), "v.mrc holds 3 images", NULL);
  expect_fail(wasp_io_read_measure(P("v.mrc:3"), &m), "v.mrc:3: index 3 out of range",
              "holds 3 images", NULL);

  /* header fields a viewer relies on */
  unsigned char hdr[1024];
  FILE *fp = fopen(P("v.mrc"), "rb");
  ck_assert_uint_eq(fread(hdr, 1, 1024, fp), 1024);
  fclose(fp);
  int32_t words[56];
  float fw[56];
  memcpy(words, hdr, sizeof words);
  memcpy(fw, hdr, sizeof fw);
  ck_assert_int_eq(words[3], 2);
  ck_assert_int_eq(words[16] * 100 + words[17] * 10 + words[18], 123);
  ck_assert_double_eq_tol(fw[10], 5 * 1.5, 1e-6);
  ck_assert_double_eq_tol(fw[12], 3 * 1.5, 1e-6);
  ck_assert_double_eq(fw[19], -2.5);
  ck_assert_double_eq(fw[20], 3.5);
  ck_assert_mem_eq(hdr + 208, "MAP ", 4);
  ck_assert_int_eq(hdr[212], 0x44);
  ck_assert_int_eq(hdr[213], 0x44);
  ck_assert(fw[54] > 0); /* rms */

  /* single image: no index needed */
  OK(wasp_mrc_write(P("one.mrcs"), 1, 2, 2, vol, 0));
  OK(wasp_io_read_measure(P("one.mrcs"), &m));
  ck_assert_double_eq(m.w[3], vol[3]);
  wasp_measure_destroy(&m);
  OK(wasp_io_read_volume(P("one.mrcs"), &nz, &ny, &nx, &data, &voxel));
  ck_assert_double_eq(voxel, 0);
  free(data);
  expect_fail(wasp_mrc_write(P("nodir/v.mrc"), 1, 2, 2, vol, 1), "nodir/v.mrc",
              "No such file or directory", NULL);
}
END_TEST

START_TEST(test_mrc_modes)
{
  wasp_measure m;
  /* mode 2, little-endian, with an extended header */
  const float f32[6] = {1.25f, -2, 3, INFINITY, 5, 6};
  make_mrc(P("f32.mrc"), 3, 2, 1, 2, false, 1, 96, f32, 4, 0);
  OK(wasp_io_read_measure(P("f32.mrc"), &m));
  const double w32[6] = {1.25, -2, 3, INFINITY, 5, 6};
  ck_assert(isinf(m.w[3]));
  ck_assert_double_eq(m.w[0], w32[0]);
  ck_assert_double_eq(m.w[5], w32[5]);
  wasp_measure_destroy(&m);
  /* mode 2, big-endian (stamp 0x11 0x11), two sections */
  const float be[8] = {1, 2, 3, 4, -5, 6.5f, 7, 8};
  make_mrc(P("be.map"), 2, 2, 2, 2, true, 1, 0, be, 4, 0);
  OK(wasp_io_read_measure(P("be.map:1"), &m));
  const double wbe[4] = {-5, 6.5, 7, 8};
  expect_grid(&m, 2, 2, wbe, 0);
  wasp_measure_destroy(&m);
  /* big-endian without a machine stamp: the sane header wins */
  make_mrc(P("be0.mrc"), 2, 2, 2, 2, true, 0, 0, be, 4, 0);
  OK(wasp_io_read_measure(P("be0.mrc:1"), &m));
  expect_grid(&m, 2, 2, wbe, 0);
  wasp_measure_destroy(&m);
  /* mode 1: signed int16, big-endian */
  const int16_t i16[4] = {-32768, -1, 0, 32767};
  make_mrc(P("i16.mrc"), 2, 2, 1, 1, true, 1, 0, i16, 2, 0);
  OK(wasp_io_read_measure(P("i16.mrc"), &m));
  const double wi16[4] = {-32768, -1, 0, 32767};
  expect_grid(&m, 2, 2, wi16, 0);
  wasp_measure_destroy(&m);
  /* mode 6: unsigned int16 */
  const uint16_t u16[2] = {65535, 1};
  make_mrc(P("u16.mrc"), 2, 1, 1, 6, false, 1, 0, u16, 2, 0);
  OK(wasp_io_read_measure(P("u16.mrc"), &m));
  const double wu16[2] = {65535, 1};
  expect_grid(&m, 1, 2, wu16, 0);
  wasp_measure_destroy(&m);
  /* mode 0: signed int8 */
  const int8_t i8[2] = {-128, 127};
  make_mrc(P("i8.mrc"), 1, 2, 1, 0, false, 1, 0, i8, 1, 0);
  OK(wasp_io_read_measure(P("i8.mrc"), &m));
  const double wi8[2] = {-128, 127};
  expect_grid(&m, 2, 1, wi8, 0);
  wasp_measure_destroy(&m);
  /* IMOD's stamp without its "signed" flag: the same bytes are 128 and 127 */
  FILE *fp = fopen(P("i8.mrc"), "r+b");
  /* imodStamp 1146047817 little-endian is "IMOD"; imodFlags 0 */
  ck_assert(fseek(fp, 152, SEEK_SET) == 0 && fwrite("IMOD\0\0\0\0", 1, 8, fp) == 8);
  fclose(fp);
  OK(wasp_io_read_measure(P("i8.mrc"), &m));
  ck_assert_double_eq(m.w[0], 128);
  ck_assert_double_eq(m.w[1], 127);
  wasp_measure_destroy(&m);
  /* mode 12: float16, including subnormal, max, infinity and NaN */
  const uint16_t h[8] = {0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x7e00};
  make_mrc(P("h.mrc"), 4, 2, 1, 12, false, 1, 0, h, 2, 0);
  OK(wasp_io_read_measure(P("h.mrc"), &m));
  ck_assert_double_eq(m.w[0], 1);
  ck_assert_double_eq(m.w[1], -2);
  ck_assert_double_eq(m.w[2], 0.5);
  ck_assert_double_eq(m.w[3], 65504);
  ck_assert_double_eq(m.w[4], ldexp(1, -24));
  ck_assert(m.w[5] == 0 && signbit(m.w[5]));
  ck_assert(isinf(m.w[6]) && m.w[6] > 0);
  ck_assert(isnan(m.w[7]));
  wasp_measure_destroy(&m);
  make_mrc(P("hbe.mrc"), 4, 2, 1, 12, true, 1, 0, h, 2, 0);
  OK(wasp_io_read_measure(P("hbe.mrc"), &m));
  ck_assert_double_eq(m.w[3], 65504);
  wasp_measure_destroy(&m);
  /* volumes convert every mode to float; voxel = cella.x / mx = 2 */
  int nz, ny, nx;
  float *data;
  double voxel;
  OK(wasp_io_read_volume(P("i16.mrc"), &nz, &ny, &nx, &data, &voxel));
  ck_assert_double_eq(data[0], -32768);
  ck_assert_double_eq(voxel, 2);
  free(data);
}
END_TEST

START_TEST(test_mrc_errors)
{
  wasp_measure m;
  float v[64] = {0};
  make_mrc(P("cut.mrc"), 4, 4, 4, 2, false, 1, 0, v, 4, 10);
  expect_fail(wasp_io_read_measure(P("cut.mrc:0"), &m), "cut.mrc", "truncated", "1280 bytes",
              "1270 bytes", NULL);
  make_mrc(P("cutx.mrcs"), 4, 4, 1, 2, false, 1, 200, v, 4, 100);
  expect_fail(wasp_io_count(P("cutx.mrcs"), &(long){0}), "cutx.mrcs", "1288 bytes", "1188 bytes",
              NULL);
  make_mrc(P("mode4.mrc"), 2, 2, 1, 4, false, 1, 0, v, 8, 0);
  expect_fail(wasp_io_read_measure(P("mode4.mrc"), &m), "mode4.mrc", "mode 4", NULL);
  put_bytes(P("short.mrc"), v, 100);
  expect_fail(wasp_io_read_measure(P("short.mrc"), &m), "short.mrc", "1024", "100 bytes", NULL);
  put_text(P("empty.mrc"), "");
  expect_fail(wasp_io_read_measure(P("empty.mrc"), &m), "empty.mrc is empty", NULL);
  expect_fail(wasp_io_read_measure(P("none.mrc"), &m), "cannot open '", "none.mrc'",
              "No such file or directory", NULL);
  int nz, ny, nx;
  float *data;
  double voxel;
  expect_fail(wasp_io_read_volume(P("cut.mrc"), &nz, &ny, &nx, &data, &voxel), "cut.mrc",
              "truncated", NULL);
  ck_assert_ptr_null(data);
  expect_fail(wasp_io_read_volume(P("a.h5"), &nz, &ny, &nx, &data, &voxel), "a.h5", "MRC", NULL);
}
END_TEST

/* ---- lists, specs, text ------------------------------------------------ */

START_TEST(test_list)
{
  double w[2 * 2 * 2] = {1, 2, 3, 4, 5, 6, 7, 8};
  write_h5_images(P("l.h5"), 2, 2, 2, w);
  put_text(P("l.csv"), "9,10\n11,12\n");
  char text[1024];
  snprintf(text, sizeof text, "# a list\n\nl.h5:1\n  l.csv  \n%s:0\n", P("l.h5"));
  put_text(P("list.txt"), text);
  long n;
  OK(wasp_io_count(P("list.txt"), &n));
  ck_assert_int_eq(n, 3);
  wasp_measure ms[3];
  OK(wasp_io_read_range(P("list.txt"), 0, 3, ms));
  ck_assert_double_eq(ms[0].w[0], 5);
  ck_assert_double_eq(ms[1].w[3], 12);
  ck_assert_double_eq(ms[2].w[3], 4);
  for (int k = 0; k < 3; k++) wasp_measure_destroy(&ms[k]);
  wasp_measure m;
  OK(wasp_io_read_measure(P("list.txt:1"), &m));
  ck_assert_double_eq(m.w[0], 9);
  wasp_measure_destroy(&m);
  expect_fail(wasp_io_read_measure(P("list.txt"), &m), "list.txt holds 3 entries", NULL);
  expect_fail(wasp_io_read_measure(P("list.txt:3"), &m), "list.txt:3: index 3 out of range",
              "the list holds 3 entries", NULL);
  put_text(P("bad.lst"), "l.csv\nl.h5:9\n");
  expect_fail(wasp_io_read_range(P("bad.lst"), 0, 2, ms), "bad.lst line 2", "l.h5:9", NULL);
  put_text(P("self.lst"), "self.lst\n");
  expect_fail(wasp_io_read_measure(P("self.lst"), &m), "nested", NULL);
}
END_TEST

START_TEST(test_spec_colon)
{
  /* the index follows the last colon and only when it is all digits */
  wasp_measure m;
  ck_assert_int_eq(mkdir(P("a:b"), 0755), 0);
  put_text(P("a:b/c.csv"), "1,2\n");
  OK(wasp_io_read_measure(P("a:b/c.csv"), &m));
  wasp_measure_destroy(&m);
  OK(wasp_io_read_measure(P("a:b/c.csv:0"), &m));
  wasp_measure_destroy(&m);
  expect_fail(wasp_io_read_measure(P("a:b/c.csv:x1"), &m), "c.csv:x1", NULL);
  expect_fail(wasp_io_read_measure("", &m), "empty", NULL);
}
END_TEST

START_TEST(test_write_text)
{
  const char *path = P("out.txt");
  OK(wasp_io_write_text(path, "hello\nworld\n"));
  ck_assert(!exists(tmp_of(path)));
  FILE *fp = fopen(path, "r");
  char buf[64] = {0};
  ck_assert_uint_eq(fread(buf, 1, sizeof buf - 1, fp), 12);
  fclose(fp);
  ck_assert_str_eq(buf, "hello\nworld\n");
  OK(wasp_io_write_text(path, "again"));
  expect_fail(wasp_io_write_text(P("nodir/out.txt"), "x"), "nodir/out.txt",
              "No such file or directory", NULL);
}
END_TEST

/* ---- main -------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

int main(void)
{
  Suite *s = suite_create("io");
  TCase *tc = tcase_create("io");
  snprintf(dir, sizeof dir, "%s/wasp_io_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return EXIT_FAILURE;
  }
  tcase_add_test(tc, test_csv_read);
  tcase_add_test(tc, test_csv_nan_inf);
  tcase_add_test(tc, test_csv_errors);
  tcase_add_test(tc, test_h5_stack_roundtrip);
  tcase_add_test(tc, test_h5_single_and_types);
  tcase_add_test(tc, test_h5_clouds);
  tcase_add_test(tc, test_h5_errors);
  tcase_add_test(tc, test_h5_tmp_then_rename);
  tcase_add_test(tc, test_h5_groups_attrs_read_double);
  tcase_add_test(tc, test_h5_fixed_string_attr);
  tcase_add_test(tc, test_h5_h5py_crosscheck);
  tcase_add_test(tc, test_full_disk);
  tcase_add_test(tc, test_mrc_write_roundtrip);
  tcase_add_test(tc, test_mrc_modes);
  tcase_add_test(tc, test_mrc_errors);
  tcase_add_test(tc, test_list);
  tcase_add_test(tc, test_spec_colon);
  tcase_add_test(tc, test_write_text);
  suite_add_tcase(s, tc);
  int rc = unit_run(s);
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return rc;
}

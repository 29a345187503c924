/* Unit tests of the ground cost (include/wasp/wasp_cost.h), written against
 * the header's geometry: grid pixel (i, j) at (i*h, j*h), torus periods
 * ny*h and nx*h, clouds with their own coordinates; c = d^p, optionally
 * capped.  Every expected value is computed here by hand. */
#include "unit_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasp/wasp_cost.h"

/* relative agreement of a computed cost with the hand formula */
#define COST_RTOL 1e-13

static const double exponents[] = {1.0, 1.5, 2.0, 3.0};
#define N_EXPONENTS ((int)(sizeof exponents / sizeof exponents[0]))

/* ---- hand formulas ------------------------------------------------------ */

static double grid_distance(int ny, int nx, double h, int torus, long s, long t)
{
  long di = labs(s / nx - t / nx), dj = labs(s % nx - t % nx);
  if (torus) {
    if (ny - di < di) di = ny - di;
    if (nx - dj < dj) dj = nx - dj;
  }
  double dy = (double)di * h, dx = (double)dj * h;
  return sqrt(dy * dy + dx * dx);
}

static double cloud_distance(int dim, const double *X, long i, const double *Y, long j)
{
  double s = 0.0;
  for (int k = 0; k < dim; k++) {
    double d = X[i * dim + k] - Y[j * dim + k];
    s += d * d;
  }
  return sqrt(s);
}

static int close_rel(double got, double want, double rtol)
{
  if (got == want) return 1;
  return fabs(got - want) <= rtol * fmax(fabs(got), fabs(want));
}

static wasp_cost *make_grid(int ny, int nx, double h, int torus, double p)
{
  wasp_cost *c = NULL;
  wasp_status st = wasp_cost_create_grid(ny, nx, h, torus, p, &c);
  ck_assert_msg(st == WASP_OK && c != NULL, "create_grid(%d, %d, h=%g, torus=%d, p=%g): status %d: %s",
                ny, nx, h, torus, p, (int)st, wasp_last_error());
  return c;
}

static void random_points(uint64_t *rng, int n, int dim, double lo, double hi, double *out)
{
  for (int k = 0; k < n * dim; k++) out[k] = lo + (hi - lo) * unit_uniform(rng);
}

/* ---- grid and torus ------------------------------------------------------ */

static const int shapes[][2] = {{1, 1}, {1, 7}, {7, 1}, {5, 8}, {8, 5}, {6, 6}};
#define N_SHAPES ((int)(sizeof shapes / sizeof shapes[0]))
static const double spacings[] = {1.0 / 8.0, 0.37, 1.0, 2.5};
#define N_SPACINGS ((int)(sizeof spacings / sizeof spacings[0]))

static void check_grid_all_pairs(int ny, int nx, double h, int torus, double p)
{
  wasp_cost *c = make_grid(ny, nx, h, torus, p);
  long n = (long)ny * nx;
  ck_assert_msg(wasp_cost_exponent(c) == p, "exponent %g, want %g", wasp_cost_exponent(c), p);
  for (long s = 0; s < n; s++) {
    for (long t = 0; t < n; t++) {
      double d = grid_distance(ny, nx, h, torus, s, t), want = pow(d, p);
      double got = wasp_cost_eval(c, s, t), gd = wasp_cost_distance(c, s, t);
      if (s == t) {
        ck_assert_msg(got == 0.0 && gd == 0.0, "grid %dx%d: c(%ld, %ld) = %g, d = %g, want 0", ny,
                      nx, s, s, got, gd);
        continue;
      }
      ck_assert_msg(close_rel(got, want, COST_RTOL),
                    "grid %dx%d h=%g torus=%d p=%g: c(site %ld=(%ld,%ld), site %ld=(%ld,%ld)) = "
                    "%.17g, want %.17g",
                    ny, nx, h, torus, p, s, s / nx, s % nx, t, t / nx, t % nx, got, want);
      ck_assert_msg(close_rel(gd, d, COST_RTOL),
                    "grid %dx%d h=%g torus=%d: d(%ld, %ld) = %.17g, want %.17g", ny, nx, h, torus,
                    s, t, gd, d);
    }
  }
  wasp_cost_destroy(&c);
  ck_assert_msg(c == NULL, "wasp_cost_destroy must set the handle to NULL");
}

START_TEST(grid_eval_matches_formula)
{
  for (int k = 0; k < N_SHAPES; k++)
    for (int s = 0; s < N_SPACINGS; s++)
      for (int e = 0; e < N_EXPONENTS; e++)
        check_grid_all_pairs(shapes[k][0], shapes[k][1], spacings[s], 0, exponents[e]);
}
END_TEST

START_TEST(torus_eval_matches_formula)
{
  for (int k = 0; k < N_SHAPES; k++)
    for (int s = 0; s < N_SPACINGS; s++)
      for (int e = 0; e < N_EXPONENTS; e++)
        check_grid_all_pairs(shapes[k][0], shapes[k][1], spacings[s], 1, exponents[e]);
}
END_TEST

/* A few explicit values, so that a wrong formula cannot hide behind a wrong
 * helper: 6 x 10 unit grid (h = 1/10). */
/* A spacing per axis: c = (hy^2 dy^2 + hx^2 dx^2)^(p/2), offsets wrapped on
 * the torus, against the hand formula. */
START_TEST(grid_axes_eval_matches_formula)
{
  const double sp[][2] = {{0.5, 2.0}, {2.0, 0.5}, {1.0 / 8.0, 0.37}};
  for (int k = 0; k < 3; k++)
    for (int torus = 0; torus <= 1; torus++)
      for (int e = 0; e < N_EXPONENTS; e++) {
        const int ny = 5, nx = 8;
        const double hy = sp[k][0], hx = sp[k][1], p = exponents[e];
        wasp_cost *c = NULL;
        ck_assert_int_eq(wasp_cost_create_grid_axes(ny, nx, hy, hx, torus, p, &c), WASP_OK);
        for (long s = 0; s < ny * nx; s++)
          for (long t = 0; t < ny * nx; t++) {
            const double dy = grid_distance(ny, nx, hy, torus, s - s % nx, t - t % nx);
            const double dx = grid_distance(ny, nx, hx, torus, s % nx, t % nx);
            const double d = sqrt(dy * dy + dx * dx);
            ck_assert_msg(close_rel(wasp_cost_eval(c, s, t), pow(d, p), 1e-13),
                          "hy=%g hx=%g torus=%d p=%g: c(%ld, %ld) = %.17g, want %.17g", hy, hx, torus,
                          p, s, t, wasp_cost_eval(c, s, t), pow(d, p));
            ck_assert(close_rel(wasp_cost_distance(c, s, t), d, 1e-13));
            ck_assert(wasp_cost_eval(c, s, t) <= wasp_cost_bound(c));
          }
        wasp_cost_destroy(&c);
      }
}
END_TEST

START_TEST(grid_explicit_values)
{
  wasp_cost *c = make_grid(6, 10, 0.1, false, 2.0);
  /* (1, 2) -> (4, 7): dy = 0.3, dx = 0.5 */
  double got = wasp_cost_eval(c, 1 * 10 + 2, 4 * 10 + 7);
  ck_assert_msg(fabs(got - 0.34) <= 1e-15, "plane: c((1,2),(4,7)) = %.17g, want 0.34", got);
  /* rows and columns are not exchanged: (0, 0) -> (0, 9) is 0.9 along x */
  got = wasp_cost_eval(c, 0, 9);
  ck_assert_msg(fabs(got - 0.81) <= 1e-15, "plane: c((0,0),(0,9)) = %.17g, want 0.81", got);
  got = wasp_cost_eval(c, 0, 5 * 10);
  ck_assert_msg(fabs(got - 0.25) <= 1e-15, "plane: c((0,0),(5,0)) = %.17g, want 0.25", got);
  wasp_cost_destroy(&c);

  c = make_grid(6, 10, 0.1, true, 2.0);
  /* (0, 0) -> (5, 9) wraps to one step on each axis */
  got = wasp_cost_eval(c, 0, 5 * 10 + 9);
  ck_assert_msg(fabs(got - 0.02) <= 1e-15, "torus: c((0,0),(5,9)) = %.17g, want 0.02", got);
  /* (0, 0) -> (3, 5): half periods on both axes, no shorter way round */
  got = wasp_cost_eval(c, 0, 3 * 10 + 5);
  ck_assert_msg(fabs(got - 0.34) <= 1e-15, "torus: c((0,0),(3,5)) = %.17g, want 0.34", got);
  /* (1, 8) -> (4, 1): dy = 3 (period 6), dx = min(7, 3) = 3 */
  got = wasp_cost_eval(c, 1 * 10 + 8, 4 * 10 + 1);
  ck_assert_msg(fabs(got - 0.18) <= 1e-15, "torus: c((1,8),(4,1)) = %.17g, want 0.18", got);
  got = wasp_cost_distance(c, 1 * 10 + 8, 4 * 10 + 1);
  ck_assert_msg(fabs(got - sqrt(0.18)) <= 1e-15, "torus: d((1,8),(4,1)) = %.17g", got);
  wasp_cost_destroy(&c);

  c = make_grid(6, 10, 0.1, false, 1.0);
  got = wasp_cost_eval(c, 1 * 10 + 2, 4 * 10 + 6);
  ck_assert_msg(fabs(got - 0.5) <= 1e-15, "p=1: c((1,2),(4,6)) = %.17g, want 0.5", got);
  wasp_cost_destroy(&c);

  c = make_grid(6, 10, 0.1, false, 3.0);
  got = wasp_cost_eval(c, 1 * 10 + 2, 4 * 10 + 6);
  ck_assert_msg(fabs(got - 0.125) <= 1e-15, "p=3: c((1,2),(4,6)) = %.17g, want 0.125", got);
  wasp_cost_destroy(&c);
}
END_TEST

/* Long rectangular grids: far corners, both orientations. */
START_TEST(grid_large_indices)
{
  const int dims[][2] = {{2, 40000}, {40000, 2}, {3000, 3000}};
  for (int k = 0; k < 3; k++) {
    int ny = dims[k][0], nx = dims[k][1];
    double h = 1.0 / (ny > nx ? ny : nx);
    for (int torus = 0; torus < 2; torus++) {
      wasp_cost *c = make_grid(ny, nx, h, torus, 2.0);
      long n = (long)ny * nx;
      long probes[][2] = {{0, n - 1}, {n - 1, 0}, {nx - 1, n - nx}, {n / 2, n / 3}, {7, n - 11}};
      for (int q = 0; q < 5; q++) {
        long s = probes[q][0], t = probes[q][1];
        double want = pow(grid_distance(ny, nx, h, torus, s, t), 2.0);
        double got = wasp_cost_eval(c, s, t);
        ck_assert_msg(close_rel(got, want, COST_RTOL),
                      "grid %dx%d torus=%d: c(%ld, %ld) = %.17g, want %.17g", ny, nx, torus, s, t,
                      got, want);
      }
      wasp_cost_destroy(&c);
    }
  }
}
END_TEST

/* ---- clouds --------------------------------------------------------------- */

START_TEST(cloud_eval_matches_formula)
{
  uint64_t rng = 0x9e3779b97f4a7c15ULL;
  for (int dim = 1; dim <= 3; dim++) {
    for (int e = 0; e < N_EXPONENTS; e++) {
      double p = exponents[e];
      /* different counts so that X and Y cannot be confused */
      int nxp = 7, nyp = 5;
      double *X = malloc(sizeof(double) * nxp * dim), *Y = malloc(sizeof(double) * nyp * dim);
      double *X0 = malloc(sizeof(double) * nxp * dim), *Y0 = malloc(sizeof(double) * nyp * dim);
      random_points(&rng, nxp, dim, -2.0, 3.0, X);
      random_points(&rng, nyp, dim, -2.0, 3.0, Y);
      /* a shared point: zero cost across the two sets */
      memcpy(&Y[2 * dim], &X[4 * dim], sizeof(double) * dim);
      memcpy(X0, X, sizeof(double) * nxp * dim);
      memcpy(Y0, Y, sizeof(double) * nyp * dim);
      wasp_cost *c = NULL;
      wasp_status st = wasp_cost_create_cloud(dim, nxp, X, nyp, Y, p, &c);
      ck_assert_msg(st == WASP_OK && c, "create_cloud: %d %s", (int)st, wasp_last_error());
      /* the coordinates are copied: clobber the caller's arrays */
      for (int k = 0; k < nxp * dim; k++) X[k] = 1e300;
      for (int k = 0; k < nyp * dim; k++) Y[k] = -1e300;
      ck_assert_msg(wasp_cost_exponent(c) == p, "exponent %g want %g", wasp_cost_exponent(c), p);
      int gny, gnx;
      double ghy, ghx;
      bool gt;
      ck_assert_msg(!wasp_cost_grid(c, &gny, &gnx, &ghy, &ghx, &gt), "wasp_cost_grid must be false for a cloud");
      for (long i = 0; i < nxp; i++) {
        for (long j = 0; j < nyp; j++) {
          double d = cloud_distance(dim, X0, i, Y0, j), want = pow(d, p);
          double got = wasp_cost_eval(c, i, j), gd = wasp_cost_distance(c, i, j);
          if (d == 0.0) {
            ck_assert_msg(got == 0.0 && gd == 0.0, "cloud: coincident points give c = %g", got);
            continue;
          }
          ck_assert_msg(close_rel(got, want, COST_RTOL),
                        "cloud dim=%d p=%g: c(X[%ld], Y[%ld]) = %.17g, want %.17g", dim, p, i, j,
                        got, want);
          ck_assert_msg(close_rel(gd, d, COST_RTOL), "cloud dim=%d: d(%ld, %ld) = %.17g want %.17g",
                        dim, i, j, gd, d);
        }
      }
      wasp_cost_destroy(&c);
      ck_assert(c == NULL);
      free(X);
      free(Y);
      free(X0);
      free(Y0);
    }
  }
}
END_TEST

START_TEST(cloud_explicit_values)
{
  const double X[] = {0.0, 0.0, 0.0, 1.0, 1.0, 1.0};
  const double Y[] = {1.0, 2.0, 2.0};
  wasp_cost *c = NULL;
  ck_assert_int_eq(wasp_cost_create_cloud(3, 2, X, 1, Y, 1.0, &c), WASP_OK);
  ck_assert_msg(fabs(wasp_cost_eval(c, 0, 0) - 3.0) <= 1e-15, "|(1,2,2)| = 3, got %.17g",
                wasp_cost_eval(c, 0, 0));
  ck_assert_msg(fabs(wasp_cost_eval(c, 1, 0) - sqrt(2.0)) <= 1e-15, "|(0,1,1)| = sqrt 2, got %.17g",
                wasp_cost_eval(c, 1, 0));
  wasp_cost_destroy(&c);
  ck_assert_int_eq(wasp_cost_create_cloud(3, 2, X, 1, Y, 3.0, &c), WASP_OK);
  ck_assert_msg(fabs(wasp_cost_eval(c, 0, 0) - 27.0) <= 1e-13, "3^3 = 27, got %.17g",
                wasp_cost_eval(c, 0, 0));
  wasp_cost_destroy(&c);
}
END_TEST

/* ---- row = eval, bound, cap ----------------------------------------------- */

/* All cost models of one kind exercised by the generic tests. */
typedef struct {
  wasp_cost *c;
  long ns, nt;
  char what[96];
} model;

static int make_models(model *m, uint64_t *rng, double **keep)
{
  int k = 0;
  for (int torus = 0; torus < 2; torus++)
    for (int e = 0; e < N_EXPONENTS; e++) {
      m[k].c = make_grid(5, 8, 0.37, torus, exponents[e]);
      m[k].ns = m[k].nt = 40;
      snprintf(m[k].what, sizeof m[k].what, "grid 5x8 h=0.37 torus=%d p=%g", torus, exponents[e]);
      k++;
    }
  for (int dim = 1; dim <= 5; dim += dim < 3 ? 1 : 2) /* 1, 2, 3 and 5 (the general loop) */
    for (int e = 0; e < N_EXPONENTS; e++) {
      double *X = malloc(sizeof(double) * 9 * dim), *Y = malloc(sizeof(double) * 13 * dim);
      random_points(rng, 9, dim, -1.0, 4.0, X);
      random_points(rng, 13, dim, 0.0, 2.0, Y);
      ck_assert_int_eq(wasp_cost_create_cloud(dim, 9, X, 13, Y, exponents[e], &m[k].c), WASP_OK);
      m[k].ns = 9;
      m[k].nt = 13;
      snprintf(m[k].what, sizeof m[k].what, "cloud dim=%d p=%g", dim, exponents[e]);
      keep[k] = X;
      free(Y);
      k++;
    }
  return k;
}

START_TEST(row_equals_eval)
{
  uint64_t rng = 12345;
  model m[32];
  double *keep[32] = {0};
  int nm = make_models(m, &rng, keep);
  for (int k = 0; k < nm; k++) {
    long n = 3 * m[k].nt + 1;
    long *js = malloc(sizeof(long) * n);
    double *out = malloc(sizeof(double) * (n + 1));
    for (long q = 0; q < n; q++) js[q] = (long)(unit_uniform(&rng) * m[k].nt); /* duplicates too */
    for (long i = 0; i < m[k].ns; i++) {
      out[n] = -7.0; /* sentinel: row must not write past n */
      wasp_cost_row(m[k].c, i, n, js, out);
      ck_assert_msg(out[n] == -7.0, "%s: wasp_cost_row wrote past n", m[k].what);
      for (long q = 0; q < n; q++) {
        /* the same bits: the clouds' block search prices by rows, the
         * pivots and the certificate by single arcs */
        double want = wasp_cost_eval(m[k].c, i, js[q]);
        ck_assert_msg(out[q] == want,
                      "%s: row(%ld)[%ld] = c(%ld, %ld) = %.17g but eval = %.17g", m[k].what, i, q,
                      i, js[q], out[q], want);
      }
      wasp_cost_row(m[k].c, i, 0, js, out); /* empty row is harmless */
    }
    free(js);
    free(out);
    wasp_cost_destroy(&m[k].c);
    free(keep[k]);
  }
}
END_TEST

START_TEST(bound_dominates_every_cost)
{
  uint64_t rng = 777;
  model m[32];
  double *keep[32] = {0};
  int nm = make_models(m, &rng, keep);
  for (int k = 0; k < nm; k++) {
    double bound = wasp_cost_bound(m[k].c), cmax = 0.0;
    ck_assert_msg(isfinite(bound), "%s: bound %g is not finite", m[k].what, bound);
    for (long i = 0; i < m[k].ns; i++)
      for (long j = 0; j < m[k].nt; j++) {
        double c = wasp_cost_eval(m[k].c, i, j);
        cmax = fmax(cmax, c);
        ck_assert_msg(c <= bound, "%s: c(%ld, %ld) = %.17g exceeds the bound %.17g", m[k].what, i,
                      j, c, bound);
      }
    ck_assert_msg(cmax > 0.0, "%s: all costs are zero", m[k].what);
    /* with a cap below the largest cost, the bound still dominates */
    ck_assert_int_eq(wasp_cost_set_cap(m[k].c, 0.5 * cmax), WASP_OK);
    bound = wasp_cost_bound(m[k].c);
    for (long i = 0; i < m[k].ns; i++)
      for (long j = 0; j < m[k].nt; j++)
        ck_assert_msg(wasp_cost_eval(m[k].c, i, j) <= bound, "%s capped: c(%ld, %ld) > bound %g",
                      m[k].what, i, j, bound);
    wasp_cost_destroy(&m[k].c);
    free(keep[k]);
  }
}
END_TEST

/* The largest cost of a long grid: the far corner on the plane, half a
 * period (rounded down) on each axis on the torus. */
START_TEST(bound_long_grid)
{
  for (int torus = 0; torus < 2; torus++)
    for (int e = 0; e < N_EXPONENTS; e++) {
      double p = exponents[e];
      wasp_cost *c = make_grid(3, 200, 0.05, torus, p);
      double far = torus ? pow(hypot(1 * 0.05, 100 * 0.05), p) : pow(hypot(2 * 0.05, 199 * 0.05), p);
      ck_assert_msg(wasp_cost_bound(c) >= far * (1.0 - 1e-15),
                    "grid 3x200 torus=%d p=%g: bound %.17g below the largest cost %.17g", torus, p,
                    wasp_cost_bound(c), far);
      wasp_cost_destroy(&c);
    }
}
END_TEST

START_TEST(cap_is_min)
{
  uint64_t rng = 4242;
  model m[32];
  double *keep[32] = {0};
  int nm = make_models(m, &rng, keep);
  for (int k = 0; k < nm; k++) {
    long ns = m[k].ns, nt = m[k].nt;
    double *c0 = malloc(sizeof(double) * ns * nt), *d0 = malloc(sizeof(double) * ns * nt);
    double cmax = 0.0;
    for (long i = 0; i < ns; i++)
      for (long j = 0; j < nt; j++) {
        c0[i * nt + j] = wasp_cost_eval(m[k].c, i, j);
        d0[i * nt + j] = wasp_cost_distance(m[k].c, i, j);
        cmax = fmax(cmax, c0[i * nt + j]);
      }
    const double caps[] = {0.3 * cmax, 0.9 * cmax, 2.0 * cmax};
    long *js = malloc(sizeof(long) * nt);
    double *row = malloc(sizeof(double) * nt);
    for (long j = 0; j < nt; j++) js[j] = j;
    for (int q = 0; q < 3; q++) {
      ck_assert_int_eq(wasp_cost_set_cap(m[k].c, caps[q]), WASP_OK);
      for (long i = 0; i < ns; i++) {
        wasp_cost_row(m[k].c, i, nt, js, row);
        for (long j = 0; j < nt; j++) {
          double want = fmin(c0[i * nt + j], caps[q]), got = wasp_cost_eval(m[k].c, i, j);
          ck_assert_msg(got == want || close_rel(got, want, 1e-15),
                        "%s cap %g: c(%ld, %ld) = %.17g, want min(%.17g, cap) = %.17g", m[k].what,
                        caps[q], i, j, got, c0[i * nt + j], want);
          ck_assert_msg(close_rel(row[j], want, 1e-15), "%s cap %g: row(%ld)[%ld] = %.17g want %.17g",
                        m[k].what, caps[q], i, j, row[j], want);
          ck_assert_msg(wasp_cost_distance(m[k].c, i, j) == d0[i * nt + j],
                        "%s cap %g: the distance must not be capped (%ld, %ld): %.17g vs %.17g",
                        m[k].what, caps[q], i, j, wasp_cost_distance(m[k].c, i, j), d0[i * nt + j]);
        }
      }
    }
    /* cap <= 0 removes the cap */
    const double removers[] = {0.0, -1.0};
    for (int q = 0; q < 2; q++) {
      ck_assert_int_eq(wasp_cost_set_cap(m[k].c, 0.3 * cmax), WASP_OK);
      ck_assert_int_eq(wasp_cost_set_cap(m[k].c, removers[q]), WASP_OK);
      for (long i = 0; i < ns; i++)
        for (long j = 0; j < nt; j++)
          ck_assert_msg(wasp_cost_eval(m[k].c, i, j) == c0[i * nt + j],
                        "%s: after set_cap(%g) c(%ld, %ld) = %.17g, want uncapped %.17g", m[k].what,
                        removers[q], i, j, wasp_cost_eval(m[k].c, i, j), c0[i * nt + j]);
    }
    free(js);
    free(row);
    free(c0);
    free(d0);
    wasp_cost_destroy(&m[k].c);
    free(keep[k]);
  }
}
END_TEST

/* Dummy sites: c(dummy, real) = c(real, dummy) = lambda, c(dummy, dummy) =
 * 0; real pairs unchanged; a dummy target last in a row; lambda <= 0
 * disables (real pairs unchanged). */
START_TEST(dummy_sites)
{
  uint64_t rng = 555;
  model m[32];
  double *keep[32] = {0};
  int nm = make_models(m, &rng, keep);
  for (int k = 0; k < nm; k++) {
    long ns = m[k].ns, nt = m[k].nt;
    double *c0 = malloc(sizeof(double) * ns * nt), cmax = 0.0;
    for (long i = 0; i < ns; i++)
      for (long j = 0; j < nt; j++) {
        c0[i * nt + j] = wasp_cost_eval(m[k].c, i, j);
        cmax = fmax(cmax, c0[i * nt + j]);
      }
    const double lambdas[] = {0.25 * cmax, 3.0 * cmax};
    long *js = malloc(sizeof(long) * (nt + 1));
    double *row = malloc(sizeof(double) * (nt + 1));
    for (long j = 0; j < nt; j++) js[j] = j;
    js[nt] = WASP_SITE_DUMMY;
    for (int q = 0; q < 2; q++) {
      double lam = lambdas[q];
      ck_assert_int_eq(wasp_cost_set_dummy(m[k].c, lam), WASP_OK);
      ck_assert_msg(wasp_cost_eval(m[k].c, WASP_SITE_DUMMY, WASP_SITE_DUMMY) == 0.0,
                    "%s: c(dummy, dummy) = %g, want 0", m[k].what,
                    wasp_cost_eval(m[k].c, WASP_SITE_DUMMY, WASP_SITE_DUMMY));
      ck_assert_msg(wasp_cost_bound(m[k].c) >= lam,
                    "%s: bound %g below the dummy price %g (a cost of some site pair)", m[k].what,
                    wasp_cost_bound(m[k].c), lam);
      for (long i = 0; i < ns; i++) {
        ck_assert_msg(wasp_cost_eval(m[k].c, i, WASP_SITE_DUMMY) == lam,
                      "%s: c(%ld, dummy) = %.17g, want lambda %.17g", m[k].what, i,
                      wasp_cost_eval(m[k].c, i, WASP_SITE_DUMMY), lam);
        wasp_cost_row(m[k].c, i, nt + 1, js, row);
        ck_assert_msg(row[nt] == lam, "%s: row(%ld) with a dummy target last gives %.17g, want %.17g",
                      m[k].what, i, row[nt], lam);
        for (long j = 0; j < nt; j++) {
          ck_assert_msg(wasp_cost_eval(m[k].c, i, j) == c0[i * nt + j],
                        "%s with dummies: real c(%ld, %ld) changed to %.17g from %.17g", m[k].what,
                        i, j, wasp_cost_eval(m[k].c, i, j), c0[i * nt + j]);
          ck_assert_msg(close_rel(row[j], c0[i * nt + j], 1e-15),
                        "%s with dummies: row(%ld)[%ld] = %.17g, want %.17g", m[k].what, i, j,
                        row[j], c0[i * nt + j]);
        }
      }
      for (long j = 0; j < nt; j++)
        ck_assert_msg(wasp_cost_eval(m[k].c, WASP_SITE_DUMMY, j) == lam,
                      "%s: c(dummy, %ld) = %.17g, want lambda %.17g", m[k].what, j,
                      wasp_cost_eval(m[k].c, WASP_SITE_DUMMY, j), lam);
      /* a row from the dummy source */
      wasp_cost_row(m[k].c, WASP_SITE_DUMMY, nt + 1, js, row);
      for (long j = 0; j < nt; j++)
        ck_assert_msg(row[j] == lam, "%s: row(dummy)[%ld] = %.17g, want %.17g", m[k].what, j,
                      row[j], lam);
      ck_assert_msg(row[nt] == 0.0, "%s: row(dummy)[dummy] = %g, want 0", m[k].what, row[nt]);
    }
    ck_assert_int_eq(wasp_cost_set_dummy(m[k].c, 0.0), WASP_OK);
    for (long i = 0; i < ns; i++)
      for (long j = 0; j < nt; j++)
        ck_assert_msg(wasp_cost_eval(m[k].c, i, j) == c0[i * nt + j],
                      "%s: after disabling dummies c(%ld, %ld) = %.17g, want %.17g", m[k].what, i,
                      j, wasp_cost_eval(m[k].c, i, j), c0[i * nt + j]);
    free(js);
    free(row);
    free(c0);
    wasp_cost_destroy(&m[k].c);
    free(keep[k]);
  }
}
END_TEST

/* Grid accessors: the offset table (cap applied, torus folded), the dummy
 * price and the cap. */
START_TEST(grid_accessors)
{
  for (int k = 0; k < N_SHAPES; k++)
    for (int torus = 0; torus < 2; torus++)
      for (int e = 0; e < N_EXPONENTS; e++) {
        int ny = shapes[k][0], nx = shapes[k][1];
        double h = 0.37, p = exponents[e];
        wasp_cost *c = make_grid(ny, nx, h, torus, p);
        ck_assert_msg(wasp_cost_cap(c) == 0.0, "cap %g before any set_cap", wasp_cost_cap(c));
        ck_assert_msg(wasp_cost_dummy_price(c) == 0.0, "dummy price %g before set_dummy",
                      wasp_cost_dummy_price(c));
        double cmax = 0.0;
        for (int pass = 0; pass < 2; pass++) {
          const double *table = wasp_cost_grid_table(c);
          ck_assert_msg(table != NULL, "grid %dx%d: no cost table", ny, nx);
          for (long di = 0; di < ny; di++)
            for (long dj = 0; dj < nx; dj++) {
              double want = pow(grid_distance(ny, nx, h, torus, 0, di * nx + dj), p);
              cmax = fmax(cmax, want);
              if (pass == 1) want = fmin(want, 0.5 * cmax);
              double got = table[di * nx + dj];
              ck_assert_msg(close_rel(got, want, COST_RTOL),
                            "grid %dx%d torus=%d p=%g pass %d: table[%ld * nx + %ld] = %.17g, want "
                            "%.17g",
                            ny, nx, torus, p, pass, di, dj, got, want);
              ck_assert_msg(got == wasp_cost_eval(c, 0, di * nx + dj),
                            "grid %dx%d: table entry (%ld, %ld) %.17g differs from eval %.17g", ny,
                            nx, di, dj, got, wasp_cost_eval(c, 0, di * nx + dj));
            }
          if (pass == 0 && cmax > 0.0) {
            ck_assert_int_eq(wasp_cost_set_cap(c, 0.5 * cmax), WASP_OK);
            ck_assert_msg(wasp_cost_cap(c) == 0.5 * cmax, "cap %g after set_cap(%g)",
                          wasp_cost_cap(c), 0.5 * cmax);
          }
          if (cmax == 0.0) break;
        }
        ck_assert_int_eq(wasp_cost_set_cap(c, -1.0), WASP_OK);
        ck_assert_msg(wasp_cost_cap(c) == 0.0, "cap %g after removing it", wasp_cost_cap(c));
        ck_assert_int_eq(wasp_cost_set_dummy(c, 0.75), WASP_OK);
        ck_assert_msg(wasp_cost_dummy_price(c) == 0.75, "dummy price %g, want 0.75",
                      wasp_cost_dummy_price(c));
        ck_assert_int_eq(wasp_cost_set_dummy(c, 0.0), WASP_OK);
        ck_assert_msg(wasp_cost_dummy_price(c) == 0.0, "dummy price %g after disabling",
                      wasp_cost_dummy_price(c));
        wasp_cost_destroy(&c);
      }
  const double X[] = {0.0, 1.0}, Y[] = {2.0};
  wasp_cost *c = NULL;
  ck_assert_int_eq(wasp_cost_create_cloud(1, 2, X, 1, Y, 2.0, &c), WASP_OK);
  ck_assert_msg(wasp_cost_grid_table(c) == NULL, "a cloud has no grid table");
  wasp_cost_destroy(&c);
}
END_TEST

START_TEST(grid_description)
{
  wasp_cost *c = make_grid(5, 9, 0.25, true, 2.0);
  int ny = 0, nx = 0;
  double hy = 0.0, hx = 0.0;
  bool torus = false;
  ck_assert_msg(wasp_cost_grid(c, &ny, &nx, &hy, &hx, &torus), "wasp_cost_grid must be true for a grid");
  ck_assert_msg(ny == 5 && nx == 9 && hy == 0.25 && hx == 0.25 && torus,
                "grid description %d x %d h=%g,%g torus=%d", ny, nx, hy, hx, (int)torus);
  wasp_cost_destroy(&c);
  c = make_grid(9, 5, 1.5, false, 1.0);
  ck_assert(wasp_cost_grid(c, &ny, &nx, &hy, &hx, &torus));
  ck_assert_msg(ny == 9 && nx == 5 && hy == 1.5 && hx == 1.5 && !torus,
                "grid description %d x %d h=%g,%g torus=%d", ny, nx, hy, hx, (int)torus);
  wasp_cost_destroy(&c);
  ck_assert_int_eq(wasp_cost_create_grid_axes(6, 7, 0.5, 2.0, true, 2.0, &c), WASP_OK);
  ck_assert(wasp_cost_grid(c, &ny, &nx, &hy, &hx, &torus));
  ck_assert_msg(ny == 6 && nx == 7 && hy == 0.5 && hx == 2.0 && torus,
                "grid description %d x %d h=%g,%g torus=%d", ny, nx, hy, hx, (int)torus);
  wasp_cost_destroy(&c);
}
END_TEST

/* ---- argument checks -------------------------------------------------------- */

static void expect_fail(wasp_status st, wasp_cost **c, const char *what)
{
  ck_assert_msg(st != WASP_OK, "%s must fail", what);
  ck_assert_msg(st == WASP_ERR_ARG || st == WASP_ERR_INPUT,
                "%s: status %d, want WASP_ERR_ARG (bad argument)", what, (int)st);
  ck_assert_msg(strlen(wasp_last_error()) > 0, "%s: failed without a message", what);
  if (st != WASP_OK && *c) wasp_cost_destroy(c);
}

START_TEST(bad_arguments)
{
  wasp_cost *c = NULL;
  const double X[] = {0.0, 1.0}, Y[] = {2.0};
  wasp_clear_error();
  expect_fail(wasp_cost_create_grid(4, 4, 0.0, false, 2.0, &c), &c, "grid h = 0");
  wasp_clear_error();
  expect_fail(wasp_cost_create_grid(4, 4, -0.25, false, 2.0, &c), &c, "grid h < 0");
  wasp_clear_error();
  expect_fail(wasp_cost_create_grid(4, 4, 0.25, false, 0.5, &c), &c, "grid p = 0.5");
  wasp_clear_error();
  expect_fail(wasp_cost_create_grid_axes(4, 4, 0.25, 0.0, false, 2.0, &c), &c, "grid hx = 0");
  wasp_clear_error();
  expect_fail(wasp_cost_create_grid_axes(4, 4, INFINITY, 0.25, false, 2.0, &c), &c, "grid hy = inf");
  wasp_clear_error();
  expect_fail(wasp_cost_create_grid(4, 4, 0.25, true, NAN, &c), &c, "grid p = NaN");
  wasp_clear_error();
  expect_fail(wasp_cost_create_grid(4, 4, NAN, true, 2.0, &c), &c, "grid h = NaN");
  wasp_clear_error();
  expect_fail(wasp_cost_create_grid(0, 4, 0.25, false, 2.0, &c), &c, "grid 0 x 4");
  wasp_clear_error();
  expect_fail(wasp_cost_create_grid(4, -1, 0.25, false, 2.0, &c), &c, "grid 4 x -1");
  wasp_clear_error();
  expect_fail(wasp_cost_create_cloud(1, 2, X, 1, Y, 0.99, &c), &c, "cloud p = 0.99");
  wasp_clear_error();
  expect_fail(wasp_cost_create_cloud(0, 2, X, 1, Y, 2.0, &c), &c, "cloud dim = 0");
  /* p = 1 exactly is allowed */
  ck_assert_int_eq(wasp_cost_create_grid(4, 4, 0.25, false, 1.0, &c), WASP_OK);
  wasp_cost_destroy(&c);
  ck_assert_int_eq(wasp_cost_create_cloud(1, 2, X, 1, Y, 1.0, &c), WASP_OK);
  wasp_cost_destroy(&c);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("cost");
  TCase *tc = tcase_create("cost");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, grid_eval_matches_formula);
  tcase_add_test(tc, torus_eval_matches_formula);
  tcase_add_test(tc, grid_axes_eval_matches_formula);
  tcase_add_test(tc, grid_explicit_values);
  tcase_add_test(tc, grid_large_indices);
  tcase_add_test(tc, cloud_eval_matches_formula);
  tcase_add_test(tc, cloud_explicit_values);
  tcase_add_test(tc, row_equals_eval);
  tcase_add_test(tc, bound_dominates_every_cost);
  tcase_add_test(tc, bound_long_grid);
  tcase_add_test(tc, cap_is_min);
  tcase_add_test(tc, dummy_sites);
  tcase_add_test(tc, grid_accessors);
  tcase_add_test(tc, grid_description);
  tcase_add_test(tc, bad_arguments);
  suite_add_tcase(s, tc);
  return unit_run(s);
}

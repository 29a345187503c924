/* Exact pricing for the squared grid cost in O(N): the c-transform by lower
 * envelopes of parabolas.
 *
 * For c = hy^2 dy^2 + hx^2 dx^2 (plain grid, or the torus with wrapped
 * offsets) the smallest reduced cost of source row i,
 *     min_j c(x_i, y_j) + pi_t[j] - pi[i],
 * splits by axis: min over rows y' of hy^2 (y - y')^2 + G(y', x), with
 * G(y', x) = min over x' of hx^2 (x - x')^2 + w(y', x').  Each 1-D minimum
 * over all positions is the lower envelope of one parabola per finite
 * sample (Felzenszwalb & Huttenlocher's distance transform), built and read
 * in one sweep; on a wrapped axis the envelope is also read n to either
 * side, which covers every wrapped offset.  Two sweeps give every row's
 * minimum and its minimiser, so a pricing pass costs O(ny nx)
 * instead of O(ns nt) or the hierarchical search.
 *
 * The envelope's intersections are rounded, so near a tie it may choose a
 * parabola one rounding error above the true minimum: callers widen the
 * bound they prove by ot_sep_margin(). */
#include "ot_sep.h"

#include <float.h>
#include <math.h>

struct ot_sep {
  int ny, nx;
  double sy, sx;      /* hy^2, hx^2 */
  bool torus;
  double *G, *line_g, *line_f, *z;
  double *H, *Gv;     /* the envelope's stack: g + s q^2, and g */
  double *inv_y, *inv_x; /* inv[d] = 1 / (2 s d): the cut without a division */
  int *AX, *line_a, *v;
};

void ot_sep_destroy(ot_sep **sp)
{
  ot_sep *s = *sp;
  if (!s) return;
  wasp_free(&s->G);
  wasp_free(&s->line_g);
  wasp_free(&s->line_f);
  wasp_free(&s->z);
  wasp_free(&s->H);
  wasp_free(&s->Gv);
  wasp_free(&s->inv_y);
  wasp_free(&s->inv_x);
  wasp_free(&s->AX);
  wasp_free(&s->line_a);
  wasp_free(&s->v);
  wasp_free(sp);
}

wasp_status ot_sep_create(int ny, int nx, double hy, double hx, bool torus, ot_sep **sp)
{
  ot_sep *s;
  *sp = NULL;
  WASP_TRY(wasp_calloc(1, sizeof *s, &s));
  s->ny = ny;
  s->nx = nx;
  s->sy = hy * hy;
  s->sx = hx * hx;
  s->torus = torus;
  const size_t n = (size_t)ny * (size_t)nx, m = (size_t)(ny > nx ? ny : nx);
  wasp_status st = wasp_malloc(sizeof(double) * n, &s->G);
  if (!st) st = wasp_malloc(sizeof(int) * n, &s->AX);
  if (!st) st = wasp_malloc(sizeof(double) * m, &s->line_g);
  if (!st) st = wasp_malloc(sizeof(double) * m, &s->line_f);
  if (!st) st = wasp_malloc(sizeof(int) * m, &s->line_a);
  if (!st) st = wasp_malloc(sizeof(int) * 3 * m, &s->v);
  if (!st) st = wasp_malloc(sizeof(double) * (3 * m + 1), &s->z);
  if (!st) st = wasp_malloc(sizeof(double) * (3 * m + 1), &s->H);
  if (!st) st = wasp_malloc(sizeof(double) * (3 * m + 1), &s->Gv);
  if (!st) st = wasp_malloc(sizeof(double) * (3 * m + 1), &s->inv_y);
  if (!st) st = wasp_malloc(sizeof(double) * (3 * m + 1), &s->inv_x);
  if (st) {
    ot_sep_destroy(&s);
    return st;
  }
  for (size_t d = 1; d <= 3 * m; d++) {
    s->inv_y[d] = 1.0 / (2.0 * s->sy * (double)d);
    s->inv_x[d] = 1.0 / (2.0 * s->sx * (double)d);
  }
  *sp = s;
  return WASP_OK;
}

/* Reads the envelope (stack v, z, Gv; j its parabola at from) at x in
 * [from, to) into f and arg at x + shift, keeping the smaller value when
 * keep_min; returns the parabola at to. */
static inline __attribute__((always_inline)) int read_envelope(double s, const int *v, const double *z,
                                                               const double *Gv, int j, int from, int to,
                                                               int shift, bool keep_min, double *f, int *arg)
{
  for (int x = from; x < to; x++) {
    while (z[j + 1] < x) j++;
    const int q = v[j];
    const double val = s * (double)(x - q) * (x - q) + Gv[j];
    if (!keep_min || val < f[x + shift]) f[x + shift] = val, arg[x + shift] = q;
  }
  return j;
}

/* f[p] = min_q s (p - q)^2 + g[q] for p in [0, n), over the finite g[q]
 * (on a wrapped axis the distance is the shorter way round); arg[p] = that
 * q (-1 and f = +inf when no g is finite).  The stack keeps each parabola's
 * position v, value at 0 (H = g + s q^2) and g, so testing the top against
 * a new parabola is one subtraction and one multiplication by a tabled
 * 1 / (2 s (q - r)), with no reloads. */
static void envelope(const ot_sep *S, double s, const double *inv, int n, const double *g, double *f, int *arg)
{
  int *v = S->v, k = -1;
  double *z = S->z, *H = S->H, *Gv = S->Gv;
  for (int q = 0; q < n; q++) {
    const double gq = g[q];
    if (!(gq < INFINITY)) continue;
    const double hq = gq + s * (double)q * q;
    double cut = -INFINITY;
    while (k >= 0) {
      cut = (hq - H[k]) * inv[q - v[k]];
      if (cut > z[k]) break;
      k--;
      cut = -INFINITY;
    }
    k++;
    v[k] = q;
    H[k] = hq;
    Gv[k] = gq;
    z[k] = cut;
  }
  if (k < 0) {
    for (int p = 0; p < n; p++) {
      f[p] = INFINITY;
      arg[p] = -1;
    }
    return;
  }
  z[k + 1] = INFINITY;
  /* On a wrapped axis, q's copies at q -+ n are the same envelope read at
   * p +- n; a copy can be nearer only within n/2 of the axis's ends, so one
   * sweep over [-n/2, n + n/2] reads all three (half the parabolas of
   * listing the copies, and the pushes are the costly part).  The sweep
   * runs in four stretches so no read tests which stretch it is in. */
  if (!S->torus) {
    read_envelope(s, v, z, Gv, 0, 0, n, 0, false, f, arg);
    return;
  }
  const int h = n / 2;
  int j = read_envelope(s, v, z, Gv, 0, -h, 0, n, false, f, arg); /* first reads of n - h .. n */
  j = read_envelope(s, v, z, Gv, j, 0, n - h, 0, false, f, arg);
  j = read_envelope(s, v, z, Gv, j, n - h, n, 0, true, f, arg);
  read_envelope(s, v, z, Gv, j, n, n + h + 1, -n, true, f, arg);
}

void ot_sep_transform(ot_sep *S, const int *target_of, const double *w, double *F, int *arg)
{
  const int ny = S->ny, nx = S->nx;
  for (int y = 0; y < ny; y++) {
    double *gl = S->line_g;
    for (int x = 0; x < nx; x++) {
      int j = target_of[(long)y * nx + x];
      gl[x] = j >= 0 ? w[j] : INFINITY;
    }
    envelope(S, S->sx, S->inv_x, nx, gl, S->G + (long)y * nx, S->AX + (long)y * nx);
  }
  for (int x = 0; x < nx; x++) {
    for (int y = 0; y < ny; y++) S->line_g[y] = S->G[(long)y * nx + x];
    envelope(S, S->sy, S->inv_y, ny, S->line_g, S->line_f, S->line_a);
    for (int y = 0; y < ny; y++) {
      const int yy = S->line_a[y];
      F[(long)y * nx + x] = S->line_f[y];
      arg[(long)y * nx + x] = yy < 0 ? -1 : target_of[(long)yy * nx + S->AX[(long)yy * nx + x]];
    }
  }
}

double ot_sep_margin(double magnitude)
{
  /* Each envelope value is two parabola evaluations and two additions; a
   * wrong choice near a tie costs at most a few roundings of the values
   * compared.  64 ulps of the largest magnitude covers both passes. */
  return 64.0 * DBL_EPSILON * magnitude;
}

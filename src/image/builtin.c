/* Built-in test images.  Shapes are defined in unit-square coordinates, so an
 * image looks the same at every n and resolution studies compare like with
 * like; only the sampling changes. */
#include "wasp/wasp_image.h"
#include "wasp/wasp_noise.h"

#include <math.h>
#include <string.h>

/* Experiment id of the image streams ("imag"): keeps image randomness apart
 * from noise and other modules drawn with the same user seed. */
#define IMAGE_STREAM 0x696d6167u

static const wasp_image_builtin_info builtin_table[] = {
  {"white", "i.i.d. uniform positive pixels (depends on seed)"},
  {"squares", "two squares of different size, upper-left and lower-right"},
  {"blobs", "four anisotropic Gaussian blobs; seed != 0 jitters them"},
  {"dirac", "one pixel of mass 1, at (n/2, n/2) or builtin:dirac:N:I,J"},
  {"cryo", "cryo-EM-like projection: 40 blobs in two clusters (depends on seed)"},
};
enum { N_BUILTIN = (int)(sizeof builtin_table / sizeof builtin_table[0]) };

const wasp_image_builtin_info *wasp_image_list_builtin(int *count)
{
  if (count) *count = N_BUILTIN;
  return builtin_table;
}

static void make_white(int n, uint64_t seed, double *w)
{
  wasp_rng_key key = wasp_rng_key_make(seed, IMAGE_STREAM, 0, 0, 0);
  /* Open interval: every pixel strictly positive, as "positive" promises. */
  wasp_rng_uniform_fill(&key, 0, (long)n * n, 1, w);
}

static void fill_square(int n, int i0, int side, double *w)
{
  for (int i = i0; i < i0 + side && i < n; i++)
    for (int j = i0; j < i0 + side && j < n; j++) w[(long)i * n + j] = 1.0;
}

static void make_squares(int n, double *w)
{
  /* Sides n/4 and n/8 (at least one pixel) starting at n/8 and 5n/8: the
   * squares never touch for n >= 4 and stay in their quadrants. */
  int big = n / 4 > 1 ? n / 4 : 1, small = n / 8 > 1 ? n / 8 : 1;
  fill_square(n, n / 8, big, w);
  fill_square(n, n / 2 + n / 8, small, w);
}

typedef struct {
  double cy, cx, sy, sx, theta, weight;  /* centre, widths along the rotated axes */
} blob;

/* Add an anisotropic Gaussian sampled at pixel centres (i/n, j/n). */
static void add_blob(int n, const blob *b, double *w)
{
  double c = cos(b->theta), s = sin(b->theta);
  for (int i = 0; i < n; i++) {
    double y = (double)i / n - b->cy;
    for (int j = 0; j < n; j++) {
      double x = (double)j / n - b->cx;
      double u = (c * y + s * x) / b->sy, v = (-s * y + c * x) / b->sx;
      w[(long)i * n + j] += b->weight * exp(-0.5 * (u * u + v * v));
    }
  }
}

/* Uniform in [-1, 1). */
static double jitter(const wasp_rng_key *key, uint64_t counter)
{
  return 2.0 * wasp_rng_uniform(key, counter) - 1.0;
}

static void make_blobs(int n, uint64_t seed, double *w)
{
  blob bs[4] = {
    {0.30, 0.30, 0.08, 0.05, 0.5, 1.0},
    {0.70, 0.65, 0.06, 0.10, -0.3, 0.8},
    {0.25, 0.72, 0.05, 0.05, 0.0, 0.6},
    {0.68, 0.25, 0.10, 0.04, 1.0, 0.5},
  };
  wasp_rng_key key = wasp_rng_key_make(seed, IMAGE_STREAM, 2, 0, 0);
  for (int k = 0; k < 4; k++) {
    if (seed != 0) {
      /* A family of similar images: +-0.03 on centres, +-10% on the rest. */
      uint64_t c0 = 8u * (uint64_t)k;
      bs[k].cy += 0.03 * jitter(&key, c0);
      bs[k].cx += 0.03 * jitter(&key, c0 + 1);
      bs[k].sy *= 1.0 + 0.1 * jitter(&key, c0 + 2);
      bs[k].sx *= 1.0 + 0.1 * jitter(&key, c0 + 3);
      bs[k].theta += 0.1 * jitter(&key, c0 + 4);
      bs[k].weight *= 1.0 + 0.1 * jitter(&key, c0 + 5);
    }
    add_blob(n, &bs[k], w);
  }
}

/* Isotropic blobs are separable: exp(-r^2/2s^2) = gy(i) * gx(j), so a
 * 40-blob image costs O(40 n) exponentials, not O(40 n^2). */
static wasp_status make_cryo(int n, uint64_t seed, double *w)
{
  /* Large and small subunit: centre, semi-axes, blob width range, count. */
  static const struct {
    double cy, cx, ry, rx, smin, smax;
    int count;
  } cl[2] = {{0.43, 0.41, 0.21, 0.17, 0.028, 0.045, 26},
             {0.66, 0.67, 0.12, 0.14, 0.020, 0.034, 14}};
  double *g = NULL;
  WASP_TRY(wasp_malloc(sizeof(double) * 2 * (size_t)n, &g));
  wasp_rng_key key = wasp_rng_key_make(seed, IMAGE_STREAM, 4, 0, 0);
  uint64_t ctr = 0;
  for (int c = 0; c < 2; c++) {
    for (int k = 0; k < cl[c].count; k++) {
      /* Uniform in the ellipse: radius sqrt(u) keeps the area density flat. */
      double r = sqrt(wasp_rng_uniform(&key, ctr++));
      double t = 6.283185307179586 * wasp_rng_uniform(&key, ctr++);
      double cy = cl[c].cy + cl[c].ry * r * sin(t), cx = cl[c].cx + cl[c].rx * r * cos(t);
      double s = cl[c].smin + (cl[c].smax - cl[c].smin) * wasp_rng_uniform(&key, ctr++);
      double a = 0.5 + 0.5 * wasp_rng_uniform(&key, ctr++);
      for (int q = 0; q < n; q++) {
        double dy = ((double)q / n - cy) / s, dx = ((double)q / n - cx) / s;
        g[q] = a * exp(-0.5 * dy * dy);
        g[n + q] = exp(-0.5 * dx * dx);
      }
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) w[(long)i * n + j] += g[i] * g[n + j];
    }
  }
  wasp_free(&g);
  return WASP_OK;
}

static wasp_status generate(int kind, int n, uint64_t seed, double *w)
{
  switch (kind) {
  case 0: make_white(n, seed, w); return WASP_OK;
  case 1: make_squares(n, w); return WASP_OK;
  case 2: make_blobs(n, seed, w); return WASP_OK;
  case 3: w[(long)(n / 2) * n + n / 2] = 1.0; return WASP_OK;
  case 4: return make_cryo(n, seed, w);
  default: return wasp_fail(WASP_ERR_INTERNAL, "built-in image %d has no generator", kind);
  }
}

wasp_status wasp_image_builtin(const char *name, int n, uint64_t seed, wasp_measure *img)
{
  memset(img, 0, sizeof *img);
  int kind = -1;
  for (int k = 0; k < N_BUILTIN && name; k++)
    if (strcmp(name, builtin_table[k].name) == 0) kind = k;
  if (kind < 0) {
    char known[128] = "";
    for (int k = 0; k < N_BUILTIN; k++) {
      if (k) strncat(known, ", ", sizeof known - strlen(known) - 1);
      strncat(known, builtin_table[k].name, sizeof known - strlen(known) - 1);
    }
    return wasp_fail(WASP_ERR_ARG, "unknown built-in image '%s'; known: %s",
                     name ? name : "(null)", known);
  }
  if (n < WASP_IMAGE_MIN_N || n > WASP_IMAGE_MAX_N)
    return wasp_fail(WASP_ERR_ARG, "image size %d is out of range; need %d <= n <= %d", n,
                     WASP_IMAGE_MIN_N, WASP_IMAGE_MAX_N);
  WASP_TRY(wasp_measure_create_grid(n, n, img));
  wasp_status s = generate(kind, n, seed, img->w);
  if (s == WASP_OK) s = wasp_image_normalize(img);
  if (s != WASP_OK) {
    wasp_fail_context(s, "built-in image '%s' at n = %d", name, n);
    wasp_measure_destroy(img);
  }
  return s;
}

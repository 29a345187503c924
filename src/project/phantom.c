/* The built-in phantom: a ribosome-like density with no symmetry, so that
 * every viewing direction gives a distinct projection (what the clustering
 * study needs) and the command runs without an input map.  Sizes are in
 * fractions of the box, so the phantom looks the same at any L. */
#include "wasp/wasp_project.h"

#include <math.h>
#include <stdlib.h>

/* One part of the phantom: `count` blobs uniform in an ellipsoid. */
typedef struct {
  double c[3], axes[3];  /* centre (from the box centre) and semi-axes, in box units */
  int count;
  double sigma[2], amp[2]; /* ranges of blob width (box units) and height */
} part;

static const part parts[] = {
  /* large subunit: a flattened ellipsoid below the centre */
  {{0.00, -0.07, 0.00}, {0.27, 0.18, 0.22}, 260, {0.022, 0.034}, {0.6, 1.0}},
  /* small subunit: thinner, docked above and off to one side */
  {{0.05, 0.17, 0.04}, {0.21, 0.08, 0.14}, 140, {0.018, 0.028}, {0.5, 0.9}},
  /* central protuberance on the large subunit */
  {{0.03, -0.04, 0.24}, {0.06, 0.05, 0.06}, 20, {0.018, 0.026}, {0.6, 0.9}},
  /* stalk: a thin rod sticking out on one side only */
  {{-0.30, -0.02, 0.07}, {0.07, 0.02, 0.02}, 10, {0.014, 0.018}, {0.7, 0.9}},
  /* beak of the small subunit */
  {{0.24, 0.22, 0.10}, {0.04, 0.03, 0.03}, 8, {0.014, 0.020}, {0.5, 0.8}},
};

static void splat(float *vol, int L, const double c[3], double sigma, double amp)
{
  const double s = sigma * L, inv = 1.0 / (2 * s * s);
  const int w = (int)ceil(3.5 * s);
  int lo[3], hi[3];
  for (int a = 0; a < 3; a++) {
    double p = (c[a] + 0.5) * L;
    lo[a] = (int)floor(p) - w;
    hi[a] = (int)floor(p) + w;
    if (lo[a] < 0) lo[a] = 0;
    if (hi[a] > L - 1) hi[a] = L - 1;
  }
  const double px = (c[0] + 0.5) * L, py = (c[1] + 0.5) * L, pz = (c[2] + 0.5) * L;
  for (int z = lo[2]; z <= hi[2]; z++)
    for (int y = lo[1]; y <= hi[1]; y++)
      for (int x = lo[0]; x <= hi[0]; x++) {
        double d2 = (x - px) * (x - px) + (y - py) * (y - py) + (z - pz) * (z - pz);
        vol[((size_t)z * L + y) * L + x] += (float)(amp * exp(-d2 * inv));
      }
}

wasp_status wasp_phantom_ribosome(int L, float **vol)
{
  *vol = NULL;
  if (L < 16 || L > 1024) return wasp_fail(WASP_ERR_ARG, "phantom: size %d not in [16, 1024]", L);
  WASP_TRY(wasp_calloc((size_t)L * L * L, sizeof(float), vol));
  /* A fixed key: the phantom is part of the program, not of the seed. */
  const wasp_rng_key key = wasp_rng_key_make(0x7068616eu /* "phan" */, WASP_RNG_SIMULATE, 100, 0, 0);
  uint64_t ctr = 0;
  for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
    const part *pt = &parts[k];
    for (int b = 0; b < pt->count; b++) {
      double u[3];
      /* Uniform in the unit ball by rejection (acceptance pi/6). */
      do {
        for (int a = 0; a < 3; a++) u[a] = 2 * wasp_rng_uniform(&key, ctr++) - 1;
      } while (u[0] * u[0] + u[1] * u[1] + u[2] * u[2] > 1);
      double c[3];
      for (int a = 0; a < 3; a++) c[a] = pt->c[a] + pt->axes[a] * u[a];
      double sg = pt->sigma[0] + (pt->sigma[1] - pt->sigma[0]) * wasp_rng_uniform(&key, ctr++);
      double am = pt->amp[0] + (pt->amp[1] - pt->amp[0]) * wasp_rng_uniform(&key, ctr++);
      splat(*vol, L, c, sg, am);
    }
  }
  return WASP_OK;
}

/* The per-image recipe of `wasp simulate`: every random quantity of image i
 * is drawn from streams keyed by (seed, i), so any split of the images over
 * ranks reproduces the same dataset. */
#include "wasp/wasp_project.h"
#include "wasp/wasp_rotate.h"

#include <math.h>

wasp_rng_key wasp_sim_key(uint64_t seed, int stream, long index)
{
  uint64_t i = (uint64_t)index;
  return wasp_rng_key_make(seed, WASP_RNG_SIMULATE, (uint32_t)stream, (uint32_t)(i >> 32),
                           (uint32_t)(i & 0xffffffffu));
}

void wasp_sim_pose(uint64_t seed, long index, double shift_max, double R[9], double shift[2])
{
  wasp_rng_key kr = wasp_sim_key(seed, WASP_SIM_STREAM_ROTATION, index);
  wasp_rotation_random(&kr, R);
  shift[0] = shift[1] = 0.0;
  if (shift_max > 0) {
    /* Uniform in the disc: radius sqrt(u) * shift_max. */
    wasp_rng_key ks = wasp_sim_key(seed, WASP_SIM_STREAM_SHIFT, index);
    double r = shift_max * sqrt(wasp_rng_uniform(&ks, 0));
    double t = 6.28318530717958647692 * wasp_rng_uniform(&ks, 1);
    shift[0] = r * cos(t);
    shift[1] = r * sin(t);
  }
}

void wasp_sim_add_noise(uint64_t seed, long index, double sigma, long m, const double *clean,
                        double *noisy)
{
  wasp_rng_key kn = wasp_sim_key(seed, WASP_SIM_STREAM_NOISE, index);
  wasp_rng_normal_fill(&kn, 0, m, noisy);
  for (long k = 0; k < m; k++) noisy[k] = clean[k] + sigma * noisy[k];
}

void wasp_sim_mask(int box, double radius, double *img)
{
  if (!(radius > 0)) return;
  const double c = box / 2, r2 = radius * radius;
  for (int i = 0; i < box; i++)
    for (int j = 0; j < box; j++)
      if ((i - c) * (i - c) + (j - c) * (j - c) > r2) img[(size_t)i * box + j] = 0.0;
}

/* Counter-based random numbers on Random123 Philox4x64-10 (see wasp_noise.h
 * for the key and counter layout, which is a reproducibility contract). */
#include "wasp/wasp_noise.h"

#include <math.h>

/* Random123 is header-only; keep any warning it may raise at our warning
 * level out of the build log. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-function"
#include <Random123/philox.h>
#pragma GCC diagnostic pop

#if !R123_USE_PHILOX_64BIT
#error "Random123 Philox4x64 needs a 64x64->128-bit multiply, unavailable with this compiler"
#endif

/* Sub-streams of one key: each kind of draw owns one, so that asking for a
 * normal never reuses the bits of a uniform. */
enum { STREAM_UNIFORM = 0, STREAM_NORMAL = 1, STREAM_INDEX = 2 };

static philox4x64_ctr_t block(const wasp_rng_key *key, uint64_t blk, uint64_t stream,
                              uint64_t attempt)
{
  philox4x64_key_t k = {{key->seed, ((uint64_t)key->a << 32) | key->b}};
  philox4x64_ctr_t c = {{((uint64_t)key->c << 32) | key->d, blk, stream, attempt}};
  return philox4x64(c, k);
}

/* 53 high bits: every double in [0, 1) on the 2^-53 lattice is equally likely. */
static inline double to_uniform(uint64_t w) { return (double)(w >> 11) * 0x1.0p-53; }

/* Centre of the same lattice cell: never 0 nor 1, so log() is finite. */
static inline double to_open(uint64_t w) { return ((double)(w >> 11) + 0.5) * 0x1.0p-53; }

uint64_t wasp_rng_u64(const wasp_rng_key *key, uint64_t counter)
{
  return block(key, counter >> 2, STREAM_UNIFORM, 0).v[counter & 3];
}

double wasp_rng_uniform(const wasp_rng_key *key, uint64_t counter)
{
  return to_uniform(wasp_rng_u64(key, counter));
}

double wasp_rng_uniform_open(const wasp_rng_key *key, uint64_t counter)
{
  return to_open(wasp_rng_u64(key, counter));
}

/* Box-Muller turns the four words of a block into four normals: words (0, 1)
 * give normals 0 and 1, words (2, 3) give normals 2 and 3. */
static void normals_of_block(philox4x64_ctr_t r, double z[4])
{
  const double two_pi = 6.283185307179586476925286766559;
  for (int p = 0; p < 4; p += 2) {
    double rad = sqrt(-2.0 * log(to_open(r.v[p])));
    double th = two_pi * to_uniform(r.v[p + 1]);
    z[p] = rad * cos(th);
    z[p + 1] = rad * sin(th);
  }
}

double wasp_rng_normal(const wasp_rng_key *key, uint64_t counter)
{
  double z[4];
  normals_of_block(block(key, counter >> 2, STREAM_NORMAL, 0), z);
  return z[counter & 3];
}

long wasp_rng_draw_index(const wasp_rng_key *key, uint64_t counter, long n)
{
  if (n < 1) return -1;
  uint64_t un = (uint64_t)n, hi, lo;
  /* Lemire: hi = floor(w * n / 2^64) is uniform once the few w whose low
   * product falls below 2^64 mod n are rejected. */
  uint64_t threshold = (0 - un) % un;
  for (uint64_t attempt = 0;; attempt++) {
    uint64_t w = block(key, counter >> 2, STREAM_INDEX, attempt).v[counter & 3];
    lo = mulhilo64(w, un, &hi);
    if (lo >= threshold) return (long)hi;
  }
}

void wasp_rng_uniform_fill(const wasp_rng_key *key, uint64_t first, long count, int open,
                           double *u)
{
  for (long k = 0; k < count;) {
    uint64_t ctr = first + (uint64_t)k;
    philox4x64_ctr_t r = block(key, ctr >> 2, STREAM_UNIFORM, 0);
    for (unsigned lane = (unsigned)(ctr & 3); lane < 4 && k < count; lane++, k++)
      u[k] = open ? to_open(r.v[lane]) : to_uniform(r.v[lane]);
  }
}

void wasp_rng_normal_fill(const wasp_rng_key *key, uint64_t first, long count, double *z)
{
  double zb[4];
  for (long k = 0; k < count;) {
    uint64_t ctr = first + (uint64_t)k;
    normals_of_block(block(key, ctr >> 2, STREAM_NORMAL, 0), zb);
    for (unsigned lane = (unsigned)(ctr & 3); lane < 4 && k < count; lane++, k++) z[k] = zb[lane];
  }
}

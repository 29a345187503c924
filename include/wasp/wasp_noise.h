/* wasp_noise.h - counter-based random numbers and the noise models of the
 * noise study.  Not collective; no state, thread-safe.
 *
 * Why counter-based: a draw is a pure function of (key, counter), so a value
 * is the same whichever MPI rank, thread or order computes it.  A sweep that
 * is split over 1, 2 or 3 ranks therefore produces bit-identical noise, and a
 * single trial can be replayed alone.
 *
 * Generator: Random123 Philox4x64-10.  One Philox call maps a 256-bit
 * counter and a 128-bit key to four 64-bit words; the layout below is part of
 * the reproducibility contract (tests pin it):
 *   Philox key     = { seed, (experiment << 32) | param }
 *   Philox counter = { (trial << 32) | image, counter / 4, stream, attempt }
 * where "counter" is the index of the draw within the stream, each block
 * serves four consecutive draws, "stream" separates the kinds of draw (raw
 * words and uniforms / normals / indices) so that they are independent of one
 * another, and "attempt" is used only by the rejection step of
 * wasp_rng_draw_index.
 *
 * Normals come from Box-Muller on Philox output, using libm's log, sqrt, cos
 * and sin: identical on all ranks of one build, but not guaranteed to the
 * last bit across different libm versions. */
#ifndef WASP_NOISE_H
#define WASP_NOISE_H

#include "wasp_base.h"

/* Identifies one independent stream of random numbers.  The fields name the
 * axes of an experiment so that every draw has a place:
 *   seed  - the user's -seed
 *   a     - experiment id: which module / purpose draws (noise, k-means++
 *           seeding, rotations, ...); each module picks its own constant
 *   b     - parameter index: e.g. the index of sigma in a sweep
 *   c     - trial number
 *   d     - image: which measure of the pair (0 = source, 1 = target), or a
 *           finer sub-stream chosen by the module. */
typedef struct {
  uint64_t seed;
  uint32_t a, b, c, d;
} wasp_rng_key;

static inline wasp_rng_key wasp_rng_key_make(uint64_t seed, uint32_t experiment, uint32_t param,
                                             uint32_t trial, uint32_t image)
{
  wasp_rng_key k = {seed, experiment, param, trial, image};
  return k;
}

/* The counter-th raw 64-bit word of the stream. */
uint64_t wasp_rng_u64(const wasp_rng_key *key, uint64_t counter);
/* The counter-th uniform of the stream, in [0, 1) with 53 random bits. */
double wasp_rng_uniform(const wasp_rng_key *key, uint64_t counter);
/* The same draw as wasp_rng_uniform shifted by half an ulp, in (0, 1): for
 * logarithms and strictly positive pixels.  Do not use both on one counter. */
double wasp_rng_uniform_open(const wasp_rng_key *key, uint64_t counter);
/* The counter-th standard normal N(0, 1) of the stream (independent of the
 * uniform stream of the same key). */
double wasp_rng_normal(const wasp_rng_key *key, uint64_t counter);
/* A uniform integer in [0, n), exactly unbiased (Lemire's multiply-shift with
 * rejection; the rare retries use further counters of a separate stream).
 * Requires n >= 1; returns -1 when n < 1. */
long wasp_rng_draw_index(const wasp_rng_key *key, uint64_t counter, long n);

/* u[k] = wasp_rng_uniform(key, first + k) for 0 <= k < count, or the open
 * variant when open is nonzero; z[k] = wasp_rng_normal(key, first + k).
 * Faster than calling per element, same values: a rank that owns entries
 * [first, first + count) of a vector draws exactly its part of the whole. */
void wasp_rng_uniform_fill(const wasp_rng_key *key, uint64_t first, long count, int open,
                           double *u);
void wasp_rng_normal_fill(const wasp_rng_key *key, uint64_t first, long count, double *z);

/* The noise models of the noise study (../shared/notes/noise-study.md). */
typedef enum {
  WASP_NOISE_IID = 0,     /* i.i.d. N(0, sigma^2) per pixel                   */
  WASP_NOISE_ZEROSUM = 1  /* Assumption 1: variance sigma^2 per pixel,
                             covariance -sigma^2/(m-1), sum exactly 0         */
} wasp_noise_model;

/* Parse "iid" or "zerosum"; an unknown name fails with WASP_ERR_ARG and a
 * message naming it and the known models. */
wasp_status wasp_noise_model_parse(const char *name, wasp_noise_model *model);
/* "iid" / "zerosum" ("?" for an invalid value). */
const char *wasp_noise_model_name(wasp_noise_model model);

/* eps[k] for k < m, drawn from stream key with counters 0 .. m-1:
 *   IID:     eps[k] = sigma * z_k
 *   ZEROSUM: x_k = sigma * sqrt(m/(m-1)) * z_k, eps = x - mean(x); the mean
 *            is removed with compensated sums so the sum is 0 to rounding.
 * Requires sigma >= 0 finite, m >= 1 (m >= 2 for ZEROSUM). */
wasp_status wasp_noise_fill(wasp_noise_model model, double sigma, const wasp_rng_key *key, long m,
                            double *eps);
/* x[k] += eps[k] with eps exactly as wasp_noise_fill draws it (allocates m
 * doubles for ZEROSUM, whose mean needs the whole vector). */
wasp_status wasp_noise_add(wasp_noise_model model, double sigma, const wasp_rng_key *key, long m,
                           double *x);

#endif

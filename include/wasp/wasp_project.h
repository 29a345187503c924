/* wasp_project.h - tomographic projection of a 3-D map, the volume helpers
 * around it, the built-in ribosome-like phantom, and the per-image recipe of
 * `wasp simulate` (pose, shift, noise).  Pure kernels: no MPI, no files.
 * Not collective.
 *
 * Geometry (see wasp_rotate.h): a volume is an L x L x L float32 array
 * [z][y][x]; the projection at rotation R is
 *   P(u) = integral of vol(origin + R^T (u, z)) dz,
 * where u is the image-plane offset from the image centre (pixel box/2) and
 * `origin` is the volume point that lands on the image centre (default the
 * voxel L/2, or the centre of mass).  An output box N != L resamples: the
 * image covers the same L voxels with N pixels, so its pixel size is L/N
 * voxels and values keep the units of a line integral in voxels (Fourier
 * cropping or zero-padding of the projection, band-limited to the smaller
 * of the two Nyquist discs). */
#ifndef WASP_PROJECT_H
#define WASP_PROJECT_H

#include "wasp_base.h"
#include "wasp_noise.h"

/* ---- Fourier-slice projector ------------------------------------------ */

/* Holds the 3-D transform of the volume (zero-padded twice, corrected for
 * the trilinear interpolation's roll-off) and the 2-D inverse FFT plan of
 * the output box, so each image costs one slice and one N x N FFT.  One
 * projector per thread: project() uses the projector's scratch buffers. */
typedef struct wasp_projector wasp_projector;

/* vol: L^3 values; origin: (x, y, z) in voxels, NULL for (L/2, L/2, L/2);
 * box: output size N >= 2.  Copies what it needs from vol.  Fails with
 * WASP_ERR_ARG on L < 2, N < 2, a non-finite origin, WASP_ERR_INPUT on a
 * non-finite voxel, WASP_ERR_MEM when FFTW cannot allocate or plan. */
wasp_status wasp_projector_create(const float *vol, int L, const double origin[3], int box,
                                  wasp_projector **proj);
void wasp_projector_destroy(wasp_projector **proj);
int wasp_projector_box(const wasp_projector *proj);

/* img (box x box, row-major) = projection at R, translated by shift (x, y)
 * in output pixels (the particle's centre lands at box/2 + shift; the shift
 * is a Fourier phase, so it is exact and periodic in the box).  shift may be
 * NULL for none.  Deterministic: same inputs, same bits (FFTW_ESTIMATE
 * plans on aligned buffers). */
wasp_status wasp_projector_project(wasp_projector *proj, const double R[9], const double shift[2],
                                   double *img);

/* ---- real-space oracle -------------------------------------------------- */

/* The same projection by direct line integrals: for each pixel, samples
 * along z every `step` voxels (the trapezoid rule on a band-limited profile)
 * of the tricubic (Keys) interpolant of the volume, zero outside.  Slow
 * (box^2 * L / step * 64 operations): the independent check of the Fourier
 * projector in the tests, not a production path. */
wasp_status wasp_project_real(const float *vol, int L, const double origin[3], const double R[9],
                              const double shift[2], int box, double step, double *img);

/* ---- volumes ----------------------------------------------------------- */

/* Centre of mass (x, y, z) in voxels of the positive part of vol (density
 * maps carry a slightly negative solvent background that would otherwise
 * pull the centre).  Fails with WASP_ERR_INPUT when no voxel is positive. */
wasp_status wasp_volume_center_of_mass(const float *vol, int L, double com[3]);

/* The built-in phantom: an asymmetric ribosome-like map on an L^3 grid
 * (L >= 16) built from Gaussian blobs: a large subunit, a smaller one
 * docked on it off-axis, and two protrusions (a stalk and a beak), with no
 * symmetry.  Blob positions come from a fixed Philox key, so the phantom is
 * the same on every machine for a given L; it fills about 80% of the box.
 * *vol is malloc'd (free with free()). */
wasp_status wasp_phantom_ribosome(int L, float **vol);

/* ---- the recipe of one simulated image --------------------------------- */

/* Philox experiment id of `wasp simulate`; the param field selects the
 * stream below, the image index goes in (trial, image) = (index >> 32,
 * index & 0xffffffff), so a draw belongs to an image, never to a rank. */
#define WASP_RNG_SIMULATE 0x53494d55u /* "SIMU" */
enum { WASP_SIM_STREAM_ROTATION = 0, WASP_SIM_STREAM_SHIFT = 1, WASP_SIM_STREAM_NOISE = 2 };

wasp_rng_key wasp_sim_key(uint64_t seed, int stream, long index);

/* Pose of image `index`: a Haar rotation R and a shift uniform in the disc
 * of radius shift_max pixels (zero when shift_max == 0). */
void wasp_sim_pose(uint64_t seed, long index, double shift_max, double R[9], double shift[2]);

/* noisy[k] = clean[k] + sigma * z_k for the m pixels of image `index` (the
 * arrays must not overlap), z
 * from the noise stream of that image.  The same z serves every SNR of one
 * seed (common random numbers): a dataset does not depend on which other
 * SNRs were made with it. */
void wasp_sim_add_noise(uint64_t seed, long index, double sigma, long m, const double *clean,
                        double *noisy);

/* Zero the pixels farther than radius from the centre (box/2, box/2); no-op
 * when radius <= 0. */
void wasp_sim_mask(int box, double radius, double *img);

#endif

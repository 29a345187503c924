/* wasp_rotate.h - rotations: uniform sampling of SO(3), the RELION Euler
 * convention, and the in-plane rotation of an image.  Pure kernel: no MPI,
 * no files, no state; thread-safe.  Not collective.
 *
 * Conventions (shared with wasp_project.h and the STAR writer):
 *  - A rotation is a 3x3 matrix R, row-major (R[3*i + j] = row i, column j),
 *    acting on (x, y, z) where x is the fastest array axis (column), y the
 *    row and z the slowest axis of a volume [z][y][x].
 *  - The projection "at R" is P(x, y) = integral of vol(R^T (x, y, z)) dz,
 *    i.e. the volume is rotated by R and then summed along z.  This is
 *    RELION's convention for the matrix A of (rot, tilt, psi), so the angles
 *    of R can be written to a STAR file as they are.
 *  - The viewing direction is R^T e_z (the third row of R): the direction in
 *    the volume's frame along which the projection integrates.
 *  - Image and volume centres are at index n/2 (integer division): the FFT
 *    origin after fftshift, as in RELION. */
#ifndef WASP_ROTATE_H
#define WASP_ROTATE_H

#include "wasp_base.h"
#include "wasp_noise.h"

/* R from a quaternion (w, x, y, z); q need not be normalised but must not
 * be zero (then R is the identity). */
void wasp_rotation_from_quaternion(const double q[4], double R[9]);

/* A Haar-uniform random rotation: a quaternion of four standard normals of
 * stream `key` (counters 0..3, then 4..7 in the measure-zero event of a
 * vanishing quaternion), normalised.  Why normals: the normalised Gaussian
 * vector is uniform on S^3, and S^3 -> SO(3) pushes the uniform measure to
 * the Haar measure.  Same key, same rotation, on any rank. */
void wasp_rotation_random(const wasp_rng_key *key, double R[9]);

/* RELION's Euler angles in degrees (ZYZ: rot about z, tilt about y, psi
 * about z), as Euler_angles2matrix / Euler_matrix2angles in RELION's
 * src/euler.cpp.  to_euler returns tilt in [0, 180], rot and psi in
 * (-180, 180]; at tilt = 0 or 180 rot is set to 0 (gimbal lock). */
void wasp_rotation_from_euler(double rot, double tilt, double psi, double R[9]);
void wasp_rotation_to_euler(const double R[9], double *rot, double *tilt, double *psi);

/* Viewing direction R^T e_z (unit vector). */
void wasp_rotation_view_dir(const double R[9], double v[3]);

/* Keys' cubic convolution weights (a = -1/2) for the four samples at
 * offsets -1, 0, 1, 2 of a point t in [0, 1) past sample 0.  Interpolates
 * exactly quadratics; shared by the image rotation and the real-space
 * projector so that both use one interpolator. */
void wasp_cubic_weights(double t, double w[4]);

/* out = in rotated counter-clockwise by `angle` radians about pixel
 * (n/2, n/2) in the (x = column, y = row) plane:
 *   out(p) = in(c + Rot(-angle) (p - c)),
 * by bicubic (Keys) interpolation, zero outside the image.  With this sign,
 * the projection at Rz(angle) R equals the rotation of the projection at R
 * by angle (Rz = [[c, -s, 0], [s, c, 0], [0, 0, 1]]).  n x n row-major;
 * in and out must not overlap.  Fails with WASP_ERR_ARG on n < 1, NULL or
 * overlapping buffers, or a non-finite angle. */
wasp_status wasp_rotate_image(const double *in, int n, double angle, double *out);

#endif

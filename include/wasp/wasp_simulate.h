/* wasp_simulate.h - the MPI driver of `wasp simulate` (src/par/simulate.c):
 * projections split over ranks by blocks of image indices, noise at each
 * requested SNR, gathered to rank 0 and written there.  Every random draw is
 * keyed by the image index (wasp_project.h), so the datasets are identical
 * on any number of ranks. */
#ifndef WASP_SIMULATE_H
#define WASP_SIMULATE_H

#include "wasp_par.h"

#define WASP_SIM_MAX_SNR 16

typedef struct {
  long n_images;          /* > 0 */
  int box;                /* output N x N */
  uint64_t seed;
  double shift_max;       /* pixels; 0 for none */
  double mask_radius;     /* pixels; 0 for none */
  double pixel_size;      /* Angstrom per output pixel (HDF5 attribute, MRCS, STAR) */
  int nsnr;               /* 1 .. WASP_SIM_MAX_SNR */
  double snr[WASP_SIM_MAX_SNR];
  PetscBool write_clean;  /* also store /clean */
  PetscBool mrcs;         /* also write PREFIX_snrX.mrcs and PREFIX_snrX.star */
  PetscBool quiet;
  PetscBool centered;     /* recorded as an attribute: rotation centre = centre of mass */
  char prefix[PETSC_MAX_PATH_LEN];
  char source[PETSC_MAX_PATH_LEN]; /* what the volume is, for the attribute "volume" */
} wasp_simulate_opts;

/* "PREFIX_snrX" (no extension) for SNR index k, X = snr with %.4g. */
PetscErrorCode wasp_simulate_stem(const wasp_simulate_opts *o, int k, char *buf, size_t len);

/* Collective.  vol (L^3, the same on every rank) is projected about origin
 * (voxels; NULL for the voxel L/2).  Writes PREFIX_snrX.h5 for each SNR
 * (and the MRCS + STAR pair with -mrcs) from rank 0; all ranks return the
 * same error if anything fails anywhere. */
PetscErrorCode wasp_simulate_run(MPI_Comm comm, const wasp_simulate_opts *o, const float *vol, int L,
                                 const double origin[3]);

#endif

/* The parallel driver of `wasp simulate`.  Rank r projects the images
 * [n r / P, n (r+1) / P); the signal energy of each image is gathered so that
 * every rank sums the same numbers in the same (index) order, hence computes
 * the same sigma bit for bit; the stacks are gathered to rank 0, which
 * writes.  Result: the same files whatever the number of ranks. */
#include "wasp/wasp_simulate.h"

#include "wasp/wasp_io.h"
#include "wasp/wasp_project.h"
#include "wasp/wasp_rotate.h"

#include <math.h>
#include <string.h>

typedef struct {
  long first, count, n; /* this rank's block of image indices, and the total */
  int N;
  float *clean;         /* [count][N][N] */
  double *rot, *shift;  /* [count][9], [count][2] */
  double *energy;       /* [count]: squared norm of each clean image */
} local_block;

PetscErrorCode wasp_simulate_stem(const wasp_simulate_opts *o, int k, char *buf, size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(buf, len, "%s_snr%.4g", o->prefix, o->snr[k]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Counts and displacements of the block split, in units of `per` items. */
static PetscErrorCode block_layout(MPI_Comm comm, long n, PetscMPIInt **counts, PetscMPIInt **displs)
{
  PetscMPIInt size;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc2(size, counts, size, displs));
  for (PetscMPIInt r = 0; r < size; r++) {
    long a = n * r / size, b = n * (r + 1) / size;
    PetscCheck(b - a < 2147483647L, comm, PETSC_ERR_SUP, "too many images per rank (%ld)", b - a);
    (*counts)[r] = (PetscMPIInt)(b - a);
    (*displs)[r] = (PetscMPIInt)a;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Gather `per` values of type t per image from every rank to rank 0. */
static PetscErrorCode gather(MPI_Comm comm, const void *send, long count, void *recv, long per,
                             MPI_Datatype t, const PetscMPIInt *counts, const PetscMPIInt *displs)
{
  MPI_Datatype item;
  PetscFunctionBeginUser;
  /* One derived type per image: the counts stay image counts and cannot
   * overflow an int for any realistic stack. */
  PetscCallMPI(MPI_Type_contiguous((int)per, t, &item));
  PetscCallMPI(MPI_Type_commit(&item));
  PetscCallMPI(MPI_Gatherv(send, (int)count, item, recv, counts, displs, item, 0, comm));
  PetscCallMPI(MPI_Type_free(&item));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Project this rank's images (poses drawn per image index). */
static PetscErrorCode project_block(MPI_Comm comm, const wasp_simulate_opts *o, const float *vol,
                                    int L, const double origin[3], local_block *b)
{
  wasp_projector *proj = NULL;
  wasp_progress *pr = NULL;
  double *img = NULL;
  const long m = (long)b->N * b->N;
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(wasp_log.project, 0, 0, 0, 0));
  WaspAgree(comm, wasp_projector_create(vol, L, origin, o->box, &proj));
  PetscCall(PetscMalloc1(m, &img));
  PetscCall(wasp_progress_create(comm, "simulate: projecting", b->n, o->quiet, &pr));
  wasp_status s = WASP_OK;
  for (long i = 0; i < b->count && !s; i++) {
    double *R = b->rot + 9 * i, *sh = b->shift + 2 * i, e = 0;
    wasp_sim_pose(o->seed, b->first + i, o->shift_max, R, sh);
    s = wasp_projector_project(proj, R, sh, img);
    wasp_sim_mask(b->N, o->mask_radius, img);
    float *c = b->clean + i * m;
    for (long k = 0; k < m; k++) {
      c[k] = (float)img[k];
      e += (double)c[k] * c[k]; /* of the values written: D is what /clean holds */
    }
    b->energy[i] = e;
    /* rank 0's share stands for the whole run (blocks are equal to +-1) */
    if (b->count) PetscCall(wasp_progress_update(pr, (i + 1) * b->n / b->count));
  }
  PetscCall(wasp_progress_destroy(&pr));
  PetscCall(PetscFree(img));
  wasp_projector_destroy(&proj);
  PetscCall(PetscLogEventEnd(wasp_log.project, 0, 0, 0, 0));
  WaspAgree(comm, s);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ||D||^2 over the whole stack, identical on every rank: all ranks receive
 * every image's energy and add them in index order. */
static PetscErrorCode total_energy(MPI_Comm comm, const local_block *b, const PetscMPIInt *counts,
                                   const PetscMPIInt *displs, double *total)
{
  double *all = NULL, s = 0, c = 0;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(b->n, &all));
  PetscCallMPI(MPI_Allgatherv(b->energy, (int)b->count, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, comm));
  for (long i = 0; i < b->n; i++) { /* Kahan: 10^4..10^6 terms of one sign */
    double y = all[i] - c, t = s + y;
    c = (t - s) - y;
    s = t;
  }
  *total = s;
  PetscCall(PetscFree(all));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0: everything about the poses, derived from the gathered matrices. */
typedef struct {
  double *rot, *shift, *view, *euler, *origin; /* [n][9], [n][2], [n][3], [n][3], [n][2] */
  float *clean;                               /* [n][N][N] or NULL */
} truth;

static wasp_status write_h5(const wasp_simulate_opts *o, const char *path, long n, const float *images,
                            const truth *t, double snr, double sigma, double energy)
{
  wasp_h5 *f = NULL;
  const long N = o->box, d3[3] = {n, N, N}, dr[3] = {n, 3, 3}, dv[2] = {n, 3}, ds[2] = {n, 2};
  WASP_TRY(wasp_h5_create(path, &f));
  wasp_status s = wasp_h5_write_float(f, "/images", 3, d3, images);
  if (!s && t->clean) s = wasp_h5_write_float(f, "/clean", 3, d3, t->clean);
  if (!s) s = wasp_h5_write_double(f, "/rotations", 3, dr, t->rot);
  if (!s) s = wasp_h5_write_double(f, "/view_dirs", 2, dv, t->view);
  if (!s) s = wasp_h5_write_double(f, "/euler", 2, dv, t->euler);
  if (!s) s = wasp_h5_write_double(f, "/shifts", 2, ds, t->shift);
  if (!s) s = wasp_h5_attr_double(f, "/", "snr", snr);
  if (!s) s = wasp_h5_attr_double(f, "/", "sigma", sigma);
  if (!s) s = wasp_h5_attr_double(f, "/", "signal_energy", energy);
  if (!s) s = wasp_h5_attr_long(f, "/", "seed", (long)o->seed);
  if (!s) s = wasp_h5_attr_string(f, "/", "volume", o->source);
  if (!s) s = wasp_h5_attr_long(f, "/", "box", N);
  if (!s) s = wasp_h5_attr_long(f, "/", "n_images", n);
  if (!s) s = wasp_h5_attr_double(f, "/", "pixel_size", o->pixel_size);
  if (!s) s = wasp_h5_attr_double(f, "/", "shift_max", o->shift_max);
  if (!s) s = wasp_h5_attr_double(f, "/", "mask_radius", o->mask_radius);
  if (!s) s = wasp_h5_attr_long(f, "/", "center", o->centered ? 1 : 0);
  if (!s) s = wasp_h5_attr_string(f, "/", "conventions",
                                  "P(u) = int vol(origin + R^T (u, z)) dz; euler = RELION rot, tilt, "
                                  "psi of R; view_dirs = R^T e_z; shifts in pixels");
  if (!s) s = wasp_h5_attr_string(f, "/", "wasp_version", "0.1.0");
  if (s) {
    wasp_h5_abort(&f);
    return s;
  }
  return wasp_h5_commit(&f);
}

static wasp_status write_relion(const wasp_simulate_opts *o, const char *stem, long n,
                                const float *images, const truth *t)
{
  char mrcs[PETSC_MAX_PATH_LEN + 8], star[PETSC_MAX_PATH_LEN + 8];
  snprintf(mrcs, sizeof mrcs, "%s.mrcs", stem);
  snprintf(star, sizeof star, "%s.star", stem);
  const char *slash = strrchr(mrcs, '/');
  const wasp_star_optics optics = {"opticsGroup1", o->pixel_size, 300.0, 2.7, 0.1, o->box};
  /* The n_images x N x N stack: MRC's nz counts images. */
  if (n > 2147483647L) return wasp_fail(WASP_ERR_ARG, "%s: %ld images do not fit an MRC header", mrcs, n);
  WASP_TRY(wasp_mrc_write(mrcs, (int)n, o->box, o->box, images, o->pixel_size));
  return wasp_star_write(star, &optics, slash ? slash + 1 : mrcs, n, t->euler, t->origin);
}

static PetscErrorCode truth_create(long n, truth *t)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(t, sizeof *t));
  PetscCall(PetscMalloc5(9 * n, &t->rot, 2 * n, &t->shift, 3 * n, &t->view, 3 * n, &t->euler, 2 * n,
                         &t->origin));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void truth_derive(const wasp_simulate_opts *o, long n, truth *t)
{
  for (long i = 0; i < n; i++) {
    const double *R = t->rot + 9 * i;
    wasp_rotation_view_dir(R, t->view + 3 * i);
    wasp_rotation_to_euler(R, t->euler + 3 * i, t->euler + 3 * i + 1, t->euler + 3 * i + 2);
    /* RELION's origin is where the particle sits relative to the box
     * centre, in Angstrom: our shift times the pixel size. */
    t->origin[2 * i] = t->shift[2 * i] * o->pixel_size;
    t->origin[2 * i + 1] = t->shift[2 * i + 1] * o->pixel_size;
  }
}

PetscErrorCode wasp_simulate_run(MPI_Comm comm, const wasp_simulate_opts *o, const float *vol, int L,
                                 const double origin[3])
{
  PetscMPIInt rank, size, *counts, *displs;
  local_block b = {0};
  truth t = {0};
  float *noisy = NULL, *stack = NULL;
  double *work = NULL, *dirty = NULL, energy = 0;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  b.n = o->n_images;
  b.N = o->box;
  b.first = b.n * rank / size;
  b.count = b.n * (rank + 1) / size - b.first;
  const long m = (long)b.N * b.N;
  PetscCall(block_layout(comm, b.n, &counts, &displs));
  PetscCall(PetscMalloc4(b.count * m, &b.clean, 9 * b.count, &b.rot, 2 * b.count, &b.shift, b.count, &b.energy));

  PetscCall(project_block(comm, o, vol, L, origin, &b));
  PetscCall(total_energy(comm, &b, counts, displs, &energy));
  WaspAgree(comm, energy > 0 && isfinite(energy) ? WASP_OK
                  : wasp_fail(WASP_ERR_INPUT, "the clean projections are all zero (or not finite): "
                              "no signal to set an SNR against (empty volume or -mask_radius too small?)"));

  PetscCall(PetscLogEventBegin(wasp_log.gather, 0, 0, 0, 0));
  if (rank == 0) PetscCall(truth_create(b.n, &t));
  PetscCall(gather(comm, b.rot, b.count, t.rot, 9, MPI_DOUBLE, counts, displs));
  PetscCall(gather(comm, b.shift, b.count, t.shift, 2, MPI_DOUBLE, counts, displs));
  if (rank == 0) truth_derive(o, b.n, &t);
  if (o->write_clean) {
    if (rank == 0) PetscCall(PetscMalloc1(b.n * m, &t.clean));
    PetscCall(gather(comm, b.clean, b.count, t.clean, m, MPI_FLOAT, counts, displs));
  }
  PetscCall(PetscLogEventEnd(wasp_log.gather, 0, 0, 0, 0));

  PetscCall(PetscMalloc3(b.count * m, &noisy, m, &work, m, &dirty));
  if (rank == 0) PetscCall(PetscMalloc1(b.n * m, &stack));
  for (int k = 0; k < o->nsnr; k++) {
    /* SNR = ||D||^2 / (n N^2 sigma^2), the paper's definition (eq. 10). */
    const double sigma = sqrt(energy / ((double)b.n * (double)m * o->snr[k]));
    char stem[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN + 8];
    PetscCall(PetscLogEventBegin(wasp_log.noise, 0, 0, 0, 0));
    for (long i = 0; i < b.count; i++) {
      const float *c = b.clean + i * m;
      for (long q = 0; q < m; q++) work[q] = c[q];
      wasp_sim_add_noise(o->seed, b.first + i, sigma, m, work, dirty);
      wasp_sim_mask(b.N, o->mask_radius, dirty);
      for (long q = 0; q < m; q++) noisy[i * m + q] = (float)dirty[q];
    }
    PetscCall(PetscLogEventEnd(wasp_log.noise, 0, 0, 0, 0));
    PetscCall(PetscLogEventBegin(wasp_log.gather, 0, 0, 0, 0));
    PetscCall(gather(comm, noisy, b.count, stack, m, MPI_FLOAT, counts, displs));
    PetscCall(PetscLogEventEnd(wasp_log.gather, 0, 0, 0, 0));

    PetscCall(wasp_simulate_stem(o, k, stem, sizeof stem));
    PetscCall(PetscSNPrintf(path, sizeof path, "%s.h5", stem));
    PetscCall(PetscLogEventBegin(wasp_log.write, 0, 0, 0, 0));
    wasp_status s = WASP_OK;
    if (rank == 0) {
      s = write_h5(o, path, b.n, stack, &t, o->snr[k], sigma, energy);
      if (!s && o->mrcs) s = write_relion(o, stem, b.n, stack, &t);
    }
    PetscCall(PetscLogEventEnd(wasp_log.write, 0, 0, 0, 0));
    WaspAgree(comm, s);
    if (rank == 0 && !o->quiet)
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "wrote %s: %ld images %dx%d, SNR %g, sigma %.6g%s\n", path,
                            b.n, b.N, b.N, o->snr[k], sigma, o->mrcs ? " (+ .mrcs, .star)" : ""));
  }
  PetscCall(PetscFree3(noisy, work, dirty));
  PetscCall(PetscFree(stack));
  if (rank == 0) {
    PetscCall(PetscFree(t.clean));
    PetscCall(PetscFree5(t.rot, t.shift, t.view, t.euler, t.origin));
  }
  PetscCall(PetscFree4(b.clean, b.rot, b.shift, b.energy));
  PetscCall(PetscFree2(counts, displs));
  PetscFunctionReturn(PETSC_SUCCESS);
}

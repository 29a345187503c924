/* wasp simulate: synthetic cryo-EM datasets (the ribosome benchmark of the
 * Wasserstein k-means paper): random projections of a map, with noise at
 * one or more SNRs, and the ground truth needed to judge a clustering. */
#include "app.h"

#include "wasp/wasp_io.h"
#include "wasp/wasp_project.h"
#include "wasp/wasp_simulate.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  wasp_simulate_opts sim;
  char volume[PETSC_MAX_PATH_LEN], snr_list[512], seed[64];
  PetscInt n_images, box;
  PetscBool center;
} simulate_opts;

/* One SNR: "0.125" or "1/8"; finite and > 0. */
static wasp_status parse_snr(const char *tok, double *v)
{
  char *end;
  errno = 0;
  double a = strtod(tok, &end);
  if (end != tok && *end == '/') {
    const char *d = end + 1;
    double b = strtod(d, &end);
    if (end == d) end = (char *)tok; /* "1/" is malformed */
    else a = b != 0 ? a / b : NAN;
  }
  if (end == tok || *end || errno || !isfinite(a) || !(a > 0))
    return wasp_fail(WASP_ERR_ARG, "-snr_list: '%s' is not a positive number (write 0.125 or 1/8)", tok);
  *v = a;
  return WASP_OK;
}

static wasp_status parse_snr_list(const char *list, wasp_simulate_opts *o)
{
  char buf[512];
  snprintf(buf, sizeof buf, "%s", list);
  o->nsnr = 0;
  for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
    if (o->nsnr == WASP_SIM_MAX_SNR)
      return wasp_fail(WASP_ERR_ARG, "-snr_list: at most %d values", WASP_SIM_MAX_SNR);
    WASP_TRY(parse_snr(tok, &o->snr[o->nsnr]));
    /* Two SNRs writing the same file would silently keep only one. */
    for (int k = 0; k < o->nsnr; k++) {
      char a[32], b[32];
      snprintf(a, sizeof a, "%.4g", o->snr[k]);
      snprintf(b, sizeof b, "%.4g", o->snr[o->nsnr]);
      if (strcmp(a, b) == 0)
        return wasp_fail(WASP_ERR_ARG, "-snr_list: values %d and %d both name files '_snr%s'", k + 1,
                         o->nsnr + 1, a);
    }
    o->nsnr++;
  }
  if (o->nsnr == 0) return wasp_fail(WASP_ERR_ARG, "-snr_list: give at least one SNR, e.g. 1/8,1/12,1/16");
  return WASP_OK;
}

static PetscErrorCode process_options(MPI_Comm comm, simulate_opts *o)
{
  wasp_simulate_opts *s = &o->sim;
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof *o));
  o->n_images = 1000;
  o->box = 128;
  o->center = PETSC_TRUE;
  s->pixel_size = 0;
  PetscCall(PetscStrncpy(o->snr_list, "1/8,1/12,1/16", sizeof o->snr_list));
  PetscCall(PetscStrncpy(o->seed, "1", sizeof o->seed));
  PetscCall(PetscStrncpy(s->prefix, "simulated", sizeof s->prefix));
  PetscOptionsBegin(comm, NULL, "wasp simulate: random projections of a 3-D map with Gaussian noise", NULL);
  PetscCall(PetscOptionsString("-volume", "3-D MRC map to project (cubic); default: the built-in "
                               "ribosome-like phantom", NULL, o->volume, o->volume, sizeof o->volume, NULL));
  PetscCall(PetscOptionsInt("-n_images", "Number of projections", NULL, o->n_images, &o->n_images, NULL));
  PetscCall(PetscOptionsInt("-box", "Output image size N (N x N); the map is resampled to it", NULL,
                            o->box, &o->box, NULL));
  PetscCall(PetscOptionsString("-snr_list", "SNRs, one dataset each: SNR = ||D||^2/(n N^2 sigma^2) over "
                               "the clean stack D (0.125 or 1/8)", NULL, o->snr_list, o->snr_list,
                               sizeof o->snr_list, NULL));
  PetscCall(PetscOptionsString("-seed", "Random seed (rotations, shifts, noise)", NULL, o->seed, o->seed,
                               sizeof o->seed, NULL));
  PetscCall(PetscOptionsReal("-shift_max", "In-plane shifts uniform in a disc of this radius (pixels)",
                             NULL, s->shift_max, &s->shift_max, NULL));
  PetscCall(PetscOptionsReal("-mask_radius", "Zero pixels beyond this radius from the centre (0: none)",
                             NULL, s->mask_radius, &s->mask_radius, NULL));
  PetscCall(PetscOptionsBool("-center", "Rotate about the centre of mass (else the box centre)", NULL,
                             o->center, &o->center, NULL));
  PetscCall(PetscOptionsBool("-write_clean", "Also store the clean projections as /clean", NULL,
                             s->write_clean, &s->write_clean, NULL));
  PetscCall(PetscOptionsString("-o", "Output prefix: writes PREFIX_snrX.h5 per SNR", NULL, s->prefix,
                               s->prefix, sizeof s->prefix, NULL));
  PetscCall(PetscOptionsBool("-mrcs", "Also write PREFIX_snrX.mrcs and a RELION 3.1 PREFIX_snrX.star", NULL,
                             s->mrcs, &s->mrcs, NULL));
  PetscCall(PetscOptionsReal("-pixel_size", "Output pixel size in Angstrom (default: the map's voxel "
                             "size times L/N, or 1)", NULL, s->pixel_size, &s->pixel_size, NULL));
  PetscCall(PetscOptionsBool("-quiet", "No progress or summary", NULL, s->quiet, &s->quiet, NULL));
  PetscCall(wasp_app_progress_options(PetscOptionsObject));
  PetscOptionsEnd();
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Checks on values every rank sees alike (so PetscCheck on comm is safe). */
static PetscErrorCode check_options(MPI_Comm comm, simulate_opts *o)
{
  wasp_simulate_opts *s = &o->sim;
  PetscFunctionBeginUser;
  PetscCheck(o->n_images >= 1, comm, PETSC_ERR_USER, "-n_images %d: must be >= 1", (int)o->n_images);
  PetscCheck(o->box >= 8 && o->box <= 4096, comm, PETSC_ERR_USER, "-box %d: must be in [8, 4096]", (int)o->box);
  PetscCheck(isfinite(s->shift_max) && s->shift_max >= 0 && s->shift_max <= o->box / 2, comm, PETSC_ERR_USER,
             "-shift_max %g: must be in [0, box/2 = %d] pixels", s->shift_max, (int)o->box / 2);
  PetscCheck(isfinite(s->mask_radius) && s->mask_radius >= 0, comm, PETSC_ERR_USER,
             "-mask_radius %g: must be >= 0 (0 for no mask)", s->mask_radius);
  PetscCheck(isfinite(s->pixel_size) && s->pixel_size >= 0, comm, PETSC_ERR_USER,
             "-pixel_size %g: must be > 0 (or 0 for the default)", s->pixel_size);
  PetscCheck(s->prefix[0], comm, PETSC_ERR_USER, "-o: give an output prefix");
  WaspAgree(comm, parse_snr_list(o->snr_list, s));
  WaspAgree(comm, wasp_app_parse_seed(o->seed, &s->seed));
  s->n_images = o->n_images;
  s->box = (int)o->box;
  s->centered = o->center;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The output folder must exist and be writable: found now rather than
 * after the projections.  Rank 0 looks; everyone agrees. */
static wasp_status check_output_dir(const char *prefix)
{
  char buf[PETSC_MAX_PATH_LEN];
  snprintf(buf, sizeof buf, "%s", prefix);
  const char *dir = dirname(buf);
  if (access(dir, W_OK | X_OK) != 0)
    return wasp_fail(WASP_ERR_IO, "-o %s: cannot write in folder '%s': %s", prefix, dir, strerror(errno));
  return WASP_OK;
}

/* The map (every rank loads it: a few MB, and no broadcast to get wrong). */
static wasp_status load_volume(simulate_opts *o, float **vol, int *L, double *voxel)
{
  int nz, ny, nx;
  *voxel = 0;
  if (!o->volume[0]) {
    *L = o->sim.box;
    snprintf(o->sim.source, sizeof o->sim.source, "builtin:ribosome_phantom:%d", *L);
    return wasp_phantom_ribosome(*L, vol);
  }
  snprintf(o->sim.source, sizeof o->sim.source, "%s", o->volume);
  WASP_TRY(wasp_io_read_volume(o->volume, &nz, &ny, &nx, vol, voxel));
  if (nz != ny || ny != nx) {
    wasp_free(vol);
    return wasp_fail(WASP_ERR_INPUT, "-volume %s: the map is %d x %d x %d (z, y, x); wasp simulate needs "
                     "a cubic map", o->volume, nz, ny, nx);
  }
  *L = nx;
  return WASP_OK;
}

PetscErrorCode wasp_cmd_simulate(MPI_Comm comm)
{
  simulate_opts o;
  float *vol = NULL;
  int L = 0;
  double voxel = 0, com[3];
  PetscMPIInt rank;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(process_options(comm, &o));
  if (wasp_app_help()) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(check_options(comm, &o));
  WaspAgree(comm, rank == 0 ? check_output_dir(o.sim.prefix) : WASP_OK);

  PetscCall(PetscLogEventBegin(wasp_log.read, 0, 0, 0, 0));
  wasp_status s = load_volume(&o, &vol, &L, &voxel);
  if (!s && o.center) s = wasp_volume_center_of_mass(vol, L, com);
  if (s && o.center && vol) s = wasp_fail_context(s, "-center: %s", o.sim.source);
  PetscCall(PetscLogEventEnd(wasp_log.read, 0, 0, 0, 0));
  WaspAgree(comm, s);
  if (o.sim.pixel_size == 0) o.sim.pixel_size = voxel > 0 ? voxel * L / o.sim.box : 1.0;
  if (rank == 0 && !o.sim.quiet) {
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "wasp simulate: %s (%d^3) -> %ld images %dx%d, pixel %.4g A, "
                          "%d SNR%s, seed %llu\n", o.sim.source, L, o.sim.n_images, o.sim.box,
                          o.sim.box, o.sim.pixel_size, o.sim.nsnr, o.sim.nsnr > 1 ? "s" : "",
                          (unsigned long long)o.sim.seed));
    if (o.center)
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "  rotation centre: centre of mass (%.3f, %.3f, %.3f) voxels\n",
                            com[0], com[1], com[2]));
  }
  PetscCall(wasp_simulate_run(comm, &o.sim, vol, L, o.center ? com : NULL));
  free(vol);
  PetscFunctionReturn(PETSC_SUCCESS);
}

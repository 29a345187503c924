/* wasp noise: Monte-Carlo statistics of distances under additive pixel
 * noise, over a sigma list and a p list (the noise-sensitivity study,
 * docs/noise.md).  Options and inputs here; the parallel sweep in
 * par/sweep.c; statistics and outputs in noise_report.c, noise_output.c and
 * noise_plots.c. */
#include "noise.h"

#include "wasp/wasp_image.h"
#include "wasp/wasp_io.h"
#include "wasp/wasp_plot.h"

#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const experiments[] = {"self", "pair", "matrix", "dirac"};

static PetscErrorCode read_options(MPI_Comm comm, noise_opts *o)
{
  PetscBool set;
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof *o));
  wasp_metric_params_default(&o->par);
  PetscCall(PetscStrncpy(o->experiment_name, "self", sizeof o->experiment_name));
  PetscCall(PetscStrncpy(o->noise_name, "zerosum", sizeof o->noise_name));
  o->sigma_min = 1e-6, o->sigma_max = 1e-1, o->nsigma = 6, o->trials = 4, o->seed = 1;
  o->np = 2, o->p[0] = 1, o->p[1] = 2, o->confidence = 0.95, o->nimages = 6;
  o->site[0] = o->site[1] = 8;
  PetscOptionsBegin(comm, NULL, "wasp noise: distances under additive pixel noise", NULL);
  PetscCall(PetscOptionsString("-experiment", "self, pair, matrix or dirac", NULL, o->experiment_name,
                               o->experiment_name, sizeof o->experiment_name, NULL));
  PetscCall(PetscOptionsString("-image", "Clean image: FILE[:INDEX] or builtin:NAME:N (matrix: a "
                               "stack FILE, or a builtin drawn with seeds 1..-nimages)", NULL,
                               o->image, o->image, sizeof o->image, NULL));
  PetscCall(PetscOptionsString("-image2", "Second clean image (pair, dirac)", NULL, o->image2,
                               o->image2, sizeof o->image2, NULL));
  PetscCall(PetscOptionsInt("-nimages", "matrix: number of images (0 = all of the file)", NULL,
                            o->nimages, &o->nimages, NULL));
  PetscInt nsite = 2;
  PetscCall(PetscOptionsIntArray("-dirac_site", "dirac: row,col of the pixel whose mass is followed",
                                 NULL, o->site, &nsite, &set));
  PetscCheck(!set || nsite == 2, comm, PETSC_ERR_USER, "-dirac_site needs two integers ROW,COL");
  PetscCall(PetscOptionsString("-noise", "Noise model: iid or zerosum", NULL, o->noise_name,
                               o->noise_name, sizeof o->noise_name, NULL));
  PetscCall(PetscOptionsReal("-sigma_min", "Smallest noise std per pixel", NULL, o->sigma_min,
                             &o->sigma_min, NULL));
  PetscCall(PetscOptionsReal("-sigma_max", "Largest noise std per pixel", NULL, o->sigma_max,
                             &o->sigma_max, NULL));
  PetscCall(PetscOptionsInt("-nsigma", "Number of log-spaced sigmas", NULL, o->nsigma, &o->nsigma, NULL));
  PetscInt n = NOISE_MAX_SIGMA;
  PetscReal list[NOISE_MAX_SIGMA];
  PetscCall(PetscOptionsRealArray("-sigma_list", "Explicit increasing sigmas (overrides the range)",
                                  NULL, list, &n, &set));
  if (set) {
    o->nsigma = n;
    for (PetscInt i = 0; i < n; i++) o->sigma[i] = list[i];
  } else {
    o->nsigma = -o->nsigma - 1; /* marks "build from the range" below */
  }
  n = NOISE_MAX_P;
  PetscCall(PetscOptionsRealArray("-p_list", "Exponents p >= 1 of W_p^±", NULL, o->p, &n, &set));
  if (set) o->np = n;
  PetscCall(PetscOptionsInt("-trials", "Noise draws per (sigma, p)", NULL, o->trials, &o->trials, NULL));
  PetscCall(PetscOptionsInt("-seed", "Seed of the noise (same seed, same statistics)", NULL, o->seed,
                            &o->seed, NULL));
  PetscCall(PetscOptionsBool("-both_sides", "self: noise both copies (else only the second)", NULL,
                             o->both_sides, &o->both_sides, NULL));
  PetscBool torus = o->par.torus;
  PetscCall(PetscOptionsBool("-torus", "Periodic ground distance (the theorems' setting)", NULL,
                             torus, &torus, NULL));
  o->par.torus = torus;
  PetscCall(PetscOptionsReal("-spacing", "Pixel spacing h; 0 means 1/n (unit square)", NULL,
                             o->par.spacing, &o->par.spacing, NULL));
  PetscCall(PetscOptionsReal("-tol", "Relative optimality tolerance of the exact LP", NULL,
                             o->par.ot.tol, &o->par.ot.tol, NULL));
  PetscBool s1, s2;
  PetscCall(PetscOptionsReal("-fit_min", "Smallest sigma of the slope fit (default: smallest)", NULL,
                             o->fit_min, &o->fit_min, &s1));
  PetscCall(PetscOptionsReal("-fit_max", "Largest sigma of the slope fit (default: largest)", NULL,
                             o->fit_max, &o->fit_max, &s2));
  o->fit_given = s1 || s2;
  if (!s1) o->fit_min = -1;
  if (!s2) o->fit_max = -1;
  PetscCall(PetscOptionsReal("-confidence", "Level of the slope's t-interval", NULL, o->confidence,
                             &o->confidence, NULL));
  PetscCall(PetscOptionsString("-o", "Output HDF5 file", NULL, o->out, o->out, sizeof o->out, NULL));
  PetscCall(PetscOptionsString("-csv", "Output CSV file", NULL, o->csv, o->csv, sizeof o->csv, NULL));
  PetscCall(PetscOptionsString("-plots", "Prefix of PNG figures (needs gnuplot)", NULL, o->plots,
                               o->plots, sizeof o->plots, NULL));
  PetscCall(PetscOptionsString("-checkpoint", "Folder of restart files", NULL, o->ckpt, o->ckpt,
                               sizeof o->ckpt, NULL));
  PetscCall(PetscOptionsString("-slice", "K/N: run only slice K (0-based) of N of the sweep cells and "
                               "write a partial -o for `wasp merge` (Slurm job arrays)", NULL,
                               o->slice_text, o->slice_text, sizeof o->slice_text, NULL));
  PetscCall(PetscOptionsBool("-json", "Print one JSON object with slopes, means and ratios", NULL,
                             o->json, &o->json, NULL));
  PetscCall(PetscOptionsBool("-quiet", "No progress and no table", NULL, o->quiet, &o->quiet, NULL));
  PetscCall(wasp_app_progress_options(PetscOptionsObject));
  PetscOptionsEnd();
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Every check is on options all ranks share, so PetscCheck on comm fails
 * on every rank together. */
static PetscErrorCode validate(MPI_Comm comm, noise_opts *o)
{
  PetscFunctionBeginUser;
  int e = -1;
  for (int i = 0; i < 4; i++)
    if (strcmp(o->experiment_name, experiments[i]) == 0) e = i;
  PetscCheck(e >= 0, comm, PETSC_ERR_USER,
             "-experiment '%s' is unknown; known experiments: self, pair, matrix, dirac",
             o->experiment_name);
  o->experiment = (wasp_sweep_experiment)e;
  WaspAgree(comm, wasp_noise_model_parse(o->noise_name, &o->noise));
  if (o->nsigma < 0) {
    const PetscInt n = -o->nsigma - 1;
    o->nsigma = n;
    PetscCheck(n >= 1 && n <= NOISE_MAX_SIGMA, comm, PETSC_ERR_USER,
               "-nsigma %d must be between 1 and %d", (int)n, NOISE_MAX_SIGMA);
    PetscCheck(o->sigma_min > 0 && isfinite(o->sigma_min), comm, PETSC_ERR_USER,
               "-sigma_min %g must be a positive number", (double)o->sigma_min);
    PetscCheck(o->sigma_max >= o->sigma_min && isfinite(o->sigma_max), comm, PETSC_ERR_USER,
               "-sigma_max %g must be at least -sigma_min %g", (double)o->sigma_max,
               (double)o->sigma_min);
    PetscCheck(n > 1 || o->sigma_max == o->sigma_min, comm, PETSC_ERR_USER,
               "-nsigma 1 needs -sigma_max equal to -sigma_min (or use -sigma_list)");
    /* log-spaced, the ends exact */
    const double l0 = log(o->sigma_min), l1 = log(o->sigma_max);
    for (PetscInt i = 0; i < n; i++) o->sigma[i] = n == 1 ? o->sigma_min : exp(l0 + (l1 - l0) * i / (n - 1));
    o->sigma[0] = o->sigma_min;
    o->sigma[n - 1] = o->sigma_max;
  }
  for (PetscInt i = 0; i < o->nsigma; i++) {
    PetscCheck(o->sigma[i] > 0 && isfinite(o->sigma[i]), comm, PETSC_ERR_USER,
               "-sigma_list value %g (entry %d) must be a positive number", (double)o->sigma[i], (int)i);
    PetscCheck(i == 0 || o->sigma[i] > o->sigma[i - 1], comm, PETSC_ERR_USER,
               "-sigma_list must increase: %g follows %g", (double)o->sigma[i], (double)o->sigma[i - 1]);
  }
  for (PetscInt i = 0; i < o->np; i++)
    PetscCheck(o->p[i] >= 1 && isfinite(o->p[i]), comm, PETSC_ERR_USER,
               "-p_list value %g must be a number >= 1", (double)o->p[i]);
  PetscCheck(o->np >= 1, comm, PETSC_ERR_USER, "-p_list is empty");
  PetscCheck(o->trials >= 1 && o->trials <= 1000000, comm, PETSC_ERR_USER,
             "-trials %d must be between 1 and 1000000", (int)o->trials);
  PetscCheck(o->seed >= 0, comm, PETSC_ERR_USER, "-seed %d must be >= 0", (int)o->seed);
  PetscCheck(o->confidence > 0 && o->confidence < 1, comm, PETSC_ERR_USER,
             "-confidence %g must be in (0, 1)", (double)o->confidence);
  PetscCheck(o->par.spacing >= 0, comm, PETSC_ERR_USER, "-spacing %g must be >= 0 (0: 1/n)",
             (double)o->par.spacing);
  PetscCheck(o->par.ot.tol > 0, comm, PETSC_ERR_USER, "-tol %g must be positive", (double)o->par.ot.tol);
  if (o->fit_min < 0) o->fit_min = o->sigma[0];
  if (o->fit_max < 0) o->fit_max = o->sigma[o->nsigma - 1];
  int in = 0;
  for (PetscInt i = 0; i < o->nsigma; i++) in += o->sigma[i] >= o->fit_min && o->sigma[i] <= o->fit_max;
  PetscCheck(!o->fit_given || in >= 3, comm, PETSC_ERR_USER,
             "-fit_min %g -fit_max %g hold %d sigma(s); a slope with a confidence interval needs 3",
             (double)o->fit_min, (double)o->fit_max, in);
  PetscCheck(o->experiment != WASP_SWEEP_MATRIX || o->nimages >= 0, comm, PETSC_ERR_USER,
             "-nimages %d must be >= 0", (int)o->nimages);
  PetscCall(noise_validate_slice(comm, o));
  /* Defaults that depend on the experiment. */
  const int dirac = o->experiment == WASP_SWEEP_DIRAC;
  if (!o->image[0])
    PetscCall(PetscStrncpy(o->image, dirac ? "builtin:dirac:32:8,8" : "builtin:blobs:32", sizeof o->image));
  if (!o->image2[0] && (dirac || o->experiment == WASP_SWEEP_PAIR))
    PetscCall(PetscStrncpy(o->image2, dirac ? "builtin:dirac:32:24,24" : "builtin:cryo:32", sizeof o->image2));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* An output's folder must exist and be writable before hours of solving. */
static wasp_status check_output(const char *path, const char *option)
{
  if (!path[0]) return WASP_OK;
  char copy[PETSC_MAX_PATH_LEN];
  snprintf(copy, sizeof copy, "%s", path);
  const char *dir = dirname(copy);
  if (access(dir, W_OK) != 0)
    return wasp_fail(WASP_ERR_ARG, "%s %s: folder '%s' does not exist or is not writable", option,
                     path, dir);
  return WASP_OK;
}

/* The matrix images: every image of a file, or a built-in drawn with
 * seeds 1..nimages. */
static wasp_status load_matrix(noise_opts *o, wasp_measure **imgs, long *count)
{
  long n = o->nimages;
  if (wasp_image_is_spec(o->image)) {
    if (n < 3) return wasp_fail(WASP_ERR_ARG, "-nimages %ld: the matrix experiment needs 3 or more", n);
    if (strstr(o->image, "seed="))
      return wasp_fail(WASP_ERR_ARG, "-image %s: give the built-in without seed; the matrix uses "
                                     "seeds 1..-nimages", o->image);
  } else {
    long have;
    WASP_TRY(wasp_io_count(o->image, &have));
    if (n == 0 || n > have) n = have;
    if (n < 3) return wasp_fail(WASP_ERR_ARG, "-image %s holds %ld image(s); the matrix needs 3", o->image, n);
  }
  WASP_TRY(wasp_calloc((size_t)n, sizeof **imgs, imgs));
  *count = n;
  if (!wasp_image_is_spec(o->image)) return wasp_io_read_range(o->image, 0, n, *imgs);
  for (long k = 0; k < n; k++) {
    char spec[PETSC_MAX_PATH_LEN + 32];
    snprintf(spec, sizeof spec, "%s:seed=%ld", o->image, k + 1);
    WASP_TRY(wasp_image_from_spec(spec, &(*imgs)[k]));
  }
  return WASP_OK;
}

void noise_inputs_destroy(noise_inputs *in)
{
  for (long k = 0; in->imgs && k < in->nimages; k++) wasp_measure_destroy(&in->imgs[k]);
  wasp_free(&in->imgs);
  wasp_free(&in->pi);
  wasp_free(&in->pj);
}

static wasp_status load_inputs(noise_opts *o, noise_inputs *in)
{
  memset(in, 0, sizeof *in);
  if (o->experiment == WASP_SWEEP_MATRIX) {
    WASP_TRY(load_matrix(o, &in->imgs, &in->nimages));
  } else {
    WASP_TRY(wasp_calloc(2, sizeof *in->imgs, &in->imgs));
    in->nimages = 2;
    WASP_TRY(wasp_app_load(o->image, &in->imgs[0]) ? wasp_fail_context(WASP_ERR_ARG, "-image %s", o->image) : WASP_OK);
    const char *second = o->experiment == WASP_SWEEP_SELF ? o->image : o->image2;
    if (wasp_app_load(second, &in->imgs[1]))
      return wasp_fail_context(WASP_ERR_ARG, "%s %s", o->experiment == WASP_SWEEP_SELF ? "-image" : "-image2", second);
  }
  for (long k = 0; k < in->nimages; k++) {
    char name[64];
    snprintf(name, sizeof name, "image %ld", k);
    if (in->imgs[k].kind != WASP_MEASURE_GRID)
      return wasp_fail(WASP_ERR_INPUT, "-image %s: the noise study needs images, not point clouds", o->image);
    WASP_TRY(wasp_measure_check_finite(&in->imgs[k], name));
    WASP_TRY(wasp_measure_check_compatible(&in->imgs[0], "image 0", &in->imgs[k], name));
    if (in->imgs[k].ny * (long)in->imgs[k].nx < 2)
      return wasp_fail(WASP_ERR_INPUT, "-image %s: zero-sum noise needs 2 or more pixels", o->image);
  }
  if (o->experiment == WASP_SWEEP_DIRAC &&
      (o->site[0] < 0 || o->site[0] >= in->imgs[0].ny || o->site[1] < 0 || o->site[1] >= in->imgs[0].nx))
    return wasp_fail(WASP_ERR_ARG, "-dirac_site %d,%d is outside the %dx%d image", (int)o->site[0],
                     (int)o->site[1], in->imgs[0].ny, in->imgs[0].nx);
  in->npairs = o->experiment == WASP_SWEEP_MATRIX ? in->nimages * (in->nimages - 1) / 2 : 1;
  WASP_TRY(wasp_calloc((size_t)in->npairs, sizeof *in->pi, &in->pi));
  WASP_TRY(wasp_calloc((size_t)in->npairs, sizeof *in->pj, &in->pj));
  long k = 0;
  for (long i = 0; i < in->nimages; i++)
    for (long j = i + 1; j < in->nimages; j++, k++) in->pi[k] = i, in->pj[k] = j;
  return WASP_OK;
}

/* W_1 of the clean pair (Theorems 4 and 5 need it), on rank 0. */
static wasp_status clean_w1(const noise_opts *o, const noise_inputs *in, double *w1)
{
  *w1 = NAN;
  if (o->experiment != WASP_SWEEP_PAIR && o->experiment != WASP_SWEEP_DIRAC) return WASP_OK;
  wasp_metric_params par = o->par;
  par.p = 1;
  wasp_metric_ctx *ctx = NULL;
  wasp_metric_result r;
  WASP_TRY(wasp_metric_ctx_create("signed", &par, &ctx));
  wasp_status s = wasp_metric_eval(ctx, &in->imgs[0], o->image, &in->imgs[1], o->image2, &r);
  wasp_metric_ctx_destroy(&ctx);
  if (!s) *w1 = r.value;
  /* Unequal clean masses: the bounds do not apply (reported as such). */
  if (s == WASP_ERR_INPUT) wasp_clear_error(), s = WASP_OK;
  return s;
}

uint64_t noise_fingerprint(const noise_opts *o, long nimages, PetscBool with_report)
{
  char text[8192];
  int len = snprintf(text, sizeof text, "noise %s %s %s %s %ld %d,%d %ld %d %d %d %.17g %.17g",
                     o->experiment_name, o->noise_name, o->image, o->image2, nimages, (int)o->site[0],
                     (int)o->site[1], (long)o->trials, (int)o->seed, (int)o->both_sides,
                     (int)o->par.torus, o->par.spacing, o->par.ot.tol);
  for (PetscInt i = 0; i < o->nsigma && len < 8000; i++) len += snprintf(text + len, sizeof text - len, " s%.17g", o->sigma[i]);
  for (PetscInt i = 0; i < o->np && len < 8100; i++) len += snprintf(text + len, sizeof text - len, " p%.17g", o->p[i]);
  /* The statistics' options change the output, not the records: they join
   * the fingerprint of a partial output, never that of a checkpoint. */
  if (with_report && len < 8150)
    snprintf(text + len, sizeof text - len, " fit %.17g %.17g %d %.17g", o->fit_min, o->fit_max,
             (int)o->fit_given, o->confidence);
  return wasp_fingerprint(text);
}

/* Rank 0: statistics, then every requested output.  Plots are optional
 * extras: without gnuplot they are skipped with a warning. */
static wasp_status report(const noise_opts *o, const wasp_sweep_job *job, const double *vals,
                          double w1, double seconds, int nranks)
{
  noise_report r;
  WASP_TRY(noise_report_build(o, job, vals, w1, &r));
  wasp_status s = WASP_OK;
  if (o->out[0]) s = noise_write_h5(o, &r, seconds, nranks);
  if (!s && o->csv[0]) s = noise_write_csv(o, &r);
  if (!s && o->plots[0]) {
    const char *gnuplot;
    if (wasp_plot_find(&gnuplot) != WASP_OK) {
      fprintf(stderr, "wasp noise: warning: -plots skipped: %s\n", wasp_last_error());
      wasp_clear_error();
    } else {
      s = noise_write_plots(o, &r);
    }
  }
  if (!s && o->json) noise_print_json(o, &r);
  else if (!s && !o->quiet) noise_print_table(o, &r, seconds);
  noise_report_destroy(&r);
  return s;
}

PetscErrorCode noise_setup(MPI_Comm comm, noise_opts *o, noise_inputs *in, double *w1)
{
  PetscMPIInt rank;
  PetscFunctionBeginUser;
  memset(in, 0, sizeof *in);
  *w1 = NAN;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(read_options(comm, o));
  if (wasp_app_help()) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(validate(comm, o));
  wasp_status s = WASP_OK;
  if (rank == 0) {
    s = check_output(o->out, "-o");
    if (!s) s = check_output(o->csv, "-csv");
    if (!s) s = check_output(o->plots, "-plots");
  }
  WaspAgree(comm, s);

  PetscCall(PetscLogEventBegin(wasp_log.read, 0, 0, 0, 0));
  s = load_inputs(o, in);
  PetscCall(PetscLogEventEnd(wasp_log.read, 0, 0, 0, 0));
  PetscErrorCode ierr = wasp_par_agree(comm, s);
  if (ierr) {
    noise_inputs_destroy(in);
    PetscFunctionReturn(ierr);
  }
  s = rank == 0 ? clean_w1(o, in, w1) : WASP_OK;
  WaspAgree(comm, s);
  PetscFunctionReturn(PETSC_SUCCESS);
}

void noise_make_job(const noise_opts *o, const noise_inputs *in, wasp_sweep_job *job)
{
  const int dirac = o->experiment == WASP_SWEEP_DIRAC;
  const wasp_sweep_job j = {
      .experiment = o->experiment, .images = in->imgs, .nimages = in->nimages, .npairs = in->npairs,
      .pair_i = in->pi, .pair_j = in->pj,
      .first_clean = o->experiment == WASP_SWEEP_SELF && !o->both_sides, .nsigma = o->nsigma,
      .np = o->np, .trials = o->trials, .sigma = o->sigma, .p = o->p, .noise = o->noise,
      .seed = (uint64_t)o->seed, .par = &o->par,
      .dest_site = dirac ? (long)o->site[0] * in->imgs[0].nx + o->site[1] : -1,
      .ckpt_dir = o->ckpt[0] ? o->ckpt : NULL, .fingerprint = noise_fingerprint(o, in->nimages, PETSC_FALSE),
      .quiet = o->quiet || o->json, .slice = o->slice, .nslices = o->nslices};
  *job = j;
  /* A slice's checkpoint holds local indices of that slice only: another
   * slice (or the whole sweep) must not read it as its own. */
  if (o->nslices > 1) {
    char text[96];
    snprintf(text, sizeof text, "%016llx slice %ld/%ld", (unsigned long long)job->fingerprint,
             (long)o->slice, (long)o->nslices);
    job->fingerprint = wasp_fingerprint(text);
  }
}

PetscErrorCode noise_finish(MPI_Comm comm, const noise_opts *o, const wasp_sweep_job *job,
                            const double *vals, double w1, double seconds, int nranks)
{
  PetscMPIInt rank;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscLogEventBegin(wasp_log.write, 0, 0, 0, 0));
  wasp_status s = rank == 0 ? report(o, job, vals, w1, seconds, nranks) : WASP_OK;
  PetscCall(PetscLogEventEnd(wasp_log.write, 0, 0, 0, 0));
  WaspAgree(comm, s);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode wasp_cmd_noise(MPI_Comm comm)
{
  noise_opts o;
  noise_inputs in;
  wasp_sweep_job job;
  double w1;
  PetscMPIInt size;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(noise_setup(comm, &o, &in, &w1));
  if (wasp_app_help()) PetscFunctionReturn(PETSC_SUCCESS);
  noise_make_job(&o, &in, &job);
  if (job.ckpt_dir) wasp_queue_install_signals();
  double *vals = NULL, t0 = wasp_wtime();
  PetscBool complete;
  long restored;
  PetscErrorCode ierr = wasp_sweep_run(comm, &job, &vals, &complete, &restored);
  if (ierr) {
    noise_inputs_destroy(&in);
    PetscFunctionReturn(ierr);
  }
  const double seconds = wasp_wtime() - t0;
  PetscCheck(complete, comm, PETSC_ERR_USER,
             "stopped by a signal; %s", job.ckpt_dir ? "run again with the same options to resume from -checkpoint"
                                                   : "no -checkpoint was given, nothing was kept");
  if (o.nslices > 1) ierr = noise_finish_slice(comm, &o, &job, vals, seconds, size);
  else ierr = noise_finish(comm, &o, &job, vals, w1, seconds, size);
  PetscCall(PetscFree(vals));
  noise_inputs_destroy(&in);
  PetscCall(ierr);
  if (job.ckpt_dir) PetscCall(wasp_checkpoint_remove(comm, job.ckpt_dir));
  PetscFunctionReturn(PETSC_SUCCESS);
}

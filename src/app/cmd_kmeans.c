/* wasp kmeans: rotationally-invariant k-means (wemd, l2 or exact w1) of an
 * image stack; HDF5 output, optional PNG montage of the largest clusters.
 * Also -dump_wavelet, which writes one image's DWT for cross-checks. */
#include "app.h"

#include "wasp/wasp_io.h"
#include "wasp/wasp_kmeans.h"
#include "wasp/wasp_queue.h"
#include "wasp/wasp_plot.h"
#include "wasp/wasp_wavelet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char input[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], ckpt[PETSC_MAX_PATH_LEN];
  char montage[PETSC_MAX_PATH_LEN], dump[PETSC_MAX_PATH_LEN], metric[32], seed[64];
  PetscInt k, rotations, levels, max_iter, montage_count;
  PetscReal tol;
  PetscBool brute, quiet, json;
  wasp_kmeans_opts km;
  char options_text[1024];
} kmeans_opts;

static PetscErrorCode process_options(MPI_Comm comm, kmeans_opts *o)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof *o));
  o->k = 150;
  o->rotations = 200;
  o->levels = 6;
  o->max_iter = 100;
  o->tol = 1e-4;
  o->montage_count = 8;
  PetscCall(PetscStrncpy(o->metric, "wemd", sizeof o->metric));
  PetscCall(PetscStrncpy(o->seed, "1", sizeof o->seed));
  PetscCall(PetscStrncpy(o->out, "clusters.h5", sizeof o->out));
  PetscOptionsBegin(comm, NULL, "wasp kmeans: rotationally-invariant k-means of an image stack", NULL);
  PetscCall(PetscOptionsString("-input", "Image stack: HDF5 /images [n, N, N], MRCS, or a list file", NULL, o->input,
                               o->input, sizeof o->input, NULL));
  PetscCall(PetscOptionsInt("-k", "Number of clusters", NULL, o->k, &o->k, NULL));
  PetscCall(PetscOptionsString("-metric", "wemd (wavelet W1 approximation), l2, or w1 (exact LP, small data)", NULL,
                               o->metric, o->metric, sizeof o->metric, NULL));
  PetscCall(PetscOptionsInt("-rotations", "In-plane rotations m (steps of 2 pi / m)", NULL, o->rotations,
                            &o->rotations, NULL));
  PetscCall(PetscOptionsInt("-levels", "wemd: wavelet levels (sym5, zero padding)", NULL, o->levels, &o->levels, NULL));
  PetscCall(PetscOptionsInt("-max_iter", "Maximum iterations", NULL, o->max_iter, &o->max_iter, NULL));
  PetscCall(PetscOptionsReal("-tol", "Stop when the relative loss decrease is below tol", NULL, o->tol, &o->tol, NULL));
  PetscCall(PetscOptionsString("-seed", "Random seed of the k-means++ draws", NULL, o->seed, o->seed, sizeof o->seed, NULL));
  PetscCall(PetscOptionsString("-o", "Output HDF5 file", NULL, o->out, o->out, sizeof o->out, NULL));
  PetscCall(PetscOptionsString("-checkpoint", "Checkpoint folder (rewritten every iteration; a rerun continues)", NULL,
                               o->ckpt, o->ckpt, sizeof o->ckpt, NULL));
  PetscCall(PetscOptionsString("-montage", "PNG montage of the largest cluster means", NULL, o->montage, o->montage,
                               sizeof o->montage, NULL));
  PetscCall(PetscOptionsInt("-montage_count", "Clusters in the montage", NULL, o->montage_count, &o->montage_count, NULL));
  PetscCall(PetscOptionsBool("-brute", "No pruning (testing: identical results, slower)", NULL, o->brute, &o->brute, NULL));
  PetscCall(PetscOptionsString("-dump_wavelet", "Only write the sym5 DWT of FILE:INDEX to -o (cross-checks)", NULL,
                               o->dump, o->dump, sizeof o->dump, NULL));
  PetscCall(PetscOptionsBool("-json", "Print a JSON summary", NULL, o->json, &o->json, NULL));
  PetscCall(PetscOptionsBool("-quiet", "No progress output", NULL, o->quiet, &o->quiet, NULL));
  PetscCall(wasp_app_progress_options(PetscOptionsObject));
  PetscOptionsEnd();
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Checks on values every rank sees alike. */
static PetscErrorCode check_options(MPI_Comm comm, kmeans_opts *o)
{
  PetscFunctionBeginUser;
  PetscCheck(o->input[0], comm, PETSC_ERR_USER, "missing -input: give an HDF5 stack (/images), MRCS or list file");
  PetscCheck(o->k >= 1, comm, PETSC_ERR_USER, "-k %d: must be >= 1", (int)o->k);
  PetscCheck(o->rotations >= 1 && o->rotations <= 100000, comm, PETSC_ERR_USER, "-rotations %d: give 1 to 100000",
             (int)o->rotations);
  PetscCheck(o->max_iter >= 1, comm, PETSC_ERR_USER, "-max_iter %d: must be >= 1", (int)o->max_iter);
  PetscCheck(isfinite(o->tol) && o->tol >= 0, comm, PETSC_ERR_USER, "-tol %g: must be finite and >= 0", (double)o->tol);
  PetscCheck(o->montage_count >= 1, comm, PETSC_ERR_USER, "-montage_count %d: must be >= 1", (int)o->montage_count);
  PetscCheck(o->out[0], comm, PETSC_ERR_USER, "-o: give an output file");
  WaspAgree(comm, wasp_cluster_metric_parse(o->metric, &o->km.metric));
  WaspAgree(comm, wasp_app_parse_seed(o->seed, &o->km.seed));
  o->km.k = o->k;
  o->km.rotations = (int)o->rotations;
  o->km.levels = (int)o->levels;
  o->km.max_iter = (int)o->max_iter;
  o->km.tol = o->tol;
  o->km.ckpt_dir = o->ckpt[0] ? o->ckpt : NULL;
  o->km.brute = o->brute;
  o->km.quiet = o->quiet || o->json;
  /* brute is left out: it changes no result, so a pruned run may resume a brute one. */
  snprintf(o->options_text, sizeof o->options_text, "metric=%s|k=%ld|m=%d|levels=%d|max_iter=%d|tol=%.17g|seed=%s",
           o->metric, (long)o->k, (int)o->rotations, (int)o->levels, (int)o->max_iter, (double)o->tol, o->seed);
  o->km.options_text = o->options_text;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* This rank's block of the stack as one array; every image square, of one
 * size, finite (and non-negative for w1). */
static wasp_status load_block(const kmeans_opts *o, long n, long first, long count, int *side, double **images)
{
  wasp_measure *ms = NULL, one;
  *side = 0;
  /* Every rank learns the size from image 0, so even an empty block agrees. */
  WASP_TRY(wasp_io_read_range(o->input, 0, 1, &one));
  *side = one.ny;
  const int ny = one.ny, nx = one.nx, grid = one.kind == WASP_MEASURE_GRID;
  wasp_measure_destroy(&one);
  if (!grid || ny != nx)
    return wasp_fail(WASP_ERR_INPUT, "-input %s: k-means needs square images (image 0 is %d x %d)", o->input, ny, nx);
  const long npix = (long)ny * nx;
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)(count * npix + 1), images));
  if (count == 0) return WASP_OK;
  wasp_status s = wasp_calloc((size_t)count, sizeof *ms, &ms);
  if (!s) s = wasp_io_read_range(o->input, first, count, ms);
  for (long i = 0; !s && i < count; i++) {
    char name[PETSC_MAX_PATH_LEN + 32];
    snprintf(name, sizeof name, "-input %s:%ld", o->input, first + i);
    if (ms[i].ny != ny || ms[i].nx != nx)
      s = wasp_fail(WASP_ERR_INPUT, "%s is %d x %d; image 0 is %d x %d", name, ms[i].ny, ms[i].nx, ny, nx);
    if (!s) s = wasp_measure_check_finite(&ms[i], name);
    for (long p = 0; !s && p < npix; p++) {
      if (o->km.metric == WASP_CLUSTER_W1 && ms[i].w[p] < 0)
        s = wasp_fail(WASP_ERR_INPUT, "%s: pixel %ld is %g; -metric w1 needs non-negative images", name, p, ms[i].w[p]);
      (*images)[i * npix + p] = ms[i].w[p];
    }
  }
  for (long i = 0; ms && i < count; i++)
    if (ms[i].w) wasp_measure_destroy(&ms[i]);
  wasp_free(&ms);
  if (s) wasp_free(images);
  return s;
}

/* Tiles of the largest clusters' means, row-major, 4 per row, 2-pixel
 * gaps at the stack's minimum value; drawn by wasp_plot_image. */
static wasp_status write_montage(const kmeans_opts *o, const wasp_kmeans_result *r, long n, int side)
{
  long *size = NULL, *order = NULL;
  double *tile = NULL;
  const long k = o->k, count = o->montage_count < k ? o->montage_count : k;
  WASP_TRY(wasp_calloc((size_t)k, sizeof(long), &size));
  wasp_status s = wasp_malloc(sizeof(long) * (size_t)k, &order);
  for (long i = 0; !s && i < n; i++) size[r->assignment[i]]++;
  for (long j = 0; !s && j < k; j++) order[j] = j;
  /* Selection of the largest (ties to the lower cluster id). */
  for (long a = 0; !s && a < count; a++)
    for (long b = a + 1; b < k; b++)
      if (size[order[b]] > size[order[a]]) {
        long t = order[a];
        order[a] = order[b];
        order[b] = t;
      }
  const int cols = count < 4 ? (int)count : 4, rows = (int)((count + cols - 1) / cols), gap = 2;
  const int W = cols * side + (cols - 1) * gap, H = rows * side + (rows - 1) * gap;
  if (!s) s = wasp_malloc(sizeof(double) * (size_t)W * H, &tile);
  if (!s) {
    double lo = INFINITY;
    for (long p = 0; p < k * (long)side * side; p++) lo = fmin(lo, r->centroids[p]);
    for (long p = 0; p < (long)W * H; p++) tile[p] = lo;
    for (long a = 0; a < count; a++) {
      const double *c = r->centroids + order[a] * (long)side * side;
      int y0 = (int)(a / cols) * (side + gap), x0 = (int)(a % cols) * (side + gap);
      for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) tile[(long)(y0 + y) * W + x0 + x] = c[y * side + x];
    }
    char title[256];
    snprintf(title, sizeof title, "%ld largest cluster means (%s, k = %ld): sizes %ld .. %ld", count, o->metric, k,
             size[order[0]], size[order[count - 1]]);
    s = wasp_plot_image(o->montage, title, H, W, tile);
  }
  wasp_free(&size);
  wasp_free(&order);
  wasp_free(&tile);
  return s;
}

static wasp_status write_output(const kmeans_opts *o, const wasp_kmeans_result *r, long n, int side, int ranks,
                                double wall)
{
  wasp_h5 *f = NULL;
  double *deg = NULL;
  long *size = NULL;
  const long k = o->k;
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)n, &deg));
  wasp_status s = wasp_calloc((size_t)k, sizeof(long), &size);
  for (long i = 0; !s && i < n; i++) {
    deg[i] = 360.0 * (double)r->rotation[i] / (double)o->rotations;
    size[r->assignment[i]]++;
  }
  long dc[3] = {k, side, side}, dn[1] = {n}, dk[1] = {k}, di[1] = {r->iterations};
  if (!s) s = wasp_h5_create(o->out, &f);
  if (!s) s = wasp_h5_write_double(f, "/centroids", 3, dc, r->centroids);
  if (!s) s = wasp_h5_write_long(f, "/assignment", 1, dn, r->assignment);
  if (!s) s = wasp_h5_write_long(f, "/rotation", 1, dn, r->rotation);
  if (!s) s = wasp_h5_write_double(f, "/rotation_deg", 1, dn, deg);
  if (!s) s = wasp_h5_write_double(f, "/distance", 1, dn, r->distance);
  if (!s) s = wasp_h5_write_double(f, "/loss", 1, di, r->loss);
  if (!s) s = wasp_h5_write_double(f, "/seconds", 1, di, r->seconds);
  if (!s) s = wasp_h5_write_long(f, "/sizes", 1, dk, size);
  if (!s) s = wasp_h5_attr_string(f, "/", "input", o->input);
  if (!s) s = wasp_h5_attr_string(f, "/", "metric", o->metric);
  if (!s) s = wasp_h5_attr_long(f, "/", "k", k);
  if (!s) s = wasp_h5_attr_long(f, "/", "n", n);
  if (!s) s = wasp_h5_attr_long(f, "/", "rotations", o->rotations);
  if (!s) s = wasp_h5_attr_long(f, "/", "levels", o->levels);
  if (!s) s = wasp_h5_attr_string(f, "/", "wavelet", "sym5, mode zero");
  if (!s) s = wasp_h5_attr_string(f, "/", "interpolator", "bicubic (Keys a = -1/2) about pixel (N/2, N/2)");
  if (!s) s = wasp_h5_attr_long(f, "/", "max_iter", o->max_iter);
  if (!s) s = wasp_h5_attr_double(f, "/", "tol", o->tol);
  if (!s) s = wasp_h5_attr_string(f, "/", "seed", o->seed);
  if (!s) s = wasp_h5_attr_string(f, "/", "checkpoint", o->ckpt);
  if (!s) s = wasp_h5_attr_long(f, "/", "brute", o->brute);
  if (!s) s = wasp_h5_attr_long(f, "/", "iterations", r->iterations);
  if (!s) s = wasp_h5_attr_long(f, "/", "converged", r->converged);
  if (!s) s = wasp_h5_attr_long(f, "/", "restored_iterations", r->restored_iterations);
  if (!s) s = wasp_h5_attr_long(f, "/", "ranks", ranks);
  if (!s) s = wasp_h5_attr_double(f, "/", "wall_seconds", wall);
  if (!s) s = wasp_h5_attr_double(f, "/", "seed_seconds", r->seed_seconds);
  if (!s) s = wasp_h5_attr_long(f, "/", "distances_full", r->dist_full);
  if (!s) s = wasp_h5_attr_long(f, "/", "distances_pruned", r->dist_pruned);
  if (!s) s = wasp_h5_attr_string(f, "/", "wasp_version", "0.1.0");
  wasp_free(&deg);
  wasp_free(&size);
  if (s) {
    wasp_h5_abort(&f);
    return s;
  }
  return wasp_h5_commit(&f);
}

/* -dump_wavelet: /cA and /details/<j>/{ad,da,dd}, j = 0 the coarsest. */
static wasp_status dump_wavelet(const kmeans_opts *o)
{
  wasp_measure img;
  wasp_wavelet *w = NULL;
  double *c = NULL;
  wasp_h5 *f = NULL;
  WASP_TRY(wasp_app_load(o->dump, &img));
  wasp_status s = img.kind == WASP_MEASURE_GRID ? WASP_OK : wasp_fail(WASP_ERR_INPUT, "-dump_wavelet %s: not an image", o->dump);
  if (!s) s = wasp_wavelet_create("sym5", img.ny, img.nx, (int)o->levels, &w);
  if (!s) s = wasp_malloc(sizeof(double) * (size_t)wasp_wavelet_length(w), &c);
  if (!s) s = wasp_wavelet_forward(w, img.w, c);
  if (!s) s = wasp_h5_create(o->out, &f);
  for (int j = -1; !s && j < (int)o->levels; j++) {
    int ny, nx;
    wasp_wavelet_shape(w, j, &ny, &nx);
    long dims[2] = {ny, nx};
    const char *bands[3] = {"ad", "da", "dd"};
    for (int b = 0; !s && b < (j < 0 ? 1 : 3); b++) {
      char name[64];
      if (j < 0) snprintf(name, sizeof name, "/cA");
      else snprintf(name, sizeof name, "/details/%d/%s", j, bands[b]);
      s = wasp_h5_write_double(f, name, 2, dims, c + wasp_wavelet_offset(w, j, b));
    }
    if (!s && j >= 0) {
      char name[64];
      snprintf(name, sizeof name, "/details/%d", j);
      s = wasp_h5_attr_double(f, name, "wemd_weight", wasp_wemd_weight((int)o->levels, j));
    }
  }
  if (!s) s = wasp_h5_attr_string(f, "/", "source", o->dump);
  if (!s) s = wasp_h5_attr_long(f, "/", "levels", o->levels);
  wasp_free(&c);
  wasp_wavelet_destroy(&w);
  wasp_measure_destroy(&img);
  if (s) {
    wasp_h5_abort(&f);
    return s;
  }
  return wasp_h5_commit(&f);
}

PetscErrorCode wasp_cmd_kmeans(MPI_Comm comm)
{
  kmeans_opts o;
  wasp_kmeans_result r;
  double *images = NULL, t0 = wasp_wtime();
  long n = 0, first, count;
  int side = 0;
  PetscMPIInt rank, size;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(process_options(comm, &o));
  if (wasp_app_help()) PetscFunctionReturn(PETSC_SUCCESS);
  if (o.dump[0]) {
    WaspAgree(comm, rank == 0 ? dump_wavelet(&o) : WASP_OK);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(check_options(comm, &o));
  wasp_queue_install_signals();

  PetscCall(PetscLogEventBegin(wasp_log.read, 0, 0, 0, 0));
  wasp_status s = wasp_io_count(o.input, &n);
  if (!s && n < o.k) s = wasp_fail(WASP_ERR_INPUT, "-k %ld: -input %s holds only %ld images", (long)o.k, o.input, n);
  WaspAgree(comm, s);
  wasp_kmeans_block(n, rank, size, &first, &count);
  s = load_block(&o, n, first, count, &side, &images);
  PetscCall(PetscLogEventEnd(wasp_log.read, 0, 0, 0, 0));
  WaspAgree(comm, s);
  if (rank == 0 && !o.km.quiet)
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "kmeans: %ld images %dx%d, k = %ld, metric %s, %d rotations, %d ranks%s\n", n,
                          side, side, (long)o.k, o.metric, (int)o.rotations, size, o.brute ? ", brute force" : ""));

  PetscCall(wasp_kmeans_run(comm, &o.km, n, side, first, count, images, &r));
  PetscCheck(!r.interrupted, comm, PETSC_ERR_USER,
             "interrupted by a signal after iteration %d; %s", r.iterations,
             o.ckpt[0] ? "the checkpoint is saved - rerun the same command to continue" : "no -checkpoint was given, so the work is lost");
  double wall = wasp_wtime() - t0;
  PetscCall(PetscLogEventBegin(wasp_log.write, 0, 0, 0, 0));
  s = rank == 0 ? write_output(&o, &r, n, side, size, wall) : WASP_OK;
  if (!s && rank == 0 && o.montage[0]) s = write_montage(&o, &r, n, side);
  if (!s && rank == 0 && o.ckpt[0]) s = wasp_kmeans_ckpt_remove(o.ckpt);
  PetscCall(PetscLogEventEnd(wasp_log.write, 0, 0, 0, 0));
  WaspAgree(comm, s);
  if (rank == 0) {
    double last = r.iterations ? r.loss[r.iterations - 1] : 0, sec = 0;
    for (int t = 0; t < r.iterations; t++) sec += r.seconds[t];
    long total = r.dist_full + r.dist_pruned;
    if (o.json)
      printf("{\"metric\": \"%s\", \"k\": %ld, \"n\": %ld, \"rotations\": %d, \"iterations\": %d, \"converged\": %s, "
             "\"loss\": %.17g, \"seconds_per_iteration\": %.6g, \"seed_seconds\": %.6g, \"wall_seconds\": %.6g, "
             "\"distances\": %ld, \"pruned_fraction\": %.6g, \"ranks\": %d, \"output\": \"%s\"}\n",
             o.metric, (long)o.k, n, (int)o.rotations, r.iterations, r.converged ? "true" : "false", last,
             r.iterations ? sec / r.iterations : 0, r.seed_seconds, wall, total,
             total ? (double)r.dist_pruned / total : 0, size, o.out);
    else if (!o.quiet)
      printf("kmeans: %d iterations (%s), loss %.10g, %.3g s per iteration, seeding %.3g s; wrote %s%s%s\n",
             r.iterations, r.converged ? "converged" : "max_iter reached", last, r.iterations ? sec / r.iterations : 0,
             r.seed_seconds, o.out, o.montage[0] ? " and " : "", o.montage);
    fflush(stdout);
  }
  wasp_kmeans_result_free(&r);
  wasp_free(&images);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* wasp evaluate: judge one or more clusterings (wasp kmeans outputs) against
 * the viewing directions of a simulated dataset: within-cluster pairwise
 * angles, antipodal confusion, occupancy and its evenness; a side-by-side
 * table, JSON lines and PNG plots.  Serial work on rank 0. */
#include "app.h"

#include "wasp/wasp_cluster.h"
#include "wasp/wasp_io.h"
#include "wasp/wasp_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_RUNS 16

typedef struct {
  char *clusters[MAX_RUNS];
  PetscInt nruns;
  char truth[PETSC_MAX_PATH_LEN], plots[PETSC_MAX_PATH_LEN];
  PetscBool json;
} evaluate_opts;

typedef struct {
  char label[64];
  wasp_cluster_eval ev;
} run_eval;

static PetscErrorCode process_options(MPI_Comm comm, evaluate_opts *o)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof *o));
  o->nruns = MAX_RUNS;
  PetscOptionsBegin(comm, NULL, "wasp evaluate: clusterings against simulated viewing directions", NULL);
  PetscCall(PetscOptionsStringArray("-clusters", "wasp kmeans outputs, comma-separated (a.h5,b.h5)", NULL, o->clusters,
                                    &o->nruns, NULL));
  PetscCall(PetscOptionsString("-truth", "wasp simulate output holding /view_dirs", NULL, o->truth, o->truth,
                               sizeof o->truth, NULL));
  PetscCall(PetscOptionsString("-plots", "Write PREFIX_angles.png and PREFIX_occupancy.png", NULL, o->plots, o->plots,
                               sizeof o->plots, NULL));
  PetscCall(PetscOptionsBool("-json", "One JSON object per run", NULL, o->json, &o->json, NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(PETSC_SUCCESS);
}

static wasp_status evaluate_run(const char *path, const double *dirs, long n, run_eval *re)
{
  double *a = NULL, kd;
  long dims[8], *assign = NULL;
  int rank;
  char metric[32] = "?";
  WASP_TRY(wasp_h5_read_double(path, "/assignment", &rank, dims, &a));
  wasp_status s = WASP_OK;
  if (rank != 1 || dims[0] != n)
    s = wasp_fail(WASP_ERR_INPUT, "-clusters %s: /assignment has %ld values but -truth holds %ld images", path,
                  rank == 1 ? dims[0] : -1L, n);
  if (!s) s = wasp_h5_read_attr_double(path, "/", "k", &kd);
  if (!s) wasp_h5_read_attr_string(path, "/", "metric", metric, sizeof metric); /* label only */
  if (!s) s = wasp_malloc(sizeof(long) * (size_t)n, &assign);
  for (long i = 0; !s && i < n; i++) assign[i] = (long)a[i];
  if (!s) s = wasp_cluster_evaluate(n, (long)kd, assign, dirs, &re->ev);
  if (s) s = wasp_fail_context(s, "-clusters %s", path);
  const char *base = strrchr(path, '/');
  snprintf(re->label, sizeof re->label, "%s (%s)", base ? base + 1 : path, metric);
  wasp_free(&a);
  wasp_free(&assign);
  return s;
}

static void print_table(const run_eval *r, int nr)
{
  printf("%-22s", "");
  for (int i = 0; i < nr; i++) printf(" %24.24s", r[i].label);
  printf("\n");
#define ROW(name, fmt, expr)                                       \
  do {                                                             \
    printf("%-22s", name);                                         \
    for (int i = 0; i < nr; i++) printf(" %24" fmt, (expr));       \
    printf("\n");                                                  \
  } while (0)
  ROW("images n", "ld", r[i].ev.n);
  ROW("clusters k", "ld", r[i].ev.k);
  ROW("within-cluster pairs", "ld", r[i].ev.pairs);
  ROW("median angle (deg)", ".3f", r[i].ev.median_angle_deg);
  ROW("pairs < 10 deg", ".4f", r[i].ev.frac_under_10deg);
  ROW("pairs < 20 deg", ".4f", r[i].ev.frac_under_20deg);
  ROW("pairs > 160 deg", ".4f", r[i].ev.antipodal_frac);
  ROW("occupancy evenness", ".4f", r[i].ev.occupancy_evenness);
  ROW("largest cluster", "ld", r[i].ev.sizes[0]);
  ROW("median cluster size", "ld", r[i].ev.sizes[r[i].ev.k / 2]);
  ROW("smallest cluster", "ld", r[i].ev.sizes[r[i].ev.k - 1]);
#undef ROW
}

static wasp_status write_plots(const char *prefix, const run_eval *r, int nr)
{
  char png[PETSC_MAX_PATH_LEN + 32], label[MAX_RUNS][64];
  double x[WASP_EVAL_BINS], y[MAX_RUNS][WASP_EVAL_BINS];
  wasp_plot_series ser[MAX_RUNS];
  /* gnuplot's enhanced text would read '_' in a file name as a subscript. */
  for (int i = 0; i < nr; i++)
    for (size_t c = 0; c < sizeof label[i]; c++) label[i][c] = r[i].label[c] == '_' ? '-' : r[i].label[c];
  for (int b = 0; b < WASP_EVAL_BINS; b++) x[b] = b + 0.5;
  for (int i = 0; i < nr; i++) {
    for (int b = 0; b < WASP_EVAL_BINS; b++) y[i][b] = r[i].ev.pairs ? (double)r[i].ev.hist[b] / r[i].ev.pairs : NAN;
    ser[i] = (wasp_plot_series){label[i], y[i], i + 1, false};
  }
  wasp_plot_axes ax = {"Within-cluster viewing-angle differences", "angle (degrees, 1-degree bins)",
                       "fraction of within-cluster pairs", false, false};
  snprintf(png, sizeof png, "%s_angles.png", prefix);
  WASP_TRY(wasp_plot_lines(png, &ax, WASP_EVAL_BINS, x, nr, ser));
  long kmax = 0;
  for (int i = 0; i < nr; i++) kmax = r[i].ev.k > kmax ? r[i].ev.k : kmax;
  double *xs = NULL, *ys = NULL;
  WASP_TRY(wasp_malloc(sizeof(double) * (size_t)kmax * (1 + nr), &xs));
  ys = xs + kmax;
  for (long j = 0; j < kmax; j++) xs[j] = (double)(j + 1);
  for (int i = 0; i < nr; i++) {
    for (long j = 0; j < kmax; j++) ys[i * kmax + j] = j < r[i].ev.k ? (double)r[i].ev.sizes[j] : NAN;
    ser[i] = (wasp_plot_series){label[i], ys + i * kmax, i + 1, false};
  }
  wasp_plot_axes ax2 = {"Cluster occupancy (sorted)", "cluster rank", "images", false, false};
  snprintf(png, sizeof png, "%s_occupancy.png", prefix);
  wasp_status s = wasp_plot_lines(png, &ax2, kmax, xs, nr, ser);
  wasp_free(&xs);
  return s;
}

static wasp_status evaluate_all(const evaluate_opts *o, run_eval *runs)
{
  double *dirs = NULL;
  long dims[8];
  int rank;
  WASP_TRY(wasp_h5_read_double(o->truth, "/view_dirs", &rank, dims, &dirs));
  wasp_status s = WASP_OK;
  if (rank != 2 || dims[1] != 3)
    s = wasp_fail(WASP_ERR_INPUT, "-truth %s: /view_dirs must be [n, 3] (wasp simulate output)", o->truth);
  for (int i = 0; !s && i < o->nruns; i++) s = evaluate_run(o->clusters[i], dirs, dims[0], &runs[i]);
  if (!s && o->json)
    for (int i = 0; i < o->nruns; i++) {
      const wasp_cluster_eval *e = &runs[i].ev;
      printf("{\"clusters\": \"%s\", \"median_angle_deg\": %.17g, \"frac_under_10deg\": %.17g, \"frac_under_20deg\": "
             "%.17g, \"antipodal_frac\": %.17g, \"occupancy_evenness\": %.17g, \"k\": %ld, \"n\": %ld, \"pairs\": %ld, "
             "\"largest_cluster\": %ld}\n",
             o->clusters[i], e->median_angle_deg, e->frac_under_10deg, e->frac_under_20deg, e->antipodal_frac,
             e->occupancy_evenness, e->k, e->n, e->pairs, e->sizes[0]);
    }
  else if (!s)
    print_table(runs, (int)o->nruns);
  if (!s && o->plots[0]) s = write_plots(o->plots, runs, (int)o->nruns);
  fflush(stdout);
  wasp_free(&dirs);
  return s;
}

PetscErrorCode wasp_cmd_evaluate(MPI_Comm comm)
{
  evaluate_opts o;
  run_eval runs[MAX_RUNS];
  PetscMPIInt rank;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(process_options(comm, &o));
  if (wasp_app_help()) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCheck(o.nruns >= 1, comm, PETSC_ERR_USER, "missing -clusters: give one or more wasp kmeans outputs (a.h5,b.h5)");
  PetscCheck(o.truth[0], comm, PETSC_ERR_USER, "missing -truth: give the wasp simulate file with /view_dirs");
  memset(runs, 0, sizeof runs);
  WaspAgree(comm, rank == 0 ? evaluate_all(&o, runs) : WASP_OK);
  for (int i = 0; i < o.nruns; i++) {
    wasp_cluster_eval_free(&runs[i].ev);
    PetscCall(PetscFree(o.clusters[i]));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Private to the command line: one function per subcommand and the helpers
 * they share.  Every function is collective on PETSC_COMM_WORLD. */
#ifndef WASP_APP_H
#define WASP_APP_H

#include "wasp/wasp_metric.h"
#include "wasp/wasp_par.h"

typedef PetscErrorCode (*wasp_command_fn)(MPI_Comm comm);

typedef struct {
  const char *name;
  const char *summary;
  wasp_command_fn run;
} wasp_command;

PetscErrorCode wasp_cmd_distance(MPI_Comm comm);
PetscErrorCode wasp_cmd_simulate(MPI_Comm comm);
PetscErrorCode wasp_cmd_kmeans(MPI_Comm comm);
PetscErrorCode wasp_cmd_evaluate(MPI_Comm comm);
PetscErrorCode wasp_cmd_pairs(MPI_Comm comm);
PetscErrorCode wasp_cmd_noise(MPI_Comm comm);
PetscErrorCode wasp_cmd_merge(MPI_Comm comm);

/* Options shared by every command that evaluates a metric (-metric, -p,
 * -torus, -normalize, -spacing, -lambda, -tol, ...).  Call inside a
 * PetscOptionsBegin/End block. */
PetscErrorCode wasp_app_metric_options(PetscOptionItems *PetscOptionsObject, char *metric,
                                       size_t len, wasp_metric_params *par);

/* -progress_interval, for the -help of commands that report progress.
 * Call inside a PetscOptionsBegin/End block. */
PetscErrorCode wasp_app_progress_options(PetscOptionItems *PetscOptionsObject);

/* Load a measure from "FILE[:INDEX]" or a built-in "builtin:NAME:N[...]".
 * Not collective (a local status; callers agree). */
wasp_status wasp_app_load(const char *spec, wasp_measure *m);

/* A -seed given as text: an integer in [0, 2^63), else an error naming it. */
wasp_status wasp_app_parse_seed(const char *text, uint64_t *seed);

/* Was -help given? (commands then print their options and stop) */
PetscBool wasp_app_help(void);

/* Progress of one LP solve: pass wasp_app_lp_progress_report as the
 * solver's progress function with a zeroed struct holding the reporter and
 * the caller's grid (ny = 0 for point clouds); err keeps the first error. */
#define WASP_APP_LP_LEVELS 32
typedef struct {
  wasp_progress *pr;
  int ny, nx;
  double total[WASP_APP_LP_LEVELS]; /* seconds of each finished level, coarsenings included */
  int known[WASP_APP_LP_LEVELS];
  PetscErrorCode err;
} wasp_app_lp_progress;
void wasp_app_lp_progress_report(void *ctx, const wasp_ot_progress *p);

/* Write the metric parameters as attributes of "/" in an output file. */
struct wasp_h5;
wasp_status wasp_app_write_params(struct wasp_h5 *f, const char *metric,
                                  const wasp_metric_params *par);

#endif

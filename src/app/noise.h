/* Private to `wasp noise`: the options, the statistics rank 0 reduces from
 * the sweep's records, and the writers of its outputs.  The split keeps
 * each file to one purpose: cmd_noise.c (options, inputs, run),
 * noise_report.c (statistics, fits, bounds), noise_output.c (HDF5, CSV,
 * JSON, table), noise_plots.c (PNG figures). */
#ifndef WASP_APP_NOISE_H
#define WASP_APP_NOISE_H

#include "app.h"

#include "wasp/wasp_stats.h"
#include "wasp/wasp_sweep.h"

#define NOISE_MAX_SIGMA 256
#define NOISE_MAX_P 16

typedef struct {
  char experiment_name[32], noise_name[32];
  wasp_sweep_experiment experiment;
  wasp_noise_model noise;
  char image[PETSC_MAX_PATH_LEN], image2[PETSC_MAX_PATH_LEN];
  PetscInt nimages;
  PetscInt site[2];             /* dirac: tracked source pixel (row, col)    */
  PetscReal sigma[NOISE_MAX_SIGMA], p[NOISE_MAX_P];
  PetscInt nsigma, np, trials;
  PetscReal sigma_min, sigma_max, fit_min, fit_max, confidence;
  PetscBool fit_given;          /* -fit_min or -fit_max given: fits required */
  PetscInt seed;
  PetscBool both_sides, json, quiet;
  wasp_metric_params par;       /* torus, spacing, tol                      */
  char out[PETSC_MAX_PATH_LEN], csv[PETSC_MAX_PATH_LEN], plots[PETSC_MAX_PATH_LEN],
      ckpt[PETSC_MAX_PATH_LEN];
  char slice_text[64];          /* -slice K/N as given                       */
  long slice, nslices;          /* parsed; nslices 0: the whole sweep        */
} noise_opts;

/* The clean images and the compared pairs (image pair_i[k], pair_j[k]). */
typedef struct {
  wasp_measure *imgs;
  long nimages, npairs, *pi, *pj;
} noise_inputs;

/* cmd_noise.c, collective.  Read and check the options, load the inputs and
 * W_1 of the clean pair (rank 0); returns early after -help. */
PetscErrorCode noise_setup(MPI_Comm comm, noise_opts *o, noise_inputs *in, double *w1);
void noise_inputs_destroy(noise_inputs *in);
/* Not collective: the sweep job of these options (its slice included). */
void noise_make_job(const noise_opts *o, const noise_inputs *in, wasp_sweep_job *job);
/* Fingerprint of every option that determines the records (with_report:
 * also those of the statistics: fit range, confidence).  Not collective. */
uint64_t noise_fingerprint(const noise_opts *o, long nimages, PetscBool with_report);
/* Collective: statistics and every requested output of the full records. */
PetscErrorCode noise_finish(MPI_Comm comm, const noise_opts *o, const wasp_sweep_job *job,
                            const double *vals, double w1, double seconds, int nranks);

/* noise_slice.c: one slice of the sweep (-slice K/N) and its partial HDF5
 * output, the input of `wasp merge` (cmd_merge.c). */
/* Collective: parse and check -slice against the sweep's size. */
PetscErrorCode noise_validate_slice(MPI_Comm comm, noise_opts *o);
/* Collective: write the slice's records as a partial -o (rank 0). */
PetscErrorCode noise_finish_slice(MPI_Comm comm, const noise_opts *o, const wasp_sweep_job *job,
                                  const double *vals, double seconds, int nranks);

/* The metric names of the record, in order (l2, l2sq, signed). */
extern const char *const noise_metric_names[WASP_SWEEP_NMETRICS];

/* Everything rank 0 reports.  Index helpers below; arrays are row-major in
 * the order of the HDF5 datasets (docs/noise.md). */
typedef struct {
  long ns, np, nm, npairs, trials, nimages, ny, nx;
  double *mean, *std, *sem, *min, *max; /* [ns][np][nm][npairs]              */
  double *samples;                      /* [ns][np][trials][nm][npairs]      */
  double *mass;                         /* [ns][np] mean mass C of W_p^±     */
  double *clean;                        /* [np][nm][npairs]                  */
  double *ratio;                        /* [ns][np][nm][npairs] mean/clean   */
  double *lower, *upper, *expected;     /* [ns][np][nm] (npairs == 1)        */
  const char *bounds_why;               /* "" when the bounds apply          */
  double w1_clean;                      /* W_1 of the clean pair (Thms 4, 5) */
  int have_fit;
  wasp_fit *fit;                        /* [np][nm]                          */
  double *spearman;                     /* [ns][np][nm] (matrix)             */
  double *dest;                         /* [ns][np][ny*nx] (dirac)           */
} noise_report;

static inline long noise_at(const noise_report *r, long is, long ip, long im, long pair)
{
  return ((is * r->np + ip) * r->nm + im) * r->npairs + pair;
}

/* Rank 0, not collective: reduce the records in item order (bit-identical
 * for any rank count) and evaluate fits and bounds. */
wasp_status noise_report_build(const noise_opts *o, const wasp_sweep_job *job, const double *vals,
                               double w1_clean, noise_report *r);
void noise_report_destroy(noise_report *r);

/* Rank 0, not collective: the outputs. */
wasp_status noise_write_h5(const noise_opts *o, const noise_report *r, double seconds, int nranks);
wasp_status noise_write_csv(const noise_opts *o, const noise_report *r);
void noise_print_table(const noise_opts *o, const noise_report *r, double seconds);
void noise_print_json(const noise_opts *o, const noise_report *r);
/* PNG figures; a missing gnuplot is reported by the return value
 * WASP_ERR_IO with a message, which the caller turns into a warning. */
wasp_status noise_write_plots(const noise_opts *o, const noise_report *r);

#endif

/* Options shared by the commands that evaluate metrics: one place, so the
 * option keys (and their -help text and defaults) are the same everywhere. */
#include "app.h"

#include "wasp/wasp_io.h"
#include "wasp/wasp_image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* par/progress.c reads -progress_interval itself; listing it here puts it
 * in each command's -help. */
PetscErrorCode wasp_app_progress_options(PetscOptionItems *PetscOptionsObject)
{
  PetscReal s = WASP_PROGRESS_INTERVAL;
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsReal("-progress_interval", "Seconds between progress reports (0: every step)",
                             NULL, s, &s, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode wasp_app_metric_options(PetscOptionItems *PetscOptionsObject, char *metric,
                                       size_t len, wasp_metric_params *par)
{
  char list[512] = "";
  PetscFunctionBeginUser;
  for (int i = 0; i < wasp_metric_count(); i++) {
    PetscCall(PetscStrlcat(list, i ? ", " : "", sizeof list));
    PetscCall(PetscStrlcat(list, wasp_metric_at(i)->name, sizeof list));
  }
  char help[600];
  PetscCall(PetscSNPrintf(help, sizeof help, "Metric: %s", list));
  PetscCall(PetscOptionsString("-metric", help, NULL, metric, metric, len, NULL));
  PetscCall(PetscOptionsReal("-p", "Exponent p >= 1 of the ground cost d^p", NULL, par->p, &par->p,
                             NULL));
  PetscBool torus = par->torus, normalize = par->normalize;
  PetscCall(PetscOptionsBool("-torus", "Periodic (torus) ground distance on images", NULL, torus,
                             &torus, NULL));
  PetscCall(PetscOptionsBool("-normalize", "signed: compare S/|S| with T/|T| (unequal masses)", NULL,
                             normalize, &normalize, NULL));
  par->torus = torus;
  par->normalize = normalize;
  PetscCall(PetscOptionsReal("-spacing", "Pixel spacing h; 0 means 1/n (unit square)", NULL,
                             par->spacing, &par->spacing, NULL));
  PetscCall(PetscOptionsReal("-tol", "Relative tolerance: exact LP optimality; uot-kl convergence",
                             NULL, par->ot.tol, &par->ot.tol, NULL));
  PetscCall(PetscOptionsReal("-lambda", "tv: price per unit of mass deleted or created", NULL,
                             par->lambda, &par->lambda, NULL));
  PetscCall(PetscOptionsReal("-epsilon", "uot-kl: entropic regularisation strength", NULL,
                             par->epsilon, &par->epsilon, NULL));
  PetscCall(PetscOptionsReal("-tau", "uot-kl: strength of the KL marginal penalties", NULL,
                             par->tau, &par->tau, NULL));
  PetscInt directions = par->directions, seed = (PetscInt)par->seed;
  PetscBool equispaced = PETSC_FALSE;
  PetscCall(PetscOptionsInt("-directions", "sliced: number of projection directions", NULL,
                            directions, &directions, NULL));
  PetscCall(PetscOptionsInt("-seed", "sliced: seed of the random directions", NULL, seed, &seed,
                            NULL));
  PetscCall(PetscOptionsBool("-equispaced", "sliced: equispaced directions (2-D) instead of random",
                             NULL, equispaced, &equispaced, NULL));
  /* Checked here because the conversions below would hide a bad value; the
   * metric itself checks the rest (it knows the dimension). */
  PetscCheck(directions >= 1 && directions <= 100000000, PETSC_COMM_WORLD, PETSC_ERR_USER,
             "-directions %" PetscInt_FMT " is invalid: give 1 to 100000000 directions", directions);
  PetscCheck(seed >= 0, PETSC_COMM_WORLD, PETSC_ERR_USER,
             "-seed %" PetscInt_FMT " is invalid: the seed must be >= 0", seed);
  par->directions = (int)directions;
  par->equispaced = equispaced;
  par->seed = (unsigned long)seed;
  PetscFunctionReturn(PETSC_SUCCESS);
}

wasp_status wasp_app_load(const char *spec, wasp_measure *m)
{
  if (!spec || !spec[0]) return wasp_fail(WASP_ERR_ARG, "no input given");
  if (strncmp(spec, "builtin:", 8) == 0) return wasp_image_from_spec(spec, m);
  return wasp_io_read_measure(spec, m);
}

wasp_status wasp_app_parse_seed(const char *text, uint64_t *seed)
{
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  /* Seeds are stored as signed 64-bit HDF5 attributes. */
  if (!*text || *end || errno || text[0] == '-' || v > (unsigned long long)INT64_MAX)
    return wasp_fail(WASP_ERR_ARG, "-seed: '%s' is not an integer in [0, 2^63)", text);
  *seed = (uint64_t)v;
  return WASP_OK;
}

PetscBool wasp_app_help(void)
{
  PetscBool help = PETSC_FALSE;
  PetscOptionsHasHelp(NULL, &help);
  return help;
}

wasp_status wasp_app_write_params(struct wasp_h5 *f, const char *metric, const wasp_metric_params *par)
{
  WASP_TRY(wasp_h5_attr_string(f, "/", "metric", metric));
  WASP_TRY(wasp_h5_attr_double(f, "/", "p", par->p));
  WASP_TRY(wasp_h5_attr_long(f, "/", "torus", par->torus));
  WASP_TRY(wasp_h5_attr_long(f, "/", "normalize", par->normalize));
  WASP_TRY(wasp_h5_attr_double(f, "/", "spacing", par->spacing));
  WASP_TRY(wasp_h5_attr_double(f, "/", "tol", par->ot.tol));
  WASP_TRY(wasp_h5_attr_double(f, "/", "lambda", par->lambda));
  WASP_TRY(wasp_h5_attr_double(f, "/", "epsilon", par->epsilon));
  WASP_TRY(wasp_h5_attr_double(f, "/", "tau", par->tau));
  WASP_TRY(wasp_h5_attr_long(f, "/", "directions", par->directions));
  WASP_TRY(wasp_h5_attr_long(f, "/", "seed", (long)par->seed));
  WASP_TRY(wasp_h5_attr_string(f, "/", "wasp_version", "0.1.0"));
  return WASP_OK;
}

/* Options shared by the commands that evaluate metrics: one place, so the
 * option keys (and their -help text and defaults) are the same everywhere. */
#include "app.h"

#include "wasp/wasp_io.h"
#include "wasp/wasp_image.h"

#include <string.h>

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
  PetscCall(PetscOptionsReal("-tol", "Relative optimality tolerance of the exact LP", NULL,
                             par->ot.tol, &par->ot.tol, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

wasp_status wasp_app_load(const char *spec, wasp_measure *m)
{
  if (!spec || !spec[0]) return wasp_fail(WASP_ERR_ARG, "no input given");
  if (strncmp(spec, "builtin:", 8) == 0) return wasp_image_from_spec(spec, m);
  return wasp_io_read_measure(spec, m);
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
  WASP_TRY(wasp_h5_attr_string(f, "/", "wasp_version", "0.1.0"));
  return WASP_OK;
}

/* wasp distance: one distance between two measures, with the LP certificate. */
#include "app.h"

#include "wasp/wasp_io.h"

#include <math.h>
#include <stdio.h>

typedef struct {
  char a[PETSC_MAX_PATH_LEN], b[PETSC_MAX_PATH_LEN], plan[PETSC_MAX_PATH_LEN], metric[64];
  wasp_metric_params par;
  PetscBool json, quiet;
} distance_opts;

static PetscErrorCode process_options(MPI_Comm comm, distance_opts *o)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof *o));
  wasp_metric_params_default(&o->par);
  PetscCall(PetscStrncpy(o->metric, "wp", sizeof o->metric));
  PetscOptionsBegin(comm, NULL, "wasp distance: one distance between measures a and b", NULL);
  PetscCall(PetscOptionsString("-a", "First measure: FILE[:INDEX] (.csv .h5 .mrc .mrcs) or builtin:NAME:N",
                               NULL, o->a, o->a, sizeof o->a, NULL));
  PetscCall(PetscOptionsString("-b", "Second measure, same forms as -a", NULL, o->b, o->b, sizeof o->b,
                               NULL));
  PetscCall(wasp_app_metric_options(PetscOptionsObject, o->metric, sizeof o->metric, &o->par));
  PetscCall(PetscOptionsBool("-json", "Print one JSON object with the value and its certificate",
                             NULL, o->json, &o->json, NULL));
  PetscCall(PetscOptionsString("-plan", "Write the optimal plan to this HDF5 file", NULL, o->plan,
                               o->plan, sizeof o->plan, NULL));
  PetscCall(PetscOptionsBool("-quiet", "Print only the result", NULL, o->quiet, &o->quiet, NULL));
  PetscCall(wasp_app_progress_options(PetscOptionsObject));
  PetscOptionsEnd();
  PetscFunctionReturn(PETSC_SUCCESS);
}

static wasp_status write_plan(const distance_opts *o, const wasp_metric_ctx *ctx,
                              const wasp_measure *a, const wasp_metric_result *r)
{
  long nnz;
  const long *src, *dst;
  const double *mass;
  wasp_h5 *f = NULL;
  WASP_TRY(wasp_metric_last_plan(ctx, &nnz, &src, &dst, &mass));
  WASP_TRY(wasp_h5_create(o->plan, &f));
  wasp_status s = wasp_h5_write_long(f, "/plan/source", 1, &nnz, src);
  if (!s) s = wasp_h5_write_long(f, "/plan/target", 1, &nnz, dst);
  if (!s) s = wasp_h5_write_double(f, "/plan/mass", 1, &nnz, mass);
  /* The dual, so that the certificate can be checked without us. */
  wasp_metric_duals d;
  if (!s) s = wasp_metric_last_duals(ctx, &d);
  if (!s && d.ns > 0) {
    s = wasp_h5_write_long(f, "/dual/source_site", 1, &d.ns, d.source_site);
    if (!s) s = wasp_h5_write_double(f, "/dual/source_mass", 1, &d.ns, d.source_mass);
    if (!s) s = wasp_h5_write_double(f, "/dual/u", 1, &d.ns, d.u);
    if (!s) s = wasp_h5_write_long(f, "/dual/target_site", 1, &d.nt, d.target_site);
    if (!s) s = wasp_h5_write_double(f, "/dual/target_mass", 1, &d.nt, d.target_mass);
    if (!s) s = wasp_h5_write_double(f, "/dual/v", 1, &d.nt, d.v);
    if (!s) s = wasp_h5_attr_double(f, "/", "lp_cost", r->ot.value);
  }
  if (!s) s = wasp_app_write_params(f, o->metric, &o->par);
  if (!s) s = wasp_h5_attr_string(f, "/", "a", o->a);
  if (!s) s = wasp_h5_attr_string(f, "/", "b", o->b);
  if (!s) s = wasp_h5_attr_double(f, "/", "value", r->value);
  if (!s) s = wasp_h5_attr_double(f, "/", "mass", r->mass);
  if (!s) s = wasp_h5_attr_double(f, "/", "primal_residual", r->ot.primal_residual);
  if (!s) s = wasp_h5_attr_double(f, "/", "min_reduced_cost", r->ot.min_reduced_cost);
  if (!s) s = wasp_h5_attr_double(f, "/", "duality_gap", r->ot.duality_gap);
  if (!s && a->kind == WASP_MEASURE_GRID) s = wasp_h5_attr_long(f, "/", "ny", a->ny);
  if (!s && a->kind == WASP_MEASURE_GRID) s = wasp_h5_attr_long(f, "/", "nx", a->nx);
  if (s) {
    wasp_h5_abort(&f);
    return s;
  }
  return wasp_h5_commit(&f);
}

static void json_number(const char *key, double v, int last)
{
  if (isfinite(v)) printf("\"%s\": %.17g%s", key, v, last ? "" : ", ");
  else printf("\"%s\": null%s", key, last ? "" : ", ");
}

static void print_result(const distance_opts *o, const wasp_metric_result *r)
{
  const wasp_ot_result *c = &r->ot;
  const int lp = r->has_certificate;
  if (o->json) {
    printf("{\"metric\": \"%s\", \"p\": %.17g, \"torus\": %s, \"normalize\": %s, ", o->metric,
           o->par.p, o->par.torus ? "true" : "false", o->par.normalize ? "true" : "false");
    json_number("mass", r->mass, 0);
    json_number("value", r->value, 0);
    json_number("primal_residual", lp ? c->primal_residual : 0.0, 0);
    json_number("min_reduced_cost", lp ? c->min_reduced_cost : NAN, 0);
    json_number("duality_gap", lp ? c->duality_gap : 0.0, 0);
    json_number("lp_cost", lp ? c->value : NAN, 0);
    printf("\"iterations\": %ld, \"optimal\": %s, ", c->iterations,
           lp ? (c->optimal ? "true" : "false") : "null");
    json_number("seconds", r->seconds, 1);
    printf("}\n");
  } else {
    printf("%s%s p=%g%s: %.12g\n", o->metric, o->par.normalize ? " (normalized)" : "", o->par.p,
           o->par.torus ? " torus" : "", r->value);
    if (lp && !o->quiet)
      printf("  mass %.6g, LP cost %.12g, %ld pivots, %.3f s\n  certificate: primal residual %.2e, "
             "min reduced cost %.2e, duality gap %.2e\n",
             r->mass, c->value, c->iterations, r->seconds, c->primal_residual, c->min_reduced_cost,
             c->duality_gap);
  }
  fflush(stdout);
}

PetscErrorCode wasp_cmd_distance(MPI_Comm comm)
{
  distance_opts o;
  wasp_metric_ctx *ctx = NULL;
  wasp_measure a = {0}, b = {0};
  wasp_metric_result r;
  wasp_app_lp_progress lp = {0};
  PetscMPIInt rank;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(process_options(comm, &o));
  if (wasp_app_help()) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCheck(o.a[0], comm, PETSC_ERR_USER, "missing -a: give the first measure as FILE[:INDEX] or builtin:NAME:N");
  PetscCheck(o.b[0], comm, PETSC_ERR_USER, "missing -b: give the second measure as FILE[:INDEX] or builtin:NAME:N");
  /* A 512 x 512 solve runs for minutes: report its rounds from rank 0. */
  PetscCall(wasp_progress_create(comm, "distance", 0, o.quiet, &lp.pr));
  o.par.ot.progress = wasp_app_lp_progress_report;
  o.par.ot.progress_ctx = &lp;
  WaspAgree(comm, wasp_metric_ctx_create(o.metric, &o.par, &ctx));

  /* Every rank reads (the inputs are small next to the LP); they agree on
   * the outcome so a bad file stops all of them together. */
  PetscCall(PetscLogEventBegin(wasp_log.read, 0, 0, 0, 0));
  wasp_status s = wasp_app_load(o.a, &a);
  if (!s) s = wasp_app_load(o.b, &b);
  PetscCall(PetscLogEventEnd(wasp_log.read, 0, 0, 0, 0));
  WaspAgree(comm, s);

  if (a.kind == WASP_MEASURE_GRID) lp.ny = a.ny, lp.nx = a.nx;
  PetscCall(PetscLogEventBegin(wasp_log.solve, 0, 0, 0, 0));
  s = rank == 0 ? wasp_metric_eval(ctx, &a, o.a, &b, o.b, &r) : WASP_OK;
  PetscCall(PetscLogEventEnd(wasp_log.solve, 0, 0, 0, 0));
  WaspAgree(comm, s);
  PetscCall(lp.err);

  if (o.plan[0]) {
    PetscCall(PetscLogEventBegin(wasp_log.write, 0, 0, 0, 0));
    s = WASP_OK;
    if (rank == 0 && !r.has_certificate)
      s = wasp_fail(WASP_ERR_ARG, "-plan: -metric %s has no transport plan", o.metric);
    if (rank == 0 && !s) s = write_plan(&o, ctx, &a, &r);
    PetscCall(PetscLogEventEnd(wasp_log.write, 0, 0, 0, 0));
    WaspAgree(comm, s);
  }
  if (rank == 0) print_result(&o, &r);
  wasp_measure_destroy(&a);
  wasp_measure_destroy(&b);
  wasp_metric_ctx_destroy(&ctx);
  PetscCall(wasp_progress_destroy(&lp.pr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

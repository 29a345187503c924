/* One slice of a noise sweep (`wasp noise ... -slice K/N -o part_K.h5`): the
 * unit of a Slurm job array.  The slice computes its cells with the same
 * RNG keys as the whole sweep and writes its raw records, keyed by global
 * item, to a partial HDF5 file; `wasp merge` (cmd_merge.c) joins the parts
 * and runs the very statistics and writers of a single run, so the merged
 * file equals the single-run file.  Partial schema: docs/slurm.md. */
#include "noise.h"

#include "wasp/wasp_io.h"

#include <stdio.h>
#include <string.h>

/* Options that only name outputs or steer this run; everything else in the
 * options database determines the results and travels with the part. */
static const char *const run_only[] = {"-slice", "-o", "-csv", "-plots", "-checkpoint", "-json",
                                       "-quiet", "-progress_interval", "-options_file", "-log_view",
                                       "-help", NULL};

PetscErrorCode noise_validate_slice(MPI_Comm comm, noise_opts *o)
{
  PetscFunctionBeginUser;
  o->slice = 0, o->nslices = 0;
  if (!o->slice_text[0]) PetscFunctionReturn(PETSC_SUCCESS);
  long k = -1, n = -1;
  char tail = 0;
  const int got = sscanf(o->slice_text, "%ld/%ld%c", &k, &n, &tail);
  PetscCheck(got == 2 && n >= 1 && k >= 0 && k < n, comm, PETSC_ERR_USER,
             "-slice '%s' is invalid: give K/N with 0 <= K < N (e.g. -slice 0/4 .. 3/4)", o->slice_text);
  const long cells = (o->nsigma * (long)o->trials + 1) * o->np;
  PetscCheck(n <= cells, comm, PETSC_ERR_USER,
             "-slice %s: the sweep has only %ld cells ((nsigma x trials + 1) x np); use N <= %ld",
             o->slice_text, cells, cells);
  PetscCheck(o->out[0], comm, PETSC_ERR_USER, "-slice %s needs -o PART.h5 (the partial output for "
             "`wasp merge`)", o->slice_text);
  PetscCheck(!o->csv[0] && !o->plots[0] && !o->json, comm, PETSC_ERR_USER,
             "-slice %s writes only a partial -o; give -csv, -plots and -json to `wasp merge`",
             o->slice_text);
  o->slice = k, o->nslices = n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static int is_key(const char *tok) { return tok[0] == '-' && (tok[1] < '0' || tok[1] > '9') && tok[1] != '.'; }

/* The options database minus run_only keys (and their values), as one line
 * that PetscOptionsInsertString reads back.  *text from PetscMalloc. */
static PetscErrorCode result_options(char **text)
{
  char *all = NULL, *save = NULL;
  size_t len;
  int skipping = 0;
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetAll(NULL, &all));
  PetscCall(PetscStrlen(all, &len));
  PetscCall(PetscCalloc1(len + 2, text));
  for (char *tok = strtok_r(all, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    if (is_key(tok)) {
      skipping = 0;
      for (int i = 0; run_only[i]; i++) skipping |= strcmp(tok, run_only[i]) == 0;
    }
    if (skipping) continue;
    if ((*text)[0]) PetscCall(PetscStrlcat(*text, " ", len + 2));
    PetscCall(PetscStrlcat(*text, tok, len + 2));
  }
  PetscCall(PetscFree(all));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static wasp_status write_part(const noise_opts *o, const wasp_sweep_job *job, const double *vals,
                              const char *options, double seconds, int nranks)
{
  const long m = wasp_sweep_slice_count(job), nv = wasp_sweep_nvals(job);
  long *items = NULL;
  WASP_TRY(wasp_calloc((size_t)(m > 0 ? m : 1), sizeof *items, &items));
  for (long l = 0; l < m; l++) items[l] = wasp_sweep_slice_item(job, l);
  char fp[32];
  snprintf(fp, sizeof fp, "%016llx",
           (unsigned long long)noise_fingerprint(o, job->nimages, PETSC_TRUE));
  wasp_h5 *f = NULL;
  const long dims[2] = {m, nv};
  wasp_status s = wasp_h5_create(o->out, &f);
  if (!s) s = wasp_h5_write_long(f, "/slice/items", 1, dims, items);
  if (!s) s = wasp_h5_write_double(f, "/slice/records", 2, dims, vals);
  if (!s) s = wasp_h5_attr_string(f, "/", "wasp_part", "noise");
  if (!s) s = wasp_h5_attr_long(f, "/", "slice", o->slice);
  if (!s) s = wasp_h5_attr_long(f, "/", "nslices", o->nslices);
  if (!s) s = wasp_h5_attr_long(f, "/", "items_total", wasp_sweep_count(job));
  if (!s) s = wasp_h5_attr_long(f, "/", "nvals", nv);
  if (!s) s = wasp_h5_attr_string(f, "/", "fingerprint", fp);
  if (!s) s = wasp_h5_attr_string(f, "/", "options", options);
  if (!s) s = wasp_h5_attr_double(f, "/", "wall_seconds", seconds);
  if (!s) s = wasp_h5_attr_long(f, "/", "nranks", nranks);
  if (!s) s = wasp_h5_attr_string(f, "/", "wasp_version", "0.1.0");
  wasp_free(&items);
  if (s) {
    wasp_h5_abort(&f);
    return wasp_fail_context(s, "-o %s", o->out);
  }
  s = wasp_h5_commit(&f);
  return s ? wasp_fail_context(s, "-o %s", o->out) : WASP_OK;
}

PetscErrorCode noise_finish_slice(MPI_Comm comm, const noise_opts *o, const wasp_sweep_job *job,
                                  const double *vals, double seconds, int nranks)
{
  PetscMPIInt rank;
  char *options = NULL;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  wasp_status s = WASP_OK;
  if (rank == 0) {
    PetscCall(result_options(&options));
    PetscCall(PetscLogEventBegin(wasp_log.write, 0, 0, 0, 0));
    s = write_part(o, job, vals, options, seconds, nranks);
    PetscCall(PetscLogEventEnd(wasp_log.write, 0, 0, 0, 0));
    if (!s && !o->quiet)
      printf("wasp noise: slice %ld/%ld: %ld of %ld items in %.1f s, wrote %s\n", o->slice,
             o->nslices, wasp_sweep_slice_count(job), wasp_sweep_count(job), seconds, o->out);
    fflush(stdout);
  }
  PetscCall(PetscFree(options));
  WaspAgree(comm, s);
  PetscFunctionReturn(PETSC_SUCCESS);
}

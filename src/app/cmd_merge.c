/* wasp merge: join the partial outputs of a sliced noise sweep (`wasp noise
 * ... -slice K/N -o part_K.h5`, one per Slurm array task) into the output
 * of a single run.  Rank 0 reads and checks the parts; the options stored in
 * them are replayed through the noise command's own setup, and the joined
 * records go through its own statistics and writers, so every dataset is
 * bit for bit that of `wasp noise` without -slice. */
#include "noise.h"

#include "wasp/wasp_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char out[PETSC_MAX_PATH_LEN], csv[PETSC_MAX_PATH_LEN], plots[PETSC_MAX_PATH_LEN];
  PetscBool json, quiet;
  int nparts;
  char **parts; /* into PETSc's argv */
} merge_opts;

/* What the parts agree on, and the joined records (rank 0). */
typedef struct {
  long nslices, total, nvals, nranks;
  char fingerprint[64];
  char *options;
  double seconds, *vals;
} merge_sum;

static PetscErrorCode process_options(MPI_Comm comm, merge_opts *o)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof *o));
  PetscOptionsBegin(comm, NULL, "wasp merge -o OUT.h5 PART.h5 ...: join the parts of a sliced noise sweep", NULL);
  PetscCall(PetscOptionsString("-o", "Output HDF5 file (as `wasp noise -o`)", NULL, o->out, o->out, sizeof o->out, NULL));
  PetscCall(PetscOptionsString("-csv", "Output CSV file", NULL, o->csv, o->csv, sizeof o->csv, NULL));
  PetscCall(PetscOptionsString("-plots", "Prefix of PNG figures", NULL, o->plots, o->plots, sizeof o->plots, NULL));
  PetscCall(PetscOptionsBool("-json", "Print the JSON summary of `wasp noise`", NULL, o->json, &o->json, NULL));
  PetscCall(PetscOptionsBool("-quiet", "No table", NULL, o->quiet, &o->quiet, NULL));
  PetscOptionsEnd();
  if (wasp_app_help()) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCheck(o->out[0], comm, PETSC_ERR_USER, "missing -o OUT.h5 (usage: wasp merge -o OUT.h5 PART.h5 ...)");
  /* The part files are the words that are neither an option nor the value
   * of one (PETSc's parser skips them). */
  int argc;
  char **argv;
  PetscCall(PetscGetArgs(&argc, &argv));
  PetscCall(PetscCalloc1(argc + 1, &o->parts));
  for (int i = 1; i < argc; i++) {
    const int after_key = i > 1 && argv[i - 1][0] == '-' && strcmp(argv[i - 1], "-json") != 0 &&
                          strcmp(argv[i - 1], "-quiet") != 0;
    if (argv[i][0] != '-' && !after_key) o->parts[o->nparts++] = argv[i];
  }
  PetscCheck(o->nparts >= 1, comm, PETSC_ERR_USER, "no part files given (usage: wasp merge -o OUT.h5 PART.h5 ...)");
  PetscFunctionReturn(PETSC_SUCCESS);
}

static wasp_status attr_long(const char *path, const char *key, long *v)
{
  double d;
  WASP_TRY(wasp_h5_read_attr_double(path, "/", key, &d));
  *v = (long)d;
  return WASP_OK;
}

/* The header of one part; the first part sets what the others must match. */
static wasp_status read_header(const char *path, const char *first, merge_sum *m, long *slice)
{
  char kind[32], fp[64];
  if (wasp_h5_read_attr_string(path, "/", "wasp_part", kind, sizeof kind) || strcmp(kind, "noise") != 0)
    return wasp_fail(WASP_ERR_INPUT, "%s is not a partial output of `wasp noise -slice K/N -o PART.h5` "
                     "(no root attribute wasp_part = \"noise\")", path);
  long nslices, total, nvals, nranks;
  WASP_TRY(attr_long(path, "slice", slice));
  WASP_TRY(attr_long(path, "nslices", &nslices));
  WASP_TRY(attr_long(path, "items_total", &total));
  WASP_TRY(attr_long(path, "nvals", &nvals));
  WASP_TRY(attr_long(path, "nranks", &nranks));
  WASP_TRY(wasp_h5_read_attr_string(path, "/", "fingerprint", fp, sizeof fp));
  double seconds;
  WASP_TRY(wasp_h5_read_attr_double(path, "/", "wall_seconds", &seconds));
  if (!first) {
    m->nslices = nslices, m->total = total, m->nvals = nvals, m->nranks = nranks;
    snprintf(m->fingerprint, sizeof m->fingerprint, "%s", fp);
    WASP_TRY(wasp_calloc(65536, 1, &m->options));
    WASP_TRY(wasp_h5_read_attr_string(path, "/", "options", m->options, 65536));
  } else if (strcmp(fp, m->fingerprint) != 0 || total != m->total || nvals != m->nvals) {
    return wasp_fail(WASP_ERR_INPUT, "%s was made with other options than %s (fingerprint %s, not %s): "
                     "all parts must come from one command line that differs only in -slice and -o",
                     path, first, fp, m->fingerprint);
  } else if (nslices != m->nslices) {
    return wasp_fail(WASP_ERR_INPUT, "%s is a slice of %ld but %s one of %ld: all parts must use the same N "
                     "in -slice K/N", path, nslices, first, m->nslices);
  }
  if (*slice < 0 || *slice >= nslices)
    return wasp_fail(WASP_ERR_INPUT, "%s: attribute slice %ld is outside 0..%ld", path, *slice, nslices - 1);
  m->seconds += seconds;
  return WASP_OK;
}

/* One part's records into m->vals; owner[item] remembers which part gave it. */
static wasp_status read_records(const char *path, char **parts, int ip, merge_sum *m, int *owner)
{
  int ri, rr;
  long di[8], dr[8];
  double *items = NULL, *recs = NULL;
  wasp_status s = wasp_h5_read_double(path, "/slice/items", &ri, di, &items);
  if (!s) s = wasp_h5_read_double(path, "/slice/records", &rr, dr, &recs);
  if (!s && (ri != 1 || rr != 2 || dr[0] != di[0] || dr[1] != m->nvals))
    s = wasp_fail(WASP_ERR_INPUT, "%s: /slice/items and /slice/records have inconsistent shapes", path);
  for (long l = 0; !s && l < di[0]; l++) {
    const long k = (long)items[l];
    if (items[l] != (double)k || k < 0 || k >= m->total)
      s = wasp_fail(WASP_ERR_INPUT, "%s: item %g is outside the sweep's 0..%ld", path, items[l], m->total - 1);
    else if (owner[k])
      s = wasp_fail(WASP_ERR_INPUT, "%s and %s overlap: both hold sweep item %ld", parts[owner[k] - 1],
                    path, k);
    else
      owner[k] = ip + 1, memcpy(m->vals + k * m->nvals, recs + l * m->nvals, sizeof(double) * (size_t)m->nvals);
  }
  wasp_free(&items);
  wasp_free(&recs);
  return s;
}

/* Rank 0: read every part, refuse mixed, overlapping or missing ones. */
static wasp_status join_parts(const merge_opts *o, merge_sum *m)
{
  int *owner = NULL, *slice_part = NULL;
  wasp_status s = WASP_OK;
  for (int ip = 0; !s && ip < o->nparts; ip++) {
    long slice = -1;
    s = read_header(o->parts[ip], ip ? o->parts[0] : NULL, m, &slice);
    if (!s && ip == 0) {
      s = wasp_calloc((size_t)m->nslices, sizeof *slice_part, &slice_part);
      if (!s) s = wasp_calloc((size_t)m->total, sizeof *owner, &owner);
      if (!s) s = wasp_calloc((size_t)(m->total * m->nvals), sizeof *m->vals, &m->vals);
    }
    if (!s && slice_part[slice])
      s = wasp_fail(WASP_ERR_INPUT, "%s and %s both hold slice %ld/%ld", o->parts[slice_part[slice] - 1],
                    o->parts[ip], slice, m->nslices);
    if (!s) slice_part[slice] = ip + 1, s = read_records(o->parts[ip], o->parts, ip, m, owner);
    if (s) s = wasp_fail_context(s, "wasp merge");
  }
  char missing[512] = "";
  for (long k = 0, len = 0; !s && k < m->nslices; k++)
    if (!slice_part[k] && len < 480) len += snprintf(missing + len, sizeof missing - len, " %ld", k);
  if (!s && missing[0])
    s = wasp_fail(WASP_ERR_INPUT, "wasp merge: slice(s)%s of %ld are missing (no part file given holds them)",
                  missing, m->nslices);
  for (long k = 0; !s && k < m->total; k++)
    if (!owner[k])
      s = wasp_fail(WASP_ERR_INPUT, "wasp merge: no part holds sweep item %ld although every slice is "
                    "given: a part file is incomplete", k);
  wasp_free(&owner);
  wasp_free(&slice_part);
  return s;
}

/* Replay the parts' options through `wasp noise`'s setup, outputs from the
 * merge's command line.  Collective. */
static PetscErrorCode replay_setup(MPI_Comm comm, const merge_opts *mo, const char *options,
                                   noise_opts *o, noise_inputs *in, double *w1)
{
  PetscOptions db;
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsCreate(&db));
  PetscCall(PetscOptionsInsertString(db, options));
  PetscCall(PetscOptionsSetValue(db, "-o", mo->out));
  if (mo->csv[0]) PetscCall(PetscOptionsSetValue(db, "-csv", mo->csv));
  if (mo->plots[0]) PetscCall(PetscOptionsSetValue(db, "-plots", mo->plots));
  PetscCall(PetscOptionsSetValue(db, "-json", mo->json ? "1" : "0"));
  PetscCall(PetscOptionsSetValue(db, "-quiet", mo->quiet ? "1" : "0"));
  PetscCall(PetscOptionsPush(db));
  PetscErrorCode ierr = noise_setup(comm, o, in, w1);
  PetscCall(PetscOptionsPop());
  PetscCall(PetscOptionsDestroy(&db));
  PetscFunctionReturn(ierr);
}

PetscErrorCode wasp_cmd_merge(MPI_Comm comm)
{
  merge_opts mo;
  merge_sum m;
  noise_opts o;
  noise_inputs in;
  wasp_sweep_job job;
  double w1;
  PetscMPIInt rank;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  memset(&m, 0, sizeof m);
  PetscCall(process_options(comm, &mo));
  if (wasp_app_help()) PetscFunctionReturn(PETSC_SUCCESS);
  wasp_status s = rank == 0 ? join_parts(&mo, &m) : WASP_OK;
  PetscErrorCode ierr = wasp_par_agree(comm, s);
  /* Every rank replays the same options: rank 0 sends them. */
  int len = 0;
  if (!ierr && rank == 0) len = (int)strlen(m.options) + 1;
  PetscCallMPI(MPI_Bcast(&len, 1, MPI_INT, 0, comm));
  if (!ierr && rank != 0) ierr = wasp_par_agree(comm, wasp_calloc((size_t)len, 1, &m.options));
  else if (!ierr) ierr = wasp_par_agree(comm, WASP_OK);
  if (!ierr) PetscCallMPI(MPI_Bcast(m.options, len, MPI_CHAR, 0, comm));
  if (!ierr) ierr = replay_setup(comm, &mo, m.options, &o, &in, &w1);
  if (!ierr) {
    noise_make_job(&o, &in, &job);
    char fp[64];
    snprintf(fp, sizeof fp, "%016llx", (unsigned long long)noise_fingerprint(&o, in.nimages, PETSC_TRUE));
    s = WASP_OK;
    if (rank == 0 && (strcmp(fp, m.fingerprint) != 0 || wasp_sweep_count(&job) != m.total))
      s = wasp_fail(WASP_ERR_INPUT, "wasp merge: the options stored in %s (attribute 'options') give "
                    "another sweep here (fingerprint %s, the parts say %s): run the merge in the folder "
                    "the slices ran in, with the same input files", mo.parts[0], fp, m.fingerprint);
    ierr = wasp_par_agree(comm, s);
    if (!ierr) ierr = noise_finish(comm, &o, &job, m.vals, w1, m.seconds, (int)m.nranks);
    noise_inputs_destroy(&in);
  }
  wasp_free(&m.options);
  wasp_free(&m.vals);
  PetscCall(PetscFree(mo.parts));
  PetscFunctionReturn(ierr);
}

/* Progress with an ETA from rank 0, rate-limited so long runs stay readable. */
#include "wasp/wasp_par.h"

struct wasp_progress {
  PetscMPIInt rank;
  PetscBool quiet;
  char label[64];
  long total;
  double t0, last, interval;
};

PetscErrorCode wasp_progress_create(MPI_Comm comm, const char *label, long total, PetscBool quiet,
                                    wasp_progress **pr)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(pr));
  PetscCallMPI(MPI_Comm_rank(comm, &(*pr)->rank));
  (*pr)->quiet = quiet;
  (*pr)->total = total;
  PetscCall(PetscStrncpy((*pr)->label, label, sizeof (*pr)->label));
  (*pr)->t0 = (*pr)->last = wasp_wtime();
  (*pr)->interval = WASP_PROGRESS_INTERVAL;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-progress_interval", &(*pr)->interval, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void format_time(double s, char *buf, size_t len)
{
  if (s < 120) snprintf(buf, len, "%.0f s", s);
  else if (s < 7200) snprintf(buf, len, "%.1f min", s / 60);
  else snprintf(buf, len, "%.1f h", s / 3600);
}

/* "[label] WHAT<sep>elapsed E, ETA <mark>T" (ETA ? when eta < 0). */
static PetscErrorCode emit(wasp_progress *pr, double now, const char *what, const char *sep,
                           double eta, const char *mark)
{
  char e1[32], e2[32];
  PetscFunctionBeginUser;
  pr->last = now;
  format_time(now - pr->t0, e1, sizeof e1);
  format_time(eta, e2, sizeof e2);
  PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "[%s] %s%selapsed %s, ETA %s%s\n", pr->label, what,
                         sep, e1, eta >= 0 ? mark : "?", eta >= 0 ? e2 : ""));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode wasp_progress_update(wasp_progress *pr, long done)
{
  PetscFunctionBeginUser;
  double now = wasp_wtime();
  if (pr->rank != 0 || pr->quiet || pr->total <= 0) PetscFunctionReturn(PETSC_SUCCESS);
  if (done < pr->total && now - pr->last < pr->interval) PetscFunctionReturn(PETSC_SUCCESS);
  double el = now - pr->t0, eta = done > 0 ? el * (double)(pr->total - done) / (double)done : -1;
  char what[96];
  snprintf(what, sizeof what, "%ld/%ld (%.1f%%)", done, pr->total, 100.0 * (double)done / (double)pr->total);
  PetscCall(emit(pr, now, what, " ", eta, ""));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode wasp_progress_note(wasp_progress *pr, const char *what, double eta)
{
  PetscFunctionBeginUser;
  double now = wasp_wtime();
  if (pr->rank != 0 || pr->quiet || now - pr->last < pr->interval) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(emit(pr, now, what, ", ", eta, "~"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode wasp_progress_destroy(wasp_progress **pr)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(*pr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* wasp_par.h - the MPI layer: collective error agreement, phase logging,
 * progress.  The only module that calls MPI (besides app/main.c's init).
 * Functions return PetscErrorCode and are collective on comm unless noted. */
#ifndef WASP_PAR_H
#define WASP_PAR_H

#include <petscsys.h>
#include "wasp_base.h"

/* PETSc 3.18 (Debian 12) predates PETSC_SUCCESS (3.19). */
#ifndef PETSC_SUCCESS
#define PETSC_SUCCESS 0
#endif

/* Collective.  Every rank passes its local status; if any rank failed, every
 * rank returns the same error carrying the message of the lowest failing
 * rank, so no rank is left waiting at the next collective. */
PetscErrorCode wasp_par_agree(MPI_Comm comm, wasp_status local);
#define WaspAgree(comm, expr) PetscCall(wasp_par_agree((comm), (expr)))

/* Not collective: turn a local kernel failure into a PETSc error.  Use only
 * where every rank runs the same call on the same data or where the caller
 * agrees right after (wasp_par_agree_petsc). */
#define WaspCall(expr)                                                        \
  do {                                                                        \
    wasp_status wasp_call_s_ = (expr);                                        \
    PetscCheck(wasp_call_s_ == WASP_OK, PETSC_COMM_SELF, PETSC_ERR_USER, "%s", \
               wasp_last_error());                                            \
  } while (0)

/* Collective: like wasp_par_agree for a PETSc error code raised locally
 * (its message is taken from PETSc's last error). */
PetscErrorCode wasp_par_agree_petsc(MPI_Comm comm, PetscErrorCode local);

/* Logging: one event per phase, shown by -log_view. */
typedef struct {
  PetscClassId classid;
  PetscLogEvent read, solve, certify, write, gather, schedule, noise, project, candidates, assign, reduce;
} wasp_log_events;
extern wasp_log_events wasp_log;
PetscErrorCode wasp_log_register(void);

/* Progress with ETA, printed by rank 0 at most every -progress_interval
 * seconds (default WASP_PROGRESS_INTERVAL). */
#define WASP_PROGRESS_INTERVAL 2.0
typedef struct wasp_progress wasp_progress;
PetscErrorCode wasp_progress_create(MPI_Comm comm, const char *label, long total, PetscBool quiet,
                                    wasp_progress **pr);
/* Not collective: rank 0 reports `done` items of `total`. */
PetscErrorCode wasp_progress_update(wasp_progress *pr, long done);
/* Not collective: rank 0 reports a stage without an item count (one LP
 * solve), described by `what`, with an estimate of the time left (eta < 0:
 * no estimate). */
PetscErrorCode wasp_progress_note(wasp_progress *pr, const char *what, double eta);
PetscErrorCode wasp_progress_destroy(wasp_progress **pr);

#endif

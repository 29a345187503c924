/* Collective error agreement: the cure for "one rank failed, the others hang
 * in the next MPI call".  Each rank's status meets an Allreduce; the lowest
 * failing rank's message is broadcast so every rank reports the same error. */
#include "wasp/wasp_par.h"

#include <string.h>

static PetscErrorCode agree_message(MPI_Comm comm, int failed, const char *msg)
{
  PetscMPIInt rank, size, first;
  char buf[2048] = "";
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscMPIInt mine = failed ? rank : size;
  PetscCallMPI(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm));
  if (first == size) PetscFunctionReturn(PETSC_SUCCESS);
  if (rank == first) strncpy(buf, msg ? msg : "unknown error", sizeof buf - 1);
  PetscCallMPI(MPI_Bcast(buf, (int)sizeof buf, MPI_CHAR, first, comm));
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER, "%s", buf);
}

PetscErrorCode wasp_par_agree(MPI_Comm comm, wasp_status local)
{
  return agree_message(comm, local != WASP_OK, local != WASP_OK ? wasp_last_error() : NULL);
}

PetscErrorCode wasp_par_agree_petsc(MPI_Comm comm, PetscErrorCode local)
{
  const char *text = NULL;
  char *specific = NULL;
  if (local) PetscErrorMessage(local, &text, &specific);
  return agree_message(comm, local != 0, specific ? specific : text);
}

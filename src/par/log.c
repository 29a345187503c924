/* PETSc log events around every phase (-log_view). */
#include "wasp/wasp_par.h"

wasp_log_events wasp_log;

PetscErrorCode wasp_log_register(void)
{
  PetscFunctionBeginUser;
  PetscCall(PetscClassIdRegister("WASP", &wasp_log.classid));
  PetscCall(PetscLogEventRegister("WaspRead", wasp_log.classid, &wasp_log.read));
  PetscCall(PetscLogEventRegister("WaspSolve", wasp_log.classid, &wasp_log.solve));
  PetscCall(PetscLogEventRegister("WaspCertify", wasp_log.classid, &wasp_log.certify));
  PetscCall(PetscLogEventRegister("WaspWrite", wasp_log.classid, &wasp_log.write));
  PetscCall(PetscLogEventRegister("WaspGather", wasp_log.classid, &wasp_log.gather));
  PetscCall(PetscLogEventRegister("WaspSchedule", wasp_log.classid, &wasp_log.schedule));
  PetscCall(PetscLogEventRegister("WaspNoise", wasp_log.classid, &wasp_log.noise));
  PetscCall(PetscLogEventRegister("WaspProject", wasp_log.classid, &wasp_log.project));
  PetscCall(PetscLogEventRegister("WaspCandidates", wasp_log.classid, &wasp_log.candidates));
  PetscCall(PetscLogEventRegister("WaspAssign", wasp_log.classid, &wasp_log.assign));
  PetscCall(PetscLogEventRegister("WaspReduce", wasp_log.classid, &wasp_log.reduce));
  PetscFunctionReturn(PETSC_SUCCESS);
}

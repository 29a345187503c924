/* wasp: exact optimal-transport distances for images, one MPI program with
 * subcommands.  main() only initialises PETSc, dispatches, and turns an error
 * into one message from rank 0 and a non-zero exit status on every rank. */
#include "app.h"

#include <stdio.h>
#include <string.h>

static const wasp_command commands[] = {
  {"distance", "one distance between two measures, with its optimality certificate",
   wasp_cmd_distance},
  {"pairs", "all pairwise distances of a stack (or queries x references), MPI work queue",
   wasp_cmd_pairs},
  {"noise", "Monte-Carlo noise statistics of L2 and W_p^± over sigma and p", wasp_cmd_noise},
  {"simulate", "synthetic cryo-EM projection datasets with ground truth (MPI)", wasp_cmd_simulate},
  {"kmeans", "rotationally-invariant k-means (wemd, l2, exact w1) with checkpoints (MPI)", wasp_cmd_kmeans},
  {"evaluate", "judge clusterings against simulated viewing directions (angles, occupancy)", wasp_cmd_evaluate},
  {"merge", "join the partial outputs of a sliced noise sweep (-slice K/N) into one", wasp_cmd_merge},
};
static const int ncommands = (int)(sizeof commands / sizeof commands[0]);

static const char usage[] =
  "wasp: exact, certified optimal-transport distances for images and point clouds.\n"
  "Usage: wasp COMMAND [options]   (mpirun -n K wasp COMMAND ... for the parallel drivers)\n"
  "       wasp COMMAND -help        lists the command's options with their defaults\n"
  "Options may also come from a file: -options_file input/NAME.opts\n";

static void print_commands(FILE *out)
{
  fputs(usage, out);
  fputs("Commands:\n", out);
  for (int i = 0; i < ncommands; i++) fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
  const wasp_command *cmd = NULL;
  if (argc >= 2 && argv[1][0] != '-') {
    for (int i = 0; i < ncommands; i++)
      if (strcmp(argv[1], commands[i].name) == 0) cmd = &commands[i];
    if (!cmd) {
      fprintf(stderr, "wasp: error: unknown command '%s'\n", argv[1]);
      print_commands(stderr);
      return 2;
    }
    /* Hide the command word from PETSc's option parser. */
    for (int i = 1; i + 1 < argc; i++) argv[i] = argv[i + 1];
    argc--;
  }
  PetscErrorCode ierr = PetscInitialize(&argc, &argv, NULL, cmd ? NULL : usage);
  if (ierr) {
    fprintf(stderr, "wasp: error: could not initialise PETSc/MPI (bad -options_file?)\n");
    return 1;
  }
  /* Errors travel back as return codes; main prints one clear message. */
  PetscPushErrorHandler(PetscReturnErrorHandler, NULL);
  PetscMPIInt rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  ierr = wasp_log_register();
  if (!ierr && !cmd) {
    if (rank == 0) print_commands(stdout);
  } else if (!ierr) {
    ierr = cmd->run(PETSC_COMM_WORLD);
  }
  if (ierr && rank == 0) {
    const char *text = NULL;
    char *specific = NULL;
    PetscErrorMessage(ierr, &text, &specific);
    fprintf(stderr, "wasp %s: error: %s\n", cmd ? cmd->name : "", specific && specific[0] ? specific : text);
    fflush(stderr);
  }
  PetscPopErrorHandler();
  PetscFinalize();
  return ierr ? 1 : 0;
}

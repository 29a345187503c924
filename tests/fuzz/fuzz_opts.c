/* libFuzzer harness: options files.  `-options_file F` goes through PETSc's
 * own parser (PetscOptionsInsertFile, the path `wasp` uses), so the input is
 * parsed by it into a fresh options database; then every value goes through
 * our parsers of option values: the built-in image spec
 * (wasp_image_from_spec, "builtin:NAME:N[:k=v...]") and FILE[:INDEX]
 * specs (wasp_io_read_measure on a path that does not exist).  MPI runs as
 * a singleton, initialised once. */
#include "fuzz_util.h"
#include "wasp/wasp_image.h"
#include "wasp/wasp_io.h"

#include <fcntl.h>
#include <petscsys.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* PETSc 3.18's PetscOptionsInsertFile leaks its FILE on some error paths.
 * Harmless in `wasp` (an options-file error ends the run) but tens of
 * thousands of fuzz inputs would exhaust the descriptors, so descriptors
 * above the ones open at start-up are reclaimed after every input. */
static int fd_floor = -1;

static void reclaim_descriptors(void)
{
  for (int fd = fd_floor; fd_floor >= 0 && fd < fd_floor + 256; fd++)
    if (fcntl(fd, F_GETFD) != -1) close(fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc, (void)argv;
  if (PetscInitializeNoArguments()) abort();
  /* A malformed file is an error return, never an abort or a print. */
  PetscPushErrorHandler(PetscReturnErrorHandler, NULL);
  fd_floor = dup(0);
  if (fd_floor >= 0) close(fd_floor);
  return 0;
}

/* Keep built-ins small: the fuzzer is after the parser, not after the cost
 * of a valid large image (a 3131 x 3131 cryo image took over 11 s under the
 * sanitizers and timed out).  In-range sizes above 256 are generated at 256;
 * sizes out of range still reach the parser's range check. */
static void clamp_size(char *spec, size_t cap)
{
  char *size = strchr(spec + 8, ':'), *end = NULL;
  if (!size) return;
  size++;
  long n = strtol(size, &end, 10);
  if (end == size || n <= 256 || n > WASP_IMAGE_MAX_N) return;
  char rest[512];
  snprintf(rest, sizeof rest, "%s", end);
  snprintf(size, cap - (size_t)(size - spec), "256%s", rest);
}

static void each_value(char *all)
{
  char *save = NULL;
  for (char *tok = strtok_r(all, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    if (tok[0] == '-') continue;
    wasp_measure m = {0};
    char spec[512];
    snprintf(spec, sizeof spec, "builtin:%s", strncmp(tok, "builtin:", 8) ? tok : tok + 8);
    clamp_size(spec, sizeof spec);
    if (wasp_image_from_spec(spec, &m) == WASP_OK) wasp_measure_destroy(&m);
    snprintf(spec, sizeof spec, "/nonexistent/%s", tok);
    if (wasp_io_read_measure(spec, &m) == WASP_OK) wasp_measure_destroy(&m);
    wasp_clear_error();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *path = fuzz_file(data, size, ".opts");
  PetscOptions db = NULL;
  char *all = NULL;
  if (PetscOptionsCreate(&db)) abort();
  if (!PetscOptionsInsertFile(PETSC_COMM_SELF, db, path, PETSC_TRUE) && !PetscOptionsGetAll(db, &all) && all) {
    each_value(all);
    PetscFree(all);
  }
  if (PetscOptionsDestroy(&db)) abort();
  reclaim_descriptors();
  return 0;
}

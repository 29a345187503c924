/* fuzz_util.h - shared by the libFuzzer harnesses: the readers take a path
 * (that is how wasp meets these files), so each input is written to a file
 * with the parser's extension first.  See tests/fuzz/run.sh. */
#ifndef WASP_FUZZ_UTIL_H
#define WASP_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Write data to a per-process file ending in ext; the path is static.  A
 * failure here is the harness's, not the parser's: abort loudly. */
static const char *fuzz_file(const uint8_t *data, size_t size, const char *ext)
{
  static char path[256];
  const char *dir = getenv("WASP_FUZZ_TMP") ? getenv("WASP_FUZZ_TMP") : "/tmp";
  snprintf(path, sizeof path, "%s/wasp-fuzz-%d%s", dir, (int)getpid(), ext);
  FILE *f = fopen(path, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
    perror(path);
    abort();
  }
  return path;
}

#endif

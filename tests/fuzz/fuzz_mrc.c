/* libFuzzer harness: the MRC/MRCS reader (src/io/mrc.c, mrcread.c): header
 * checks, then images by index (first, last, past the end) and the volume
 * reader.  Headers may claim any size: the reader must refuse, not allocate
 * or read beyond the file. */
#include "fuzz_util.h"
#include "wasp/wasp_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *path = fuzz_file(data, size, ".mrcs");
  long n = 0;
  if (wasp_io_count(path, &n) == WASP_OK && n > 0) {
    const long pick[3] = {0, n - 1, n};
    for (int i = 0; i < 3; i++) {
      char spec[300];
      wasp_measure m = {0};
      snprintf(spec, sizeof spec, "%s:%ld", path, pick[i]);
      if (wasp_io_read_measure(spec, &m) == WASP_OK) {
        volatile double sum = 0;
        for (long k = 0; k < wasp_measure_size(&m); k++) sum += m.w[k];
        (void)sum;
        wasp_measure_destroy(&m);
      }
    }
  }
  int nz, ny, nx;
  float *vol = NULL;
  double voxel;
  if (wasp_io_read_volume(path, &nz, &ny, &nx, &vol, &voxel) == WASP_OK) free(vol);
  wasp_clear_error();
  return 0;
}

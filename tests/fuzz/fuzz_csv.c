/* libFuzzer harness: the DOTmark CSV reader (src/io/csv.c) through the same
 * entry points as every command: count, then read the measure. */
#include "fuzz_util.h"
#include "wasp/wasp_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *path = fuzz_file(data, size, ".csv");
  wasp_measure m = {0};
  long n = 0;
  if (wasp_io_count(path, &n) == WASP_OK && wasp_io_read_measure(path, &m) == WASP_OK) {
    /* Touch every value so a short buffer shows up under ASan. */
    volatile double sum = 0;
    for (long k = 0; k < wasp_measure_size(&m); k++) sum += m.w[k];
    (void)sum;
    wasp_measure_destroy(&m);
  }
  wasp_clear_error();
  return 0;
}

/* Per-thread error messages for the kernels (see wasp_base.h). */
#include "wasp/wasp_base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Thread_local char last_message[2048];

wasp_status wasp_fail(wasp_status code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_message, sizeof last_message, fmt, ap);
  va_end(ap);
  return code;
}

wasp_status wasp_fail_context(wasp_status code, const char *fmt, ...)
{
  char prefix[1024], old[sizeof last_message];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  memcpy(old, last_message, sizeof old);
  /* Truncation is acceptable: the tail of a long message is the least useful. */
  int n = snprintf(last_message, sizeof last_message, "%s: ", prefix);
  if (n >= 0 && (size_t)n < sizeof last_message)
    strncat(last_message, old, sizeof last_message - (size_t)n - 1);
  return code;
}

const char *wasp_last_error(void) { return last_message; }

void wasp_clear_error(void) { last_message[0] = '\0'; }

wasp_status wasp_malloc(size_t bytes, void *ptr_to_ptr)
{
  void **p = (void **)ptr_to_ptr;
  *p = malloc(bytes ? bytes : 1);
  if (!*p) return wasp_fail(WASP_ERR_MEM, "out of memory allocating %zu bytes", bytes);
  return WASP_OK;
}

wasp_status wasp_malloc_aligned(size_t bytes, void *ptr_to_ptr)
{
  void **p = (void **)ptr_to_ptr;
  *p = NULL;
  if (posix_memalign(p, 64, bytes ? bytes : 1)) {
    *p = NULL;
    return wasp_fail(WASP_ERR_MEM, "out of memory allocating %zu bytes", bytes);
  }
  return WASP_OK;
}

wasp_status wasp_calloc(size_t count, size_t size, void *ptr_to_ptr)
{
  void **p = (void **)ptr_to_ptr;
  *p = calloc(count ? count : 1, size ? size : 1);
  if (!*p)
    return wasp_fail(WASP_ERR_MEM, "out of memory allocating %zu x %zu bytes", count, size);
  return WASP_OK;
}

void wasp_free(void *ptr_to_ptr)
{
  void **p = (void **)ptr_to_ptr;
  free(*p);
  *p = NULL;
}

double wasp_wtime(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

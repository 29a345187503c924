/* wasp_base.h - status codes and error messages shared by every layer.
 *
 * Kernels (ot, metric, image, noise, ...) know nothing of MPI or PETSc, so
 * they report failure with a wasp_status and a message kept per thread, in
 * the spirit of errno/strerror.  The drivers turn a status into a PETSc error
 * after all ranks have agreed on it (see wasp_par.h).  Not collective. */
#ifndef WASP_BASE_H
#define WASP_BASE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  WASP_OK = 0,
  WASP_ERR_ARG,      /* a bad option value or argument (caller's fault)     */
  WASP_ERR_INPUT,    /* bad data: shape, NaN, negative mass, unequal masses */
  WASP_ERR_IO,       /* a file could not be read or written                 */
  WASP_ERR_MEM,      /* out of memory                                       */
  WASP_ERR_NUMERIC,  /* a solver did not reach its certificate              */
  WASP_ERR_INTERNAL  /* a broken invariant: a bug                           */
} wasp_status;

/* Record a formatted message for the current thread and return code. */
wasp_status wasp_fail(wasp_status code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The message of the last wasp_fail on this thread ("" if none). */
const char *wasp_last_error(void);
/* Prefix the current message with context ("reading a.h5: ..."), returns code. */
wasp_status wasp_fail_context(wasp_status code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void wasp_clear_error(void);

/* Propagate a failing status to the caller. */
#define WASP_TRY(expr)                    \
  do {                                    \
    wasp_status wasp_try_s_ = (expr);     \
    if (wasp_try_s_ != WASP_OK) return wasp_try_s_; \
  } while (0)

/* Allocation that fails with a message instead of returning NULL silently. */
wasp_status wasp_malloc(size_t bytes, void *ptr_to_ptr);
wasp_status wasp_calloc(size_t count, size_t size, void *ptr_to_ptr);
/* 64-byte aligned (a cache line; whole AVX loads), freed by wasp_free. */
wasp_status wasp_malloc_aligned(size_t bytes, void *ptr_to_ptr);
/* free(*ptr) and set *ptr = NULL. */
void wasp_free(void *ptr_to_ptr);

/* Monotonic wall clock in seconds. */
double wasp_wtime(void);

#endif

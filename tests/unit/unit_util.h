/* Shared helpers for the Check unit tests. */
#ifndef WASP_UNIT_UTIL_H
#define WASP_UNIT_UTIL_H
#include <check.h>
#include <stdint.h>

/* Run a suite; returns the process exit status (0 when all pass). */
int unit_run(Suite *s);
/* Deterministic uniform in [0, 1) from a small xorshift state (tests only). */
double unit_uniform(uint64_t *state);
/* Standard normal from the same state. */
double unit_normal(uint64_t *state);
#endif

/* One problem solved again and again on one metric context, as `wasp pairs`
 * and the sweeps solve pair after pair: the first (cold) solve pays for the
 * allocations and cold caches of a fresh process, the later (warm) ones show
 * the per-solve time of a long run.  For bench/solver.py:
 *
 *   wasp_bench_solve FILE.h5 METRIC P TORUS REPS
 *
 * solves images 0 and 1 of FILE.h5 REPS + 1 times and prints one JSON line
 * with the cold time, the warm times and the value (every solve must give
 * the same value and certify it). */
#include "wasp/wasp_io.h"
#include "wasp/wasp_metric.h"

#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what)
{
  fprintf(stderr, "wasp_bench_solve: %s: %s\n", what, wasp_last_error());
  return 1;
}

int main(int argc, char **argv)
{
  if (argc != 6) {
    fprintf(stderr, "usage: wasp_bench_solve FILE.h5 METRIC P TORUS REPS\n");
    return 2;
  }
  char sa[4096], sb[4096];
  snprintf(sa, sizeof sa, "%s:0", argv[1]);
  snprintf(sb, sizeof sb, "%s:1", argv[1]);
  const int reps = atoi(argv[5]);
  wasp_measure a = {0}, b = {0};
  if (wasp_io_read_measure(sa, &a) || wasp_io_read_measure(sb, &b)) return fail(argv[1]);
  wasp_metric_params par;
  wasp_metric_params_default(&par);
  par.p = atof(argv[3]);
  par.torus = atoi(argv[4]) != 0;
  wasp_metric_ctx *ctx = NULL;
  if (wasp_metric_ctx_create(argv[2], &par, &ctx)) return fail(argv[2]);
  double *sec = calloc((size_t)(reps > 0 ? reps : 0) + 1, sizeof *sec), value = 0;
  if (!sec) return fail("out of memory");
  for (int r = 0; r <= reps; r++) {
    wasp_metric_result res;
    if (wasp_metric_eval(ctx, &a, sa, &b, sb, &res)) return fail("solve");
    if (r == 0) value = res.value;
    if (!res.ot.optimal || res.value != value) {
      fprintf(stderr, "wasp_bench_solve: solve %d gave %.17g (optimal %d), the first %.17g\n", r,
              res.value, res.ot.optimal, value);
      return 1;
    }
    sec[r] = res.seconds;
  }
  printf("{\"cold\": %.9f, \"warm\": [", sec[0]);
  for (int r = 1; r <= reps; r++) printf("%s%.9f", r > 1 ? ", " : "", sec[r]);
  printf("], \"value\": %.17g}\n", value);
  free(sec);
  wasp_metric_ctx_destroy(&ctx);
  wasp_measure_destroy(&a);
  wasp_measure_destroy(&b);
  return 0;
}

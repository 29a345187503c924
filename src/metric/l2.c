/* L2: the baseline every transport metric is compared against. */
#include "metric_impl.h"

#include <math.h>

wasp_status wasp_metric_l2(wasp_metric_ctx *ctx, const wasp_measure *a, const wasp_measure *b,
                           wasp_metric_result *res)
{
  if (a->kind != WASP_MEASURE_GRID)
    return wasp_fail(WASP_ERR_INPUT, "-metric l2 compares images pixel by pixel, not point clouds");
  long n = wasp_measure_size(a);
  long double s = 0;
  for (long k = 0; k < n; k++) {
    double d = a->w[k] - b->w[k];
    s += (long double)d * d;
  }
  res->value = sqrt((double)s);
  return WASP_OK;
}

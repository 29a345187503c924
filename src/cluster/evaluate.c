/* Judging a clustering against the simulated truth (wasp evaluate): within-
 * cluster viewing-angle differences and how evenly the clusters fill. */
#include "wasp/wasp_cluster.h"

#include <math.h>
#include <stdlib.h>

double wasp_view_angle_deg(const double u[3], const double v[3])
{
  double d = u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  d = d > 1 ? 1 : d < -1 ? -1 : d; /* rounding can step past +-1 */
  return acos(d) * (180.0 / 3.14159265358979323846);
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int cmp_long_desc(const void *a, const void *b)
{
  long x = *(const long *)a, y = *(const long *)b;
  return (x < y) - (x > y);
}

void wasp_cluster_eval_free(wasp_cluster_eval *ev) { wasp_free(&ev->sizes); }

wasp_status wasp_cluster_evaluate(long n, long k, const long *assignment, const double *view_dirs,
                                  wasp_cluster_eval *ev)
{
  *ev = (wasp_cluster_eval){.n = n, .k = k};
  if (n < 1 || k < 1) return wasp_fail(WASP_ERR_INPUT, "evaluate: %ld images, %ld clusters", n, k);
  long *order = NULL, *start = NULL;
  double *angles = NULL;
  WASP_TRY(wasp_calloc((size_t)k, sizeof(long), &ev->sizes));
  for (long i = 0; i < n; i++) {
    if (assignment[i] < 0 || assignment[i] >= k) {
      wasp_free(&ev->sizes);
      return wasp_fail(WASP_ERR_INPUT, "evaluate: image %ld is assigned to cluster %ld, outside [0, %ld)", i,
                       assignment[i], k);
    }
    ev->sizes[assignment[i]]++;
  }
  for (long j = 0; j < k; j++) ev->pairs += ev->sizes[j] * (ev->sizes[j] - 1) / 2;
  wasp_status s = wasp_malloc(sizeof(long) * (size_t)n, &order);
  if (!s) s = wasp_calloc((size_t)k + 1, sizeof(long), &start);
  if (!s) s = wasp_malloc(sizeof(double) * (size_t)(ev->pairs > 0 ? ev->pairs : 1), &angles);
  if (s) goto done;
  /* Members of each cluster, contiguous (counting sort by cluster). */
  for (long j = 0; j < k; j++) start[j + 1] = start[j] + ev->sizes[j];
  for (long i = 0; i < n; i++) order[start[assignment[i]]++] = i;
  for (long j = k; j > 0; j--) start[j] = start[j - 1];
  start[0] = 0;
  long np = 0, under10 = 0, under20 = 0, anti = 0;
  for (long j = 0; j < k; j++)
    for (long a = start[j]; a < start[j + 1]; a++)
      for (long b = a + 1; b < start[j + 1]; b++) {
        double t = wasp_view_angle_deg(view_dirs + 3 * order[a], view_dirs + 3 * order[b]);
        angles[np++] = t;
        under10 += t < 10.0;
        under20 += t < 20.0;
        anti += t > 160.0;
        int bin = (int)t;
        ev->hist[bin < WASP_EVAL_BINS ? bin : WASP_EVAL_BINS - 1]++;
      }
  if (np > 0) {
    qsort(angles, (size_t)np, sizeof(double), cmp_double);
    /* numpy.median: the mean of the two middle values for an even count. */
    ev->median_angle_deg = np % 2 ? angles[np / 2] : 0.5 * (angles[np / 2 - 1] + angles[np / 2]);
    ev->frac_under_10deg = (double)under10 / (double)np;
    ev->frac_under_20deg = (double)under20 / (double)np;
    ev->antipodal_frac = (double)anti / (double)np;
  } else {
    ev->median_angle_deg = ev->frac_under_10deg = ev->frac_under_20deg = ev->antipodal_frac = NAN;
  }
  /* Evenness: Shannon entropy of the occupancy p_j = size_j / n divided by
   * its maximum ln k (1 = all clusters equal, 0 = one cluster holds all). */
  double H = 0.0;
  for (long j = 0; j < k; j++)
    if (ev->sizes[j] > 0) {
      double p = (double)ev->sizes[j] / (double)n;
      H -= p * log(p);
    }
  ev->occupancy_evenness = k > 1 ? H / log((double)k) : 1.0;
  qsort(ev->sizes, (size_t)k, sizeof(long), cmp_long_desc);
done:
  wasp_free(&order);
  wasp_free(&start);
  wasp_free(&angles);
  if (s) wasp_free(&ev->sizes);
  return s;
}

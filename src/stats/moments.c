/* Running moments: Welford's update keeps the variance accurate when the
 * mean is large next to the spread (distances at tiny sigma). */
#include "wasp/wasp_stats.h"

#include <math.h>

void wasp_moments_init(wasp_moments *m)
{
  m->n = 0;
  m->mean = m->m2 = 0;
  m->min = INFINITY;
  m->max = -INFINITY;
}

void wasp_moments_add(wasp_moments *m, double x)
{
  m->n++;
  const double d = x - m->mean;
  m->mean += d / (double)m->n;
  m->m2 += d * (x - m->mean);
  if (x < m->min) m->min = x;
  if (x > m->max) m->max = x;
}

double wasp_moments_std(const wasp_moments *m)
{
  return m->n < 2 ? 0.0 : sqrt(m->m2 / (double)(m->n - 1));
}

double wasp_moments_sem(const wasp_moments *m)
{
  return m->n < 2 ? 0.0 : wasp_moments_std(m) / sqrt((double)m->n);
}

/* The figures of `wasp noise`: distances versus sigma with the theorem
 * bounds dashed in the same colour, ratios to the clean distance, the dip of
 * the dirac experiment and where the tracked pixel's mass goes. */
#include "noise.h"

#include "wasp/wasp_plot.h"

#include <math.h>
#include <stdio.h>

#define MAX_SERIES (2 + 3 * NOISE_MAX_P)

/* y[is] = arr[(is, ip, im)] for the single pair of non-matrix runs. */
static void column(const noise_report *r, const double *arr, long ip, long im, int bounds,
                   double *y)
{
  for (long is = 0; is < r->ns; is++)
    y[is] = bounds ? arr[(is * r->np + ip) * r->nm + im] : arr[noise_at(r, is, ip, im, 0)];
}

static int any_finite(const double *y, long n)
{
  for (long i = 0; i < n; i++)
    if (isfinite(y[i])) return 1;
  return 0;
}

/* Distances (or ratios) of L2 and every W_p^± versus sigma; bounds dashed. */
static wasp_status plot_metrics(const noise_opts *o, const noise_report *r, const char *suffix,
                                const double *arr, int with_bounds, int logy, const char *ylabel)
{
  static double ys[MAX_SERIES][NOISE_MAX_SIGMA];
  static char titles[MAX_SERIES][64];
  wasp_plot_series se[MAX_SERIES];
  int k = 0;
  /* L2 is the same for every p: one curve. */
  column(r, arr, 0, WASP_SWEEP_L2, 0, ys[k]);
  se[k] = (wasp_plot_series){"L2", ys[k], 1, false}, k++;
  if (with_bounds) {
    column(r, r->upper, 0, WASP_SWEEP_L2, 1, ys[k]);
    if (any_finite(ys[k], r->ns)) se[k] = (wasp_plot_series){"L2 bound (Jensen)", ys[k], 1, true}, k++;
  }
  for (long ip = 0; ip < r->np; ip++) {
    const int color = 2 + (int)ip % 7;
    snprintf(titles[k], sizeof titles[k], "W_{%g}^{±}", o->p[ip]);
    column(r, arr, ip, WASP_SWEEP_WP, 0, ys[k]);
    se[k] = (wasp_plot_series){titles[k], ys[k], color, false}, k++;
    if (!with_bounds) continue;
    snprintf(titles[k], sizeof titles[k], "W_{%g}^{±} upper bound", o->p[ip]);
    column(r, r->upper, ip, WASP_SWEEP_WP, 1, ys[k]);
    if (any_finite(ys[k], r->ns)) se[k] = (wasp_plot_series){titles[k], ys[k], color, true}, k++;
    snprintf(titles[k], sizeof titles[k], "W_{%g}^{±} lower bound", o->p[ip]);
    column(r, r->lower, ip, WASP_SWEEP_WP, 1, ys[k]);
    if (any_finite(ys[k], r->ns)) se[k] = (wasp_plot_series){titles[k], ys[k], color, true}, k++;
  }
  char png[PETSC_MAX_PATH_LEN + 32], title[256];
  snprintf(png, sizeof png, "%s_%s.png", o->plots, suffix);
  snprintf(title, sizeof title, "%s experiment, %s noise, mean of %ld trials", o->experiment_name,
           o->noise_name, r->trials);
  const wasp_plot_axes ax = {title, "noise standard deviation σ per pixel", ylabel, true, logy};
  return wasp_plot_lines(png, &ax, r->ns, o->sigma, k, se);
}

static wasp_status plot_spearman(const noise_opts *o, const noise_report *r)
{
  static double ys[MAX_SERIES][NOISE_MAX_SIGMA];
  static char titles[MAX_SERIES][64];
  wasp_plot_series se[MAX_SERIES];
  int k = 0;
  for (long ip = 0; ip < r->np; ip++)
    for (long im = 0; im < r->nm; im++) {
      if (im != WASP_SWEEP_WP && ip > 0) continue;
      if (im == WASP_SWEEP_L2SQ) continue; /* same ranks as L2 */
      snprintf(titles[k], sizeof titles[k], im == WASP_SWEEP_WP ? "W_{%g}^{±}" : "L2", o->p[ip]);
      column(r, r->spearman, ip, im, 1, ys[k]);
      se[k] = (wasp_plot_series){titles[k], ys[k], 1 + k, false}, k++;
    }
  char png[PETSC_MAX_PATH_LEN + 32];
  snprintf(png, sizeof png, "%s_spearman.png", o->plots);
  const wasp_plot_axes ax = {"matrix experiment: rank agreement of noisy and clean distances",
                             "noise standard deviation σ per pixel",
                             "Spearman correlation with the clean matrix", true, false};
  return wasp_plot_lines(png, &ax, r->ns, o->sigma, k, se);
}

/* Where the tracked pixel's mass goes, at the sigma where W_p^± is smallest
 * (the bottom of the dip for p > 1). */
static wasp_status plot_destinations(const noise_opts *o, const noise_report *r)
{
  for (long ip = 0; ip < r->np; ip++) {
    long best = 0;
    for (long is = 1; is < r->ns; is++)
      if (r->mean[noise_at(r, is, ip, WASP_SWEEP_WP, 0)] <
          r->mean[noise_at(r, best, ip, WASP_SWEEP_WP, 0)])
        best = is;
    char png[PETSC_MAX_PATH_LEN + 48], title[160];
    snprintf(png, sizeof png, "%s_destination_p%g.png", o->plots, o->p[ip]);
    snprintf(title, sizeof title, "where the mass of pixel (%d,%d) goes, W_{%g}^{±}, σ = %.3g",
             (int)o->site[0], (int)o->site[1], o->p[ip], o->sigma[best]);
    WASP_TRY(wasp_plot_image(png, title, (int)r->ny, (int)r->nx,
                             r->dest + (best * r->np + ip) * r->ny * r->nx));
  }
  return WASP_OK;
}

wasp_status noise_write_plots(const noise_opts *o, const noise_report *r)
{
  const char *gnuplot;
  WASP_TRY(wasp_plot_find(&gnuplot));
  if (r->npairs > 1) return plot_spearman(o, r);
  WASP_TRY(plot_metrics(o, r, "distance", r->mean, 1, 1, "mean distance"));
  if (o->experiment != WASP_SWEEP_SELF)
    WASP_TRY(plot_metrics(o, r, "ratio", r->ratio, 0, 1, "noisy / clean distance"));
  if (o->experiment == WASP_SWEEP_DIRAC) {
    WASP_TRY(plot_metrics(o, r, "dip", r->mean, 0, 0, "mean distance (linear scale)"));
    WASP_TRY(plot_destinations(o, r));
  }
  return WASP_OK;
}

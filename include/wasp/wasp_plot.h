/* wasp_plot.h - PNG figures through gnuplot (Debian: gnuplot-nox).
 *
 * The data and a gnuplot script go to temporary files next to the figure;
 * gnuplot renders to a temporary PNG that is renamed on success, so a
 * failed plot never leaves a half-written figure.  gnuplot is found at
 * $WASP_GNUPLOT if set, else /usr/bin/gnuplot.  Serial, not collective:
 * call from one rank. */
#ifndef WASP_PLOT_H
#define WASP_PLOT_H

#include <stdbool.h>
#include "wasp_base.h"

/* Path of the gnuplot executable, or fails with WASP_ERR_IO and a message
 * saying how to install it. */
wasp_status wasp_plot_find(const char **gnuplot);

typedef struct {
  const char *title;  /* legend entry                                       */
  const double *y;    /* n values; NaN values are left out                  */
  int color;          /* colour index (1..8): a bound shares its data's     */
  bool dashed;        /* dashed line without markers (bounds)               */
} wasp_plot_series;

typedef struct {
  const char *title, *xlabel, *ylabel;
  bool logx, logy;
} wasp_plot_axes;

/* Line plot of nseries series over x[0..n). */
wasp_status wasp_plot_lines(const char *png, const wasp_plot_axes *ax, long n, const double *x,
                            int nseries, const wasp_plot_series *series);

/* Heat map of an ny x nx image (row 0 at the top, as the image is shown). */
wasp_status wasp_plot_image(const char *png, const char *title, int ny, int nx, const double *img);

#endif

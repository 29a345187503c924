/* Private to src/ot: the c-transform of the squared grid cost by lower
 * envelopes (price_sep.c), used by the grid pricer when p = 2. */
#ifndef WASP_OT_SEP_H
#define WASP_OT_SEP_H

#include <stdbool.h>
#include "wasp/wasp_base.h"

typedef struct ot_sep ot_sep;

wasp_status ot_sep_create(int ny, int nx, double hy, double hx, bool torus, ot_sep **s);
void ot_sep_destroy(ot_sep **s);
/* For every pixel x of the ny x nx grid: F[x] = min_j |x - y_j|^2 + w[j]
 * (offsets scaled by hy, hx)
 * over the targets j (target_of maps a pixel to its target or -1), with
 * wrapped offsets on the torus; arg[x] = a minimising j (-1 if none). */
void ot_sep_transform(ot_sep *s, const int *target_of, const double *w, double *F, int *arg);
/* Rounding allowance of F for values of this magnitude. */
double ot_sep_margin(double magnitude);

#endif

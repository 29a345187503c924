/* The metric registry: every driver finds a metric here by name.  Adding a
 * metric = one implementation file + one line below. */
#include "metric_impl.h"

#include <stdio.h>
#include <string.h>

static const wasp_metric_entry registry[] = {
  /* name, summary, uses_p, uses_torus, uses_normalize, is_exact_lp, needs_nonnegative, eval */
  {"l2", "Euclidean norm of the pixel difference, not normalised", false, false, false, false,
   false, wasp_metric_l2},
  {"wp", "W_p between the mass-normalised measures (exact LP)", true, true, false, true, true,
   wasp_metric_wp},
  {"signed", "Mainini's signed W_p(a+ + b-, b+ + a-), not divided by the mass (exact LP)", true,
   true, true, true, false, wasp_metric_signed},
  {"flat", "flat metric (bounded-Lipschitz dual): move at d, delete/create at 1 (exact LP)",
   false, true, false, true, true, wasp_metric_flat},
  {"tv", "TV-unbalanced W1: move at min(d, 2 lambda), delete/create at -lambda (exact LP)", false,
   true, false, true, true, wasp_metric_tv},
  {"uot-kl", "entropic unbalanced OT, KL marginals (-epsilon, -tau): <C, pi> by log Sinkhorn",
   true, true, false, false, true, wasp_metric_uot_kl},
  {"sliced", "sliced W_p of the normalised measures over -directions (exact 1-D transport)",
   true, false, false, false, true, wasp_metric_sliced},
};

int wasp_metric_count(void) { return (int)(sizeof registry / sizeof registry[0]); }

const wasp_metric_entry *wasp_metric_at(int i)
{
  return i >= 0 && i < wasp_metric_count() ? &registry[i] : NULL;
}

wasp_status wasp_metric_lookup(const char *name, const wasp_metric_entry **entry)
{
  char known[512] = "";
  for (int i = 0; i < wasp_metric_count(); i++) {
    if (name && strcmp(name, registry[i].name) == 0) {
      *entry = &registry[i];
      return WASP_OK;
    }
    strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
    strncat(known, registry[i].name, sizeof known - strlen(known) - 1);
  }
  *entry = NULL;
  return wasp_fail(WASP_ERR_ARG, "unknown metric '%s' (-metric); known metrics: %s",
                   name ? name : "(null)", known);
}

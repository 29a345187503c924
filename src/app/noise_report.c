/* Rank 0's reduction of the sweep: statistics per (sigma, p, metric, pair)
 * over trials, in item order so the floating sums do not depend on which
 * rank computed what; then the power-law fits and the theorem bounds. */
#include "noise.h"

#include "wasp/wasp_bounds.h"

#include <math.h>
#include <string.h>

const char *const noise_metric_names[WASP_SWEEP_NMETRICS] = {"l2", "l2sq", "signed"};

void noise_report_destroy(noise_report *r)
{
  double **arrays[] = {&r->mean, &r->std, &r->sem, &r->min, &r->max, &r->samples, &r->mass,
                       &r->clean, &r->ratio, &r->lower, &r->upper, &r->expected, &r->spearman,
                       &r->dest};
  for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) wasp_free(arrays[i]);
  wasp_free(&r->fit);
}

static wasp_status alloc_all(noise_report *r, int dirac)
{
  const size_t cell = (size_t)(r->ns * r->np * r->nm * r->npairs);
  double **per_cell[] = {&r->mean, &r->std, &r->sem, &r->min, &r->max, &r->ratio};
  for (size_t i = 0; i < sizeof per_cell / sizeof per_cell[0]; i++)
    WASP_TRY(wasp_calloc(cell, sizeof(double), per_cell[i]));
  WASP_TRY(wasp_calloc(cell * (size_t)r->trials, sizeof(double), &r->samples));
  WASP_TRY(wasp_calloc((size_t)(r->ns * r->np), sizeof(double), &r->mass));
  WASP_TRY(wasp_calloc((size_t)(r->np * r->nm * r->npairs), sizeof(double), &r->clean));
  const size_t sm = (size_t)(r->ns * r->np * r->nm);
  WASP_TRY(wasp_calloc(sm, sizeof(double), &r->lower));
  WASP_TRY(wasp_calloc(sm, sizeof(double), &r->upper));
  WASP_TRY(wasp_calloc(sm, sizeof(double), &r->expected));
  WASP_TRY(wasp_calloc(sm, sizeof(double), &r->spearman));
  WASP_TRY(wasp_calloc((size_t)(r->np * r->nm), sizeof(wasp_fit), &r->fit));
  if (dirac) WASP_TRY(wasp_calloc((size_t)(r->ns * r->np * r->ny * r->nx), sizeof(double), &r->dest));
  return WASP_OK;
}

/* Moments over trials, in trial order, and the raw samples. */
static void reduce_cells(const wasp_sweep_job *job, const double *vals, int nv, noise_report *r)
{
  const long m = r->ny * r->nx;
  for (long is = 0; is < r->ns; is++)
    for (long ip = 0; ip < r->np; ip++) {
      wasp_moments mass;
      wasp_moments_init(&mass);
      for (long im = 0; im < r->nm; im++)
        for (long pr = 0; pr < r->npairs; pr++) {
          wasp_moments mo;
          wasp_moments_init(&mo);
          for (long t = 0; t < r->trials; t++) {
            const double *rec = vals + wasp_sweep_item(job, is, ip, t, pr) * nv;
            wasp_moments_add(&mo, rec[im]);
            r->samples[(((is * r->np + ip) * r->trials + t) * r->nm + im) * r->npairs + pr] = rec[im];
            if (im == 0) wasp_moments_add(&mass, rec[WASP_SWEEP_MASS]);
            if (im == 0 && r->dest)
              for (long k = 0; k < m; k++)
                r->dest[(is * r->np + ip) * m + k] += rec[WASP_SWEEP_NVALS + k] / (double)r->trials;
          }
          const long a = noise_at(r, is, ip, im, pr);
          r->mean[a] = mo.mean;
          r->std[a] = wasp_moments_std(&mo);
          r->sem[a] = wasp_moments_sem(&mo);
          r->min[a] = mo.min;
          r->max[a] = mo.max;
        }
      r->mass[is * r->np + ip] = mass.mean;
    }
  for (long ip = 0; ip < r->np; ip++)
    for (long im = 0; im < r->nm; im++)
      for (long pr = 0; pr < r->npairs; pr++)
        r->clean[(ip * r->nm + im) * r->npairs + pr] =
            vals[wasp_sweep_clean_item(job, ip, pr) * nv + im];
  for (long is = 0; is < r->ns; is++)
    for (long ip = 0; ip < r->np; ip++)
      for (long im = 0; im < r->nm; im++)
        for (long pr = 0; pr < r->npairs; pr++) {
          const double c = r->clean[(ip * r->nm + im) * r->npairs + pr];
          const long a = noise_at(r, is, ip, im, pr);
          r->ratio[a] = c > 0 ? r->mean[a] / c : NAN;
        }
}

/* The theorem bounds beside each mean (wasp_bounds.h for the formulas and
 * their assumptions); NaN where no statement applies. */
static void fill_bounds(const noise_opts *o, const wasp_sweep_job *job, noise_report *r)
{
  const long sm = r->ns * r->np * r->nm;
  for (long k = 0; k < sm; k++) r->lower[k] = r->upper[k] = r->expected[k] = NAN;
  r->bounds_why = "the matrix experiment reports no bounds";
  if (r->npairs != 1) return;
  const wasp_measure *a = &job->images[job->pair_i[0]], *b = &job->images[job->pair_j[0]];
  double mina = INFINITY, minb = INFINITY;
  for (long k = 0; k < r->ny * r->nx; k++) {
    mina = fmin(mina, a->w[k]);
    minb = fmin(minb, b->w[k]);
  }
  const bool self = o->experiment == WASP_SWEEP_SELF, both = !self || o->both_sides;
  const int n = (int)r->nx;
  const long m = r->ny * r->nx;
  const bool thm = wasp_bounds_applicable((int)r->ny, (int)r->nx, o->par.spacing, o->par.torus,
                                          o->noise == WASP_NOISE_ZEROSUM, wasp_measure_mass(a),
                                          mina, wasp_measure_mass(b), minb, &r->bounds_why);
  for (long is = 0; is < r->ns; is++)
    for (long ip = 0; ip < r->np; ip++) {
      const double s = o->sigma[is], p = o->p[ip];
      double *lo = r->lower + (is * r->np + ip) * r->nm, *up = r->upper + (is * r->np + ip) * r->nm,
             *ex = r->expected + (is * r->np + ip) * r->nm;
      /* Squared L2: E||x - y + e1 - e2||^2 = ||x - y||^2 + (sides) m sigma^2
       * for either noise model (pixel variance sigma^2); Jensen turns it
       * into an upper bound on E L2.  No geometry involved. */
      const double c2 = r->clean[(ip * r->nm + WASP_SWEEP_L2SQ) * r->npairs];
      ex[WASP_SWEEP_L2SQ] = c2 + wasp_bound_l2sq_self_expected(m, s, both);
      up[WASP_SWEEP_L2] = sqrt(ex[WASP_SWEEP_L2SQ]);
      if (!thm) continue;
      if (self) {
        if (p == 1.0) lo[WASP_SWEEP_WP] = wasp_bound_w1_self_lower(n, s, both);
        up[WASP_SWEEP_WP] = wasp_bound_wp_self_upper(n, p, s, both);
      } else {
        double u = wasp_bound_wp_pair_upper(n, p, s, r->w1_clean);
        /* p = 1: Theorems 4 and 5 both hold; the smaller is the bound. */
        if (p == 1.0) u = fmin(u, wasp_bound_w1_pair_upper(n, s, r->w1_clean));
        up[WASP_SWEEP_WP] = u;
      }
    }
}

/* Spearman correlation of each noisy mean matrix with the clean one. */
static wasp_status fill_spearman(noise_report *r)
{
  const long sm = r->ns * r->np * r->nm;
  for (long k = 0; k < sm; k++) r->spearman[k] = NAN;
  if (r->npairs < 2) return WASP_OK;
  for (long is = 0; is < r->ns; is++)
    for (long ip = 0; ip < r->np; ip++)
      for (long im = 0; im < r->nm; im++) {
        const double *clean = r->clean + (ip * r->nm + im) * r->npairs;
        const double *noisy = r->mean + noise_at(r, is, ip, im, 0);
        double rho;
        /* A constant clean matrix (identical images) has no order to keep. */
        if (wasp_stats_spearman(r->npairs, clean, noisy, &rho) == WASP_OK)
          r->spearman[(is * r->np + ip) * r->nm + im] = rho;
        wasp_clear_error();
      }
  return WASP_OK;
}

wasp_status noise_report_build(const noise_opts *o, const wasp_sweep_job *job, const double *vals,
                               double w1_clean, noise_report *r)
{
  memset(r, 0, sizeof *r);
  r->ns = o->nsigma;
  r->np = o->np;
  r->nm = WASP_SWEEP_NMETRICS;
  r->npairs = job->npairs;
  r->trials = o->trials;
  r->nimages = job->nimages;
  r->ny = job->images[0].ny;
  r->nx = job->images[0].nx;
  r->w1_clean = w1_clean;
  wasp_status s = alloc_all(r, job->dest_site >= 0);
  if (s) {
    noise_report_destroy(r);
    return s;
  }
  reduce_cells(job, vals, wasp_sweep_nvals(job), r);
  fill_bounds(o, job, r);
  s = fill_spearman(r);
  /* Fits of the mean over trials (and, for matrices, pairs are fitted
   * through their mean over pairs: not done, the matrix is about order). */
  r->have_fit = 0;
  if (!s && r->npairs == 1) {
    double y[NOISE_MAX_SIGMA];
    r->have_fit = 1;
    for (long ip = 0; ip < r->np && !s; ip++)
      for (long im = 0; im < r->nm && !s; im++) {
        for (long is = 0; is < r->ns; is++) y[is] = r->mean[noise_at(r, is, ip, im, 0)];
        wasp_fit *f = &r->fit[ip * r->nm + im];
        if (wasp_stats_loglog_fit(r->ns, o->sigma, y, o->fit_min, o->fit_max, o->confidence, f)) {
          /* Too few positive means in the range (e.g. a clean distance of
           * zero): required only when the user chose the range. */
          if (o->fit_given)
            s = wasp_fail_context(WASP_ERR_ARG, "-fit_min %g -fit_max %g, metric %s p=%g",
                                  o->fit_min, o->fit_max, noise_metric_names[im], o->p[ip]);
          else {
            wasp_clear_error();
            f->npoints = 0;
            f->slope = f->intercept = f->slope_se = f->ci_low = f->ci_high = NAN;
            f->level = o->confidence;
          }
        }
      }
  }
  if (s) noise_report_destroy(r);
  return s;
}

/* The outputs of `wasp noise` on rank 0: the HDF5 file (schema in
 * docs/noise.md), the CSV, the summary table and the -json object. */
#include "noise.h"

#include "wasp/wasp_io.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wasp_status write_datasets(wasp_h5 *f, const noise_opts *o, const noise_report *r)
{
  const long ns = r->ns, np = r->np, nm = r->nm, nq = r->npairs;
  const int mat = nq > 1;
  long d[5] = {ns, np, nm, nq, 0};
  WASP_TRY(wasp_h5_write_double(f, "/sigma", 1, &ns, o->sigma));
  WASP_TRY(wasp_h5_write_double(f, "/p", 1, &np, o->p));
  const char *names[] = {"/stats/mean", "/stats/std", "/stats/sem", "/stats/min", "/stats/max",
                         "/ratio"};
  const double *arrays[] = {r->mean, r->std, r->sem, r->min, r->max, r->ratio};
  for (int i = 0; i < 6; i++) WASP_TRY(wasp_h5_write_double(f, names[i], mat ? 4 : 3, d, arrays[i]));
  const long ds[5] = {ns, np, r->trials, nm, nq};
  WASP_TRY(wasp_h5_write_double(f, "/samples", mat ? 5 : 4, ds, r->samples));
  WASP_TRY(wasp_h5_write_double(f, "/mass_mean", 2, d, r->mass));
  const long dc[3] = {np, nm, nq};
  WASP_TRY(wasp_h5_write_double(f, "/clean", mat ? 3 : 2, dc, r->clean));
  if (!mat) {
    WASP_TRY(wasp_h5_write_double(f, "/bounds/lower", 3, d, r->lower));
    WASP_TRY(wasp_h5_write_double(f, "/bounds/upper", 3, d, r->upper));
    WASP_TRY(wasp_h5_write_double(f, "/bounds/expected", 3, d, r->expected));
    WASP_TRY(wasp_h5_attr_string(f, "/bounds", "not_applicable_because", r->bounds_why));
    WASP_TRY(wasp_h5_attr_double(f, "/bounds", "w1_clean", r->w1_clean));
  }
  if (r->have_fit) {
    double v[5][NOISE_MAX_P * WASP_SWEEP_NMETRICS];
    long npts[NOISE_MAX_P * WASP_SWEEP_NMETRICS];
    for (long k = 0; k < np * nm; k++) {
      const wasp_fit *fi = &r->fit[k];
      v[0][k] = fi->slope, v[1][k] = fi->intercept, v[2][k] = fi->slope_se;
      v[3][k] = fi->ci_low, v[4][k] = fi->ci_high, npts[k] = fi->npoints;
    }
    const char *fn[] = {"/fit/slope", "/fit/intercept", "/fit/slope_se", "/fit/ci_low",
                        "/fit/ci_high"};
    for (int i = 0; i < 5; i++) WASP_TRY(wasp_h5_write_double(f, fn[i], 2, dc, v[i]));
    WASP_TRY(wasp_h5_write_long(f, "/fit/npoints", 2, dc, npts));
    WASP_TRY(wasp_h5_attr_double(f, "/fit", "fit_min", o->fit_min));
    WASP_TRY(wasp_h5_attr_double(f, "/fit", "fit_max", o->fit_max));
    WASP_TRY(wasp_h5_attr_double(f, "/fit", "confidence", o->confidence));
  }
  if (mat) {
    /* Full symmetric matrices from the upper-triangle pair order. */
    const long N = r->nimages, nmat = (ns + 1) * np * nm;
    double *full = NULL;
    WASP_TRY(wasp_calloc((size_t)(nmat * N * N), sizeof *full, &full));
    for (long blk = 0; blk < nmat; blk++) {
      const double *src = blk < np * nm ? r->clean + blk * nq : r->mean + (blk - np * nm) * nq;
      double *M = full + blk * N * N;
      for (long i = 0, k = 0; i < N; i++)
        for (long j = i + 1; j < N; j++, k++) M[i * N + j] = M[j * N + i] = src[k];
    }
    const long dmc[4] = {np, nm, N, N}, dmn[5] = {ns, np, nm, N, N};
    wasp_status s = wasp_h5_write_double(f, "/matrix/clean", 4, dmc, full);
    if (!s) s = wasp_h5_write_double(f, "/matrix/noisy_mean", 5, dmn, full + np * nm * N * N);
    if (!s) s = wasp_h5_write_double(f, "/matrix/spearman", 3, d, r->spearman);
    wasp_free(&full);
    WASP_TRY(s);
  }
  if (r->dest) {
    const long dd[4] = {ns, np, r->ny, r->nx};
    WASP_TRY(wasp_h5_write_double(f, "/dirac/destination", 4, dd, r->dest));
    WASP_TRY(wasp_h5_attr_long(f, "/dirac", "site_row", o->site[0]));
    WASP_TRY(wasp_h5_attr_long(f, "/dirac", "site_col", o->site[1]));
  }
  return WASP_OK;
}

static wasp_status write_attrs(wasp_h5 *f, const noise_opts *o, const noise_report *r,
                               double seconds, int nranks)
{
  WASP_TRY(wasp_h5_attr_string(f, "/", "experiment", o->experiment_name));
  WASP_TRY(wasp_h5_attr_string(f, "/", "noise", o->noise_name));
  WASP_TRY(wasp_h5_attr_string(f, "/", "metrics", "l2,l2sq,signed"));
  WASP_TRY(wasp_h5_attr_string(f, "/", "image", o->image));
  WASP_TRY(wasp_h5_attr_string(f, "/", "image2", o->image2));
  WASP_TRY(wasp_h5_attr_long(f, "/", "nimages", r->nimages));
  WASP_TRY(wasp_h5_attr_long(f, "/", "ny", r->ny));
  WASP_TRY(wasp_h5_attr_long(f, "/", "nx", r->nx));
  WASP_TRY(wasp_h5_attr_long(f, "/", "trials", r->trials));
  WASP_TRY(wasp_h5_attr_long(f, "/", "seed", o->seed));
  WASP_TRY(wasp_h5_attr_long(f, "/", "both_sides", o->both_sides || o->experiment != WASP_SWEEP_SELF));
  WASP_TRY(wasp_h5_attr_long(f, "/", "torus", o->par.torus));
  WASP_TRY(wasp_h5_attr_long(f, "/", "normalize", o->noise == WASP_NOISE_IID));
  WASP_TRY(wasp_h5_attr_double(f, "/", "spacing", o->par.spacing));
  WASP_TRY(wasp_h5_attr_double(f, "/", "tol", o->par.ot.tol));
  WASP_TRY(wasp_h5_attr_string(f, "/", "wasp_version", "0.1.0"));
  /* Run facts: the only content that differs between rank counts. */
  WASP_TRY(wasp_h5_attr_double(f, "/", "wall_seconds", seconds));
  WASP_TRY(wasp_h5_attr_long(f, "/", "nranks", nranks));
  return WASP_OK;
}

wasp_status noise_write_h5(const noise_opts *o, const noise_report *r, double seconds, int nranks)
{
  wasp_h5 *f = NULL;
  WASP_TRY(wasp_h5_create(o->out, &f));
  wasp_status s = write_datasets(f, o, r);
  if (!s) s = write_attrs(f, o, r, seconds, nranks);
  if (s) {
    wasp_h5_abort(&f);
    return wasp_fail_context(s, "-o %s", o->out);
  }
  s = wasp_h5_commit(&f);
  return s ? wasp_fail_context(s, "-o %s", o->out) : WASP_OK;
}

/* A growing text buffer for the CSV (written atomically in one piece). */
typedef struct {
  char *s;
  size_t len, cap;
} text_buf;

static wasp_status appendf(text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static wasp_status appendf(text_buf *b, const char *fmt, ...)
{
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    const int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) return wasp_fail(WASP_ERR_INTERNAL, "formatting the CSV failed");
    if (b->s && b->len + (size_t)n < b->cap) {
      b->len += (size_t)n;
      return WASP_OK;
    }
    const size_t cap = 2 * (b->cap + (size_t)n + 4096);
    char *s = realloc(b->s, cap);
    if (!s) return wasp_fail(WASP_ERR_MEM, "out of memory (%zu bytes of CSV)", cap);
    b->s = s;
    b->cap = cap;
  }
}

wasp_status noise_write_csv(const noise_opts *o, const noise_report *r)
{
  text_buf b = {0};
  wasp_status s = appendf(&b, "experiment,noise,sigma,p,metric,pair,mean,std,sem,min,max,trials,"
                              "clean,ratio,bound_lower,bound_upper,expected\n");
  for (long is = 0; is < r->ns && !s; is++)
    for (long ip = 0; ip < r->np && !s; ip++)
      for (long im = 0; im < r->nm && !s; im++)
        for (long pr = 0; pr < r->npairs && !s; pr++) {
          const long a = noise_at(r, is, ip, im, pr), c = (is * r->np + ip) * r->nm + im;
          s = appendf(&b, "%s,%s,%.17g,%g,%s,%ld,%.17g,%.17g,%.17g,%.17g,%.17g,%ld,%.17g,%.17g,"
                          "%.17g,%.17g,%.17g\n",
                      o->experiment_name, o->noise_name, o->sigma[is], o->p[ip],
                      noise_metric_names[im], pr, r->mean[a], r->std[a], r->sem[a], r->min[a],
                      r->max[a], r->trials, r->clean[(ip * r->nm + im) * r->npairs + pr],
                      r->ratio[a], r->npairs == 1 ? r->lower[c] : NAN,
                      r->npairs == 1 ? r->upper[c] : NAN, r->npairs == 1 ? r->expected[c] : NAN);
        }
  if (!s) s = wasp_io_write_text(o->csv, b.s);
  free(b.s);
  return s ? wasp_fail_context(s, "-csv %s", o->csv) : WASP_OK;
}

void noise_print_table(const noise_opts *o, const noise_report *r, double seconds)
{
  printf("wasp noise: experiment %s, %s noise, %ld trial(s), %ldx%ld%s, %ld sigma x %ld p, %.1f s\n",
         o->experiment_name, o->noise_name, r->trials, r->ny, r->nx, o->par.torus ? " torus" : "",
         r->ns, r->np, seconds);
  if (r->npairs > 1) {
    printf("%10s %4s  %-7s %9s %9s %9s\n", "sigma", "p", "", "l2", "l2sq", "signed");
    for (long is = 0; is < r->ns; is++)
      for (long ip = 0; ip < r->np; ip++) {
        const double *rho = r->spearman + (is * r->np + ip) * r->nm;
        printf("%10.3g %4g  %-7s %9.4f %9.4f %9.4f\n", o->sigma[is], o->p[ip], "spearman", rho[0],
               rho[1], rho[2]);
      }
  } else {
    const int ratio = o->experiment != WASP_SWEEP_SELF;
    printf("%10s %4s %12s %10s %12s %12s %12s%s\n", "sigma", "p", "L2", "L2 sem", "W_p^±",
           "W_p^± sem", "upper bound", ratio ? "  ratio L2 / W_p^±" : "");
    for (long is = 0; is < r->ns; is++)
      for (long ip = 0; ip < r->np; ip++) {
        const long a = noise_at(r, is, ip, WASP_SWEEP_L2, 0), w = noise_at(r, is, ip, WASP_SWEEP_WP, 0);
        printf("%10.3g %4g %12.5g %10.2g %12.5g %12.2g %12.5g", o->sigma[is], o->p[ip], r->mean[a],
               r->sem[a], r->mean[w], r->sem[w], r->upper[(is * r->np + ip) * r->nm + WASP_SWEEP_WP]);
        if (ratio) printf("  %8.4g %8.4g", r->ratio[a], r->ratio[w]);
        printf("\n");
      }
    if (r->bounds_why[0]) printf("theorem bounds not evaluated: %s\n", r->bounds_why);
  }
  if (r->have_fit) {
    printf("log-log slopes over sigma in [%g, %g] (%g%% t-interval):\n", o->fit_min, o->fit_max,
           100 * o->confidence);
    for (long ip = 0; ip < r->np; ip++)
      for (long im = 0; im < r->nm; im++) {
        const wasp_fit *f = &r->fit[ip * r->nm + im];
        if (im != WASP_SWEEP_WP && ip > 0) continue; /* L2 does not depend on p */
        printf("  %-7s p=%-3g slope %7.4f  [%7.4f, %7.4f]  (%ld points)\n", noise_metric_names[im],
               o->p[ip], f->slope, f->ci_low, f->ci_high, f->npoints);
      }
  }
  fflush(stdout);
}

static void json_num(double v) { isfinite(v) ? printf("%.17g", v) : printf("null"); }

static void json_series(const char *key, const noise_report *r, const double *arr, long ip, long im)
{
  printf("\"%s\": [", key);
  for (long is = 0; is < r->ns; is++) {
    if (is) printf(", ");
    json_num(arr[noise_at(r, is, ip, im, 0)]);
  }
  printf("]");
}

void noise_print_json(const noise_opts *o, const noise_report *r)
{
  printf("{\"experiment\": \"%s\", \"noise\": \"%s\", \"trials\": %ld, \"sigma\": [",
         o->experiment_name, o->noise_name, r->trials);
  for (long is = 0; is < r->ns; is++) {
    if (is) printf(", ");
    json_num(o->sigma[is]);
  }
  printf("], \"results\": [");
  for (long ip = 0, first = 1; ip < r->np; ip++)
    for (long im = 0; im < r->nm; im++, first = 0) {
      printf("%s{\"metric\": \"%s\", \"p\": %g", first ? "" : ", ", noise_metric_names[im], o->p[ip]);
      if (r->have_fit) {
        const wasp_fit *f = &r->fit[ip * r->nm + im];
        printf(", \"slope\": ");
        json_num(f->slope);
        printf(", \"slope_ci\": [");
        json_num(f->ci_low);
        printf(", ");
        json_num(f->ci_high);
        printf("]");
      }
      if (r->npairs == 1) {
        printf(", ");
        json_series("mean", r, r->mean, ip, im);
        printf(", ");
        json_series("sem", r, r->sem, ip, im);
        if (o->experiment != WASP_SWEEP_SELF) {
          printf(", \"clean\": ");
          json_num(r->clean[ip * r->nm + im]);
          printf(", ");
          json_series("ratio", r, r->ratio, ip, im);
        }
        printf(", \"upper\": [");
        for (long is = 0; is < r->ns; is++) {
          if (is) printf(", ");
          json_num(r->upper[(is * r->np + ip) * r->nm + im]);
        }
        printf("]");
      } else {
        printf(", \"spearman\": [");
        for (long is = 0; is < r->ns; is++) {
          if (is) printf(", ");
          json_num(r->spearman[(is * r->np + ip) * r->nm + im]);
        }
        printf("]");
      }
      printf("}");
    }
  printf("]}\n");
  fflush(stdout);
}

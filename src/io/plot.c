/* PNG figures by running gnuplot on a generated script: no plotting
 * library to link, and Debian ships gnuplot-nox without X.  Everything goes
 * through temporary names so a failure leaves no partial figure. */
#include "io_impl.h"
#include "wasp/wasp_plot.h"

#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

wasp_status wasp_plot_find(const char **gnuplot)
{
  const char *env = getenv("WASP_GNUPLOT");
  const char *path = env && env[0] ? env : "/usr/bin/gnuplot";
  if (access(path, X_OK) != 0)
    return wasp_fail(WASP_ERR_IO, "gnuplot not found at %s (%s): install it with "
                                  "'apt-get install gnuplot-nox' or set WASP_GNUPLOT",
                     path, strerror(errno));
  *gnuplot = path;
  return WASP_OK;
}

/* Temporary files of one figure, removed whatever happens. */
typedef struct {
  char *data, *script, *png;
} plot_files;

static void files_discard(plot_files *f)
{
  if (f->data) unlink(f->data);
  if (f->script) unlink(f->script);
  if (f->png) unlink(f->png);
  wasp_free(&f->data);
  wasp_free(&f->script);
  wasp_free(&f->png);
}

static wasp_status files_make(const char *png, plot_files *f)
{
  memset(f, 0, sizeof *f);
  const size_t len = strlen(png) + 40;
  wasp_status s = wasp_malloc(len, &f->data);
  if (!s) s = wasp_malloc(len, &f->script);
  if (!s) s = wasp_malloc(len, &f->png);
  if (s) {
    files_discard(f);
    return s;
  }
  snprintf(f->data, len, "%s.dat.tmp.%ld", png, (long)getpid());
  snprintf(f->script, len, "%s.gp.tmp.%ld", png, (long)getpid());
  snprintf(f->png, len, "%s.tmp.%ld", png, (long)getpid());
  return WASP_OK;
}

static wasp_status open_tmp(const char *path, FILE **fp)
{
  *fp = fopen(path, "w");
  if (!*fp) return wasp_fail(WASP_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
  return WASP_OK;
}

static wasp_status close_tmp(FILE *fp, const char *path)
{
  if (fflush(fp) != 0 || ferror(fp)) {
    int e = errno;
    fclose(fp);
    return wasp_fail(WASP_ERR_IO, "cannot write '%s': %s", path, strerror(e));
  }
  if (fclose(fp) != 0) return wasp_fail(WASP_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
  return WASP_OK;
}

/* gnuplot quotes: a title with a double quote or backslash would break
 * the script, so those characters are replaced. */
static void put_quoted(FILE *fp, const char *s)
{
  fputc('"', fp);
  for (; s && *s; s++) fputc(*s == '"' || *s == '\\' ? '\'' : *s, fp);
  fputc('"', fp);
}

/* Run gnuplot on the script, then publish the PNG under its final name. */
static wasp_status render(const char *png, plot_files *f)
{
  const char *gnuplot;
  WASP_TRY(wasp_plot_find(&gnuplot));
  pid_t pid;
  char *argv[] = {(char *)gnuplot, f->script, NULL};
  /* posix_spawn rather than fork: the MPI library may not tolerate a
   * forked copy of its process. */
  int e = posix_spawn(&pid, gnuplot, NULL, NULL, argv, environ);
  if (e != 0) return wasp_fail(WASP_ERR_IO, "cannot run %s: %s", gnuplot, strerror(e));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return wasp_fail(WASP_ERR_IO, "waiting for %s: %s", gnuplot, strerror(errno));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return wasp_fail(WASP_ERR_IO, "%s failed on '%s' (exit status %d) while drawing '%s'", gnuplot,
                     f->script, WIFEXITED(status) ? WEXITSTATUS(status) : -1, png);
  if (rename(f->png, png) != 0)
    return wasp_fail(WASP_ERR_IO, "cannot rename '%s' to '%s': %s", f->png, png, strerror(errno));
  return WASP_OK;
}

static void header(FILE *fp, const char *png_tmp, const char *title, int w, int h)
{
  fprintf(fp, "set terminal pngcairo size %d,%d enhanced font 'sans,11'\nset output ", w, h);
  put_quoted(fp, png_tmp);
  fprintf(fp, "\nset title ");
  put_quoted(fp, title);
  fprintf(fp, "\nset datafile missing 'NaN'\n");
}

static wasp_status write_lines(const plot_files *f, const wasp_plot_axes *ax, long n,
                               const double *x, int ns, const wasp_plot_series *se)
{
  FILE *fp;
  WASP_TRY(open_tmp(f->data, &fp));
  for (long i = 0; i < n; i++) {
    fprintf(fp, "%.17g", x[i]);
    for (int k = 0; k < ns; k++) {
      const double v = se[k].y[i];
      /* a log axis cannot show values <= 0: leave them out like NaN */
      if (!isfinite(v) || (ax->logy && v <= 0)) fprintf(fp, " NaN");
      else fprintf(fp, " %.17g", v);
    }
    fputc('\n', fp);
  }
  WASP_TRY(close_tmp(fp, f->data));
  WASP_TRY(open_tmp(f->script, &fp));
  header(fp, f->png, ax->title, 900, 640);
  fprintf(fp, "set xlabel ");
  put_quoted(fp, ax->xlabel);
  fprintf(fp, "\nset ylabel ");
  put_quoted(fp, ax->ylabel);
  fprintf(fp, "\nset key outside right top\nset grid\n%s%s", ax->logx ? "set logscale x\nset format x '10^{%L}'\n" : "",
          ax->logy ? "set logscale y\nset format y '10^{%L}'\n" : "");
  fprintf(fp, "plot ");
  for (int k = 0; k < ns; k++) {
    fprintf(fp, "%s", k ? ", \\\n     " : "");
    put_quoted(fp, f->data);
    fprintf(fp, " using 1:%d title ", k + 2);
    put_quoted(fp, se[k].title);
    if (se[k].dashed) fprintf(fp, " with lines dt 2 lw 2 lc %d", se[k].color);
    else fprintf(fp, " with linespoints pt 7 ps 1 lw 2 lc %d", se[k].color);
  }
  fprintf(fp, "\n");
  return close_tmp(fp, f->script);
}

wasp_status wasp_plot_lines(const char *png, const wasp_plot_axes *ax, long n, const double *x,
                            int nseries, const wasp_plot_series *series)
{
  const char *gnuplot;
  WASP_TRY(wasp_plot_find(&gnuplot));
  plot_files f;
  WASP_TRY(files_make(png, &f));
  wasp_status s = write_lines(&f, ax, n, x, nseries, series);
  if (!s) s = render(png, &f);
  files_discard(&f);
  return s ? wasp_fail_context(s, "plot '%s'", png) : WASP_OK;
}

static wasp_status write_image(const plot_files *f, const char *title, int ny, int nx,
                               const double *img)
{
  FILE *fp;
  WASP_TRY(open_tmp(f->data, &fp));
  /* gnuplot's "matrix" format: one image row per line */
  for (int i = 0; i < ny; i++) {
    for (int j = 0; j < nx; j++) fprintf(fp, "%s%.9g", j ? " " : "", img[(long)i * nx + j]);
    fputc('\n', fp);
  }
  WASP_TRY(close_tmp(fp, f->data));
  WASP_TRY(open_tmp(f->script, &fp));
  header(fp, f->png, title, 720, 640);
  fprintf(fp, "set size ratio -1\nset xrange [-0.5:%d.5]\nset yrange [%d.5:-0.5]\n"
              "set xlabel 'column j'\nset ylabel 'row i'\nset palette rgbformulae 33,13,10\n"
              "plot ", nx - 1, ny - 1);
  put_quoted(fp, f->data);
  fprintf(fp, " matrix with image notitle\n");
  return close_tmp(fp, f->script);
}

wasp_status wasp_plot_image(const char *png, const char *title, int ny, int nx, const double *img)
{
  const char *gnuplot;
  WASP_TRY(wasp_plot_find(&gnuplot));
  plot_files f;
  WASP_TRY(files_make(png, &f));
  wasp_status s = write_image(&f, title, ny, nx, img);
  if (!s) s = render(png, &f);
  files_discard(&f);
  return s ? wasp_fail_context(s, "plot '%s'", png) : WASP_OK;
}

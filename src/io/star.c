/* RELION 3.1 particle STAR files: an optics table and a particle table, so
 * that a simulated stack can be classified by RELION with its ground truth
 * angles alongside.  Written as one text buffer, then atomically. */
#include "io_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *buf;
  size_t len, cap;
  wasp_status s;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...)
{
  if (t->s) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (k < 0) {
      t->s = wasp_fail(WASP_ERR_INTERNAL, "STAR: formatting failed");
      return;
    }
    if ((size_t)k < t->cap - t->len) {
      t->len += (size_t)k;
      return;
    }
    size_t cap = 2 * t->cap + (size_t)k;
    char *b = realloc(t->buf, cap);
    if (!b) {
      t->s = wasp_fail(WASP_ERR_MEM, "STAR: out of memory (%zu bytes)", cap);
      return;
    }
    t->buf = b;
    t->cap = cap;
  }
}

static int has_space(const char *s)
{
  if (!s || !*s) return 1;
  for (; *s; s++)
    if (isspace((unsigned char)*s)) return 1;
  return 0;
}

wasp_status wasp_star_write(const char *path, const wasp_star_optics *o, const char *stack,
                            long n, const double *euler, const double *origin)
{
  if (!o || !euler || n < 1) return wasp_fail(WASP_ERR_ARG, "STAR %s: no particles", path);
  if (has_space(o->name) || has_space(stack))
    return wasp_fail(WASP_ERR_ARG, "STAR %s: optics group '%s' and stack '%s' must be non-empty "
                     "and contain no white space", path, o->name ? o->name : "", stack ? stack : "");
  if (!(o->pixel_size > 0) || !isfinite(o->pixel_size) || !(o->voltage > 0) || !isfinite(o->cs) ||
      !(o->amplitude_contrast >= 0 && o->amplitude_contrast <= 1) || o->box < 1)
    return wasp_fail(WASP_ERR_ARG, "STAR %s: bad optics (pixel size %g, voltage %g, Cs %g, "
                     "amplitude contrast %g, box %d)", path, o->pixel_size, o->voltage, o->cs,
                     o->amplitude_contrast, o->box);
  text t = {NULL, 0, 0, WASP_OK};
  add(&t, "\n# version 30001\n\ndata_optics\n\nloop_\n_rlnOpticsGroup #1\n_rlnOpticsGroupName #2\n"
          "_rlnImagePixelSize #3\n_rlnVoltage #4\n_rlnSphericalAberration #5\n"
          "_rlnAmplitudeContrast #6\n_rlnImageSize #7\n_rlnImageDimensionality #8\n");
  add(&t, "1 %s %.6f %.3f %.3f %.3f %d 2\n\n\n", o->name, o->pixel_size, o->voltage, o->cs,
      o->amplitude_contrast, o->box);
  add(&t, "# version 30001\n\ndata_particles\n\nloop_\n_rlnImageName #1\n_rlnOpticsGroup #2\n"
          "_rlnAngleRot #3\n_rlnAngleTilt #4\n_rlnAnglePsi #5\n_rlnOriginXAngst #6\n"
          "_rlnOriginYAngst #7\n");
  for (long i = 0; i < n && !t.s; i++)
    add(&t, "%06ld@%s 1 %.6f %.6f %.6f %.6f %.6f\n", i + 1, stack, euler[3 * i], euler[3 * i + 1],
        euler[3 * i + 2], origin ? origin[2 * i] : 0.0, origin ? origin[2 * i + 1] : 0.0);
  add(&t, "\n");
  wasp_status s = t.s ? t.s : wasp_io_write_text(path, t.buf);
  free(t.buf);
  return s;
}

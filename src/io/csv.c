/* DOTmark CSV: one image row per line, values separated by commas, an
 * optional trailing comma; every row the same length.  The image is
 * (number of lines) x (values per line). */
#include "io_impl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

wasp_status wasp_io_csv_check(const char *path)
{
  FILE *fp = fopen(path, "rb");
  if (!fp) return wasp_fail(WASP_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  fclose(fp);
  return WASP_OK;
}

static int blank(const char *s, const char *end)
{
  for (; s < end; s++)
    if (!isspace((unsigned char)*s)) return 0;
  return 1;
}

/* Growable array of values; rows are checked for equal length as they come. */
typedef struct {
  double *v;
  size_t n, cap;
} values;

static wasp_status push(values *a, double x, const char *path)
{
  if (a->n == a->cap) {
    size_t cap = a->cap ? 2 * a->cap : 4096;
    double *v = realloc(a->v, cap * sizeof *v);
    if (!v) return wasp_fail(WASP_ERR_MEM, "out of memory reading '%s'", path);
    a->v = v;
    a->cap = cap;
  }
  a->v[a->n++] = x;
  return WASP_OK;
}

/* Parse the values of one line [s, end) (no newline) and return their count. */
static wasp_status parse_line(const char *path, long line, const char *s, const char *end,
                              values *a, long *count)
{
  while (end > s && isspace((unsigned char)end[-1])) end--;
  if (end > s && end[-1] == ',') end--; /* DOTmark files may end rows with ',' */
  *count = 0;
  for (const char *tok = s;;) {
    const char *comma = memchr(tok, ',', (size_t)(end - tok));
    const char *stop = comma ? comma : end, *b = tok, *e = stop;
    char buf[128], *after;
    while (b < e && isspace((unsigned char)*b)) b++;
    while (e > b && isspace((unsigned char)e[-1])) e--;
    size_t len = (size_t)(e - b);
    if (len == 0)
      return wasp_fail(WASP_ERR_INPUT, "%s line %ld, column %ld: '' is not a number (empty value)",
                       path, line, *count + 1);
    /* strtod needs a NUL-terminated copy; a longer token cannot be a number
     * we would want, and is reported shortened. */
    if (len >= sizeof buf)
      return wasp_fail(WASP_ERR_INPUT, "%s line %ld, column %ld: '%.40s...' is not a number", path,
                       line, *count + 1, b);
    memcpy(buf, b, len);
    buf[len] = '\0';
    double x = strtod(buf, &after); /* also reads nan, inf, infinity */
    if (after == buf || *after != '\0')
      return wasp_fail(WASP_ERR_INPUT, "%s line %ld, column %ld: '%s' is not a number", path, line,
                       *count + 1, buf);
    WASP_TRY(push(a, x, path));
    ++*count;
    if (!comma) break;
    tok = comma + 1;
  }
  return WASP_OK;
}

static wasp_status parse(const char *path, const char *text, size_t len, values *a, long *rows,
                         long *cols)
{
  const char *p = text, *end = text + len;
  long line = 0, blank_line = 0;
  *rows = *cols = 0;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *e = nl ? nl : end;
    line++;
    if (blank(p, e)) {
      if (!blank_line) blank_line = line;
    } else {
      long n;
      /* Blank lines are tolerated at the end only: inside the image they
       * mean a row went missing. */
      if (blank_line)
        return wasp_fail(WASP_ERR_INPUT, "%s line %ld is empty; blank lines may only end the file",
                         path, blank_line);
      WASP_TRY(parse_line(path, line, p, e, a, &n));
      if (*rows == 0) *cols = n;
      else if (n != *cols)
        return wasp_fail(WASP_ERR_INPUT, "%s line %ld has %ld values, line 1 has %ld", path, line,
                         n, *cols);
      ++*rows;
    }
    p = nl ? nl + 1 : end;
  }
  if (*rows == 0) return wasp_fail(WASP_ERR_INPUT, "%s is empty: no values", path);
  return WASP_OK;
}

wasp_status wasp_io_csv_read(const char *path, wasp_measure *m)
{
  char *text;
  size_t len;
  values a = {0};
  long rows, cols;
  wasp_status s;
  memset(m, 0, sizeof *m);
  WASP_TRY(wasp_io_slurp(path, &text, &len));
  s = parse(path, text, len, &a, &rows, &cols);
  if (s == WASP_OK && (rows > INT_MAX || cols > INT_MAX))
    s = wasp_fail(WASP_ERR_INPUT, "%s: image of %ld x %ld values is too large", path, rows, cols);
  if (s == WASP_OK) s = wasp_measure_create_grid((int)rows, (int)cols, m);
  if (s == WASP_OK) memcpy(m->w, a.v, a.n * sizeof(double));
  free(text);
  free(a.v);
  return s;
}

/* "FILE" / "FILE:INDEX" specs and the dispatch to each format's reader.
 * Index and range checks live here once, so every format words its
 * "out of range" and "choose one" messages the same way. */
#include "io_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

io_format wasp_io_format_of(const char *path)
{
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  const char *dot = strrchr(base, '.');
  if (!dot) return IO_FMT_UNKNOWN;
  static const struct { const char *ext; io_format f; } table[] = {
      {".csv", IO_FMT_CSV}, {".h5", IO_FMT_H5},    {".hdf5", IO_FMT_H5}, {".mrc", IO_FMT_MRC},
      {".mrcs", IO_FMT_MRC}, {".map", IO_FMT_MRC}, {".txt", IO_FMT_LIST}, {".lst", IO_FMT_LIST}};
  for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
    if (strcasecmp(dot, table[k].ext) == 0) return table[k].f;
  return IO_FMT_UNKNOWN;
}

static wasp_status unknown_format(const char *path)
{
  const char *slash = strrchr(path, '/');
  const char *dot = strrchr(slash ? slash + 1 : path, '.');
  return wasp_fail(WASP_ERR_ARG,
                   "%s: unknown format (extension '%s'); expected .csv, .h5, .hdf5, .mrc, "
                   ".mrcs, .map, or a list of files .txt/.lst",
                   path, dot ? dot : "");
}

/* Count and the word for what is counted, per format. */
static wasp_status count_noun(const char *path, long *n, const char **noun)
{
  switch (wasp_io_format_of(path)) {
  case IO_FMT_CSV:
    *noun = "image";
    *n = 1;
    return wasp_io_csv_check(path);
  case IO_FMT_H5: return wasp_io_h5_count(path, n, noun);
  case IO_FMT_MRC: *noun = "image"; return wasp_io_mrc_count(path, n);
  case IO_FMT_LIST: *noun = "entry"; return wasp_io_list_count(path, n);
  default: return unknown_format(path);
  }
}

/* "1 image", "5 images", "3 entries": messages read as plain English. */
static const char *plural(long n, const char *noun, char *buf, size_t len)
{
  size_t k = strlen(noun);
  if (n == 1) snprintf(buf, len, "%s", noun);
  else if (k > 0 && noun[k - 1] == 'y') snprintf(buf, len, "%.*sies", (int)(k - 1), noun);
  else snprintf(buf, len, "%ss", noun);
  return buf;
}

static wasp_status read_range_unchecked(const char *path, long first, long count, wasp_measure *ms)
{
  switch (wasp_io_format_of(path)) {
  case IO_FMT_CSV: return wasp_io_csv_read(path, ms);
  case IO_FMT_H5: return wasp_io_h5_read(path, first, count, ms);
  case IO_FMT_MRC: return wasp_io_mrc_read(path, first, count, ms);
  case IO_FMT_LIST: return wasp_io_list_read(path, first, count, ms);
  default: return unknown_format(path);
  }
}

wasp_status wasp_io_count(const char *path, long *count)
{
  const char *noun;
  if (!path || !*path) return wasp_fail(WASP_ERR_ARG, "empty file name");
  return count_noun(path, count, &noun);
}

wasp_status wasp_io_read_range(const char *path, long first, long count, wasp_measure *ms)
{
  long n;
  const char *noun;
  char words[64];
  if (!path || !*path) return wasp_fail(WASP_ERR_ARG, "empty file name");
  WASP_TRY(count_noun(path, &n, &noun));
  if (first < 0 || count < 0 || first > n || count > n - first)
    return wasp_fail(WASP_ERR_ARG, "%s: range [%ld, %ld) out of range, the file holds %ld %s",
                     path, first, first + count, n, plural(n, noun, words, sizeof words));
  if (count == 0) return WASP_OK;
  return read_range_unchecked(path, first, count, ms);
}

static const char *container(const char *path)
{
  switch (wasp_io_format_of(path)) {
  case IO_FMT_LIST: return "list";
  case IO_FMT_CSV: return "file";
  default: return "stack";
  }
}

/* Split "FILE:INDEX": the index follows the last colon and is all digits;
 * anything else is part of the file name. */
static wasp_status parse_spec(const char *spec, char **path, long *index, int *has_index)
{
  const char *colon = strrchr(spec, ':');
  size_t plen = strlen(spec);
  *has_index = 0;
  *index = 0;
  if (colon && colon[1]) {
    const char *p = colon + 1;
    while (isdigit((unsigned char)*p)) p++;
    if (*p == '\0') {
      errno = 0;
      *index = strtol(colon + 1, NULL, 10);
      if (errno == ERANGE)
        return wasp_fail(WASP_ERR_ARG, "%s: index '%s' is too large", spec, colon + 1);
      *has_index = 1;
      plen = (size_t)(colon - spec);
    }
  }
  if (plen == 0) return wasp_fail(WASP_ERR_ARG, "'%s': empty file name", spec);
  WASP_TRY(wasp_malloc(plen + 1, path));
  memcpy(*path, spec, plen);
  (*path)[plen] = '\0';
  return WASP_OK;
}

wasp_status wasp_io_read_measure(const char *spec, wasp_measure *m)
{
  char *path = NULL;
  long index, n;
  int has_index;
  const char *noun;
  char words[64];
  wasp_status s;
  memset(m, 0, sizeof *m);
  if (!spec || !*spec) return wasp_fail(WASP_ERR_ARG, "empty file name");
  WASP_TRY(parse_spec(spec, &path, &index, &has_index));
  s = count_noun(path, &n, &noun);
  if (s == WASP_OK) {
    if (!has_index && n == 0)
      s = wasp_fail(WASP_ERR_INPUT, "%s holds no %s", path, plural(0, noun, words, sizeof words));
    else if (!has_index && n > 1)
      s = wasp_fail(WASP_ERR_ARG, "%s holds %ld %s; choose one with %s:INDEX (0..%ld)", path, n,
                    plural(n, noun, words, sizeof words), path, n - 1);
    else if (index >= n)
      s = wasp_fail(WASP_ERR_ARG, "%s: index %ld out of range, the %s holds %ld %s", spec, index,
                    container(path), n, plural(n, noun, words, sizeof words));
    else
      s = read_range_unchecked(path, index, 1, m);
  }
  free(path);
  return s;
}

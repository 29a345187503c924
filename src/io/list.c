/* .txt/.lst: a list of measure specs ("FILE" or "FILE:INDEX"), one per line;
 * blank lines and lines starting with '#' are ignored.  Relative names are
 * taken relative to the folder of the list, so a list and its files can be
 * moved together. */
#include "io_impl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Lists may name lists; a list naming itself must fail, not recurse forever. */
enum { MAX_DEPTH = 8 };
static _Thread_local int depth;

/* Calls fn(entry, line, arg) for each entry, entry NUL-terminated in place. */
typedef wasp_status (*entry_fn)(const char *entry, long line, long k, void *arg);

static wasp_status each_entry(const char *path, entry_fn fn, void *arg, long *n)
{
  char *text;
  size_t len;
  long line = 0;
  wasp_status s = WASP_OK;
  *n = 0;
  WASP_TRY(wasp_io_slurp(path, &text, &len));
  for (char *p = text; s == WASP_OK && p < text + len;) {
    char *nl = memchr(p, '\n', (size_t)(text + len - p));
    char *e = nl ? nl : text + len;
    line++;
    while (p < e && isspace((unsigned char)*p)) p++;
    while (e > p && isspace((unsigned char)e[-1])) e--;
    *e = '\0';
    if (*p && *p != '#') {
      if (fn) s = fn(p, line, *n, arg);
      ++*n;
    }
    p = nl ? nl + 1 : text + len;
  }
  free(text);
  return s;
}

wasp_status wasp_io_list_count(const char *path, long *n)
{
  return each_entry(path, NULL, NULL, n);
}

typedef struct {
  const char *list;
  long first, count;
  wasp_measure *ms;
} read_job;

static wasp_status read_entry(const char *entry, long line, long k, void *arg)
{
  read_job *job = arg;
  const char *slash = strrchr(job->list, '/');
  size_t dirlen = (entry[0] != '/' && slash) ? (size_t)(slash - job->list) + 1 : 0;
  char *spec;
  wasp_status s;
  if (k < job->first || k >= job->first + job->count) return WASP_OK;
  WASP_TRY(wasp_malloc(dirlen + strlen(entry) + 1, &spec));
  memcpy(spec, job->list, dirlen);
  strcpy(spec + dirlen, entry);
  s = wasp_io_read_measure(spec, &job->ms[k - job->first]);
  free(spec);
  if (s != WASP_OK) return wasp_fail_context(s, "%s line %ld", job->list, line);
  return WASP_OK;
}

wasp_status wasp_io_list_read(const char *path, long first, long count, wasp_measure *ms)
{
  read_job job = {path, first, count, ms};
  long n;
  wasp_status s;
  for (long k = 0; k < count; k++) memset(&ms[k], 0, sizeof ms[k]);
  if (depth >= MAX_DEPTH)
    return wasp_fail(WASP_ERR_INPUT,
                     "%s: lists nested more than %d deep (does a list name itself?)", path,
                     MAX_DEPTH);
  depth++;
  s = each_entry(path, read_entry, &job, &n);
  depth--;
  if (s != WASP_OK)
    for (long k = 0; k < count; k++) wasp_measure_destroy(&ms[k]);
  return s;
}

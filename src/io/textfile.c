/* Whole text files: read for CSV and lists, written atomically. */
#include "io_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

wasp_status wasp_io_slurp(const char *path, char **text, size_t *len)
{
  FILE *fp = fopen(path, "rb");
  size_t cap = 1 << 16, n = 0;
  char *buf = NULL;
  wasp_status s;
  *text = NULL;
  *len = 0;
  if (!fp) return wasp_fail(WASP_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  /* Grow by doubling rather than trusting the size from stat: works on
   * pipes and /proc files too. */
  if ((s = wasp_malloc(cap, &buf)) != WASP_OK) goto fail;
  for (;;) {
    size_t got = fread(buf + n, 1, cap - n - 1, fp);
    n += got;
    if (ferror(fp)) {
      s = wasp_fail(WASP_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
      goto fail;
    }
    if (feof(fp)) break;
    if (n + 1 == cap) {
      char *bigger = realloc(buf, cap * 2);
      if (!bigger) {
        s = wasp_fail(WASP_ERR_MEM, "out of memory reading '%s' (%zu bytes so far)", path, n);
        goto fail;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  fclose(fp);
  buf[n] = '\0';
  *text = buf;
  *len = n;
  return WASP_OK;
fail:
  free(buf);
  fclose(fp);
  return s;
}

wasp_status wasp_io_write_text(const char *path, const char *text)
{
  char *tmp = NULL;
  FILE *fp = NULL;
  wasp_status s;
  if (!path || !*path) return wasp_fail(WASP_ERR_ARG, "empty file name");
  WASP_TRY(wasp_io_tmp_name(path, &tmp));
  s = wasp_io_tmp_open(path, tmp, &fp);
  if (s == WASP_OK) {
    s = wasp_io_fwrite(fp, text, strlen(text), path);
    if (s == WASP_OK)
      s = wasp_io_tmp_commit(fp, tmp, path);
    else
      wasp_io_tmp_discard(fp, tmp);
  }
  free(tmp);
  return s;
}

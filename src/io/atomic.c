/* Temporary file then rename: a reader never sees a half-written file under
 * its final name, and a failed write (full disk, quota) leaves nothing. */
#include "io_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

wasp_status wasp_io_tmp_name(const char *path, char **tmp)
{
  size_t len = strlen(path) + 32;
  WASP_TRY(wasp_malloc(len, tmp));
  snprintf(*tmp, len, "%s.tmp.%ld", path, (long)getpid());
  return WASP_OK;
}

wasp_status wasp_io_tmp_open(const char *path, const char *tmp, FILE **fp)
{
  *fp = fopen(tmp, "wb");
  if (!*fp)
    return wasp_fail(WASP_ERR_IO, "cannot create '%s' (as '%s'): %s", path, tmp, strerror(errno));
  return WASP_OK;
}

wasp_status wasp_io_fwrite(FILE *fp, const void *buf, size_t bytes, const char *path)
{
  if (bytes && fwrite(buf, 1, bytes, fp) != bytes)
    return wasp_fail(WASP_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
  return WASP_OK;
}

wasp_status wasp_io_tmp_commit(FILE *fp, const char *tmp, const char *path)
{
  /* fflush surfaces buffered write errors (ENOSPC, EFBIG); fsync makes the
   * data durable before the rename publishes it, so a crash cannot leave an
   * empty file under the final name. */
  if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0) {
    int e = errno;
    wasp_io_tmp_discard(fp, tmp);
    return wasp_fail(WASP_ERR_IO, "cannot write '%s': %s", path, strerror(e));
  }
  if (fclose(fp) != 0) {
    int e = errno;
    wasp_io_tmp_discard(NULL, tmp);
    return wasp_fail(WASP_ERR_IO, "cannot write '%s': %s", path, strerror(e));
  }
  if (rename(tmp, path) != 0) {
    int e = errno;
    wasp_io_tmp_discard(NULL, tmp);
    return wasp_fail(WASP_ERR_IO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(e));
  }
  return WASP_OK;
}

void wasp_io_tmp_discard(FILE *fp, const char *tmp)
{
  if (fp) fclose(fp);
  if (tmp) unlink(tmp);
}

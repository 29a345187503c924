/* MRC2014 writer: mode 2 (float32), little-endian, written through a
 * temporary name.  Bytes are packed explicitly so the file is the same on
 * any machine. */
#include "io_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void put32(unsigned char *p, uint32_t u)
{
  p[0] = (unsigned char)u;
  p[1] = (unsigned char)(u >> 8);
  p[2] = (unsigned char)(u >> 16);
  p[3] = (unsigned char)(u >> 24);
}

static void puti(unsigned char *hdr, int word, int32_t v)
{
  uint32_t u;
  memcpy(&u, &v, sizeof u);
  put32(hdr + 4 * word, u);
}

static void putf(unsigned char *hdr, int word, float v)
{
  uint32_t u;
  memcpy(&u, &v, sizeof u);
  put32(hdr + 4 * word, u);
}

/* dmin, dmax, dmean and rms deviation from the mean, over finite values
 * (a NaN pixel would otherwise blank every statistic). */
static void stats(const float *d, size_t n, float out[4])
{
  double lo = INFINITY, hi = -INFINITY, sum = 0, sq = 0;
  size_t cnt = 0;
  for (size_t k = 0; k < n; k++)
    if (isfinite(d[k])) {
      lo = d[k] < lo ? d[k] : lo;
      hi = d[k] > hi ? d[k] : hi;
      sum += d[k];
      cnt++;
    }
  double mean = cnt ? sum / (double)cnt : 0;
  for (size_t k = 0; k < n; k++)
    if (isfinite(d[k])) sq += (d[k] - mean) * (d[k] - mean);
  out[0] = cnt ? (float)lo : 0;
  out[1] = cnt ? (float)hi : 0;
  out[2] = (float)mean;
  out[3] = cnt ? (float)sqrt(sq / (double)cnt) : 0;
}

static void header(unsigned char hdr[1024], const char *path, int nz, int ny, int nx,
                   const float *data, double voxel)
{
  float st[4];
  const char *dot = strrchr(path, '.');
  memset(hdr, 0, 1024);
  puti(hdr, 0, nx);
  puti(hdr, 1, ny);
  puti(hdr, 2, nz);
  puti(hdr, 3, 2);                  /* mode: float32 */
  puti(hdr, 7, nx);                 /* mx, my, mz: sampling = size */
  puti(hdr, 8, ny);
  puti(hdr, 9, nz);
  putf(hdr, 10, (float)(nx * voxel)); /* cell in Angstrom */
  putf(hdr, 11, (float)(ny * voxel));
  putf(hdr, 12, (float)(nz * voxel));
  putf(hdr, 13, 90.0f);
  putf(hdr, 14, 90.0f);
  putf(hdr, 15, 90.0f);
  puti(hdr, 16, 1);                 /* mapc, mapr, maps: x fast, then y, z */
  puti(hdr, 17, 2);
  puti(hdr, 18, 3);
  stats(data, (size_t)nx * ny * nz, st);
  putf(hdr, 19, st[0]);
  putf(hdr, 20, st[1]);
  putf(hdr, 21, st[2]);
  /* ispg: 0 = image stack, 1 = volume (MRC2014) */
  puti(hdr, 22, (nz > 1 && !(dot && strcasecmp(dot, ".mrcs") == 0)) ? 1 : 0);
  puti(hdr, 27, 20140);             /* nversion */
  memcpy(hdr + 208, "MAP ", 4);
  hdr[212] = 0x44;                  /* machine stamp: little-endian */
  hdr[213] = 0x44;
  putf(hdr, 54, st[3]);
  puti(hdr, 55, 1);                 /* one label */
  snprintf((char *)hdr + 224, 80, "WASP");
}

wasp_status wasp_mrc_write(const char *path, int nz, int ny, int nx, const float *data,
                           double voxel)
{
  unsigned char hdr[1024], buf[1 << 16];
  char *tmp = NULL;
  FILE *fp;
  wasp_status s;
  if (!path || !*path) return wasp_fail(WASP_ERR_ARG, "empty file name");
  if (nz <= 0 || ny <= 0 || nx <= 0)
    return wasp_fail(WASP_ERR_ARG, "%s: MRC size %d x %d x %d must be positive", path, nz, ny, nx);
  if (!(voxel >= 0) || !isfinite(voxel))
    return wasp_fail(WASP_ERR_ARG, "%s: voxel size %g must be finite and >= 0", path, voxel);
  header(hdr, path, nz, ny, nx, data, voxel);
  WASP_TRY(wasp_io_tmp_name(path, &tmp));
  s = wasp_io_tmp_open(path, tmp, &fp);
  if (s != WASP_OK) {
    free(tmp);
    return s;
  }
  s = wasp_io_fwrite(fp, hdr, sizeof hdr, path);
  size_t n = (size_t)nx * ny * nz, per = sizeof buf / 4;
  for (size_t done = 0; s == WASP_OK && done < n; done += per) {
    size_t chunk = n - done < per ? n - done : per;
    for (size_t k = 0; k < chunk; k++) {
      uint32_t u;
      memcpy(&u, &data[done + k], sizeof u);
      put32(buf + 4 * k, u);
    }
    s = wasp_io_fwrite(fp, buf, 4 * chunk, path);
  }
  if (s == WASP_OK) s = wasp_io_tmp_commit(fp, tmp, path);
  else wasp_io_tmp_discard(fp, tmp);
  free(tmp);
  return s;
}

/* MRC2014 header and values: byte order from the machine stamp, modes
 * 0 (int8), 1 (int16), 2 (float32), 6 (uint16), 12 (float16), all read as
 * float.  Values are decoded byte by byte in the file's order, so the same
 * code serves little- and big-endian files on any machine. */
#include "io_impl.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

static uint32_t get32(const unsigned char *p, int little)
{
  if (!little) return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
  return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t get16(const unsigned char *p, int little)
{
  return little ? (uint16_t)(p[0] | p[1] << 8) : (uint16_t)(p[1] | p[0] << 8);
}

static int32_t geti32(const unsigned char *p, int little)
{
  uint32_t u = get32(p, little);
  int32_t i;
  memcpy(&i, &u, sizeof i);
  return i;
}

static float getf32(const unsigned char *p, int little)
{
  uint32_t u = get32(p, little);
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

float wasp_io_half_to_float(uint16_t h)
{
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  uint32_t bits;
  float f;
  if (exp == 0) {
    /* zero or subnormal: mant * 2^-24, exact in float */
    f = ldexpf((float)mant, -24);
    return sign ? -f : f;
  }
  if (exp == 31) bits = sign | 0x7f800000u | mant << 13; /* inf, nan */
  else bits = sign | (exp + 112) << 23 | mant << 13;     /* rebias 15 -> 127 */
  memcpy(&f, &bits, sizeof f);
  return f;
}

static size_t mode_bytes(int mode)
{
  switch (mode) {
  case 0: return 1;
  case 1: case 6: case 12: return 2;
  case 2: return 4;
  default: return 0;
  }
}

/* Old files may lack the stamp: take the byte order that gives a sane
 * header (positive sizes, a known mode). */
static int plausible(const unsigned char *hdr, int little)
{
  int32_t nx = geti32(hdr, little), ny = geti32(hdr + 4, little), nz = geti32(hdr + 8, little),
          mode = geti32(hdr + 12, little);
  return nx > 0 && ny > 0 && nz > 0 && mode >= 0 && mode <= 16;
}

wasp_status wasp_io_mrc_header(FILE *fp, const char *path, io_mrc_header *h)
{
  unsigned char hdr[1024];
  struct stat st;
  int little;
  const uint16_t one = 1;
  const int host_little = *(const unsigned char *)&one;
  memset(h, 0, sizeof *h);
  if (fstat(fileno(fp), &st) != 0)
    return wasp_fail(WASP_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
  if (st.st_size == 0) return wasp_fail(WASP_ERR_INPUT, "%s is empty", path);
  if (fread(hdr, 1, sizeof hdr, fp) != sizeof hdr)
    return wasp_fail(WASP_ERR_INPUT,
                     "%s is truncated: an MRC header needs 1024 bytes, the file has %lld bytes",
                     path, (long long)st.st_size);
  if (hdr[212] == 0x44 || hdr[212] == 0x41) little = 1;
  else if (hdr[212] == 0x11) little = 0;
  else little = plausible(hdr, 1) || !plausible(hdr, 0);
  h->nx = geti32(hdr, little);
  h->ny = geti32(hdr + 4, little);
  h->nz = geti32(hdr + 8, little);
  h->mode = geti32(hdr + 12, little);
  h->mx = geti32(hdr + 28, little);
  h->cella_x = getf32(hdr + 40, little);
  h->nsymbt = geti32(hdr + 92, little);
  h->swap = little != host_little;
  /* MRC2014 mode 0 is signed, but IMOD wrote unsigned bytes and marks
   * signed ones with bit 0 of imodFlags next to its stamp. */
  h->unsigned8 = geti32(hdr + 152, little) == 1146047817 && !(geti32(hdr + 156, little) & 1);
  h->bytes = mode_bytes(h->mode);
  if (h->nx <= 0 || h->ny <= 0 || h->nz <= 0)
    return wasp_fail(WASP_ERR_INPUT,
                     "%s: MRC header gives size nx=%d ny=%d nz=%d; all must be positive "
                     "(not an MRC file, or corrupt)", path, h->nx, h->ny, h->nz);
  if (h->bytes == 0)
    return wasp_fail(WASP_ERR_INPUT,
                     "%s has MRC mode %d; supported modes are 0 (int8), 1 (int16), 2 (float32), "
                     "6 (uint16) and 12 (float16)", path, h->mode);
  if (h->nsymbt < 0)
    return wasp_fail(WASP_ERR_INPUT, "%s: extended header size (nsymbt) is %ld; must be >= 0",
                     path, h->nsymbt);
  h->offset = 1024 + h->nsymbt;
  /* Sizes are below 2^31 each, so the product fits in 128 bits but not
   * always in 64: compute in double to detect absurd headers first. */
  double need_d = (double)h->offset + (double)h->nx * h->ny * h->nz * (double)h->bytes;
  if (need_d > 9e18)
    return wasp_fail(WASP_ERR_INPUT, "%s: MRC header gives %d x %d x %d values; corrupt header?",
                     path, h->nz, h->ny, h->nx);
  long long need = h->offset + (long long)h->nx * h->ny * h->nz * (long long)h->bytes;
  if ((long long)st.st_size < need)
    return wasp_fail(WASP_ERR_INPUT,
                     "%s is truncated: the header (1024 + %ld bytes) and %d images of %d x %d in "
                     "mode %d need %lld bytes, the file has %lld bytes",
                     path, h->nsymbt, h->nz, h->ny, h->nx, h->mode, need, (long long)st.st_size);
  return WASP_OK;
}

static float decode(const unsigned char *p, int mode, int little, int unsigned8)
{
  switch (mode) {
  case 0: return unsigned8 ? (float)p[0] : (float)(signed char)p[0];
  case 1: { uint16_t u = get16(p, little); int16_t i; memcpy(&i, &u, 2); return (float)i; }
  case 2: return getf32(p, little);
  case 6: return (float)get16(p, little);
  default: return wasp_io_half_to_float(get16(p, little));
  }
}

wasp_status wasp_io_mrc_values(FILE *fp, const char *path, const io_mrc_header *h, long start,
                               size_t n, float *out)
{
  const uint16_t one = 1;
  const int host_little = *(const unsigned char *)&one;
  const int little = h->swap ? !host_little : host_little;
  unsigned char buf[1 << 16];
  const size_t per = sizeof buf / h->bytes;
  if (fseeko(fp, (off_t)h->offset + (off_t)start * (off_t)h->bytes, SEEK_SET) != 0)
    return wasp_fail(WASP_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
  for (size_t done = 0; done < n;) {
    size_t chunk = n - done < per ? n - done : per;
    if (fread(buf, h->bytes, chunk, fp) != chunk)
      return wasp_fail(WASP_ERR_IO, "cannot read '%s': %s", path,
                       ferror(fp) ? strerror(errno) : "unexpected end of file");
    for (size_t k = 0; k < chunk; k++)
      out[done + k] = decode(buf + k * h->bytes, h->mode, little, h->unsigned8);
    done += chunk;
  }
  return WASP_OK;
}

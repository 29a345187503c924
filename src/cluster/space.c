/* Feature spaces of the k-means metrics (see wasp_cluster.h): how an image
 * becomes float blocks whose distance sums can be cut short. */
#include "cluster_impl.h"

#include "wasp/wasp_rotate.h"

#include <math.h>
#include <string.h>

#define MAX_BLOCKS 16
#define L2_BANDS 8

static const char *names[] = {"wemd", "l2", "w1"};

wasp_status wasp_cluster_metric_parse(const char *name, wasp_cluster_metric *metric)
{
  for (int k = 0; k < 3; k++)
    if (name && !strcmp(name, names[k])) {
      *metric = (wasp_cluster_metric)k;
      return WASP_OK;
    }
  return wasp_fail(WASP_ERR_ARG, "-metric %s: k-means metrics are wemd, l2 and w1", name ? name : "(null)");
}

const char *wasp_cluster_metric_name(wasp_cluster_metric metric)
{
  return (unsigned)metric < 3 ? names[metric] : "?";
}

/* Pad to whole 32-float groups: the block loops need no remainder, and in
 * a 64-byte aligned set every block starts a cache line. */
static long pad32(long len) { return (len + 31) / 32 * 32; }

wasp_status wasp_cluster_space_create(wasp_cluster_metric metric, int n, int rotations, int levels,
                                      wasp_cluster_space **spp)
{
  *spp = NULL;
  if (n < 8) return wasp_fail(WASP_ERR_INPUT, "k-means: images must be at least 8 x 8 (got %d x %d)", n, n);
  if (rotations < 1) return wasp_fail(WASP_ERR_ARG, "-rotations %d: must be >= 1", rotations);
  wasp_cluster_space *sp;
  WASP_TRY(wasp_calloc(1, sizeof *sp, &sp));
  sp->metric = metric;
  sp->n = n;
  sp->m = rotations;
  wasp_status s = WASP_OK;
  if (metric == WASP_CLUSTER_WEMD) {
    if (levels < 1 || levels > MAX_BLOCKS) s = wasp_fail(WASP_ERR_ARG, "-levels %d: give 1 to %d", levels, MAX_BLOCKS);
    if (!s) s = wasp_wavelet_create("sym5", n, n, levels, &sp->wav);
    if (!s) s = wasp_malloc(sizeof(double) * (size_t)wasp_wavelet_length(sp->wav), &sp->coeffs);
    sp->nblocks = levels;
    for (int j = 0; !s && j < levels; j++) {
      sp->blen[j] = pad32(wasp_wavelet_offset(sp->wav, j, 3) - wasp_wavelet_offset(sp->wav, j, 0));
      sp->weight[j] = (float)wasp_wemd_weight(levels, j);
    }
  } else if (metric == WASP_CLUSTER_L2) {
    sp->nblocks = L2_BANDS;
    for (int b = 0; b < L2_BANDS; b++)
      sp->blen[b] = pad32((long)((b + 1) * n / L2_BANDS - b * n / L2_BANDS) * n);
  } else if (metric == WASP_CLUSTER_W1) {
    sp->nblocks = 1;
    sp->blen[0] = pad32((long)n * n);
    wasp_metric_params par;
    wasp_metric_params_default(&par);
    par.p = 1.0;
    s = wasp_metric_ctx_create("wp", &par, &sp->w1);
    if (!s) s = wasp_measure_create_grid(n, n, &sp->ma);
    if (!s) s = wasp_measure_create_grid(n, n, &sp->mb);
  } else {
    s = wasp_fail(WASP_ERR_ARG, "k-means: unknown metric %d", (int)metric);
  }
  /* One more block after the distance blocks: their L1 norms, for the wemd bound. */
  sp->blen[sp->nblocks] = pad32(sp->nblocks);
  sp->boff[0] = 0;
  for (int b = 1; b <= sp->nblocks + 1; b++) sp->boff[b] = sp->boff[b - 1] + sp->blen[b - 1];
  if (!s) s = wasp_malloc(sizeof(double) * (size_t)n * n, &sp->rotated);
  if (s) {
    wasp_cluster_space_destroy(&sp);
    return s;
  }
  *spp = sp;
  return WASP_OK;
}

void wasp_cluster_space_destroy(wasp_cluster_space **spp)
{
  if (!spp || !*spp) return;
  wasp_cluster_space *sp = *spp;
  wasp_wavelet_destroy(&sp->wav);
  wasp_metric_ctx_destroy(&sp->w1);
  if (sp->ma.w) wasp_measure_destroy(&sp->ma);
  if (sp->mb.w) wasp_measure_destroy(&sp->mb);
  wasp_free(&sp->coeffs);
  wasp_free(&sp->rotated);
  wasp_free(spp);
}

long wasp_cluster_space_dim(const wasp_cluster_space *sp) { return sp->boff[sp->nblocks + 1]; }
int wasp_cluster_space_rotations(const wasp_cluster_space *sp) { return sp->m; }

int wasp_cluster_space_blocks(const wasp_cluster_space *sp, const long **off, const long **len)
{
  *off = sp->boff;
  *len = sp->blen;
  return sp->nblocks + 1;
}

double wasp_cluster_space_angle(const wasp_cluster_space *sp, int r)
{
  return 2.0 * 3.14159265358979323846 * (double)r / (double)sp->m;
}

bool wasp_cluster_space_prunes(const wasp_cluster_space *sp) { return sp->metric == WASP_CLUSTER_WEMD; }

double wasp_cluster_space_distance(const wasp_cluster_space *sp, double sum)
{
  return sp->metric == WASP_CLUSTER_L2 ? sqrt(sum) : sum;
}

static wasp_status features(wasp_cluster_space *sp, const double *img, float *base, long N, long c);

/* Write src[0..len) into block b of item c, zero padding after it. */
static void put_block(const wasp_cluster_space *sp, int b, const double *src, long len, float scale,
                      float *base, long N, long c)
{
  float *dst = base + sp->boff[b] * N + c * sp->blen[b];
  for (long k = 0; k < len; k++) dst[k] = scale * (float)src[k];
  for (long k = len; k < sp->blen[b]; k++) dst[k] = 0.0f;
}

/* L1 norm of each block as stored, in the norm block: by the reverse
 * triangle inequality a lower bound of the blocks not yet summed, read only
 * by the wemd pruning (assign.c; l2 and w1 evaluate every candidate). */
static void put_norms(const wasp_cluster_space *sp, float *base, long N, long c)
{
  float *nrm = base + sp->boff[sp->nblocks] * N + c * sp->blen[sp->nblocks];
  for (int b = 0; b < sp->nblocks; b++) {
    const float *x = base + sp->boff[b] * N + c * sp->blen[b];
    double v = 0;
    for (long k = 0; k < sp->blen[b]; k++) v += fabs((double)x[k]);
    nrm[b] = (float)v;
  }
  for (long b = sp->nblocks; b < sp->blen[sp->nblocks]; b++) nrm[b] = 0.0f;
}

wasp_status wasp_cluster_space_features(wasp_cluster_space *sp, const double *img, float *base,
                                        long N, long c)
{
  WASP_TRY(features(sp, img, base, N, c));
  put_norms(sp, base, N, c);
  return WASP_OK;
}

static wasp_status features(wasp_cluster_space *sp, const double *img, float *base, long N, long c)
{
  const int n = sp->n;
  if (sp->metric == WASP_CLUSTER_WEMD) {
    WASP_TRY(wasp_wavelet_forward(sp->wav, img, sp->coeffs));
    for (int j = 0; j < sp->nblocks; j++) {
      long o = wasp_wavelet_offset(sp->wav, j, 0), e = wasp_wavelet_offset(sp->wav, j, 3);
      put_block(sp, j, sp->coeffs + o, e - o, sp->weight[j], base, N, c);
    }
  } else if (sp->metric == WASP_CLUSTER_L2) {
    for (int b = 0; b < sp->nblocks; b++) {
      long r0 = (long)b * n / L2_BANDS, r1 = (long)(b + 1) * n / L2_BANDS;
      put_block(sp, b, img + r0 * n, (r1 - r0) * n, 1.0f, base, N, c);
    }
  } else {
    put_block(sp, 0, img, (long)n * n, 1.0f, base, N, c);
  }
  return WASP_OK;
}

wasp_status wasp_cluster_space_rotated(wasp_cluster_space *sp, const double *centroid, int r,
                                       float *base, long N, long c)
{
  const long npix = (long)sp->n * sp->n;
  WASP_TRY(wasp_rotate_image(centroid, sp->n, wasp_cluster_space_angle(sp, r), sp->rotated));
  /* W1 compares measures: the cubic's small undershoot is not mass. */
  if (sp->metric == WASP_CLUSTER_W1)
    for (long p = 0; p < npix; p++) sp->rotated[p] = sp->rotated[p] > 0 ? sp->rotated[p] : 0.0;
  return wasp_cluster_space_features(sp, sp->rotated, base, N, c);
}

wasp_status wasp_cluster_space_rotations_of(wasp_cluster_space *sp, const double *centroid,
                                            float *base, long N, long c0)
{
  for (int r = 0; r < sp->m; r++) WASP_TRY(wasp_cluster_space_rotated(sp, centroid, r, base, N, c0 + r));
  return WASP_OK;
}

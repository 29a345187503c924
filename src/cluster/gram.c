/* The l2 assignment as inner products: ||a - c||^2 = a.a + c.c - 2 a.c.
 *
 * Why not prune l2 like wemd?  Under noise at SNR 1/16 an image's energy is
 * mostly noise spread evenly over every band, so partial sums and norm
 * bounds separate candidates only after almost all bands: the pruned search
 * did nearly the whole work in a slower loop.  All the distances of a
 * candidate batch are instead a dense product (images x candidates), which a
 * register-tiled kernel runs near the core's arithmetic peak.
 *
 * Exactness of the comparison: every inner product a.c (and a.a, c.c) is
 * summed in one fixed order whatever the tiling - per row band, runs of 256
 * values in 8 float lanes (lane l takes k = l mod 8), the lanes added
 * pairwise and the runs in double - so an (image, candidate) pair gives the
 * same bits on 1 or 8 ranks, in the brute force and in any batch.  a.a is
 * summed exactly like a.c, so an image against itself gives 0 exactly. */
#include "cluster_impl.h"

#include <stdlib.h>
#include <string.h>

#define RUN 256      /* float run length (as block_sum in assign.c) */
#define TI 3         /* images per register tile */
#define TC 3         /* candidates per register tile */
#define IBLOCK 12    /* images whose band stays in cache while candidates stream */

/* out[i*ldo + c] += a_i . c_c over len floats for ni <= TI images at stride
 * la and nc <= TC candidates at stride lc.  The full 3 x 3 tile is the hot
 * path; edges run the same lane arithmetic one pair at a time. */
static inline __attribute__((always_inline)) void tile(const float *a, long la, int ni, const float *c, long lc, int nc, long len, double *out, long ldo)
{
  if (ni == TI && nc == TC) {
    for (long k0 = 0; k0 < len; k0 += RUN) {
      const long k1 = k0 + RUN < len ? k0 + RUN : len;
      v8 s00 = {0}, s01 = {0}, s02 = {0}, s10 = {0}, s11 = {0}, s12 = {0}, s20 = {0}, s21 = {0}, s22 = {0};
      for (long k = k0; k < k1; k += 8) {
        const v8 c0 = LOAD8(c + k), c1 = LOAD8(c + lc + k), c2 = LOAD8(c + 2 * lc + k);
        v8 x = LOAD8(a + k);
        s00 += x * c0, s01 += x * c1, s02 += x * c2;
        x = LOAD8(a + la + k);
        s10 += x * c0, s11 += x * c1, s12 += x * c2;
        x = LOAD8(a + 2 * la + k);
        s20 += x * c0, s21 += x * c1, s22 += x * c2;
      }
      out[0] += LANES_SUM(s00), out[1] += LANES_SUM(s01), out[2] += LANES_SUM(s02);
      out[ldo] += LANES_SUM(s10), out[ldo + 1] += LANES_SUM(s11), out[ldo + 2] += LANES_SUM(s12);
      out[2 * ldo] += LANES_SUM(s20), out[2 * ldo + 1] += LANES_SUM(s21), out[2 * ldo + 2] += LANES_SUM(s22);
    }
    return;
  }
  for (int i = 0; i < ni; i++)
    for (int j = 0; j < nc; j++)
      for (long k0 = 0; k0 < len; k0 += RUN) {
        const long k1 = k0 + RUN < len ? k0 + RUN : len;
        v8 s = {0};
        for (long k = k0; k < k1; k += 8) s += LOAD8(a + i * la + k) * LOAD8(c + j * lc + k);
        out[i * ldo + j] += LANES_SUM(s);
      }
}

/* Squared norms of items [0, cnt) of a set of N items (pick: item ids or
 * NULL for 0..cnt-1), by the tile's own arithmetic. */
static void norms(const wasp_cluster_space *sp, const float *base, long N, const long *pick, long cnt, double *nrm)
{
  for (long q = 0; q < cnt; q++) {
    const long i = pick ? pick[q] : q;
    nrm[q] = 0.0;
    for (int b = 0; b < sp->nblocks; b++) {
      const float *x = base + sp->boff[b] * N + i * sp->blen[b];
      tile(x, 0, 1, x, 0, 1, sp->blen[b], &nrm[q], 0);
    }
  }
}

/* dot[q*N + c] = image row(q) . candidate c for q < cnt, where row(q) =
 * rows[q] or first + q. */
__attribute__((target_clones("avx2", "default")))
static void products(const wasp_cluster_space *sp, long nimg, const float *images, const long *rows, long first,
                     long cnt, long N, const float *cands, double *dot)
{
  for (int b = 0; b < sp->nblocks; b++) {
    const long len = sp->blen[b];
    const float *ib = images + sp->boff[b] * nimg, *cb = cands + sp->boff[b] * N;
    for (long q0 = 0; q0 < cnt; q0 += IBLOCK)
      for (long c0 = 0; c0 < N; c0 += TC) {
        const int nc = N - c0 < TC ? (int)(N - c0) : TC;
        for (long q = q0; q < cnt && q < q0 + IBLOCK; q += TI) {
          const int ni = (int)(cnt - q < TI ? cnt - q : TI);
          if (rows) /* a few images searched again: not evenly spaced */
            for (int t = 0; t < ni; t++) tile(ib + rows[q + t] * len, 0, 1, cb + c0 * len, len, nc, len, dot + (q + t) * N + c0, N);
          else
            tile(ib + (first + q) * len, len, ni, cb + c0 * len, len, nc, len, dot + q * N + c0, N);
        }
      }
  }
}

wasp_status wasp_cluster_l2_assign(const wasp_cluster_space *sp, long nimg, const float *images, const long *subset,
                                   long nsub, long j0, long nc, const float *cands, wasp_cluster_best *best,
                                   long *evaluated)
{
  const long N = nc * sp->m;
  /* Images in chunks: the products of one chunk take about 8 MB. */
  long chunk = (1L << 20) / (N > 0 ? N : 1) / IBLOCK * IBLOCK;
  if (chunk < IBLOCK) chunk = IBLOCK;
  if (chunk > nsub) chunk = nsub;
  double *dot = NULL, *ni = NULL, *ncn = NULL;
  WASP_TRY(wasp_malloc(sizeof(double) * ((size_t)chunk * (size_t)N + 1), &dot));
  wasp_status s = wasp_malloc(sizeof(double) * (size_t)(nsub + 1), &ni);
  if (!s) s = wasp_malloc(sizeof(double) * (size_t)(N + 1), &ncn);
  if (!s) {
    norms(sp, images, nimg, subset, nsub, ni);
    norms(sp, cands, N, NULL, N, ncn);
    for (long q0 = 0; q0 < nsub; q0 += chunk) {
      const long cnt = nsub - q0 < chunk ? nsub - q0 : chunk;
      memset(dot, 0, sizeof(double) * (size_t)cnt * (size_t)N);
      products(sp, nimg, images, subset ? subset + q0 : NULL, q0, cnt, N, cands, dot);
      for (long q = 0; q < cnt; q++) {
        wasp_cluster_best *bi = &best[subset ? subset[q0 + q] : q0 + q];
        const double *d = dot + q * N;
        for (long c = 0; c < N; c++) {
          double sum = ni[q0 + q] + ncn[c] - 2.0 * d[c];
          if (sum < 0) sum = 0; /* rounding of a near-identical pair */
          wasp_cluster_consider(bi, sum, j0 + c / sp->m, (int)(c % sp->m));
        }
      }
    }
    *evaluated += nsub * N;
  }
  wasp_free(&dot);
  wasp_free(&ni);
  wasp_free(&ncn);
  return s;
}

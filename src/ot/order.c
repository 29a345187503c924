/* Site order for memory locality.
 *
 * The tree updates of the network simplex walk the preorder thread, whose
 * consecutive nodes are sites joined by transport: mostly near each other on
 * the grid.  Numbering the sites along a Z-order (Morton) curve puts nearby
 * pixels in nearby memory, so those walks stay in fewer cache lines; row-major
 * order separates vertical neighbours by a whole row.  The order changes no
 * result: the solver maps plans and potentials back. */
#include "ot_tree.h"

#include <stdlib.h>

typedef struct {
  uint64_t key;
  long idx;
} keyed;

static int by_key(const void *x, const void *y)
{
  const keyed *p = x, *q = y;
  if (p->key != q->key) return p->key < q->key ? -1 : 1;
  return p->idx < q->idx ? -1 : p->idx > q->idx;
}

/* Interleave the bits of y and x (y in the odd positions). */
static uint64_t morton(uint32_t y, uint32_t x)
{
  uint64_t m = 0;
  for (int b = 0; b < 32; b++)
    m |= ((uint64_t)(x >> b & 1) << (2 * b)) | ((uint64_t)(y >> b & 1) << (2 * b + 1));
  return m;
}

wasp_status ot_locality_order(long n, const long *sites, int nx, long *perm)
{
  keyed *k = NULL;
  WASP_TRY(wasp_malloc(sizeof(keyed) * (size_t)(n > 0 ? n : 1), &k));
  for (long i = 0; i < n; i++) {
    k[i].key = morton((uint32_t)(sites[i] / nx), (uint32_t)(sites[i] % nx));
    k[i].idx = i;
  }
  qsort(k, (size_t)n, sizeof *k, by_key);
  for (long i = 0; i < n; i++) perm[i] = k[i].idx;
  wasp_free(&k);
  return WASP_OK;
}

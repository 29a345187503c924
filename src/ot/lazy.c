/* Lazy potential shifts for the network simplex on large levels.
 *
 * A pivot moves the potentials of a whole subtree by one constant, and
 * subtrees grow like N^0.8 on image problems: at 512 x 512, node by node,
 * that shift is two thirds of the solve.  Here the preorder thread is cut
 * into runs ("blocks") of at most ot->bmax nodes, each with one pending
 * offset: the potential of v is pi[v] + tag[blk[v]].  A subtree is one
 * segment of the thread, so once its two ends are block boundaries the
 * shift touches one offset per block, walking the blocks in thread order
 * (bnext).  The tree update relinks the thread only at a few nodes;
 * splitting the blocks there first keeps every block a contiguous run, and
 * merging small neighbours afterwards keeps blocks from fragmenting.
 *
 * Nodes carry keys, consecutive along the thread within a block, so a
 * split knows its two sides' sizes at once and relabels the smaller; a
 * merge relabels the smaller block.  Both cost at most bmax/2 node visits; recompute_potentials (simplex.c) folds the offsets back into
 * pi and rebuilds the blocks. */
#include "ot_tree.h"

/* The block arrays, sized like the node arrays; most solves never turn
 * lazy, so they are allocated on the first level that does.  cap_lazy is
 * either 0 or cap_nodes: free_arrays (simplex.c) frees these arrays and
 * zeroes it whenever the node arrays are reallocated. */
wasp_status ot_lazy_reserve(wasp_ot *ot)
{
  if (ot->cap_lazy >= ot->cap_nodes) return WASP_OK;
  void **arrays[] = {(void **)&ot->blk,   (void **)&ot->bhead, (void **)&ot->btail,
                     (void **)&ot->bsize, (void **)&ot->bfree, (void **)&ot->tag,
                     (void **)&ot->bnext, (void **)&ot->bprev, (void **)&ot->key};
  const size_t sizes[] = {sizeof(int), sizeof(int), sizeof(int), sizeof(int),  sizeof(int),
                          sizeof(double), sizeof(int), sizeof(int), sizeof(long)};
  for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) {
    wasp_free(arrays[k]);
    if (wasp_malloc((size_t)ot->cap_nodes * sizes[k], arrays[k]))
      return wasp_fail(WASP_ERR_MEM, "out of memory for the lazy shift blocks of %ld nodes",
                       ot->cap_nodes);
  }
  ot->cap_lazy = ot->cap_nodes;
  return WASP_OK;
}

/* Blocks of ot->bmax nodes along the thread from the root, offsets 0. */
void ot_lazy_build(wasp_ot *ot)
{
  const int root = ot->nodes - 1;
  int b = -1, v = root;
  long k = 0;
  do {
    if (b < 0 || ot->bsize[b] == ot->bmax) {
      if (b >= 0) ot->btail[b] = ot->rev_thread[v];
      b++;
      ot->bhead[b] = v;
      ot->bsize[b] = 0;
      ot->tag[b] = 0.0;
    }
    ot->blk[v] = b;
    ot->key[v] = k++;
    ot->bsize[b]++;
    v = ot->thread[v];
  } while (v != root);
  ot->btail[b] = ot->rev_thread[root];
  for (int c = 0; c <= b; c++) {
    ot->bnext[c] = c < b ? c + 1 : 0;
    ot->bprev[c] = c > 0 ? c - 1 : b;
  }
  ot->nfree = 0;
  for (int f = ot->nodes - 1; f > b; f--) ot->bfree[ot->nfree++] = f;
}

/* Order: block a, then block b. */
static inline void chain(wasp_ot *ot, int a, int b)
{
  ot->bnext[a] = b;
  ot->bprev[b] = a;
}

/* Give the run first .. last (the head or the tail of block b, n nodes)
 * its own block, with b's offset so no potential changes. */
static void detach(wasp_ot *ot, int b, int first, int last, int n)
{
  const int nb = ot->bfree[--ot->nfree];
  ot->tag[nb] = ot->tag[b];
  ot->bhead[nb] = first;
  ot->btail[nb] = last;
  ot->bsize[nb] = n;
  ot->bsize[b] -= n;
  if (ot->bhead[b] == first) {
    ot->bhead[b] = ot->thread[last];
    chain(ot, ot->bprev[b], nb);
    chain(ot, nb, b);
  } else {
    ot->btail[b] = ot->rev_thread[first];
    chain(ot, nb, ot->bnext[b]);
    chain(ot, b, nb);
  }
  for (int v = first;; v = ot->thread[v]) {
    ot->blk[v] = nb;
    if (v == last) break;
  }
  ot->shifted += n;
}

void ot_lazy_split_after(wasp_ot *ot, int x)
{
  const int b = ot->blk[x];
  if (ot->btail[b] == x) return;
  const int head = ot->bhead[b];
  const int left = (int)(ot->key[x] - ot->key[head]) + 1, right = ot->bsize[b] - left;
  if (left <= right) detach(ot, b, head, x, left);
  else detach(ot, b, ot->thread[x], ot->btail[b], right);
}

void ot_lazy_relink(wasp_ot *ot, int x) { chain(ot, ot->blk[x], ot->blk[ot->thread[x]]); }

void ot_lazy_join_after(wasp_ot *ot, int x)
{
  const int a = ot->blk[x], b = ot->blk[ot->thread[x]];
  if (a == b || ot->bsize[a] + ot->bsize[b] > ot->bmax) return;
  /* Fold the smaller block into the larger, moving its offset into pi. */
  const int keep = ot->bsize[a] >= ot->bsize[b] ? a : b, gone = keep == a ? b : a;
  const double d = ot->tag[gone] - ot->tag[keep];
  long k = keep == a ? ot->key[ot->btail[a]] + 1 : ot->key[ot->bhead[b]] - ot->bsize[a];
  for (int v = ot->bhead[gone];; v = ot->thread[v]) {
    ot->pi[v] += d;
    ot->blk[v] = keep;
    ot->key[v] = k++;
    if (v == ot->btail[gone]) break;
  }
  ot->shifted += ot->bsize[gone];
  if (keep == a) {
    ot->btail[a] = ot->btail[b];
    chain(ot, a, ot->bnext[b]);
  } else {
    ot->bhead[b] = ot->bhead[a];
    chain(ot, ot->bprev[a], b);
  }
  ot->bsize[keep] += ot->bsize[gone];
  ot->bfree[ot->nfree++] = gone;
}

void ot_lazy_shift(wasp_ot *ot, int first, int last, double shift)
{
  for (int b = ot->blk[first];; b = ot->bnext[b]) {
    ot->tag[b] += shift;
    ot->shifted++;
    if (ot->btail[b] == last) return;
  }
}

/* A starting basis from a forest of real arcs (the multiscale warm start).
 *
 * The flows of a spanning tree are fixed by the supplies (an arc carries the
 * net supply of the subtree below it), so the forest only proposes a shape.
 * Each component is hung from the artificial root; walking children before
 * parents, an arc whose subtree would need a non-positive flow (against its
 * direction, or zero) is cut and that subtree hung from the root instead by
 * an artificial arc, pointing away from the root when its flow is zero.
 * Every zero-flow arc then points away from the root: the basis is strongly
 * feasible, as the big-M start is, and the pivot rule keeps it so. */
#include "ot_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UP 1
#define DOWN (-1)

/* Preorder thread, subtree sizes and last successors from parent pointers,
 * then potentials, parents before children. */
static wasp_status rebuild(wasp_ot *ot)
{
  const int nodes = ot->nodes, root = nodes - 1;
  int *first = NULL, *next = NULL, *stack = NULL;
  wasp_status s = wasp_malloc(sizeof(int) * (size_t)nodes, &first);
  if (!s) s = wasp_malloc(sizeof(int) * (size_t)nodes, &next);
  if (!s) s = wasp_malloc(sizeof(int) * (size_t)nodes, &stack);
  if (!s) {
    for (int v = 0; v < nodes; v++) first[v] = -1;
    for (int v = nodes - 2; v >= 0; v--) {
      next[v] = first[ot->parent[v]];
      first[ot->parent[v]] = v;
    }
    /* Iterative preorder: prev is the last node placed on the thread. */
    int top = 0, prev = root;
    stack[top++] = root;
    while (top) {
      const int v = stack[--top];
      if (v != root) {
        ot->thread[prev] = v;
        ot->rev_thread[v] = prev;
        prev = v;
      }
      for (int c = first[v]; c >= 0; c = next[c]) stack[top++] = c;
    }
    ot->thread[prev] = root;
    ot->rev_thread[root] = prev;
    ot_compact_sync(ot);
    /* Sizes and last successors, children before parents (reverse preorder). */
    for (int v = 0; v < nodes; v++) {
      ot->succ_num[v] = 1;
      ot->last_succ[v] = v;
    }
    for (int v = prev; v != root; v = ot->rev_thread[v]) {
      const int p = ot->parent[v];
      ot->succ_num[p] += ot->succ_num[v];
      /* The first child met is the last in preorder, its subtree complete. */
      if (ot->last_succ[p] == p) ot->last_succ[p] = ot->last_succ[v];
    }
    ot->pi[root] = 0.0;
    for (int v = ot->thread[root]; v != root; v = ot->thread[v])
      ot->pi[v] = ot->pi[ot->parent[v]] + (ot->dir[v] == UP ? ot->pred_cost[v] : -ot->pred_cost[v]);
  }
  wasp_free(&first);
  wasp_free(&next);
  wasp_free(&stack);
  return s;
}

/* Hang v from the root by its artificial arc carrying its subtree's net. */
static void hang_artificial(wasp_ot *ot, int v, int64_t net)
{
  ot->parent[v] = ot->nodes - 1;
  ot->pred_arc[v] = -1 - (long)v;
  ot->pred_cost[v] = ot->big_m;
  ot->dir[v] = net > 0 ? UP : DOWN;
  ot->flow[v] = net > 0 ? net : -net;
}

wasp_status ot_tree_from_forest(wasp_ot *ot, long ne, const int *ei, const int *ej)
{
  const int n = ot->nodes - 1;
  const long ns = ot->ns, nt = ot->nt;
  int *deg = NULL, *adj = NULL, *order = NULL, *bpar = NULL;
  int64_t *net = NULL;
  wasp_status s = wasp_calloc((size_t)n + 1, sizeof(int), &deg);
  if (!s) s = wasp_malloc(sizeof(int) * (size_t)(2 * ne + 1), &adj);
  if (!s) s = wasp_malloc(sizeof(int) * (size_t)n, &order);
  if (!s) s = wasp_malloc(sizeof(int) * (size_t)n, &bpar);
  if (!s) s = wasp_malloc(sizeof(int64_t) * (size_t)n, &net);
  if (!s) {
    /* Adjacency of the forest (CSR; deg[v] ends as the start of v's list). */
    for (long e = 0; e < ne; e++) deg[ei[e]]++, deg[ns + ej[e]]++;
    for (int v = 0, acc = 0; v <= n; v++) {
      const int d = v < n ? deg[v] : 0;
      deg[v] = acc;
      acc += d;
    }
    for (long e = 0; e < ne; e++) {
      adj[deg[ei[e]]++] = (int)(ns + ej[e]);
      adj[deg[ns + ej[e]]++] = ei[e];
    }
    for (int v = n; v > 0; v--) deg[v] = deg[v - 1];
    deg[0] = 0;
    /* Breadth-first order of every component from its first node. */
    int head = 0, tail = 0;
    for (int v = 0; v < n; v++) bpar[v] = -2;
    for (int r = 0; r < n; r++) {
      if (bpar[r] != -2) continue;
      bpar[r] = -1;
      order[tail++] = r;
      while (head < tail) {
        const int v = order[head++];
        for (int k = deg[v]; k < deg[v + 1]; k++)
          if (bpar[adj[k]] == -2) {
            bpar[adj[k]] = v;
            order[tail++] = adj[k];
          }
      }
    }
    /* Children before parents: keep an arc only if it carries positive flow
     * in its own direction. */
    for (int v = 0; v < n; v++) net[v] = ot->supply[v];
    for (int q = n - 1; q >= 0; q--) {
      const int v = order[q], p = bpar[v];
      const int64_t f = v < ns ? net[v] : -net[v]; /* source: v -> p; sink: p -> v */
      if (p < 0 || f <= 0) {
        hang_artificial(ot, v, net[v]);
        continue;
      }
      const long i = v < ns ? v : p, j = (v < ns ? p : v) - ns;
      ot->parent[v] = p;
      ot->pred_arc[v] = i * nt + j;
      ot->pred_cost[v] = wasp_cost_eval(ot->cost, ot->src[i], ot->dst[j]);
      ot->dir[v] = v < ns ? UP : DOWN;
      ot->flow[v] = f;
      net[p] += net[v];
    }
    s = rebuild(ot);
    ot->warm = !s;
    if (getenv("WASP_OT_DEBUG")) {
      long cut = 0;
      int64_t art = 0, tot = 0;
      for (int v = 0; v < n; v++) {
        if (ot->pred_arc[v] < 0) cut++, art += ot->flow[v];
        if (ot->supply[v] > 0) tot += ot->supply[v];
      }
      fprintf(stderr, "warm start: %ld forest arcs, %ld nodes on the root, artificial flow %.3g of the mass\n", ne, cut,
              (double)art / (double)tot);
    }
  }
  wasp_free(&deg);
  wasp_free(&adj);
  wasp_free(&order);
  wasp_free(&bpar);
  wasp_free(&net);
  return s;
}

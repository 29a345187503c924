// The 3-partite W2 formulation (Auricchio et al., NeurIPS 2018) solved by
// LEMON's network simplex: a peer for bench/solver.py, so the issue's "use
// the separable p = 2 structure where it is faster" is decided by a
// measurement on this machine, not by published times.
//
// The squared Euclidean cost of an n x n grid splits into a row term and a
// column term, so mass can move along its row first and along its column
// second: sources A(i, j) -> B(i, v) at cost (j - v)^2, then
// B(i, v) -> sinks C(w, v) at cost (i - w)^2, in units of 1/n^2 (the same
// geometry as WASP's and POT's: pixel (i, j) at (i/n, j/n)).  On the torus
// each 1-D term is the wrapped distance.  2 n^3 arcs instead of n^4, and the
// optimum is the same.  (C++ only because LEMON is a template library; not
// part of WASP.)
//
//   wasp_bench_tripartite FILE.bin
//
// FILE.bin (written by solver.py): int32 n, int32 torus, then the n*n source
// masses and the n*n target masses as float64, row-major, equal totals.
// Prints {"seconds", "build_seconds", "value"} (value = W2) as JSON.
#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

using Graph = lemon::SmartDigraph;
using Simplex = lemon::NetworkSimplex<Graph, int64_t, double>;

static double now()
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Masses scaled to integers with equal totals (as WASP does): the simplex
// is then exact in its flows and ties.
static void scale(const std::vector<double> &a, const std::vector<double> &b, std::vector<int64_t> &sa,
                  std::vector<int64_t> &sb, double &unit)
{
  double total = 0;
  for (double x : a) total += x;
  unit = std::ldexp(1.0, 50 - std::ilogb(total));
  int64_t ta = 0, tb = 0;
  size_t jmax = 0;
  for (size_t k = 0; k < a.size(); k++) ta += sa[k] = std::llround(a[k] * unit);
  for (size_t k = 0; k < b.size(); k++) {
    tb += sb[k] = std::llround(b[k] * unit);
    if (sb[k] > sb[jmax]) jmax = k;
  }
  sb[jmax] += ta - tb;
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    std::fprintf(stderr, "usage: wasp_bench_tripartite FILE.bin\n");
    return 2;
  }
  FILE *f = std::fopen(argv[1], "rb");
  int32_t head[2];
  if (!f || std::fread(head, sizeof head, 1, f) != 1 || head[0] < 1 || head[0] > 4096) {
    std::fprintf(stderr, "wasp_bench_tripartite: %s: cannot read the header\n", argv[1]);
    return 1;
  }
  const int n = head[0];
  const bool torus = head[1] != 0;
  const size_t N = (size_t)n * n;
  std::vector<double> a(N), b(N);
  if (std::fread(a.data(), sizeof(double), N, f) != N || std::fread(b.data(), sizeof(double), N, f) != N) {
    std::fprintf(stderr, "wasp_bench_tripartite: %s: short file for n = %d\n", argv[1], n);
    return 1;
  }
  std::fclose(f);
  std::vector<int64_t> sa(N), sb(N);
  double unit;
  scale(a, b, sa, sb, unit);

  const double t0 = now();
  std::vector<double> d2(n); // 1-D squared distance by offset, in 1/n^2 units
  for (int d = 0; d < n; d++) {
    const int e = torus && n - d < d ? n - d : d;
    d2[d] = (double)e * e / ((double)n * n);
  }
  Graph g;
  g.reserveNode((int)(3 * N));
  g.reserveArc((int)(2 * N * n));
  std::vector<Graph::Node> A(N), B(N), C(N);
  for (size_t k = 0; k < N; k++) A[k] = g.addNode();
  for (size_t k = 0; k < N; k++) B[k] = g.addNode();
  for (size_t k = 0; k < N; k++) C[k] = g.addNode();
  Graph::ArcMap<double> cost(g);
  Graph::NodeMap<int64_t> supply(g, 0);
  for (size_t k = 0; k < N; k++) supply[A[k]] = sa[k], supply[C[k]] = -sb[k];
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      for (int v = 0; v < n; v++) { // along row i: A(i, j) -> B(i, v)
        Graph::Arc e = g.addArc(A[(size_t)i * n + j], B[(size_t)i * n + v]);
        cost[e] = d2[std::abs(j - v)];
      }
  for (int v = 0; v < n; v++)
    for (int i = 0; i < n; i++)
      for (int w = 0; w < n; w++) { // along column v: B(i, v) -> C(w, v)
        Graph::Arc e = g.addArc(B[(size_t)i * n + v], C[(size_t)w * n + v]);
        cost[e] = d2[std::abs(i - w)];
      }
  Simplex ns(g);
  ns.costMap(cost).supplyMap(supply);
  const double t1 = now();
  const Simplex::ProblemType r = ns.run(); // block search, LEMON's default
  const double t2 = now();
  if (r != Simplex::OPTIMAL) {
    std::fprintf(stderr, "wasp_bench_tripartite: LEMON did not reach an optimum (%d)\n", (int)r);
    return 1;
  }
  const double value = std::sqrt(ns.totalCost<double>() / unit);
  std::printf("{\"seconds\": %.9f, \"build_seconds\": %.9f, \"value\": %.17g}\n", t2 - t0, t1 - t0, value);
  return 0;
}

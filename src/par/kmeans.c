/* The k-means driver (see wasp_kmeans.h): seeding, iterations, exact
 * reductions, checkpoints.  Kernels come from src/cluster. */
#include "kmeans_impl.h"

#include "wasp/wasp_queue.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KMEANS_EXPERIMENT 0x4b4du /* RNG experiment id of k-means ("KM") */
#define BATCH_MIN 4               /* centroids whose m rotations are held at once */
#define BATCH_FLOATS (64L << 20)  /* ... unless that exceeds 256 MB of candidates */
#define HINT_SLACK 0.1            /* guess: an image's distance grows < 10% per iteration */

typedef struct {
  MPI_Comm comm;
  PetscMPIInt rank, size;
  const wasp_kmeans_opts *o;
  long n, first, count, npix, dim, batch;
  int side, m;
  const double *images;
  wasp_cluster_space *sp;
  float *feat, *cand;          /* local image features; one batch of candidates */
  wasp_cluster_best *best;     /* local images */
  double *prev, *hint;         /* local: last block sum found; the guess from it */
  long *redo;                  /* local images whose guess failed */
  double *centroids;           /* k * npix, the same on every rank */
  int *counts, *displs;        /* per-rank image blocks (Gatherv) */
  wasp_cluster_counts work;
  long redone;                 /* images searched twice (all ranks) */
  PetscBool seed_best;         /* best[] holds iteration 1's answer (seed()) */
} km;

void wasp_kmeans_block(long n, int rank, int size, long *first, long *count)
{
  *first = n * rank / size;
  *count = n * (rank + 1) / size - *first;
}

/* Candidates for centroids [j0, j0+nc): each rank transforms a contiguous
 * share of the nc*m (centroid, rotation) items, then every block is
 * all-gathered in place (block-major layout: rank shares are contiguous
 * inside each block). */
static PetscErrorCode build_candidates(km *s, long j0, long nc)
{
  const long N = nc * s->m, lo = N * s->rank / s->size, hi = N * (s->rank + 1) / s->size;
  const long *off, *len;
  const int nb = wasp_cluster_space_blocks(s->sp, &off, &len);
  PetscMPIInt *cnt, *dsp;
  PetscFunctionBeginUser;
  wasp_status st = WASP_OK;
  PetscCall(PetscLogEventBegin(wasp_log.candidates, 0, 0, 0, 0));
  for (long c = lo; c < hi && !st; c++)
    st = wasp_cluster_space_rotated(s->sp, s->centroids + (j0 + c / s->m) * s->npix, (int)(c % s->m), s->cand, N, c);
  PetscCall(PetscLogEventEnd(wasp_log.candidates, 0, 0, 0, 0));
  WaspAgree(s->comm, st);
  PetscCall(PetscLogEventBegin(wasp_log.gather, 0, 0, 0, 0));
  PetscCall(PetscMalloc2(s->size, &cnt, s->size, &dsp));
  for (int b = 0; b < nb; b++) {
    for (int q = 0; q < s->size; q++) {
      long a = N * q / s->size, e = N * (q + 1) / s->size;
      cnt[q] = (PetscMPIInt)((e - a) * len[b]);
      dsp[q] = (PetscMPIInt)(off[b] * N + a * len[b]);
    }
    PetscCallMPI(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, s->cand, cnt, dsp, MPI_FLOAT, s->comm));
  }
  PetscCall(PetscFree2(cnt, dsp));
  PetscCall(PetscLogEventEnd(wasp_log.gather, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Candidates j0 .. j0+nc-1 against the local images: all of them (nsub < 0),
 * with the guesses in s->hint when hinted, or the images in s->redo[0..nsub). */
static PetscErrorCode assign_batch(km *s, long j0, long nc, PetscBool hinted, long nsub)
{
  PetscFunctionBeginUser;
  PetscCall(build_candidates(s, j0, nc));
  PetscCall(PetscLogEventBegin(wasp_log.assign, 0, 0, 0, 0));
  wasp_status st;
  if (s->o->brute) st = wasp_cluster_assign(s->sp, s->count, s->feat, j0, nc, s->cand, false, s->best, &s->work);
  else if (nsub >= 0)
    st = wasp_cluster_assign_hinted(s->sp, s->count, s->feat, s->redo, nsub, NULL, j0, nc, s->cand, s->best, &s->work);
  else
    st = wasp_cluster_assign_hinted(s->sp, s->count, s->feat, NULL, s->count, hinted ? s->hint : NULL, j0, nc, s->cand,
                                    s->best, &s->work);
  PetscCall(PetscLogEventEnd(wasp_log.assign, 0, 0, 0, 0));
  WaspAgree(s->comm, st);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Image idx (any rank's) into buf on every rank. */
static PetscErrorCode fetch_image(km *s, long idx, double *buf)
{
  PetscFunctionBeginUser;
  int owner = 0;
  while (owner + 1 < s->size && idx >= s->displs[owner + 1]) owner++;
  if (owner == s->rank) PetscCall(PetscArraycpy(buf, s->images + (idx - s->first) * s->npix, s->npix));
  PetscCallMPI(MPI_Bcast(buf, (PetscMPIInt)s->npix, MPI_DOUBLE, owner, s->comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Local values (one per image) to rank 0 in index order. */
static PetscErrorCode gather(km *s, const void *local, void *all, MPI_Datatype t)
{
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Gatherv(local, (PetscMPIInt)s->count, t, all, s->counts, s->displs, t, 0, s->comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Any rank asked to stop?  (A signal reaches ranks at different moments.) */
static PetscErrorCode stop_requested(km *s, PetscBool *stop)
{
  int local = wasp_queue_stop_requested(), any = 0;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Allreduce(&local, &any, 1, MPI_INT, MPI_LOR, s->comm));
  *stop = any ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Fingerprint of the options and of every image, independent of ranks. */
static PetscErrorCode fingerprint(km *s, uint64_t *fp)
{
  uint64_t *h = NULL, *all = NULL;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(s->count + 1, &h));
  for (long i = 0; i < s->count; i++) {
    uint64_t x = 1469598103934665603ULL;
    const unsigned char *p = (const unsigned char *)(s->images + i * s->npix);
    for (size_t b = 0; b < sizeof(double) * (size_t)s->npix; b++) x = (x ^ p[b]) * 1099511628211ULL;
    h[i] = x;
  }
  if (s->rank == 0) PetscCall(PetscMalloc1(s->n, &all));
  PetscCall(gather(s, h, all, MPI_UINT64_T));
  if (s->rank == 0) {
    char text[1024];
    snprintf(text, sizeof text, "kmeans|%s|n=%ld|side=%d", s->o->options_text, s->n, s->side);
    *fp = wasp_fingerprint(text);
    for (long i = 0; i < s->n; i++) *fp = (*fp ^ all[i]) * 1099511628211ULL;
  }
  PetscCallMPI(MPI_Bcast(fp, 1, MPI_UINT64_T, 0, s->comm));
  PetscCall(PetscFree(h));
  PetscCall(PetscFree(all));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rotationally-invariant k-means++ (the paper's Algorithm 2). */
static PetscErrorCode seed(km *s)
{
  const wasp_rng_key key = wasp_rng_key_make(s->o->seed, KMEANS_EXPERIMENT, 0, 0, 0);
  double *d2 = NULL, *w = NULL;
  long pick = wasp_rng_draw_index(&key, 0, s->n);
  wasp_progress *pr = NULL;
  PetscFunctionBeginUser;
  /* Seeding costs about one iteration: worth an ETA. */
  PetscCall(wasp_progress_create(s->comm, "k-means++ seeding", s->o->k, s->o->quiet, &pr));
  PetscCall(PetscMalloc1(s->count + 1, &d2));
  if (s->rank == 0) PetscCall(PetscMalloc1(s->n, &w));
  PetscCall(fetch_image(s, pick, s->centroids));
  wasp_cluster_best_reset(s->best, s->count);
  for (long j = 1; j < s->o->k; j++) {
    PetscBool stop;
    PetscCall(stop_requested(s, &stop));
    PetscCheck(!stop, s->comm, PETSC_ERR_USER, "interrupted by a signal during k-means++ seeding (centre %ld of %ld), "
               "before the first checkpoint: rerun the command", j, s->o->k);
    /* best[] keeps min over the centres so far: the new centre only lowers it. */
    PetscCall(assign_batch(s, j - 1, 1, PETSC_FALSE, -1));
    for (long i = 0; i < s->count; i++) {
      double d = wasp_cluster_space_distance(s->sp, s->best[i].sum);
      d2[i] = d * d;
    }
    PetscCall(gather(s, d2, w, MPI_DOUBLE));
    wasp_status st = s->rank == 0 ? wasp_kmeanspp_draw(&key, (uint64_t)j, w, s->n, &pick) : WASP_OK;
    WaspAgree(s->comm, st);
    PetscCallMPI(MPI_Bcast(&pick, 1, MPI_LONG, 0, s->comm));
    PetscCall(fetch_image(s, pick, s->centroids + j * s->npix));
    PetscCall(wasp_progress_update(pr, j + 1));
  }
  /* The last centre too: best[] is then the minimum over every seed and
   * every rotation - exactly iteration 1's assignment (the lexicographic
   * minimum does not depend on the order candidates were seen, and every
   * sum is the same routine on the same features), so iteration 1 takes it
   * instead of searching again.  A run restarted from the seeding
   * checkpoint searches; the answer is the same (tested). */
  PetscCall(assign_batch(s, s->o->k - 1, 1, PETSC_FALSE, -1));
  /* WASP_KMEANS_SEARCH_FIRST (tests): search iteration 1 anyway. */
  s->seed_best = getenv("WASP_KMEANS_SEARCH_FIRST") ? PETSC_FALSE : PETSC_TRUE;
  PetscCall(wasp_progress_destroy(&pr));
  for (long i = 0; i < s->count; i++) s->prev[i] = s->best[i].sum;
  PetscCall(PetscFree(d2));
  PetscCall(PetscFree(w));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0: new centroids = means of the members rotated back (exact sums);
 * empty clusters get the worst-fit images (largest distance, ties to the
 * lower index; one scan per empty cluster, which are few), fetched
 * collectively. */
static long next_worst(long n, const double *dist, const unsigned char *used)
{
  long w = -1;
  for (long i = 0; i < n; i++)
    if (!used[i] && (w < 0 || dist[i] > dist[w])) w = i;
  return w;
}

static PetscErrorCode update_centroids(km *s, const int64_t *sums, const long *assign, const double *dist,
                                       double scale)
{
  long *size = NULL, *empty = NULL, nempty = 0;
  PetscFunctionBeginUser;
  const long k = s->o->k;
  PetscCall(PetscCalloc1(k, &size));
  PetscCall(PetscMalloc1(k + 1, &empty));
  if (s->rank == 0) {
    for (long i = 0; i < s->n; i++) size[assign[i]]++;
    for (long j = 0; j < k; j++) {
      if (!size[j]) {
        empty[nempty++] = j;
        continue;
      }
      for (long p = 0; p < s->npix; p++) s->centroids[j * s->npix + p] = (double)sums[j * s->npix + p] / scale / (double)size[j];
    }
  }
  PetscCallMPI(MPI_Bcast(&nempty, 1, MPI_LONG, 0, s->comm));
  if (nempty) {
    long *worst = NULL;
    PetscCall(PetscMalloc1(nempty, &worst));
    if (s->rank == 0) {
      unsigned char *used = NULL;
      PetscCall(PetscCalloc1(s->n, &used));
      for (long e = 0; e < nempty; e++) {
        worst[e] = next_worst(s->n, dist, used);
        used[worst[e]] = 1;
      }
      PetscCall(PetscFree(used));
    }
    PetscCallMPI(MPI_Bcast(empty, (PetscMPIInt)nempty, MPI_LONG, 0, s->comm));
    PetscCallMPI(MPI_Bcast(worst, (PetscMPIInt)nempty, MPI_LONG, 0, s->comm));
    for (long e = 0; e < nempty; e++) PetscCall(fetch_image(s, worst[e], s->centroids + empty[e] * s->npix));
    PetscCall(PetscFree(worst));
  }
  PetscCallMPI(MPI_Bcast(s->centroids, (PetscMPIInt)(k * s->npix), MPI_DOUBLE, 0, s->comm));
  PetscCall(PetscFree(size));
  PetscCall(PetscFree(empty));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode setup(km *s, MPI_Comm comm, const wasp_kmeans_opts *o, long n, int side, long first,
                            long count, const double *images)
{
  PetscFunctionBeginUser;
  s->comm = comm;
  s->o = o;
  s->n = n;
  s->side = side;
  s->npix = (long)side * side;
  s->first = first;
  s->count = count;
  s->images = images;
  s->m = o->rotations;
  PetscCallMPI(MPI_Comm_rank(comm, &s->rank));
  PetscCallMPI(MPI_Comm_size(comm, &s->size));
  WaspAgree(comm, wasp_cluster_space_create(o->metric, side, o->rotations, o->levels, &s->sp));
  s->dim = wasp_cluster_space_dim(s->sp);
  /* A batch gives every rank rotations to compute, within a memory cap
   * (which also keeps the all-gather's int counts in range). */
  PetscCheck((double)s->dim * s->m < (double)INT_MAX, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "-rotations %d: %d rotations of a %dx%d image do not fit one buffer; use fewer", s->m, s->m, side, side);
  s->batch = s->size > BATCH_MIN ? s->size : BATCH_MIN;
  if (s->batch > BATCH_FLOATS / (s->dim * s->m)) s->batch = BATCH_FLOATS / (s->dim * s->m);
  if (s->batch < 1) s->batch = 1;
  if (s->batch > o->k) s->batch = o->k;
  /* Aligned: the kernels' vector loads stay within cache lines. */
  WaspAgree(comm, wasp_malloc_aligned(sizeof(float) * (size_t)(s->dim * (count + 1)), &s->feat));
  WaspAgree(comm, wasp_malloc_aligned(sizeof(float) * (size_t)(s->dim * s->batch * s->m), &s->cand));
  PetscCall(PetscMalloc1(count + 1, &s->best));
  PetscCall(PetscMalloc3(count + 1, &s->prev, count + 1, &s->hint, count + 1, &s->redo));
  for (long i = 0; i < count; i++) s->prev[i] = INFINITY;
  PetscCall(PetscCalloc1(o->k * s->npix, &s->centroids));
  PetscCall(PetscMalloc2(s->size, &s->counts, s->size + 1, &s->displs));
  for (int q = 0; q < s->size; q++) {
    long f, c;
    wasp_kmeans_block(n, q, s->size, &f, &c);
    s->counts[q] = (int)c;
    s->displs[q] = (int)f;
  }
  s->displs[s->size] = (int)n;
  wasp_status st = WASP_OK;
  for (long i = 0; i < count && !st; i++) st = wasp_cluster_space_features(s->sp, images + i * s->npix, s->feat, count, i);
  WaspAgree(comm, st);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode teardown(km *s)
{
  PetscFunctionBeginUser;
  wasp_cluster_space_destroy(&s->sp);
  wasp_free(&s->feat);
  wasp_free(&s->cand);
  PetscCall(PetscFree(s->best));
  PetscCall(PetscFree3(s->prev, s->hint, s->redo));
  PetscCall(PetscFree(s->centroids));
  PetscCall(PetscFree2(s->counts, s->displs));
  PetscFunctionReturn(PETSC_SUCCESS);
}

void wasp_kmeans_result_free(wasp_kmeans_result *r)
{
  wasp_free(&r->centroids);
  wasp_free(&r->assignment);
  wasp_free(&r->rotation);
  wasp_free(&r->distance);
  wasp_free(&r->loss);
  wasp_free(&r->seconds);
}

static void ckpt_free(wasp_kmeans_ckpt *c)
{
  wasp_free(&c->centroids);
  wasp_free(&c->loss);
  wasp_free(&c->seconds);
  wasp_free(&c->assignment);
  wasp_free(&c->rotation);
  wasp_free(&c->distance);
}

/* Restore: rank 0 reads, everyone learns the iteration and the centroids. */
static PetscErrorCode restore(km *s, uint64_t fp, wasp_kmeans_ckpt *c, int *found)
{
  PetscFunctionBeginUser;
  *found = 0;
  if (s->o->ckpt_dir && s->o->ckpt_dir[0]) {
    wasp_status st = s->rank == 0 ? wasp_kmeans_ckpt_read(s->o->ckpt_dir, fp, c, found) : WASP_OK;
    if (st) ckpt_free(c);
    WaspAgree(s->comm, st);
  }
  int hdr[3] = {*found, c->iteration, c->converged};
  PetscCallMPI(MPI_Bcast(hdr, 3, MPI_INT, 0, s->comm));
  *found = hdr[0];
  c->iteration = hdr[1];
  c->converged = hdr[2];
  if (*found) {
    if (s->rank == 0) PetscCall(PetscArraycpy(s->centroids, c->centroids, s->o->k * s->npix));
    PetscCallMPI(MPI_Bcast(s->centroids, (PetscMPIInt)(s->o->k * s->npix), MPI_DOUBLE, 0, s->comm));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode save(km *s, uint64_t fp, wasp_kmeans_ckpt *c)
{
  PetscFunctionBeginUser;
  if (!s->o->ckpt_dir || !s->o->ckpt_dir[0]) PetscFunctionReturn(PETSC_SUCCESS);
  c->centroids = s->centroids;
  wasp_status st = s->rank == 0 ? wasp_kmeans_ckpt_write(s->o->ckpt_dir, fp, c) : WASP_OK;
  c->centroids = NULL;
  WaspAgree(s->comm, st);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One iteration of the paper's Algorithm 1 on centroids C_t: assignment,
 * loss, C_{t+1}.  Rank 0 receives the assignment in c. */
static PetscErrorCode iterate(km *s, double scale, wasp_kmeans_ckpt *c, double *loss)
{
  int64_t *sums = NULL;
  long *lj = NULL, *lr = NULL;
  double *ld = NULL, *scratch = NULL;
  PetscFunctionBeginUser;
  /* A guess from the last distance found makes most candidates fall at
   * once; an image whose guess proves too small is searched again. */
  const PetscBool guess = !s->o->brute && wasp_cluster_space_prunes(s->sp);
  for (long i = 0; i < s->count; i++) s->hint[i] = guess ? s->prev[i] * (1.0 + HINT_SLACK) : INFINITY;
  long nredo = 0, total_redo;
  if (s->seed_best) {
    s->seed_best = PETSC_FALSE; /* the seeding's search is this assignment */
  } else {
    wasp_cluster_best_reset(s->best, s->count);
    for (long j0 = 0; j0 < s->o->k; j0 += s->batch)
      PetscCall(assign_batch(s, j0, s->batch < s->o->k - j0 ? s->batch : s->o->k - j0, PETSC_TRUE, -1));
    for (long i = 0; i < s->count; i++)
      if (!(s->best[i].sum <= s->hint[i])) s->redo[nredo++] = i;
  }
  PetscCallMPI(MPI_Allreduce(&nredo, &total_redo, 1, MPI_LONG, MPI_SUM, s->comm));
  if (total_redo > 0) {
    for (long q = 0; q < nredo; q++) wasp_cluster_best_reset(&s->best[s->redo[q]], 1);
    for (long j0 = 0; j0 < s->o->k; j0 += s->batch)
      PetscCall(assign_batch(s, j0, s->batch < s->o->k - j0 ? s->batch : s->o->k - j0, PETSC_FALSE, nredo));
  }
  s->redone += total_redo;
  for (long i = 0; i < s->count; i++) s->prev[i] = s->best[i].sum;
  PetscCall(PetscLogEventBegin(wasp_log.reduce, 0, 0, 0, 0));
  PetscCall(PetscCalloc1(s->o->k * s->npix, &sums));
  PetscCall(PetscMalloc4(s->count + 1, &lj, s->count + 1, &lr, s->count + 1, &ld, s->npix, &scratch));
  wasp_status st = WASP_OK;
  for (long i = 0; i < s->count && !st; i++) {
    lj[i] = s->best[i].cluster;
    lr[i] = s->best[i].rotation;
    ld[i] = wasp_cluster_space_distance(s->sp, s->best[i].sum);
    st = wasp_cluster_accumulate(s->images + i * s->npix, s->side, wasp_cluster_space_angle(s->sp, (int)lr[i]), scale,
                                 sums + lj[i] * s->npix, scratch);
  }
  WaspAgree(s->comm, st);
  /* Integer sums: exact, so the same on any number of ranks. */
  PetscCallMPI(MPI_Reduce(s->rank == 0 ? MPI_IN_PLACE : sums, sums, (PetscMPIInt)(s->o->k * s->npix), MPI_INT64_T,
                          MPI_SUM, 0, s->comm));
  PetscCall(gather(s, lj, c->assignment, MPI_LONG));
  PetscCall(gather(s, lr, c->rotation, MPI_LONG));
  PetscCall(gather(s, ld, c->distance, MPI_DOUBLE));
  *loss = 0;
  if (s->rank == 0)
    for (long i = 0; i < s->n; i++) *loss += c->distance[i] * c->distance[i];
  PetscCallMPI(MPI_Bcast(loss, 1, MPI_DOUBLE, 0, s->comm));
  PetscCall(update_centroids(s, sums, c->assignment, c->distance, scale));
  PetscCall(PetscLogEventEnd(wasp_log.reduce, 0, 0, 0, 0));
  PetscCall(PetscFree(sums));
  PetscCall(PetscFree4(lj, lr, ld, scratch));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static wasp_status grow(void **p, size_t bytes)
{
  void *q = realloc(*p, bytes);
  if (!q) return wasp_fail(WASP_ERR_MEM, "k-means: out of memory (%zu bytes)", bytes);
  *p = q;
  return WASP_OK;
}

PetscErrorCode wasp_kmeans_run(MPI_Comm comm, const wasp_kmeans_opts *o, long n, int side, long first,
                               long count, const double *images, wasp_kmeans_result *res)
{
  km s;
  wasp_kmeans_ckpt c;
  uint64_t fp;
  int found;
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&s, sizeof s));
  PetscCall(PetscMemzero(&c, sizeof c));
  PetscCall(PetscMemzero(res, sizeof *res));
  PetscCall(setup(&s, comm, o, n, side, first, count, images));
  PetscCall(fingerprint(&s, &fp));
  c.n = n;
  c.k = o->k;
  c.npix = s.npix;
  PetscCall(restore(&s, fp, &c, &found));
  /* Rank 0's history and assignment arrays (malloc'd: they may come from
   * the checkpoint reader and end in the result, freed with wasp_free). */
  wasp_status st = WASP_OK;
  if (s.rank == 0) {
    const size_t nl = (size_t)o->max_iter + 1;
    if (!st) st = grow((void **)&c.loss, sizeof(double) * nl);
    if (!st) st = grow((void **)&c.seconds, sizeof(double) * nl);
    if (!st) st = grow((void **)&c.assignment, sizeof(long) * (size_t)n);
    if (!st) st = grow((void **)&c.rotation, sizeof(long) * (size_t)n);
    if (!st) st = grow((void **)&c.distance, sizeof(double) * (size_t)n);
  }
  WaspAgree(comm, st);
  res->restored_iterations = found ? c.iteration : 0;
  if (found && s.rank == 0 && !o->quiet)
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "restart: %d iteration%s restored from %s%s\n", c.iteration,
                          c.iteration == 1 ? "" : "s", o->ckpt_dir, c.converged ? " (converged)" : ""));
  if (!found) {
    double t0 = wasp_wtime();
    PetscCall(seed(&s));
    res->seed_seconds = wasp_wtime() - t0;
    c.iteration = 0;
    c.rng_draws = o->k;
    PetscCall(save(&s, fp, &c));
  }
  /* The fixed-point scale from the largest |pixel| anywhere (MAX is exact). */
  double maxabs = 0, scale;
  for (long p = 0; p < count * s.npix; p++) maxabs = fmax(maxabs, fabs(images[p]));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &maxabs, 1, MPI_DOUBLE, MPI_MAX, comm));
  scale = wasp_cluster_fixed_scale(n, maxabs);

  PetscBool stop = PETSC_FALSE;
  PetscCall(stop_requested(&s, &stop));
  while (!stop && !c.converged && c.iteration < o->max_iter) {
    const int t = c.iteration;
    double t0 = wasp_wtime(), loss;
    wasp_cluster_counts before = s.work;
    long redone_before = s.redone;
    PetscCall(iterate(&s, scale, &c, &loss));
    if (s.rank == 0) {
      c.loss[t] = loss;
      c.seconds[t] = wasp_wtime() - t0;
      /* The paper iterates while the loss decreases; tol makes "decreases" relative. */
      c.converged = loss == 0 || (t > 0 && c.loss[t - 1] - loss < o->tol * c.loss[t - 1]);
    }
    PetscCallMPI(MPI_Bcast(&c.converged, 1, MPI_INT, 0, comm));
    c.iteration = t + 1;
    PetscCall(save(&s, fp, &c));
    long done[2] = {s.work.full - before.full, s.work.pruned - before.pruned};
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, done, 2, MPI_LONG, MPI_SUM, comm));
    if (s.rank == 0 && !o->quiet && done[0] + done[1] == 0)
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "iteration %d: loss %.10g, %.3g s, assignment found by the k-means++ seeding\n",
                            t + 1, loss, c.seconds[t]));
    else if (s.rank == 0 && !o->quiet)
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "iteration %d: loss %.10g, %.3g s, %.1f%% of %ld candidate distances pruned, "
                            "%ld images searched twice\n", t + 1, loss, c.seconds[t],
                            100.0 * done[1] / (done[0] + done[1]), done[0] + done[1], s.redone - redone_before));
    PetscCall(stop_requested(&s, &stop));
  }
  res->interrupted = stop && !c.converged && c.iteration < o->max_iter;
  res->converged = c.converged ? PETSC_TRUE : PETSC_FALSE;
  res->iterations = c.iteration;
  long work[2] = {s.work.full, s.work.pruned};
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, work, 2, MPI_LONG, MPI_SUM, comm));
  res->dist_full = work[0];
  res->dist_pruned = work[1];
  if (s.rank == 0) {
    res->centroids = s.centroids;
    s.centroids = NULL;
    res->assignment = c.assignment;
    res->rotation = c.rotation;
    res->distance = c.distance;
    res->loss = c.loss;
    res->seconds = c.seconds;
    c.assignment = c.rotation = NULL;
    c.distance = c.loss = c.seconds = NULL;
  }
  ckpt_free(&c);
  PetscCall(teardown(&s));
  PetscFunctionReturn(PETSC_SUCCESS);
}

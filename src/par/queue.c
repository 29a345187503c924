/* The dynamic work queue (see wasp_queue.h).
 *
 * A shared counter on rank 0, advanced with MPI_Fetch_and_op under a shared
 * passive-target lock, hands out items; claims grow smaller as the queue
 * drains (guided scheduling) so the last items spread evenly.  Results stay
 * on the rank that computed them until the gather, keyed by item id. */
#include "wasp/wasp_queue.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CKPT_MAGIC "WASPCKP1"

typedef struct {
  char magic[8];
  uint32_t nvals, reserved;
  int64_t nitems;
  uint64_t fingerprint;
} ckpt_header;

struct wasp_queue {
  MPI_Comm comm;
  PetscMPIInt rank, size;
  long n;
  int nvals;
  MPI_Win win;
  long *counter;
  long chunk_next, chunk_end; /* the current claim [next, end) */
  unsigned char *done;        /* restored from checkpoints, all ranks */
  long restored;
  long nlocal, cap;
  long *ids;
  double *vals;
  double *all;                /* rank 0: gathered results */
  FILE *ckpt;
  unsigned char *record;      /* one checkpoint record: id, values, checksum */
  long last_claim;            /* the shared counter's value at the last claim */
  char dir[PETSC_MAX_PATH_LEN];
  uint64_t fingerprint;
};

static volatile sig_atomic_t stop_flag = 0;

static void on_signal(int sig)
{
  (void)sig;
  stop_flag = 1;
}

void wasp_queue_install_signals(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
}

int wasp_queue_stop_requested(void) { return stop_flag != 0; }

uint64_t wasp_fingerprint(const char *text)
{
  uint64_t h = 1469598103934665603ULL;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    h ^= *p;
    h *= 1099511628211ULL;
  }
  return h;
}

static uint64_t record_sum(const void *buf, size_t len)
{
  uint64_t h = 1469598103934665603ULL;
  const unsigned char *p = buf;
  for (size_t k = 0; k < len; k++) {
    h ^= p[k];
    h *= 1099511628211ULL;
  }
  return h;
}

/* Rank 0 reads every checkpoint in the folder; a torn last record (the run
 * was killed mid-write) is ignored, a foreign fingerprint is an error. */
static wasp_status read_checkpoints(wasp_queue *q)
{
  DIR *d = opendir(q->dir);
  if (!d) return errno == ENOENT ? WASP_OK : wasp_fail(WASP_ERR_IO, "checkpoint folder '%s': %s", q->dir, strerror(errno));
  struct dirent *e;
  size_t rec = sizeof(int64_t) + sizeof(double) * (size_t)q->nvals + sizeof(uint64_t);
  unsigned char *buf = NULL;
  wasp_status s = wasp_malloc(rec, &buf);
  while (!s && (e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len < 5 || strcmp(e->d_name + len - 5, ".ckpt") != 0) continue;
    char path[PETSC_MAX_PATH_LEN * 2];
    snprintf(path, sizeof path, "%s/%s", q->dir, e->d_name);
    FILE *f = fopen(path, "rb");
    if (!f) {
      s = wasp_fail(WASP_ERR_IO, "cannot read checkpoint '%s': %s", path, strerror(errno));
      break;
    }
    ckpt_header h;
    if (fread(&h, sizeof h, 1, f) != 1) { /* killed before the header landed */
      fclose(f);
      continue;
    }
    if (memcmp(h.magic, CKPT_MAGIC, 8) != 0) {
      s = wasp_fail(WASP_ERR_INPUT, "'%s' is not a WASP checkpoint", path);
    } else if (h.fingerprint != q->fingerprint || h.nitems != q->n || (int)h.nvals != q->nvals) {
      s = wasp_fail(WASP_ERR_INPUT,
                    "checkpoint '%s' belongs to a run with different options or inputs (%lld "
                    "items, fingerprint %016llx; this run: %ld items, %016llx); remove the folder "
                    "or choose another -checkpoint",
                    path, (long long)h.nitems, (unsigned long long)h.fingerprint, q->n,
                    (unsigned long long)q->fingerprint);
    }
    while (!s && fread(buf, rec, 1, f) == 1) {
      uint64_t sum;
      memcpy(&sum, buf + rec - sizeof sum, sizeof sum);
      if (sum != record_sum(buf, rec - sizeof sum)) break; /* torn record */
      int64_t id;
      memcpy(&id, buf, sizeof id);
      if (id < 0 || id >= q->n) break;
      if (!q->done[id]) q->restored++;
      q->done[id] = 1;
      memcpy(q->all + id * q->nvals, buf + sizeof id, sizeof(double) * (size_t)q->nvals);
    }
    fclose(f);
  }
  closedir(d);
  wasp_free(&buf);
  return s;
}

static wasp_status open_checkpoint(wasp_queue *q)
{
  char path[PETSC_MAX_PATH_LEN * 2];
  if (mkdir(q->dir, 0777) != 0 && errno != EEXIST)
    return wasp_fail(WASP_ERR_IO, "cannot create checkpoint folder '%s': %s", q->dir, strerror(errno));
  snprintf(path, sizeof path, "%s/rank%d.ckpt", q->dir, q->rank);
  /* Records of an earlier run with this rank number stay: they were read. */
  q->ckpt = fopen(path, "ab");
  if (!q->ckpt) return wasp_fail(WASP_ERR_IO, "cannot write checkpoint '%s': %s", path, strerror(errno));
  if (ftell(q->ckpt) == 0) {
    ckpt_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, CKPT_MAGIC, 8);
    h.nvals = (uint32_t)q->nvals;
    h.nitems = q->n;
    h.fingerprint = q->fingerprint;
    if (fwrite(&h, sizeof h, 1, q->ckpt) != 1 || fflush(q->ckpt) != 0)
      return wasp_fail(WASP_ERR_IO, "cannot write checkpoint '%s': %s", path, strerror(errno));
  }
  return WASP_OK;
}

PetscErrorCode wasp_queue_create(MPI_Comm comm, long nitems, int nvals, const char *ckpt_dir,
                                 uint64_t fingerprint, wasp_queue **qp)
{
  wasp_queue *q;
  PetscFunctionBeginUser;
  PetscCall(PetscNew(&q));
  *qp = q;
  q->comm = comm;
  q->n = nitems;
  q->nvals = nvals;
  q->fingerprint = fingerprint;
  q->chunk_next = q->chunk_end = 0;
  PetscCallMPI(MPI_Comm_rank(comm, &q->rank));
  PetscCallMPI(MPI_Comm_size(comm, &q->size));
  PetscCall(PetscCalloc1(nitems > 0 ? nitems : 1, &q->done));
  if (q->rank == 0) PetscCall(PetscCalloc1((nitems > 0 ? nitems : 1) * nvals, &q->all));
  if (ckpt_dir && ckpt_dir[0]) PetscCall(PetscStrncpy(q->dir, ckpt_dir, sizeof q->dir));

  wasp_status s = WASP_OK;
  if (q->dir[0] && q->rank == 0) s = read_checkpoints(q);
  WaspAgree(comm, s);
  if (q->dir[0]) {
    for (long off = 0; off < nitems; off += 1L << 30) { /* int counts */
      long len = nitems - off < (1L << 30) ? nitems - off : 1L << 30;
      PetscCallMPI(MPI_Bcast(q->done + off, (int)len, MPI_UNSIGNED_CHAR, 0, comm));
    }
    PetscCallMPI(MPI_Bcast(&q->restored, 1, MPI_LONG, 0, comm));
    WaspAgree(comm, open_checkpoint(q));
    PetscCall(PetscMalloc1(sizeof(int64_t) + sizeof(double) * (size_t)nvals + sizeof(uint64_t), &q->record));
  }
  PetscCallMPI(MPI_Win_allocate(q->rank == 0 ? (MPI_Aint)sizeof(long) : 0, sizeof(long),
                                MPI_INFO_NULL, comm, &q->counter, &q->win));
  if (q->rank == 0) {
    PetscCallMPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, q->win));
    *q->counter = 0;
    PetscCallMPI(MPI_Win_unlock(0, q->win));
  }
  PetscCallMPI(MPI_Barrier(comm));
  /* One passive-target epoch for the whole run: a claim is then a single
   * fetch-and-add plus a flush, with no lock round trip that a busy rank 0
   * would have to serve (software RMA on networks without atomics). */
  PetscCallMPI(MPI_Win_lock_all(MPI_MODE_NOCHECK, q->win));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Claim a chunk: large while much is left, single items near the end. */
static PetscErrorCode claim(wasp_queue *q)
{
  PetscFunctionBeginUser;
  /* Guided: a share of what was left at this rank's last look at the
   * counter, at most 16 items so the tail spreads over the ranks. */
  long left = q->n - q->last_claim, chunk = left / (8L * q->size);
  if (chunk < 1) chunk = 1;
  if (chunk > 16) chunk = 16;
  long old = 0;
  PetscCall(PetscLogEventBegin(wasp_log.schedule, 0, 0, 0, 0));
  PetscCallMPI(MPI_Fetch_and_op(&chunk, &old, MPI_LONG, 0, 0, MPI_SUM, q->win));
  PetscCallMPI(MPI_Win_flush(0, q->win));
  PetscCall(PetscLogEventEnd(wasp_log.schedule, 0, 0, 0, 0));
  q->last_claim = old + chunk;
  q->chunk_next = old;
  q->chunk_end = old + chunk < q->n ? old + chunk : q->n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode wasp_queue_next(wasp_queue *q, long *item)
{
  PetscFunctionBeginUser;
  *item = -1;
  while (!stop_flag) {
    if (q->chunk_next >= q->chunk_end) {
      if (q->chunk_end >= q->n && q->chunk_next >= q->n) break;
      PetscCall(claim(q));
      if (q->chunk_next >= q->n) break;
    }
    long k = q->chunk_next++;
    if (!q->done[k]) {
      *item = k;
      break;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode wasp_queue_complete(wasp_queue *q, long item, const double *vals)
{
  PetscFunctionBeginUser;
  if (q->nlocal == q->cap) {
    long cap = q->cap ? 2 * q->cap : 64;
    PetscCall(PetscRealloc(sizeof(long) * (size_t)cap, &q->ids));
    PetscCall(PetscRealloc(sizeof(double) * (size_t)cap * q->nvals, &q->vals));
    q->cap = cap;
  }
  q->ids[q->nlocal] = item;
  PetscCall(PetscArraycpy(q->vals + q->nlocal * q->nvals, vals, q->nvals));
  q->nlocal++;
  if (q->ckpt) {
    size_t rec = sizeof(int64_t) + sizeof(double) * (size_t)q->nvals;
    unsigned char *buf = q->record;
    int64_t id = item;
    memcpy(buf, &id, sizeof id);
    memcpy(buf + sizeof id, vals, sizeof(double) * (size_t)q->nvals);
    uint64_t sum = record_sum(buf, rec);
    memcpy(buf + rec, &sum, sizeof sum);
    /* Flushed per item: a killed run loses at most the item in flight. */
    PetscCheck(fwrite(buf, rec + sizeof sum, 1, q->ckpt) == 1 && fflush(q->ckpt) == 0,
               PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot append to checkpoint in '%s': %s",
               q->dir, strerror(errno));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode wasp_queue_gather(wasp_queue *q, const double **vals, PetscBool *complete)
{
  PetscMPIInt *counts = NULL, *displs = NULL, n = (PetscMPIInt)q->nlocal;
  long *ids = NULL;
  double *v = NULL;
  MPI_Datatype record;
  PetscFunctionBeginUser;
  /* Counts are in records (a derived type of nvals doubles), so the int
   * counts of MPI_Gatherv overflow only past 2^31 items, not values. */
  PetscCallMPI(MPI_Type_contiguous(q->nvals, MPI_DOUBLE, &record));
  PetscCallMPI(MPI_Type_commit(&record));
  if (q->rank == 0) PetscCall(PetscMalloc2(q->size, &counts, q->size, &displs));
  PetscCallMPI(MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, q->comm));
  long total = 0;
  if (q->rank == 0) {
    for (int r = 0; r < q->size; r++) {
      PetscCheck(total <= INT32_MAX, PETSC_COMM_SELF, PETSC_ERR_SUP,
                 "more than 2^31 results to gather on rank 0; split the run");
      displs[r] = (PetscMPIInt)total;
      total += counts[r];
    }
    PetscCall(PetscMalloc2(total > 0 ? total : 1, &ids, (total > 0 ? total : 1) * q->nvals, &v));
  }
  PetscCallMPI(MPI_Gatherv(q->ids, n, MPI_LONG, ids, counts, displs, MPI_LONG, 0, q->comm));
  PetscCallMPI(MPI_Gatherv(q->vals, n, record, v, counts, displs, record, 0, q->comm));
  PetscCallMPI(MPI_Type_free(&record));
  int all_done = 1;
  if (q->rank == 0) {
    for (long k = 0; k < total; k++) {
      q->done[ids[k]] = 1;
      PetscCall(PetscArraycpy(q->all + ids[k] * q->nvals, v + k * q->nvals, q->nvals));
    }
    for (long k = 0; k < q->n; k++)
      if (!q->done[k]) all_done = 0;
    PetscCall(PetscFree2(counts, displs));
    PetscCall(PetscFree2(ids, v));
  }
  PetscCallMPI(MPI_Bcast(&all_done, 1, MPI_INT, 0, q->comm));
  *complete = all_done ? PETSC_TRUE : PETSC_FALSE;
  *vals = q->rank == 0 ? q->all : NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

long wasp_queue_restored(const wasp_queue *q) { return q->restored; }

long wasp_queue_position(const wasp_queue *q) { return q->chunk_next < q->n ? q->chunk_next : q->n; }

PetscErrorCode wasp_checkpoint_remove(MPI_Comm comm, const char *dir)
{
  PetscMPIInt rank;
  PetscFunctionBeginUser;
  /* Every rank's records are in the committed output by now. */
  PetscCallMPI(MPI_Barrier(comm));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0 && dir && dir[0]) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[PETSC_MAX_PATH_LEN * 2];
    while (d && (e = readdir(d))) {
      size_t len = strlen(e->d_name);
      if (len < 5 || strcmp(e->d_name + len - 5, ".ckpt") != 0) continue;
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      unlink(path);
    }
    if (d) closedir(d);
    rmdir(dir);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode wasp_queue_destroy(wasp_queue **qp, PetscBool remove_ckpt)
{
  wasp_queue *q = *qp;
  PetscFunctionBeginUser;
  if (!q) PetscFunctionReturn(PETSC_SUCCESS);
  if (q->ckpt) fclose(q->ckpt);
  PetscCallMPI(MPI_Win_unlock_all(q->win));
  PetscCallMPI(MPI_Win_free(&q->win));
  if (remove_ckpt && q->dir[0]) PetscCall(wasp_checkpoint_remove(q->comm, q->dir));
  PetscCall(PetscFree(q->record));
  PetscCall(PetscFree(q->done));
  PetscCall(PetscFree(q->all));
  PetscCall(PetscFree(q->ids));
  PetscCall(PetscFree(q->vals));
  PetscCall(PetscFree(q));
  *qp = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

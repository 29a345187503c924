/* wasp_queue.h - the dynamic work queue shared by every parallel driver
 * (pairs, noise sweep cells, image blocks).
 *
 * Items 0..n-1 are independent and of uneven cost.  Each rank claims the
 * next unclaimed item from a shared counter (an MPI-3 atomic fetch-and-add
 * on rank 0's window), so a rank stuck on a slow LP never holds others up
 * and rank 0 computes like everyone else.  Results are keyed by item id,
 * never by rank: any rank count gives identical output.
 *
 * Checkpoints: with a checkpoint directory, every completed item is appended
 * (flushed at once) to <dir>/rank<r>.ckpt, tagged with a fingerprint of the
 * run's options.  A restart on any number of ranks reads every *.ckpt file
 * there, refuses files with another fingerprint, and skips the items they
 * hold.  SIGTERM/SIGUSR1 (Slurm preemption) make wasp_queue_next stop
 * handing out work so the run can exit cleanly after flushing. */
#ifndef WASP_QUEUE_H
#define WASP_QUEUE_H

#include "wasp_par.h"

typedef struct wasp_queue wasp_queue;

/* Collective.  nvals doubles of result per item.  ckpt_dir may be NULL (no
 * checkpoint).  fingerprint identifies the options that determine results. */
PetscErrorCode wasp_queue_create(MPI_Comm comm, long nitems, int nvals, const char *ckpt_dir,
                                 uint64_t fingerprint, wasp_queue **q);
/* Not collective: the next item for this rank, or -1 when none is left (or a
 * stop signal arrived).  Items restored from a checkpoint are skipped. */
PetscErrorCode wasp_queue_next(wasp_queue *q, long *item);
/* Not collective: store the result of an item claimed by this rank. */
PetscErrorCode wasp_queue_complete(wasp_queue *q, long item, const double *vals);
/* Collective: rank 0 receives all results, vals[item*nvals + k] (owned by
 * the queue, NULL on other ranks); *complete is true on every rank when all
 * items have a result (false after a stop signal). */
PetscErrorCode wasp_queue_gather(wasp_queue *q, const double **vals, PetscBool *complete);
/* Not collective: how many items this rank knows to be claimed globally (for
 * progress reports; exact at each of its claims). */
long wasp_queue_position(const wasp_queue *q);
/* Items restored from checkpoints at creation (all ranks see the same). */
long wasp_queue_restored(const wasp_queue *q);
/* Collective.  Remove the checkpoint files when remove_ckpt (after the final
 * output is committed). */
PetscErrorCode wasp_queue_destroy(wasp_queue **q, PetscBool remove_ckpt);

/* Collective: delete the checkpoint files of a finished run and the folder. */
PetscErrorCode wasp_checkpoint_remove(MPI_Comm comm, const char *dir);

/* Install SIGTERM/SIGUSR1/SIGINT handlers that request a clean stop, and ask
 * whether one arrived (not collective). */
void wasp_queue_install_signals(void);
int wasp_queue_stop_requested(void);

/* FNV-1a fingerprint of a text (e.g. all result-determining options). */
uint64_t wasp_fingerprint(const char *text);

#endif

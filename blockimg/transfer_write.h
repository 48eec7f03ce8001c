/* Writing transfer lists, versions 3 and 4, line for line as Android's
 * block image diff (blockimgdiff.py) writes them, so that one place owns
 * the format the host writes and the device reads (the parser is
 * blockimg/transfer_list.h).
 *
 * A list is four header lines and then one command per line:
 *
 *   4                       version
 *   TOTAL                   blocks the commands write (progress)
 *   0                       stash slots (unused since version 3)
 *   MAX_STASHED             most blocks stashed at one time
 *   erase RANGES            discard (not counted in TOTAL)
 *   zero RANGES             write zeros, at most 1024 blocks a command
 *   new RANGES              the next blocks of the new data, at most 1024
 *   stash ID RANGES         keep source blocks under ID (their SHA-1)
 *   free ID                 drop a stash
 *   move TGT_SHA1 TGT SRC
 *   bsdiff|imgdiff OFFSET LEN SRC_SHA1 TGT_SHA1 TGT SRC
 *
 * where SRC is "COUNT RANGES", "COUNT RANGES LOCS ID:LOCS ...", or
 * "COUNT - ID:LOCS ..." (source blocks read from the partition and/or
 * from stashes, LOCS saying where in the COUNT-block buffer each part
 * goes).  Identical stashes share one ID: the writer counts references,
 * writes `stash` only for the first and `free` after the last use, and
 * computes TOTAL and MAX_STASHED itself (a command whose source overlaps
 * its target stashes its whole source implicitly on the device, and
 * counts so).
 *
 * Every range set given here must be sorted and merged (the form set
 * operations return, and the only form Android's generator writes): the
 * blocks of a transfer are its ranges in ascending order. */
#ifndef BLOCKIMG_TRANSFER_WRITE_H
#define BLOCKIMG_TRANSFER_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "blockimg/rangeset.h"
#include "otautil/error.h"
#include "otautil/sink.h"

/* Android's limit on the blocks of one `new` or `zero` command. */
#define BI_TW_MAX_BLOCKS_PER_COMMAND 1024

typedef struct bi_tw_stash_ref {
    const char *id;             /* 40 hex digits: SHA-1 of the stashed blocks */
    const bi_rangeset *ranges;  /* where they are in the source partition */
} bi_tw_stash_ref;

/* The source of a move or diff: every block it reads, and which of them
 * come from stashes (each a subset of `ranges`, disjoint from the others). */
typedef struct bi_tw_source {
    const bi_rangeset *ranges;
    const bi_tw_stash_ref *stashes;
    size_t nstashes;
} bi_tw_source;

typedef struct bi_tw_held {
    char id[41];
    uint64_t blocks;
    unsigned refs;
} bi_tw_held;

typedef struct bi_transfer_writer {
    int version;
    /* Set after bi_tw_init when the list reads another partition than the
     * one it writes (A/B: the active slot, writing the other one): a move
     * to the same blocks is a copy then and is written, and no source is
     * ever stashed implicitly (nothing reads the target). */
    int separate_source;
    ota_buf body;
    uint64_t total;          /* blocks written by the commands so far */
    uint64_t stashed;        /* blocks held in stashes now */
    uint64_t max_stashed;
    bi_tw_held *live;       /* stashes held now */
    size_t nlive, cap;
} bi_transfer_writer;

int bi_tw_init(bi_transfer_writer *w, int version, ota_error *err);
void bi_tw_free(bi_transfer_writer *w);

int bi_tw_erase(bi_transfer_writer *w, const bi_rangeset *r, ota_error *err);
int bi_tw_zero(bi_transfer_writer *w, const bi_rangeset *r, ota_error *err);
int bi_tw_new(bi_transfer_writer *w, const bi_rangeset *r, ota_error *err);
/* One more reference to the stash `id` (the blocks r of the source); the
 * command is written for the first reference only. */
int bi_tw_stash(bi_transfer_writer *w, const char *id, const bi_rangeset *r, ota_error *err);
/* Nothing is written when source and target are the same blocks.  Each
 * stash the source names loses one reference afterwards; `free` is written
 * for those that have none left. */
int bi_tw_move(bi_transfer_writer *w, const char *tgt_sha1, const bi_rangeset *tgt,
               const bi_tw_source *src, ota_error *err);
/* kind: "bsdiff" or "imgdiff"; the patch is bytes [start, start+len) of the
 * patch data. */
int bi_tw_diff(bi_transfer_writer *w, const char *kind, uint64_t patch_start, uint64_t patch_len,
               const char *src_sha1, const char *tgt_sha1, const bi_rangeset *tgt,
               const bi_tw_source *src, ota_error *err);

/* The whole list (header and commands) into out, appended.  A stash still
 * held at the end is an error (a stash no command used). */
int bi_tw_finish(bi_transfer_writer *w, ota_buf *out, ota_error *err);

#endif

/* The block diff (Android's BlockImageDiff, in C): from a source and a
 * target partition image, the three files of a block-based update:
 *
 *   PREFIX.transfer.list   the commands (blockimg/transfer_write.h)
 *   PREFIX.new.dat.br      the data of the `new` commands, in command order,
 *                          brotli-compressed (opts->brotli; else PREFIX.new.dat,
 *                          plain: Android compresses full updates' new data
 *                          with brotli, incrementals' only with the zip)
 *   PREFIX.patch.dat       the bsdiff/imgdiff patches, in command order
 *
 * How it chooses (docs/blockimg.md has the whole story): each target
 * domain (a file, or the zero/metadata/clobbered blocks, block_image.h) is
 * paired with a source domain by path, else by basename, else by basename
 * with runs of digits ignored; a pair becomes nothing (same blocks, same
 * bytes), `move` (same bytes elsewhere), or a patch (bsdiff, or imgdiff for
 * data with zip or gzip members when smaller), split into pieces so that
 * no patch reads more than a bounded number of blocks; an unpaired domain
 * is `new`; zero blocks are `zero`.  The transfers are ordered so that few
 * source blocks are overwritten before they are read (Eades-Lin-Smyth
 * feedback-arc heuristic, then a topological sort that keeps the stash
 * small); the blocks a transfer needs that an earlier one overwrites are
 * stashed.  Transfers whose stash would not fit the limit become `new`.
 * The same images and options give the same bytes, whatever the threads. */
#ifndef RELEASETOOLS_BLOCKDIFF_H
#define RELEASETOOLS_BLOCKDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "blockimg/rangeset.h"
#include "otautil/error.h"
#include "releasetools/block_image.h"
#include "releasetools/diff_pool.h"
#include "releasetools/progress.h"

/* Android's defaults: stashes may use 80% of /cache; a piece reads at most
 * an eighth of /cache.  Pieces are also capped so that a diff's memory on
 * the host (about 7 times a piece, per worker) and on the device stays
 * bounded on large caches. */
#define RT_BLOCKDIFF_STASH_THRESHOLD 0.8
#define RT_BLOCKDIFF_PIECE_SHARE 0.125
#define RT_BLOCKDIFF_MAX_PIECE_BLOCKS 16384u
#define RT_BLOCKDIFF_DEFAULT_CACHE (256ull << 20)
/* Android's brotli quality for the new data. */
#define RT_BLOCKDIFF_BROTLI_QUALITY 6

typedef struct rt_blockdiff_opts {
    int version;               /* transfer list version, 3 or 4 (0: 4) */
    uint64_t cache_size;       /* bytes of /cache (0: RT_BLOCKDIFF_DEFAULT_CACHE) */
    double stash_threshold;    /* share of the cache stashes may use (0: the default) */
    int threads;               /* diff workers (0: one per core) */
    enum rt_patch_formats patch_formats; /* releasetools/diff_pool.h */
    int brotli;                /* PREFIX.new.dat.br, else PREFIX.new.dat */
    /* A/B: the source is the active slot and the target the other one, so
     * nothing of the target can be kept (every block is written: blocks
     * equal in both images become `move`s in place, zeros become `zero`
     * whatever the source holds), no transfer can overwrite what another
     * reads (no ordering, no stashes), and the commands come `new` first,
     * then zero, move and the patches, each group in target order: the
     * package's new data entry precedes its patch data entry (names sort
     * so), so the device reads both in one pass (a streamed install). */
    int ab;
    rt_progress progress;
} rt_blockdiff_opts;

typedef struct rt_blockdiff_result {
    /* For the script: the source blocks the update reads (checked before
     * anything is written) and the whole target. */
    bi_rangeset touched_src;
    char touched_src_sha1[41];
    bi_rangeset target_blocks;
    char target_sha1[41];
    uint64_t max_stash_bytes;
    /* What the commands do, in blocks, and what the package carries. */
    uint64_t blocks_new, blocks_zero, blocks_moved, blocks_patched, blocks_kept;
    uint64_t new_blocks_for_stash;  /* patches turned into new data by the stash limit */
    size_t moves, bsdiffs, imgdiffs, stashes;
    uint64_t patch_bytes, new_data_bytes;
} rt_blockdiff_result;

/* src NULL: a full update, which erases the partition and writes every
 * block of the target (from zeros: nothing of the old contents is read).
 * An A/B update gives images opened with every block in their care map
 * (rt_block_image_open with care NULL), so the whole image is written. */
int rt_blockdiff(const rt_block_image *tgt, const rt_block_image *src, const char *prefix,
                 const rt_blockdiff_opts *opts, rt_blockdiff_result *res, ota_error *err);
void rt_blockdiff_result_free(rt_blockdiff_result *res);

#endif

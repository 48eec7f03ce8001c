/* The engine that runs a transfer list (blockimg/transfer.h) against a
 * partition: what the updater's block_image_update and block_image_verify
 * do, and what the A/B agent does when it writes the inactive slot.
 *
 *     bi_transfer_list tl;   bi_transfer_parse(&tl, text, len, &err);
 *     bi_fd_dev dev;         bi_fd_dev_open(&dev, "/dev/block/by-name/system", NULL, 1, &err);
 *     bi_apply_opts o = {
 *         .target = &dev.dev,                 // .source NULL: update in place
 *         .new_data = bi_reader_new_data(zip, "system.new.dat.br", &err),
 *         .patch_data = bi_patch_data_zip(zip, ota_zip_find(zip, "system.patch.dat"), &err),
 *         .stash_dir = "/cache/recovery/<sha1 of the device name>",
 *         .last_command = "/cache/recovery/last_command",
 *     };
 *     bi_apply_stats st;
 *     if (bi_apply(&tl, &o, &st, &err) < 0) ... err says which line and why
 *
 * Source and target may be different devices (A/B: read the active slot,
 * write the other); then nothing is ever stashed to files, since the
 * source is never written.
 *
 * Resuming: run the same list again after any interruption (power loss,
 * SIGKILL, an I/O error) and it finishes with the exact target.  Progress
 * is recorded after every command in last_command (Android's format: the
 * command's index, a newline, the command line); commands up to that
 * index are skipped on the next run except `new`, which is replayed since
 * its data is read in order.  In v3+ lists every move/bsdiff/imgdiff
 * checks its target's SHA-1 first and is skipped when it already matches,
 * and sources that a command overwrites itself are stashed first, so a
 * command cut off half-way is redone from the stash.
 *
 * Memory: new data, zero, erase, stash and moves stream through a 1 MiB
 * buffer whatever their size (moves up to BI_MOVE_IN_MEMORY are read in
 * one go); bsdiff and imgdiff hold their source and patch in memory (the
 * patch code needs them whole), as do overlapping moves in v1/v2 lists,
 * which keep no stash to redo them from. */
#ifndef BLOCKIMG_ENGINE_H
#define BLOCKIMG_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "blockimg/device.h"
#include "blockimg/stream.h"
#include "blockimg/transfer.h"
#include "otautil/error.h"

#define BI_CHUNK (1024u * 1024u)
#define BI_MOVE_IN_MEMORY (16u * 1024u * 1024u)
/* Android's folder for stashes and progress. */
#define BI_STASH_BASE "/cache/recovery"
#define BI_LAST_COMMAND "/cache/recovery/last_command"

typedef struct bi_apply_opts {
    const bi_dev *target;
    const bi_dev *source;       /* NULL: the target itself */
    bi_reader *new_data;        /* may be NULL when the list has no new */
    bi_patch_data *patch_data;  /* may be NULL when it has no bsdiff/imgdiff */
    /* This partition's stash folder (created 0700; its parent must exist).
     * May be NULL when source and target differ, or for v1 lists. */
    const char *stash_dir;
    const char *last_command;   /* progress file; NULL: none kept */
    /* Room for stashes: with free_cache, made as Android's recovery makes
     * it (applypatch_space: expendable files in the folder of cache_path
     * go, oldest first; cache_path NULL is applypatch's default,
     * /cache/saved.file under RECOVERY_ROOT); without, the free space of
     * the stash folder's filesystem is only checked. */
    int free_cache;
    const char *cache_path;
    int verify_only;            /* block_image_verify: read and check, write nothing */
    /* Called after every command that wrote (may be NULL). */
    void (*progress)(void *ctx, uint64_t written_blocks, uint64_t total_blocks);
    /* What is done, a line at a time, as Android logs it (may be NULL). */
    void (*log)(void *ctx, const char *line);
    void *cb_ctx;
} bi_apply_opts;

typedef struct bi_apply_stats {
    uint64_t blocks_written;     /* target blocks of the commands run or found done */
    uint64_t blocks_stashed;
    size_t commands_run;
    size_t commands_done_already; /* v3+ target already had its SHA-1 */
    size_t commands_resumed;     /* skipped as done by last_command */
    size_t max_buffer;           /* largest buffer held, bytes */
    size_t patch_restarts;       /* patch data read out of order */
    int unresumable;             /* the source is gone: stashes and progress were dropped */
} bi_apply_stats;

/* Runs (or, with verify_only, checks) the list.  Before anything is
 * written the list is checked against the devices (bi_transfer_check), so
 * a list that does not fit touches nothing.  A verify failure names the
 * command and the blocks whose contents differ.  stats may be NULL. */
int bi_apply(const bi_transfer_list *tl, const bi_apply_opts *opts, bi_apply_stats *stats,
             ota_error *err);

/* Android's stash folder for a device: base "/" the SHA-1 (hex) of the
 * device name as the script gives it. */
int bi_stash_dir_name(const char *base, const char *device_name, char *out, size_t outsz,
                      ota_error *err);

/* SHA-1 of the blocks of rs on dev, in the set's order (range_sha1). */
int bi_range_sha1(const bi_dev *dev, const bi_rangeset *rs, uint8_t out[OTA_SHA1_LEN],
                  ota_error *err);
/* The same with another digest (ota_hash_len(alg) bytes into out). */
int bi_range_hash(const bi_dev *dev, const bi_rangeset *rs, ota_hash_alg alg, uint8_t *out,
                  ota_error *err);
/* The digest of the first `bytes` bytes of dev (an image's read-back). */
int bi_dev_hash_prefix(const bi_dev *dev, uint64_t bytes, ota_hash_alg alg, uint8_t *out,
                       ota_error *err);

#endif

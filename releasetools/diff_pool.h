/* Patches for many files at once, on all cores: one job per file, the
 * largest first (so the longest job does not start last), each worker with
 * its own zip readers.  A file that also gets an imgdiff has it made by
 * another worker while the first makes the bsdiff, so one large boot image
 * does not leave the other cores idle.  A job's result depends on its
 * inputs only, so the output is the same whatever the scheduling. */
#ifndef RELEASETOOLS_DIFF_POOL_H
#define RELEASETOOLS_DIFF_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "releasetools/progress.h"

typedef struct rt_diff_job {
    /* Inputs: an entry of the source/target zip, or bytes in memory. */
    const char *name;            /* for messages: "system/lib/libc.so" */
    const char *src_entry;       /* NULL: src_data/src_len */
    const uint8_t *src_data;
    size_t src_len;
    const char *tgt_entry;       /* NULL: tgt_data/tgt_len */
    const uint8_t *tgt_data;
    size_t tgt_len;
    uint64_t weight;             /* ordering: larger first (the target size) */
    /* Or inputs from the caller (block images): when load is set it gives
     * the source (target 0) or the target (1) in a malloc'd buffer, freed
     * by the pool.  done, when set, is called (from a worker, one call at a
     * time) as soon as the patch is final, and may take job->patch (leaving
     * NULL), so that patches need not all be held at once. */
    int (*load)(void *ctx, int target, uint8_t **data, size_t *len, ota_error *err);
    int (*done)(void *ctx, struct rt_diff_job *job, ota_error *err);
    void *ctx;
    /* Outputs: the smaller of bsdiff (BSDIFF40, or BSDF2 with the codec
     * that makes each stream smallest) and, for data with gzip members,
     * LZ4 streams or zip archives, imgdiff (IMGDIFF2, or IMGDIFFX when its
     * LZ4 and re-encoded deflate chunks are used). */
    uint8_t *patch;              /* malloc'd */
    size_t patch_len;
    int is_imgdiff;
    /* Work state, private to rt_diff_run. */
    struct rt_diff_work *work;
} rt_diff_job;

/* The patch formats a package may use, by who applies it. */
enum rt_patch_formats {
    /* What every Android updater reads: BSDIFF40 and IMGDIFF2, bzip2
     * streams only (for a target-files that carries Android's own
     * OTA/bin/updater). */
    RT_PATCH_ANDROID = 1,
    /* This project's updater and agent: BSDF2 with bzip2, brotli, xz or
     * zstd per stream, and IMGDIFFX's LZ4 and re-encoded deflate chunks. */
    RT_PATCH_EXTENDED = 2,
};

/* Runs every job with `threads` workers (0: one per online CPU), making
 * patches in the given formats.  On
 * failure the first error is returned (naming the file) and the others are
 * abandoned; patches already made stay in their jobs for the caller to
 * free with rt_diff_jobs_free. */
int rt_diff_run(rt_diff_job *jobs, size_t n, const char *src_zip, const char *tgt_zip,
                int threads, enum rt_patch_formats formats, const rt_progress *progress,
                ota_error *err);
void rt_diff_jobs_free(rt_diff_job *jobs, size_t n);

/* Which kind of imgdiff suits data: 0 none, 1 gzip members or LZ4 streams
 * inside, 2 a zip archive. */
int rt_imgdiff_kind(const uint8_t *data, size_t len);

/* The number of workers "all cores" means here. */
int rt_cpu_count(void);

#endif

/* ota_from_target_files' work: a full or incremental OTA package (unsigned;
 * the program signs it with sign_package) from target-files zips. */
#ifndef RELEASETOOLS_OTA_FROM_TARGET_FILES_H
#define RELEASETOOLS_OTA_FROM_TARGET_FILES_H

#include "otautil/error.h"
#include "releasetools/package.h"
#include "releasetools/progress.h"
#include "releasetools/warn.h"

/* A changed file whose patch is larger than this share of the file is
 * sent whole instead (Android's patch threshold). */
#define RT_PATCH_THRESHOLD 0.95

typedef struct rt_ota_opts {
    const char *source;         /* -i: source target-files; NULL: a full package */
    int wipe_data;              /* -w */
    int no_prereq;              /* -n: no timestamp check (full packages) */
    const char *extra_script;   /* -e: text appended to the script, or NULL */
    /* The update-binary when the target-files has no OTA/bin/updater. */
    const char *updater;
    int threads;                /* diff workers; 0: one per online CPU */
    /* --patch-formats: RT_PATCH_ANDROID or RT_PATCH_EXTENDED
     * (releasetools/diff_pool.h); 0: decided by rt_ota_write from the
     * update-binary the package will carry (rt_updater_formats). */
    int patch_formats;
    /* Block-based packages (releasetools/ota_block.c): with --block, or
     * when the target's META/misc_info.txt has blockimgdiff_versions. */
    int block;
    uint64_t cache_size;        /* bytes of /cache; 0: misc_info's cache_size, else 256 MiB */
    double stash_threshold;     /* share of /cache stashes may use; 0: 0.8 */
    int verify;                 /* --verify: full block packages check the result too */
    /* A/B packages (releasetools/ota_ab.c): with --ab, or when the
     * target's META/misc_info.txt has ab_update=true. */
    int ab;
    rt_payload payload;         /* --payload-compression (releasetools/package.h) */
    rt_progress progress;
    rt_warn warn;               /* what the package carries that may be unmeant */
} rt_ota_opts;

/* Writes the unsigned package to output (created or replaced). */
int rt_ota_write(const char *target, const char *output, const rt_ota_opts *opts, ota_error *err);

#endif

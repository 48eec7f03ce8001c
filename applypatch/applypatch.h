/* applypatch: Android's file and partition patching with SHA-1 checks,
 * used by the applypatch program and the updater's apply_patch* builtins.
 *
 * FILE names a file, or "EMMC:DEVICE:SIZE:SHA1[:SIZE:SHA1...]" names the
 * first SIZE bytes of a block device (the first SIZE:SHA1 pair that matches
 * is the content).  Paths are used as given: callers resolve RECOVERY_ROOT.
 * SHA-1s are 40 hex digits. */
#ifndef APPLYPATCH_APPLYPATCH_H
#define APPLYPATCH_APPLYPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"

typedef struct applypatch_blob {
    const uint8_t *data;
    size_t len;
} applypatch_blob;

typedef struct applypatch_opts {
    /* Where the source is saved while patching in place; NULL: the default
     * "/cache/saved.file" resolved under RECOVERY_ROOT. */
    const char *cache_path;
} applypatch_opts;

/* 0 when FILE (or, failing that, the saved copy in the cache) has one of the
 * given SHA-1s, or when n_sha1 == 0 and it can be read. */
int applypatch_check(const char *file, const char *const *sha1s, int n_sha1,
                     const applypatch_opts *opts, ota_error *err);

/* 0 when the cache has at least `bytes` free (after freeing what it can). */
int applypatch_space(uint64_t bytes, const applypatch_opts *opts, ota_error *err);

/* Patches source into target ("-": in place).  patch_sha1s[i] is the source
 * SHA-1 that patches[i] applies to; the one matching the source (or the
 * saved copy) is used.  If the target already has target_sha1 nothing is
 * done.  bonus may be NULL.  Safe against interruption at any point: run it
 * again with the same arguments and it finishes. */
int applypatch_apply(const char *source, const char *target, const char *target_sha1,
                     uint64_t target_size, int n_patches, const char *const *patch_sha1s,
                     const applypatch_blob *patches, const applypatch_blob *bonus,
                     const applypatch_opts *opts, ota_error *err);

/* Reads a whole regular file into memory (*data malloc'd, *len bytes); the
 * programs use it for patches and bonus files. */
int applypatch_read_file(const char *path, uint8_t **data, size_t *len, ota_error *err);

/* Resolves the path in FILE or "EMMC:DEVICE:..." under RECOVERY_ROOT
 * (ota_path), leaving the rest of the spec as it is; malloc'd, NULL on
 * failure.  For callers that take device paths from scripts. */
char *applypatch_resolve_spec(const char *spec, ota_error *err);

#endif

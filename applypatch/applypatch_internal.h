/* Internal pieces of the applypatch library (applypatch*.c): file and
 * partition specs, loading with SHA-1s, and the durable writes.  Not part
 * of the API: applypatch/applypatch.h is. */
#ifndef APPLYPATCH_APPLYPATCH_INTERNAL_H
#define APPLYPATCH_APPLYPATCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "otautil/error.h"
#include "otautil/hash.h"
#include "otautil/sink.h"

#define AP_DEFAULT_CACHE_PATH "/cache/saved.file"

/* A FILE or "EMMC:DEVICE[:SIZE:SHA1...]" argument, parsed. */
typedef struct ap_spec {
    int is_emmc;
    char *path; /* the file, or the device */
    size_t n_pairs;
    uint64_t *sizes;
    uint8_t (*sha1s)[OTA_SHA1_LEN];
} ap_spec;

int ap_spec_parse(const char *text, ap_spec *out, ota_error *err);
void ap_spec_free(ap_spec *spec);

/* Contents of a file or of the matching prefix of a partition. */
typedef struct ap_contents {
    uint8_t *data;
    size_t len;
    uint8_t sha1[OTA_SHA1_LEN];
    int is_file;    /* st is valid */
    struct stat st; /* mode and owner to give a rewritten file */
} ap_contents;

/* A file: all of it.  A partition: the first SIZE:SHA1 pair (smallest size
 * first) whose SHA-1 matches; none matching is an OTA_ERR_VERIFY error.  A
 * missing file is OTA_ERR_NOTFOUND. */
int ap_load(const ap_spec *spec, ap_contents *out, ota_error *err);
void ap_contents_free(ap_contents *c);

/* Index of sha1 in list, or -1. */
int ap_find_sha1(const uint8_t sha1[OTA_SHA1_LEN], const uint8_t (*list)[OTA_SHA1_LEN], int n);
int ap_parse_sha1(const char *hex, uint8_t out[OTA_SHA1_LEN], ota_error *err);
/* A short hex form for messages (first 8 digits). */
void ap_short_sha1(const uint8_t sha1[OTA_SHA1_LEN], char out[9]);

/* ---- writing (applypatch_write.c) ------------------------------------------ */

/* Writes data to path (created or truncated), fsyncs it and its folder. */
int ap_save_file(const char *path, const uint8_t *data, size_t len, mode_t mode, ota_error *err);
/* fsyncs the folder that holds path, so a rename or unlink is durable. */
int ap_sync_parent(const char *path, ota_error *err);
/* Bytes free for an unprivileged-or-root writer in the filesystem holding
 * path (statvfs of its folder). */
int ap_free_bytes(const char *path, uint64_t *bytes, ota_error *err);
/* Makes `bytes` free in the filesystem of the cache folder (the folder
 * holding cache_path) by deleting expendable files there, as Android's
 * recovery does (applypatch_space.c says which); an OTA_ERR_NOSPACE error
 * when even that is not enough. */
int ap_make_cache_space(const char *cache_path, uint64_t bytes, ota_error *err);
/* Size of the block device or file at path. */
int ap_device_size(const char *path, uint64_t *bytes, ota_error *err);
/* Writes data at offset 0 of a partition (or a stand-in file, not
 * truncated), fsyncs, then reads it back from the device and compares. */
int ap_write_partition(const char *device, const uint8_t *data, size_t len, ota_error *err);

/* Applies any patch patch_apply() reads (told apart by magic) to src;
 * expanded chunk sources up to AP_EXPAND_LIMIT are decoded whole. */
#define AP_EXPAND_LIMIT (16u << 20)
int ap_run_patch(const uint8_t *src, size_t src_len, const uint8_t *patch, size_t patch_len,
                 const uint8_t *bonus, size_t bonus_len, ota_sink_fn sink, void *ctx, ota_error *err);

#endif

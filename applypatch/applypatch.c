/* applypatch's three operations (check, space, apply), following Android's
 * applypatch from gingerbread to KitKat, with one ordering rule that makes
 * every run resumable: before anything that could destroy the only good
 * copy of the source is written, the source is saved in the cache and
 * synced; the saved copy goes only after the target is complete and
 * verified.  A run that is killed at any point finds, next time, either the
 * finished target, or a source (original or saved) with a known SHA-1. */
#include "applypatch/applypatch.h"
#include "applypatch/applypatch_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/root.h"
#include "otautil/safe_file.h"

/* Room a file target needs beyond its size: filesystem metadata for the
 * new inode and its extents. */
#define FILE_SLACK (64u * 1024)

static char *cache_path_of(const applypatch_opts *opts, ota_error *err)
{
    if (opts && opts->cache_path) {
        char *p = strdup(opts->cache_path);
        if (!p)
            ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        return p;
    }
    return ota_path_dup(AP_DEFAULT_CACHE_PATH, err);
}

/* Loads the saved copy and tells whether it has one of the SHA-1s.  Only
 * a regular file is one: a symlink there was planted, not saved. */
static int load_saved(const char *cache, const uint8_t (*sha1s)[OTA_SHA1_LEN], int n, ap_contents *out,
                      int *index, ota_error *err)
{
    struct stat st;
    if (lstat(cache, &st) == 0 && !S_ISREG(st.st_mode))
        return ota_error_set(err, OTA_ERR_FORMAT, "%s is a %s, not a saved copy",
                             ota_path_unroot(cache), ota_file_kind(st.st_mode));
    ap_spec spec = {.path = (char *)cache};
    if (ap_load(&spec, out, err) < 0)
        return -1;
    *index = ap_find_sha1(out->sha1, sha1s, n);
    return 0;
}

static int parse_sha1_list(const char *const *hex, int n, uint8_t (**out)[OTA_SHA1_LEN], ota_error *err)
{
    *out = calloc((size_t)n + 1, sizeof **out);
    if (!*out)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++)
        if (ap_parse_sha1(hex[i], (*out)[i], err) < 0) {
            free(*out);
            *out = NULL;
            return -1;
        }
    return 0;
}

int applypatch_check(const char *file, const char *const *sha1s, int n_sha1, const applypatch_opts *opts,
                     ota_error *err)
{
    if (n_sha1 < 0)
        return ota_error_set(err, OTA_ERR_ARGS, "negative SHA-1 count");
    uint8_t(*want)[OTA_SHA1_LEN] = NULL;
    if (parse_sha1_list(sha1s, n_sha1, &want, err) < 0)
        return -1;
    ap_spec spec;
    if (ap_spec_parse(file, &spec, err) < 0) {
        free(want);
        return -1;
    }
    ap_contents c;
    ota_error first;
    ota_error_clear(&first);
    int rc = ap_load(&spec, &c, &first);
    if (rc == 0 && (n_sha1 == 0 || ap_find_sha1(c.sha1, (const uint8_t(*)[OTA_SHA1_LEN])want, n_sha1) >= 0)) {
        ap_contents_free(&c);
        goto done;
    }
    if (rc == 0) {
        char got[9];
        ap_short_sha1(c.sha1, got);
        ota_error_set(&first, OTA_ERR_VERIFY, "%s has SHA-1 %s..., none of the %d expected", file, got, n_sha1);
        ap_contents_free(&c);
    }
    /* A run killed while patching in place leaves the good bits in the
     * cache.  With no SHA-1s given, a partition's own SIZE:SHA1 pairs are
     * what the copy must match. */
    char *cache = cache_path_of(opts, err);
    rc = -1;
    if (cache) {
        const uint8_t(*accept)[OTA_SHA1_LEN] = (const uint8_t(*)[OTA_SHA1_LEN])want;
        int n_accept = n_sha1;
        if (n_sha1 == 0 && spec.is_emmc) {
            accept = (const uint8_t(*)[OTA_SHA1_LEN])spec.sha1s;
            n_accept = (int)spec.n_pairs;
        }
        int index = -1;
        ota_error ignored;
        if (n_accept > 0 && load_saved(cache, accept, n_accept, &c, &index, &ignored) == 0) {
            ap_contents_free(&c);
            rc = index >= 0 ? 0 : -1;
        }
        free(cache);
    }
    if (rc < 0 && err)
        *err = first;
done:
    ap_spec_free(&spec);
    free(want);
    return rc < 0 ? -1 : 0;
}

int applypatch_space(uint64_t bytes, const applypatch_opts *opts, ota_error *err)
{
    char *cache = cache_path_of(opts, err);
    if (!cache)
        return -1;
    int rc = ap_make_cache_space(cache, bytes, err);
    free(cache);
    return rc;
}

/* ---- apply ----------------------------------------------------------------- */

typedef struct hashing_sink {
    int fd;             /* file target, or -1 */
    ota_buf *buf;       /* partition target, or NULL */
    ota_hash hash;
    uint64_t written, limit;
} hashing_sink;

static int hashing_write(void *ctx, const void *data, size_t len, ota_error *err)
{
    hashing_sink *s = ctx;
    if (len > s->limit - s->written)
        return ota_error_set(err, OTA_ERR_VERIFY, "patch output exceeds the target size %llu",
                             (unsigned long long)s->limit);
    s->written += len;
    ota_hash_update(&s->hash, data, len);
    return s->buf ? ota_buf_append(s->buf, data, len, err) : ota_write_all(s->fd, data, len, err);
}

typedef struct job {
    ap_spec source, target;
    const char *target_arg;
    uint8_t target_sha1[OTA_SHA1_LEN];
    uint64_t target_size;
    uint8_t (*patch_sha1s)[OTA_SHA1_LEN];
    int n_patches;
    const applypatch_blob *patches, *bonus;
    char *cache;
    int in_place;
} job;

static int same_file(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return 1;
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* 1 when the target already holds the wanted content. */
static int target_done(const job *j)
{
    ap_contents c;
    memset(&c, 0, sizeof c);
    ota_error ignored;
    int done = 0;
    if (j->target.is_emmc) {
        ap_spec probe = j->target;
        uint64_t size = j->target_size;
        uint8_t(*sha1)[OTA_SHA1_LEN] = (uint8_t(*)[OTA_SHA1_LEN])j->target_sha1;
        probe.n_pairs = 1;
        probe.sizes = &size;
        probe.sha1s = sha1;
        done = ap_load(&probe, &c, &ignored) == 0;
    } else if (ap_load(&j->target, &c, &ignored) == 0) {
        done = c.len == j->target_size && memcmp(c.sha1, j->target_sha1, OTA_SHA1_LEN) == 0;
    }
    ap_contents_free(&c);
    return done;
}

/* Removes the saved source when it is one this patch set knows (so a copy
 * belonging to someone else's interrupted run is left alone). */
static void drop_saved_copy(const job *j)
{
    ap_contents c;
    int index = -1;
    ota_error ignored;
    if (load_saved(j->cache, (const uint8_t(*)[OTA_SHA1_LEN])j->patch_sha1s, j->n_patches, &c, &index, &ignored) < 0)
        return;
    ap_contents_free(&c);
    if (index >= 0 && unlink(j->cache) == 0)
        (void)ap_sync_parent(j->cache, &ignored);
}

/* Checks every filesystem the run will write to before it writes anything.
 * Sets *unlink_source when the target only fits once the source file is
 * gone (Android's fallback for full system partitions: the source then
 * lives on in the cache). */
static int check_space(const job *j, const ap_contents *src, int using_copy, int *unlink_source, ota_error *err)
{
    *unlink_source = 0;
    if (j->target.is_emmc) {
        uint64_t size;
        struct stat st;
        if (ap_device_size(j->target.path, &size, err) < 0)
            return -1;
        if (stat(j->target.path, &st) == 0 && S_ISBLK(st.st_mode) && size < j->target_size)
            return ota_error_set(err, OTA_ERR_NOSPACE, "%s holds %llu bytes, the target needs %llu", j->target.path,
                                 (unsigned long long)size, (unsigned long long)j->target_size);
    } else {
        uint64_t free_bytes, need = j->target_size + FILE_SLACK;
        struct stat st;
        if (ap_free_bytes(j->target.path, &free_bytes, err) < 0)
            return -1;
        /* A TARGET.patch left by an interrupted run is overwritten. */
        size_t n = strlen(j->target.path);
        char *tmp = malloc(n + sizeof ".patch");
        if (!tmp)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        memcpy(tmp, j->target.path, n);
        memcpy(tmp + n, ".patch", sizeof ".patch");
        if (stat(tmp, &st) == 0)
            free_bytes += (uint64_t)st.st_blocks * 512;
        free(tmp);
        if (free_bytes < need) {
            if (!(j->in_place && !using_copy && src->is_file &&
                  free_bytes + (uint64_t)src->st.st_blocks * 512 >= need))
                return ota_error_set(err, OTA_ERR_NOSPACE, "not enough space for %s: %llu bytes free, %llu needed",
                                     j->target.path, (unsigned long long)free_bytes, (unsigned long long)need);
            *unlink_source = 1;
        }
    }
    /* Last, as it may delete expendable files from the cache. */
    if (j->in_place && !using_copy) {
        /* A saved copy from an earlier run is overwritten: its room counts. */
        struct stat st;
        uint64_t reusable = stat(j->cache, &st) == 0 ? (uint64_t)st.st_blocks * 512 : 0;
        uint64_t need = src->len > reusable ? src->len - reusable : 0;
        if (ap_make_cache_space(j->cache, need, err) < 0) {
            ota_error_prefix(err, "no room to save the source before patching in place");
            return -1;
        }
    }
    return 0;
}

static int result_matches(const job *j, const uint8_t sha1[OTA_SHA1_LEN], uint64_t size, ota_error *err)
{
    if (size == j->target_size && memcmp(sha1, j->target_sha1, OTA_SHA1_LEN) == 0)
        return 0;
    char got[2 * OTA_SHA1_LEN + 1], want[2 * OTA_SHA1_LEN + 1];
    ota_hex_encode(sha1, OTA_SHA1_LEN, got);
    ota_hex_encode(j->target_sha1, OTA_SHA1_LEN, want);
    return ota_error_set(err, OTA_ERR_VERIFY,
                         "patch produced %llu bytes with SHA-1 %s, expected %llu bytes with SHA-1 %s; %s left unchanged",
                         (unsigned long long)size, got, (unsigned long long)j->target_size, want, j->target_arg);
}

static int write_file_target(const job *j, const ap_contents *src, const applypatch_blob *patch, ota_error *err)
{
    size_t n = strlen(j->target.path);
    char *tmp = malloc(n + sizeof ".patch");
    if (!tmp)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    memcpy(tmp, j->target.path, n);
    memcpy(tmp + n, ".patch", sizeof ".patch");
    hashing_sink s = {.limit = j->target_size};
    int rc = -1;
    /* A fresh file: one left by an interrupted run, or a symlink planted
     * there, is removed, never written through. */
    if (unlink(tmp) < 0 && errno != ENOENT) {
        ota_error_errno(err, "cannot remove the old %s", tmp);
        free(tmp);
        return -1;
    }
    s.fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (s.fd < 0) {
        ota_error_errno(err, "cannot create %s", tmp);
        free(tmp);
        return -1;
    }
    if (ota_hash_init(&s.hash, OTA_HASH_SHA1, err) < 0)
        goto out;
    uint8_t sha1[OTA_SHA1_LEN];
    rc = ap_run_patch(src->data, src->len, patch->data, patch->len, j->bonus ? j->bonus->data : NULL,
                      j->bonus ? j->bonus->len : 0, hashing_write, &s, err);
    if (rc < 0) {
        ota_hash_abort(&s.hash);
        goto out;
    }
    ota_hash_final(&s.hash, sha1);
    if ((rc = result_matches(j, sha1, s.written, err)) < 0)
        goto out;
    /* The new file takes the old one's permissions and owner, as Android. */
    mode_t mode = src->is_file ? src->st.st_mode & 07777 : 0644;
    if (fchmod(s.fd, mode) < 0 ||
        (src->is_file && fchown(s.fd, src->st.st_uid, src->st.st_gid) < 0 && errno != EPERM)) {
        rc = ota_error_errno(err, "cannot set the mode or owner of %s", tmp);
        goto out;
    }
    if (fsync(s.fd) < 0) {
        rc = ota_error_errno(err, "cannot sync %s", tmp);
        goto out;
    }
    if (close(s.fd) < 0) {
        s.fd = -1;
        rc = ota_error_errno(err, "cannot close %s", tmp);
        goto out;
    }
    s.fd = -1;
    if (rename(tmp, j->target.path) < 0) {
        rc = ota_error_errno(err, "cannot rename %s to %s", tmp, j->target.path);
        goto out;
    }
    rc = ap_sync_parent(j->target.path, err);
out:
    if (s.fd >= 0)
        close(s.fd);
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

static int write_partition_target(const job *j, const ap_contents *src, const applypatch_blob *patch,
                                  ota_error *err)
{
    /* Made in memory first: the partition is only touched once the result
     * is known to be right. */
    ota_buf out = {0};
    hashing_sink s = {.fd = -1, .buf = &out, .limit = j->target_size};
    if (ota_hash_init(&s.hash, OTA_HASH_SHA1, err) < 0)
        return -1;
    uint8_t sha1[OTA_SHA1_LEN];
    int rc = ap_run_patch(src->data, src->len, patch->data, patch->len, j->bonus ? j->bonus->data : NULL,
                          j->bonus ? j->bonus->len : 0, hashing_write, &s, err);
    if (rc < 0) {
        ota_hash_abort(&s.hash);
    } else {
        ota_hash_final(&s.hash, sha1);
        rc = result_matches(j, sha1, s.written, err);
    }
    if (rc == 0)
        rc = ap_write_partition(j->target.path, out.data, out.len, err);
    ota_buf_free(&out);
    return rc;
}

static int run_job(job *j, ota_error *err)
{
    if (target_done(j)) {
        if (j->in_place)
            drop_saved_copy(j);
        return 0;
    }
    ap_contents src;
    ota_error src_err;
    ota_error_clear(&src_err);
    int index = -1, using_copy = 0;
    if (ap_load(&j->source, &src, &src_err) == 0) {
        index = ap_find_sha1(src.sha1, (const uint8_t(*)[OTA_SHA1_LEN])j->patch_sha1s, j->n_patches);
        if (index < 0) {
            char got[9];
            ap_short_sha1(src.sha1, got);
            ota_error_set(&src_err, OTA_ERR_VERIFY, "source %s has SHA-1 %s..., which none of the %d patches applies to",
                          j->source.path, got, j->n_patches);
            ap_contents_free(&src);
        }
    } else {
        ota_error_prefix(&src_err, "source");
    }
    if (index < 0) {
        /* Maybe a run patching in place was interrupted: the saved copy. */
        ota_error copy_err;
        int have_copy = load_saved(j->cache, (const uint8_t(*)[OTA_SHA1_LEN])j->patch_sha1s, j->n_patches, &src,
                                   &index, &copy_err) == 0;
        if (have_copy && index < 0)
            ap_contents_free(&src);
        if (index < 0)
            return ota_error_set(err, OTA_ERR_VERIFY, "%s; %s %s", src_err.message,
                                 have_copy ? "nor does the saved copy" : "and there is no saved copy at",
                                 ota_path_unroot(j->cache));
        using_copy = 1;
    }
    int unlink_source = 0, rc = -1;
    if (check_space(j, &src, using_copy, &unlink_source, err) < 0)
        goto out;
    int saved = 0;
    if (j->in_place && !using_copy) {
        if (ap_save_file(j->cache, src.data, src.len, 0600, err) < 0) {
            ota_error_prefix(err, "saving the source before patching in place");
            goto out;
        }
        saved = 1;
    }
    if (unlink_source && (unlink(j->source.path) < 0 || ap_sync_parent(j->source.path, err) < 0)) {
        ota_error_errno(err, "cannot remove %s to make room", j->source.path);
        goto out;
    }
    const applypatch_blob *patch = &j->patches[index];
    rc = j->target.is_emmc ? write_partition_target(j, &src, patch, err) : write_file_target(j, &src, patch, err);
    if (rc == 0 && (saved || using_copy) && unlink(j->cache) == 0)
        rc = ap_sync_parent(j->cache, err);
out:
    ap_contents_free(&src);
    return rc;
}

int applypatch_apply(const char *source, const char *target, const char *target_sha1, uint64_t target_size,
                     int n_patches, const char *const *patch_sha1s, const applypatch_blob *patches,
                     const applypatch_blob *bonus, const applypatch_opts *opts, ota_error *err)
{
    if (n_patches < 0 || (n_patches > 0 && (!patch_sha1s || !patches)))
        return ota_error_set(err, OTA_ERR_ARGS, "bad patch list");
    if (strcmp(target, "-") == 0)
        target = source;
    job j;
    memset(&j, 0, sizeof j);
    j.target_arg = target;
    j.target_size = target_size;
    j.n_patches = n_patches;
    j.patches = patches;
    j.bonus = bonus;
    int rc = -1;
    if (ap_parse_sha1(target_sha1, j.target_sha1, err) < 0 ||
        parse_sha1_list(patch_sha1s, n_patches, &j.patch_sha1s, err) < 0 ||
        ap_spec_parse(source, &j.source, err) < 0 || ap_spec_parse(target, &j.target, err) < 0 ||
        !(j.cache = cache_path_of(opts, err)))
        goto out;
    if (target_size > SIZE_MAX) {
        ota_error_set(err, OTA_ERR_LIMIT, "target size %llu too large", (unsigned long long)target_size);
        goto out;
    }
    j.in_place = j.source.is_emmc == j.target.is_emmc && same_file(j.source.path, j.target.path);
    rc = run_job(&j, err);
out:
    ap_spec_free(&j.source);
    ap_spec_free(&j.target);
    free(j.patch_sha1s);
    free(j.cache);
    return rc;
}

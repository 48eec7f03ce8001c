#include "agent/download.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "otautil/safe_file.h"
#include "otautil/props.h"

/* Bytes written between syncs of the partial file; after a reboot
 * (a new boot id) only the synced part is trusted. */
#define SYNC_EVERY (8u << 20)
#define STATE_MAX (16u << 10)

typedef struct part_state {
    char url[4096];
    uint64_t expect_size;
    char expect_sha[2 * OTA_SHA256_LEN + 1];
    char validator[256];
    uint64_t size;          /* the server's file size, 0: unknown */
    char boot_id[64];
    uint64_t synced;
    uint64_t fetched;
} part_state;

typedef struct dl {
    const agent_download_spec *spec;
    char part[PATH_MAX], state_path[PATH_MAX], dir[PATH_MAX];
    part_state st;
    int fd;
    uint64_t offset;        /* bytes in the part file */
    uint64_t attempt_bytes; /* written by the current attempt */
    int restart;            /* the attempt found the download must start over */
    agent_download_stats *stats;
    agent_progress_fn progress;
    void *progress_ctx;
} dl;

int agent_free_space(const char *dir, uint64_t *bytes, ota_error *err)
{
    struct statvfs vfs;
    if (statvfs(dir, &vfs) < 0)
        return ota_error_errno(err, "cannot check the free space of %s", dir);
    *bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    return 0;
}

static void read_boot_id(char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
    if (f) {
        if (fgets(out, (int)cap, f))
            out[strcspn(out, "\n")] = '\0';
        fclose(f);
    }
}

static uint64_t get_u64(const ota_props *p, const char *key)
{
    const char *v = ota_props_get(p, key);
    return v ? strtoull(v, NULL, 10) : 0;
}

static void get_str(const ota_props *p, const char *key, char *out, size_t cap)
{
    const char *v = ota_props_get(p, key);
    snprintf(out, cap, "%s", v ? v : "");
}

/* 0 loaded, 1 absent, -1 unreadable (treated as absent by the caller). */
static int load_state(const char *path, part_state *st)
{
    ota_props p = {0};
    int rc = ota_props_load(&p, path, STATE_MAX, NULL);
    if (rc == 0) {
        get_str(&p, "url", st->url, sizeof st->url);
        st->expect_size = get_u64(&p, "expect-size");
        get_str(&p, "expect-sha256", st->expect_sha, sizeof st->expect_sha);
        get_str(&p, "validator", st->validator, sizeof st->validator);
        st->size = get_u64(&p, "size");
        get_str(&p, "boot-id", st->boot_id, sizeof st->boot_id);
        st->synced = get_u64(&p, "synced");
        st->fetched = get_u64(&p, "fetched");
    }
    ota_props_free(&p);
    return rc;
}

static int save_state(dl *d, ota_error *err)
{
    ota_props p = {0};
    char num[4][32];
    snprintf(num[0], sizeof num[0], "%" PRIu64, d->st.expect_size);
    snprintf(num[1], sizeof num[1], "%" PRIu64, d->st.size);
    snprintf(num[2], sizeof num[2], "%" PRIu64, d->st.synced);
    snprintf(num[3], sizeof num[3], "%" PRIu64, d->st.fetched);
    int rc = 0;
    if (ota_props_set(&p, "url", d->st.url, err) < 0 ||
        ota_props_set(&p, "expect-size", num[0], err) < 0 ||
        ota_props_set(&p, "expect-sha256", d->st.expect_sha, err) < 0 ||
        ota_props_set(&p, "validator", d->st.validator, err) < 0 ||
        ota_props_set(&p, "size", num[1], err) < 0 ||
        ota_props_set(&p, "boot-id", d->st.boot_id, err) < 0 ||
        ota_props_set(&p, "synced", num[2], err) < 0 ||
        ota_props_set(&p, "fetched", num[3], err) < 0)
        rc = -1;
    ota_buf text = {0};
    if (rc == 0)
        rc = ota_props_format(&p, &text, err);
    if (rc == 0)
        rc = ota_replace_file(d->state_path, text.data, text.len, 0644, err);
    ota_buf_free(&text);
    ota_props_free(&p);
    return rc;
}

void agent_download_discard(const char *dest)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s.part", dest);
    unlink(path);
    snprintf(path, sizeof path, "%s.part.state", dest);
    unlink(path);
}

/* Empties the part file: the next byte written is byte 0 of the file. */
static int start_over(dl *d, ota_error *err)
{
    if (ftruncate(d->fd, 0) < 0)
        return ota_error_errno(err, "cannot truncate %s", d->part);
    if (d->offset)
        d->stats->restarts++;
    d->offset = 0;
    d->st.synced = 0;
    d->st.validator[0] = '\0';
    d->st.size = 0;
    return 0;
}

static int check_space(dl *d, uint64_t total, ota_error *err)
{
    if (!total || total <= d->offset)
        return 0;
    uint64_t free_bytes = 0;
    if (agent_free_space(d->dir, &free_bytes, err) < 0)
        return -1;
    uint64_t need = total - d->offset + d->spec->reserve;
    if (free_bytes < need)
        return ota_error_set(err, OTA_ERR_NOSPACE,
                             "not enough space in %s for %s: %" PRIu64 " more bytes needed, %"
                             PRIu64 " free", d->dir, d->spec->url, need, free_bytes);
    return 0;
}

/* The headers of a response: decide whether its body continues the part
 * file, replaces it, or cannot be used. */
static int on_begin(void *ctx, const agent_http_response *resp, ota_error *err)
{
    dl *d = ctx;
    const char *validator = agent_http_validator(resp);
    if (resp->status == 206) {
        int same = resp->partial && resp->range_start == d->offset &&
                   (!d->st.size || !resp->size_known || resp->entity_size == d->st.size) &&
                   (!d->st.validator[0] || !validator || strcmp(validator, d->st.validator) == 0);
        if (!same) {
            d->restart = 1;
            return ota_error_set(err, OTA_ERR_IO,
                                 "%s: the server's partial answer does not continue the file "
                                 "at byte %" PRIu64 "; starting over", d->spec->url, d->offset);
        }
    } else if (start_over(d, err) < 0) { /* 200: the whole file, from byte 0 */
        return -1;
    }
    uint64_t size = resp->size_known ? resp->entity_size : 0;
    if (size && d->spec->size && size != d->spec->size)
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "%s: the server's file is %" PRIu64 " bytes, expected %" PRIu64,
                             d->spec->url, size, d->spec->size);
    if (check_space(d, size ? size : d->spec->size, err) < 0)
        return -1;
    int changed = (size && size != d->st.size) ||
                  (validator && strcmp(validator, d->st.validator) != 0);
    if (size)
        d->st.size = size;
    if (validator)
        snprintf(d->st.validator, sizeof d->st.validator, "%s", validator);
    return changed || d->offset == 0 ? save_state(d, err) : 0;
}

static int on_body(void *ctx, const void *data, size_t len, ota_error *err)
{
    dl *d = ctx;
    if (d->st.size && d->offset + len > d->st.size)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: the server sent more than %" PRIu64
                             " bytes", d->spec->url, d->st.size);
    const uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(d->fd, p + done, len - done, (off_t)(d->offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ota_error_errno(err, "cannot write %s", d->part);
        done += (size_t)n;
    }
    uint64_t before = d->offset;
    d->offset += len;
    d->attempt_bytes += len;
    d->st.fetched += len;
    if (d->offset / SYNC_EVERY != before / SYNC_EVERY) {
        if (fdatasync(d->fd) < 0)
            return ota_error_errno(err, "cannot sync %s", d->part);
        d->st.synced = d->offset;
        if (save_state(d, err) < 0)
            return -1;
    }
    if (d->progress)
        d->progress(d->progress_ctx, d->offset, d->st.size ? d->st.size : d->spec->size);
    return 0;
}

/* Picks up what an earlier run left, if it was fetching the same thing. */
static int resume_or_reset(dl *d, ota_error *err)
{
    part_state old;
    memset(&old, 0, sizeof old);
    char sha_hex[2 * OTA_SHA256_LEN + 1] = "";
    if (d->spec->sha256)
        ota_hex_encode(d->spec->sha256, OTA_SHA256_LEN, sha_hex);
    int have = load_state(d->state_path, &old) == 0 && strcmp(old.url, d->spec->url) == 0 &&
               old.expect_size == d->spec->size && strcmp(old.expect_sha, sha_hex) == 0;
    memset(&d->st, 0, sizeof d->st);
    snprintf(d->st.url, sizeof d->st.url, "%s", d->spec->url);
    d->st.expect_size = d->spec->size;
    snprintf(d->st.expect_sha, sizeof d->st.expect_sha, "%s", sha_hex);
    read_boot_id(d->st.boot_id, sizeof d->st.boot_id);
    d->fd = open(d->part, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (d->fd < 0)
        return ota_error_errno(err, "cannot open %s", d->part);
    struct stat st;
    if (fstat(d->fd, &st) < 0)
        return ota_error_errno(err, "cannot stat %s", d->part);
    uint64_t on_disk = (uint64_t)st.st_size;
    if (have) {
        /* After a reboot, bytes past the last sync may not have reached the disk. */
        uint64_t trusted = strcmp(old.boot_id, d->st.boot_id) == 0 ? on_disk
                           : old.synced < on_disk ? old.synced : on_disk;
        uint64_t limit = old.size ? old.size : d->spec->size;
        if (limit && trusted > limit)
            have = 0;
        else {
            memcpy(d->st.validator, old.validator, sizeof old.validator);
            d->st.size = old.size;
            d->st.fetched = old.fetched;
            d->st.synced = trusted < old.synced ? trusted : old.synced;
            d->offset = trusted;
            if (trusted < on_disk && ftruncate(d->fd, (off_t)trusted) < 0)
                return ota_error_errno(err, "cannot truncate %s", d->part);
        }
    }
    if (!have) {
        if (ftruncate(d->fd, 0) < 0)
            return ota_error_errno(err, "cannot truncate %s", d->part);
        d->offset = 0;
    }
    d->stats->resumed_from = d->offset;
    return save_state(d, err);
}

static int finish(dl *d, ota_error *err)
{
    uint64_t want = d->st.size ? d->st.size : d->spec->size;
    if (fsync(d->fd) < 0)
        return ota_error_errno(err, "cannot sync %s", d->part);
    if (want && d->offset != want) {
        agent_download_discard(d->spec->dest);
        return ota_error_set(err, OTA_ERR_VERIFY,
                             "%s: got %" PRIu64 " bytes, expected %" PRIu64 "; discarded",
                             d->spec->url, d->offset, want);
    }
    if (d->spec->sha256) {
        uint8_t got[OTA_SHA256_LEN];
        if (lseek(d->fd, 0, SEEK_SET) < 0 ||
            ota_hash_fd(d->fd, UINT64_MAX, OTA_HASH_SHA256, got, err) < 0)
            return -1;
        if (memcmp(got, d->spec->sha256, OTA_SHA256_LEN) != 0) {
            char a[2 * OTA_SHA256_LEN + 1], b[2 * OTA_SHA256_LEN + 1];
            ota_hex_encode(got, OTA_SHA256_LEN, a);
            ota_hex_encode(d->spec->sha256, OTA_SHA256_LEN, b);
            agent_download_discard(d->spec->dest);
            return ota_error_set(err, OTA_ERR_VERIFY,
                                 "%s: downloaded file has SHA-256 %s, expected %s; discarded",
                                 d->spec->url, a, b);
        }
    }
    if (rename(d->part, d->spec->dest) < 0)
        return ota_error_errno(err, "cannot rename %s to %s", d->part, d->spec->dest);
    unlink(d->state_path);
    return ota_sync_parent(d->spec->dest, err);
}

/* An already complete dest with the expected hash needs no download. */
static int already_there(const agent_download_spec *spec)
{
    if (!spec->sha256)
        return 0;
    struct stat st;
    if (stat(spec->dest, &st) < 0 || (spec->size && (uint64_t)st.st_size != spec->size))
        return 0;
    uint8_t got[OTA_SHA256_LEN];
    return ota_hash_file(spec->dest, OTA_HASH_SHA256, got, NULL) == 0 &&
           memcmp(got, spec->sha256, OTA_SHA256_LEN) == 0;
}

static int fetch_loop(agent_http *h, dl *d, const agent_retry_policy *policy, ota_error *err)
{
    agent_retry retry;
    agent_retry_start(&retry, policy);
    for (;;) {
        uint64_t known = d->st.size ? d->st.size : d->spec->size;
        if (known && d->offset == known)
            return 0;
        d->attempt_bytes = 0;
        d->restart = 0;
        d->stats->attempts++;
        long timeout = 0;
        if (policy->total_ms > 0) {
            timeout = policy->total_ms - (long)(agent_now_ms() - retry.start_ms);
            if (timeout <= 0)
                timeout = 1;
        }
        agent_http_request req = {
            .url = d->spec->url,
            .from = d->offset,
            .to = AGENT_HTTP_TO_END,
            .if_range = d->offset && d->st.validator[0] ? d->st.validator : NULL,
            .timeout_ms = timeout,
            .begin = on_begin,
            .body = on_body,
            .ctx = d,
        };
        agent_http_response resp;
        int transient = 0;
        uint64_t before = agent_http_received(h);
        int rc = agent_http_get(h, &req, &resp, &transient, err);
        d->stats->received += agent_http_received(h) - before;
        if (rc == 0) {
            if (!resp.size_known && !d->spec->size)
                return 0; /* the server gave no size: the end of the body is the end */
            continue;     /* loop top: complete, or the rest is still missing */
        }
        if (resp.status == 416) {
            /* Nothing at or after our offset: complete if the sizes agree, else stale. */
            if (resp.size_known && resp.entity_size == d->offset &&
                (!d->spec->size || d->spec->size == d->offset)) {
                d->st.size = d->offset;
                return 0;
            }
            if (start_over(d, err) < 0)
                return -1;
            transient = 1;
        }
        if (d->restart) {
            if (start_over(d, err) < 0)
                return -1;
            transient = 1;
        }
        long delay;
        if (!transient || agent_retry_next(&retry, d->attempt_bytes > 0, &delay) < 0) {
            if (transient)
                ota_error_prefix(err, "giving up after %d attempts", d->stats->attempts);
            return -1;
        }
        agent_sleep_ms(delay);
    }
}

int agent_download(agent_http *h, const agent_download_spec *spec,
                   const agent_retry_policy *policy, agent_progress_fn progress,
                   void *progress_ctx, agent_download_stats *stats, ota_error *err)
{
    agent_download_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (already_there(spec)) {
        stats->already_complete = 1;
        return 0;
    }
    unlink(spec->dest);
    dl d = {.spec = spec, .fd = -1, .stats = stats, .progress = progress,
            .progress_ctx = progress_ctx};
    if ((size_t)snprintf(d.part, sizeof d.part, "%s.part", spec->dest) >= sizeof d.part ||
        (size_t)snprintf(d.state_path, sizeof d.state_path, "%s.part.state", spec->dest) >=
            sizeof d.state_path)
        return ota_error_set(err, OTA_ERR_LIMIT, "path too long: %s", spec->dest);
    const char *slash = strrchr(spec->dest, '/');
    if (!slash)
        snprintf(d.dir, sizeof d.dir, ".");
    else if (slash == spec->dest)
        snprintf(d.dir, sizeof d.dir, "/");
    else
        snprintf(d.dir, sizeof d.dir, "%.*s", (int)(slash - spec->dest), spec->dest);
    int rc = resume_or_reset(&d, err);
    if (rc == 0)
        rc = check_space(&d, spec->size, err);
    if (rc == 0 && progress)
        progress(progress_ctx, d.offset, spec->size);
    if (rc == 0)
        rc = fetch_loop(h, &d, policy, err);
    if (rc == 0)
        rc = finish(&d, err);
    else if (d.fd >= 0 && err && err->code != OTA_ERR_VERIFY)
        save_state(&d, NULL); /* keep the count of fetched bytes for the next run */
    stats->fetched_total = d.st.fetched;
    if (d.fd >= 0)
        close(d.fd);
    if (rc < 0 && err && err->code == OTA_ERR_VERIFY)
        agent_download_discard(spec->dest);
    return rc;
}

int agent_download_adopt(const agent_download_spec *spec, ota_error *err)
{
    dl d = {.spec = spec, .fd = -1};
    agent_download_stats stats;
    d.stats = &stats;
    snprintf(d.part, sizeof d.part, "%s.part", spec->dest);
    snprintf(d.state_path, sizeof d.state_path, "%s.part.state", spec->dest);
    d.fd = open(d.part, O_RDWR | O_CLOEXEC);
    if (d.fd < 0)
        return ota_error_errno(err, "%s was not written", d.part);
    struct stat st;
    int rc = fstat(d.fd, &st) < 0 ? ota_error_errno(err, "cannot stat %s", d.part) : 0;
    if (rc == 0) {
        d.offset = (uint64_t)st.st_size;
        rc = finish(&d, err);
    }
    close(d.fd);
    return rc;
}

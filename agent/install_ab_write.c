/* Writing one partition of an A/B package: the block engine runs its
 * transfer list with the inactive slot as target and, for incrementals,
 * the running slot as the (read-only) source; the result is read back
 * against the package's SHA-256.  A single-copy partition has no second
 * copy to fall back to, so its old contents are saved first
 * (STATE_DIR/ab/NAME.backup, written whole or not at all) and put back
 * when its write or read-back fails, or when a killed install of another
 * package left it half-written. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/install_ab.h"
#include "blockimg/engine.h"
#include "otautil/safe_file.h"

#define BACKUP_SUFFIX ".backup"
#define PROGRESS_SUFFIX ".last_command"

/* j->dir leaves room for any NAME.SUFFIX (install_ab.h). */
static void part_file(const ab_job *j, const char *name, const char *suffix, char *out,
                      size_t cap)
{
    if (snprintf(out, cap, "%s/%s%s", j->dir, name, suffix) >= (int)cap)
        out[0] = '\0';
}

int ab_check_source(ab_job *j, const ab_part *p, ota_error *err)
{
    const ota_ab_partition *r = p->rec;
    if (!r->source_ranges)
        return 0;
    bi_fd_dev src;
    bi_rangeset rs = {0};
    uint8_t got[OTA_SHA256_LEN];
    if (agent_slot_open(&j->slots, r->name, j->slots.current, 0, &src, err) < 0)
        return -1;
    int rc = bi_rangeset_parse(&rs, r->source_ranges, strlen(r->source_ranges), 0, err);
    if (rc == 0)
        rc = bi_range_hash(&src.dev, &rs, OTA_HASH_SHA256, got, err);
    if (rc == 0 && memcmp(got, r->source_sha256, sizeof got) != 0)
        rc = ota_error_set(err, OTA_ERR_VERIFY, "partition %s of the running slot (%s) is not "
                           "the build this incremental package updates (its blocks differ)",
                           r->name, src.path);
    bi_rangeset_free(&rs);
    bi_fd_dev_close(&src);
    return rc;
}

/* ---- single-copy backups ------------------------------------------------- */

typedef struct dev_range {
    const bi_dev *dev;
    uint64_t bytes;
} dev_range;

static int copy_dev(void *ctx, int fd, ota_error *err)
{
    const dev_range *d = ctx;
    uint8_t *buf = malloc(BI_CHUNK);
    if (!buf)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    int rc = 0;
    for (uint64_t at = 0; rc == 0 && at < d->bytes;) {
        size_t n = d->bytes - at < BI_CHUNK ? (size_t)(d->bytes - at) : BI_CHUNK;
        rc = d->dev->ops->read(d->dev->ctx, at, buf, n, err);
        if (rc == 0)
            rc = ota_write_all(fd, buf, n, err);
        at += n;
    }
    free(buf);
    return rc;
}

/* Saves what the write will cover, unless a backup is already there (a
 * resumed install: the saved one is the original). */
static int backup(ab_job *j, const ab_part *p, const bi_dev *dev, ota_error *err)
{
    char name[OTA_AB_NAME_MAX + 16], path[PATH_MAX];
    snprintf(name, sizeof name, "%s" BACKUP_SUFFIX, p->rec->name);
    part_file(j, p->rec->name, BACKUP_SUFFIX, path, sizeof path);
    if (access(path, F_OK) == 0)
        return 0;
    dev_range d = {dev, p->tl.total_blocks * BI_BLOCK_SIZE};
    if (d.bytes > dev->size)
        d.bytes = dev->size;
    int dir = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return ota_error_errno(err, "cannot open %s", j->dir);
    int rc = ota_write_file_at(dir, name, 0600, copy_dev, &d, path, err);
    close(dir);
    if (rc == 0)
        agent_log(j->a, "saved %s (%llu bytes) before writing it", dev->name,
                  (unsigned long long)d.bytes);
    return rc;
}

/* Writes the backup at path back onto dev and removes it. */
static int restore(ab_job *j, const char *path, const bi_dev *dev, ota_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open backup %s", path);
    uint8_t *buf = malloc(BI_CHUNK);
    int rc = buf ? 0 : ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (uint64_t at = 0; rc == 0;) {
        ssize_t n = read(fd, buf, BI_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = ota_error_errno(err, "cannot read backup %s", path);
        else if (n == 0)
            break;
        else
            rc = dev->ops->write(dev->ctx, at, buf, (size_t)n, err);
        at += n > 0 ? (uint64_t)n : 0;
    }
    free(buf);
    close(fd);
    if (rc == 0)
        rc = dev->ops->sync(dev->ctx, err);
    if (rc == 0) {
        unlink(path);
        agent_log(j->a, "restored %s from its backup", dev->name);
    }
    return rc;
}

int ab_restore_abandoned(ab_job *j, ota_error *err)
{
    DIR *d = opendir(j->dir);
    if (!d)
        return errno == ENOENT ? 0 : ota_error_errno(err, "cannot read %s", j->dir);
    int rc = 0;
    struct dirent *e;
    size_t sl = strlen(BACKUP_SUFFIX);
    while (rc == 0 && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n <= sl || e->d_name[0] == '.' || strcmp(e->d_name + n - sl, BACKUP_SUFFIX) != 0)
            continue;
        char name[OTA_AB_NAME_MAX], path[PATH_MAX];
        snprintf(name, sizeof name, "%.*s", (int)(n - sl), e->d_name);
        part_file(j, name, BACKUP_SUFFIX, path, sizeof path);
        if (!ota_ab_partition_name_ok(name)) {
            unlink(path);
            continue;
        }
        bi_fd_dev dev;
        rc = agent_slot_open(&j->slots, name, AGENT_SINGLE_COPY, 1, &dev, err);
        if (rc == 0) {
            agent_log(j->a, "an earlier install left %s half-written", dev.path);
            rc = restore(j, path, &dev.dev, err);
            bi_fd_dev_close(&dev);
        }
    }
    closedir(d);
    return rc;
}

/* ---- the write ------------------------------------------------------------- */

static void on_progress(void *ctx, uint64_t written, uint64_t total)
{
    (void)total;
    ab_job *j = ctx;
    agent_progress(j->a, (j->done_blocks + written) * BI_BLOCK_SIZE,
                   j->total_blocks * BI_BLOCK_SIZE);
}

static const ota_zip_entry *entry_of(const ab_job *j, const char *name, const char *suffix,
                                     char *entry, size_t cap)
{
    snprintf(entry, cap, "%s%s", name, suffix);
    return ota_zip_find(j->zip, entry);
}

/* Runs p's list from the package onto tgt (reading src when it does). */
static int apply(ab_job *j, const ab_part *p, const bi_dev *tgt, const bi_dev *src,
                 ota_error *err)
{
    const char *name = p->rec->name;
    char entry[OTA_AB_NAME_MAX + 32], progress[PATH_MAX], stash[PATH_MAX];
    part_file(j, name, PROGRESS_SUFFIX, progress, sizeof progress);
    part_file(j, name, ".stash", stash, sizeof stash);
    bi_apply_opts o = {
        .target = tgt,
        .source = src,
        .stash_dir = src ? NULL : stash,
        .last_command = progress,
        .progress = on_progress,
        .cb_ctx = j,
    };
    int rc = 0;
    if (entry_of(j, name, OTA_AB_NEW_BR_SUFFIX, entry, sizeof entry) ||
        entry_of(j, name, OTA_AB_NEW_SUFFIX, entry, sizeof entry))
        rc = (o.new_data = bi_reader_new_data(j->zip, entry, err)) ? 0 : -1;
    const ota_zip_entry *pe = entry_of(j, name, OTA_AB_PATCH_SUFFIX, entry, sizeof entry);
    if (rc == 0 && pe && pe->size > 0)
        rc = (o.patch_data = bi_patch_data_zip(j->zip, pe, err)) ? 0 : -1;
    if (rc == 0)
        rc = bi_apply(&p->tl, &o, NULL, err);
    bi_reader_close(o.new_data);
    bi_patch_data_close(o.patch_data);
    rmdir(stash);
    return rc;
}

static int read_back(const ab_part *p, const bi_dev *tgt, ota_error *err)
{
    uint8_t got[OTA_SHA256_LEN];
    if (bi_dev_hash_prefix(tgt, p->rec->size, OTA_HASH_SHA256, got, err) < 0)
        return -1;
    if (memcmp(got, p->rec->sha256, sizeof got) != 0)
        return ota_error_set(err, OTA_ERR_VERIFY, "read-back of %s: its first %llu bytes are "
                             "not the image the package describes", tgt->name,
                             (unsigned long long)p->rec->size);
    return 0;
}

int ab_write_partition(ab_job *j, ab_part *p, ota_error *err)
{
    const ota_ab_partition *r = p->rec;
    int slot = r->slotted ? (int)j->target : AGENT_SINGLE_COPY;
    bi_fd_dev tgt, src;
    int have_src = 0;
    if (agent_slot_open(&j->slots, r->name, slot, 1, &tgt, err) < 0)
        return -1;
    int rc = 0;
    if (r->slotted && p->reads_source) {
        rc = agent_slot_open(&j->slots, r->name, j->slots.current, 0, &src, err);
        have_src = rc == 0;
    }
    if (rc == 0 && !r->slotted)
        rc = backup(j, p, &tgt.dev, err);
    agent_log(j->a, "writing %s (%s)", r->name, tgt.path);
    if (rc == 0)
        rc = apply(j, p, &tgt.dev, have_src ? &src.dev : NULL, err);
    if (rc == 0)
        rc = read_back(p, &tgt.dev, err);
    if (rc < 0 && !r->slotted) {
        char path[PATH_MAX];
        ota_error why = *err, undo;
        part_file(j, r->name, BACKUP_SUFFIX, path, sizeof path);
        char progress[PATH_MAX];
        part_file(j, r->name, PROGRESS_SUFFIX, progress, sizeof progress);
        if (access(path, F_OK) == 0 && restore(j, path, &tgt.dev, &undo) == 0) {
            unlink(progress);
            ota_error_set(err, why.code, "%s (its old contents were put back)", why.message);
        } else if (access(path, F_OK) == 0) {
            agent_log(j->a, "cannot restore %s: %s", tgt.path, undo.message);
        }
    }
    if (have_src)
        bi_fd_dev_close(&src);
    bi_fd_dev_close(&tgt);
    return rc;
}

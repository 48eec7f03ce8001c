#include "recovery/wipe.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "otautil/root.h"
#include "otautil/spawn.h"
#include "recovery/log_files.h"
#include "recovery/mounts.h"

#define FS_BLOCK 4096

long long recovery_fs_size(uint64_t device_size, long long length)
{
    long long size;
    if (device_size > (uint64_t)LLONG_MAX)
        return -1;
    if (length > 0)
        size = length < (long long)device_size ? length : (long long)device_size;
    else if (length < 0)
        size = length == LLONG_MIN || -length >= (long long)device_size
                   ? 0 : (long long)device_size + length;
    else
        size = (long long)device_size;
    size -= size % FS_BLOCK;
    return size > 0 ? size : -1;
}

static int device_size(const char *dev, uint64_t *size, ota_error *err)
{
    int fd = open(dev, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open %s", dev);
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0) {
        ota_error_errno(err, "cannot find the size of %s", dev);
        close(fd);
        return -1;
    }
    close(fd);
    *size = (uint64_t)end;
    return 0;
}

typedef struct log_lines {
    recovery_log *log;
    char prefix[64];
} log_lines;

static void log_line(void *arg, const char *line)
{
    log_lines *l = arg;
    recovery_log_text(l->log, l->prefix, line);
}

/* Runs argv to its end, its output into the log (each line after the
 * program's name); -1 unless it exited with status 0. */
static int run_logged(char *const argv[], recovery_log *log, ota_error *err)
{
    log_lines l = {.log = log};
    const char *base = strrchr(argv[0], '/');
    snprintf(l.prefix, sizeof l.prefix, "%s: ", base ? base + 1 : argv[0]);
    ota_spawn_opts opts = {.out = OTA_SPAWN_PIPE, .err = OTA_SPAWN_PIPE};
    int status;
    if (ota_run(argv, &opts, -1, log_line, &l, &status, err) < 0)
        return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    char how[96];
    ota_describe_exit(status, how, sizeof how);
    return ota_error_set(err, OTA_ERR_IO, "%s %s", argv[0], how);
}

int recovery_format_volume(const recovery_ctx *ctx, const char *mount_point, ota_error *err)
{
    const ota_fstab_entry *e = ota_fstab_find(ctx->fstab, mount_point);
    if (!e)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "cannot format %s: the fstab has no such volume",
                             mount_point);
    if (strcmp(e->fs_type, "ext4") != 0 && strcmp(e->fs_type, "ext3") != 0 &&
        strcmp(e->fs_type, "ext2") != 0)
        return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                             "cannot format %s: its type %s is not ext2/ext3/ext4",
                             mount_point, e->fs_type);
    if (recovery_unmount(ctx, mount_point, err) < 0)
        return -1;
    char dev[PATH_MAX];
    uint64_t size = 0;
    if (ota_path_at(ctx->root, e->device, dev, sizeof dev, err) < 0 ||
        device_size(dev, &size, err) < 0)
        return -1;
    long long fs_size = recovery_fs_size(size, e->length);
    if (fs_size < 0)
        return ota_error_set(err, OTA_ERR_NOSPACE,
                             "cannot format %s: %s (%llu bytes) leaves no room with length=%lld",
                             mount_point, e->device, (unsigned long long)size, e->length);
    char blocks[32];
    snprintf(blocks, sizeof blocks, "%lld", fs_size / FS_BLOCK);
    char type[16];
    snprintf(type, sizeof type, "%s", e->fs_type);
    char *argv[] = { "mke2fs", "-F", "-q", "-t", type, "-b", "4096", dev, blocks, NULL };
    recovery_log_printf(ctx->log, "formatting %s: mke2fs -t %s %s (%s blocks of 4096)", mount_point,
                        type, e->device, blocks);
    if (run_logged(argv, ctx->log, err) < 0) {
        ota_error_prefix(err, "cannot format %s", mount_point);
        return -1;
    }
    return 0;
}

int recovery_wipe_cache(const recovery_ctx *ctx, ota_error *err)
{
    if (!ota_fstab_find(ctx->fstab, "/cache")) {
        /* Devices without a cache partition (Android 8 and later) have
         * nothing to wipe here. */
        recovery_log_printf(ctx->log, "no /cache volume in the fstab: nothing to wipe");
        return 0;
    }
    char dir[PATH_MAX];
    if (ota_path_at(ctx->root, RECOVERY_LOG_DIR, dir, sizeof dir, err) < 0)
        return -1;
    recovery_log_stash stash;
    /* The logs are read from the mounted cache; if it cannot be mounted
     * there is nothing to keep. */
    int mounted = recovery_mount(ctx, "/cache", NULL) == 0;
    if (mounted && recovery_logs_stash(dir, &stash, err) < 0)
        return -1;
    if (!mounted)
        stash = (recovery_log_stash){ 0 };
    int rc = recovery_format_volume(ctx, "/cache", err);
    if (rc == 0)
        rc = recovery_mount(ctx, "/cache", err);
    if (rc == 0)
        rc = recovery_logs_restore(dir, &stash, err);
    recovery_logs_stash_free(&stash);
    return rc;
}

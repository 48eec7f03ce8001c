#include "recovery/wipe.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "otautil/mkfs.h"
#include "otautil/root.h"
#include "otautil/spawn.h"
#include "recovery/log_files.h"
#include "recovery/mounts.h"

/* The size of the device at dev (resolved), as the updater's format sees it. */
static int device_size(const char *dev, uint64_t *size, ota_error *err)
{
    int fd = open(dev, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open %s", dev);
    int rc = ota_fd_size(fd, size, err);
    close(fd);
    if (rc < 0)
        ota_error_prefix(err, "%s", dev);
    return rc;
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
    /* Everything is checked before the volume is touched: the size rule
     * and the command are the updater's format() ones (otautil/mkfs.h). */
    char dev[PATH_MAX];
    uint64_t size = 0;
    ota_mke2fs_opts opts = {.fs_type = e->fs_type, .target = dev};
    ota_mke2fs_cmd cmd;
    if (ota_path_at(ctx->root, e->device, dev, sizeof dev, err) < 0 ||
        device_size(dev, &size, err) < 0 || ota_fs_size(size, e->length, &opts.bytes, err) < 0 ||
        ota_mke2fs_command(&cmd, &opts, err) < 0) {
        ota_error_prefix(err, "cannot format %s (%s, length=%lld)", mount_point, e->device,
                         e->length);
        return -1;
    }
    if (recovery_unmount(ctx, mount_point, err) < 0)
        return -1;
    recovery_log_printf(ctx->log, "formatting %s: mke2fs -t %s %s (%s blocks of %u)",
                        mount_point, e->fs_type, e->device, cmd.blocks, OTA_FS_BLOCK);
    if (run_logged(cmd.argv, ctx->log, err) < 0) {
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

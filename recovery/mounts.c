#include "recovery/mounts.h"

#include <errno.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "otautil/root.h"
#include "recovery/log_files.h"

int recovery_is_mounted(const char *resolved_mount_point)
{
    /* The kernel lists canonical paths; RECOVERY_ROOT may contain symlinks
     * (/tmp on some hosts), and mounting twice would stack mounts. */
    char canonical[PATH_MAX];
    if (realpath(resolved_mount_point, canonical))
        resolved_mount_point = canonical;
    FILE *f = setmntent("/proc/self/mounts", "re");
    if (!f)
        return 0;
    int found = 0;
    struct mntent *m;
    while (!found && (m = getmntent(f)) != NULL)
        found = strcmp(m->mnt_dir, resolved_mount_point) == 0;
    endmntent(f);
    return found;
}

static int is_mountable_type(const char *type)
{
    static const char *const raw[] = { "emmc", "mtd", "bml", "swap", "ramdisk", NULL };
    for (int i = 0; raw[i]; i++)
        if (strcmp(type, raw[i]) == 0)
            return 0;
    return 1;
}

static int mount_entry(const char *root, const ota_fstab_entry *e, ota_error *err)
{
    char where[PATH_MAX], dev[PATH_MAX];
    if (ota_path_at(root, e->mount_point, where, sizeof where, err) < 0)
        return -1;
    if (recovery_is_mounted(where))
        return 0;
    if (strcmp(e->fs_type, "ramdisk") == 0)
        return 0; /* /tmp and the like: part of the recovery image itself */
    if (!is_mountable_type(e->fs_type))
        return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                             "%s is a raw %s partition, not a filesystem to mount",
                             e->mount_point, e->fs_type);
    if (recovery_mkdirs(where, 0755, err) < 0)
        return -1;
    const char *devices[2] = { e->device, e->device2 };
    int saved = 0;
    for (int i = 0; i < 2 && devices[i]; i++) {
        if (ota_path_at(root, devices[i], dev, sizeof dev, err) < 0)
            return -1;
        if (mount(dev, where, e->fs_type, e->mnt_flags, e->mnt_options) == 0)
            return 0;
        if (i == 0)
            saved = errno;
    }
    errno = saved;
    return ota_error_errno(err, "cannot mount %s (%s, %s) on %s", e->device, e->fs_type,
                           dev, e->mount_point);
}

int recovery_mount(const recovery_ctx *ctx, const char *mount_point, ota_error *err)
{
    const ota_fstab_entry *e = ota_fstab_find(ctx->fstab, mount_point);
    if (!e)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "the fstab has no %s", mount_point);
    return mount_entry(ctx->root, e, err);
}

int recovery_mount_for_path(const recovery_ctx *ctx, const char *path, ota_error *err)
{
    const ota_fstab_entry *e = ota_fstab_for_path(ctx->fstab, path);
    if (!e || strcmp(e->mount_point, "/") == 0)
        return 0;
    if (mount_entry(ctx->root, e, err) < 0) {
        ota_error_prefix(err, "cannot reach %s", path);
        return -1;
    }
    return 0;
}

int recovery_unmount(const recovery_ctx *ctx, const char *mount_point, ota_error *err)
{
    const ota_fstab_entry *e = ota_fstab_find(ctx->fstab, mount_point);
    char where[PATH_MAX];
    if (ota_path_at(ctx->root, e ? e->mount_point : mount_point, where, sizeof where, err) < 0)
        return -1;
    if (!recovery_is_mounted(where))
        return 0;
    if (umount(where) < 0)
        return ota_error_errno(err, "cannot unmount %s", mount_point);
    return 0;
}

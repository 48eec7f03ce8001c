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

/* Mounts e with its fstab flags plus extra (MS_RDONLY); with MS_REMOUNT
 * in extra, changes the flags of the mount already there. */
static int mount_entry(const char *root, const ota_fstab_entry *e, unsigned long extra,
                       ota_error *err)
{
    char where[PATH_MAX], dev[PATH_MAX];
    if (ota_path_at(root, e->mount_point, where, sizeof where, err) < 0)
        return -1;
    int mounted = recovery_is_mounted(where);
    if (mounted != !!(extra & MS_REMOUNT))
        return 0; /* mounted already, or nothing to remount */
    if (strcmp(e->fs_type, "ramdisk") == 0)
        return 0; /* /tmp and the like: part of the recovery image itself */
    if (!is_mountable_type(e->fs_type))
        return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                             "%s is a raw %s partition, not a filesystem to mount",
                             e->mount_point, e->fs_type);
    if (!mounted && recovery_mkdirs(where, 0755, err) < 0)
        return -1;
    const char *devices[2] = { e->device, e->device2 };
    int saved = 0;
    for (int i = 0; i < 2 && devices[i]; i++) {
        if (ota_path_at(root, devices[i], dev, sizeof dev, err) < 0)
            return -1;
        if (mount(dev, where, e->fs_type, e->mnt_flags | extra, e->mnt_options) == 0)
            return 0;
        if (extra & MS_REMOUNT)
            break; /* the one mounted there */
        if (i == 0)
            saved = errno;
    }
    if (extra & MS_REMOUNT)
        saved = errno;
    errno = saved;
    return ota_error_errno(err, "cannot %s %s (%s, %s) on %s",
                           extra & MS_REMOUNT ? "remount writable" : "mount", e->device,
                           e->fs_type, dev, e->mount_point);
}

static int mount_by_point(const recovery_ctx *ctx, const char *mount_point, unsigned long extra,
                          ota_error *err)
{
    const ota_fstab_entry *e = ota_fstab_find(ctx->fstab, mount_point);
    if (!e)
        return ota_error_set(err, OTA_ERR_NOTFOUND, "the fstab has no %s", mount_point);
    return mount_entry(ctx->root, e, extra, err);
}

int recovery_mount(const recovery_ctx *ctx, const char *mount_point, ota_error *err)
{
    return mount_by_point(ctx, mount_point, 0, err);
}

int recovery_mount_readonly(const recovery_ctx *ctx, const char *mount_point, ota_error *err)
{
    return mount_by_point(ctx, mount_point, MS_RDONLY, err);
}

int recovery_make_writable(const recovery_ctx *ctx, const char *mount_point, ota_error *err)
{
    const ota_fstab_entry *e = ota_fstab_find(ctx->fstab, mount_point);
    if (e && !is_mountable_type(e->fs_type))
        return 0;
    if (e && strcmp(e->fs_type, "ramdisk") == 0)
        return 0;
    if (mount_by_point(ctx, mount_point, MS_REMOUNT, err) < 0)
        return -1;
    return mount_by_point(ctx, mount_point, 0, err); /* when it was not mounted at all */
}

const char *recovery_volume_of(const recovery_ctx *ctx, const char *path)
{
    const ota_fstab_entry *e = ota_fstab_for_path(ctx->fstab, path);
    if (!e || strcmp(e->mount_point, "/") == 0)
        return NULL;
    return e->mount_point;
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

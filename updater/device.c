/* Block devices: partitions by fstab name, flushing, and the refusal of
 * raw NAND (MTD) partitions. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "updater/builtins.h"

char *upd_partition_device(edify_state *st, const char *partition)
{
    /* Device paths are used as they are; anything else names a mount point
     * in the fstab ("boot" and "/boot" alike). */
    if (strncmp(partition, "/dev/", 5) == 0)
        return upd_path(st, partition);
    const ota_fstab *fstab = upd_fstab(st);
    if (!fstab)
        return NULL;
    const ota_fstab_entry *e = ota_fstab_find(fstab, partition);
    if (!e) {
        edify_fail_code(st, OTA_ERR_NOTFOUND,
                        "partition \"%s\" is neither a /dev path nor a mount point in "
                        "/etc/recovery.fstab", partition);
        return NULL;
    }
    return upd_path(st, e->device);
}

int upd_flush_device(int fd, const char *what, ota_error *err)
{
    if (fsync(fd) < 0)
        return ota_error_errno(err, "fsync of %s failed", what);
    /* Without this the read-back would come from the page cache and prove
     * nothing about the device. */
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISBLK(sb.st_mode))
        ioctl(fd, BLKFLSBUF, 0);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    return 0;
}

edify_value *upd_fail_mtd(edify_state *st, const edify_call *call, char *const *args,
                          const ota_fs_call *c)
{
    char msg[OTA_ERROR_MAX];
    /* The fstab only improves the suggestion: a missing one is no reason
     * for another message (the failure upd_fstab records is replaced). */
    ota_fs_call_refusal(call->name, call->argc, (const char *const *)args, c, upd_fstab(st), msg,
                        sizeof msg);
    return edify_fail_code(st, OTA_ERR_UNSUPPORTED, "%s", msg);
}

edify_value *upd_fail_missing_device(edify_state *st, const char *what, const char *location,
                                     const char *mount_point)
{
    /* The fstab only sharpens the message; without one the plain reason
     * stands (the failure upd_fstab records is replaced). */
    const ota_fstab *fstab = mount_point && *mount_point ? upd_fstab(st) : NULL;
    const ota_fstab_entry *e = fstab ? ota_fstab_find(fstab, mount_point) : NULL;
    if (!mount_point || !*mount_point || !fstab)
        return edify_fail_code(st, OTA_ERR_NOTFOUND, "cannot %s: %s does not exist on this device",
                               what, location);
    if (!e)
        return edify_fail_code(st, OTA_ERR_NOTFOUND,
                               "cannot %s: %s does not exist, and /etc/recovery.fstab has no %s "
                               "entry: the package expects a %s partition this device lacks "
                               "(or its fstab misses it)",
                               what, location, mount_point, mount_point);
    if (strcmp(e->device, location) != 0)
        return edify_fail_code(st, OTA_ERR_NOTFOUND,
                               "cannot %s: %s does not exist; this device's /etc/recovery.fstab "
                               "has %s on %s (the package was made for another layout)",
                               what, location, mount_point, e->device);
    return edify_fail_code(st, OTA_ERR_NOTFOUND,
                           "cannot %s: %s, the device of %s in /etc/recovery.fstab, does not "
                           "exist (a missing /dev/block/by-name link?)",
                           what, location, mount_point);
}

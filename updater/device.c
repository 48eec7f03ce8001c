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

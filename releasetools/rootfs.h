/* A directory tree on the host (a device maker's rootfs, a ramdisk) as a
 * sorted list of entries with what the target-files needs of each: kind,
 * owner, mode, symlink target, capabilities and SELinux label (from the
 * security.capability and security.selinux attributes). */
#ifndef RELEASETOOLS_ROOTFS_H
#define RELEASETOOLS_ROOTFS_H

#include <stddef.h>
#include <sys/types.h>

#include "otautil/error.h"
#include "releasetools/fs_config.h"

typedef struct rt_rootfs_entry {
    char *rel;          /* path below the top, "" for the top itself */
    char *full;         /* path on the host */
    mode_t type;        /* S_IFREG, S_IFDIR or S_IFLNK */
    rt_meta meta;
    char *link_target;  /* symlinks */
    dev_t dev;          /* with ino: which entries are hard links of one file */
    ino_t ino;
    nlink_t nlink;
} rt_rootfs_entry;

typedef struct rt_rootfs {
    rt_rootfs_entry *entries; /* sorted by rel; entries[0] is the top */
    size_t count, cap;
} rt_rootfs;

/* Walks dir (without following symlinks).  Device nodes, FIFOs and sockets
 * are refused, naming the file: a partition image cannot carry them here. */
int rt_rootfs_scan(const char *dir, rt_rootfs *fs, ota_error *err);
void rt_rootfs_free(rt_rootfs *fs);

#endif

/* Mounting the volumes of the recovery fstab (otautil/fstab.h), with every
 * path resolved under the context's root (RECOVERY_ROOT).  Recovery mounts only what it needs:
 * /cache for its command file and logs, and the volume holding the package;
 * it never mounts the partitions an update writes.  Until a package has
 * verified (or been refused) both are mounted read-only, so a refused
 * package leaves every partition byte-identical, down to the superblock of
 * the filesystem it lies on. */
#ifndef RECOVERY_MOUNTS_H
#define RECOVERY_MOUNTS_H

#include "recovery/context.h"

/* Non-zero when a filesystem is mounted exactly at the resolved path. */
int recovery_is_mounted(const char *resolved_mount_point);

/* Mounts the entry for mount_point ("/cache") unless it is mounted already.
 * Creates the mount point.  Fails, naming the device and mount point, for
 * raw partitions (emmc, mtd) and for failed mounts; OTA_ERR_NOTFOUND when
 * the fstab has no such entry. */
int recovery_mount(const recovery_ctx *ctx, const char *mount_point, ota_error *err);

/* The same, read-only (MS_RDONLY added to the fstab's flags). */
int recovery_mount_readonly(const recovery_ctx *ctx, const char *mount_point, ota_error *err);

/* Makes the entry's filesystem writable: remounted with the fstab's own
 * flags when it is mounted, mounted when it is not.  Raw partitions and
 * ramdisks need nothing (0). */
int recovery_make_writable(const recovery_ctx *ctx, const char *mount_point, ota_error *err);

/* The mount point of the volume holding path (the entry whose mount point
 * is the longest prefix of path), or NULL when it is on no fstab volume
 * but the root. */
const char *recovery_volume_of(const recovery_ctx *ctx, const char *path);

/* Unmounts the entry's mount point if mounted.  0 when it is not mounted
 * afterwards. */
int recovery_unmount(const recovery_ctx *ctx, const char *mount_point, ota_error *err);

#endif

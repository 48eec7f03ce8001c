/* Mounting the volumes of the recovery fstab (otautil/fstab.h), with every
 * path resolved under the context's root (RECOVERY_ROOT).  Recovery mounts only what it needs:
 * /cache for its command file and logs, and the volume holding the package;
 * it never mounts the partitions an update writes, so a refused package
 * leaves them exactly as they were. */
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

/* Mounts the volume holding path: the entry whose mount point is the
 * longest prefix of path.  A path on no fstab volume needs nothing (0). */
int recovery_mount_for_path(const recovery_ctx *ctx, const char *path, ota_error *err);

/* Unmounts the entry's mount point if mounted.  0 when it is not mounted
 * afterwards. */
int recovery_unmount(const recovery_ctx *ctx, const char *mount_point, ota_error *err);

#endif

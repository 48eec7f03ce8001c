/* Formatting /data and /cache (--wipe_data, --wipe_cache and the updater's
 * wipe_cache command) with mke2fs, on the devices the fstab names.  A cache
 * wipe keeps recovery's logs (/cache/recovery/last_*), as Android does, so
 * the user can still read what happened before it. */
#ifndef RECOVERY_WIPE_H
#define RECOVERY_WIPE_H

#include <stdint.h>

#include "recovery/context.h"

/* The size in bytes the new filesystem gets on a device of device_size
 * bytes given the fstab's length= (>0: that size, <0: leave that much free
 * at the end for a crypto footer, 0: all), rounded down to whole 4 KiB
 * blocks.  -1 when nothing would be left. */
long long recovery_fs_size(uint64_t device_size, long long length);

/* Unmounts and formats the entry for mount_point (ext2/ext3/ext4 only); the
 * mke2fs output goes to the log.  The volume is left unmounted. */
int recovery_format_volume(const recovery_ctx *ctx, const char *mount_point, ota_error *err);

/* Formats /cache keeping the last_* logs of /cache/recovery, and mounts it
 * again so logging can go on.  Without a /cache volume there is nothing to
 * do (0). */
int recovery_wipe_cache(const recovery_ctx *ctx, ota_error *err);

#endif

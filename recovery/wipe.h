/* Formatting /data and /cache (--wipe_data, --wipe_cache and the updater's
 * wipe_cache command) with mke2fs, on the devices the fstab names.  A cache
 * wipe keeps recovery's logs (/cache/recovery/last_*), as Android does, so
 * the user can still read what happened before it. */
#ifndef RECOVERY_WIPE_H
#define RECOVERY_WIPE_H

#include <stdint.h>

#include "recovery/context.h"

/* Unmounts and formats the entry for mount_point (ext2/ext3/ext4 only),
 * with the fstab's length= under otautil/mkfs.h's size rule (a length
 * larger than the device is refused, before anything is touched); the
 * mke2fs output goes to the log.  The volume is left unmounted. */
int recovery_format_volume(const recovery_ctx *ctx, const char *mount_point, ota_error *err);

/* Formats /cache keeping the last_* logs of /cache/recovery, and mounts it
 * again so logging can go on.  Without a /cache volume there is nothing to
 * do (0). */
int recovery_wipe_cache(const recovery_ctx *ctx, ota_error *err);

#endif

/* recovery.fstab in both of Android's forms:
 *   legacy:  MOUNT_POINT TYPE DEVICE [DEVICE2] [OPTIONS]   (e.g. length=-16384)
 *   fs_mgr:  DEVICE MOUNT_POINT TYPE MNT_FLAGS FS_MGR_FLAGS
 * The form is told per line by whether the first field is a mount point
 * ("/system") and the second a type.  Device paths are kept as written;
 * callers resolve them under RECOVERY_ROOT with ota_path(). */
#ifndef OTAUTIL_FSTAB_H
#define OTAUTIL_FSTAB_H

#include <stddef.h>

#include "otautil/error.h"

typedef struct ota_fstab_entry {
    char *mount_point;  /* "/system", "/boot", "/misc" */
    char *fs_type;      /* "ext4", "emmc", "vfat", ... */
    char *device;       /* "/dev/block/by-name/system" */
    char *device2;      /* alternative device, or NULL */
    char *mnt_options;  /* mount(2) data options ("" if none, flags removed) */
    unsigned long mnt_flags; /* MS_RDONLY, MS_NOATIME, ... from the options */
    long long length;   /* length=N: >0 fs size, <0 bytes to leave free, 0 all */
} ota_fstab_entry;

typedef struct ota_fstab {
    ota_fstab_entry *entries;
    size_t count;
} ota_fstab;

/* Reads path as given (the caller resolves it).  Errors name the line. */
int ota_fstab_load(const char *path, ota_fstab *fstab, ota_error *err);
int ota_fstab_parse(const char *text, ota_fstab *fstab, ota_error *err);
void ota_fstab_free(ota_fstab *fstab);

/* By mount point: "/boot", or "boot" (a leading slash is added). */
const ota_fstab_entry *ota_fstab_find(const ota_fstab *fstab, const char *mount_point);
/* The entry whose mount point is the longest prefix of path ("/sdcard/x.zip"
 * -> "/sdcard"), or NULL. */
const ota_fstab_entry *ota_fstab_for_path(const ota_fstab *fstab, const char *path);

#endif

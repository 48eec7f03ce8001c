/* Reading a target-files zip (the format is in docs/releasetools.md):
 * SYSTEM/ as a tree with the metadata of META/filesystem_config.txt,
 * SYSTEM/build.prop, META/misc_info.txt, the recovery fstab, and the boot and
 * recovery images (prebuilt in IMAGES/, or built from BOOT/ and RECOVERY/). */
#ifndef RELEASETOOLS_TARGET_FILES_H
#define RELEASETOOLS_TARGET_FILES_H

#include <stddef.h>

#include "otautil/error.h"
#include "otautil/fstab.h"
#include "otautil/props.h"
#include "otautil/sink.h"
#include "otautil/zip.h"
#include "releasetools/fs_tree.h"

typedef struct rt_target_files {
    char *path;
    ota_zip *zip;
    ota_props build_prop;   /* SYSTEM/build.prop */
    ota_props misc_info;    /* META/misc_info.txt (empty when absent) */
    ota_fstab fstab;       /* RECOVERY/RAMDISK/etc/recovery.fstab */
    int has_fstab;
    rt_tree system;        /* nodes "system", "system/..." */
    rt_fs_config config;   /* META/filesystem_config.txt (empty when absent) */
    int has_config;        /* META/filesystem_config.txt was there */
} rt_target_files;

/* Opens and indexes; fails (naming the file and entry) when SYSTEM/build.prop
 * is missing, or when a listing or config file is malformed. */
int rt_tf_open(rt_target_files *tf, const char *path, ota_error *err);
void rt_tf_close(rt_target_files *tf);

/* A byte count from META/misc_info.txt (system_size, cache_size ...):
 * 0 with *out untouched when the key is absent or empty, -1 naming the key
 * when it is not a positive number. */
int rt_tf_misc_bytes(const rt_target_files *tf, const char *key, uint64_t *out, ota_error *err);

/* build.prop value that must be present (the error names the key). */
const char *rt_tf_require_prop(const rt_target_files *tf, const char *key, ota_error *err);
/* The fstab entry for a mount point, or NULL with an error naming it. */
const ota_fstab_entry *rt_tf_partition(const rt_target_files *tf, const char *mount_point,
                                       ota_error *err);

/* Computes the SHA-1 of every file of the system tree (once). */
int rt_tf_hash_system(rt_target_files *tf, ota_error *err);

/* 1 when the target-files has the image: IMAGES/NAME.img, or a kernel in
 * the NAME's upper-case directory (BOOT/kernel, RECOVERY/kernel). */
int rt_tf_has_image(const rt_target_files *tf, const char *name);
/* The image bytes ("boot" or "recovery"): the prebuilt, else built from the
 * directory (kernel, RAMDISK/, second, cmdline, base, pagesize). */
int rt_tf_image(rt_target_files *tf, const char *name, ota_buf *out, ota_error *err);

/* Reads an entry whole into out (with a NUL after the data). */
int rt_tf_read(rt_target_files *tf, const char *entry, ota_buf *out, ota_error *err);

#endif

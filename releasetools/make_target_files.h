/* make_target_files' work: a target-files zip from what a device maker has
 * outside Android's build (a rootfs directory, a kernel and ramdisk or
 * prebuilt images, build properties, an fstab, optionally a
 * filesystem_config file). */
#ifndef RELEASETOOLS_MAKE_TARGET_FILES_H
#define RELEASETOOLS_MAKE_TARGET_FILES_H

#include <stddef.h>

#include "otautil/error.h"
#include "releasetools/progress.h"
#include "releasetools/warn.h"

typedef struct rt_mtf_opts {
    const char *system_dir;        /* required */
    const char *fstab;             /* required: the recovery fstab */
    const char *build_prop;        /* NULL: system_dir/build.prop if present */
    const char *const *props;      /* "KEY=VALUE" build properties to set */
    size_t nprops;
    const char *fs_config;         /* NULL: metadata from the rootfs itself */
    const char *boot_image;        /* prebuilt; or kernel (+ ramdisk_dir) */
    const char *kernel, *ramdisk_dir, *second;
    const char *cmdline, *base, *pagesize;
    const char *recovery_image;    /* prebuilt; or recovery_ramdisk_dir */
    const char *recovery_kernel;   /* NULL: kernel */
    const char *recovery_ramdisk_dir;
    const char *const *misc;       /* "KEY=VALUE" lines for META/misc_info.txt */
    size_t nmisc;
    const char *updater;           /* OTA/bin/updater, or NULL */
    rt_progress progress;          /* "reading" the rootfs, "writing" the zip */
    rt_warn warn;                  /* fs_config lines matching nothing, hard links */
} rt_mtf_opts;

int rt_make_target_files(const rt_mtf_opts *o, const char *output, ota_error *err);

#endif

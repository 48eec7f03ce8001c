/* Ramdisks for boot images: a cpio archive in the "newc" format,
 * gzip-compressed, as Android's mkbootfs | minigzip makes them.  Entries are
 * written in the order given (callers sort them), owned by root, with
 * timestamp 0, so the same tree always gives the same bytes. */
#ifndef RELEASETOOLS_RAMDISK_H
#define RELEASETOOLS_RAMDISK_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

typedef struct rt_cpio_entry {
    const char *name;     /* relative: "init", "etc/recovery.fstab" */
    uint32_t mode;        /* full st_mode: S_IFREG/S_IFDIR/S_IFLNK | bits */
    const uint8_t *data;  /* file contents, or the symlink target */
    size_t len;
} rt_cpio_entry;

/* Appends the cpio archive (with its TRAILER!!! entry) to out. */
int rt_cpio_write(const rt_cpio_entry *entries, size_t n, ota_buf *out, ota_error *err);
/* gzip (level 9, no name, mtime 0) of data, appended to out. */
int rt_gzip(const uint8_t *data, size_t len, ota_buf *out, ota_error *err);

#endif

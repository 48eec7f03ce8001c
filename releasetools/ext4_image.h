/* system.img: an ext4 image of a partition tree, made by mke2fs -d from a
 * staging directory, then given every node's owner, mode, capabilities and
 * SELinux label from the tree with debugfs (so it works without root and
 * whatever the staging files' owners are). */
#ifndef RELEASETOOLS_EXT4_IMAGE_H
#define RELEASETOOLS_EXT4_IMAGE_H

#include <stdint.h>

#include "otautil/error.h"
#include "otautil/zip.h"
#include "releasetools/fs_tree.h"

typedef struct rt_ext4_opts {
    uint64_t size;          /* bytes; 0: enough for the tree, with room to spare */
    const char *label;      /* volume label, or NULL */
    uint32_t timestamp;     /* filesystem and file times (the build's date) */
    const uint8_t *seed;    /* 20 bytes that fix the UUID and hash seed */
} rt_ext4_opts;

/* Writes image from tree t (file contents from zip entries or node data),
 * staging in work_dir (created, then removed). */
int rt_ext4_image(const rt_tree *t, ota_zip *zip, const char *image, const char *work_dir,
                  const rt_ext4_opts *opts, ota_error *err);

/* What the tree's files, directories and links take at least: their
 * 4096-byte blocks, one more per file (for its mapping) and one per
 * directory or link.  A partition smaller than this certainly cannot hold
 * the tree (the filesystem's own metadata and journal come on top). */
uint64_t rt_ext4_data_bytes(const rt_tree *t);
/* The size rt_ext4_image picks when opts->size is 0. */
uint64_t rt_ext4_auto_size(const rt_tree *t);

#endif

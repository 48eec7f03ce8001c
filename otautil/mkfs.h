/* Making an ext2/3/4 filesystem on a partition or image: the size of the
 * device, the one size rule, and mke2fs's command line.  Shared by the
 * updater's format(), recovery's wipes and the release tools' system.img,
 * so that a length means the same everywhere. */
#ifndef OTAUTIL_MKFS_H
#define OTAUTIL_MKFS_H

#include <stdint.h>

#include "otautil/error.h"

#define OTA_FS_BLOCK 4096u
/* The smallest filesystem made: mke2fs refuses (or makes a useless) one
 * smaller than this. */
#define OTA_FS_MIN_BYTES (64u * OTA_FS_BLOCK)

/* Size in bytes of the block device or regular file open as fd. */
int ota_fd_size(int fd, uint64_t *size, ota_error *err);

/* The bytes a new filesystem gets on a device of dev_size bytes, given
 * the updater's fs_size or the fstab's length=:
 *   0   the whole device;
 *   > 0 that many bytes -- refused when larger than the device: a length
 *       the device cannot hold means the fstab or the script is for
 *       another device, and formatting anyway (clamping) would destroy data
 *       on a layout nobody asked for;
 *   < 0 the device less -length bytes at its end (a crypto footer) --
 *       refused when that leaves nothing.
 * Rounded down to whole 4 KiB blocks; refused (OTA_ERR_NOSPACE) below
 * OTA_FS_MIN_BYTES. */
int ota_fs_size(uint64_t dev_size, long long length, uint64_t *bytes, ota_error *err);

typedef struct ota_mke2fs_opts {
    const char *fs_type;   /* "ext2", "ext3" or "ext4" */
    const char *target;    /* the device or image file */
    uint64_t bytes;        /* the filesystem's size (whole 4 KiB blocks of it) */
    const char *label;     /* -L, or NULL */
    const char *uuid;      /* -U, or NULL */
    const char *extended;  /* -E options, or NULL */
    const char *root_dir;  /* -d: the tree to copy in, or NULL */
    unsigned inode_size;   /* -I, 0: mke2fs's default */
} ota_mke2fs_opts;

/* A command line built by ota_mke2fs_command: argv points into the opts'
 * strings and into this struct. */
typedef struct ota_mke2fs_cmd {
    char *argv[24];
    char blocks[24], block_size[16], inode_size[16];
} ota_mke2fs_cmd;

/* mke2fs -F -q -t TYPE -b 4096 [-I N] [-U UUID] [-E EXT] [-L LABEL]
 * [-d DIR] TARGET BLOCKS: -F because the target holding an old filesystem
 * (or being an image file) is expected, and mke2fs still refuses a mounted
 * one; -q because its output goes to a log.  -1 (OTA_ERR_UNSUPPORTED) for
 * a type other than ext2/3/4, (OTA_ERR_ARGS) for a size below
 * OTA_FS_MIN_BYTES. */
int ota_mke2fs_command(ota_mke2fs_cmd *cmd, const ota_mke2fs_opts *opts, ota_error *err);

#endif

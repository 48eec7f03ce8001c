/* The block map of a filesystem image: which blocks hold each regular
 * file's data.  A block diff needs it to pair a file's blocks in the source
 * and target images.  Written next to system.img as system.map, in
 * Android's format (IMAGES/system.map in a target-files, as e2fsdroid -B
 * writes it): one line per file with data blocks,
 *
 *   /system/lib/libc.so 1024-1030 2048 2050-2051
 *
 * the path (the partition's mount point, then the path inside it), then the
 * file's blocks in the file's order as space-separated "first-last"
 * (inclusive) or single block numbers.  Lines come in path order, so the
 * same image gives the same map.  Blocks that are no file's data
 * (filesystem metadata, directories, free space) are not listed: a diff
 * sorts them itself (see block_image.h). */
#ifndef RELEASETOOLS_BLOCKMAP_H
#define RELEASETOOLS_BLOCKMAP_H

#include <stddef.h>
#include <stdint.h>

#include "blockimg/rangeset.h"
#include "otautil/error.h"
#include "otautil/sink.h"

/* Block OTAs are made of 4096-byte blocks, on every partition (Android's
 * updater knows no other size). */
#define RT_BLOCK_SIZE 4096u

typedef struct rt_block_file {
    char *path;            /* "/system/lib/libc.so" */
    bi_rangeset blocks;    /* in the file's order */
} rt_block_file;

typedef struct rt_block_map {
    rt_block_file *files;  /* sorted by path */
    size_t count, cap;
} rt_block_map;

/* Reads the ext4 (or ext2/3) image with libext2fs: every regular file's
 * data blocks (not extent-tree or indirect blocks), its path prefixed with
 * mount_point ("/system").  The filesystem's block size must be 4096;
 * *total_blocks (may be NULL) receives its block count. */
int rt_blockmap_from_ext4(const char *image, const char *mount_point, rt_block_map *map,
                          uint64_t *total_blocks, ota_error *err);

/* The blocks the image's block bitmap marks in use (data, directories and
 * every kind of metadata): what a block update must write, its care map.
 * Free blocks are only erased, as Android's generator (which never sees
 * them in its sparse images) does. */
int rt_ext4_used_blocks(const char *image, bi_rangeset *used, ota_error *err);

/* Android's text form, appended to out. */
int rt_blockmap_format(const rt_block_map *map, ota_buf *out, ota_error *err);
/* Parses Android's text form (len bytes); a line with a path and no blocks
 * (an empty file, as some e2fsdroid versions write it) is skipped.  Refuses,
 * naming the line: a number that is not decimal, a reversed range, a block
 * at or past total_blocks (when not 0), a path given twice. */
int rt_blockmap_parse(const char *text, size_t len, uint64_t total_blocks, rt_block_map *map,
                      ota_error *err);
void rt_blockmap_free(rt_block_map *map);

#endif

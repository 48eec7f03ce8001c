/* A partition image as the block diff sees it (Android's SparseImage with
 * its file_map, for raw images): the image file, read with pread(2) as
 * needed (never held whole), its care map (the blocks that matter: for an
 * ext4 image those its block bitmap marks in use; free blocks are only
 * erased), and the care map's blocks split into named domains that
 * together cover each of them exactly once:
 *
 *   a file's path       the file's data blocks, from the block map
 *   "__ZERO"            the other blocks that are all zeros (free space,
 *                       zeroed journal and inode tables)
 *   "__NONZERO-N"       the other blocks with data (metadata, directories),
 *                       in groups of at most RT_NONZERO_GROUP blocks
 *   "__COPY"            the clobbered blocks: block 0, which holds the ext4
 *                       superblock that even a read-only mount may rewrite;
 *                       always written whole and never verified beforehand
 *
 * Every domain's set is sorted and merged: a domain's data is its blocks in
 * ascending order, as Android's generator reads them.  A block the map
 * gives to two files (hard links) belongs to the first path only. */
#ifndef RELEASETOOLS_BLOCK_IMAGE_H
#define RELEASETOOLS_BLOCK_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "blockimg/rangeset.h"
#include "otautil/error.h"
#include "otautil/hash.h"
#include "releasetools/blockmap.h"

#define RT_NONZERO_GROUP 1024

typedef struct rt_block_domain {
    char *name;
    bi_rangeset blocks;
} rt_block_domain;

typedef struct rt_block_image {
    int fd;
    char *path;
    uint64_t total_blocks;
    rt_block_domain *domains;   /* sorted by name */
    size_t count;
    bi_rangeset care;           /* the blocks that matter (sorted) */
    bi_rangeset clobbered;      /* __COPY's blocks */
} rt_block_image;

/* Opens path (its size a multiple of RT_BLOCK_SIZE) and sorts the blocks
 * of care (NULL: every block of the image) into domains with the map
 * (which may be empty: then every block is __ZERO or __NONZERO-N).  Reads
 * every block of care no file holds once, to tell zeros from data. */
int rt_block_image_open(rt_block_image *img, const char *path, const rt_block_map *map,
                        const bi_rangeset *care, ota_error *err);
void rt_block_image_close(rt_block_image *img);

const rt_block_domain *rt_block_image_find(const rt_block_image *img, const char *name);

/* r's blocks in r's order into buf (r->blocks * RT_BLOCK_SIZE bytes). */
int rt_block_image_read(const rt_block_image *img, const bi_rangeset *r, uint8_t *buf,
                        ota_error *err);
/* The SHA-1 of r's blocks in r's order (read in pieces). */
int rt_block_image_sha1(const rt_block_image *img, const bi_rangeset *r, uint8_t out[20],
                        ota_error *err);
/* The same with SHA-256 (or SHA-1): ota_hash_len(alg) bytes into out. */
int rt_block_image_hash(const rt_block_image *img, const bi_rangeset *r, ota_hash_alg alg,
                        uint8_t *out, ota_error *err);
/* The SHA-1 as 40 hex digits. */
int rt_block_image_sha1_hex(const rt_block_image *img, const bi_rangeset *r, char out[41],
                            ota_error *err);

#endif

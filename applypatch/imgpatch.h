/* IMGDIFF2: Android's chunked patch format for images that contain
 * compressed data (boot images with a gzip'd ramdisk, zip archives).
 *
 * Layout (all integers little endian, 8-byte ones signed):
 *   "IMGDIFF2", chunk count (4 bytes), then per chunk its type (4 bytes) and
 *   header:
 *   normal  (0): source start, source length, patch offset (8 each).  The
 *                BSDIFF40 patch at that offset of the patch file turns the
 *                source range into the chunk's output.
 *   deflate (2): source start, source length, patch offset, expanded source
 *                length, target length (8 each), then zlib level, method,
 *                windowBits, memLevel, strategy (4 each).  The source range
 *                is a raw deflate stream: it is inflated, patched with the
 *                BSDIFF40 patch, and deflated again with those parameters.
 *   raw     (3): length (4), then that many bytes, copied to the output.
 * Bonus data: when given, it is appended to the inflated source of chunk
 * number 1 (the second chunk) if that chunk is a deflate chunk, and the
 * chunk's expanded length counts it; this is how Android's applypatch reads
 * recovery-from-boot.p with recovery-resource.dat.  Patch and apply must
 * both have it or both not. */
#ifndef APPLYPATCH_IMGPATCH_H
#define APPLYPATCH_IMGPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

#define IMGDIFF2_MAGIC "IMGDIFF2"
#define IMGDIFF2_MAGIC_LEN 8
/* Ours: IMGDIFF2's layout with two more chunk types (docs/applypatch.md).
 * Android's readers refuse it by its magic. */
#define IMGDIFFX_MAGIC "IMGDIFFX"

enum imgdiff_chunk_type {
    IMGDIFF_CHUNK_NORMAL = 0,
    IMGDIFF_CHUNK_GZIP = 1, /* IMGDIFF1 only; refused */
    IMGDIFF_CHUNK_DEFLATE = 2,
    IMGDIFF_CHUNK_RAW = 3,
    IMGDIFF_CHUNK_LZ4 = 4,  /* IMGDIFFX: an LZ4 stream, patched expanded */
    IMGDIFF_CHUNK_PUFF = 5, /* IMGDIFFX: any deflate stream, re-encoded exactly */
};

/* Applies an IMGDIFF2 patch to src, streaming the target to sink in order.
 * bonus may be NULL (bonus_len 0).  Never reads outside src or patch, and
 * never allocates more than the patch's sizes allow for its input (a
 * deflate chunk's expanded size is bounded by deflate's best ratio). */
int imgpatch_apply(const uint8_t *src, size_t src_len, const uint8_t *patch, size_t patch_len,
                   const uint8_t *bonus, size_t bonus_len, ota_sink_fn sink, void *sink_ctx,
                   ota_error *err);

/* 1 when the patch's second chunk is a deflate chunk, i.e. when bonus data
 * given to imgpatch_apply() is used; 0 when not (or not a valid patch). */
int imgpatch_uses_bonus(const uint8_t *patch, size_t patch_len);

#endif

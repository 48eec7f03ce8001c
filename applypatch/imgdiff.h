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
#ifndef APPLYPATCH_IMGDIFF_H
#define APPLYPATCH_IMGDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "applypatch/codec.h"
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

typedef struct imgdiff_opts {
    /* Nonzero: the inputs are zip archives; deflated entries become deflate
     * chunks, matched by entry name.  Zero: gzip members found anywhere in
     * the inputs become deflate chunks, matched in order. */
    int zip_mode;
    const uint8_t *bonus; /* may be NULL */
    size_t bonus_len;
    /* The codecs the chunks' bsdiff streams may use (CODEC_SET_* of
     * codec.h; 0: bzip2 only, BSDIFF40 as Android's imgdiff writes).
     * Within CODEC_SET_ANDROID the patch stays readable by Android P+. */
    unsigned codecs;
    /* Nonzero: also patch LZ4 streams expanded (a bzImage's kernel), with
     * the settings that remake them, in IMGDIFFX chunks that only this
     * project's readers know.  The patch is IMGDIFFX only when such a
     * chunk is used. */
    int extended;
} imgdiff_opts;

/* Makes an IMGDIFF2 (or, extended, IMGDIFFX) patch from src to tgt
 * (*patch malloc'd).  A target
 * deflate stream becomes a deflate chunk only when one of zlib's levels
 * recompresses its content to exactly the same bytes; other data goes into
 * normal (bsdiff) or raw chunks, whichever is smaller.  The patch always
 * reproduces tgt exactly. */
int imgdiff_create(const uint8_t *src, size_t src_len, const uint8_t *tgt, size_t tgt_len,
                   const imgdiff_opts *opts, uint8_t **patch, size_t *patch_len, ota_error *err);

/* The zlib level (1..9, windowBits -15, memLevel 8, default strategy) whose
 * raw deflate of `plain` is exactly `deflated`, or -1 when none is. */
int imgdiff_find_deflate_level(const uint8_t *plain, size_t plain_len, const uint8_t *deflated,
                               size_t deflated_len);

#endif

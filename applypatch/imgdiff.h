/* Making IMGDIFF2 and IMGDIFFX patches (the format: applypatch/imgpatch.h). */
#ifndef APPLYPATCH_IMGDIFF_H
#define APPLYPATCH_IMGDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "applypatch/codec.h"
#include "applypatch/imgpatch.h"
#include "otautil/error.h"

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

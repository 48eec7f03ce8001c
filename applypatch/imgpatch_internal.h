/* Internal pieces of imgpatch (imgpatch*.c): reading the chunk table one
 * header at a time, and applying each kind of chunk from inputs.  Not part
 * of the API: applypatch/imgdiff.h and applypatch/patch_stream.h are. */
#ifndef APPLYPATCH_IMGPATCH_INTERNAL_H
#define APPLYPATCH_IMGPATCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "applypatch/patch_stream.h"
#include "otautil/error.h"
#include "otautil/sink.h"

/* One chunk's header, as read from the table. */
typedef struct img_chunk {
    int type;
    uint64_t src_start, src_len, patch_offset;
    uint64_t expanded_len; /* deflate: the expanded source (with bonus); lz4, puff: too */
    uint64_t target_len;   /* deflate: expanded target; raw: its length */
    uint64_t tgt_plain_len; /* lz4, puff: the target's expanded/puffed length */
    int level, method, window_bits, mem_level, strategy; /* deflate */
    uint32_t lz4_kind, lz4_level, lz4_flags, lz4_frame; /* lz4 */
    uint64_t raw_offset; /* raw: where its bytes start in the patch */
} img_chunk;

/* Walks the chunk table: header after header, each checked against the
 * sizes of the source and the patch as it is read. */
typedef struct img_table {
    const patch_input *patch;
    const char *format; /* "IMGDIFF2" or "IMGDIFFX" */
    int extended;       /* IMGDIFFX: the LZ4 and puff chunk types exist */
    uint32_t count, index;
    uint64_t pos, src_len;
} img_table;

int img_table_open(img_table *t, const patch_input *patch, uint64_t src_len, ota_error *err);
/* Reads chunk t->index into *c and moves on. */
int img_table_next(img_table *t, img_chunk *c, ota_error *err);

/* What every chunk applier needs. */
typedef struct img_apply {
    const patch_input *src, *patch, *bonus; /* bonus may be NULL */
    uint64_t expand_limit; /* expanded sources up to this size are held whole */
    unsigned flags;        /* PATCH_SMALL_BZIP2 */
    ota_sink_fn sink;
    void *sink_ctx;
    const char *format;
} img_apply;

int img_apply_deflate(const img_apply *a, const img_chunk *c, int index, ota_error *err);
int img_apply_lz4(const img_apply *a, const img_chunk *c, int index, ota_error *err);
int img_apply_puff(const img_apply *a, const img_chunk *c, int index, ota_error *err);

/* Passes a chunk's output on, holding it to the length the chunk says:
 * more is an error at once ("remade LZ4 stream is longer than ..."). */
typedef struct img_out {
    ota_sink_fn sink;
    void *sink_ctx;
    const char *what; /* "remade LZ4 stream", "re-encoded deflate stream" */
    uint64_t written, limit;
} img_out;
int img_out_write(void *out, const void *data, size_t len, ota_error *err);
/* After the chunk: an error unless exactly `limit` bytes went out. */
int img_out_check(const img_out *o, ota_error *err);

/* Prefixes err with what ("IMGDIFFX chunk 3") unless it already names it. */
void img_error_context(ota_error *err, const char *what);

/* Applies an IMGDIFF2 or IMGDIFFX patch: the table is checked whole
 * first (so a malformed patch makes no output), then applied chunk by
 * chunk, the target streamed to sink. */
int imgpatch_input(const img_apply *a, ota_error *err);

#endif

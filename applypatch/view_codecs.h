/* The decoders expand_view drives: raw deflate (view_inflate.c), LZ4
 * (view_lz4.c) and deflate rewritten as puff (view_puff.c), each over a
 * byte range of an input. */
#ifndef APPLYPATCH_VIEW_CODECS_H
#define APPLYPATCH_VIEW_CODECS_H

#include <stdint.h>

#include "applypatch/expand_view.h"
#include "applypatch/patch_stream.h"
#include "otautil/error.h"

typedef struct view_inflate view_inflate;
extern const view_decoder view_inflate_ops;
/* A raw deflate stream at [start, start + len) of in. */
view_inflate *view_inflate_new(const patch_input *in, uint64_t start, uint64_t len, ota_error *err);
void view_inflate_free(view_inflate *d);

typedef struct view_lz4 view_lz4;
extern const view_decoder view_lz4_ops;
/* An LZ4 stream (legacy or frame, several back to back allowed) at
 * [start, start + len) of in, decoded with a 64 KiB window. */
view_lz4 *view_lz4_new(const patch_input *in, uint64_t start, uint64_t len, ota_error *err);
void view_lz4_free(view_lz4 *d);

/* Puffed deflate: the decoder is a puffer (puff.h) over the stream. */
extern const view_decoder view_puff_ops;

#endif

/* LZ4 streams as they appear inside images, and remaking them byte for
 * byte.  Two containers exist:
 *   legacy (magic 02 21 4c 18, what the Linux kernel's bzImage and
 *   initramfs use): blocks of 8 MiB of input, each compressed on its own
 *   and preceded by its compressed size (4 bytes, little endian);
 *   frame  (magic 04 22 4d 18, the lz4 tool's default): a frame
 *   descriptor, then blocks (4-byte size, top bit: stored), an end mark
 *   and optional checksums.
 * The compressor's settings are not stored anywhere; imgdiff finds the
 * ones that remake the target exactly (lz4_find_params) and records them
 * in the chunk, and the device remakes the stream with them
 * (lz4_encoder), checking its size. */
#ifndef APPLYPATCH_LZ4_STREAM_H
#define APPLYPATCH_LZ4_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"
#include "otautil/sink.h"

#define LZ4_LEGACY_MAGIC 0x184C2102u
#define LZ4_FRAME_MAGIC 0x184D2204u
#define LZ4_LEGACY_BLOCK (8u << 20)

enum lz4_kind { LZ4_KIND_LEGACY = 1, LZ4_KIND_FRAME = 2 };
#define LZ4_FAVOR_DEC_SPEED 1u

typedef struct lz4_params {
    uint32_t kind;  /* enum lz4_kind */
    uint32_t level; /* liblz4's levels: 0-2 fast (acceleration 1), 3-12 HC */
    uint32_t flags; /* LZ4_FAVOR_DEC_SPEED (frame, levels 10-12) */
    uint32_t frame; /* frame: its FLG byte | BD byte << 8; legacy: the
                     * largest compressed block (what the remaking needs
                     * as output room) */
} lz4_params;

/* A stream found in memory: where it ends, and (when asked) its
 * expansion.  Returns 1 when data starts with a complete, valid LZ4
 * stream, 0 when not, -1 on allocation failure.  *plain may be NULL to
 * only measure. */
int lz4_stream_parse(const uint8_t *data, size_t len, size_t *stream_len, uint8_t **plain,
                     size_t *plain_len, lz4_params *params, ota_error *err);

/* Finds the compressor settings that turn plain into exactly `stream`
 * (params->kind and ->frame as lz4_stream_parse found them).  Returns 1
 * and fills params when some do, 0 when none of liblz4's does. */
int lz4_find_params(const uint8_t *plain, size_t plain_len, const uint8_t *stream, size_t stream_len,
                    lz4_params *params, ota_error *err);

/* Remakes a stream from its expansion, written in pieces: blocks are
 * compressed as they fill.  Memory: one block of input and its compressed
 * form (legacy: 8 MiB and the largest compressed block; frame: the block
 * size the descriptor names, at most 4 MiB, twice). */
typedef struct lz4_encoder lz4_encoder;
lz4_encoder *lz4_encoder_new(const lz4_params *params, uint64_t plain_len, ota_sink_fn sink,
                             void *sink_ctx, ota_error *err);
int lz4_encoder_write(lz4_encoder *e, const uint8_t *data, size_t len, ota_error *err);
/* Flushes the last block and the end of the stream. */
int lz4_encoder_finish(lz4_encoder *e, ota_error *err);
void lz4_encoder_free(lz4_encoder *e);
/* The sink form of lz4_encoder_write, for bspatch's output. */
int lz4_encoder_sink(void *encoder, const void *data, size_t len, ota_error *err);

/* Checks settings read from a patch before they are used. */
int lz4_params_check(const lz4_params *params, ota_error *err);

#endif

/* libFuzzer target for the patch-stream decoders (bzip2, brotli, xz,
 * zstd).  Input: one byte choosing the codec (its value modulo 4), then
 * the compressed stream, read through a callback input in pieces of odd
 * sizes.  Whatever the bytes, decoding ends in the stream's end, or a
 * clear error, within the output limit and the decoders' memory caps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "applypatch/codec.h"

/* Enough for any honest stream of fuzzer size; stops decompression bombs. */
#define OUTPUT_LIMIT (8u << 20)

static int mem_read(void *ctx, uint64_t off, void *buf, size_t len, ota_error *err)
{
    (void)err;
    memcpy(buf, (const uint8_t *)ctx + off, len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int ids[4] = {CODEC_BZ2, CODEC_BROTLI, CODEC_XZ, CODEC_ZSTD};
    if (size < 1)
        return 0;
    int id = ids[data[0] % 4];
    patch_input in = {.size = size - 1, .read = mem_read, .ctx = (void *)(data + 1)};
    codec_reader r;
    ota_error err;
    if (codec_reader_open(&r, id, "FUZZ", "data", &in, 0, size - 1, 13, 0, &err) < 0)
        abort(); /* opening never looks at the data */
    uint8_t buf[4099];
    size_t total = 0, piece = 1;
    int rc;
    for (;;) {
        size_t got = 0;
        rc = codec_reader_read_some(&r, buf, piece, &got, &err);
        if (rc < 0 || got == 0)
            break;
        if (got > piece)
            abort();
        total += got;
        if (total > OUTPUT_LIMIT)
            break;
        piece = piece * 3 % sizeof buf + 1;
    }
    if (rc < 0 && (err.code == OTA_OK || !strstr(err.message, "data stream")))
        abort(); /* errors name the stream */
    if (rc == 0 && total <= OUTPUT_LIMIT)
        (void)codec_reader_expect_end(&r, &err);
    codec_reader_close(&r);
    return 0;
}

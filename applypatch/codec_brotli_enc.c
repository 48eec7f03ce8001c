/* brotli compression of a patch stream, as Android's bsdiff writes BSDF2
 * (quality 11, 1 MiB window).  Quality 11 runs at well under 1 MB/s: a
 * minute for the 50 MB diff stream of a kernel, 10 s for a 4 MB module's.
 * On the streams of kernel modules brotli wins only below 256 KiB (xz
 * above), so larger streams use quality 9, a hundred times faster. */
#include <brotli/encode.h>
#include <stdlib.h>

#include "applypatch/codec.h"

#define BROTLI_Q11_MAX (256u * 1024)


int codec_compress_brotli(const uint8_t *data, size_t len, ota_buf *out, ota_error *err)
{
    BrotliEncoderState *s = BrotliEncoderCreateInstance(NULL, NULL, NULL);
    if (!s)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a brotli encoder");
    BrotliEncoderSetParameter(s, BROTLI_PARAM_QUALITY, len <= BROTLI_Q11_MAX ? 11 : 9);
    BrotliEncoderSetParameter(s, BROTLI_PARAM_LGWIN, CODEC_WINDOW_LOG);
    if (len <= UINT32_MAX)
        BrotliEncoderSetParameter(s, BROTLI_PARAM_SIZE_HINT, (uint32_t)len);
    uint8_t chunk[1 << 16];
    size_t avail_in = len;
    const uint8_t *next_in = data;
    int rc = 0;
    while (!BrotliEncoderIsFinished(s)) {
        size_t avail_out = sizeof chunk;
        uint8_t *next_out = chunk;
        if (!BrotliEncoderCompressStream(s, BROTLI_OPERATION_FINISH, &avail_in, &next_in,
                                         &avail_out, &next_out, NULL)) {
            rc = ota_error_set(err, OTA_ERR_IO, "brotli compression failed");
            break;
        }
        if (avail_out < sizeof chunk &&
            ota_buf_append(out, chunk, sizeof chunk - avail_out, err) < 0) {
            rc = -1;
            break;
        }
    }
    BrotliEncoderDestroyInstance(s);
    return rc;
}

/* zstd compression of a patch stream (our BSDF2 type 'z'): level 19, the
 * window cut to 2^CODEC_WINDOW_LOG bytes, one frame, single-threaded so the
 * output never depends on the machine. */
#include <zstd.h>

#include "applypatch/codec.h"


int codec_compress_zstd(const uint8_t *data, size_t len, ota_buf *out, ota_error *err)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    if (!c)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a zstd encoder");
    int rc = 0;
    if (ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 19)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, CODEC_WINDOW_LOG)) ||
        ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(c, len))) {
        ZSTD_freeCCtx(c);
        return ota_error_set(err, OTA_ERR_IO, "zstd refuses its parameters");
    }
    uint8_t chunk[1 << 16];
    ZSTD_inBuffer in = {data, len, 0};
    size_t left;
    do {
        ZSTD_outBuffer o = {chunk, sizeof chunk, 0};
        left = ZSTD_compressStream2(c, &o, &in, ZSTD_e_end);
        if (ZSTD_isError(left)) {
            rc = ota_error_set(err, OTA_ERR_IO, "zstd compression failed: %s",
                               ZSTD_getErrorName(left));
            break;
        }
        if (o.pos && ota_buf_append(out, chunk, o.pos, err) < 0) {
            rc = -1;
            break;
        }
    } while (left != 0);
    ZSTD_freeCCtx(c);
    return rc;
}

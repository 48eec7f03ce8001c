/* xz compression of a patch stream (our BSDF2 type 'x'): LZMA2 at preset
 * 9 "extreme", the dictionary cut to 2^CODEC_WINDOW_LOG bytes (on patch
 * streams a larger one gains under 0.1% and would cost the device that
 * much memory per stream), CRC-32 check. */
#include <lzma.h>

#include "applypatch/codec.h"


int codec_compress_xz(const uint8_t *data, size_t len, ota_buf *out, ota_error *err)
{
    lzma_options_lzma opt;
    if (lzma_lzma_preset(&opt, 9 | LZMA_PRESET_EXTREME))
        return ota_error_set(err, OTA_ERR_IO, "xz preset 9e unavailable");
    uint32_t dict = 1u << CODEC_WINDOW_LOG;
    while (dict > LZMA_DICT_SIZE_MIN && dict / 2 >= len)
        dict /= 2; /* a dictionary larger than the data buys nothing */
    opt.dict_size = dict;
    lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    lzma_stream s = LZMA_STREAM_INIT;
    lzma_ret rc = lzma_stream_encoder(&s, filters, LZMA_CHECK_CRC32);
    if (rc != LZMA_OK)
        return ota_error_set(err, rc == LZMA_MEM_ERROR ? OTA_ERR_NOMEM : OTA_ERR_IO,
                             "xz encoder init failed (%d)", (int)rc);
    uint8_t chunk[1 << 16];
    s.next_in = data;
    s.avail_in = len;
    int ret = 0;
    do {
        s.next_out = chunk;
        s.avail_out = sizeof chunk;
        rc = lzma_code(&s, LZMA_FINISH);
        if (rc != LZMA_OK && rc != LZMA_STREAM_END) {
            ret = ota_error_set(err, OTA_ERR_IO, "xz compression failed (%d)", (int)rc);
            break;
        }
        if (s.avail_out < sizeof chunk &&
            ota_buf_append(out, chunk, sizeof chunk - s.avail_out, err) < 0) {
            ret = -1;
            break;
        }
    } while (rc != LZMA_STREAM_END);
    lzma_end(&s);
    return ret;
}

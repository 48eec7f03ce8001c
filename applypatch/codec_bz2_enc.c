/* bzip2 compression of a patch stream: level 9 (900 kB blocks), as
 * Debian's bsdiff and Android's write it. */
#include <bzlib.h>
#include <string.h>

#include "applypatch/codec.h"

#define BZ_MAX_STEP (1u << 30)


int codec_compress_bz2(const uint8_t *data, size_t len, ota_buf *out, ota_error *err)
{
    bz_stream s;
    memset(&s, 0, sizeof s);
    int rc = BZ2_bzCompressInit(&s, 9, 0, 0);
    if (rc != BZ_OK)
        return ota_error_set(err, rc == BZ_MEM_ERROR ? OTA_ERR_NOMEM : OTA_ERR_IO,
                             "bzip2 compressor init failed (%d)", rc);
    char chunk[1 << 16];
    int ret = 0;
    for (;;) {
        unsigned step = len > BZ_MAX_STEP ? BZ_MAX_STEP : (unsigned)len;
        int action = step == len ? BZ_FINISH : BZ_RUN;
        s.next_in = (char *)data; /* bzlib's API is not const-correct */
        s.avail_in = step;
        do {
            s.next_out = chunk;
            s.avail_out = sizeof chunk;
            rc = BZ2_bzCompress(&s, action);
            if (rc != BZ_RUN_OK && rc != BZ_FINISH_OK && rc != BZ_STREAM_END) {
                ret = ota_error_set(err, OTA_ERR_IO, "bzip2 compression failed (%d)", rc);
                goto out;
            }
            size_t made = sizeof chunk - s.avail_out;
            if (made && ota_buf_append(out, chunk, made, err) < 0) {
                ret = -1;
                goto out;
            }
        } while (action == BZ_FINISH ? rc != BZ_STREAM_END : s.avail_in > 0);
        data += step;
        len -= step;
        if (action == BZ_FINISH)
            break;
    }
out:
    BZ2_bzCompressEnd(&s);
    return ret;
}

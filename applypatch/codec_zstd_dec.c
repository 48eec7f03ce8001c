/* zstd decoding for codec_reader (our BSDF2 type 'z'): one zstd frame,
 * its window limited to 2^CODEC_MAX_WINDOW_LOG bytes. */
#include <zstd.h>

#include "applypatch/codec.h"

static int zstd_init(void **state, unsigned flags, ota_error *err)
{
    (void)flags;
    ZSTD_DCtx *d = ZSTD_createDCtx();
    if (!d)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a zstd decoder");
    if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, CODEC_MAX_WINDOW_LOG))) {
        ZSTD_freeDCtx(d);
        return ota_error_set(err, OTA_ERR_IO, "zstd decoder refuses a window limit");
    }
    *state = d;
    return 0;
}

static int zstd_step(void *state, const uint8_t **in, size_t *in_len, uint8_t *out,
                     size_t out_len, size_t *made, const char **why)
{
    ZSTD_inBuffer ib = {*in, *in_len, 0};
    ZSTD_outBuffer ob = {out, out_len, 0};
    size_t rc = ZSTD_decompressStream(state, &ob, &ib);
    *in += ib.pos;
    *in_len -= ib.pos;
    *made = ob.pos;
    if (ZSTD_isError(rc)) {
        *why = ZSTD_getErrorName(rc);
        return CODEC_STEP_ERROR;
    }
    return rc == 0 ? CODEC_STEP_END : CODEC_STEP_OK;
}

static void zstd_end(void *state)
{
    ZSTD_freeDCtx(state);
}

const codec_decoder codec_zstd_decoder = {CODEC_ZSTD, zstd_init, zstd_step, zstd_end, 0};

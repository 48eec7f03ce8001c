/* Encoders of entry data for the methods minizip does not know: XZ
 * (method 95) and Zstandard (93).  Both keep to a window of at most
 * OTA_ZIP_WINDOW_MAX bytes, which is what our reader (and a device with
 * little memory) accepts, and shrink it to the entry's size when that is
 * known and smaller: a small entry then costs the decoder little.  Output
 * depends only on the input and the level (no threads). */
#include "otautil/zip_internal.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static int xz_start(struct zip_codec *c, int level, uint64_t size_hint, ota_error *err)
{
    lzma_options_lzma opt;
    if (lzma_lzma_preset(&opt, (uint32_t)level))
        return ota_error_set(err, OTA_ERR_ARGS, "xz preset %d is not available", level);
    if (opt.dict_size > OTA_ZIP_WINDOW_MAX)
        opt.dict_size = OTA_ZIP_WINDOW_MAX;
    while (size_hint && opt.dict_size > LZMA_DICT_SIZE_MIN && opt.dict_size / 2 >= size_hint)
        opt.dict_size /= 2; /* a dictionary larger than the data buys nothing */
    lzma_stream *s = malloc(sizeof *s);
    if (!s)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for an xz encoder");
    *s = (lzma_stream)LZMA_STREAM_INIT;
    lzma_filter filters[] = { { LZMA_FILTER_LZMA2, &opt }, { LZMA_VLI_UNKNOWN, NULL } };
    /* CRC-32 inside the stream as well: readers that check it (xz tools,
     * 7-Zip) get one; the zip's own CRC-32 covers the same bytes. */
    lzma_ret rc = lzma_stream_encoder(s, filters, LZMA_CHECK_CRC32);
    if (rc != LZMA_OK) {
        free(s);
        return ota_error_set(err, rc == LZMA_MEM_ERROR ? OTA_ERR_NOMEM : OTA_ERR_IO,
                             "xz encoder init failed (%d)", (int)rc);
    }
    c->state = s;
    return 0;
}

static int zstd_start(struct zip_codec *c, int level, uint64_t size_hint, int size_known, ota_error *err)
{
    ZSTD_CCtx *z = ZSTD_createCCtx();
    if (!z)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a zstd encoder");
    if (ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_windowLog, OTA_ZIP_WINDOW_LOG_MAX)) ||
        (size_known && ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(z, size_hint)))) {
        ZSTD_freeCCtx(z);
        return ota_error_set(err, OTA_ERR_ARGS, "zstd refuses level %d", level);
    }
    c->state = z;
    return 0;
}

int zip_encoder_start(struct zip_codec *c, int method, int level, uint64_t size_hint, int size_known,
                      ota_error *err)
{
    memset(c, 0, sizeof *c);
    c->method = method;
    if (method == OTA_ZIP_XZ)
        return xz_start(c, level, size_known ? size_hint : 0, err);
    if (method == OTA_ZIP_ZSTD)
        return zstd_start(c, level, size_hint, size_known, err);
    return ota_error_set(err, OTA_ERR_ARGS, "no encoder for compression method %d", method);
}

int zip_encoder_step(struct zip_codec *c, const uint8_t **in, size_t *in_len, int finish, uint8_t *out,
                     size_t out_len, size_t *made)
{
    if (c->method == OTA_ZIP_XZ) {
        lzma_stream *s = c->state;
        s->next_in = *in;
        s->avail_in = *in_len;
        s->next_out = out;
        s->avail_out = out_len;
        lzma_ret rc = lzma_code(s, finish ? LZMA_FINISH : LZMA_RUN);
        *in = s->next_in;
        *in_len = s->avail_in;
        *made = out_len - s->avail_out;
        if (rc == LZMA_STREAM_END)
            return ZIP_STEP_END;
        if (rc == LZMA_OK)
            return ZIP_STEP_MORE;
        snprintf(c->why, sizeof c->why, "xz compression failed (liblzma error %d)", (int)rc);
        return ZIP_STEP_ERROR;
    }
    ZSTD_inBuffer ib = { *in, *in_len, 0 };
    ZSTD_outBuffer ob = { out, out_len, 0 };
    size_t left = ZSTD_compressStream2(c->state, &ob, &ib, finish ? ZSTD_e_end : ZSTD_e_continue);
    *in += ib.pos;
    *in_len -= ib.pos;
    *made = ob.pos;
    if (ZSTD_isError(left)) {
        snprintf(c->why, sizeof c->why, "zstd compression failed: %s", ZSTD_getErrorName(left));
        return ZIP_STEP_ERROR;
    }
    return finish && left == 0 ? ZIP_STEP_END : ZIP_STEP_MORE;
}

void zip_encoder_end(struct zip_codec *c)
{
    if (!c->state)
        return;
    if (c->method == OTA_ZIP_XZ) {
        lzma_end(c->state);
        free(c->state);
    } else {
        ZSTD_freeCCtx(c->state);
    }
    c->state = NULL;
}

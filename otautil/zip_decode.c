/* Decoders of entry data: deflate (method 8, zlib), XZ (95, liblzma) and
 * Zstandard (93, libzstd), behind one step function so the reader has one
 * loop for all of them.  xz and zstd decoders are held to a window of
 * OTA_ZIP_WINDOW_MAX bytes: a stream that needs more is refused, saying
 * how much it needs, before its window is allocated. */
#include "otautil/zip_internal.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

/* xz: the dictionary plus the decoder's own tables (about 30 KiB). */
#define XZ_MEMLIMIT ((uint64_t)OTA_ZIP_WINDOW_MAX + (UINT64_C(1) << 20))

/* The window a zstd frame needs, from its header (RFC 8878 3.1.1.1), or 0
 * when the bytes do not start a regular frame or are too short to tell. */
static uint64_t zstd_frame_window(const uint8_t *p, size_t n)
{
    if (n < 6 || p[0] != 0x28 || p[1] != 0xb5 || p[2] != 0x2f || p[3] != 0xfd)
        return 0;
    uint8_t fhd = p[4];
    if (!(fhd & 0x20)) { /* a window descriptor follows */
        uint64_t base = UINT64_C(1) << (10 + (p[5] >> 3));
        return base + base / 8 * (p[5] & 7);
    }
    /* Single segment: the window is the content size. */
    static const size_t fcs_len[4] = { 1, 2, 4, 8 };
    size_t did_len = (fhd & 3) == 3 ? 4 : (fhd & 3);
    size_t len = fcs_len[fhd >> 6], at = 5 + did_len;
    if (n < at + len)
        return 0;
    uint64_t v = 0;
    for (size_t i = len; i-- > 0;)
        v = v << 8 | p[at + i];
    return len == 2 ? v + 256 : v;
}

static int deflate_start(struct zip_codec *c, ota_error *err)
{
    z_stream *zs = calloc(1, sizeof *zs);
    if (!zs || inflateInit2(zs, -MAX_WBITS) != Z_OK) {
        free(zs);
        return ota_error_set(err, OTA_ERR_NOMEM, "cannot start inflating");
    }
    c->state = zs;
    return 0;
}

static int deflate_step(struct zip_codec *c, const uint8_t **in, size_t *in_len, int last, uint8_t *out,
                        size_t out_len, size_t *made)
{
    (void)last;
    z_stream *zs = c->state;
    zs->next_in = (Bytef *)*in;
    zs->avail_in = (uInt)*in_len; /* the reader's chunks are far below 4 GiB */
    zs->next_out = out;
    zs->avail_out = (uInt)out_len;
    int rc = inflate(zs, Z_NO_FLUSH);
    *in = zs->next_in;
    *in_len = zs->avail_in;
    *made = out_len - zs->avail_out;
    if (rc == Z_STREAM_END)
        return ZIP_STEP_END;
    if (rc == Z_OK || rc == Z_BUF_ERROR) /* BUF_ERROR: no progress, which the reader judges */
        return ZIP_STEP_MORE;
    snprintf(c->why, sizeof c->why, "%s", zs->msg ? zs->msg : "inflate failed");
    return ZIP_STEP_ERROR;
}

static int xz_start(struct zip_codec *c, ota_error *err)
{
    lzma_stream *s = malloc(sizeof *s);
    if (!s)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for an xz decoder");
    *s = (lzma_stream)LZMA_STREAM_INIT;
    /* Concatenated: several streams and stream padding read as one, as
     * xz(1) reads them. */
    lzma_ret rc = lzma_stream_decoder(s, XZ_MEMLIMIT, LZMA_CONCATENATED);
    if (rc != LZMA_OK) {
        free(s);
        return ota_error_set(err, rc == LZMA_MEM_ERROR ? OTA_ERR_NOMEM : OTA_ERR_IO,
                             "xz decoder init failed (%d)", (int)rc);
    }
    c->state = s;
    return 0;
}

static int xz_step(struct zip_codec *c, const uint8_t **in, size_t *in_len, int last, uint8_t *out,
                   size_t out_len, size_t *made)
{
    lzma_stream *s = c->state;
    s->next_in = *in;
    s->avail_in = *in_len;
    s->next_out = out;
    s->avail_out = out_len;
    lzma_ret rc = lzma_code(s, last ? LZMA_FINISH : LZMA_RUN);
    *in = s->next_in;
    *in_len = s->avail_in;
    *made = out_len - s->avail_out;
    switch (rc) {
    case LZMA_STREAM_END:
        return ZIP_STEP_END;
    case LZMA_OK:
    case LZMA_BUF_ERROR:
        return ZIP_STEP_MORE;
    case LZMA_MEMLIMIT_ERROR:
        c->over_budget = 1;
        snprintf(c->why, sizeof c->why,
                 "the xz stream needs %llu KiB of decoder memory, over the budget of %llu KiB "
                 "(a dictionary of at most %u MiB)",
                 (unsigned long long)(lzma_memusage(s) >> 10), (unsigned long long)(XZ_MEMLIMIT >> 10),
                 OTA_ZIP_WINDOW_MAX >> 20);
        return ZIP_STEP_ERROR;
    case LZMA_FORMAT_ERROR:
        snprintf(c->why, sizeof c->why, "not xz data");
        return ZIP_STEP_ERROR;
    case LZMA_OPTIONS_ERROR:
        snprintf(c->why, sizeof c->why, "xz options this decoder does not support");
        return ZIP_STEP_ERROR;
    case LZMA_MEM_ERROR:
        snprintf(c->why, sizeof c->why, "out of memory");
        return ZIP_STEP_ERROR;
    default:
        snprintf(c->why, sizeof c->why, "corrupt xz data (liblzma error %d)", (int)rc);
        return ZIP_STEP_ERROR;
    }
}

static int zstd_start(struct zip_codec *c, ota_error *err)
{
    ZSTD_DCtx *d = ZSTD_createDCtx();
    if (!d)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a zstd decoder");
    if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, OTA_ZIP_WINDOW_LOG_MAX))) {
        ZSTD_freeDCtx(d);
        return ota_error_set(err, OTA_ERR_IO, "the zstd decoder refuses a window limit");
    }
    c->state = d;
    return 0;
}

static void zstd_over_budget(struct zip_codec *c, uint64_t window)
{
    c->over_budget = 1;
    if (window)
        snprintf(c->why, sizeof c->why, "the zstd frame needs a window of %llu KiB, over the budget of %u KiB",
                 (unsigned long long)(window >> 10), OTA_ZIP_WINDOW_MAX >> 10);
    else
        snprintf(c->why, sizeof c->why, "a zstd frame needs a window over the budget of %u KiB",
                 OTA_ZIP_WINDOW_MAX >> 10);
}

static int zstd_step(struct zip_codec *c, const uint8_t **in, size_t *in_len, int last, uint8_t *out,
                     size_t out_len, size_t *made)
{
    /* The first frame's header says what it needs: refuse it by name. */
    if (!c->started) {
        c->started = 1;
        uint64_t window = zstd_frame_window(*in, *in_len);
        if (window > OTA_ZIP_WINDOW_MAX) {
            *made = 0;
            zstd_over_budget(c, window);
            return ZIP_STEP_ERROR;
        }
    }
    ZSTD_inBuffer ib = { *in, *in_len, 0 };
    ZSTD_outBuffer ob = { out, out_len, 0 };
    size_t rc = ZSTD_decompressStream(c->state, &ob, &ib);
    *in += ib.pos;
    *in_len -= ib.pos;
    *made = ob.pos;
    if (ZSTD_isError(rc)) {
        if (ZSTD_getErrorCode(rc) == ZSTD_error_frameParameter_windowTooLarge)
            zstd_over_budget(c, 0);
        else
            snprintf(c->why, sizeof c->why, "%s", ZSTD_getErrorName(rc));
        return ZIP_STEP_ERROR;
    }
    /* 0: a frame ended; another may follow in the same entry. */
    return rc == 0 && *in_len == 0 && last ? ZIP_STEP_END : ZIP_STEP_MORE;
}

int zip_method_supported(int method)
{
    return method == OTA_ZIP_STORE || method == OTA_ZIP_DEFLATE || method == OTA_ZIP_XZ ||
           method == OTA_ZIP_ZSTD;
}

int zip_decoder_start(struct zip_codec *c, int method, ota_error *err)
{
    memset(c, 0, sizeof *c);
    c->method = method;
    switch (method) {
    case OTA_ZIP_DEFLATE:
        return deflate_start(c, err);
    case OTA_ZIP_XZ:
        return xz_start(c, err);
    case OTA_ZIP_ZSTD:
        return zstd_start(c, err);
    default:
        return ota_error_set(err, OTA_ERR_UNSUPPORTED, "compression method %d is not supported", method);
    }
}

int zip_decoder_step(struct zip_codec *c, const uint8_t **in, size_t *in_len, int last, uint8_t *out,
                     size_t out_len, size_t *made)
{
    switch (c->method) {
    case OTA_ZIP_DEFLATE:
        return deflate_step(c, in, in_len, last, out, out_len, made);
    case OTA_ZIP_XZ:
        return xz_step(c, in, in_len, last, out, out_len, made);
    default:
        return zstd_step(c, in, in_len, last, out, out_len, made);
    }
}

void zip_decoder_end(struct zip_codec *c)
{
    if (!c->state)
        return;
    switch (c->method) {
    case OTA_ZIP_DEFLATE:
        inflateEnd(c->state);
        free(c->state);
        break;
    case OTA_ZIP_XZ:
        lzma_end(c->state);
        free(c->state);
        break;
    default:
        ZSTD_freeDCtx(c->state);
        break;
    }
    c->state = NULL;
}

const char *ota_zip_method_name(int method)
{
    switch (method) {
    case OTA_ZIP_STORE: return "stored";
    case OTA_ZIP_DEFLATE: return "deflate";
    case OTA_ZIP_ZSTD: return "zstd";
    case OTA_ZIP_XZ: return "xz";
    default: return NULL;
    }
}

/* Remaking an LZ4 stream (legacy or frame) from its expansion with given
 * settings, block by block, in the order liblz4's own tool writes it: the
 * legacy container compresses each 8 MiB block on its own
 * (LZ4_compress_fast or LZ4_compress_HC); frames go through liblz4's
 * frame API, one full block per update, flushed at once. */
#include "applypatch/lz4_stream.h"

#include <lz4.h>
#include <lz4frame.h>
#include <lz4hc.h>
#include <stdlib.h>
#include <string.h>

struct lz4_encoder {
    lz4_params p;
    ota_sink_fn sink;
    void *sink_ctx;
    uint64_t plain_len, fed;
    uint8_t *block, *out;
    size_t block_cap, fill, out_cap;
    LZ4F_cctx *cctx;
    LZ4F_preferences_t prefs;
};

static size_t frame_block_size(unsigned bd)
{
    unsigned id = (bd >> 4) & 7;
    return id >= 4 ? (size_t)1 << (8 + 2 * id) : 0; /* 4: 64 KiB ... 7: 4 MiB */
}

int lz4_params_check(const lz4_params *p, ota_error *err)
{
    if (p->kind != LZ4_KIND_LEGACY && p->kind != LZ4_KIND_FRAME)
        return ota_error_set(err, OTA_ERR_FORMAT, "unknown LZ4 container %u", p->kind);
    if (p->level > LZ4HC_CLEVEL_MAX || (p->flags & ~LZ4_FAVOR_DEC_SPEED))
        return ota_error_set(err, OTA_ERR_FORMAT, "unknown LZ4 settings (level %u, flags %u)", p->level,
                             p->flags);
    if (p->kind == LZ4_KIND_LEGACY &&
        (p->flags || p->frame == 0 || p->frame > (uint32_t)LZ4_compressBound((int)LZ4_LEGACY_BLOCK)))
        return ota_error_set(err, OTA_ERR_FORMAT, "bad LZ4 legacy settings (flags %u, largest block %u)",
                             p->flags, p->frame);
    if (p->kind == LZ4_KIND_FRAME) {
        unsigned flg = p->frame & 0xff, bd = (p->frame >> 8) & 0xff;
        /* version 01, no reserved bits, no dictionary (it is not in the patch) */
        if ((flg >> 6) != 1 || (flg & 3) || (bd & 0x8f) || !frame_block_size(bd) || (p->frame >> 16))
            return ota_error_set(err, OTA_ERR_FORMAT, "unsupported LZ4 frame descriptor %02x %02x", flg, bd);
    }
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

lz4_encoder *lz4_encoder_new(const lz4_params *params, uint64_t plain_len, ota_sink_fn sink,
                             void *sink_ctx, ota_error *err)
{
    if (lz4_params_check(params, err) < 0)
        return NULL;
    lz4_encoder *e = calloc(1, sizeof *e);
    if (!e) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for an LZ4 encoder");
        return NULL;
    }
    e->p = *params;
    e->sink = sink;
    e->sink_ctx = sink_ctx;
    e->plain_len = plain_len;
    if (params->kind == LZ4_KIND_LEGACY) {
        e->block_cap = LZ4_LEGACY_BLOCK;
        e->out_cap = (size_t)params->frame + 4;
    } else {
        unsigned flg = params->frame & 0xff, bd = (params->frame >> 8) & 0xff;
        LZ4F_preferences_t *pr = &e->prefs;
        memset(pr, 0, sizeof *pr);
        pr->frameInfo.blockSizeID = (LZ4F_blockSizeID_t)((bd >> 4) & 7);
        pr->frameInfo.blockMode = (flg & 0x20) ? LZ4F_blockIndependent : LZ4F_blockLinked;
        pr->frameInfo.blockChecksumFlag = (flg & 0x10) ? LZ4F_blockChecksumEnabled : LZ4F_noBlockChecksum;
        pr->frameInfo.contentChecksumFlag = (flg & 0x04) ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum;
        pr->frameInfo.contentSize = (flg & 0x08) ? plain_len : 0;
        pr->compressionLevel = (int)params->level;
        pr->favorDecSpeed = params->flags & LZ4_FAVOR_DEC_SPEED;
        pr->autoFlush = 1;
        e->block_cap = frame_block_size(bd);
        e->out_cap = LZ4F_compressBound(e->block_cap, pr);
        if (LZ4F_isError(LZ4F_createCompressionContext(&e->cctx, LZ4F_VERSION)))
            goto nomem;
    }
    if (e->out_cap < LZ4F_HEADER_SIZE_MAX)
        e->out_cap = LZ4F_HEADER_SIZE_MAX;
    e->block = malloc(e->block_cap);
    e->out = malloc(e->out_cap);
    if (!e->block || !e->out)
        goto nomem;
    if (params->kind == LZ4_KIND_LEGACY) {
        put32(e->out, LZ4_LEGACY_MAGIC);
        if (sink(sink_ctx, e->out, 4, err) < 0)
            goto fail;
    } else {
        size_t n = LZ4F_compressBegin(e->cctx, e->out, e->out_cap, &e->prefs);
        if (LZ4F_isError(n)) {
            ota_error_set(err, OTA_ERR_FORMAT, "LZ4 frame start failed: %s", LZ4F_getErrorName(n));
            goto fail;
        }
        if (sink(sink_ctx, e->out, n, err) < 0)
            goto fail;
    }
    return e;
nomem:
    ota_error_set(err, OTA_ERR_NOMEM, "out of memory for LZ4 blocks of %zu bytes", e->block_cap);
fail:
    lz4_encoder_free(e);
    return NULL;
}

/* Compresses and writes the buffered block. */
static int flush_block(lz4_encoder *e, ota_error *err)
{
    if (e->fill == 0)
        return 0;
    size_t n;
    if (e->p.kind == LZ4_KIND_LEGACY) {
        int got = e->p.level < LZ4HC_CLEVEL_MIN
                      ? LZ4_compress_fast((const char *)e->block, (char *)e->out + 4, (int)e->fill,
                                          (int)e->out_cap - 4, 1)
                      : LZ4_compress_HC((const char *)e->block, (char *)e->out + 4, (int)e->fill,
                                        (int)e->out_cap - 4, (int)e->p.level);
        if (got <= 0)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "a %zu-byte LZ4 block compresses to more than the largest block the patch "
                                 "allows (%u bytes)",
                                 e->fill, e->p.frame);
        put32(e->out, (uint32_t)got);
        n = (size_t)got + 4;
    } else {
        n = LZ4F_compressUpdate(e->cctx, e->out, e->out_cap, e->block, e->fill, NULL);
        if (LZ4F_isError(n))
            return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 frame compression failed: %s", LZ4F_getErrorName(n));
    }
    e->fill = 0;
    return n ? e->sink(e->sink_ctx, e->out, n, err) : 0;
}

int lz4_encoder_write(lz4_encoder *e, const uint8_t *data, size_t len, ota_error *err)
{
    if (len > e->plain_len - e->fed)
        return ota_error_set(err, OTA_ERR_FORMAT, "patch produces more than the declared %llu bytes",
                             (unsigned long long)e->plain_len);
    e->fed += len;
    while (len > 0) {
        size_t n = e->block_cap - e->fill < len ? e->block_cap - e->fill : len;
        memcpy(e->block + e->fill, data, n);
        e->fill += n;
        data += n;
        len -= n;
        if (e->fill == e->block_cap && flush_block(e, err) < 0)
            return -1;
    }
    return 0;
}

int lz4_encoder_sink(void *encoder, const void *data, size_t len, ota_error *err)
{
    return lz4_encoder_write(encoder, data, len, err);
}

int lz4_encoder_finish(lz4_encoder *e, ota_error *err)
{
    if (e->fed != e->plain_len)
        return ota_error_set(err, OTA_ERR_FORMAT, "patch produced %llu bytes, header says %llu",
                             (unsigned long long)e->fed, (unsigned long long)e->plain_len);
    if (flush_block(e, err) < 0)
        return -1;
    if (e->p.kind == LZ4_KIND_LEGACY)
        return 0;
    size_t n = LZ4F_compressEnd(e->cctx, e->out, e->out_cap, NULL);
    if (LZ4F_isError(n))
        return ota_error_set(err, OTA_ERR_FORMAT, "LZ4 frame end failed: %s", LZ4F_getErrorName(n));
    return e->sink(e->sink_ctx, e->out, n, err);
}

void lz4_encoder_free(lz4_encoder *e)
{
    if (!e)
        return;
    if (e->cctx)
        LZ4F_freeCompressionContext(e->cctx);
    free(e->block);
    free(e->out);
    free(e);
}

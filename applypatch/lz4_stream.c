/* Host side of LZ4 chunks: recognising a whole LZ4 stream in memory (its
 * end is not stored anywhere for the legacy container: blocks follow each
 * other until something that is not a block), and finding the compressor
 * settings that remake it. */
#include "applypatch/lz4_stream.h"

#include <lz4.h>
#include <lz4frame.h>
#include <lz4hc.h>
#include <stdlib.h>
#include <string.h>

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Legacy: every block but the last expands to exactly 8 MiB; the first
 * thing after a block that is not a valid block ends the stream. */
static int parse_legacy(const uint8_t *data, size_t len, size_t *stream_len, ota_buf *out,
                        uint32_t *largest, ota_error *err)
{
    uint8_t *tmp = malloc(LZ4_LEGACY_BLOCK);
    if (!tmp)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for an LZ4 block");
    size_t pos = 4, blocks = 0;
    int rc = 0;
    const size_t bound = (size_t)LZ4_compressBound((int)LZ4_LEGACY_BLOCK);
    while (len - pos >= 4) {
        uint32_t csize = le32(data + pos);
        if (csize == 0 || csize > bound || csize > len - pos - 4)
            break;
        int got = LZ4_decompress_safe((const char *)data + pos + 4, (char *)tmp, (int)csize,
                                      (int)LZ4_LEGACY_BLOCK);
        if (got <= 0)
            break;
        if (out && ota_buf_append(out, tmp, (size_t)got, err) < 0) {
            rc = -1;
            break;
        }
        pos += 4 + csize;
        blocks++;
        if (csize > *largest)
            *largest = csize;
        if ((size_t)got < LZ4_LEGACY_BLOCK)
            break; /* a short block is the last */
    }
    free(tmp);
    if (rc < 0)
        return -1;
    *stream_len = pos;
    return blocks > 0;
}

static int parse_frame(const uint8_t *data, size_t len, size_t *stream_len, ota_buf *out,
                       ota_error *err)
{
    LZ4F_dctx *d;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for an LZ4 frame decoder");
    uint8_t buf[64 * 1024];
    size_t pos = 0;
    int rc = 0;
    for (;;) {
        size_t in = len - pos, made = sizeof buf;
        size_t hint = LZ4F_decompress(d, buf, &made, data + pos, &in, NULL);
        if (LZ4F_isError(hint))
            break;
        pos += in;
        if (out && made && ota_buf_append(out, buf, made, err) < 0) {
            rc = -1;
            break;
        }
        if (hint == 0) {
            rc = 1; /* the frame is complete */
            break;
        }
        if (in == 0 && made == 0)
            break; /* the data ends inside the frame */
    }
    LZ4F_freeDecompressionContext(d);
    *stream_len = pos;
    return rc;
}

int lz4_stream_parse(const uint8_t *data, size_t len, size_t *stream_len, uint8_t **plain,
                     size_t *plain_len, lz4_params *params, ota_error *err)
{
    if (len < 8)
        return 0;
    memset(params, 0, sizeof *params);
    ota_buf out = {0};
    int rc;
    if (le32(data) == LZ4_LEGACY_MAGIC) {
        params->kind = LZ4_KIND_LEGACY;
        rc = parse_legacy(data, len, stream_len, plain ? &out : NULL, &params->frame, err);
    } else if (le32(data) == LZ4_FRAME_MAGIC) {
        params->kind = LZ4_KIND_FRAME;
        params->frame = data[4] | (uint32_t)data[5] << 8;
        rc = parse_frame(data, len, stream_len, plain ? &out : NULL, err);
        if (rc == 1 && lz4_params_check(params, NULL) < 0)
            rc = 0; /* e.g. a dictionary we could not supply */
    } else {
        return 0;
    }
    if (rc == 1 && plain) {
        *plain = out.data ? out.data : malloc(1);
        *plain_len = out.len;
        if (!*plain)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        return 1;
    }
    ota_buf_free(&out);
    return rc;
}

/* 1 when these settings remake the stream exactly. */
static int remakes(const lz4_params *p, const uint8_t *plain, size_t plain_len, const uint8_t *stream,
                   size_t stream_len, ota_error *err)
{
    /* the encoder's output is compared as it comes: the first difference stops it */
    ota_compare c = {stream, stream_len, 0};
    ota_error why;
    lz4_encoder *e = lz4_encoder_new(p, plain_len, ota_compare_sink, &c, &why);
    if (!e)
        return why.code == OTA_ERR_NOMEM ? ota_error_set(err, OTA_ERR_NOMEM, "%s", why.message) : 0;
    int ok = lz4_encoder_write(e, plain, plain_len, &why) == 0 && lz4_encoder_finish(e, &why) == 0 &&
             c.pos == stream_len;
    lz4_encoder_free(e);
    if (!ok && why.code == OTA_ERR_NOMEM)
        return ota_error_set(err, OTA_ERR_NOMEM, "%s", why.message);
    return ok;
}

int lz4_find_params(const uint8_t *plain, size_t plain_len, const uint8_t *stream, size_t stream_len,
                    lz4_params *params, ota_error *err)
{
    /* The settings tools use most, first: the kernel's (lz4 -l -9, or -12
     * with --favor-decSpeed for frames), the lz4 tool's default (1), the
     * maximum; then the rest. */
    static const struct {
        uint32_t level, flags;
    } order[] = {{9, 0},  {1, 0},  {12, 0}, {12, LZ4_FAVOR_DEC_SPEED}, {3, 0}, {4, 0}, {5, 0}, {6, 0},
                 {7, 0},  {8, 0},  {10, 0}, {11, 0}, {10, LZ4_FAVOR_DEC_SPEED}, {11, LZ4_FAVOR_DEC_SPEED}};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        lz4_params p = *params;
        p.level = order[i].level;
        p.flags = order[i].flags;
        if (p.kind == LZ4_KIND_LEGACY && p.flags)
            continue; /* the legacy container has no such setting */
        int r = remakes(&p, plain, plain_len, stream, stream_len, err);
        if (r < 0)
            return -1;
        if (r) {
            *params = p;
            return 1;
        }
    }
    return 0;
}

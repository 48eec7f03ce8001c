/* Raw deflate as an expand_view decoder: zlib's inflate over a byte range
 * of an input, stopping at every deflate block boundary so the view can
 * place checkpoints there (the bit position and zlib's 32 KiB window, as
 * zlib's zran example does). */
#include "applypatch/view_codecs.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define INFLATE_INBUF (64u * 1024)

struct view_inflate {
    const patch_input *in;
    uint64_t start, len; /* the compressed range */
    uint64_t fed;        /* bytes of the range given to zlib so far */
    z_stream zs;
    int zs_ready, ended, fresh;
    uint8_t *inbuf;
};

static int refill(view_inflate *d, ota_error *err)
{
    uint64_t left = d->len - d->fed;
    if (left == 0)
        return 0;
    size_t n;
    if (d->in->data) {
        n = left > (1u << 30) ? (1u << 30) : (size_t)left;
        d->zs.next_in = (Bytef *)(d->in->data + d->start + d->fed);
    } else {
        n = left > INFLATE_INBUF ? INFLATE_INBUF : (size_t)left;
        if (d->in->read(d->in->ctx, d->start + d->fed, d->inbuf, n, err) < 0)
            return -1;
        d->zs.next_in = d->inbuf;
    }
    d->zs.avail_in = (uInt)n;
    d->fed += n;
    return 1;
}

static int inflate_restart(void *ctx, const view_checkpoint *cp, ota_error *err)
{
    view_inflate *d = ctx;
    if (d->zs_ready)
        inflateEnd(&d->zs);
    memset(&d->zs, 0, sizeof d->zs);
    d->zs_ready = 0;
    if (inflateInit2(&d->zs, -15) != Z_OK)
        return ota_error_set(err, OTA_ERR_NOMEM, "inflateInit2 failed");
    d->zs_ready = 1;
    d->ended = 0;
    d->fresh = cp == NULL;
    d->fed = cp ? cp->in_pos : 0;
    if (cp && cp->bits) {
        uint8_t byte;
        if (patch_input_read(d->in, d->start + cp->in_pos - 1, &byte, 1, err) < 0)
            return -1;
        if (inflatePrime(&d->zs, cp->bits, byte >> (8 - cp->bits)) != Z_OK)
            return ota_error_set(err, OTA_ERR_FORMAT, "cannot resume inflate");
    }
    if (cp && cp->window_len &&
        inflateSetDictionary(&d->zs, cp->window, (uInt)cp->window_len) != Z_OK)
        return ota_error_set(err, OTA_ERR_FORMAT, "cannot restore the inflate window");
    return 0;
}

static int inflate_decode(void *ctx, uint8_t *out, size_t len, int stop, size_t *got, ota_error *err)
{
    view_inflate *d = ctx;
    (void)stop; /* it stops at every block boundary anyway */
    *got = 0;
    if (len > (1u << 30))
        len = 1u << 30;
    while (!d->ended && *got == 0) {
        /* No input left is only an error once inflate cannot go on without
         * it (the end of the last block needs none). */
        int exhausted = 0;
        if (d->zs.avail_in == 0) {
            int more = refill(d, err);
            if (more < 0)
                return -1;
            exhausted = more == 0;
        }
        d->zs.next_out = out;
        d->zs.avail_out = (uInt)len;
        int rc = inflate(&d->zs, Z_BLOCK);
        *got = len - d->zs.avail_out;
        d->fresh = 0;
        if (rc == Z_STREAM_END)
            d->ended = 1;
        else if (rc == Z_BUF_ERROR && exhausted)
            return ota_error_set(err, OTA_ERR_FORMAT, "source deflate data ends early");
        else if (rc == Z_MEM_ERROR)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory inflating the source");
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            return ota_error_set(err, OTA_ERR_FORMAT, "source is not valid deflate data (%s)",
                                 d->zs.msg ? d->zs.msg : "zlib error");
        /* Stop at a block boundary, where the view may want a checkpoint. */
        if (*got > 0 || (d->zs.data_type & 128))
            break;
    }
    return 0;
}

static int inflate_checkpoint(void *ctx, view_checkpoint *cp, ota_error *err)
{
    view_inflate *d = ctx;
    if (d->fresh) {
        cp->in_pos = 0;
        return 1;
    }
    /* At the end of a block that is not the last one. */
    if (d->ended || !(d->zs.data_type & 128) || (d->zs.data_type & 64))
        return 0;
    cp->in_pos = d->fed - d->zs.avail_in;
    cp->bits = d->zs.data_type & 7;
    cp->window = malloc(32768);
    if (!cp->window)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for an inflate checkpoint");
    uInt n = 32768;
    if (inflateGetDictionary(&d->zs, cp->window, &n) != Z_OK) {
        free(cp->window);
        cp->window = NULL;
        return 0;
    }
    cp->window_len = n;
    return 1;
}

const view_decoder view_inflate_ops = {inflate_restart, inflate_decode, inflate_checkpoint, 0};

view_inflate *view_inflate_new(const patch_input *in, uint64_t start, uint64_t len, ota_error *err)
{
    view_inflate *d = calloc(1, sizeof *d);
    if (!d || (!in->data && !(d->inbuf = malloc(INFLATE_INBUF)))) {
        free(d);
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory for an inflate decoder");
        return NULL;
    }
    d->in = in;
    d->start = start;
    d->len = len;
    return d;
}

void view_inflate_free(view_inflate *d)
{
    if (!d)
        return;
    if (d->zs_ready)
        inflateEnd(&d->zs);
    free(d->inbuf);
    free(d);
}

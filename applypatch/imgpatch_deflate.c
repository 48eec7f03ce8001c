/* Deflate chunks (IMGDIFF2 type 2): the source range is inflated (seen
 * through an expand_view, with the bonus data appended for chunk 1, as
 * Android reads recovery-from-boot.p), patched, and the result deflated
 * again with the zlib parameters the chunk records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "applypatch/bsdiff_internal.h"
#include "applypatch/imgpatch_internal.h"
#include "applypatch/view_codecs.h"

/* Deflates what bspatch produces and passes the compressed bytes on. */
typedef struct deflater {
    z_stream zs;
    ota_sink_fn sink;
    void *sink_ctx;
    uint64_t fed, expected;
    unsigned char out[65536];
} deflater;

static int deflater_pump(deflater *d, int flush, ota_error *err)
{
    for (;;) {
        d->zs.next_out = d->out;
        d->zs.avail_out = sizeof d->out;
        int rc = deflate(&d->zs, flush);
        if (rc == Z_STREAM_ERROR)
            return ota_error_set(err, OTA_ERR_FORMAT, "deflate failed");
        size_t have = sizeof d->out - d->zs.avail_out;
        if (have && d->sink(d->sink_ctx, d->out, have, err) < 0)
            return -1;
        if (flush == Z_FINISH ? rc == Z_STREAM_END : (d->zs.avail_in == 0 && d->zs.avail_out != 0))
            return 0;
    }
}

static int deflater_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    deflater *d = ctx;
    if (len > d->expected - d->fed)
        return ota_error_set(err, OTA_ERR_FORMAT, "patch produces more than the declared %llu bytes",
                             (unsigned long long)d->expected);
    d->fed += len;
    const unsigned char *p = data;
    while (len > 0) {
        uInt piece = len > (1u << 30) ? (1u << 30) : (uInt)len;
        d->zs.next_in = (unsigned char *)p;
        d->zs.avail_in = piece;
        if (deflater_pump(d, Z_NO_FLUSH, err) < 0)
            return -1;
        p += piece;
        len -= piece;
    }
    return 0;
}

/* Appends the usual reason for a size mismatch in chunk 1: the bonus. */
static void hint_bonus(ota_error *err, int index, const patch_input *bonus)
{
    if (!err || index != 1)
        return;
    char msg[OTA_ERROR_MAX];
    snprintf(msg, sizeof msg, "%s", err->message);
    ota_error_set(err, err->code, "%s%s", msg,
                  bonus ? " (is this the bonus data the patch was made with?)"
                        : " (if the patch was made with bonus data, supply it: -b)");
}

int img_apply_deflate(const img_apply *a, const img_chunk *c, int index, ota_error *err)
{
    /* Android appends the bonus to the second chunk only. */
    const patch_input *bonus = index == 1 ? a->bonus : NULL;
    uint64_t inflated_len = c->expanded_len - (bonus ? bonus->size : 0);
    char what[64];
    snprintf(what, sizeof what, "%s chunk %d", a->format, index);
    view_inflate *src = view_inflate_new(a->src, c->src_start, c->src_len, err);
    if (!src)
        return -1;
    expand_view view;
    deflater *d = NULL;
    int rc = -1;
    if (expand_view_open(&view, &view_inflate_ops, src, inflated_len, bonus, a->expand_limit, what, err) < 0) {
        hint_bonus(err, index, bonus);
        view_inflate_free(src);
        return -1;
    }
    d = calloc(1, sizeof *d);
    if (!d) {
        ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", what);
        goto out;
    }
    if (deflateInit2(&d->zs, c->level, c->method, c->window_bits, c->mem_level, c->strategy) != Z_OK) {
        ota_error_set(err, OTA_ERR_FORMAT,
                      "%s: zlib refuses parameters level %d method %d windowBits %d memLevel %d strategy %d", what,
                      c->level, c->method, c->window_bits, c->mem_level, c->strategy);
        free(d);
        d = NULL;
        goto out;
    }
    d->sink = a->sink;
    d->sink_ctx = a->sink_ctx;
    d->expected = c->target_len;
    if (bspatch_input(&view.input, a->patch, c->patch_offset, a->patch->size - c->patch_offset, a->flags,
                      deflater_sink, d, err) < 0) {
        img_error_context(err, what);
        goto out;
    }
    if (d->fed != d->expected) {
        ota_error_set(err, OTA_ERR_FORMAT, "%s: patch produced %llu bytes, header says %llu", what,
                      (unsigned long long)d->fed, (unsigned long long)d->expected);
        goto out;
    }
    d->zs.next_in = NULL;
    d->zs.avail_in = 0;
    rc = deflater_pump(d, Z_FINISH, err);
    if (rc < 0)
        img_error_context(err, what);
out:
    if (d) {
        deflateEnd(&d->zs);
        free(d);
    }
    expand_view_close(&view);
    view_inflate_free(src);
    return rc;
}

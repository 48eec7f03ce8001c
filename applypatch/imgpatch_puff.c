/* Re-encoded deflate chunks (IMGDIFFX type 5): the source range is a
 * deflate stream seen puffed (puff.h) through an expand_view, the patch
 * makes the target's puffed form, and the huffer writes the deflate stream
 * it stands for -- any deflate stream, whoever compressed it.  The result
 * must have exactly the chunk's target length. */
#include <stdio.h>

#include "applypatch/bsdiff_internal.h"
#include "applypatch/imgpatch_internal.h"
#include "applypatch/puff.h"
#include "applypatch/view_codecs.h"

/* Counts the puffed bytes into the huffer (the deflate bytes out are held
 * to the chunk's length by an img_out). */
typedef struct puff_in {
    huffer *h;
    uint64_t fed, fed_limit;
} puff_in;

static int puffed_in(void *ctx, const void *data, size_t len, ota_error *err)
{
    puff_in *o = ctx;
    if (len > o->fed_limit - o->fed)
        return ota_error_set(err, OTA_ERR_FORMAT, "patch produces more than the declared %llu bytes",
                             (unsigned long long)o->fed_limit);
    o->fed += len;
    return huffer_write(o->h, data, len, err);
}

int img_apply_puff(const img_apply *a, const img_chunk *c, int index, ota_error *err)
{
    char what[64];
    snprintf(what, sizeof what, "%s chunk %d", a->format, index);
    puffer *src = puffer_new(a->src, c->src_start, c->src_len, err);
    if (!src)
        return -1;
    expand_view view;
    if (expand_view_open(&view, &view_puff_ops, src, c->expanded_len, NULL, a->expand_limit, what, err) < 0) {
        puffer_free(src);
        return -1;
    }
    img_out out = {a->sink, a->sink_ctx, "re-encoded deflate stream", 0, c->target_len};
    puff_in o = {.fed_limit = c->tgt_plain_len};
    int rc = -1;
    o.h = huffer_new(img_out_write, &out, err);
    if (o.h && bspatch_input(&view.input, a->patch, c->patch_offset, a->patch->size - c->patch_offset, a->flags,
                             puffed_in, &o, err) == 0) {
        if (o.fed != o.fed_limit)
            ota_error_set(err, OTA_ERR_FORMAT, "patch produced %llu bytes, header says %llu",
                          (unsigned long long)o.fed, (unsigned long long)o.fed_limit);
        else if (huffer_finish(o.h, err) == 0)
            rc = img_out_check(&out, err);
    }
    if (rc < 0)
        img_error_context(err, what);
    huffer_free(o.h);
    expand_view_close(&view);
    puffer_free(src);
    return rc;
}

/* LZ4 chunks (IMGDIFFX type 4): the source range is an LZ4 stream seen
 * expanded through an expand_view, the patch makes the target's
 * expansion, and the target stream is remade block by block with the
 * settings the chunk records (lz4_stream.h).  The remade stream must have
 * exactly the length the chunk says; imgdiff checked on the host that
 * these settings remake it byte for byte. */
#include <stdio.h>

#include "applypatch/bsdiff_internal.h"
#include "applypatch/imgpatch_internal.h"
#include "applypatch/lz4_stream.h"
#include "applypatch/view_codecs.h"

int img_apply_lz4(const img_apply *a, const img_chunk *c, int index, ota_error *err)
{
    char what[64];
    snprintf(what, sizeof what, "%s chunk %d", a->format, index);
    lz4_params p = {c->lz4_kind, c->lz4_level, c->lz4_flags, c->lz4_frame};
    if (lz4_params_check(&p, err) < 0) {
        img_error_context(err, what);
        return -1;
    }
    view_lz4 *src = view_lz4_new(a->src, c->src_start, c->src_len, err);
    if (!src)
        return -1;
    expand_view view;
    if (expand_view_open(&view, &view_lz4_ops, src, c->expanded_len, NULL, a->expand_limit, what, err) < 0) {
        view_lz4_free(src);
        return -1;
    }
    img_out out = {a->sink, a->sink_ctx, "remade LZ4 stream", 0, c->target_len};
    int rc = -1;
    lz4_encoder *e = lz4_encoder_new(&p, c->tgt_plain_len, img_out_write, &out, err);
    if (e && bspatch_input(&view.input, a->patch, c->patch_offset, a->patch->size - c->patch_offset, a->flags,
                           lz4_encoder_sink, e, err) == 0 &&
        lz4_encoder_finish(e, err) == 0)
        rc = img_out_check(&out, err);
    if (rc < 0)
        img_error_context(err, what);
    lz4_encoder_free(e);
    expand_view_close(&view);
    view_lz4_free(src);
    return rc;
}

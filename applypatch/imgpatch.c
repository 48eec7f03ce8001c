/* imgpatch: applies IMGDIFF2 and IMGDIFFX patches (formats in imgdiff.h).
 * The chunk table is read twice through the patch input: once to check
 * every header against the sizes of source and patch (a malformed patch
 * makes no output), then to apply each chunk, streaming the target. */
#include "applypatch/imgpatch.h"
#include "applypatch/imgpatch_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applypatch/bsdiff_internal.h"

/* Deflate cannot expand more than 1032:1 (258-byte matches in under two
 * bits); a chunk that claims more is corrupt. */
#define DEFLATE_MAX_RATIO 1032u

/* The chunk checks that need to know the bonus data. */
static int check_chunk(const img_apply *a, const img_chunk *c, int i, ota_error *err)
{
    if (c->type != IMGDIFF_CHUNK_DEFLATE)
        return 0;
    uint64_t bonus_len = i == 1 && a->bonus ? a->bonus->size : 0;
    if (c->expanded_len < bonus_len)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s chunk %d: expanded length %llu is smaller than the %llu bytes of bonus data",
                             a->format, i, (unsigned long long)c->expanded_len, (unsigned long long)bonus_len);
    if ((c->expanded_len - bonus_len) / DEFLATE_MAX_RATIO > c->src_len + 1)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s chunk %d: %llu deflated bytes cannot expand to %llu",
                             a->format, i, (unsigned long long)c->src_len,
                             (unsigned long long)(c->expanded_len - bonus_len));
    return 0;
}

static int apply_chunk(const img_apply *a, const img_chunk *c, int i, ota_error *err)
{
    int rc;
    switch (c->type) {
    case IMGDIFF_CHUNK_RAW: {
        /* in pieces, so a raw chunk needs no more memory than any other */
        uint8_t buf[64 * 1024];
        for (uint64_t done = 0; done < c->target_len;) {
            size_t n = c->target_len - done < sizeof buf ? (size_t)(c->target_len - done) : sizeof buf;
            if (a->patch->data) {
                if (a->sink(a->sink_ctx, a->patch->data + c->raw_offset + done, n, err) < 0)
                    return -1;
            } else if (patch_input_read(a->patch, c->raw_offset + done, buf, n, err) < 0 ||
                       a->sink(a->sink_ctx, buf, n, err) < 0) {
                return -1;
            }
            done += n;
        }
        return 0;
    }
    case IMGDIFF_CHUNK_NORMAL: {
        /* Its bsdiff data runs to the end of the patch, as Android reads
         * it: each stream stops at its own end marker. */
        patch_slice part;
        rc = patch_slice_init(&part, a->src, c->src_start, c->src_len, err);
        if (rc == 0)
            rc = bspatch_input(&part.input, a->patch, c->patch_offset, a->patch->size - c->patch_offset,
                               a->flags, a->sink, a->sink_ctx, err);
        break;
    }
    case IMGDIFF_CHUNK_DEFLATE: rc = img_apply_deflate(a, c, i, err); break;
    case IMGDIFF_CHUNK_LZ4: rc = img_apply_lz4(a, c, i, err); break;
    default: rc = img_apply_puff(a, c, i, err); break;
    }
    if (rc < 0) {
        char what[64];
        snprintf(what, sizeof what, "%s chunk %d", a->format, i);
        img_error_context(err, what);
    }
    return rc;
}

int img_out_write(void *out, const void *data, size_t len, ota_error *err)
{
    img_out *o = out;
    if (len > o->limit - o->written)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s is longer than the %llu bytes the patch says", o->what,
                             (unsigned long long)o->limit);
    o->written += len;
    return o->sink(o->sink_ctx, data, len, err);
}

int img_out_check(const img_out *o, ota_error *err)
{
    if (o->written != o->limit)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s is %llu bytes, the patch says %llu", o->what,
                             (unsigned long long)o->written, (unsigned long long)o->limit);
    return 0;
}

void img_error_context(ota_error *err, const char *what)
{
    if (err && !strstr(err->message, what))
        ota_error_prefix(err, "%s", what);
}

int imgpatch_input(const img_apply *a_in, ota_error *err)
{
    img_apply a = *a_in;
    img_table t;
    img_chunk c;
    if (img_table_open(&t, a.patch, a.src->size, err) < 0)
        return -1;
    a.format = t.format;
    while (t.index < t.count)
        if (img_table_next(&t, &c, err) < 0 || check_chunk(&a, &c, (int)t.index - 1, err) < 0)
            return -1;
    if (img_table_open(&t, a.patch, a.src->size, err) < 0)
        return -1;
    while (t.index < t.count) {
        if (img_table_next(&t, &c, err) < 0)
            return -1;
        if (apply_chunk(&a, &c, (int)t.index - 1, err) < 0)
            return -1;
    }
    return 0;
}

int imgpatch_apply(const uint8_t *src, size_t src_len, const uint8_t *patch, size_t patch_len,
                   const uint8_t *bonus, size_t bonus_len, ota_sink_fn sink, void *sink_ctx, ota_error *err)
{
    patch_input s, p, b;
    patch_input_memory(&s, src, src ? src_len : 0);
    patch_input_memory(&p, patch, patch_len);
    patch_input_memory(&b, bonus, bonus ? bonus_len : 0);
    img_apply a = {.src = &s, .patch = &p, .bonus = bonus && bonus_len ? &b : NULL,
                   .expand_limit = UINT64_MAX, .sink = sink, .sink_ctx = sink_ctx};
    return imgpatch_input(&a, err);
}

int imgpatch_uses_bonus(const uint8_t *patch, size_t patch_len)
{
    patch_input p;
    patch_input_memory(&p, patch, patch_len);
    img_table t;
    img_chunk c;
    if (img_table_open(&t, &p, UINT64_MAX, NULL) < 0 || t.count < 2)
        return 0;
    for (int i = 0; i < 2; i++)
        if (img_table_next(&t, &c, NULL) < 0)
            return 0;
    return c.type == IMGDIFF_CHUNK_DEFLATE;
}

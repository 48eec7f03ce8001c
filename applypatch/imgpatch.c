/* imgpatch: applies IMGDIFF2 patches (format in imgdiff.h).  The whole
 * chunk table is read and checked before any output, so a malformed patch
 * produces no output at all; each chunk then streams to the caller's sink. */
#include "applypatch/imgdiff.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "applypatch/bsdiff.h"

/* Deflate cannot expand more than 1032:1 (258-byte matches in under two
 * bits); anything claiming more is corrupt, and refusing it bounds what a
 * patch can make us allocate. */
#define DEFLATE_MAX_RATIO 1032u
#define DEFLATE_HEADER_LEN 60
#define NORMAL_HEADER_LEN 24
/* Far above what real images have (a zip gives about two per entry), and
 * a bound on the table a hostile patch can make us hold. */
#define IMGDIFF_MAX_CHUNKS (1 << 20)

typedef struct chunk {
    int type;
    uint64_t src_start, src_len, patch_offset;
    uint64_t expanded_len, target_len;
    int level, method, window_bits, mem_level, strategy;
    size_t patch_end;  /* end of this chunk's bsdiff data in the patch */
    size_t raw_offset; /* raw chunks: where the data starts in the patch */
} chunk;

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* A bsdiff patch has no length field: it ends where the next one (in
 * file order) starts, or at the end of the patch file. */
static int set_patch_ends(chunk *c, size_t n, size_t patch_len, ota_error *err)
{
    uint64_t *offsets = malloc((n + 1) * sizeof *offsets);
    if (!offsets)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for %zu IMGDIFF2 chunks", n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i].type != IMGDIFF_CHUNK_RAW)
            offsets[m++] = c[i].patch_offset;
    qsort(offsets, m, sizeof *offsets, cmp_u64);
    for (size_t i = 0; i < n; i++) {
        if (c[i].type == IMGDIFF_CHUNK_RAW)
            continue;
        /* first offset greater than this chunk's */
        size_t lo = 0, hi = m;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (offsets[mid] <= c[i].patch_offset)
                lo = mid + 1;
            else
                hi = mid;
        }
        c[i].patch_end = lo < m ? (size_t)offsets[lo] : patch_len;
    }
    free(offsets);
    return 0;
}

/* Reads the chunk table into *out (malloc'd) after checking every field
 * against the sizes of src and patch. */
static int parse_chunks(const uint8_t *patch, size_t patch_len, size_t src_len, chunk **out,
                        size_t *count, ota_error *err)
{
    if (patch_len < IMGDIFF2_MAGIC_LEN + 4)
        return ota_error_set(err, OTA_ERR_FORMAT, "IMGDIFF2 patch truncated: %zu bytes", patch_len);
    if (memcmp(patch, IMGDIFF2_MAGIC, IMGDIFF2_MAGIC_LEN) != 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "not an IMGDIFF2 patch (bad magic)");
    int32_t n = (int32_t)le32(patch + 8);
    /* Every chunk takes at least 8 bytes of header. */
    if (n < 0 || (size_t)n > (patch_len - 12) / 8)
        return ota_error_set(err, OTA_ERR_FORMAT, "IMGDIFF2 chunk count %d impossible for a %zu-byte patch",
                             (int)n, patch_len);
    if (n > IMGDIFF_MAX_CHUNKS)
        return ota_error_set(err, OTA_ERR_LIMIT, "IMGDIFF2 patch has %d chunks, more than the %d allowed", (int)n,
                             IMGDIFF_MAX_CHUNKS);
    chunk *c = calloc((size_t)n + 1, sizeof *c);
    if (!c)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for %d IMGDIFF2 chunks", (int)n);
    size_t pos = 12;
    for (int32_t i = 0; i < n; i++) {
        chunk *k = &c[i];
        if (patch_len - pos < 4)
            goto truncated;
        k->type = (int)(int32_t)le32(patch + pos);
        pos += 4;
        if (k->type == IMGDIFF_CHUNK_RAW) {
            if (patch_len - pos < 4)
                goto truncated;
            uint32_t len = le32(patch + pos);
            pos += 4;
            if (len > patch_len - pos) {
                ota_error_set(err, OTA_ERR_FORMAT, "IMGDIFF2 chunk %d: raw data of %u bytes runs past the patch end",
                              (int)i, len);
                goto fail;
            }
            k->raw_offset = pos;
            k->target_len = len;
            pos += len;
            continue;
        }
        if (k->type != IMGDIFF_CHUNK_NORMAL && k->type != IMGDIFF_CHUNK_DEFLATE) {
            ota_error_set(err, OTA_ERR_FORMAT, "IMGDIFF2 chunk %d: unknown chunk type %d%s", (int)i, k->type,
                          k->type == IMGDIFF_CHUNK_GZIP ? " (gzip chunks are IMGDIFF1 only)" : "");
            goto fail;
        }
        size_t hlen = k->type == IMGDIFF_CHUNK_NORMAL ? NORMAL_HEADER_LEN : DEFLATE_HEADER_LEN;
        if (patch_len - pos < hlen)
            goto truncated;
        const uint8_t *h = patch + pos;
        pos += hlen;
        k->src_start = le64(h);
        k->src_len = le64(h + 8);
        k->patch_offset = le64(h + 16);
        if (k->src_start > src_len || k->src_len > src_len - k->src_start) {
            ota_error_set(err, OTA_ERR_FORMAT,
                          "IMGDIFF2 chunk %d: source range %llu+%llu is outside the %zu-byte source", (int)i,
                          (unsigned long long)k->src_start, (unsigned long long)k->src_len, src_len);
            goto fail;
        }
        if (k->patch_offset >= patch_len) {
            ota_error_set(err, OTA_ERR_FORMAT, "IMGDIFF2 chunk %d: patch offset %llu is past the patch end (%zu)",
                          (int)i, (unsigned long long)k->patch_offset, patch_len);
            goto fail;
        }
        if (k->type == IMGDIFF_CHUNK_DEFLATE) {
            k->expanded_len = le64(h + 24);
            k->target_len = le64(h + 32);
            k->level = (int)(int32_t)le32(h + 40);
            k->method = (int)(int32_t)le32(h + 44);
            k->window_bits = (int)(int32_t)le32(h + 48);
            k->mem_level = (int)(int32_t)le32(h + 52);
            k->strategy = (int)(int32_t)le32(h + 56);
        }
    }
    if (set_patch_ends(c, (size_t)n, patch_len, err) < 0)
        goto fail;
    *out = c;
    *count = (size_t)n;
    return 0;
truncated:
    ota_error_set(err, OTA_ERR_FORMAT, "IMGDIFF2 patch truncated in the chunk table (%zu bytes)", patch_len);
fail:
    free(c);
    return -1;
}

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

/* Inflates the raw deflate stream `in` into exactly out_len bytes. */
static int inflate_exact(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len, int index,
                         const char *hint, ota_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK)
        return ota_error_set(err, OTA_ERR_NOMEM, "IMGDIFF2 chunk %d: inflateInit2 failed", index);
    size_t in_done = 0, out_done = 0;
    int rc = Z_OK;
    while (rc == Z_OK) {
        size_t in_piece = in_len - in_done, out_piece = out_len - out_done;
        zs.next_in = (unsigned char *)in + in_done;
        zs.avail_in = in_piece > UINT_MAX ? UINT_MAX : (uInt)in_piece;
        zs.next_out = out + out_done;
        zs.avail_out = out_piece > UINT_MAX ? UINT_MAX : (uInt)out_piece;
        uInt avail_in = zs.avail_in, avail_out = zs.avail_out;
        rc = inflate(&zs, Z_NO_FLUSH);
        in_done += avail_in - zs.avail_in;
        out_done += avail_out - zs.avail_out;
        /* Pieces are capped below both limits, so Z_BUF_ERROR (no progress)
         * means the input or the output really ran out. */
    }
    const char *zmsg = zs.msg; /* zlib's messages are static strings */
    inflateEnd(&zs);
    if (rc == Z_STREAM_END && out_done == out_len)
        return 0;
    if (rc == Z_STREAM_END)
        return ota_error_set(err, OTA_ERR_FORMAT, "IMGDIFF2 chunk %d: source expands to %zu bytes, patch says %zu%s",
                             index, out_done, out_len, hint);
    if (rc == Z_BUF_ERROR)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             out_done == out_len
                                 ? "IMGDIFF2 chunk %d: source expands to more than the %zu bytes the patch says%s"
                                 : "IMGDIFF2 chunk %d: source deflate data ends early (after %zu bytes)%s",
                             index, out_done == out_len ? out_len : out_done, hint);
    if (rc == Z_MEM_ERROR)
        return ota_error_set(err, OTA_ERR_NOMEM, "IMGDIFF2 chunk %d: out of memory inflating the source", index);
    return ota_error_set(err, OTA_ERR_FORMAT, "IMGDIFF2 chunk %d: source is not valid deflate data (%s)", index,
                         zmsg ? zmsg : "zlib error");
}

static int apply_deflate(const chunk *k, int index, const uint8_t *src, const uint8_t *patch,
                         const uint8_t *bonus, size_t bonus_len, ota_sink_fn sink, void *sink_ctx,
                         ota_error *err)
{
    if (k->expanded_len < bonus_len)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "IMGDIFF2 chunk %d: expanded length %llu is smaller than the %zu bytes of bonus data",
                             index, (unsigned long long)k->expanded_len, bonus_len);
    uint64_t inflated_len = k->expanded_len - bonus_len;
    if (inflated_len / DEFLATE_MAX_RATIO > k->src_len + 1 || k->expanded_len > SIZE_MAX)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "IMGDIFF2 chunk %d: %llu deflated bytes cannot expand to %llu", index,
                             (unsigned long long)k->src_len, (unsigned long long)inflated_len);
    uint8_t *expanded = malloc(k->expanded_len ? (size_t)k->expanded_len : 1);
    if (!expanded)
        return ota_error_set(err, OTA_ERR_NOMEM, "IMGDIFF2 chunk %d: out of memory for %llu expanded bytes",
                             index, (unsigned long long)k->expanded_len);
    int rc = -1;
    deflater *d = NULL;
    /* The usual reason for a size mismatch in chunk 1 is the bonus. */
    const char *hint = index != 1 ? ""
                       : bonus_len ? " (is this the bonus data the patch was made with?)"
                                   : " (if the patch was made with bonus data, supply it: -b)";
    if (inflate_exact(src + k->src_start, (size_t)k->src_len, expanded, (size_t)inflated_len, index, hint, err) < 0)
        goto out;
    if (bonus_len)
        memcpy(expanded + inflated_len, bonus, bonus_len);

    d = calloc(1, sizeof *d);
    if (!d) {
        ota_error_set(err, OTA_ERR_NOMEM, "IMGDIFF2 chunk %d: out of memory", index);
        goto out;
    }
    if (deflateInit2(&d->zs, k->level, k->method, k->window_bits, k->mem_level, k->strategy) != Z_OK) {
        ota_error_set(err, OTA_ERR_FORMAT,
                      "IMGDIFF2 chunk %d: zlib refuses parameters level %d method %d windowBits %d memLevel %d "
                      "strategy %d",
                      index, k->level, k->method, k->window_bits, k->mem_level, k->strategy);
        free(d);
        d = NULL;
        goto out;
    }
    d->sink = sink;
    d->sink_ctx = sink_ctx;
    d->expected = k->target_len;
    if (bspatch_mem(expanded, (size_t)k->expanded_len, patch + k->patch_offset,
                    k->patch_end - (size_t)k->patch_offset, deflater_sink, d, err) < 0) {
        ota_error_prefix(err, "IMGDIFF2 chunk %d", index);
        goto out;
    }
    if (d->fed != d->expected) {
        ota_error_set(err, OTA_ERR_FORMAT, "IMGDIFF2 chunk %d: patch produced %llu bytes, header says %llu", index,
                      (unsigned long long)d->fed, (unsigned long long)d->expected);
        goto out;
    }
    d->zs.next_in = NULL;
    d->zs.avail_in = 0;
    rc = deflater_pump(d, Z_FINISH, err);
    if (rc < 0)
        ota_error_prefix(err, "IMGDIFF2 chunk %d", index);
out:
    if (d) {
        deflateEnd(&d->zs);
        free(d);
    }
    free(expanded);
    return rc;
}

int imgpatch_apply(const uint8_t *src, size_t src_len, const uint8_t *patch, size_t patch_len,
                   const uint8_t *bonus, size_t bonus_len, ota_sink_fn sink, void *sink_ctx, ota_error *err)
{
    chunk *chunks = NULL;
    size_t n = 0;
    if (!src)
        src_len = 0;
    if (!bonus)
        bonus_len = 0;
    if (parse_chunks(patch, patch_len, src_len, &chunks, &n, err) < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const chunk *k = &chunks[i];
        switch (k->type) {
        case IMGDIFF_CHUNK_RAW:
            rc = k->target_len ? sink(sink_ctx, patch + k->raw_offset, (size_t)k->target_len, err) : 0;
            break;
        case IMGDIFF_CHUNK_NORMAL:
            rc = bspatch_mem(src + k->src_start, (size_t)k->src_len, patch + k->patch_offset,
                             k->patch_end - (size_t)k->patch_offset, sink, sink_ctx, err);
            if (rc < 0)
                ota_error_prefix(err, "IMGDIFF2 chunk %zu", i);
            break;
        default: /* Android appends the bonus to the second chunk only. */
            rc = apply_deflate(k, (int)i, src, patch, i == 1 ? bonus : NULL, i == 1 ? bonus_len : 0, sink,
                               sink_ctx, err);
            break;
        }
    }
    free(chunks);
    return rc;
}

int imgpatch_uses_bonus(const uint8_t *patch, size_t patch_len)
{
    chunk *chunks = NULL;
    size_t n = 0;
    if (parse_chunks(patch, patch_len, SIZE_MAX, &chunks, &n, NULL) < 0)
        return 0;
    int uses = n > 1 && chunks[1].type == IMGDIFF_CHUNK_DEFLATE;
    free(chunks);
    return uses;
}

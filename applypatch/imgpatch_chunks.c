/* The chunk table of IMGDIFF2 and IMGDIFFX patches, read one header at a
 * time through the patch input (so a table of any length takes no memory),
 * each field checked against the sizes of the source and the patch. */
#include "applypatch/imgpatch.h"
#include "applypatch/imgpatch_internal.h"

#include <string.h>

/* Far above what real images have (a zip gives about two per entry); a
 * bound on the work a hostile table can cause. */
#define IMGDIFF_MAX_CHUNKS (1 << 20)
/* LZ4 cannot expand more than 255:1 (each length byte adds at most 255
 * bytes of match); a chunk that claims more is corrupt.  (Deflate's limit
 * is checked where the bonus data is known: img_check_expansion.) */
#define LZ4_MAX_RATIO 256u
/* A puffed stream is at most 16 times its deflate bytes (a match coded in
 * two bits becomes four bytes); twice that leaves room for headers. */
#define PUFF_MAX_RATIO 32u

#define NORMAL_HEADER_LEN 24
#define DEFLATE_HEADER_LEN 60
#define LZ4_HEADER_LEN 64
#define PUFF_HEADER_LEN 48

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

int img_table_open(img_table *t, const patch_input *patch, uint64_t src_len, ota_error *err)
{
    memset(t, 0, sizeof *t);
    t->patch = patch;
    t->src_len = src_len;
    uint8_t head[12];
    int x = patch->size >= 8 && patch_input_read(patch, 0, head, 8, NULL) == 0 &&
            memcmp(head, IMGDIFFX_MAGIC, 8) == 0;
    t->format = x ? "IMGDIFFX" : "IMGDIFF2";
    t->extended = x;
    if (patch->size < 12)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s patch truncated: %llu bytes", t->format,
                             (unsigned long long)patch->size);
    if (patch_input_read(patch, 0, head, 12, err) < 0)
        return -1;
    if (!x && memcmp(head, IMGDIFF2_MAGIC, 8) != 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "not an IMGDIFF2 or IMGDIFFX patch (bad magic)");
    int32_t n = (int32_t)le32(head + 8);
    /* Every chunk takes at least 8 bytes of header. */
    if (n < 0 || (uint64_t)n > (patch->size - 12) / 8)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s chunk count %d impossible for a %llu-byte patch",
                             t->format, (int)n, (unsigned long long)patch->size);
    if (n > IMGDIFF_MAX_CHUNKS)
        return ota_error_set(err, OTA_ERR_LIMIT, "%s patch has %d chunks, more than the %d allowed",
                             t->format, (int)n, IMGDIFF_MAX_CHUNKS);
    t->count = (uint32_t)n;
    t->pos = 12;
    return 0;
}

static int header_len(const img_table *t, int type)
{
    switch (type) {
    case IMGDIFF_CHUNK_NORMAL: return NORMAL_HEADER_LEN;
    case IMGDIFF_CHUNK_DEFLATE: return DEFLATE_HEADER_LEN;
    case IMGDIFF_CHUNK_LZ4: return t->extended ? LZ4_HEADER_LEN : -1;
    case IMGDIFF_CHUNK_PUFF: return t->extended ? PUFF_HEADER_LEN : -1;
    default: return -1;
    }
}

/* Checks the fields every patched chunk has. */
static int check_ranges(const img_table *t, int i, const img_chunk *c, ota_error *err)
{
    if (c->src_start > t->src_len || c->src_len > t->src_len - c->src_start)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s chunk %d: source range %llu+%llu is outside the %llu-byte source",
                             t->format, i, (unsigned long long)c->src_start,
                             (unsigned long long)c->src_len, (unsigned long long)t->src_len);
    if (c->patch_offset >= t->patch->size)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s chunk %d: patch offset %llu is past the patch end (%llu)", t->format,
                             i, (unsigned long long)c->patch_offset,
                             (unsigned long long)t->patch->size);
    return 0;
}

int img_table_next(img_table *t, img_chunk *c, ota_error *err)
{
    int i = (int)t->index;
    memset(c, 0, sizeof *c);
    uint8_t h[LZ4_HEADER_LEN];
    if (t->patch->size - t->pos < 4)
        goto truncated;
    if (patch_input_read(t->patch, t->pos, h, 4, err) < 0)
        return -1;
    t->pos += 4;
    c->type = (int)(int32_t)le32(h);
    if (c->type == IMGDIFF_CHUNK_RAW) {
        if (t->patch->size - t->pos < 4)
            goto truncated;
        if (patch_input_read(t->patch, t->pos, h, 4, err) < 0)
            return -1;
        t->pos += 4;
        c->target_len = le32(h);
        if (c->target_len > t->patch->size - t->pos)
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "%s chunk %d: raw data of %llu bytes runs past the patch end",
                                 t->format, i, (unsigned long long)c->target_len);
        c->raw_offset = t->pos;
        t->pos += c->target_len;
        t->index++;
        return 0;
    }
    int hlen = header_len(t, c->type);
    if (hlen < 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s chunk %d: unknown chunk type %d%s", t->format, i,
                             c->type,
                             c->type == IMGDIFF_CHUNK_GZIP ? " (gzip chunks are IMGDIFF1 only)"
                             : (c->type == IMGDIFF_CHUNK_LZ4 || c->type == IMGDIFF_CHUNK_PUFF)
                                 ? " (LZ4 and re-encoded deflate chunks need an IMGDIFFX patch)"
                                 : "");
    if (t->patch->size - t->pos < (uint64_t)hlen)
        goto truncated;
    if (patch_input_read(t->patch, t->pos, h, (size_t)hlen, err) < 0)
        return -1;
    t->pos += (uint64_t)hlen;
    c->src_start = le64(h);
    c->src_len = le64(h + 8);
    c->patch_offset = le64(h + 16);
    switch (c->type) {
    case IMGDIFF_CHUNK_DEFLATE:
        c->expanded_len = le64(h + 24);
        c->target_len = le64(h + 32);
        c->level = (int)(int32_t)le32(h + 40);
        c->method = (int)(int32_t)le32(h + 44);
        c->window_bits = (int)(int32_t)le32(h + 48);
        c->mem_level = (int)(int32_t)le32(h + 52);
        c->strategy = (int)(int32_t)le32(h + 56);
        break;
    case IMGDIFF_CHUNK_LZ4:
        c->expanded_len = le64(h + 24);
        c->tgt_plain_len = le64(h + 32);
        c->target_len = le64(h + 40);
        c->lz4_kind = le32(h + 48);
        c->lz4_level = le32(h + 52);
        c->lz4_flags = le32(h + 56);
        c->lz4_frame = le32(h + 60);
        break;
    case IMGDIFF_CHUNK_PUFF:
        c->expanded_len = le64(h + 24);
        c->tgt_plain_len = le64(h + 32);
        c->target_len = le64(h + 40);
        break;
    default: break;
    }
    if (check_ranges(t, i, c, err) < 0)
        return -1;
    if (c->type == IMGDIFF_CHUNK_LZ4 && c->expanded_len / LZ4_MAX_RATIO > c->src_len + 1)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s chunk %d: %llu LZ4 bytes cannot expand to %llu",
                             t->format, i, (unsigned long long)c->src_len,
                             (unsigned long long)c->expanded_len);
    if (c->type == IMGDIFF_CHUNK_PUFF && c->expanded_len / PUFF_MAX_RATIO > c->src_len + 1)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s chunk %d: %llu deflate bytes cannot puff to %llu",
                             t->format, i, (unsigned long long)c->src_len,
                             (unsigned long long)c->expanded_len);
    t->index++;
    return 0;
truncated:
    return ota_error_set(err, OTA_ERR_FORMAT, "%s patch truncated in the chunk table (%llu bytes)",
                         t->format, (unsigned long long)t->patch->size);
}

/* Finding the compressed streams imgdiff can patch expanded: gzip members
 * anywhere in an image (RFC 1952), LZ4 streams (a bzImage's kernel), or
 * the deflated entries of a zip archive, found with the zip layer
 * (otautil/zip.h) opened on the bytes in memory, each at the offset of its
 * data. */
#include "applypatch/imgdiff_internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "otautil/zip.h"

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int push_region(imgdiff_regions *out, const imgdiff_region *r, ota_error *err)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 16;
        imgdiff_region *v = realloc(out->v, cap * sizeof *v);
        if (!v)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory listing deflate streams");
        out->v = v;
        out->cap = cap;
    }
    out->v[out->n++] = *r;
    return 0;
}

/* Length of the gzip header at p (flags honoured), or 0 when p does not
 * start a gzip header using deflate. */
static size_t gzip_header_len(const uint8_t *p, size_t len)
{
    enum { FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16, FRESERVED = 0xe0 };
    if (len < 10 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 || (p[3] & FRESERVED))
        return 0;
    size_t pos = 10;
    if (p[3] & FEXTRA) {
        if (len - pos < 2)
            return 0;
        size_t xlen = le16(p + pos);
        if (len - pos - 2 < xlen)
            return 0;
        pos += 2 + xlen;
    }
    for (int field = FNAME; field <= FCOMMENT; field <<= 1) {
        if (!(p[3] & field))
            continue;
        const uint8_t *nul = memchr(p + pos, 0, len - pos);
        if (!nul)
            return 0;
        pos = (size_t)(nul - p) + 1;
    }
    if (p[3] & FHCRC) {
        if (len - pos < 2)
            return 0;
        pos += 2;
    }
    return pos;
}

int imgdiff_find_gzip(const uint8_t *data, size_t len, imgdiff_regions *out, ota_error *err)
{
    size_t pos = 0;
    while (pos + 18 <= len) {
        const uint8_t *hit = memchr(data + pos, 0x1f, len - pos);
        if (!hit)
            break;
        pos = (size_t)(hit - data);
        size_t hlen = gzip_header_len(data + pos, len - pos);
        if (hlen == 0) {
            pos++;
            continue;
        }
        imgdiff_region r = {.offset = pos + hlen};
        size_t consumed = 0;
        int found = imgdiff_inflate_stream(data + r.offset, len - r.offset, &r.plain, &r.plain_len,
                                           &consumed, err);
        if (found < 0)
            return -1;
        size_t end = r.offset + consumed;
        /* The trailer (CRC-32 and size mod 2^32) must agree, which rules
         * out chance matches of the magic. */
        if (found) {
            uLong crc = crc32(0, NULL, 0);
            for (size_t done = 0; done < r.plain_len;) {
                size_t piece = r.plain_len - done > (1u << 30) ? (1u << 30) : r.plain_len - done;
                crc = crc32(crc, r.plain + done, (uInt)piece);
                done += piece;
            }
            if (len - end < 8 || le32(data + end) != (uint32_t)crc ||
                le32(data + end + 4) != (uint32_t)r.plain_len)
                found = 0;
        }
        if (!found) {
            free(r.plain);
            pos++;
            continue;
        }
        r.len = consumed;
        if (push_region(out, &r, err) < 0) {
            free(r.plain);
            return -1;
        }
        pos = end + 8;
    }
    return 0;
}

int imgdiff_find_lz4(const uint8_t *data, size_t len, imgdiff_regions *out, ota_error *err)
{
    static const uint8_t legacy[4] = {0x02, 0x21, 0x4c, 0x18}, frame[4] = {0x04, 0x22, 0x4d, 0x18};
    size_t pos = 0;
    while (len - pos >= 8) {
        const uint8_t *a = memmem(data + pos, len - pos, legacy, 4);
        const uint8_t *b = memmem(data + pos, len - pos, frame, 4);
        const uint8_t *hit = !a ? b : !b ? a : a < b ? a : b;
        if (!hit)
            break;
        pos = (size_t)(hit - data);
        imgdiff_region r = {.kind = REGION_LZ4, .offset = pos};
        int found = lz4_stream_parse(hit, len - pos, &r.len, &r.plain, &r.plain_len, &r.lz4, err);
        if (found < 0)
            return -1;
        if (!found) {
            pos++;
            continue;
        }
        if (push_region(out, &r, err) < 0) {
            free(r.plain);
            return -1;
        }
        pos += r.len;
    }
    return 0;
}

int imgdiff_regions_merge(imgdiff_regions *a, imgdiff_regions *b, ota_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < b->n; i++) {
        imgdiff_region *r = &b->v[i];
        int overlaps = 0;
        for (size_t j = 0; j < a->n && !overlaps; j++)
            overlaps = r->offset < a->v[j].offset + a->v[j].len && a->v[j].offset < r->offset + r->len;
        if (rc == 0 && !overlaps && push_region(a, r, err) == 0)
            continue; /* a owns it now */
        if (!overlaps)
            rc = -1;
        free(r->plain);
        free(r->name);
    }
    b->n = 0;
    /* back into file order */
    for (size_t i = 1; i < a->n; i++)
        for (size_t j = i; j > 0 && a->v[j - 1].offset > a->v[j].offset; j--) {
            imgdiff_region t = a->v[j];
            a->v[j] = a->v[j - 1];
            a->v[j - 1] = t;
        }
    return rc;
}

int imgdiff_find_zip(const uint8_t *data, size_t len, imgdiff_regions *out, ota_error *err)
{
    ota_zip *zip = ota_zip_open_memory(data, len, "zip", err);
    if (!zip)
        return -1;
    int rc = -1;
    for (size_t i = 0; i < ota_zip_count(zip); i++) {
        const ota_zip_entry *e = ota_zip_entry_at(zip, i);
        /* Stored entries are plain bytes to bsdiff; entries that need zip64
         * fields are left to the normal chunks too. */
        if (e->method != OTA_ZIP_DEFLATE || e->compressed_size >= 0xffffffffu || e->size >= 0xffffffffu ||
            e->local_header_offset >= 0xffffffffu)
            continue;
        uint64_t data_off;
        if (ota_zip_data_offset(zip, e, &data_off, err) < 0)
            goto out;
        size_t csize = (size_t)e->compressed_size; /* within len: the zip layer checked */
        imgdiff_region r = {.offset = (size_t)data_off, .len = csize};
        size_t consumed = 0;
        int ok = imgdiff_inflate_stream(data + r.offset, csize, &r.plain, &r.plain_len, &consumed, err);
        if (ok < 0)
            goto out;
        if (!ok || consumed != csize || r.plain_len != e->size) {
            free(r.plain);
            continue; /* not what the directory says: leave it to bsdiff */
        }
        r.name = strdup(e->name);
        if (!r.name || push_region(out, &r, err) < 0) {
            free(r.plain);
            free(r.name);
            ota_error_set(err, OTA_ERR_NOMEM, "out of memory listing zip entries");
            goto out;
        }
    }
    /* Keep file order: chunks must follow the target's byte order. */
    for (size_t i = 1; i < out->n; i++)
        for (size_t j = i; j > 0 && out->v[j - 1].offset > out->v[j].offset; j--) {
            imgdiff_region t = out->v[j];
            out->v[j] = out->v[j - 1];
            out->v[j - 1] = t;
        }
    for (size_t i = 1; i < out->n; i++) {
        if (out->v[i].offset < out->v[i - 1].offset + out->v[i - 1].len) {
            ota_error_set(err, OTA_ERR_FORMAT, "zip entries %s and %s overlap", out->v[i - 1].name,
                          out->v[i].name);
            goto out;
        }
    }
    rc = 0;
out:
    ota_zip_close(zip);
    return rc;
}

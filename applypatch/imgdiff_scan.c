/* Finding the deflate streams imgdiff can turn into deflate chunks: gzip
 * members anywhere in an image (RFC 1952), or the deflated entries of a zip
 * archive (PKWARE APPNOTE: end of central directory, central directory,
 * local headers).  The zip walk reads the physical layout in memory because
 * imgdiff needs each entry's byte offset, which the zip reader hides. */
#include "applypatch/imgdiff_private.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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

/* Offset of the end-of-central-directory record, or -1. */
static long long find_eocd(const uint8_t *data, size_t len)
{
    if (len < 22)
        return -1;
    size_t lowest = len - 22 > 65535 ? len - 22 - 65535 : 0;
    for (size_t pos = len - 22 + 1; pos-- > lowest;)
        if (le32(data + pos) == 0x06054b50 && pos + 22 + le16(data + pos + 20) == len)
            return (long long)pos;
    return -1;
}

int imgdiff_find_zip(const uint8_t *data, size_t len, imgdiff_regions *out, ota_error *err)
{
    long long eocd = find_eocd(data, len);
    if (eocd < 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "not a zip archive (no end of central directory record)");
    const uint8_t *e = data + eocd;
    size_t count = le16(e + 10), cd_size = le32(e + 12), cd_off = le32(e + 16);
    if (cd_off > (size_t)eocd || cd_size > (size_t)eocd - cd_off)
        return ota_error_set(err, OTA_ERR_FORMAT, "zip central directory lies outside the archive");
    size_t pos = cd_off, cd_end = cd_off + cd_size;
    for (size_t i = 0; i < count; i++) {
        if (cd_end - pos < 46 || le32(data + pos) != 0x02014b50)
            return ota_error_set(err, OTA_ERR_FORMAT, "zip central directory entry %zu is corrupt", i);
        const uint8_t *c = data + pos;
        uint16_t method = le16(c + 10);
        size_t csize = le32(c + 20), usize = le32(c + 24);
        size_t nlen = le16(c + 28), xlen = le16(c + 30), mlen = le16(c + 32);
        size_t local = le32(c + 42);
        if (cd_end - pos - 46 < nlen + xlen + mlen)
            return ota_error_set(err, OTA_ERR_FORMAT, "zip central directory entry %zu is truncated", i);
        const char *name = (const char *)c + 46;
        pos += 46 + nlen + xlen + mlen;
        /* Stored entries are plain bytes to bsdiff; zip64 placeholders
         * (0xffffffff) are left to the normal chunks too. */
        if (method != 8 || csize == 0xffffffffu || local == 0xffffffffu)
            continue;
        if (local > len || len - local < 30 || le32(data + local) != 0x04034b50)
            return ota_error_set(err, OTA_ERR_FORMAT, "zip entry %.*s: bad local header offset", (int)nlen, name);
        size_t data_off = local + 30 + le16(data + local + 26) + le16(data + local + 28);
        if (data_off > len || csize > len - data_off)
            return ota_error_set(err, OTA_ERR_FORMAT, "zip entry %.*s: data runs past the archive end",
                                 (int)nlen, name);
        imgdiff_region r = {.offset = data_off, .len = csize};
        size_t consumed = 0;
        int ok = imgdiff_inflate_stream(data + data_off, csize, &r.plain, &r.plain_len, &consumed, err);
        if (ok < 0)
            return -1;
        if (!ok || consumed != csize || r.plain_len != usize) {
            free(r.plain);
            continue; /* not what the directory says: leave it to bsdiff */
        }
        r.name = strndup(name, nlen);
        if (!r.name || push_region(out, &r, err) < 0) {
            free(r.plain);
            free(r.name);
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory listing zip entries");
        }
    }
    /* Keep file order: chunks must follow the target's byte order. */
    for (size_t i = 1; i < out->n; i++)
        for (size_t j = i; j > 0 && out->v[j - 1].offset > out->v[j].offset; j--) {
            imgdiff_region t = out->v[j];
            out->v[j] = out->v[j - 1];
            out->v[j - 1] = t;
        }
    for (size_t i = 1; i < out->n; i++)
        if (out->v[i].offset < out->v[i - 1].offset + out->v[i - 1].len)
            return ota_error_set(err, OTA_ERR_FORMAT, "zip entries %s and %s overlap", out->v[i - 1].name,
                                 out->v[i].name);
    return 0;
}

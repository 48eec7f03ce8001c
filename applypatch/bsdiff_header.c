/* The BSDIFF40 and BSDF2 headers and their sign-magnitude integers. */
#include "applypatch/bsdiff_internal.h"

#include <string.h>

void bsdiff_put_offset(uint8_t out[8], int64_t value)
{
    /* INT64_MIN has no sign-magnitude form; writers never produce it. */
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(mag >> (8 * i));
    if (value < 0)
        out[7] |= 0x80;
}

int64_t bsdiff_get_offset(const uint8_t in[8])
{
    uint64_t mag = in[7] & 0x7f;
    for (int i = 6; i >= 0; i--)
        mag = (mag << 8) | in[i];
    return (in[7] & 0x80) ? -(int64_t)mag : (int64_t)mag;
}

/* BSDF2's codec bytes: Android's (bzip2, brotli) and ours (xz, zstd). */
static int parse_codecs(const uint8_t *types, bsdiff_header *h, ota_error *err)
{
    static const char *const names[3] = {"control", "diff", "extra"};
    for (int i = 0; i < 3; i++) {
        if (!codec_name(types[i]))
            return ota_error_set(err, OTA_ERR_FORMAT,
                                 "BSDF2 %s stream has unknown compression type %u", names[i],
                                 types[i]);
        h->codec[i] = types[i];
    }
    return 0;
}

int bsdiff_parse_header(const uint8_t *hdr, size_t hdr_len, uint64_t patch_len,
                        bsdiff_header *h, ota_error *err)
{
    int legacy = hdr_len >= 8 && memcmp(hdr, BSDIFF_MAGIC, 8) == 0;
    int bsdf2 = hdr_len >= BSDF2_MAGIC_LEN && memcmp(hdr, BSDF2_MAGIC, BSDF2_MAGIC_LEN) == 0;
    const char *format = bsdf2 ? "BSDF2" : "BSDIFF40";
    if (hdr_len < BSDIFF_HEADER_LEN || patch_len < BSDIFF_HEADER_LEN)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s patch truncated: %llu bytes, the header alone is %d", format,
                             (unsigned long long)patch_len, BSDIFF_HEADER_LEN);
    if (!legacy && !bsdf2)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "not a BSDIFF40 or BSDF2 patch (wrong magic)");
    h->format = format;
    if (legacy)
        h->codec[0] = h->codec[1] = h->codec[2] = CODEC_BZ2;
    else if (parse_codecs(hdr + BSDF2_MAGIC_LEN, h, err) < 0)
        return -1;
    int64_t ctrl = bsdiff_get_offset(hdr + 8);
    int64_t diff = bsdiff_get_offset(hdr + 16);
    int64_t size = bsdiff_get_offset(hdr + 24);
    if (ctrl < 0 || diff < 0 || size < 0)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s header has a negative length (control %lld, diff %lld, "
                             "new size %lld)",
                             format, (long long)ctrl, (long long)diff, (long long)size);
    uint64_t body = patch_len - BSDIFF_HEADER_LEN;
    if ((uint64_t)ctrl > body || (uint64_t)diff > body - (uint64_t)ctrl)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "%s patch truncated: header promises %lld + %lld bytes of "
                             "control and diff streams, the patch has %llu after the header",
                             format, (long long)ctrl, (long long)diff,
                             (unsigned long long)body);
    h->ctrl_len = (uint64_t)ctrl;
    h->diff_len = (uint64_t)diff;
    h->new_size = (uint64_t)size;
    h->extra_len = body - h->ctrl_len - h->diff_len;
    return 0;
}

void bsdiff_write_header(uint8_t hdr[BSDIFF_HEADER_LEN], const int codec[3], uint64_t ctrl_len,
                         uint64_t diff_len, uint64_t new_size)
{
    if (codec[0] == CODEC_BZ2 && codec[1] == CODEC_BZ2 && codec[2] == CODEC_BZ2) {
        memcpy(hdr, BSDIFF_MAGIC, 8);
    } else {
        memcpy(hdr, BSDF2_MAGIC, BSDF2_MAGIC_LEN);
        for (int i = 0; i < 3; i++)
            hdr[BSDF2_MAGIC_LEN + i] = (uint8_t)codec[i];
    }
    bsdiff_put_offset(hdr + 8, (int64_t)ctrl_len);
    bsdiff_put_offset(hdr + 16, (int64_t)diff_len);
    bsdiff_put_offset(hdr + 24, (int64_t)new_size);
}

/* The BSDIFF40 header and its sign-magnitude integers. */
#include "applypatch/bsdiff_private.h"

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

int bsdiff_parse_header(const uint8_t *hdr, size_t hdr_len, uint64_t patch_len,
                        bsdiff_header *h, ota_error *err)
{
    if (hdr_len < BSDIFF_HEADER_LEN || patch_len < BSDIFF_HEADER_LEN)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "BSDIFF40 patch truncated: %llu bytes, the header alone is %d",
                             (unsigned long long)patch_len, BSDIFF_HEADER_LEN);
    if (memcmp(hdr, BSDIFF_MAGIC, 8) != 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "not a BSDIFF40 patch (wrong magic)");
    int64_t ctrl = bsdiff_get_offset(hdr + 8);
    int64_t diff = bsdiff_get_offset(hdr + 16);
    int64_t size = bsdiff_get_offset(hdr + 24);
    if (ctrl < 0 || diff < 0 || size < 0)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "BSDIFF40 header has a negative length (control %lld, diff %lld, "
                             "new size %lld)",
                             (long long)ctrl, (long long)diff, (long long)size);
    uint64_t body = patch_len - BSDIFF_HEADER_LEN;
    if ((uint64_t)ctrl > body || (uint64_t)diff > body - (uint64_t)ctrl)
        return ota_error_set(err, OTA_ERR_FORMAT,
                             "BSDIFF40 patch truncated: header promises %lld + %lld bytes of "
                             "control and diff streams, the patch has %llu after the header",
                             (long long)ctrl, (long long)diff, (unsigned long long)body);
    h->ctrl_len = (uint64_t)ctrl;
    h->diff_len = (uint64_t)diff;
    h->new_size = (uint64_t)size;
    h->extra_len = body - h->ctrl_len - h->diff_len;
    return 0;
}

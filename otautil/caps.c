#include "otautil/caps.h"

enum {
    CAP_REV_MASK = 0xFF000000u,
    CAP_REV1 = 0x01000000u,
    CAP_REV2 = 0x02000000u,
    CAP_REV3 = 0x03000000u,
    CAP_FLAG_EFFECTIVE = 0x000001u,
};

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int b = 0; b < 4; b++)
        p[b] = (uint8_t)(v >> (8 * b));
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void ota_vfs_cap_encode(uint64_t caps, uint8_t out[OTA_VFS_CAP_SIZE])
{
    put_le32(out, CAP_REV2 | CAP_FLAG_EFFECTIVE);
    put_le32(out + 4, (uint32_t)caps);        /* permitted, low word */
    put_le32(out + 8, 0);                     /* inheritable, low word */
    put_le32(out + 12, (uint32_t)(caps >> 32));
    put_le32(out + 16, 0);
}

int ota_vfs_cap_decode(const uint8_t *value, size_t len, uint64_t *caps, ota_error *err)
{
    if (len < 4)
        return ota_error_set(err, OTA_ERR_FORMAT, "security.capability value too short (%zu bytes)",
                             len);
    uint32_t rev = get_le32(value) & CAP_REV_MASK;
    if (rev == CAP_REV1 && len >= 12) {
        *caps = get_le32(value + 4);
        return 0;
    }
    if ((rev == CAP_REV2 && len >= 20) || (rev == CAP_REV3 && len >= 24)) {
        *caps = (uint64_t)get_le32(value + 4) | (uint64_t)get_le32(value + 12) << 32;
        return 0;
    }
    return ota_error_set(err, OTA_ERR_FORMAT,
                         "security.capability: unknown revision 0x%08x or length %zu",
                         get_le32(value), len);
}

#include "bootctl/ab_control.h"

#include <string.h>
#include <zlib.h>

#define CRC_OFFSET 28
#define SLOT_OFFSET 12

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Replaces bits [shift, shift+width) of *byte with value. */
static void put_bits(uint8_t *byte, unsigned shift, unsigned width, unsigned value)
{
    unsigned mask = ((1u << width) - 1) << shift;
    *byte = (uint8_t)((*byte & ~mask) | ((value << shift) & mask));
}

static unsigned get_bits(uint8_t byte, unsigned shift, unsigned width)
{
    return (byte >> shift) & ((1u << width) - 1);
}

uint32_t ab_control_crc(const uint8_t raw[AB_CONTROL_SIZE])
{
    return (uint32_t)crc32(crc32(0L, Z_NULL, 0), raw, CRC_OFFSET);
}

void ab_control_decode(const uint8_t raw[AB_CONTROL_SIZE], ab_control *ab)
{
    memcpy(ab->raw, raw, AB_CONTROL_SIZE);
    memcpy(ab->slot_suffix, raw, 4);
    ab->magic = get_le32(raw + 4);
    ab->version = raw[8];
    ab->nb_slot = get_bits(raw[9], 0, 3);
    ab->recovery_tries_remaining = get_bits(raw[9], 3, 3);
    ab->merge_status = get_bits(raw[9], 6, 2) | get_bits(raw[10], 0, 1) << 2;
    for (unsigned i = 0; i < AB_CONTROL_SLOTS; i++) {
        const uint8_t *s = raw + SLOT_OFFSET + 2 * i;
        ab->slot[i].priority = get_bits(s[0], 0, 4);
        ab->slot[i].tries_remaining = get_bits(s[0], 4, 3);
        ab->slot[i].successful_boot = get_bits(s[0], 7, 1);
        ab->slot[i].verity_corrupted = get_bits(s[1], 0, 1);
    }
    ab->crc32_le = get_le32(raw + CRC_OFFSET);
}

void ab_control_encode(ab_control *ab)
{
    uint8_t *raw = ab->raw;
    memcpy(raw, ab->slot_suffix, 4);
    put_le32(raw + 4, ab->magic);
    raw[8] = (uint8_t)ab->version;
    put_bits(&raw[9], 0, 3, ab->nb_slot);
    put_bits(&raw[9], 3, 3, ab->recovery_tries_remaining);
    put_bits(&raw[9], 6, 2, ab->merge_status);
    put_bits(&raw[10], 0, 1, ab->merge_status >> 2);
    for (unsigned i = 0; i < AB_CONTROL_SLOTS; i++) {
        uint8_t *s = raw + SLOT_OFFSET + 2 * i;
        put_bits(&s[0], 0, 4, ab->slot[i].priority);
        put_bits(&s[0], 4, 3, ab->slot[i].tries_remaining);
        put_bits(&s[0], 7, 1, ab->slot[i].successful_boot);
        put_bits(&s[1], 0, 1, ab->slot[i].verity_corrupted);
    }
    ab->crc32_le = ab_control_crc(raw);
    put_le32(raw + CRC_OFFSET, ab->crc32_le);
}

int ab_control_crc_ok(const ab_control *ab)
{
    return ab_control_crc(ab->raw) == get_le32(ab->raw + CRC_OFFSET);
}

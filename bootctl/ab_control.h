/* AOSP's struct bootloader_control: the A/B metadata Android bootloaders
 * (and U-Boot's ab_select) keep in the slot_suffix field of struct
 * bootloader_message_ab, 2048 bytes into misc.  32 bytes, little-endian:
 *    0  char slot_suffix[4]      the booted slot's suffix (legacy, "_a")
 *    4  u32 magic                0x42414342 ("BCAB" read backwards)
 *    8  u8 version               1
 *    9  bits 0-2 nb_slot, 3-5 recovery_tries_remaining, 6-7 merge_status
 *       bits 0-1; byte 10 bit 0 merge_status bit 2 (the packed bit-fields
 *       straddle), bits 1-7 unused
 *   11  u8 reserved0
 *   12  four 2-byte slot_metadata: byte 0 bits 0-3 priority, 4-6
 *       tries_remaining, 7 successful_boot; byte 1 bit 0 verity_corrupted,
 *       bits 1-7 reserved
 *   20  u8 reserved1[8]
 *   28  u32 crc32_le             CRC-32 (zlib's) of bytes 0-27
 * Fields are read and written with shifts and masks on the stored bytes, so
 * every bit this code does not name stays as it was. */
#ifndef BOOTCTL_AB_CONTROL_H
#define BOOTCTL_AB_CONTROL_H

#include <stdint.h>

#define AB_CONTROL_OFFSET 2048 /* offsetof(bootloader_message_ab, slot_suffix) */
#define AB_CONTROL_SIZE 32
#define AB_CONTROL_MAGIC 0x42414342u
#define AB_CONTROL_VERSION 1
#define AB_CONTROL_SLOTS 4

typedef struct ab_slot {
    unsigned priority;         /* 0-15: 15 highest, 0 unbootable */
    unsigned tries_remaining;  /* 0-7 */
    unsigned successful_boot;  /* 0-1 */
    unsigned verity_corrupted; /* 0-1 */
} ab_slot;

typedef struct ab_control {
    uint8_t raw[AB_CONTROL_SIZE]; /* the stored bytes; unnamed bits come from here */
    char slot_suffix[4];
    uint32_t magic;
    unsigned version, nb_slot, recovery_tries_remaining, merge_status;
    ab_slot slot[AB_CONTROL_SLOTS];
    uint32_t crc32_le;
} ab_control;

/* Splits raw into fields (keeping raw). */
void ab_control_decode(const uint8_t raw[AB_CONTROL_SIZE], ab_control *ab);
/* Writes the named fields back into ab->raw, and a fresh CRC. */
void ab_control_encode(ab_control *ab);
/* The CRC-32 of the first 28 bytes of raw. */
uint32_t ab_control_crc(const uint8_t raw[AB_CONTROL_SIZE]);
/* 1 when the stored CRC matches the bytes. */
int ab_control_crc_ok(const ab_control *ab);

#endif

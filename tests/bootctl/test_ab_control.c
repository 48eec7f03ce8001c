/* The android backend against AOSP's struct bootloader_control encoded
 * here independently: byte offsets and bit positions written out by hand,
 * the CRC-32 computed bit by bit, and GCC's own layout of the packed
 * bit-field struct as AOSP declares it as a third witness.  Both
 * directions: blocks made here are read through the backend, and what the
 * backend writes is taken apart here. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootctl/ab_control.h"
#include "bootctl/bootctl.h"
#include "tests/common/testutil.h"

/* CRC-32 (IEEE 802.3, reflected, init and final xor ~0), bit by bit. */
static uint32_t hand_crc(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = crc & 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

typedef struct hand_slot {
    unsigned priority, tries, successful, verity, reserved7;
} hand_slot;

/* Builds the 32 bytes of a bootloader_control by hand. */
static void hand_block(uint8_t out[32], const char *suffix, unsigned nb_slot, unsigned rec_tries,
                       unsigned merge, uint8_t byte10_rest, uint8_t reserved0,
                       const hand_slot slots[4], uint8_t reserved1_fill)
{
    memset(out, 0, 32);
    memcpy(out, suffix, strlen(suffix));
    out[4] = 0x42, out[5] = 0x43, out[6] = 0x41, out[7] = 0x42; /* 0x42414342 LE */
    out[8] = 1;
    out[9] = (uint8_t)(nb_slot | rec_tries << 3 | (merge & 3) << 6);
    out[10] = (uint8_t)((merge >> 2) | byte10_rest << 1);
    out[11] = reserved0;
    for (int i = 0; i < 4; i++) {
        out[12 + 2 * i] = (uint8_t)(slots[i].priority | slots[i].tries << 4 | slots[i].successful << 7);
        out[13 + 2 * i] = (uint8_t)(slots[i].verity | slots[i].reserved7 << 1);
    }
    memset(out + 20, reserved1_fill, 8);
    uint32_t crc = hand_crc(out, 28);
    out[28] = (uint8_t)crc, out[29] = (uint8_t)(crc >> 8), out[30] = (uint8_t)(crc >> 16),
    out[31] = (uint8_t)(crc >> 24);
}

/* AOSP's declaration, laid out by the compiler (what Android's own HAL
 * and bootloaders built from the header store). */
struct aosp_slot_metadata {
    uint8_t priority : 4;
    uint8_t tries_remaining : 3;
    uint8_t successful_boot : 1;
    uint8_t verity_corrupted : 1;
    uint8_t reserved : 7;
} __attribute__((packed));
struct aosp_bootloader_control {
    char slot_suffix[4];
    uint32_t magic;
    uint8_t version;
    uint8_t nb_slot : 3;
    uint8_t recovery_tries_remaining : 3;
    uint8_t merge_status : 3;
    uint8_t reserved0[1];
    struct aosp_slot_metadata slot_info[4];
    uint8_t reserved1[8];
    uint32_t crc32_le;
} __attribute__((packed));
_Static_assert(sizeof(struct aosp_bootloader_control) == 32, "AOSP's struct is 32 bytes");

static const hand_slot sample_slots[4] = {
    {14, 1, 1, 1, 0x5A}, {15, 6, 0, 0, 0x01}, {3, 7, 1, 0, 0x7F}, {0, 0, 0, 1, 0x00}};

START_TEST(hand_bytes_match_the_compilers_layout_of_aosps_struct)
{
    uint8_t raw[32];
    hand_block(raw, "_b", 2, 3, 5, 0x55, 0xAA, sample_slots, 0xC3);
    struct aosp_bootloader_control c;
    memcpy(&c, raw, 32);
    ck_assert_mem_eq(c.slot_suffix, "_b\0\0", 4);
    ck_assert_uint_eq(c.magic, 0x42414342u);
    ck_assert_uint_eq(c.version, 1);
    ck_assert_uint_eq(c.nb_slot, 2);
    ck_assert_uint_eq(c.recovery_tries_remaining, 3);
    ck_assert_uint_eq(c.merge_status, 5);
    ck_assert_uint_eq(c.reserved0[0], 0xAA);
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(c.slot_info[i].priority, sample_slots[i].priority);
        ck_assert_uint_eq(c.slot_info[i].tries_remaining, sample_slots[i].tries);
        ck_assert_uint_eq(c.slot_info[i].successful_boot, sample_slots[i].successful);
        ck_assert_uint_eq(c.slot_info[i].verity_corrupted, sample_slots[i].verity);
        ck_assert_uint_eq(c.slot_info[i].reserved, sample_slots[i].reserved7);
    }
    ck_assert_uint_eq(c.crc32_le, hand_crc(raw, 28));
}
END_TEST

START_TEST(decode_reads_every_field_of_a_hand_made_block)
{
    uint8_t raw[32];
    hand_block(raw, "_b", 2, 3, 5, 0x55, 0xAA, sample_slots, 0xC3);
    ab_control ab;
    ab_control_decode(raw, &ab);
    ck_assert(ab_control_crc_ok(&ab));
    ck_assert_uint_eq(ab.crc32_le, hand_crc(raw, 28));
    ck_assert_uint_eq(ab.magic, AB_CONTROL_MAGIC);
    ck_assert_uint_eq(ab.nb_slot, 2);
    ck_assert_uint_eq(ab.recovery_tries_remaining, 3);
    ck_assert_uint_eq(ab.merge_status, 5);
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(ab.slot[i].priority, sample_slots[i].priority);
        ck_assert_uint_eq(ab.slot[i].tries_remaining, sample_slots[i].tries);
        ck_assert_uint_eq(ab.slot[i].successful_boot, sample_slots[i].successful);
        ck_assert_uint_eq(ab.slot[i].verity_corrupted, sample_slots[i].verity);
    }
    /* Encoding what was decoded gives the same bytes back. */
    ab_control_encode(&ab);
    ck_assert_mem_eq(ab.raw, raw, 32);
}
END_TEST

/* A misc image with the hand block at 2048 and boot_a/boot_b beside it. */
static char dir[64], misc[128];

static void make_misc(const uint8_t *block)
{
    strcpy(dir, "/tmp/bootctl-ab.XXXXXX");
    ck_assert(mkdtemp(dir) != NULL);
    snprintf(misc, sizeof misc, "%s/misc", dir);
    uint8_t img[4096];
    memset(img, 0x11, sizeof img); /* the BCB and the rest must stay as they are */
    if (block)
        memcpy(img + 2048, block, 32);
    test_write_file(misc, img, sizeof img);
    char p[160];
    snprintf(p, sizeof p, "%s/boot_a", dir);
    test_write_file(p, "", 0);
    snprintf(p, sizeof p, "%s/boot_b", dir);
    test_write_file(p, "", 0);
}

static void drop_misc(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static bootctl *open_android(const char *current)
{
    bootctl_config cfg = {0};
    strcpy(cfg.backend, "android");
    snprintf(cfg.storage, sizeof cfg.storage, "%s", misc);
    snprintf(cfg.cmdline, sizeof cfg.cmdline, "%s/no-cmdline", dir);
    snprintf(cfg.current, sizeof cfg.current, "%s", current ? current : "");
    ota_error err;
    bootctl *bc = bootctl_open(&cfg, &err);
    ck_assert_msg(bc != NULL, "%s", err.message);
    return bc;
}

static void read_back(uint8_t out[32], uint8_t img_out[4096])
{
    size_t len;
    uint8_t *img = test_read_file(misc, &len);
    ck_assert_uint_eq(len, 4096);
    memcpy(out, img + 2048, 32);
    if (img_out)
        memcpy(img_out, img, 4096);
    free(img);
}

START_TEST(the_backend_reads_a_hand_made_block)
{
    uint8_t raw[32];
    hand_block(raw, "_b", 2, 0, 0, 0, 0, sample_slots, 0);
    make_misc(raw);
    bootctl *bc = open_android("_a");
    ota_error err;
    ck_assert_uint_eq(bootctl_number_slots(bc), 2);
    ck_assert_int_eq(bootctl_is_slot_bootable(bc, 0, &err), 1);           /* tries 1 */
    ck_assert_int_eq(bootctl_is_slot_marked_successful(bc, 0, &err), 1);
    ck_assert_int_eq(bootctl_is_slot_bootable(bc, 1, &err), 1);           /* tries 6 */
    ck_assert_int_eq(bootctl_is_slot_marked_successful(bc, 1, &err), 0);
    ck_assert_int_eq(bootctl_active_slot(bc, &err), 1);                   /* priority 15 */
    ck_assert_str_eq(bootctl_suffix(bc, 1), "_b");
    ck_assert_int_eq(bootctl_set_active_boot_slot(bc, 2, &err), -1);      /* only two slots */
    bootctl_status st;
    ck_assert_int_eq(bootctl_get_status(bc, &st, &err), 0);
    ck_assert_int_eq(st.current, 0);
    ck_assert_int_eq(st.switch_pending, 1);
    ck_assert_int_eq(st.rolled_back, 0);
    ck_assert_int_eq(st.slots[1].tries_left, 6);
    bootctl_close(bc);
    drop_misc();
}
END_TEST

START_TEST(what_the_backend_writes_decodes_by_hand_with_unknown_bits_kept)
{
    uint8_t raw[32], before[4096], after[4096], got[32];
    hand_block(raw, "_a", 2, 3, 5, 0x55, 0xAA, sample_slots, 0xC3);
    make_misc(raw);
    read_back(got, before);
    bootctl *bc = open_android("0");
    ota_error err;
    /* AOSP: the new active slot gets priority 15 and 6 tries; the other
     * slot at 15 drops to 14; the running slot keeps its verity bit. */
    ck_assert_int_eq(bootctl_set_active_boot_slot(bc, 0, &err), 0);
    bootctl_close(bc);
    read_back(got, after);
    hand_slot expect[4] = {{15, 6, 1, 1, 0x5A}, {14, 6, 0, 0, 0x01}, {3, 7, 1, 0, 0x7F},
                           {0, 0, 0, 1, 0x00}};
    uint8_t want[32];
    hand_block(want, "_a", 2, 3, 5, 0x55, 0xAA, expect, 0xC3);
    ck_assert_mem_eq(got, want, 32);
    /* Nothing outside the 32 bytes changed. */
    ck_assert_mem_eq(after, before, 2048);
    ck_assert_mem_eq(after + 2080, before + 2080, 4096 - 2080);

    /* set-slot-as-unbootable, then mark-boot-successful of the running slot. */
    bc = open_android("_b");
    ck_assert_int_eq(bootctl_set_slot_as_unbootable(bc, 0, &err), 0);
    bootctl_close(bc);
    bc = open_android("_b");
    ck_assert_int_eq(bootctl_mark_boot_successful(bc, &err), 0);
    bootctl_close(bc);
    read_back(got, NULL);
    hand_slot expect2[4] = {{15, 0, 0, 1, 0x5A}, {14, 1, 1, 0, 0x01}, {3, 7, 1, 0, 0x7F},
                            {0, 0, 0, 1, 0x00}};
    hand_block(want, "_a", 2, 3, 5, 0x55, 0xAA, expect2, 0xC3);
    ck_assert_mem_eq(got, want, 32);
    drop_misc();
}
END_TEST

START_TEST(an_invalid_block_is_initialised_as_aosp_does_on_the_first_write)
{
    make_misc(NULL); /* 0x11 bytes: CRC does not match */
    uint8_t got[32], before[4096];
    read_back(got, before);
    bootctl *bc = open_android("1");
    ota_error err;
    /* Reads see AOSP's defaults: 2 slots (boot_a, boot_b), priority 7,
     * 7 tries, the running slot successful ... */
    ck_assert_uint_eq(bootctl_number_slots(bc), 2);
    ck_assert_int_eq(bootctl_is_slot_marked_successful(bc, 1, &err), 1);
    ck_assert_int_eq(bootctl_is_slot_marked_successful(bc, 0, &err), 0);
    ck_assert_int_eq(bootctl_active_slot(bc, &err), 1); /* tie: the running slot */
    bootctl_close(bc);
    uint8_t img[4096];
    read_back(got, img);
    ck_assert_mem_eq(img, before, 4096); /* ... without writing */
    bc = open_android("1");
    ck_assert_int_eq(bootctl_set_slot_as_unbootable(bc, 0, &err), 0);
    bootctl_close(bc);
    read_back(got, NULL);
    hand_slot expect[4] = {{7, 0, 0, 0, 0}, {7, 7, 1, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}};
    uint8_t want[32];
    hand_block(want, "_b", 2, 0, 0, 0, 0, expect, 0);
    ck_assert_mem_eq(got, want, 32);
    drop_misc();
}
END_TEST

START_TEST(another_format_or_a_newer_version_is_refused)
{
    uint8_t raw[32];
    hand_block(raw, "_a", 2, 0, 0, 0, 0, sample_slots, 0);
    raw[4] = 'X';
    uint32_t crc = hand_crc(raw, 28);
    memcpy(raw + 28, &crc, 4); /* a little-endian host */
    make_misc(raw);
    bootctl_config cfg = {0};
    strcpy(cfg.backend, "android");
    snprintf(cfg.storage, sizeof cfg.storage, "%s", misc);
    ota_error err;
    ck_assert_ptr_null(bootctl_open(&cfg, &err));
    ck_assert_msg(strstr(err.message, "another format") != NULL, "%s", err.message);
    drop_misc();

    hand_block(raw, "_a", 2, 0, 0, 0, 0, sample_slots, 0);
    raw[8] = 2;
    crc = hand_crc(raw, 28);
    memcpy(raw + 28, &crc, 4);
    make_misc(raw);
    snprintf(cfg.storage, sizeof cfg.storage, "%s", misc);
    ck_assert_ptr_null(bootctl_open(&cfg, &err));
    ck_assert_int_eq(err.code, OTA_ERR_UNSUPPORTED);
    drop_misc();
}
END_TEST

START_TEST(a_slot_the_bootloader_gave_up_reads_as_a_rollback)
{
    /* A was running and good; B was set active with 6 tries; the
     * bootloader (U-Boot's ab_select) took one try per failed boot of B
     * until none was left, and booted A again. */
    hand_slot s[4] = {{14, 1, 1, 0, 0}, {15, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}};
    uint8_t raw[32];
    hand_block(raw, "_a", 2, 0, 0, 0, 0, s, 0);
    make_misc(raw);
    bootctl *bc = open_android("_a");
    bootctl_status st;
    ota_error err;
    ck_assert_int_eq(bootctl_get_status(bc, &st, &err), 0);
    ck_assert_int_eq(st.active, 1);
    ck_assert_int_eq(st.rolled_back, 1);
    ck_assert_int_eq(st.switch_pending, 0);
    /* Setting the running slot active again ends it. */
    ck_assert_int_eq(bootctl_set_active_boot_slot(bc, 0, &err), 0);
    ck_assert_int_eq(bootctl_get_status(bc, &st, &err), 0);
    ck_assert_int_eq(st.rolled_back, 0);
    ck_assert_int_eq(st.active, 0);
    bootctl_close(bc);
    drop_misc();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ab_control");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, hand_bytes_match_the_compilers_layout_of_aosps_struct);
    tcase_add_test(tc, decode_reads_every_field_of_a_hand_made_block);
    tcase_add_test(tc, the_backend_reads_a_hand_made_block);
    tcase_add_test(tc, what_the_backend_writes_decodes_by_hand_with_unknown_bits_kept);
    tcase_add_test(tc, an_invalid_block_is_initialised_as_aosp_does_on_the_first_write);
    tcase_add_test(tc, another_format_or_a_newer_version_is_refused);
    tcase_add_test(tc, a_slot_the_bootloader_gave_up_reads_as_a_rollback);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}

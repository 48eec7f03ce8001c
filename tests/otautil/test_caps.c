/* Unit tests of the one capability encoder (otautil/caps.h): the bytes
 * the device's set_metadata writes and the image builder stores, and what
 * the decoder reads back from every revision the kernel writes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/caps.h"
#include "tests/common/testutil.h"

/* Masks and the exact attribute value (revision 2, effective flag set,
 * permitted words little-endian at 4 and 12, inheritable zero). */
static const struct {
    const char *name;
    uint64_t caps;
    uint8_t value[OTA_VFS_CAP_SIZE];
} encode_cases[] = {
    {"no capabilities", 0,
     {0x01, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
    {"CAP_NET_RAW (13) and CAP_SYSLOG (34): one bit in each half", (1ull << 13) | (1ull << 34),
     {0x01, 0, 0, 0x02, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0, 0, 0}},
    {"CAP_SETUID and CAP_SETGID (run-as)", (1ull << 6) | (1ull << 7),
     {0x01, 0, 0, 0x02, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
    {"every bit", ~0ull,
     {0x01, 0, 0, 0x02, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}},
};

START_TEST(encoder_table)
{
    for (size_t i = 0; i < sizeof encode_cases / sizeof encode_cases[0]; i++) {
        uint8_t v[OTA_VFS_CAP_SIZE];
        ota_vfs_cap_encode(encode_cases[i].caps, v);
        ck_assert_msg(memcmp(v, encode_cases[i].value, sizeof v) == 0, "%s",
                      encode_cases[i].name);
        uint64_t back = 1;
        ck_assert_int_eq(ota_vfs_cap_decode(v, sizeof v, &back, NULL), 0);
        ck_assert_msg(back == encode_cases[i].caps, "%s: decoded back as %llx",
                      encode_cases[i].name, (unsigned long long)back);
    }
}
END_TEST

/* Values other tools write: revision 1 (32 bits), revision 3 (with a root
 * uid), and what is refused. */
static const struct {
    const char *name;
    uint8_t value[24];
    size_t len;
    int ok;
    uint64_t caps;
} decode_cases[] = {
    {"revision 1", {0x00, 0, 0, 0x01, 0x00, 0x20, 0, 0, 0, 0, 0, 0}, 12, 1, 1ull << 13},
    {"revision 2 without the effective flag", {0, 0, 0, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x01},
     20, 1, 1ull | (1ull << 32)},
    {"revision 3 with a root uid", {0x01, 0, 0, 0x03, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
     0, 0, 0, 0xe8, 0x03}, 24, 1, 1ull << 7},
    {"too short", {0x01, 0, 0}, 3, 0, 0},
    {"revision 2 cut short", {0x01, 0, 0, 0x02, 0xff}, 12, 0, 0},
    {"unknown revision", {0x01, 0, 0, 0x09}, 20, 0, 0},
};

START_TEST(decoder_table)
{
    for (size_t i = 0; i < sizeof decode_cases / sizeof decode_cases[0]; i++) {
        uint64_t caps = 0;
        ota_error err;
        int rc = ota_vfs_cap_decode(decode_cases[i].value, decode_cases[i].len, &caps, &err);
        ck_assert_msg(rc == (decode_cases[i].ok ? 0 : -1), "%s: %d", decode_cases[i].name, rc);
        if (decode_cases[i].ok)
            ck_assert_msg(caps == decode_cases[i].caps, "%s: %llx", decode_cases[i].name,
                          (unsigned long long)caps);
        else
            ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("capabilities");
    TCase *tc = tcase_create("caps");
    tcase_add_test(tc, encoder_table);
    tcase_add_test(tc, decoder_table);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

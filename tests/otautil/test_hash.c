/* Unit tests of otautil's hash helper (otautil/hash.h). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/hash.h"
#include "tests/common/testutil.h"

START_TEST(sha1_known_vector)
{
    uint8_t d[OTA_SHA1_LEN];
    char hex[2 * OTA_SHA1_LEN + 1];
    ota_sha1("abc", 3, d);
    ota_hex_encode(d, sizeof d, hex);
    ck_assert_str_eq(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
}
END_TEST

START_TEST(sha256_streaming_matches_one_shot)
{
    uint8_t a[OTA_SHA256_LEN], b[OTA_SHA256_LEN];
    ota_hash h;
    ck_assert_int_eq(ota_hash_init(&h, OTA_HASH_SHA256, NULL), 0);
    ota_hash_update(&h, "hello ", 6);
    ota_hash_update(&h, "world", 5);
    ota_hash_final(&h, a);
    ota_sha256("hello world", 11, b);
    ck_assert_mem_eq(a, b, sizeof a);
}
END_TEST

START_TEST(hex_decode_rejects_bad_digits)
{
    uint8_t out[2];
    ck_assert_int_eq(ota_hex_decode("0aFf", out, 2, NULL), 0);
    ck_assert_uint_eq(out[0], 0x0a);
    ck_assert_uint_eq(out[1], 0xff);
    ck_assert_int_eq(ota_hex_decode("0g00", out, 2, NULL), -1);
    ck_assert_int_eq(ota_hex_decode("0a0", out, 2, NULL), -1);
    ck_assert_int_eq(ota_hex_decode("0a0000", out, 2, NULL), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("otautil-hash");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, sha1_known_vector);
    tcase_add_test(tc, sha256_streaming_matches_one_shot);
    tcase_add_test(tc, hex_decode_rejects_bad_digits);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? 1 : 0;
}

/* The whole-file signature's footer (otautil/footer.c) on made-up tails:
 * a good footer is found, a file cut short is called truncated (no EOCD,
 * or a comment cut), and a whole zip without a footer is "no signature". */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/footer.h"
#include "tests/common/testutil.h"

/* A "file": 100 bytes of entries, the EOCD, a comment of comment_len bytes
 * whose last 6 are a footer when signed (signature start = comment_len). */
static size_t make_file(uint8_t *out, size_t comment_len, int signed_)
{
    size_t n = 100;
    memset(out, 'x', n);
    uint8_t *eocd = out + n;
    memset(eocd, 0, OTA_EOCD_SIZE);
    memcpy(eocd, "PK\5\6", 4);
    eocd[20] = (uint8_t)comment_len;
    eocd[21] = (uint8_t)(comment_len >> 8);
    n += OTA_EOCD_SIZE;
    memset(out + n, 's', comment_len);
    n += comment_len;
    if (signed_) {
        uint8_t *f = out + n - OTA_FOOTER_SIZE;
        f[0] = (uint8_t)comment_len, f[1] = (uint8_t)(comment_len >> 8);
        f[2] = 0xff, f[3] = 0xff;
        f[4] = (uint8_t)comment_len, f[5] = (uint8_t)(comment_len >> 8);
    }
    return n;
}

static int parse(const uint8_t *file, size_t size, ota_footer *out, ota_error *err)
{
    size_t tail_len = size < OTA_FOOTER_TAIL_MAX ? size : OTA_FOOTER_TAIL_MAX;
    return ota_footer_parse(file + size - tail_len, tail_len, size, out, err);
}

START_TEST(signed_file_footer_found)
{
    uint8_t file[1024];
    size_t n = make_file(file, 300, 1);
    ota_footer f;
    ota_error err;
    ck_assert_int_eq(parse(file, n, &f, &err), 0);
    ck_assert_uint_eq(f.signed_len, 100 + OTA_EOCD_SIZE - 2);
    ck_assert_uint_eq(f.sig_len, 300 - OTA_FOOTER_SIZE);
}
END_TEST

START_TEST(cut_in_the_comment_looks_truncated)
{
    uint8_t file[1024];
    size_t n = make_file(file, 300, 1);
    ota_footer f;
    ota_error err;
    ck_assert_int_eq(parse(file, n - 50, &f, &err), -1);
    ck_assert_msg(strstr(err.message, "no whole-file signature: the file looks truncated, its zip comment is cut (250 of 300 bytes"),
                  "%s", err.message);
}
END_TEST

START_TEST(cut_before_the_directory_end_looks_truncated)
{
    uint8_t file[1024];
    make_file(file, 300, 1);
    ota_footer f;
    ota_error err;
    ck_assert_int_eq(parse(file, 90, &f, &err), -1);
    ck_assert_msg(strstr(err.message, "no whole-file signature: the file looks truncated (download it again) or is no zip archive: no end-of-central-directory record"), "%s",
                  err.message);
}
END_TEST

START_TEST(whole_unsigned_zip_has_no_signature)
{
    uint8_t file[1024];
    ota_footer f;
    ota_error err;
    size_t n = make_file(file, 0, 0);
    ck_assert_int_eq(parse(file, n, &f, &err), -1);
    ck_assert_msg(strstr(err.message, "no whole-file signature"), "%s", err.message);
    n = make_file(file, 40, 0); /* a comment, but no footer in it */
    ck_assert_int_eq(parse(file, n, &f, &err), -1);
    ck_assert_msg(strstr(err.message, "no whole-file signature"), "%s", err.message);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("footer");
    TCase *tc = tcase_create("footer");
    tcase_add_test(tc, signed_file_footer_found);
    tcase_add_test(tc, cut_in_the_comment_looks_truncated);
    tcase_add_test(tc, cut_before_the_directory_end_looks_truncated);
    tcase_add_test(tc, whole_unsigned_zip_has_no_signature);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

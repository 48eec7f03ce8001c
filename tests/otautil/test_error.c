/* Unit tests of error values (otautil/error.h): the one errno-to-code
 * mapping as a table, messages, prefixes. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/error.h"
#include "tests/common/testutil.h"

static const struct {
    int errnum, code;
} errno_cases[] = {
    {ENOSPC, OTA_ERR_NOSPACE}, /* a full disk during a write or fsync */
    {EDQUOT, OTA_ERR_NOSPACE},
    {ENOENT, OTA_ERR_NOTFOUND},
    {ENOMEM, OTA_ERR_NOMEM},
    {EIO, OTA_ERR_IO},
    {EACCES, OTA_ERR_IO},
    {EROFS, OTA_ERR_IO},
};

START_TEST(errno_table)
{
    for (size_t i = 0; i < sizeof errno_cases / sizeof errno_cases[0]; i++) {
        ck_assert_int_eq(ota_error_code_from_errno(errno_cases[i].errnum), errno_cases[i].code);
        ota_error err;
        errno = errno_cases[i].errnum;
        ck_assert_int_eq(ota_error_errno(&err, "fsync of %s failed", "/dev/x"), -1);
        ck_assert_int_eq(err.code, errno_cases[i].code);
        char want[256];
        snprintf(want, sizeof want, "fsync of /dev/x failed: %s", strerror(errno_cases[i].errnum));
        ck_assert_str_eq(err.message, want);
        ck_assert_int_eq(errno, errno_cases[i].errnum); /* kept for the caller */
    }
}
END_TEST

START_TEST(error_prefix_keeps_code)
{
    ota_error err;
    ota_error_set(&err, OTA_ERR_VERIFY, "digest of %s differs", "a.txt");
    ota_error_prefix(&err, "package %s", "x.zip");
    ck_assert_str_eq(err.message, "package x.zip: digest of a.txt differs");
    ck_assert_int_eq(err.code, OTA_ERR_VERIFY);
}
END_TEST

START_TEST(a_null_error_is_allowed)
{
    errno = ENOSPC;
    ck_assert_int_eq(ota_error_set(NULL, OTA_ERR_IO, "x"), -1);
    ck_assert_int_eq(ota_error_errno(NULL, "x"), -1);
    ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("error values");
    TCase *tc = tcase_create("error");
    tcase_add_test(tc, errno_table);
    tcase_add_test(tc, error_prefix_keeps_code);
    tcase_add_test(tc, a_null_error_is_allowed);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

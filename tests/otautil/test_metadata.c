/* The one rule for whether a package fits a device (otautil/metadata.h),
 * as recovery and the update agent apply it. */
#include <check.h>
#include <string.h>

#include "otautil/metadata.h"
#include "tests/common/testutil.h"

static const ota_device_build hammerhead = {
    .kind = OTA_INSTALL_RECOVERY,
    .device = "hammerhead",
    .serialno = "ABC123",
    .date_utc = "1500000000",
    .source = "/default.prop",
};

static int check_as(const char *metadata, const ota_device_build *dev, char *msg)
{
    ota_props md = {0};
    ota_error err;
    ota_error_clear(&err);
    ck_assert_int_eq(ota_props_parse(&md, metadata, strlen(metadata), "metadata", &err), 0);
    int rc = ota_metadata_check(&md, dev, &err);
    strcpy(msg, err.message);
    ota_props_free(&md);
    return rc;
}

START_TEST(device_serial_and_timestamp)
{
    char msg[OTA_ERROR_MAX];
    ck_assert_int_eq(check_as("pre-device=bullhead, hammerhead\npost-timestamp=1500000000\n",
                              &hammerhead, msg), 0);
    ck_assert_int_eq(check_as("pre-device=bullhead\n", &hammerhead, msg), -1);
    ck_assert_str_eq(msg, "package is for device 'bullhead', this device is 'hammerhead'");
    ck_assert_int_eq(check_as("pre-device=hammerhead\nserialno=X|ABC123\n", &hammerhead, msg), 0);
    ck_assert_int_eq(check_as("pre-device=hammerhead\nserialno=X\n", &hammerhead, msg), -1);
    ck_assert_int_eq(check_as("pre-device=hammerhead\npost-timestamp=1400000000\n", &hammerhead,
                              msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "older than the installed build"));
    ck_assert_int_eq(check_as("pre-device=hammerhead\npost-timestamp=1400000000\n"
                              "ota-downgrade=yes\n", &hammerhead, msg), 0);
    ck_assert_int_eq(check_as("pre-device=hammerhead\npost-timestamp=x\n", &hammerhead, msg), -1);
    ota_device_build nameless = hammerhead;
    nameless.device = NULL;
    ck_assert_int_eq(check_as("pre-device=hammerhead\n", &nameless, msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "no ro.product.device in /default.prop"));
}
END_TEST

START_TEST(ota_type_follows_the_kind_of_device)
{
    char msg[OTA_ERROR_MAX];
    ck_assert_int_eq(check_as("pre-device=hammerhead\nota-type=AB\n", &hammerhead, msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "A/B"));
    ck_assert_int_eq(check_as("pre-device=hammerhead\nota-type=BLOCK\n", &hammerhead, msg), 0);
    ota_device_build ab = hammerhead;
    ab.kind = OTA_INSTALL_AB;
    ck_assert_int_eq(check_as("pre-device=hammerhead\nota-type=AB\n", &ab, msg), 0);
    ck_assert_int_eq(check_as("pre-device=hammerhead\n", &ab, msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "not an A/B package"));
}
END_TEST

START_TEST(pre_build_is_checked_only_with_a_fingerprint)
{
    char msg[OTA_ERROR_MAX];
    const char *incr = "pre-device=hammerhead\npre-build=fp/1|fp/1b\npost-build=fp/2\n";
    ck_assert_int_eq(check_as(incr, &hammerhead, msg), 0); /* recovery: the script checks */
    ota_device_build running = hammerhead;
    running.fingerprint = "fp/1b";
    ck_assert_int_eq(check_as(incr, &running, msg), 0);
    running.fingerprint = "fp/0";
    ck_assert_int_eq(check_as(incr, &running, msg), -1);
    ck_assert_str_eq(msg, "package is an incremental update from build 'fp/1|fp/1b', this "
                          "device runs 'fp/0'");
    ck_assert_int_eq(check_as("pre-device=hammerhead\npost-build=fp/2\n", &running, msg), 0);
}
END_TEST

START_TEST(list_and_timestamp_helpers)
{
    ck_assert(ota_metadata_list_contains("a, b ,c", ',', "b"));
    ck_assert(!ota_metadata_list_contains("a,b", ',', ""));
    ck_assert(!ota_metadata_list_contains("ab", ',', "a"));
    long long t;
    ck_assert_int_eq(ota_metadata_timestamp("42", &t), 0);
    ck_assert_int_eq(t, 42);
    ck_assert_int_eq(ota_metadata_timestamp("-1", &t), -1);
    ck_assert_int_eq(ota_metadata_timestamp("4x", &t), -1);
    ck_assert_int_eq(ota_metadata_timestamp("", &t), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("package metadata rule");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, device_serial_and_timestamp);
    tcase_add_test(tc, ota_type_follows_the_kind_of_device);
    tcase_add_test(tc, pre_build_is_checked_only_with_a_fingerprint);
    tcase_add_test(tc, list_and_timestamp_helpers);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}

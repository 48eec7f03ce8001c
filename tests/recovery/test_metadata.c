/* The package metadata checks (recovery/metadata.h).  The key=value files
 * they read are otautil's property files (tests/otautil/test_props.c). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otautil/props.h"
#include "recovery/metadata.h"
#include "tests/common/testutil.h"

static ota_props props_of(const char *text)
{
    ota_props props = { 0 };
    ota_error err;
    ck_assert_msg(ota_props_parse(&props, text, strlen(text), "test", &err) == 0, "%s",
                  err.message);
    return props;
}

static const char device_props[] = "ro.product.device=hammerhead\n"
                                   "ro.build.date.utc=1500000000\n"
                                   "ro.serialno=ABC123\n";

/* Runs the check; returns its result and copies the message. */
static int check(const char *metadata, const char *props, char *msg)
{
    ota_props m = props_of(metadata), p = props_of(props);
    ota_error err;
    ota_error_clear(&err);
    int rc = recovery_metadata_check(&m, &p, &err);
    strcpy(msg, err.message);
    ota_props_free(&m);
    ota_props_free(&p);
    return rc;
}

START_TEST(a_stray_metadata_line_is_skipped)
{
    /* Android's parsers skip a line without '='; so does ours now (it used
     * to refuse the package). */
    char msg[OTA_ERROR_MAX];
    ck_assert_int_eq(check("pre-device=hammerhead\nnot a pair\npost-timestamp=1600000000\n",
                           device_props, msg), 0);
    ck_assert_int_eq(check("pre-device=bullhead\nnot a pair\n", device_props, msg), -1);
}
END_TEST

START_TEST(matching_package_is_accepted)
{
    char msg[OTA_ERROR_MAX];
    ck_assert_int_eq(check("pre-device=hammerhead\npost-timestamp=1600000000\n"
                           "post-build=google/hammerhead/x:1/2/3:user/release-keys\n",
                           device_props, msg), 0);
    /* Same build again (a reinstall) is not a downgrade. */
    ck_assert_int_eq(check("pre-device=hammerhead\npost-timestamp=1500000000\n", device_props,
                           msg), 0);
    /* Several devices, Android's comma list. */
    ck_assert_int_eq(check("pre-device=bullhead, hammerhead\n", device_props, msg), 0);
}
END_TEST

START_TEST(wrong_device_is_refused)
{
    char msg[OTA_ERROR_MAX];
    ck_assert_int_eq(check("pre-device=bullhead\npost-timestamp=1600000000\n", device_props, msg),
                     -1);
    ck_assert_str_eq(msg, "package is for device 'bullhead', this device is 'hammerhead'");
    ck_assert_int_eq(check("pre-device=hammer\n", device_props, msg), -1);
    ck_assert_int_eq(check("pre-device=hammerheadx\n", device_props, msg), -1);
    ck_assert_int_eq(check("post-timestamp=1600000000\n", device_props, msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "pre-device is missing"));
    ck_assert_int_eq(check("pre-device=\n", device_props, msg), -1);
    /* A recovery that does not know its device refuses rather than guesses. */
    ck_assert_int_eq(check("pre-device=hammerhead\n", "ro.build.date.utc=1\n", msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "ro.product.device"));
}
END_TEST

START_TEST(downgrade_is_refused_unless_allowed)
{
    char msg[OTA_ERROR_MAX];
    ck_assert_int_eq(check("pre-device=hammerhead\npost-timestamp=1400000000\n", device_props,
                           msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "1400000000 < ro.build.date.utc 1500000000"));
    ck_assert_int_eq(check("pre-device=hammerhead\npost-timestamp=1400000000\n"
                           "ota-downgrade=yes\n", device_props, msg), 0);
    ck_assert_int_eq(check("pre-device=hammerhead\npost-timestamp=1400000000\n"
                           "ota-downgrade=no\n", device_props, msg), -1);
}
END_TEST

START_TEST(malformed_timestamp_is_refused)
{
    char msg[OTA_ERROR_MAX];
    ck_assert_int_eq(check("pre-device=hammerhead\npost-timestamp=soon\n", device_props, msg),
                     -1);
    ck_assert_ptr_nonnull(strstr(msg, "'soon'"));
    ck_assert_int_eq(check("pre-device=hammerhead\npost-timestamp=-5\n", device_props, msg), -1);
    ck_assert_int_eq(check("pre-device=hammerhead\npost-timestamp=99999999999999999999999\n",
                           device_props, msg), -1);
}
END_TEST

START_TEST(serial_and_ab_checks)
{
    char msg[OTA_ERROR_MAX];
    ck_assert_int_eq(check("pre-device=hammerhead\nserialno=XYZ|ABC123\n", device_props, msg), 0);
    ck_assert_int_eq(check("pre-device=hammerhead\nserialno=XYZ\n", device_props, msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "serial"));
    ck_assert_int_eq(check("pre-device=hammerhead\nota-type=AB\n", device_props, msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "A/B"));
    ck_assert_int_eq(check("pre-device=hammerhead\nota-type=BLOCK\n", device_props, msg), 0);
}
END_TEST

/* Random bytes through every parser recovery feeds with outside input; run
 * under the sanitizers this catches reads past the end and leaks. */
START_TEST(random_input_is_rejected_or_parsed_never_crashes)
{
    uint32_t state = 12345;
    char buf[512];
    ota_props props = props_of(device_props);
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        state = state * 1103515245u + 12345u;
        size_t want = (state >> 16) % sizeof buf;
        /* Mostly metadata-like characters, sometimes anything. */
        static const char alphabet[] = "pre-device=hammerhead\npost-timestamp=15\n#, |=";
        while (len < want) {
            state = state * 1103515245u + 12345u;
            unsigned r = state >> 16;
            buf[len++] = (r & 0x100) ? alphabet[r % (sizeof alphabet - 1)] : (char)r;
        }
        ota_props metadata = { 0 };
        ota_error err;
        int rc = ota_props_parse(&metadata, buf, len, "random", &err);
        ck_assert(rc == 0 || rc == -1);
        if (rc == 0) {
            rc = recovery_metadata_check(&metadata, &props, &err);
            ck_assert(rc == 0 || rc == -1);
        }
        ota_props_free(&metadata);
    }
    ota_props_free(&props);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("recovery metadata");
    TCase *tc = tcase_create("metadata");
    tcase_add_test(tc, a_stray_metadata_line_is_skipped);
    tcase_add_test(tc, matching_package_is_accepted);
    tcase_add_test(tc, wrong_device_is_refused);
    tcase_add_test(tc, downgrade_is_refused_unless_allowed);
    tcase_add_test(tc, malformed_timestamp_is_refused);
    tcase_add_test(tc, serial_and_ab_checks);
    tcase_add_test(tc, random_input_is_rejected_or_parsed_never_crashes);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* The one rule for whether a package fits a device (otautil/metadata.h),
 * as recovery and the update agent apply it; the device side read from
 * property text as recovery reads its own (ota_device_build_of). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
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

/* Runs the check as recovery does, the device described by the text of
 * its property file; returns its result and copies the message. */
static int check(const char *metadata, const char *props, char *msg)
{
    ota_props m = props_of(metadata), p = props_of(props);
    ota_error err;
    ota_error_clear(&err);
    ota_device_build dev = ota_device_build_of(&p, OTA_INSTALL_RECOVERY, 0,
                                               OTA_PROPS_DEVICE_FILES);
    int rc = ota_metadata_check(&m, &dev, &err);
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
            ota_device_build dev = ota_device_build_of(&props, OTA_INSTALL_RECOVERY, 0, "test");
            rc = ota_metadata_check(&metadata, &dev, &err);
            ck_assert(rc == 0 || rc == -1);
        }
        ota_props_free(&metadata);
    }
    ota_props_free(&props);
}
END_TEST

START_TEST(device_build_from_properties)
{
    ota_props p = props_of("ro.product.device=hammerhead\nro.serialno=S1\n"
                           "ro.build.date.utc=7\nro.build.fingerprint=fp/1\n");
    ota_device_build dev = ota_device_build_of(&p, OTA_INSTALL_AB, 1, "build.prop");
    ck_assert_int_eq(dev.kind, OTA_INSTALL_AB);
    ck_assert_str_eq(dev.device, "hammerhead");
    ck_assert_str_eq(dev.serialno, "S1");
    ck_assert_str_eq(dev.date_utc, "7");
    ck_assert_str_eq(dev.fingerprint, "fp/1");
    ck_assert_str_eq(dev.source, "build.prop");
    dev = ota_device_build_of(&p, OTA_INSTALL_RECOVERY, 0, NULL);
    ck_assert_ptr_null(dev.fingerprint); /* recovery leaves pre-build to the script */
    ota_props_free(&p);
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
    tcase_add_test(tc, device_build_from_properties);
    tcase_add_test(tc, a_stray_metadata_line_is_skipped);
    tcase_add_test(tc, matching_package_is_accepted);
    tcase_add_test(tc, wrong_device_is_refused);
    tcase_add_test(tc, downgrade_is_refused_unless_allowed);
    tcase_add_test(tc, malformed_timestamp_is_refused);
    tcase_add_test(tc, serial_and_ab_checks);
    tcase_add_test(tc, random_input_is_rejected_or_parsed_never_crashes);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}

/* Recovery's arguments (recovery/args.h): parsing options, and the text
 * written to the bootloader message, read back through the line splitter. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "otautil/bootloader.h"
#include "recovery/args.h"
#include "recovery/command_file.h"
#include "tests/common/testutil.h"

START_TEST(parses_android_options)
{
    recovery_args a = { 0 };
    ota_error err;
    const char *argv[] = { "--update_package=/cache/update.zip", "--wipe_data", "--wipe_cache",
                           "--fstab=/etc/my.fstab", "--keys=/res/otacerts.zip", "--locale=en_US",
                           "--security", "--show_text", "--retry_count=2" };
    for (size_t i = 0; i < sizeof argv / sizeof argv[0]; i++)
        ck_assert_int_eq(recovery_args_apply(&a, argv[i], &err), 0);
    ck_assert_str_eq(a.update_package, "/cache/update.zip");
    ck_assert(a.wipe_data && a.wipe_cache && a.show_text && !a.just_exit);
    ck_assert_str_eq(recovery_args_fstab(&a), "/etc/my.fstab");
    ck_assert_str_eq(recovery_args_keys(&a), "/res/otacerts.zip");
    ck_assert_str_eq(a.locale, "en_US");
    ck_assert_int_eq(a.retry_count, 2);
    ck_assert(recovery_args_has_action(&a));
    recovery_args_free(&a);
}
END_TEST

START_TEST(defaults_and_no_action)
{
    recovery_args a = { 0 };
    ota_error err;
    ck_assert_str_eq(recovery_args_fstab(&a), "/etc/recovery.fstab");
    ck_assert_str_eq(recovery_args_keys(&a), "/res/keys");
    ck_assert_int_eq(recovery_args_apply(&a, "--keys=/k.pem", &err), 0);
    ck_assert(!recovery_args_has_action(&a));
    ck_assert_int_eq(recovery_args_apply(&a, "--just_exit", &err), 0);
    ck_assert(recovery_args_has_action(&a));
    recovery_args_free(&a);
}
END_TEST

START_TEST(refuses_bad_arguments_with_their_name)
{
    recovery_args a = { 0 };
    ota_error err;
    ck_assert_int_eq(recovery_args_apply(&a, "--frobnicate", &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    ck_assert_ptr_nonnull(strstr(err.message, "--frobnicate"));
    ck_assert_int_eq(recovery_args_apply(&a, "--update_package=relative.zip", &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "relative.zip"));
    ck_assert_int_eq(recovery_args_apply(&a, "--update_package", &err), -1);
    ck_assert_int_eq(recovery_args_apply(&a, "--update_package=", &err), -1);
    ck_assert_int_eq(recovery_args_apply(&a, "--wipe_data=yes", &err), -1);
    ck_assert_int_eq(recovery_args_apply(&a, "--wipe_datax", &err), -1);
    ck_assert_int_eq(recovery_args_apply(&a, "--retry_count=-1", &err), -1);
    ck_assert_int_eq(recovery_args_apply(&a, "--retry_count=2x", &err), -1);
    ck_assert_int_eq(recovery_args_apply(&a, "--retry_count=", &err), -1);
    ck_assert_int_eq(recovery_args_apply(&a, "update_package=/x.zip", &err), -1);
    ck_assert_int_eq(recovery_args_apply(&a, "--update_package=/x.zip\n--wipe_data", &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "line break"));
    ck_assert_int_eq(recovery_args_apply(&a, "--update_package=/x.zip\r", &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "control character"));
    ck_assert_ptr_null(a.update_package);
    ck_assert(!recovery_args_has_action(&a));
    recovery_args_free(&a);
}
END_TEST

START_TEST(later_value_replaces_earlier)
{
    recovery_args a = { 0 };
    ck_assert_int_eq(recovery_args_apply(&a, "--update_package=/a.zip", NULL), 0);
    ck_assert_int_eq(recovery_args_apply(&a, "--update_package=/b.zip", NULL), 0);
    ck_assert_str_eq(a.update_package, "/b.zip");
    recovery_args_free(&a);
}
END_TEST

START_TEST(bcb_text_round_trips_through_the_line_splitter)
{
    recovery_args a = { 0 };
    ota_error err;
    ck_assert_int_eq(recovery_args_apply(&a, "--update_package=/data/ota/u.zip", &err), 0);
    ck_assert_int_eq(recovery_args_apply(&a, "--wipe_cache", &err), 0);
    ck_assert_int_eq(recovery_args_apply(&a, "--reason=ota", &err), 0);
    char text[768];
    int n = recovery_args_to_bcb_text(&a, text, sizeof text, &err);
    ck_assert_int_gt(n, 0);
    ck_assert_str_eq(text, "recovery\n--update_package=/data/ota/u.zip\n--wipe_cache\n");
    a.retry_count = 3;
    ck_assert_int_gt(recovery_args_to_bcb_text(&a, text, sizeof text, &err), 0);
    ck_assert_str_eq(text, "recovery\n--update_package=/data/ota/u.zip\n--wipe_cache\n"
                           "--retry_count=3\n");

    recovery_argv lines;
    ck_assert_int_eq(recovery_argv_from_lines(&lines, text + 9, strlen(text + 9), 64, "t", &err), 0);
    recovery_args b = { 0 };
    for (int i = 0; i < lines.argc; i++)
        ck_assert_int_eq(recovery_args_apply(&b, lines.argv[i], &err), 0);
    ck_assert_str_eq(b.update_package, a.update_package);
    ck_assert(b.wipe_cache && !b.wipe_data);
    ck_assert_int_eq(b.retry_count, 3);
    recovery_argv_free(&lines);
    recovery_args_free(&a);
    recovery_args_free(&b);
}
END_TEST

/* --keys and --fstab decide what recovery trusts: they are recognised so
 * the persistent sources can refuse them, and never written into the
 * bootloader message. */
START_TEST(trust_options_are_recognised_and_not_persisted)
{
    ck_assert(recovery_args_is_trust_option("--keys=/cache/evil.pem"));
    ck_assert(recovery_args_is_trust_option("--fstab=/cache/evil.fstab"));
    ck_assert(recovery_args_is_trust_option("--keys"));
    ck_assert(!recovery_args_is_trust_option("--keysx=/a"));
    ck_assert(!recovery_args_is_trust_option("--update_package=/cache/keys"));
    ck_assert(!recovery_args_is_trust_option("keys=/a"));
    recovery_args a = { 0 };
    ota_error err;
    ck_assert_int_eq(recovery_args_apply(&a, "--keys=/res/other.pem", &err), 0);
    ck_assert_int_eq(recovery_args_apply(&a, "--fstab=/etc/other.fstab", &err), 0);
    ck_assert_int_eq(recovery_args_apply(&a, "--update_package=/cache/u.zip", &err), 0);
    char text[768];
    ck_assert_int_gt(recovery_args_to_bcb_text(&a, text, sizeof text, &err), 0);
    ck_assert_str_eq(text, "recovery\n--update_package=/cache/u.zip\n");
    recovery_args_free(&a);
}
END_TEST

/* Found by fuzz/command_args: "--keys=/ " from the command line was
 * accepted, persisted as "--keys=/ " and read back as "--keys=/" (the line
 * readers strip trailing spaces), so a resumed run used another file. */
START_TEST(values_ending_in_a_space_are_refused)
{
    static const char *const bad[] = {"--keys=/ ", "--update_package=/cache/u.zip  ",
                                      "--fstab=/etc/fstab ", "--locale=en_US "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        recovery_args a = { 0 };
        ota_error err;
        ck_assert_msg(recovery_args_apply(&a, bad[i], &err) == -1, "accepted '%s'", bad[i]);
        ck_assert_int_eq(err.code, OTA_ERR_ARGS);
        ck_assert_ptr_nonnull(strstr(err.message, "space"));
        ck_assert(!recovery_args_has_action(&a) && !a.keys_path && !a.fstab_path && !a.locale);
        recovery_args_free(&a);
    }
    /* spaces inside a value still persist and come back unchanged */
    recovery_args a = { 0 }, b = { 0 };
    ota_error err;
    ck_assert_int_eq(recovery_args_apply(&a, "--update_package=/sdcard/my ota.zip", &err), 0);
    char text[768];
    ck_assert_int_gt(recovery_args_to_bcb_text(&a, text, sizeof text, &err), 0);
    recovery_argv lines;
    ck_assert_int_eq(recovery_argv_from_lines(&lines, text + 9, strlen(text + 9), 64, "t", &err), 0);
    for (int i = 0; i < lines.argc; i++)
        ck_assert_int_eq(recovery_args_apply(&b, lines.argv[i], &err), 0);
    ck_assert_str_eq(b.update_package, "/sdcard/my ota.zip");
    recovery_argv_free(&lines);
    recovery_args_free(&a);
    recovery_args_free(&b);
}
END_TEST

START_TEST(bcb_text_that_does_not_fit_is_an_error)
{
    recovery_args a = { 0 };
    ota_error err;
    char path[900];
    memset(path, 'x', sizeof path);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    char arg[1000];
    snprintf(arg, sizeof arg, "--update_package=%s", path);
    ck_assert_int_eq(recovery_args_apply(&a, arg, &err), 0);
    ota_bootloader_message msg;
    ck_assert_int_eq(recovery_args_to_bcb_text(&a, msg.recovery, sizeof msg.recovery, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    recovery_args_free(&a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("recovery args");
    TCase *tc = tcase_create("args");
    tcase_add_test(tc, parses_android_options);
    tcase_add_test(tc, defaults_and_no_action);
    tcase_add_test(tc, refuses_bad_arguments_with_their_name);
    tcase_add_test(tc, later_value_replaces_earlier);
    tcase_add_test(tc, bcb_text_round_trips_through_the_line_splitter);
    tcase_add_test(tc, trust_options_are_recognised_and_not_persisted);
    tcase_add_test(tc, values_ending_in_a_space_are_refused);
    tcase_add_test(tc, bcb_text_that_does_not_fit_is_an_error);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

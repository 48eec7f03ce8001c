/* /cache/recovery/command (recovery/command_file.h): one argument per
 * line, its limits, and reading it from disk. */
#include <check.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recovery/command_file.h"
#include "tests/common/testutil.h"

START_TEST(command_file_lines)
{
    recovery_argv v;
    ota_error err;
    const char text[] = "--update_package=/cache/u.zip\r\n\n  \n--wipe_cache  \n--locale=de";
    ck_assert_int_eq(recovery_argv_from_lines(&v, text, sizeof text - 1, 64, "cmd", &err), 0);
    ck_assert_int_eq(v.argc, 3);
    ck_assert_str_eq(v.argv[0], "--update_package=/cache/u.zip");
    ck_assert_str_eq(v.argv[1], "--wipe_cache");
    ck_assert_str_eq(v.argv[2], "--locale=de");
    recovery_argv_free(&v);

    ck_assert_int_eq(recovery_argv_from_lines(&v, "", 0, 64, "cmd", &err), 0);
    ck_assert_int_eq(v.argc, 0);
    recovery_argv_free(&v);
}
END_TEST

START_TEST(command_file_limits)
{
    recovery_argv v;
    ota_error err;
    ck_assert_int_eq(recovery_argv_from_lines(&v, "a\nb\nc\n", 6, 2, "cmd", &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    ck_assert_int_eq(v.argc, 0);
    ck_assert_int_eq(recovery_argv_from_lines(&v, "a\0b\n", 4, 8, "cmd", &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
}
END_TEST

START_TEST(command_file_read_from_disk)
{
    char dir[] = "/tmp/recovery-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/command", dir);
    recovery_argv v;
    ota_error err;
    ck_assert_int_eq(recovery_command_file_read(path, &v, &err), 0); /* none: no command */
    ck_assert_int_eq(v.argc, 0);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("--update_package=/cache/x.zip\n--just_exit\n", f);
    fclose(f);
    ck_assert_int_eq(recovery_command_file_read(path, &v, &err), 0);
    ck_assert_int_eq(v.argc, 2);
    ck_assert_str_eq(v.argv[1], "--just_exit");
    recovery_argv_free(&v);
    /* Bigger than a command file can be: refused, nothing taken. */
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 5000; i++)
        fputs("--wipe_cache\n", f);
    fclose(f);
    ck_assert_int_eq(recovery_command_file_read(path, &v, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    ck_assert_int_eq(v.argc, 0);
    unlink(path);
    /* The main system can plant a FIFO there: refused at once, never
     * waited on (the test would hang otherwise). */
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    ck_assert_int_eq(recovery_command_file_read(path, &v, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "FIFO"));
    ck_assert_int_eq(v.argc, 0);
    unlink(path);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("recovery command file");
    TCase *tc = tcase_create("command_file");
    tcase_add_test(tc, command_file_lines);
    tcase_add_test(tc, command_file_limits);
    tcase_add_test(tc, command_file_read_from_disk);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

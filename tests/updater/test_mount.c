/* The mount builtins' pure parts (updater/mount.c): the mount table's
 * escapes (otautil/octal_escape.h) and mount()'s options split into flags and data. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "otautil/octal_escape.h"
#include "updater/builtins.h"
#include "tests/common/testutil.h"

START_TEST(mounts_unescape)
{
    char field[] = "/tmp/a\\040b\\011c\\134d";
    ota_octal_unescape(field);
    ck_assert_str_eq(field, "/tmp/a b\tc\\d");
    char plain[] = "/system";
    ota_octal_unescape(plain);
    ck_assert_str_eq(plain, "/system");
}
END_TEST

START_TEST(mount_options)
{
    unsigned long flags;
    char data[64];
    ck_assert_int_eq(upd_mount_options("", &flags, data, sizeof data), 0);
    ck_assert_uint_eq(flags, MS_NOATIME | MS_NODEV | MS_NODIRATIME);
    ck_assert_str_eq(data, "");
    ck_assert_int_eq(upd_mount_options("ro,barrier=1,nosuid,,data=ordered,dev", &flags, data,
                                       sizeof data), 0);
    ck_assert_uint_eq(flags, MS_NOATIME | MS_NODIRATIME | MS_RDONLY | MS_NOSUID);
    ck_assert_str_eq(data, "barrier=1,data=ordered");
    ck_assert_int_eq(upd_mount_options("errors=panic,nodelalloc", &flags, data, 12), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("updater mount");
    TCase *tc = tcase_create("mount");
    tcase_add_test(tc, mounts_unescape);
    tcase_add_test(tc, mount_options);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* RECOVERY_ROOT paths (otautil/root.h): absolute paths are put under the
 * root; nothing a script or a command names can lead outside it, neither by
 * ".." components nor by a relative path. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/root.h"
#include "tests/common/testutil.h"

static void expect_path(const char *in, const char *want)
{
    char out[256];
    ota_error err;
    ota_error_clear(&err);
    ck_assert_msg(ota_path(in, out, sizeof out, &err) == 0, "%s: %s", in, err.message);
    ck_assert_str_eq(out, want);
    char *dup = ota_path_dup(in, &err);
    ck_assert_msg(dup != NULL, "%s: %s", in, err.message);
    ck_assert_str_eq(dup, want);
    free(dup);
}

static void expect_refused(const char *in, const char *reason)
{
    char out[256];
    ota_error err;
    ota_error_clear(&err);
    ck_assert_msg(ota_path(in, out, sizeof out, &err) == -1, "%s was resolved to %s", in, out);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    ck_assert_msg(strstr(err.message, in) && strstr(err.message, reason),
                  "message for %s lacks the path or \"%s\": %s", in, reason, err.message);
    ck_assert_ptr_null(ota_path_dup(in, &err));
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
}

START_TEST(absolute_paths_go_under_the_root)
{
    setenv("RECOVERY_ROOT", "/tmp/dev-root/", 1);
    ck_assert_str_eq(ota_root(), "/tmp/dev-root/");
    expect_path("/system/build.prop", "/tmp/dev-root/system/build.prop");
    expect_path("/", "/tmp/dev-root/");
    /* already resolved: not prefixed twice */
    expect_path("/tmp/dev-root/cache/x", "/tmp/dev-root/cache/x");
    /* ".." that stays inside is allowed, as are "." and repeated slashes */
    expect_path("/system/bin/../lib", "/tmp/dev-root/system/bin/../lib");
    expect_path("/system/./a//b/..", "/tmp/dev-root/system/./a//b/..");
    ck_assert_str_eq(ota_path_unroot("/tmp/dev-root/cache/x"), "/cache/x");
    ck_assert_str_eq(ota_path_unroot("/tmp/dev-root"), "/");
}
END_TEST

START_TEST(dot_dot_cannot_leave_the_root)
{
    setenv("RECOVERY_ROOT", "/tmp/dev-root", 1);
    expect_refused("/..", "leaves RECOVERY_ROOT");
    expect_refused("/system/../../etc/passwd", "leaves RECOVERY_ROOT");
    expect_refused("/cache/../cache/../../x", "leaves RECOVERY_ROOT");
    expect_refused("/a/b/../../../", "leaves RECOVERY_ROOT");
    expect_refused("/./../x", "leaves RECOVERY_ROOT");
    /* a path that already carries the root is checked from the root on */
    expect_refused("/tmp/dev-root/../escape", "leaves RECOVERY_ROOT");
    expect_refused("/tmp/dev-root/cache/../../escape", "leaves RECOVERY_ROOT");
}
END_TEST

START_TEST(relative_paths_are_refused_under_a_root)
{
    setenv("RECOVERY_ROOT", "/tmp/dev-root", 1);
    expect_refused("system/build.prop", "not absolute");
    expect_refused("../etc/passwd", "not absolute");
    expect_refused(".", "not absolute");
    expect_refused("", "not absolute");
}
END_TEST

START_TEST(without_a_root_paths_are_used_as_they_are)
{
    unsetenv("RECOVERY_ROOT");
    ck_assert_str_eq(ota_root(), "");
    expect_path("/system/../etc", "/system/../etc");
    expect_path("relative/x", "relative/x");
    setenv("RECOVERY_ROOT", "/", 1); /* "/" is no root either */
    expect_path("/system/../../x", "/system/../../x");
}
END_TEST

START_TEST(too_long_is_an_error)
{
    setenv("RECOVERY_ROOT", "/tmp/dev-root", 1);
    char out[16];
    ota_error err;
    ck_assert_int_eq(ota_path("/system/build.prop", out, sizeof out, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("root");
    TCase *tc = tcase_create("paths");
    tcase_add_test(tc, absolute_paths_go_under_the_root);
    tcase_add_test(tc, dot_dot_cannot_leave_the_root);
    tcase_add_test(tc, relative_paths_are_refused_under_a_root);
    tcase_add_test(tc, without_a_root_paths_are_used_as_they_are);
    tcase_add_test(tc, too_long_is_an_error);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}

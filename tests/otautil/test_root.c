/* RECOVERY_ROOT paths (otautil/root.h): absolute paths are put under the
 * root; nothing a script or a command names can lead outside it, neither by
 * ".." components nor by a relative path.  One table for the root-carrying
 * functions (ota_path_at and friends), one for what they refuse, and the
 * environment-reading ones on top. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/root.h"
#include "tests/common/testutil.h"

/* root, path -> resolved, and resolved -> shown again. */
static const struct {
    const char *root, *path, *resolved, *unrooted;
} cases[] = {
    {"/tmp/dev", "/system/bin", "/tmp/dev/system/bin", "/system/bin"},
    {"/tmp/dev/", "/system/bin", "/tmp/dev/system/bin", "/system/bin"},
    {"/tmp/dev", "/", "/tmp/dev/", "/"},
    {"/tmp/dev", "/tmp/dev/system", "/tmp/dev/system", "/system"}, /* not prefixed twice */
    {"/tmp/dev", "/tmp/dev", "/tmp/dev", "/"},
    {"/tmp/dev", "/tmp/devices/x", "/tmp/dev/tmp/devices/x", "/tmp/devices/x"},
    /* ".." that stays inside is allowed, as are "." and repeated slashes */
    {"/tmp/dev", "/system/bin/../lib", "/tmp/dev/system/bin/../lib", "/system/bin/../lib"},
    {"/tmp/dev", "/system/./a//b/..", "/tmp/dev/system/./a//b/..", "/system/./a//b/.."},
    /* without a root, paths are used as they are */
    {"", "/system", "/system", "/system"},
    {NULL, "/system", "/system", "/system"},
    {"", "/system/../etc", "/system/../etc", "/system/../etc"},
    {"", "relative/x", "relative/x", "relative/x"},
    {"/", "/system", "/system", "/system"}, /* "/" is no root */
    {"/", "/system/../../x", "/system/../../x", "/system/../../x"},
};

START_TEST(path_table)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[256];
        ota_error err;
        ota_error_clear(&err);
        ck_assert_msg(ota_path_at(cases[i].root, cases[i].path, out, sizeof out, &err) == 0,
                      "%s: %s", cases[i].path, err.message);
        ck_assert_msg(strcmp(out, cases[i].resolved) == 0, "%s under %s: %s", cases[i].path,
                      cases[i].root ? cases[i].root : "(null)", out);
        char *dup = ota_path_at_dup(cases[i].root, cases[i].path, &err);
        ck_assert_ptr_nonnull(dup);
        ck_assert_str_eq(dup, cases[i].resolved);
        ck_assert_str_eq(ota_path_unroot_at(cases[i].root, dup), cases[i].unrooted);
        free(dup);
    }
}
END_TEST

/* root, path -> refused with OTA_ERR_ARGS, the message naming the path
 * and the reason. */
static const struct {
    const char *root, *path, *reason;
} refused[] = {
    {"/tmp/dev-root", "/..", "leaves RECOVERY_ROOT"},
    {"/tmp/dev-root", "/system/../../etc/passwd", "leaves RECOVERY_ROOT"},
    {"/tmp/dev-root", "/cache/../cache/../../x", "leaves RECOVERY_ROOT"},
    {"/tmp/dev-root", "/a/b/../../../", "leaves RECOVERY_ROOT"},
    {"/tmp/dev-root", "/./../x", "leaves RECOVERY_ROOT"},
    /* a path that already carries the root is checked from the root on */
    {"/tmp/dev-root", "/tmp/dev-root/../escape", "leaves RECOVERY_ROOT"},
    {"/tmp/dev-root/", "/tmp/dev-root/cache/../../escape", "leaves RECOVERY_ROOT"},
    /* relative paths under a root */
    {"/tmp/dev-root", "system/build.prop", "not absolute"},
    {"/tmp/dev-root", "../etc/passwd", "not absolute"},
    {"/tmp/dev-root", "rel/x", "not absolute"},
    {"/tmp/dev-root", ".", "not absolute"},
    {"/tmp/dev-root", "", "not absolute"},
};

START_TEST(refused_table)
{
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        const char *in = refused[i].path;
        char out[256];
        ota_error err;
        ota_error_clear(&err);
        ck_assert_msg(ota_path_at(refused[i].root, in, out, sizeof out, &err) == -1,
                      "%s was resolved to %s", in, out);
        ck_assert_int_eq(err.code, OTA_ERR_ARGS);
        ck_assert_msg(strstr(err.message, in) && strstr(err.message, refused[i].reason),
                      "message for %s lacks the path or \"%s\": %s", in, refused[i].reason,
                      err.message);
        ota_error_clear(&err);
        ck_assert_ptr_null(ota_path_at_dup(refused[i].root, in, &err));
        ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    }
}
END_TEST

START_TEST(too_long_is_an_error)
{
    char out[16];
    ota_error err;
    ck_assert_int_eq(ota_path_at("/tmp/dev-root", "/system/build.prop", out, sizeof out, &err),
                     -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
}
END_TEST

/* ota_path and friends read RECOVERY_ROOT and apply the same rules. */
START_TEST(the_environment_is_the_default_root)
{
    char out[256];
    ota_error err;
    setenv("RECOVERY_ROOT", "/tmp/dev/", 1);
    ck_assert_str_eq(ota_root(), "/tmp/dev/");
    ck_assert_int_eq(ota_path("/system/bin", out, sizeof out, NULL), 0);
    ck_assert_str_eq(out, "/tmp/dev/system/bin");
    ck_assert_str_eq(ota_path_unroot(out), "/system/bin");
    char *dup = ota_path_dup("/x", NULL);
    ck_assert_str_eq(dup, "/tmp/dev/x");
    free(dup);
    ck_assert_int_eq(ota_path("/system/../../etc/passwd", out, sizeof out, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    ck_assert_ptr_null(ota_path_dup("relative", &err));
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    unsetenv("RECOVERY_ROOT");
    ck_assert_str_eq(ota_root(), "");
    ck_assert_int_eq(ota_path("/system", out, sizeof out, NULL), 0);
    ck_assert_str_eq(out, "/system");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("RECOVERY_ROOT paths");
    TCase *tc = tcase_create("root");
    tcase_add_test(tc, path_table);
    tcase_add_test(tc, refused_table);
    tcase_add_test(tc, too_long_is_an_error);
    tcase_add_test(tc, the_environment_is_the_default_root);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

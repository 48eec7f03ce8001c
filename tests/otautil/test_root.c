/* Unit tests of RECOVERY_ROOT paths (otautil/root.h): one table for the
 * root-carrying functions, and the environment-reading ones on top. */
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
    {"/tmp/dev", "/tmp/dev/system", "/tmp/dev/system", "/system"}, /* not prefixed twice */
    {"/tmp/dev", "/tmp/dev", "/tmp/dev", "/"},
    {"/tmp/dev", "/tmp/devices/x", "/tmp/dev/tmp/devices/x", "/tmp/devices/x"},
    {"/tmp/dev", "rel/x", "rel/x", "rel/x"},                     /* relative: as given */
    {"", "/system", "/system", "/system"},                       /* no root */
    {NULL, "/system", "/system", "/system"},
    {"/", "/system", "/system", "/system"},                      /* "/" is no root */
};

START_TEST(path_table)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[256];
        ota_error err;
        ck_assert_int_eq(ota_path_at(cases[i].root, cases[i].path, out, sizeof out, &err), 0);
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

START_TEST(too_long_is_an_error)
{
    char out[5];
    ota_error err;
    ck_assert_int_eq(ota_path_at("/tmp/dev", "/x", out, sizeof out, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
}
END_TEST

START_TEST(the_environment_is_the_default_root)
{
    char out[256];
    setenv("RECOVERY_ROOT", "/tmp/dev/", 1);
    ck_assert_str_eq(ota_root(), "/tmp/dev/");
    ck_assert_int_eq(ota_path("/system/bin", out, sizeof out, NULL), 0);
    ck_assert_str_eq(out, "/tmp/dev/system/bin");
    ck_assert_str_eq(ota_path_unroot(out), "/system/bin");
    char *dup = ota_path_dup("/x", NULL);
    ck_assert_str_eq(dup, "/tmp/dev/x");
    free(dup);
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
    tcase_add_test(tc, too_long_is_an_error);
    tcase_add_test(tc, the_environment_is_the_default_root);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

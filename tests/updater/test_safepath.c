/* Extraction path safety (updater/safepath.c): names checked lexically,
 * and the walk beneath a destination that never follows a symlink, on a
 * real directory. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "updater/builtins.h"
#include "tests/common/testutil.h"

START_TEST(relpath_accepts_normal_names)
{
    ota_error err;
    ck_assert_int_eq(upd_relpath_check("bin/sh", &err), 0);
    ck_assert_int_eq(upd_relpath_check("lib/", &err), 0);
    ck_assert_int_eq(upd_relpath_check("a b/ünïcode ☃.txt", &err), 0);
    ck_assert_int_eq(upd_relpath_check("..hidden/x..y/...", &err), 0);
}
END_TEST

START_TEST(relpath_refuses_escapes)
{
    ota_error err;
    const char *bad[] = {"", "/etc/passwd", "../x", "a/../../x", "a/..", "./a", "a//b", "a/./b",
                         ".."};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ota_error_clear(&err);
        ck_assert_msg(upd_relpath_check(bad[i], &err) == -1, "accepted \"%s\"", bad[i]);
        ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
    }
    upd_relpath_check("a/../../x", &err);
    ck_assert_ptr_nonnull(strstr(err.message, "a/../../x"));
    ck_assert_ptr_nonnull(strstr(err.message, "\"..\""));
}
END_TEST

START_TEST(beneath_creates_and_refuses_symlinks)
{
    char *d = test_temp_dir("updater-safepath");
    int root = open(d, O_RDONLY | O_DIRECTORY);
    ck_assert_int_ge(root, 0);
    char outside[300];
    snprintf(outside, sizeof outside, "%s.outside", d);
    ck_assert_int_eq(mkdir(outside, 0755), 0);
    char link[300];
    snprintf(link, sizeof link, "%s/evil", d);
    ck_assert_int_eq(symlink(outside, link), 0);

    upd_beneath b;
    upd_beneath_init(&b, root, "/dest");
    ota_error err;
    const char *leaf;
    int fd = upd_beneath_parent(&b, "a/b c/file", &leaf, &err);
    ck_assert_int_ge(fd, 0);
    ck_assert_str_eq(leaf, "file");
    /* Same directory again: the cached fd. */
    ck_assert_int_eq(upd_beneath_parent(&b, "a/b c/other", &leaf, &err), fd);
    struct stat sb;
    char made[300];
    snprintf(made, sizeof made, "%s/a/b c", d);
    ck_assert_int_eq(stat(made, &sb), 0);
    ck_assert(S_ISDIR(sb.st_mode));
    ck_assert_int_eq(sb.st_mode & 07777, 0755);

    ck_assert_int_eq(upd_beneath_parent(&b, "evil/x", &leaf, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "symlink"));
    ck_assert_int_eq(upd_beneath_mkdirs(&b, "evil/sub/", &err), -1);
    ck_assert_int_eq(upd_beneath_parent(&b, "a/../../x", &leaf, &err), -1);
    /* Nothing was created through the link. */
    char through[400];
    snprintf(through, sizeof through, "%s/sub", outside);
    ck_assert_int_eq(access(through, F_OK), -1);
    /* A leaf at the top uses the root itself. */
    ck_assert_int_eq(upd_beneath_parent(&b, "top", &leaf, &err), root);
    ck_assert_str_eq(leaf, "top");

    upd_beneath_release(&b);
    close(root);
    ck_assert_int_eq(rmdir(outside), 0);
    test_remove_tree(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("updater path safety");
    TCase *tc = tcase_create("safepath");
    tcase_add_test(tc, relpath_accepts_normal_names);
    tcase_add_test(tc, relpath_refuses_escapes);
    tcase_add_test(tc, beneath_creates_and_refuses_symlinks);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Unit tests of the updater's pure parts: extraction path safety (lexical
 * and the no-symlink walk on a real directory), the command pipe's lines,
 * mount table escapes, format's
 * size rule and number parsing. */
#include <check.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "updater/builtins.h"
#include "updater/updater.h"
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

static char *make_dir(void)
{
    char *d = strdup("/tmp/updater-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static void remove_dir(const char *d)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(beneath_creates_and_refuses_symlinks)
{
    char *d = make_dir();
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
    remove_dir(d);
    remove_dir(outside);
    free(d);
}
END_TEST

START_TEST(ui_print_lines)
{
    ota_buf buf = {0};
    ota_error err;
    const char text[] = "Installing\n\nsystem\r files";
    ck_assert_int_eq(updater_format_ui_print(text, sizeof text - 1, &buf, &err), 0);
    ck_assert_str_eq((char *)buf.data,
                     "ui_print Installing\nui_print system  files\nui_print\n");
    ota_buf_free(&buf);
    ck_assert_int_eq(updater_format_ui_print("", 0, &buf, &err), 0);
    ck_assert_str_eq((char *)buf.data, "ui_print\n");
    ota_buf_free(&buf);
    /* A NUL inside blob text must not cut the command short. */
    ck_assert_int_eq(updater_format_ui_print("a\0b", 3, &buf, &err), 0);
    ck_assert_str_eq((char *)buf.data, "ui_print a b\nui_print\n");
    ota_buf_free(&buf);
}
END_TEST

START_TEST(progress_lines)
{
    char line[64];
    ck_assert_int_eq(updater_format_progress(0.5, 10, line, sizeof line), 0);
    ck_assert_str_eq(line, "progress 0.500000 10\n");
    ck_assert_int_eq(updater_format_set_progress(0.25, line, sizeof line), 0);
    ck_assert_str_eq(line, "set_progress 0.250000\n");
    ck_assert_int_eq(updater_format_set_progress(0.25, line, 8), -1);
}
END_TEST

START_TEST(mounts_unescape)
{
    char field[] = "/tmp/a\\040b\\011c\\134d";
    upd_mounts_unescape(field);
    ck_assert_str_eq(field, "/tmp/a b\tc\\d");
    char plain[] = "/system";
    upd_mounts_unescape(plain);
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

START_TEST(numbers)
{
    uint64_t u;
    long long i;
    ck_assert_int_eq(upd_parse_u64("0755", 8, &u), 0);
    ck_assert_uint_eq(u, 0755);
    ck_assert_int_eq(upd_parse_u64("0x1000", 0, &u), 0);
    ck_assert_uint_eq(u, 4096);
    ck_assert_int_eq(upd_parse_u64("-1", 10, &u), -1);
    ck_assert_int_eq(upd_parse_u64("12abc", 10, &u), -1);
    ck_assert_int_eq(upd_parse_u64("", 10, &u), -1);
    ck_assert_int_eq(upd_parse_u64("99999999999999999999999", 10, &u), -1);
    ck_assert_int_eq(upd_parse_i64("-16384", &i), 0);
    ck_assert_int_eq(i, -16384);
    ck_assert_int_eq(upd_parse_i64("1e3", &i), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("updater-pure");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, relpath_accepts_normal_names);
    tcase_add_test(tc, relpath_refuses_escapes);
    tcase_add_test(tc, beneath_creates_and_refuses_symlinks);
    tcase_add_test(tc, ui_print_lines);
    tcase_add_test(tc, progress_lines);
    tcase_add_test(tc, mounts_unescape);
    tcase_add_test(tc, mount_options);
    tcase_add_test(tc, numbers);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? 1 : 0;
}

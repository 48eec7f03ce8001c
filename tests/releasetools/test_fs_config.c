/* META/filesystem_config.txt (releasetools/fs_config.h): a round trip,
 * and the errors naming their line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "releasetools/fs_config.h"
#include "tests/common/testutil.h"

START_TEST(fs_config_round_trip_and_errors)
{
    const char *text = "system/bin 0 2000 755\n"
                       "system 0 0 755 selabel=u:object_r:system_file:s0\n"
                       "system/bin/ping 0 0 755 capabilities=0x2000\n"
                       "system/xbin/su 0 2000 6755 selabel=u:object_r:su:s0 capabilities=0x0\n";
    rt_fs_config c = {0};
    ck_assert_int_eq(rt_fs_config_parse(&c, text, strlen(text), NULL), 0);
    ck_assert_uint_eq(c.count, 4);
    const rt_meta *m = rt_fs_config_find(&c, "system/xbin/su");
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->mode, 06755);
    ck_assert_uint_eq(m->gid, 2000);
    ck_assert_str_eq(m->selabel, "u:object_r:su:s0");
    ck_assert_uint_eq(rt_fs_config_find(&c, "system/bin/ping")->capabilities, 0x2000);
    ck_assert_ptr_null(rt_fs_config_find(&c, "system/nope"));
    ota_buf out = {0};
    ck_assert_int_eq(rt_fs_config_format(&c, &out, NULL), 0);
    ck_assert_str_eq((char *)out.data,
                     "system 0 0 755 selabel=u:object_r:system_file:s0\n"
                     "system/bin 0 2000 755\n"
                     "system/bin/ping 0 0 755 capabilities=0x2000\n"
                     "system/xbin/su 0 2000 6755 selabel=u:object_r:su:s0\n");
    ota_buf_free(&out);
    rt_fs_config_free(&c);

    static const char *const bad[] = {
        "system/a 0 0\n", "system/a x 0 644\n", "system/a 0 0 999\n", "system/a 0 0 644 foo=1\n",
        "system/a 0 0 644 capabilities=zz\n", "system/a 0 0 644\nsystem/a 0 0 644\n",
        "system/a -1 0 644\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ota_error err;
        rt_fs_config b = {0};
        ck_assert_msg(rt_fs_config_parse(&b, bad[i], strlen(bad[i]), &err) == -1, "accepted: %s", bad[i]);
        ck_assert_ptr_nonnull(strstr(err.message, "filesystem_config.txt"));
        rt_fs_config_free(&b);
    }
}
END_TEST

/* Names Android's format cannot carry (a space: "bad uid" when read back)
 * are written with octal escapes and read back as they were. */
START_TEST(fs_config_paths_with_spaces_round_trip)
{
    static const char *const names[] = {"system/app/My App", "system/app/My App/a b.txt",
                                         "system/odd\\name", "system/tab\there",
                                         "system/new\nline", "system/trailing "};
    rt_fs_config c = {0};
    rt_meta meta = {.uid = 1000, .gid = 1000, .mode = 0644};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        ck_assert_int_eq(rt_fs_config_add(&c, names[i], &meta, NULL), 0);
    rt_fs_config_sort(&c);
    ota_buf out = {0};
    ck_assert_int_eq(rt_fs_config_format(&c, &out, NULL), 0);
    ck_assert_ptr_nonnull(strstr((char *)out.data, "system/app/My\\040App/a\\040b.txt 1000 1000 644\n"));
    ck_assert_ptr_nonnull(strstr((char *)out.data, "system/odd\\134name "));
    rt_fs_config back = {0};
    ck_assert_int_eq(rt_fs_config_parse(&back, (char *)out.data, out.len, NULL), 0);
    ck_assert_uint_eq(back.count, c.count);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        ck_assert_msg(rt_fs_config_find(&back, names[i]) != NULL, "%s lost", names[i]);
    /* a backslash that starts no escape is itself (hand-written files) */
    const char *text = "system/a\\b 0 0 644\n";
    rt_fs_config hand = {0};
    ck_assert_int_eq(rt_fs_config_parse(&hand, text, strlen(text), NULL), 0);
    ck_assert_ptr_nonnull(rt_fs_config_find(&hand, "system/a\\b"));
    rt_fs_config_free(&hand);
    rt_fs_config_free(&back);
    rt_fs_config_free(&c);
    ota_buf_free(&out);
}
END_TEST

START_TEST(fs_config_refuses_signs_behind_white_space)
{
    static const char *const bad[] = {
        "system/a 0 0 755 capabilities=\v-1\n", "system/a 0 0 755 capabilities=\f+1\n",
        "system/a \v-0 0 755\n", "system/a 0 \f1 755\n", "system/a 0 0 \v755\n",
        "system/a 0 0 755 capabilities=+1\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ota_error err;
        rt_fs_config c = {0};
        ck_assert_msg(rt_fs_config_parse(&c, bad[i], strlen(bad[i]), &err) == -1, "accepted: %s",
                      bad[i]);
        ck_assert_ptr_nonnull(strstr(err.message, "system/a"));
        rt_fs_config_free(&c);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("filesystem_config");
    TCase *tc = tcase_create("fs_config");
    tcase_add_test(tc, fs_config_round_trip_and_errors);
    tcase_add_test(tc, fs_config_refuses_signs_behind_white_space);
    tcase_add_test(tc, fs_config_paths_with_spaces_round_trip);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

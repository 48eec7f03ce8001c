/* The updater-script writer: the exact statements Android's updater reads,
 * strings quoted so that no path or message can break out of its literal. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/fstab.h"
#include "releasetools/script_gen.h"
#include "tests/common/testutil.h"

static char *finish(rt_script *s)
{
    ota_buf out;
    ck_assert_int_eq(rt_script_finish(s, &out, NULL), 0);
    ck_assert_uint_eq(strlen((char *)out.data), out.len);
    return (char *)out.data;
}

START_TEST(quoting_escapes_everything_special)
{
    rt_script s = {0};
    rt_script_quote(&s, "a\"b\\c\nd\te\x01" "f");
    char *text = finish(&s);
    ck_assert_str_eq(text, "\"a\\\"b\\\\c\\nd\\te\\x01f\"");
    free(text);
}
END_TEST

START_TEST(partition_statements)
{
    ota_fstab fstab;
    ck_assert_int_eq(ota_fstab_parse("/system ext4 /dev/block/by-name/system length=-16384\n"
                                     "/boot emmc /dev/block/by-name/boot\n"
                                     "/sys2 mtd system2\n",
                                     &fstab, NULL),
                     0);
    rt_script s = {0};
    rt_script_format(&s, ota_fstab_find(&fstab, "/system"));
    rt_script_mount(&s, ota_fstab_find(&fstab, "/system"));
    rt_script_mount(&s, ota_fstab_find(&fstab, "/sys2"));
    rt_script_write_raw_image(&s, "boot.img", ota_fstab_find(&fstab, "/boot"));
    rt_script_unmount(&s, "/system");
    char *text = finish(&s);
    ck_assert_str_eq(text,
                     "format(\"ext4\", \"EMMC\", \"/dev/block/by-name/system\", \"-16384\", \"/system\");\n"
                     "mount(\"ext4\", \"EMMC\", \"/dev/block/by-name/system\", \"/system\");\n"
                     "mount(\"yaffs2\", \"MTD\", \"system2\", \"/sys2\");\n"
                     "write_raw_image(package_extract_file(\"boot.img\"), \"/dev/block/by-name/boot\");\n"
                     "unmount(\"/system\");\n");
    free(text);
    ota_fstab_free(&fstab);
}
END_TEST

START_TEST(assertions_name_what_they_expect)
{
    rt_script s = {0};
    rt_script_assert_device(&s, "dev\"ice");
    rt_script_assert_older_build(&s, "1700000000", "Tue Nov 14");
    rt_script_assert_fingerprint(&s, "/system", "a/b:1", "a/b:2");
    char *text = finish(&s);
    ck_assert_ptr_nonnull(strstr(text, "getprop(\"ro.product.device\") == \"dev\\\"ice\" ||"));
    ck_assert_ptr_nonnull(strstr(text, "(!less_than_int(\"1700000000\", getprop(\"ro.build.date.utc\"))) ||"));
    ck_assert_ptr_nonnull(strstr(text, "file_getprop(\"/system/build.prop\", \"ro.build.fingerprint\") == \"a/b:1\" ||"));
    ck_assert_ptr_nonnull(strstr(text, "== \"a/b:2\" ||"));
    /* every statement ends its line */
    ck_assert_int_eq(text[strlen(text) - 1], '\n');
    free(text);
}
END_TEST

START_TEST(patch_statements)
{
    rt_script s = {0};
    const char *sums[2] = {"1111111111111111111111111111111111111111",
                           "2222222222222222222222222222222222222222"};
    rt_script_patch_check(&s, "/system/lib/libc.so", sums, 2);
    rt_script_cache_space(&s, 123456);
    rt_script_apply_patch(&s, "/system/lib/libc.so", NULL, sums[0], 1000, sums[1], "patch/system/lib/libc.so.p");
    rt_script_patch_check_moved(&s, "/system/new/x", sums[0], "/system/old/x", sums[1]);
    rt_script_apply_patch(&s, "/system/old/x", "/system/new/x", sums[0], 7, sums[1], "patch/system/new/x.p");
    char *text = finish(&s);
    ck_assert_str_eq(text,
                     "apply_patch_check(\"/system/lib/libc.so\", \"1111111111111111111111111111111111111111\", "
                     "\"2222222222222222222222222222222222222222\") || abort(concat(\"/system/lib/libc.so\", "
                     "\" has unexpected contents.\"));\n"
                     "apply_patch_space(123456) || abort(\"Not enough free space on /cache to apply patches.\");\n"
                     "apply_patch(\"/system/lib/libc.so\", \"-\", \"1111111111111111111111111111111111111111\", 1000, "
                     "\"2222222222222222222222222222222222222222\", package_extract_file(\"patch/system/lib/libc.so.p\")) "
                     "|| abort(concat(\"Failed to patch \", \"/system/lib/libc.so\", \".\"));\n"
                     "apply_patch_check(\"/system/new/x\", \"1111111111111111111111111111111111111111\") ||\n"
                     "    apply_patch_check(\"/system/old/x\", \"2222222222222222222222222222222222222222\") || "
                     "abort(concat(\"/system/old/x\", \" has unexpected contents.\"));\n"
                     "apply_patch(\"/system/old/x\", \"/system/new/x\", \"1111111111111111111111111111111111111111\", 7, "
                     "\"2222222222222222222222222222222222222222\", package_extract_file(\"patch/system/new/x.p\")) "
                     "|| abort(concat(\"Failed to patch \", \"/system/new/x\", \".\"));\n");
    free(text);
}
END_TEST

START_TEST(lists_and_permissions)
{
    rt_script s = {0};
    const char *names[2] = {"system/bin/ls", "system/bin/cat"};
    rt_script_symlink(&s, "toolbox", names, 2);
    rt_script_delete(&s, names, 0); /* nothing for an empty list */
    rt_script_delete(&s, names, 1);
    rt_perm_cmd cmds[3] = {
        {RT_PERM_RECURSIVE, "system", 0, 0, 0755, 0644, 0, 0, NULL, 0},
        {RT_PERM_ONE, "system/xbin/su", 0, 2000, 0, 0, 06755, 1, NULL, 0},
        {RT_PERM_ONE, "system/bin/ls", 1000, 1000, 0, 0, 0, 0, NULL, 0},
    };
    rt_perm_plan plan = {cmds, 2, 0};
    rt_script_permissions(&s, &plan);
    plan.count = 3;
    plan.needs_metadata = 1;
    cmds[0].selabel = "u:object_r:system_file:s0";
    rt_script_permissions(&s, &plan);
    char *text = finish(&s);
    ck_assert_str_eq(text,
                     "symlink(\"toolbox\",\n    \"/system/bin/ls\",\n    \"/system/bin/cat\");\n"
                     "delete(\"/system/bin/ls\");\n"
                     "set_perm_recursive(0, 0, 0755, 0644, \"/system\");\n"
                     "set_perm(0, 2000, 06755, \"/system/xbin/su\");\n"
                     "set_metadata_recursive(\"/system\", \"uid\", 0, \"gid\", 0, \"dmode\", 0755, \"fmode\", 0644, "
                     "\"capabilities\", 0x0, \"selabel\", \"u:object_r:system_file:s0\");\n"
                     "set_metadata(\"/system/xbin/su\", \"uid\", 0, \"gid\", 2000, \"mode\", 06755, \"capabilities\", 0x0);\n"
                     "set_metadata(\"/system/bin/ls\", \"uid\", 1000, \"gid\", 1000);\n");
    free(text);
}
END_TEST

START_TEST(progress_and_extra_text)
{
    rt_script s = {0};
    rt_script_show_progress(&s, 0.5, 10);
    rt_script_set_progress(&s, 0.25);
    rt_script_print(&s, "Hello \"world\"");
    rt_script_append(&s, "ui_print(\"extra\");", 18);
    char *text = finish(&s);
    ck_assert_str_eq(text, "show_progress(0.500000, 10);\nset_progress(0.250000);\n"
                           "ui_print(\"Hello \\\"world\\\"\");\nui_print(\"extra\");\n");
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("releasetools-script");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, quoting_escapes_everything_special);
    tcase_add_test(tc, partition_statements);
    tcase_add_test(tc, assertions_name_what_they_expect);
    tcase_add_test(tc, patch_statements);
    tcase_add_test(tc, lists_and_permissions);
    tcase_add_test(tc, progress_and_extra_text);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? 1 : 0;
}

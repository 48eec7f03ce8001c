/* The block-update statements (releasetools/script_block.h): Android's
 * forms exactly (common.py's BlockDifference), with its error codes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "releasetools/script_block.h"
#include "tests/common/testutil.h"

static char *finish(rt_script *s)
{
    ota_buf out;
    ck_assert_int_eq(rt_script_finish(s, &out, NULL), 0);
    return (char *)out.data;
}

#define DEV "\"/dev/block/by-name/system\""
#define LISTS "package_extract_file(\"system.transfer.list\"), "

START_TEST(source_check_with_verify_and_recover)
{
    rt_script s = {0};
    rt_script_block_verify(&s, "system", "/dev/block/by-name/system", "4,1,5,9,12", "abc");
    char *text = finish(&s);
    ck_assert_str_eq(text,
                     "if (range_sha1(" DEV ", \"4,1,5,9,12\") == \"abc\" || "
                     "block_image_verify(" DEV ", " LISTS "\"system.new.dat\", \"system.patch.dat\")) then\n"
                     "ui_print(\"Verified system image...\");\n"
                     "else\n"
                     "check_first_block(" DEV ");\n"
                     "ifelse (block_image_recover(" DEV ", \"4,1,5,9,12\") && "
                     "block_image_verify(" DEV ", " LISTS "\"system.new.dat\", \"system.patch.dat\"), "
                     "ui_print(\"system recovered successfully.\"), "
                     "abort(\"E1004: system partition fails to recover\"));\n"
                     "endif;\n");
    free(text);
}
END_TEST

START_TEST(update_and_result_check)
{
    rt_script s = {0};
    rt_script_block_update(&s, "system", "/dev/block/by-name/system", 1);
    rt_script_block_update(&s, "system", "/dev/block/by-name/system", 0);
    rt_script_block_check(&s, "system", "/dev/block/by-name/system", "2,0,8192", "def");
    char *text = finish(&s);
    ck_assert_str_eq(text,
                     "block_image_update(" DEV ", " LISTS "\"system.new.dat.br\", \"system.patch.dat\") ||\n"
                     "  abort(\"E1001: Failed to update system image.\");\n"
                     "block_image_update(" DEV ", " LISTS "\"system.new.dat\", \"system.patch.dat\") ||\n"
                     "  abort(\"E1001: Failed to update system image.\");\n"
                     "ui_print(\"Verifying the updated system image...\");\n"
                     "if range_sha1(" DEV ", \"2,0,8192\") == \"def\" then\n"
                     "ui_print(\"Verified the updated system image.\");\n"
                     "else\n"
                     "  abort(\"E1002: system partition has unexpected contents after OTA update\");\n"
                     "endif;\n");
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("script_block");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, source_check_with_verify_and_recover);
    tcase_add_test(tc, update_and_result_check);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}

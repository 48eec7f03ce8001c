/* The command pipe's lines as the updater writes them (updater/pipe.c):
 * ui_print framing and the progress commands. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/sink.h"
#include "updater/updater.h"
#include "tests/common/testutil.h"

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

int main(void)
{
    Suite *s = suite_create("updater pipe");
    TCase *tc = tcase_create("pipe");
    tcase_add_test(tc, ui_print_lines);
    tcase_add_test(tc, progress_lines);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

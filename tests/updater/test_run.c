/* Running a package (updater/run.c, updater_run_package) without devices:
 * what reaches the command pipe for a working script, a failing builtin,
 * an abort, a syntax error and a package without a script. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "package_fixture.h"
#include "tests/common/testutil.h"

START_TEST(pipe_lines_of_a_working_script)
{
    char *d = test_temp_dir("updater-run");
    run_result r;
    run_script(d, "ui_print(\"Installing \", \"now\");\n"
                  "show_progress(0.5, 10);\n"
                  "set_progress(0.25);\n"
                  "sha1_check(package_extract_file(\"payload.txt\")) == "
                  "\"997e49bbf4ad5ee847d0e77aa30648c70c71323c\" || abort(\"payload sha\");\n"
                  "wipe_cache();\n"
                  "ui_print(\"two\nlines\");\n",
               &r);
    ck_assert_msg(r.rc == 0, "%s", r.err.message);
    ck_assert_ptr_nonnull(strstr(r.pipe, "ui_print Installing now\nui_print\n"));
    ck_assert_ptr_nonnull(strstr(r.pipe, "progress 0.500000 10\n"));
    ck_assert_ptr_nonnull(strstr(r.pipe, "set_progress 0.250000\n"));
    ck_assert_ptr_nonnull(strstr(r.pipe, "wipe_cache\n"));
    ck_assert_ptr_nonnull(strstr(r.pipe, "ui_print two\nui_print lines\nui_print\n"));
    test_remove_tree(d);
}
END_TEST

START_TEST(failing_builtin_names_line_and_reason)
{
    char *d = test_temp_dir("updater-run");
    run_result r;
    run_script(d, "ui_print(\"start\");\n\npackage_extract_file(\"missing.img\");\n"
                  "ui_print(\"not reached\");\n",
               &r);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_ptr_nonnull(strstr(r.err.message, "line 3"));
    ck_assert_ptr_nonnull(strstr(r.err.message, "package_extract_file() failed"));
    ck_assert_ptr_nonnull(strstr(r.err.message, "missing.img"));
    ck_assert_ptr_nonnull(strstr(r.pipe, "ui_print E: "));
    ck_assert_ptr_null(strstr(r.pipe, "not reached"));
    test_remove_tree(d);
}
END_TEST

START_TEST(abort_message_shown_as_written)
{
    char *d = test_temp_dir("updater-run");
    run_result r;
    run_script(d, "abort(\"This package is for \\\"x\\\" devices.\");\n", &r);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_ptr_nonnull(
        strstr(r.pipe, "ui_print E: META-INF/com/google/android/updater-script line 1: "
                       "This package is for \"x\" devices.\n"));
    test_remove_tree(d);
}
END_TEST

START_TEST(syntax_error_with_line_and_column)
{
    char *d = test_temp_dir("updater-run");
    run_result r;
    run_script(d, "ui_print(\"ok\");\nui_print(\"x\" \"y\");\n", &r);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_int_eq(r.err.code, OTA_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(r.pipe, "ui_print E: syntax error: "
                                         "META-INF/com/google/android/updater-script:2:"));
    /* Nothing of the script ran. */
    ck_assert_ptr_null(strstr(r.pipe, "ui_print ok"));
    test_remove_tree(d);
}
END_TEST

START_TEST(package_without_script)
{
    char *d = test_temp_dir("updater-run");
    run_result r;
    run_script(d, NULL, &r);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_int_eq(r.err.code, OTA_ERR_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(r.err.message, UPDATER_SCRIPT_ENTRY));
    test_remove_tree(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("updater run");
    TCase *tc = tcase_create("run");
    tcase_add_test(tc, pipe_lines_of_a_working_script);
    tcase_add_test(tc, failing_builtin_names_line_and_reason);
    tcase_add_test(tc, abort_message_shown_as_written);
    tcase_add_test(tc, syntax_error_with_line_and_column);
    tcase_add_test(tc, package_without_script);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* The updater's builtin tables (updater/register.c): every device builtin
 * is registered once, in one loop, with the argument range of Android's
 * updater (for mount and format, the ranges of every version's forms), and the evaluator refuses a call outside it before the builtin
 * runs. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "package_fixture.h"
#include "tests/common/testutil.h"

#define ANY EDIFY_VARARGS
static const struct {
    const char *name;
    int min_args, max_args;
} rows[] = {
    {"mount", 3, 5},          {"is_mounted", 1, 1},          {"unmount", 1, 1},
    {"format", 2, 5},         {"package_extract_dir", 2, 2}, {"package_extract_file", 1, 2},
    {"set_perm", 4, ANY},     {"set_perm_recursive", 5, ANY}, {"set_metadata", 3, ANY},
    {"set_metadata_recursive", 3, ANY}, {"symlink", 2, ANY},  {"delete", 1, ANY},
    {"delete_recursive", 1, ANY}, {"rename", 2, 2},           {"write_value", 2, 2},
    {"getprop", 1, 1},        {"file_getprop", 2, 2},        {"write_raw_image", 2, 2},
    {"wipe_block_device", 2, 2}, {"get_stage", 1, 1},        {"set_stage", 2, 2},
    {"apply_patch", 6, ANY},  {"apply_patch_check", 1, ANY}, {"apply_patch_space", 1, 1},
    {"sha1_check", 1, ANY},   {"read_file", 1, 1},           {"ui_print", 1, ANY},
    {"show_progress", 2, 2},  {"set_progress", 1, 1},        {"wipe_cache", 0, 0},
    {"run_program", 1, ANY},  {"block_image_update", 4, 4},  {"block_image_verify", 4, 4},
    {"block_image_recover", 2, 2}, {"range_sha1", 2, 2},     {"check_first_block", 1, 1},
    {"check_partition_size", 2, 2},
};

START_TEST(every_builtin_with_its_range)
{
    edify_funcs *fns = edify_funcs_new();
    ota_error err;
    ck_assert_int_eq(updater_register_builtins(fns, &err), 0);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const edify_reg *row = edify_lookup_reg(fns, rows[i].name);
        ck_assert_msg(row != NULL, "%s is not registered", rows[i].name);
        ck_assert_msg(row->min_args == rows[i].min_args && row->max_args == rows[i].max_args,
                      "%s takes %d to %d arguments, expected %d to %d", rows[i].name,
                      row->min_args, row->max_args, rows[i].min_args, rows[i].max_args);
    }
    /* Aliases share one function, which tells them apart by name. */
    ck_assert_ptr_eq((void *)edify_lookup(fns, "delete"), (void *)edify_lookup(fns, "delete_recursive"));
    ck_assert_ptr_eq((void *)edify_lookup(fns, "set_perm"),
                     (void *)edify_lookup(fns, "set_perm_recursive"));
    ck_assert_ptr_eq((void *)edify_lookup(fns, "set_metadata"),
                     (void *)edify_lookup(fns, "set_metadata_recursive"));
    ck_assert_ptr_eq((void *)edify_lookup(fns, "block_image_update"),
                     (void *)edify_lookup(fns, "block_image_verify"));
    ck_assert_ptr_eq((void *)edify_lookup(fns, "range_sha1"),
                     (void *)edify_lookup(fns, "block_image_recover"));
    edify_funcs_free(fns);
}
END_TEST

/* A count outside the row fails with the evaluator's message, naming the
 * builtin, and nothing runs (the ui_print before it is the only output). */
START_TEST(counts_are_checked_before_the_builtin_runs)
{
    static const struct {
        const char *call, *message;
    } cases[] = {
        {"format(\"ext4\")", "format() failed: expects 2 to 5 arguments, got 1"},
        {"mount(\"a\", \"b\")", "mount() failed: expects 3 to 5 arguments, got 2"},
        {"wipe_cache(\"now\")", "wipe_cache() failed: expects 0 arguments, got 1"},
        {"delete_recursive()", "delete_recursive() failed: expects at least 1 argument, got 0"},
        {"set_perm_recursive(0, 0, 0755, 0644)",
         "set_perm_recursive() failed: expects at least 5 arguments, got 4"},
        {"block_image_update(\"/dev/x\", \"t\", \"n\")",
         "block_image_update() failed: expects 4 arguments, got 3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *d = test_temp_dir("updater-register");
        char script[256];
        snprintf(script, sizeof script, "ui_print(\"before\");\n%s;\n", cases[i].call);
        run_result r;
        run_script(d, script, &r);
        ck_assert_int_eq(r.rc, -1);
        ck_assert_int_eq(r.err.code, OTA_ERR_ARGS);
        ck_assert_msg(strstr(r.err.message, cases[i].message) != NULL, "%s", r.err.message);
        ck_assert_msg(strstr(r.err.message, "line 2") != NULL, "%s", r.err.message);
        test_remove_tree(d);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("updater builtin tables");
    TCase *tc = tcase_create("register");
    tcase_add_test(tc, every_builtin_with_its_range);
    tcase_add_test(tc, counts_are_checked_before_the_builtin_runs);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

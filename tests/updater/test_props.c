/* getprop and file_getprop (updater/props.c) in a running script, against
 * property files under RECOVERY_ROOT.  The parsing rule itself is
 * otautil's (tests/otautil/test_props.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "package_fixture.h"
#include "tests/common/testutil.h"

START_TEST(properties_under_recovery_root)
{
    char *d = test_temp_dir("updater-props");
    char path[512];
    snprintf(path, sizeof path, "%s/default.prop", d);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("ro.product.device=first\na stray line without an equals sign\nro.after.it=read\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/prop.default", d);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("ro.product.device=second\nro.only.here=yes\n", f);
    fclose(f);
    setenv("RECOVERY_ROOT", d, 1);
    run_result r;
    run_script(d, "getprop(\"ro.product.device\") == \"first\" || abort(\"precedence\");\n"
                  "getprop(\"ro.only.here\") == \"yes\" || abort(\"second file\");\n"
                  "getprop(\"ro.unset\") == \"\" || abort(\"unset\");\n"
                  "getprop(\"ro.after.it\") == \"read\" || abort(\"after the stray line\");\n"
                  "file_getprop(\"/prop.default\", \"ro.product.device\") == \"second\" || "
                  "abort(\"file_getprop\");\n",
               &r);
    unsetenv("RECOVERY_ROOT");
    ck_assert_msg(r.rc == 0, "%s", r.err.message);
    test_remove_tree(d);
}
END_TEST

/* file_getprop's outcomes on one build.prop-like file: a stray line
 * skipped (KitKat failed the script there), the later definition (Android
 * returns the first), and what fails. */
static const struct {
    const char *script;
    int code; /* OTA_OK: the script succeeds */
    const char *message;
} file_cases[] = {
    {"file_getprop(\"/b.prop\", \"ro.build.id\") == \"KTU84P\" || abort(\"x\")", OTA_OK, NULL},
    {"file_getprop(\"/b.prop\", \"after.stray\") == \"yes\" || abort(\"x\")", OTA_OK, NULL},
    {"file_getprop(\"/b.prop\", \"twice\") == \"second\" || abort(\"x\")", OTA_OK, NULL},
    {"file_getprop(\"/b.prop\", \"ro.absent\") == \"\" || abort(\"x\")", OTA_OK, NULL},
    {"file_getprop(\"/missing.prop\", \"x\")", OTA_ERR_NOTFOUND, "cannot open /missing.prop"},
    {"file_getprop(\"/dir\", \"x\")", OTA_ERR_FORMAT, "not a regular file"},
    {"file_getprop(\"/b.prop\")", OTA_ERR_ARGS, "expects 2 arguments, got 1"},
};

START_TEST(file_getprop_table)
{
    char *d = test_temp_dir("updater-file-getprop");
    char path[512];
    snprintf(path, sizeof path, "%s/b.prop", d);
    static const char text[] = "# build\nro.build.id = KTU84P\nthis is no property\n"
                               "after.stray=yes\ntwice=first\ntwice=second\n";
    test_write_file(path, text, sizeof text - 1);
    snprintf(path, sizeof path, "%s/dir", d);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    setenv("RECOVERY_ROOT", d, 1);
    for (size_t i = 0; i < sizeof file_cases / sizeof file_cases[0]; i++) {
        run_result r;
        run_script(d, file_cases[i].script, &r);
        if (file_cases[i].code == OTA_OK) {
            ck_assert_msg(r.rc == 0, "%s: %s", file_cases[i].script, r.err.message);
        } else {
            ck_assert_msg(r.rc == -1, "%s succeeded", file_cases[i].script);
            ck_assert_msg(r.err.code == file_cases[i].code, "%s: code %d: %s",
                          file_cases[i].script, r.err.code, r.err.message);
            ck_assert_msg(strstr(r.err.message, file_cases[i].message) != NULL, "%s: %s",
                          file_cases[i].script, r.err.message);
        }
    }
    unsetenv("RECOVERY_ROOT");
    test_remove_tree(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("updater properties");
    TCase *tc = tcase_create("props");
    tcase_add_test(tc, properties_under_recovery_root);
    tcase_add_test(tc, file_getprop_table);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

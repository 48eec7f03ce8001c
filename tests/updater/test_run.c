/* Running a package (updater/run.c, updater_run_package) without devices:
 * what reaches the command pipe for a working script, a failing builtin,
 * an abort, a syntax error and a package without a script; and a package
 * handed over by recovery (OTA_VERIFIED_PACKAGE), held to what verified. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/hash.h"
#include "otautil/manifest.h"
#include "otautil/verify.h"
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

/* A manifest entry "Name: NAME" with the SHA-256 of data. */
static void add_section(ota_buf *mf, const char *name, const char *data)
{
    uint8_t d[OTA_SHA256_LEN];
    char b64[64], text[512];
    ota_sha256(data, strlen(data), d);
    ota_base64_encode(d, sizeof d, b64);
    int n = snprintf(text, sizeof text, "Name: %s\r\nSHA-256-Digest: %s\r\n\r\n", name, b64);
    ck_assert_int_eq(ota_buf_append(mf, text, (size_t)n, NULL), 0);
}

/* A package whose manifest signs the script and, with sign_payload, the
 * payload; *token gets what recovery would hand over for it. */
static void handed_over(const char *zip_path, const char *script, int sign_payload, char *token)
{
    ota_buf mf = {0};
    ck_assert_int_eq(ota_buf_append(&mf, "Manifest-Version: 1.0\r\n\r\n", 25, NULL), 0);
    add_section(&mf, UPDATER_SCRIPT_ENTRY, script);
    if (sign_payload)
        add_section(&mf, "payload.txt", "payload\n");
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(zip_path, &err);
    ck_assert_msg(w != NULL, "%s", err.message);
    ck_assert_int_eq(ota_zip_add_data(w, "META-INF/MANIFEST.MF", mf.data, mf.len, NULL, &err), 0);
    ck_assert_int_eq(ota_zip_add_data(w, UPDATER_SCRIPT_ENTRY, script, strlen(script), NULL, &err), 0);
    ck_assert_int_eq(ota_zip_add_data(w, "payload.txt", "payload\n", 8, NULL, &err), 0);
    ck_assert_int_eq(ota_zip_writer_close(w, NULL, 0, &err), 0);
    ota_zip *zip = ota_zip_open(zip_path, &err);
    ck_assert_ptr_nonnull(zip);
    ota_verify_info info = {.jar_ok = 1};
    ota_sha256(mf.data, mf.len, info.manifest_sha256);
    memcpy(info.index_sha256, ota_zip_index_sha256(zip), OTA_SHA256_LEN);
    ota_verified_token(&info, token);
    ota_zip_close(zip);
    ota_buf_free(&mf);
}

/* Started by recovery (OTA_VERIFIED_PACKAGE set), the updater holds every
 * read to what recovery verified; a package changed since is refused
 * before its script runs. */
START_TEST(handed_over_package_is_held_to_what_verified)
{
    char *d = test_temp_dir("updater-run");
    char zip_path[512], token[OTA_VERIFIED_TOKEN_LEN + 1];
    snprintf(zip_path, sizeof zip_path, "%s/update.zip", d);
    const char *script = "ui_print(sha1_check(package_extract_file(\"payload.txt\")));\n";
    run_result r;

    handed_over(zip_path, script, 1, token);
    setenv(OTA_VERIFIED_ENV, token, 1);
    run_package(d, zip_path, &r);
    ck_assert_msg(r.rc == 0, "%s", r.err.message);
    ck_assert_ptr_nonnull(strstr(r.pipe, "ui_print 997e49bbf4ad5ee847d0e77aa30648c70c71323c\n"));

    /* an entry the verified manifest does not sign is never read */
    handed_over(zip_path, script, 0, token);
    setenv(OTA_VERIFIED_ENV, token, 1);
    run_package(d, zip_path, &r);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_msg(strstr(r.err.message, "entry payload.txt is not listed in the signed manifest"),
                  "%s", r.err.message);

    /* the package changed after verification: refused before the script */
    char old_token[OTA_VERIFIED_TOKEN_LEN + 1];
    memcpy(old_token, token, sizeof old_token);
    handed_over(zip_path, "ui_print(\"another script\");\n", 1, token);
    setenv(OTA_VERIFIED_ENV, old_token, 1);
    run_package(d, zip_path, &r);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_msg(strstr(r.err.message, "changed after recovery verified it"), "%s", r.err.message);
    ck_assert_ptr_null(strstr(r.pipe, "another script"));
    ck_assert_ptr_nonnull(strstr(r.pipe, "changed after recovery verified it"));

    /* a malformed token is an error, not a reason to run unchecked */
    setenv(OTA_VERIFIED_ENV, "not-a-token", 1);
    run_package(d, zip_path, &r);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_ptr_nonnull(strstr(r.err.message, OTA_VERIFIED_ENV));

    /* alone (no token), the updater reads the package as it is */
    unsetenv(OTA_VERIFIED_ENV);
    run_package(d, zip_path, &r);
    ck_assert_msg(r.rc == 0, "%s", r.err.message);
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
    tcase_add_test(tc, handed_over_package_is_held_to_what_verified);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

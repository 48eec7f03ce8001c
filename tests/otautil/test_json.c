/* Unit tests of the JSON writer (otautil/json.h): layout, escaping, UTF-8
 * kept or replaced, and every misuse reported by ota_json_finish. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/json.h"
#include "tests/common/testutil.h"

START_TEST(a_document_is_laid_out_one_member_a_line)
{
    ota_buf out = {0};
    ota_json j;
    ota_json_init(&j, &out);
    ota_json_object_begin(&j, NULL);
    ota_json_string(&j, "type", "full");
    ota_json_uint(&j, "bytes", 18446744073709551615u);
    ota_json_bool(&j, "verified", 0);
    ota_json_null(&j, "pre-build");
    ota_json_string(&j, "also null", NULL);
    ota_json_array_begin(&j, "files");
    ota_json_string(&j, NULL, "/system/bin/sh");
    ota_json_object_begin(&j, NULL);
    ota_json_uint(&j, "n", 1);
    ota_json_object_end(&j);
    ota_json_array_end(&j);
    ota_json_array_begin(&j, "empty");
    ota_json_array_end(&j);
    ota_json_object_begin(&j, "none");
    ota_json_object_end(&j);
    ota_json_object_end(&j);
    ota_error err;
    ck_assert_int_eq(ota_json_finish(&j, &err), 0);
    ck_assert_str_eq((char *)out.data,
                     "{\n"
                     "  \"type\": \"full\",\n"
                     "  \"bytes\": 18446744073709551615,\n"
                     "  \"verified\": false,\n"
                     "  \"pre-build\": null,\n"
                     "  \"also null\": null,\n"
                     "  \"files\": [\n"
                     "    \"/system/bin/sh\",\n"
                     "    {\n"
                     "      \"n\": 1\n"
                     "    }\n"
                     "  ],\n"
                     "  \"empty\": [],\n"
                     "  \"none\": {}\n"
                     "}\n");
    ota_buf_free(&out);
}
END_TEST

/* The JSON text of one string value. */
static char *json_of(const char *s, size_t len)
{
    ota_buf out = {0};
    ota_json j;
    ota_json_init(&j, &out);
    ota_json_string_n(&j, NULL, s, len);
    ota_error err;
    ck_assert_int_eq(ota_json_finish(&j, &err), 0);
    return (char *)out.data;
}

START_TEST(strings_are_escaped_and_kept_valid_utf8)
{
    static const struct { const char *in; size_t len; const char *out; } cases[] = {
        {"plain", 5, "\"plain\"\n"},
        {"q\"b\\s/", 6, "\"q\\\"b\\\\s/\"\n"},
        {"a\nb\tc\r\x01\x1f", 8, "\"a\\nb\\tc\\r\\u0001\\u001f\"\n"},
        {"nul\0x", 5, "\"nul\\u0000x\"\n"},
        {"\xc3\xa9t\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80", 14,
         "\"\xc3\xa9t\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80\"\n"},
        /* Latin-1, an overlong '/', a surrogate, a cut-off sequence. */
        {"caf\xe9", 4, "\"caf\xef\xbf\xbd\"\n"},
        {"\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"\n"},
        {"\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"\n"},
        {"x\xe2\x98", 3, "\"x\xef\xbf\xbd\xef\xbf\xbd\"\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = json_of(cases[i].in, cases[i].len);
        ck_assert_msg(strcmp(got, cases[i].out) == 0, "case %zu: got %s", i, got);
        free(got);
    }
}
END_TEST

/* Runs a misuse; finish must fail naming it. */
#define CK_MISUSE(calls, reason)                                               \
    do {                                                                       \
        ota_buf out_ = {0};                                                    \
        ota_json j_;                                                           \
        ota_json *j = &j_;                                                     \
        ota_json_init(j, &out_);                                               \
        calls;                                                                 \
        ota_error err_;                                                        \
        ck_assert_int_eq(ota_json_finish(j, &err_), -1);                       \
        ck_assert_msg(strstr(err_.message, reason), "%s", err_.message);      \
        ota_buf_free(&out_);                                                   \
    } while (0)

static void open_arrays(ota_json *j, int n)
{
    for (int i = 0; i < n; i++)
        ota_json_array_begin(j, NULL);
}

START_TEST(misuse_is_reported_once_at_the_end)
{
    CK_MISUSE((ota_json_array_begin(j, NULL), ota_json_uint(j, "k", 1), ota_json_array_end(j)),
              "a key inside an array");
    CK_MISUSE((ota_json_object_begin(j, NULL), ota_json_uint(j, NULL, 1), ota_json_object_end(j)),
              "without a key");
    CK_MISUSE((ota_json_object_begin(j, NULL)), "not closed");
    CK_MISUSE((ota_json_object_begin(j, NULL), ota_json_array_end(j)), "']' without");
    CK_MISUSE((ota_json_uint(j, NULL, 1), ota_json_uint(j, NULL, 2)), "second top-level");
    CK_MISUSE((ota_json_uint(j, "k", 1)), "a key at the top level");
    CK_MISUSE((void)0, "empty document");
    CK_MISUSE(open_arrays(j, 40), "too deeply");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("otautil-json");
    TCase *tc = tcase_create("json");
    tcase_add_test(tc, a_document_is_laid_out_one_member_a_line);
    tcase_add_test(tc, strings_are_escaped_and_kept_valid_utf8);
    tcase_add_test(tc, misuse_is_reported_once_at_the_end);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Octal escapes of names in space-separated files (otautil/octal_escape.c):
 * every byte survives a round trip; plain names are written unchanged. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/octal_escape.h"
#include "tests/common/testutil.h"

START_TEST(escapes_round_trip)
{
    static const char *const names[] = {"/system/app/My App/read me.txt", "tab\there", "new\nline",
                                        "back\\slash", "trailing ", "\\040 literal", "plain"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        ota_buf out = {0};
        ck_assert_int_eq(ota_octal_escape_append(&out, names[i], NULL), 0);
        ck_assert_int_eq(ota_buf_append(&out, "", 1, NULL), 0);
        char *text = (char *)out.data;
        ck_assert_msg(!strpbrk(text, " \t\n"), "%s: white space left in %s", names[i], text);
        ota_octal_unescape(text);
        ck_assert_str_eq(text, names[i]);
        ota_buf_free(&out);
    }
    ota_buf out = {0};
    ck_assert_int_eq(ota_octal_escape_append(&out, "a b\\", NULL), 0);
    ck_assert_int_eq(out.len, 10);
    ck_assert_int_eq(memcmp(out.data, "a\\040b\\134", 10), 0);
    ota_buf_free(&out);
}
END_TEST

START_TEST(stray_backslashes_stay)
{
    char s[] = "a\\b\\48\\400\\1";
    ota_octal_unescape(s);
    ck_assert_str_eq(s, "a\\b\\48\\400\\1");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("octal escapes");
    TCase *tc = tcase_create("escape");
    tcase_add_test(tc, escapes_round_trip);
    tcase_add_test(tc, stray_backslashes_stay);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Glued short-option values (otautil/cli.c): "-key" is refused, not read
 * as "-k ey"; values given as separate words and flag bundles pass. */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/cli.h"
#include "tests/common/testutil.h"

static const struct option longopts[] = {
    {"package_key", required_argument, NULL, 'k'},
    {"wipe_user_data", no_argument, NULL, 'w'},
    {0, 0, 0, 0}};

static int glued(char msg[256], int argc, ...)
{
    char *argv[16];
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    argv[argc] = NULL;
    msg[0] = '\0';
    return ota_cli_glued_value(argc, argv, "k:wn", longopts, msg, 256);
}

START_TEST(glued_values_refused)
{
    char msg[256];
    ck_assert_int_eq(glued(msg, 4, "p", "-key", "x.pem", "in.zip"), 1);
    ck_assert_msg(strstr(msg, "-key: a value glued to -k is not taken") &&
                      strstr(msg, "-k VALUE"),
                  "%s", msg);
    ck_assert_int_eq(glued(msg, 3, "p", "-w", "-kfoo"), 2);
    ck_assert_int_eq(glued(msg, 2, "p", "-wkfoo"), 1);
    ck_assert_msg(strstr(msg, "glued to -k"), "%s", msg);
}
END_TEST

START_TEST(separate_values_and_flags_pass)
{
    char msg[256];
    ck_assert_int_eq(glued(msg, 4, "p", "-k", "-odd-name", "in.zip"), 0);
    ck_assert_int_eq(glued(msg, 4, "p", "--package_key", "-kx", "in.zip"), 0);
    ck_assert_int_eq(glued(msg, 3, "p", "--package_key=-kx", "-wn"), 0);
    ck_assert_int_eq(glued(msg, 4, "p", "-wk", "key", "-"), 0);
    ck_assert_int_eq(glued(msg, 4, "p", "--", "-key", "x"), 0);
    /* unknown letters are getopt's to report */
    ck_assert_int_eq(glued(msg, 2, "p", "-xyz"), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("glued");
    tcase_add_test(tc, glued_values_refused);
    tcase_add_test(tc, separate_values_and_flags_pass);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

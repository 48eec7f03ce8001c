/* The builtins' shared argument helpers (updater/args.c): whole numbers
 * as scripts write them. */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "updater/builtins.h"
#include "tests/common/testutil.h"

START_TEST(numbers)
{
    uint64_t u;
    long long i;
    ck_assert_int_eq(upd_parse_u64("0755", 8, &u), 0);
    ck_assert_uint_eq(u, 0755);
    ck_assert_int_eq(upd_parse_u64("0x1000", 0, &u), 0);
    ck_assert_uint_eq(u, 4096);
    ck_assert_int_eq(upd_parse_u64("-1", 10, &u), -1);
    ck_assert_int_eq(upd_parse_u64("12abc", 10, &u), -1);
    ck_assert_int_eq(upd_parse_u64("", 10, &u), -1);
    ck_assert_int_eq(upd_parse_u64("99999999999999999999999", 10, &u), -1);
    ck_assert_int_eq(upd_parse_i64("-16384", &i), 0);
    ck_assert_int_eq(i, -16384);
    ck_assert_int_eq(upd_parse_i64("1e3", &i), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("updater arguments");
    TCase *tc = tcase_create("args");
    tcase_add_test(tc, numbers);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

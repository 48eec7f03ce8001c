/* RAUC's boot order lists (GRUB's ORDER, U-Boot's BOOT_ORDER). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "bootctl/order.h"
#include "tests/common/testutil.h"

START_TEST(boot_order_table)
{
    char out[BOOT_ORDER_MAX], names[2][BOOTCTL_NAME_MAX] = {"A", "B"};
    ota_error err;
    ck_assert_int_eq(boot_order_to_front("A B", "B", out, sizeof out, &err), 0);
    ck_assert_str_eq(out, "B A");
    ck_assert_int_eq(boot_order_to_front("R  A B ", "B", out, sizeof out, &err), 0);
    ck_assert_str_eq(out, "B R A");
    ck_assert_int_eq(boot_order_to_front("A", "B", out, sizeof out, &err), 0);
    ck_assert_str_eq(out, "B A");
    ck_assert_int_eq(boot_order_remove("B A R", "A", out, sizeof out, &err), 0);
    ck_assert_str_eq(out, "B R");
    ck_assert_int_eq(boot_order_append("B", "A", out, sizeof out, &err), 0);
    ck_assert_str_eq(out, "B A");
    ck_assert_int_eq(boot_order_append("A B", "A", out, sizeof out, &err), 0);
    ck_assert_str_eq(out, "B A");
    ck_assert(boot_order_contains("AB A", "A"));
    ck_assert(!boot_order_contains("AB", "A"));
    ck_assert_int_eq(boot_order_first_of("R B A", names, 2), 1);
    ck_assert_int_eq(boot_order_first_of("R", names, 2), -1);
    ck_assert_int_eq(boot_order_join(names, 2, out, sizeof out, &err), 0);
    ck_assert_str_eq(out, "A B");
    char small[4];
    ck_assert_int_eq(boot_order_to_front("A B", "B", small, sizeof small, &err), 0);
    ck_assert_int_eq(boot_order_to_front("A B C", "B", small, sizeof small, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("order");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, boot_order_table);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}

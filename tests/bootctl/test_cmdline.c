/* The running slot from the kernel command line: one table. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "bootctl/cmdline.h"
#include "tests/common/testutil.h"

static const struct {
    const char *cmdline, *key, *value; /* key NULL: none found */
} cases[] = {
    {"console=ttyS0 androidboot.slot_suffix=_b quiet\n", "androidboot.slot_suffix", "_b"},
    {"androidboot.slot=a ro", "androidboot.slot", "a"},
    {"root=/dev/vda2 rauc.slot=B", "rauc.slot", "B"},
    {"rauc.slot=A androidboot.slot_suffix=_b", "androidboot.slot_suffix", "_b"}, /* Android's first */
    {"rauc.slot=A rauc.slot=B", "rauc.slot", "B"},                               /* the last one */
    {"rauc.slot=\"A\" x", "rauc.slot", "A"},
    {"opt=\"with rauc.slot=X inside\" rauc.slot=A", "rauc.slot", "A"},
    {"xrauc.slot=A rauc.slotx=B", NULL, NULL},
    {"", NULL, NULL},
};

START_TEST(cmdline_table)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char key[64], value[32];
        ota_error err;
        int rc = bootctl_cmdline_find(cases[i].cmdline, strlen(cases[i].cmdline), key, sizeof key,
                                      value, sizeof value, &err);
        ck_assert_msg(rc == (cases[i].key ? 1 : 0), "case %zu: %d", i, rc);
        if (cases[i].key) {
            ck_assert_str_eq(key, cases[i].key);
            ck_assert_str_eq(value, cases[i].value);
        }
    }
    char key[64], value[4];
    ota_error err;
    ck_assert_int_eq(bootctl_cmdline_find("rauc.slot=system0", 17, key, sizeof key, value,
                                          sizeof value, &err),
                     -1);
    ck_assert_int_eq(bootctl_cmdline_slot("/nonexistent/cmdline", key, sizeof key, value,
                                          sizeof value, &err),
                     0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cmdline");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, cmdline_table);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}

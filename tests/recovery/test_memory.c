/* How large a sealed snapshot recovery allows (recovery/memory.h): the
 * rule on /proc/meminfo texts, and RECOVERY_SNAPSHOT_LIMIT only lowering
 * it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recovery/memory.h"
#include "tests/common/testutil.h"

#define MIB (1024ull * 1024ull)

/* A meminfo text as the kernel writes it, with MemAvailable in MiB
 * (0: no MemAvailable line, as before Linux 3.14). */
static void meminfo(char *out, size_t size, unsigned avail_mib, unsigned free_mib)
{
    int n = snprintf(out, size, "MemTotal:       16303136 kB\nMemFree:        %8u kB\n",
                     free_mib * 1024);
    if (avail_mib)
        n += snprintf(out + n, size - (size_t)n, "MemAvailable:   %8u kB\n", avail_mib * 1024);
    snprintf(out + n, size - (size_t)n, "Buffers:          123456 kB\nCached:          654321 kB\n");
}

START_TEST(limit_is_available_less_a_reserve)
{
    char text[512];
    recovery_snapshot_budget b;
    /* a quarter of what is available is kept back ... */
    meminfo(text, sizeof text, 1024, 10);
    recovery_snapshot_budget_of(text, NULL, &b);
    ck_assert_uint_eq(b.available, 1024 * MIB);
    ck_assert_uint_eq(b.limit, 768 * MIB);
    ck_assert_msg(strstr(b.why, "MemAvailable 1024.0 MiB less a reserve of 256.0 MiB"), "%s", b.why);
    /* ... and never less than RECOVERY_SNAPSHOT_RESERVE_MIN */
    meminfo(text, sizeof text, 200, 10);
    recovery_snapshot_budget_of(text, NULL, &b);
    ck_assert_uint_eq(b.limit, 200 * MIB - RECOVERY_SNAPSHOT_RESERVE_MIN);
    /* less available than the reserve: nothing may be copied */
    meminfo(text, sizeof text, 100, 10);
    recovery_snapshot_budget_of(text, NULL, &b);
    ck_assert_uint_eq(b.available, 100 * MIB);
    ck_assert_uint_eq(b.limit, 0);
}
END_TEST

START_TEST(memfree_without_memavailable)
{
    char text[512];
    recovery_snapshot_budget b;
    meminfo(text, sizeof text, 0, 2048);
    recovery_snapshot_budget_of(text, NULL, &b);
    ck_assert_uint_eq(b.available, 2048 * MIB);
    ck_assert_uint_eq(b.limit, 1536 * MIB);
    ck_assert_msg(strstr(b.why, "MemFree 2048.0 MiB"), "%s", b.why);
}
END_TEST

START_TEST(no_usable_figure_means_no_copy)
{
    const char *const texts[] = {
        "",
        "MemTotal: 1000 kB\n",
        "MemAvailable: lots\nMemFree: 12 MB\n",       /* not "N kB" */
        "MemAvailable: 99999999999999999999 kB\n",    /* overflows */
        "MemAvailableX: 1000000 kB\n",                 /* another name */
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        recovery_snapshot_budget b;
        recovery_snapshot_budget_of(texts[i], NULL, &b);
        ck_assert_msg(b.limit == 0 && b.available == 0, "text %zu: limit %llu", i,
                      (unsigned long long)b.limit);
        ck_assert_msg(strstr(b.why, "neither MemAvailable nor MemFree"), "text %zu: %s", i, b.why);
    }
    recovery_snapshot_budget b;
    recovery_snapshot_budget_of(NULL, NULL, &b);
    ck_assert_uint_eq(b.limit, 0);
}
END_TEST

START_TEST(environment_only_lowers_the_limit)
{
    char text[512];
    recovery_snapshot_budget b;
    meminfo(text, sizeof text, 1024, 10);
    recovery_snapshot_budget_of(text, "1048576", &b);
    ck_assert_uint_eq(b.limit, MIB);
    ck_assert_msg(strstr(b.why, "lowered to 1.0 MiB by " RECOVERY_SNAPSHOT_LIMIT_ENV), "%s", b.why);
    /* higher than the rule gives: the rule's limit stands */
    recovery_snapshot_budget_of(text, "99999999999999", &b);
    ck_assert_uint_eq(b.limit, 768 * MIB);
    ck_assert_ptr_null(strstr(b.why, RECOVERY_SNAPSHOT_LIMIT_ENV));
    /* not a number of bytes: nothing may be copied, and why says so */
    const char *const bad[] = {"", "-1", "1M", " 5", "5 ", "0x10", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        recovery_snapshot_budget_of(text, bad[i], &b);
        ck_assert_msg(b.limit == 0, "'%s' gave %llu", bad[i], (unsigned long long)b.limit);
        ck_assert_msg(strstr(b.why, "is not a number of bytes"), "'%s': %s", bad[i], b.why);
    }
}
END_TEST

/* On this machine's kernel: some memory is available, and the limit
 * follows the rule. */
START_TEST(the_kernels_figures)
{
    recovery_snapshot_budget b;
    recovery_snapshot_budget_now(NULL, &b);
    ck_assert_msg(b.available > 0, "%s", b.why);
    ck_assert_uint_le(b.limit, b.available);
    ck_assert_msg(strstr(b.why, "MemAvailable") || strstr(b.why, "MemFree"), "%s", b.why);
    recovery_snapshot_budget_now("4096", &b);
    ck_assert_uint_le(b.limit, 4096);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("recovery snapshot memory");
    TCase *tc = tcase_create("budget");
    tcase_add_test(tc, limit_is_available_less_a_reserve);
    tcase_add_test(tc, memfree_without_memavailable);
    tcase_add_test(tc, no_usable_figure_means_no_copy);
    tcase_add_test(tc, environment_only_lowers_the_limit);
    tcase_add_test(tc, the_kernels_figures);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

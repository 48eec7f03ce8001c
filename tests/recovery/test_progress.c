/* The progress bar's arithmetic (recovery/progress.h): Android's segment
 * semantics, and a timed segment moving by itself. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recovery/progress.h"
#include "tests/common/testutil.h"

START_TEST(segments_follow_android_semantics)
{
    recovery_progress p;
    recovery_progress_reset(&p);
    ck_assert_double_eq(recovery_progress_value(&p, 0), 0.0);
    recovery_progress_segment(&p, 0.5, 0, 0);
    recovery_progress_set(&p, 0.5);
    ck_assert_double_eq_tol(recovery_progress_value(&p, 0), 0.25, 1e-9);
    /* The next segment starts where the last one ends, whatever was set. */
    recovery_progress_segment(&p, 0.25, 0, 0);
    ck_assert_double_eq_tol(recovery_progress_value(&p, 0), 0.5, 1e-9);
    recovery_progress_set(&p, 1.0);
    ck_assert_double_eq_tol(recovery_progress_value(&p, 0), 0.75, 1e-9);
    /* Out-of-range input is clamped. */
    recovery_progress_set(&p, 7.0);
    ck_assert_double_eq_tol(recovery_progress_value(&p, 0), 0.75, 1e-9);
    recovery_progress_segment(&p, 3.0, 0, 0);
    recovery_progress_set(&p, 1.0);
    ck_assert_double_eq_tol(recovery_progress_value(&p, 0), 1.0, 1e-9);
}
END_TEST

START_TEST(timed_segment_moves_by_itself)
{
    recovery_progress p;
    recovery_progress_reset(&p);
    recovery_progress_segment(&p, 0.4, 10, 100.0);
    ck_assert_double_eq_tol(recovery_progress_value(&p, 100.0), 0.0, 1e-9);
    ck_assert_double_eq_tol(recovery_progress_value(&p, 105.0), 0.2, 1e-9);
    ck_assert_double_eq_tol(recovery_progress_value(&p, 500.0), 0.4, 1e-9);
    /* set_progress ahead of the clock wins; behind it, the clock wins. */
    recovery_progress_set(&p, 0.75);
    ck_assert_double_eq_tol(recovery_progress_value(&p, 101.0), 0.3, 1e-9);
    recovery_progress_set(&p, 0.1);
    ck_assert_double_eq_tol(recovery_progress_value(&p, 105.0), 0.2, 1e-9);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("recovery progress");
    TCase *tc = tcase_create("progress");
    tcase_add_test(tc, segments_follow_android_semantics);
    tcase_add_test(tc, timed_segment_moves_by_itself);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

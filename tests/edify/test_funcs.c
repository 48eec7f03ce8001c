/* Unit tests of the builtin table (edify/funcs.c): rows registered from a
 * const table, argument counts checked by the evaluator for every builtin,
 * aliases sharing one function, and registration failures reported. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edify/edify.h"
#include "edify_test_util.h"
#include "tests/common/testutil.h"

/* Returns the name it was called by, so aliases can be told apart; counts
 * its calls in the cookie. */
static edify_value *fn_whoami(edify_state *st, const edify_call *call)
{
    if (st->cookie)
        ++*(int *)st->cookie;
    return edify_string(call->name);
}

static const edify_reg rows[] = {
    {"none", fn_whoami, 0, 0},
    {"one", fn_whoami, 1, 1},
    {"two_or_three", fn_whoami, 2, 3},
    {"at_least_one", fn_whoami, 1, EDIFY_VARARGS},
    {"alias", fn_whoami, 0, EDIFY_VARARGS},
    {"one_to_four", fn_whoami, 1, 4},
    {"at_most_two", fn_whoami, 0, 2},
    {NULL, NULL, 0, 0},
};

static edify_funcs *table_funcs(void)
{
    edify_funcs *fns = edify_funcs_new();
    ck_assert_ptr_nonnull(fns);
    ck_assert_int_eq(edify_register_core(fns, NULL), 0);
    ota_error err;
    ck_assert_int_eq(edify_register_table(fns, rows, &err), 0);
    return fns;
}

/* src must fail before the builtin runs, with message. */
static void ck_count_refused(const char *src, const char *fn, const char *message)
{
    edify_funcs *fns = table_funcs();
    int calls = 0;
    run_result *r = run_n(src, strlen(src), fns, &calls);
    ck_assert_msg(r->parsed, "%s did not parse", src);
    ck_assert_ptr_null(r->value);
    ck_assert_str_eq(r->fail_function, fn);
    ck_assert_int_eq(r->st.error.code, OTA_ERR_ARGS);
    ck_assert_str_eq(r->st.error.message, message);
    ck_assert_int_eq(calls, 0);
    run_free(r);
    edify_funcs_free(fns);
}

START_TEST(argument_counts_are_checked_for_every_row)
{
    static const struct {
        const char *src, *fn, *message;
    } cases[] = {
        {"none(a)", "none", "expects 0 arguments, got 1"},
        {"one()", "one", "expects 1 argument, got 0"},
        {"one(a, b)", "one", "expects 1 argument, got 2"},
        {"two_or_three(a)", "two_or_three", "expects 2 or 3 arguments, got 1"},
        {"two_or_three(a, b, c, d)", "two_or_three", "expects 2 or 3 arguments, got 4"},
        {"at_least_one()", "at_least_one", "expects at least 1 argument, got 0"},
        {"one_to_four(a, b, c, d, e)", "one_to_four", "expects 1 to 4 arguments, got 5"},
        {"at_most_two(a, b, c)", "at_most_two", "expects at most 2 arguments, got 3"},
        {"is_substring(a)", "is_substring", "expects 2 arguments, got 1"},
        {"sleep()", "sleep", "expects 1 argument, got 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_count_refused(cases[i].src, cases[i].fn, cases[i].message);
}
END_TEST

START_TEST(counts_inside_the_range_reach_the_builtin)
{
    static const struct {
        const char *src, *value;
    } cases[] = {
        {"none()", "none"},
        {"one(a)", "one"},
        {"two_or_three(a, b)", "two_or_three"},
        {"two_or_three(a, b, c)", "two_or_three"},
        {"at_least_one(a, b, c, d, e, f, g, h, i, j)", "at_least_one"},
        {"alias()", "alias"},
    };
    edify_funcs *fns = table_funcs();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int calls = 0;
        run_result *r = run_n(cases[i].src, strlen(cases[i].src), fns, &calls);
        ck_assert_ptr_nonnull(r->value);
        ck_assert_str_eq(r->value->data, cases[i].value);
        ck_assert_int_eq(calls, 1);
        run_free(r);
    }
    edify_funcs_free(fns);
}
END_TEST

START_TEST(lookup_gives_the_whole_row)
{
    edify_funcs *fns = table_funcs();
    const edify_reg *row = edify_lookup_reg(fns, "two_or_three");
    ck_assert_ptr_nonnull(row);
    ck_assert_str_eq(row->name, "two_or_three");
    ck_assert_int_eq(row->min_args, 2);
    ck_assert_int_eq(row->max_args, 3);
    ck_assert_ptr_eq((void *)row->fn, (void *)fn_whoami);
    ck_assert_ptr_null(edify_lookup_reg(fns, "absent"));
    /* edify_register keeps the old contract: any count passes through. */
    ck_assert_int_eq(edify_register(fns, "one", fn_whoami), 0);
    row = edify_lookup_reg(fns, "one");
    ck_assert_int_eq(row->min_args, 0);
    ck_assert_int_eq(row->max_args, EDIFY_VARARGS);
    edify_funcs_free(fns);
}
END_TEST

START_TEST(a_bad_row_stops_registration_and_is_named)
{
    static const edify_reg bad[] = {
        {"fine", fn_whoami, 0, 0},
        {"backwards", fn_whoami, 3, 1},
        {"after", fn_whoami, 0, 0},
        {NULL, NULL, 0, 0},
    };
    edify_funcs *fns = edify_funcs_new();
    ota_error err;
    ck_assert_int_eq(edify_register_table(fns, bad, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    ck_assert_msg(strstr(err.message, "backwards") != NULL, "%s", err.message);
    ck_assert_ptr_nonnull((void *)edify_lookup(fns, "fine"));
    ck_assert_ptr_null((void *)edify_lookup(fns, "after"));
    edify_funcs_free(fns);
}
END_TEST

START_TEST(many_rows_survive_growth)
{
    enum { N = 500 };
    static char names[N][16];
    static edify_reg many[N + 1];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "f%d", i);
        many[i] = (edify_reg){names[i], fn_whoami, i % 3, i % 3 + 1};
    }
    edify_funcs *fns = edify_funcs_new();
    ck_assert_int_eq(edify_register_table(fns, many, NULL), 0);
    for (int i = 0; i < N; i++) {
        const edify_reg *row = edify_lookup_reg(fns, names[i]);
        ck_assert_ptr_nonnull(row);
        ck_assert_int_eq(row->min_args, i % 3);
    }
    edify_funcs_free(fns);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("edify function table");
    TCase *tc = tcase_create("funcs");
    tcase_add_test(tc, argument_counts_are_checked_for_every_row);
    tcase_add_test(tc, counts_inside_the_range_reach_the_builtin);
    tcase_add_test(tc, lookup_gives_the_whole_row);
    tcase_add_test(tc, a_bad_row_stops_registration_and_is_named);
    tcase_add_test(tc, many_rows_survive_growth);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

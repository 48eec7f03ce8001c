/* Unit tests of the core builtins (KitKat semantics): ifelse abort assert
 * concat is_substring stdout sleep less_than_int greater_than_int, with
 * their argument-count errors. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edify/edify.h"
#include "edify_test_util.h"
#include "tests/common/testutil.h"

/* A script that must fail in builtin `fn` with a message containing part. */
static void ck_fails(const char *src, const char *fn, int code, const char *part)
{
    run_result *r = eval_fails(src);
    ck_assert_str_eq(r->fail_function, fn);
    ck_assert_int_eq(r->st.error.code, code);
    ck_assert_msg(strstr(r->st.error.message, part) != NULL, "%s: message \"%s\" lacks \"%s\"",
                  src, r->st.error.message, part);
    run_free(r);
}

START_TEST(ifelse_picks_a_branch)
{
    ck_assert_eval("ifelse(t, a, b)", "a");
    ck_assert_eval("ifelse(\"\", a, b)", "b");
    ck_assert_eval("ifelse(t, a)", "a");
    ck_assert_eval("ifelse(\"\", a)", "");
    ck_assert_eval("ifelse(\"\", abort(), ok)", "ok");
    ck_assert_eval("ifelse(t, ok, abort())", "ok");
    ck_fails("ifelse(t)", "ifelse", OTA_ERR_ARGS, "expects 2 or 3 arguments, got 1");
    ck_fails("ifelse(t, a, b, c)", "ifelse", OTA_ERR_ARGS, "got 4");
}
END_TEST

START_TEST(abort_fails_with_its_message)
{
    ck_fails("abort()", "abort", OTA_ERR_ABORTED, "called abort()");
    ck_fails("abort(\"can't install: \" + \"old build\")", "abort", OTA_ERR_ABORTED,
             "can't install: old build");
    ck_fails("abort(\"\")", "abort", OTA_ERR_ABORTED, "called abort()");
    ck_fails("abort(a, b)", "abort", OTA_ERR_ARGS, "at most 1 argument, got 2");
    /* A failing message: the inner failure is what is reported. */
    ck_fails("abort(assert(\"\"))", "assert", OTA_ERR_ABORTED, "assert failed");
}
END_TEST

START_TEST(assert_checks_each_argument)
{
    ck_assert_eval("assert(t)", "");
    ck_assert_eval("assert(t, a == a, !\"\")", "");
    ck_fails("assert(t, a == b, abort())", "assert", OTA_ERR_ABORTED, "assert failed: a == b");
    ck_fails("assert(\"\")", "assert", OTA_ERR_ABORTED, "assert failed: \"\"");
    ck_fails("assert(concat(a, \"b c\") == \"x\" || is_substring(q, r))", "assert",
             OTA_ERR_ABORTED, "assert failed: concat(a, \"b c\") == x || is_substring(q, r)");
    ck_fails("assert()", "assert", OTA_ERR_ARGS, "at least 1 argument, got 0");
    run_result *r = eval_fails("t;\n  assert(t,\n    \"\")");
    ck_assert_int_eq(r->st.fail_line, 2);
    ck_assert_int_eq(r->st.fail_column, 3);
    run_free(r);
}
END_TEST

START_TEST(assert_message_of_a_huge_expression_is_cut)
{
    size_t len;
    char *src = repeat("assert(\"", "x", 5000, "\" == \"\")", "", &len);
    run_result *r = run_n(src, len, NULL, NULL);
    free(src);
    ck_assert_ptr_null(r->value);
    ck_assert_uint_lt(strlen(r->st.error.message), 600);
    ck_assert_ptr_nonnull(strstr(r->st.error.message, "..."));
    run_free(r);
}
END_TEST

START_TEST(concat_joins_values)
{
    ck_assert_eval("concat()", "");
    ck_assert_eval("concat(a)", "a");
    ck_assert_eval("concat(a, \"-\", b, \"\", c)", "a-bc");
    run_result *r = run("concat(a, \"\\x00\")");
    ck_assert_int_eq(r->value->type, EDIFY_BLOB);
    ck_assert_uint_eq(r->value->len, 2);
    run_free(r);
    ck_fails("concat(a, abort(\"x\"))", "abort", OTA_ERR_ABORTED, "x");
}
END_TEST

START_TEST(is_substring_finds_the_needle)
{
    ck_assert_eval("is_substring(\"lo w\", \"hello world\")", "t");
    ck_assert_eval("is_substring(xyz, \"hello world\")", "");
    ck_assert_eval("is_substring(\"\", abc)", "t");
    ck_assert_eval("is_substring(abcd, abc)", "");
    ck_assert_eval("is_substring(\"b\\x00c\", \"a\\x00b\\x00c\")", "t");
    ck_fails("is_substring(a)", "is_substring", OTA_ERR_ARGS, "expects 2 arguments");
}
END_TEST

/* Runs src with stdout sent to a file; returns what was written. */
static char *captured_stdout(const char *src, char **value)
{
    char path[] = "/tmp/edify-stdout.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    fflush(stdout);
    int saved = dup(1);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fd, 1), 0);
    run_result *r = run(src);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    *value = r->value ? strdup(r->value->data) : NULL;
    run_free(r);
    char *out = calloc(1, 256);
    ck_assert_int_ge(pread(fd, out, 255, 0), 0);
    close(fd);
    unlink(path);
    return out;
}

START_TEST(stdout_writes_its_arguments)
{
    char *value;
    char *out = captured_stdout("stdout(\"hello \", world, \"\\n\"); stdout(a + b)", &value);
    ck_assert_str_eq(out, "hello world\nab");
    ck_assert_str_eq(value, "");
    free(out);
    free(value);
    out = captured_stdout("stdout(\"x\", abort(\"stop\"), \"never\")", &value);
    ck_assert_str_eq(out, "x");
    ck_assert_ptr_null(value);
    free(out);
}
END_TEST

START_TEST(sleep_returns_its_argument)
{
    ck_assert_eval("sleep(0)", "0");
    ck_fails("sleep()", "sleep", OTA_ERR_ARGS, "expects 1 argument");
    ck_fails("sleep(1, 2)", "sleep", OTA_ERR_ARGS, "got 2");
    ck_fails("sleep(soon)", "sleep", OTA_ERR_ARGS, "\"soon\" is not a number of seconds");
    ck_fails("sleep(\"-1\")", "sleep", OTA_ERR_ARGS, "not a number of seconds");
    ck_fails("sleep(\"\")", "sleep", OTA_ERR_ARGS, "not a number of seconds");
}
END_TEST

START_TEST(integer_comparisons)
{
    ck_assert_eval("less_than_int(1, 2)", "t");
    ck_assert_eval("less_than_int(2, 1)", "");
    ck_assert_eval("less_than_int(2, 2)", "");
    ck_assert_eval("less_than_int(\"-5\", 3)", "t");
    ck_assert_eval("less_than_int(1359000000, 1400000000)", "t");
    ck_assert_eval("greater_than_int(2, 1)", "t");
    ck_assert_eval("greater_than_int(1, 2)", "");
    ck_assert_eval("greater_than_int(\"-1\", \"-2\")", "t");
    /* As KitKat: what is not an integer compares false, it does not fail. */
    ck_assert_eval("less_than_int(x, 2)", "");
    ck_assert_eval("less_than_int(1, \"2x\")", "");
    ck_assert_eval("less_than_int(\"\", 2)", "");
    ck_assert_eval("greater_than_int(3, \"\")", "");
    ck_assert_eval("!less_than_int(1400000000, \"\")", "t");
    ck_assert_eval("less_than_int(1, 99999999999999999999)", "");
    ck_fails("less_than_int(1)", "less_than_int", OTA_ERR_ARGS, "expects 2 arguments, got 1");
    ck_fails("greater_than_int(1, 2, 3)", "greater_than_int", OTA_ERR_ARGS, "got 3");
}
END_TEST

START_TEST(core_builtins_are_all_registered)
{
    static const char *const names[] = {"ifelse", "abort", "assert", "concat", "is_substring",
                                        "stdout", "sleep", "less_than_int", "greater_than_int"};
    edify_funcs *fns = edify_funcs_new();
    ck_assert_ptr_null((void *)edify_lookup(fns, "concat"));
    ck_assert_int_eq(edify_register_core(fns, NULL), 0);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_msg(edify_lookup(fns, names[i]) != NULL, "%s missing", names[i]);
    edify_funcs_free(fns);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("edify builtins");
    TCase *tc = tcase_create("builtins");
    tcase_add_test(tc, ifelse_picks_a_branch);
    tcase_add_test(tc, abort_fails_with_its_message);
    tcase_add_test(tc, assert_checks_each_argument);
    tcase_add_test(tc, assert_message_of_a_huge_expression_is_cut);
    tcase_add_test(tc, concat_joins_values);
    tcase_add_test(tc, is_substring_finds_the_needle);
    tcase_add_test(tc, stdout_writes_its_arguments);
    tcase_add_test(tc, sleep_returns_its_argument);
    tcase_add_test(tc, integer_comparisons);
    tcase_add_test(tc, core_builtins_are_all_registered);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

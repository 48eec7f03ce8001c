/* Unit tests of edify's evaluator and its C API: operators and their
 * short-circuiting, values and blobs, failure reports (function, reason,
 * position, code), builtins registered by a caller with its own context,
 * and long or deep scripts. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edify/edify.h"
#include "edify_test_util.h"
#include "tests/common/testutil.h"

START_TEST(operators_give_android_values)
{
    ck_assert_eval("a + b == ab", "t");
    ck_assert_eval("\"\" == \"\" && b", "b");
    ck_assert_eval("a + (b == ab)", "a");
    ck_assert_eval("a == b", "");
    ck_assert_eval("a != b", "t");
    ck_assert_eval("a != a", "");
    ck_assert_eval("!\"\"", "t");
    ck_assert_eval("!x", "");
    ck_assert_eval("a; b; c", "c");
    ck_assert_eval("a;", "a");
    ck_assert_eval("x && y", "y");
    ck_assert_eval("\"\" && y", "");
    ck_assert_eval("x || y", "x");
    ck_assert_eval("\"\" || y", "y");
    ck_assert_eval("\"\" || \"\" || z", "z");
    ck_assert_eval("a && b && \"\" && c", "");
}
END_TEST

START_TEST(if_then_else)
{
    ck_assert_eval("if t then a else b endif", "a");
    ck_assert_eval("if \"\" then a else b endif", "b");
    ck_assert_eval("if t then a endif", "a");
    ck_assert_eval("if \"\" then a endif", "");
    ck_assert_eval("if a == a then x; y endif", "y");
    ck_assert_eval("if \"\" then a else if t then b else c endif endif", "b");
}
END_TEST

START_TEST(logic_short_circuits)
{
    ck_assert_eval("\"\" && abort()", "");
    ck_assert_eval("t || abort()", "t");
    ck_assert_eval("if \"\" then abort() endif", "");
    ck_assert_eval("if t then ok else abort() endif", "ok");
    run_result *r = eval_fails("t && abort()");
    ck_assert_str_eq(r->fail_function, "abort");
    run_free(r);
    r = eval_fails("\"\" || abort()");
    run_free(r);
}
END_TEST

START_TEST(literals_with_nul_bytes_are_blobs)
{
    run_result *r = run("\"a\\x00b\"");
    ck_assert_ptr_nonnull(r->value);
    ck_assert_int_eq(r->value->type, EDIFY_BLOB);
    ck_assert_uint_eq(r->value->len, 3);
    ck_assert_mem_eq(r->value->data, "a\0b", 4);
    run_free(r);
    r = run("\"a\\x00b\" + c");
    ck_assert_int_eq(r->value->type, EDIFY_BLOB);
    ck_assert_uint_eq(r->value->len, 4);
    run_free(r);
    ck_assert_eval("\"a\\x00b\" == \"a\\x00b\"", "t");
    ck_assert_eval("\"a\\x00b\" == \"a\\x00c\"", "");
    ck_assert_eval("\"a\\x00b\" == a", "");
    r = run("\"\\x41\\n\"");
    ck_assert_int_eq(r->value->type, EDIFY_STRING);
    ck_assert_str_eq(r->value->data, "A\n");
    run_free(r);
}
END_TEST

START_TEST(failures_name_function_reason_and_position)
{
    run_result *r = eval_fails("a;\nb;\n  concat(x, abort(\"no way\"))");
    ck_assert_str_eq(r->fail_function, "abort");
    ck_assert_int_eq(r->st.fail_line, 3);
    ck_assert_int_eq(r->st.fail_column, 13);
    ck_assert_int_eq(r->st.error.code, OTA_ERR_ABORTED);
    ck_assert_str_eq(r->st.error.message, "no way");
    ck_assert_str_eq(r->failure, "test.edify:3:13: abort: no way");
    run_free(r);
}
END_TEST

/* ---- builtins registered by a caller ------------------------------------ */

typedef struct ctx {
    int calls;
    char seen[64];
} ctx;

/* record(x): stores x in the caller's context; returns "ok". */
static edify_value *fn_record(edify_state *st, const edify_call *call)
{
    ctx *c = st->cookie;
    c->calls++;
    if (call->argc != 1)
        return edify_fail(st, "expects 1 argument, got %d", call->argc);
    char *arg;
    if (edify_eval_strings(st, 1, call->argv, &arg) < 0)
        return NULL;
    snprintf(c->seen, sizeof c->seen, "%s", arg);
    free(arg);
    return edify_string("ok");
}

/* ignore(...): a macro that evaluates none of its arguments. */
static edify_value *fn_ignore(edify_state *st, const edify_call *call)
{
    (void)st;
    char n[16];
    snprintf(n, sizeof n, "%d", call->argc);
    return edify_string(n);
}

/* silent(): fails without saying why. */
static edify_value *fn_silent(edify_state *st, const edify_call *call)
{
    (void)st, (void)call;
    return NULL;
}

/* wrap(x): evaluates x, then fails in its own name. */
static edify_value *fn_wrap(edify_state *st, const edify_call *call)
{
    edify_value *v = call->argc ? edify_eval(st, call->argv[0]) : NULL;
    edify_value_free(v);
    return edify_fail_code(st, OTA_ERR_IO, "wrapped failure");
}

/* lib_error(): fails with an ota_error a library filled in. */
static edify_value *fn_lib_error(edify_state *st, const edify_call *call)
{
    (void)call;
    ota_error err;
    ota_error_set(&err, OTA_ERR_NOTFOUND, "/system/x: not found");
    return edify_fail_error(st, &err);
}

/* position(x): the line:column of its argument. */
static edify_value *fn_position(edify_state *st, const edify_call *call)
{
    if (call->argc != 1)
        return edify_fail(st, "expects 1 argument");
    char out[32];
    snprintf(out, sizeof out, "%d:%d", edify_expr_line(call->argv[0]), edify_expr_column(call->argv[0]));
    return edify_string(out);
}

/* strings(a, b, ...): evaluates them as strings, joined by '|'. */
static edify_value *fn_strings(edify_state *st, const edify_call *call)
{
    char *args[8];
    if (call->argc > 8)
        return edify_fail(st, "at most 8");
    if (edify_eval_strings(st, call->argc, call->argv, args) < 0)
        return NULL;
    char out[256] = "";
    for (int i = 0; i < call->argc; i++) {
        strncat(out, args[i], sizeof out - strlen(out) - 2);
        if (i + 1 < call->argc)
            strcat(out, "|");
    }
    edify_free_strings(args, call->argc);
    return edify_string(out);
}

/* values(a, b): evaluates both, blobs allowed; their types as "sb". */
static edify_value *fn_values(edify_state *st, const edify_call *call)
{
    edify_value *v[2];
    if (call->argc != 2)
        return edify_fail(st, "expects 2");
    if (edify_eval_args(st, 2, call->argv, v, 1) < 0)
        return NULL;
    char out[3] = {v[0]->type == EDIFY_BLOB ? 'b' : 's', v[1]->type == EDIFY_BLOB ? 'b' : 's', 0};
    edify_free_values(v, 2);
    return edify_string(out);
}

static edify_funcs *caller_funcs(void)
{
    edify_funcs *fns = edify_funcs_new();
    ck_assert_ptr_nonnull(fns);
    ck_assert_int_eq(edify_register_core(fns, NULL), 0);
    ck_assert_int_eq(edify_register(fns, "record", fn_record), 0);
    ck_assert_int_eq(edify_register(fns, "ignore", fn_ignore), 0);
    ck_assert_int_eq(edify_register(fns, "silent", fn_silent), 0);
    ck_assert_int_eq(edify_register(fns, "wrap", fn_wrap), 0);
    ck_assert_int_eq(edify_register(fns, "lib_error", fn_lib_error), 0);
    ck_assert_int_eq(edify_register(fns, "position", fn_position), 0);
    ck_assert_int_eq(edify_register(fns, "strings", fn_strings), 0);
    ck_assert_int_eq(edify_register(fns, "values", fn_values), 0);
    return fns;
}

static run_result *run_with(edify_funcs *fns, const char *src, void *cookie)
{
    run_result *r = run_n(src, strlen(src), fns, cookie);
    ck_assert_msg(r->parsed, "%s: %s", src, r->diags.count ? r->diags.items[0].message : "?");
    return r;
}

START_TEST(caller_builtins_get_their_context)
{
    edify_funcs *fns = caller_funcs();
    ctx c = {0};
    run_result *r = run_with(fns, "record(\"a\" + b); record(c)", &c);
    ck_assert_str_eq(r->value->data, "ok");
    ck_assert_int_eq(c.calls, 2);
    ck_assert_str_eq(c.seen, "c");
    run_free(r);
    edify_funcs_free(fns);
}
END_TEST

START_TEST(builtins_are_macros)
{
    edify_funcs *fns = caller_funcs();
    run_result *r = run_with(fns, "ignore(abort(), abort(\"x\"), assert(\"\"))", NULL);
    ck_assert_ptr_nonnull(r->value);
    ck_assert_str_eq(r->value->data, "3");
    run_free(r);
    edify_funcs_free(fns);
}
END_TEST

START_TEST(a_silent_failure_still_names_the_builtin)
{
    edify_funcs *fns = caller_funcs();
    run_result *r = run_with(fns, "a;\n silent()", NULL);
    ck_assert_ptr_null(r->value);
    ck_assert_str_eq(r->fail_function, "silent");
    ck_assert_int_eq(r->st.fail_line, 2);
    ck_assert_int_eq(r->st.fail_column, 2);
    ck_assert_ptr_nonnull(strstr(r->st.error.message, "without giving a reason"));
    run_free(r);
    edify_funcs_free(fns);
}
END_TEST

START_TEST(the_builtin_that_reports_is_named)
{
    edify_funcs *fns = caller_funcs();
    run_result *r = run_with(fns, "wrap(abort(\"inner\"))", NULL);
    ck_assert_str_eq(r->fail_function, "wrap");
    ck_assert_str_eq(r->st.error.message, "wrapped failure");
    ck_assert_int_eq(r->st.error.code, OTA_ERR_IO);
    run_free(r);
    r = run_with(fns, "record(concat(x, abort(\"inner\")))", &(ctx){0});
    ck_assert_str_eq(r->fail_function, "abort");
    ck_assert_str_eq(r->st.error.message, "inner");
    run_free(r);
    r = run_with(fns, "x; lib_error()", NULL);
    ck_assert_str_eq(r->fail_function, "lib_error");
    ck_assert_int_eq(r->st.error.code, OTA_ERR_NOTFOUND);
    ck_assert_str_eq(r->failure, "test.edify:1:4: lib_error: /system/x: not found");
    run_free(r);
    edify_funcs_free(fns);
}
END_TEST

START_TEST(argument_helpers_check_strings)
{
    edify_funcs *fns = caller_funcs();
    run_result *r = run_with(fns, "strings(a, \"b c\", d + e)", NULL);
    ck_assert_str_eq(r->value->data, "a|b c|de");
    run_free(r);
    r = run_with(fns, "strings(a, \"x\\x00y\")", NULL);
    ck_assert_ptr_null(r->value);
    ck_assert_str_eq(r->fail_function, "strings");
    ck_assert_int_eq(r->st.error.code, OTA_ERR_ARGS);
    ck_assert_ptr_nonnull(strstr(r->st.error.message, "argument 2 is binary data"));
    run_free(r);
    r = run_with(fns, "values(a, \"x\\x00y\")", NULL);
    ck_assert_str_eq(r->value->data, "sb");
    run_free(r);
    r = run_with(fns, "position(\n  x)", NULL);
    ck_assert_str_eq(r->value->data, "2:3");
    run_free(r);
    edify_funcs_free(fns);
}
END_TEST

static edify_value *fn_first(edify_state *st, const edify_call *call)
{
    (void)st, (void)call;
    return edify_string("first");
}

static edify_value *fn_second(edify_state *st, const edify_call *call)
{
    (void)st, (void)call;
    return edify_string("second");
}

START_TEST(registering_again_replaces)
{
    edify_funcs *fns = edify_funcs_new();
    ck_assert_int_eq(edify_register(fns, "f", fn_first), 0);
    ck_assert_ptr_eq((void *)edify_lookup(fns, "f"), (void *)fn_first);
    ck_assert_int_eq(edify_register(fns, "f", fn_second), 0);
    ck_assert_ptr_eq((void *)edify_lookup(fns, "f"), (void *)fn_second);
    ck_assert_ptr_null((void *)edify_lookup(fns, "g"));
    ck_assert_int_eq(edify_register(fns, NULL, fn_first), -1);
    ck_assert_int_eq(edify_register(fns, "h", NULL), -1);
    /* Many names: the table grows. */
    char name[16];
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "fn%d", i);
        ck_assert_int_eq(edify_register(fns, name, i % 2 ? fn_first : fn_second), 0);
    }
    ck_assert_ptr_eq((void *)edify_lookup(fns, "fn999"), (void *)fn_first);
    ck_assert_ptr_eq((void *)edify_lookup(fns, "f"), (void *)fn_second);
    run_result *r = run_n("fn10()", 6, fns, NULL);
    ck_assert_str_eq(r->value->data, "second");
    run_free(r);
    edify_funcs_free(fns);
}
END_TEST

START_TEST(running_nothing_is_an_error)
{
    edify_state st = {0};
    ck_assert_ptr_null(edify_run(&st));
    ck_assert_int_eq(st.error.code, OTA_ERR_ARGS);
    ck_assert_ptr_null(edify_run(NULL));
    char out[200];
    edify_failure_format(&st, out, sizeof out);
    ck_assert_str_eq(out, "<script>: no script to run");
}
END_TEST

START_TEST(value_constructors)
{
    edify_value *v = edify_string("abc");
    ck_assert_int_eq(v->type, EDIFY_STRING);
    ck_assert_uint_eq(v->len, 3);
    ck_assert(edify_value_true(v));
    edify_value_free(v);
    v = edify_string_n("", 0);
    ck_assert(!edify_value_true(v));
    ck_assert_str_eq(v->data, "");
    edify_value_free(v);
    char *s = strdup("taken");
    v = edify_string_take(s, 5);
    ck_assert_ptr_eq(v->data, s);
    edify_value_free(v);
    v = edify_blob("a\0b", 3);
    ck_assert_int_eq(v->type, EDIFY_BLOB);
    ck_assert_int_eq(v->data[3], '\0');
    edify_value_free(v);
    char *b = malloc(3);
    memcpy(b, "\0x", 3);
    v = edify_blob_take(b, 2);
    ck_assert_uint_eq(v->len, 2);
    edify_value_free(v);
    ck_assert_ptr_null(edify_string(NULL));
    ck_assert_ptr_null(edify_string_take(NULL, 0));
    ck_assert(!edify_value_true(NULL));
    edify_value_free(NULL);
}
END_TEST

START_TEST(a_million_statements_run_without_recursion)
{
    size_t len;
    char *src = repeat("", "concat(a, b); x == y; ", 1000000, "last", "", &len);
    run_result *r = run_n(src, len, NULL, NULL);
    free(src);
    ck_assert_ptr_nonnull(r->value);
    ck_assert_str_eq(r->value->data, "last");
    run_free(r);
}
END_TEST

START_TEST(long_chains_evaluate)
{
    size_t len;
    char *src = repeat("a", " + b", 300000, "", "", &len);
    run_result *r = run_n(src, len, NULL, NULL);
    free(src);
    ck_assert_ptr_nonnull(r->value);
    ck_assert_uint_eq(r->value->len, 300001);
    run_free(r);
    src = repeat("\"\"", " || \"\"", 300000, " || found", "", &len);
    r = run_n(src, len, NULL, NULL);
    free(src);
    ck_assert_str_eq(r->value->data, "found");
    run_free(r);
}
END_TEST

START_TEST(nesting_at_the_limit_evaluates)
{
    size_t len;
    /* Each level is a call whose argument is a sum: the tree is as tall as
     * the parser allows. */
    char *src = repeat("", "concat(x + ", EDIFY_MAX_DEPTH / 2 - 1, "y", ")", &len);
    run_result *r = run_n(src, len, NULL, NULL);
    free(src);
    ck_assert_msg(r->parsed, "%s", r->diags.count ? r->diags.items[0].message : "?");
    ck_assert_ptr_nonnull(r->value);
    ck_assert_uint_eq(r->value->len, EDIFY_MAX_DEPTH / 2);
    run_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("edify evaluator");
    TCase *tc = tcase_create("evaluator");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, operators_give_android_values);
    tcase_add_test(tc, if_then_else);
    tcase_add_test(tc, logic_short_circuits);
    tcase_add_test(tc, literals_with_nul_bytes_are_blobs);
    tcase_add_test(tc, failures_name_function_reason_and_position);
    tcase_add_test(tc, caller_builtins_get_their_context);
    tcase_add_test(tc, builtins_are_macros);
    tcase_add_test(tc, a_silent_failure_still_names_the_builtin);
    tcase_add_test(tc, the_builtin_that_reports_is_named);
    tcase_add_test(tc, argument_helpers_check_strings);
    tcase_add_test(tc, registering_again_replaces);
    tcase_add_test(tc, running_nothing_is_an_error);
    tcase_add_test(tc, value_constructors);
    tcase_add_test(tc, a_million_statements_run_without_recursion);
    tcase_add_test(tc, long_chains_evaluate);
    tcase_add_test(tc, nesting_at_the_limit_evaluates);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

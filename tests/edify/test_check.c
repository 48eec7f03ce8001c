/* Unit tests of reading a script without running it (edify/check.c):
 * edify_check's argument-count errors, the call walker in source order,
 * literal arguments, and parsing with unknown functions accepted.  Only
 * the core builtins are used: their rows span every kind of range. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edify/edify.h"
#include "edify_test_util.h"
#include "tests/common/testutil.h"

static edify_funcs *core_funcs(void)
{
    edify_funcs *fns = edify_funcs_new();
    ck_assert_ptr_nonnull(fns);
    ck_assert_int_eq(edify_register_core(fns, NULL), 0);
    return fns;
}

/* edify_check on src with the core builtins; the formatted diagnostics
 * joined by newlines into out. */
static int check_src(const char *src, char *out, size_t outsz)
{
    edify_funcs *fns = core_funcs();
    edify_diags diags = {0};
    int n = edify_check(src, strlen(src), "s.edify", fns, &diags);
    ck_assert_int_ge(n, 0);
    ck_assert_uint_eq((size_t)n, diags.count);
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < diags.count && used < outsz; i++) {
        char line[512];
        edify_diag_format(&diags, i, line, sizeof line);
        used += (size_t)snprintf(out + used, outsz - used, "%s%s", i ? "\n" : "", line);
    }
    edify_diags_free(&diags);
    edify_funcs_free(fns);
    return n;
}

START_TEST(a_clean_script_has_no_errors)
{
    char out[256];
    ck_assert_int_eq(check_src("assert(is_substring(a, b)); ifelse(a, b); abort()", out,
                               sizeof out), 0);
    ck_assert_str_eq(out, "");
    /* NULL diags are allowed. */
    edify_funcs *fns = core_funcs();
    ck_assert_int_eq(edify_check("sleep(1)", 8, NULL, fns, NULL), 0);
    ck_assert_int_eq(edify_check("sleep()", 7, NULL, fns, NULL), 1);
    edify_funcs_free(fns);
}
END_TEST

START_TEST(wrong_counts_are_reported_at_each_call_in_source_order)
{
    char out[2048];
    const char *src = "is_substring(a);\n"
                      "if t then ifelse(a) else sleep(1, 2, 3) endif;\n"
                      "  concat(abort(x, y), assert());\n"
                      "less_than_int(1, 2, 3) || greater_than_int()";
    ck_assert_int_eq(check_src(src, out, sizeof out), 7);
    ck_assert_str_eq(out,
                     "s.edify:1:1: is_substring: expects 2 arguments, got 1\n"
                     "s.edify:2:11: ifelse: expects 2 or 3 arguments, got 1\n"
                     "s.edify:2:26: sleep: expects 1 argument, got 3\n"
                     "s.edify:3:10: abort: expects at most 1 argument, got 2\n"
                     "s.edify:3:23: assert: expects at least 1 argument, got 0\n"
                     "s.edify:4:1: less_than_int: expects 2 arguments, got 3\n"
                     "s.edify:4:27: greater_than_int: expects 2 arguments, got 0");
}
END_TEST

START_TEST(the_check_messages_match_the_evaluators)
{
    /* The same words when the call runs as when it is checked. */
    char out[512];
    ck_assert_int_eq(check_src("ifelse(a)", out, sizeof out), 1);
    run_result *r = run("ifelse(a)");
    ck_assert_ptr_null(r->value);
    ck_assert_str_eq(out, "s.edify:1:1: ifelse: expects 2 or 3 arguments, got 1");
    ck_assert_str_eq(r->failure, "test.edify:1:1: ifelse: expects 2 or 3 arguments, got 1");
    run_free(r);
}
END_TEST

START_TEST(syntax_errors_come_first_and_alone)
{
    char out[1024];
    /* With a syntax error there is no parsed script to check counts in. */
    ck_assert_int_eq(check_src("sleep();\nfoo(1);\nconcat(", out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "s.edify:2:1: unknown function 'foo'"));
    ck_assert_ptr_nonnull(strstr(out, "s.edify:3:8: expected an expression"));
    ck_assert_ptr_null(strstr(out, "sleep:"));
}
END_TEST

START_TEST(too_many_count_errors_end_with_a_note)
{
    size_t len;
    char *src = repeat("", "sleep();", 150, "", "", &len);
    edify_funcs *fns = core_funcs();
    edify_diags diags = {0};
    int n = edify_check(src, len, "many", fns, &diags);
    ck_assert_int_eq(n, EDIFY_MAX_DIAGS + 1);
    ck_assert_str_eq(diags.items[EDIFY_MAX_DIAGS].message, "too many errors; stopping here");
    edify_diags_free(&diags);
    edify_funcs_free(fns);
    free(src);
}
END_TEST

/* Records every call: "name/argc@line:col" joined by spaces. */
typedef struct seen {
    char text[1024];
    size_t used;
    int stop_at; /* stop (return 7) at this call number, 1-based; 0 never */
    int calls;
} seen;

static int record(void *ctx, const edify_script *script, const edify_expr *call)
{
    seen *s = ctx;
    s->calls++;
    s->used += (size_t)snprintf(s->text + s->used, sizeof s->text - s->used, "%s%s/%d@%d:%d",
                                s->used ? " " : "", edify_call_name(script, call),
                                edify_call_argc(call), edify_expr_line(call),
                                edify_expr_column(call));
    return s->calls == s->stop_at ? 7 : 0;
}

static edify_script *parse_ok(edify_funcs *fns, const char *src)
{
    edify_diags diags = {0};
    edify_script *s = edify_parse(src, strlen(src), "w", fns, &diags);
    ck_assert_msg(s != NULL, "%s: %s", src, diags.count ? diags.items[0].message : "?");
    return s;
}

START_TEST(the_walker_visits_every_call_in_source_order)
{
    edify_funcs *fns = core_funcs();
    edify_script *s = parse_ok(fns, "concat(a, is_substring(b, c)) + sleep(1);\n"
                                    "if less_than_int(1, 2) then abort() else !assert(x) endif;\n"
                                    "(ifelse(a, b) == x) || stdout()");
    seen all = {0};
    ck_assert_int_eq(edify_walk_calls(s, record, &all), 0);
    ck_assert_str_eq(all.text, "concat/2@1:1 is_substring/2@1:11 sleep/1@1:33 "
                               "less_than_int/2@2:4 abort/0@2:29 assert/1@2:43 "
                               "ifelse/2@3:2 stdout/0@3:24");
    seen some = {.stop_at = 3};
    ck_assert_int_eq(edify_walk_calls(s, record, &some), 7);
    ck_assert_int_eq(some.calls, 3);
    edify_script_free(s);
    edify_funcs_free(fns);
}
END_TEST

static int keep_first(void *ctx, const edify_script *script, const edify_expr *call)
{
    (void)script;
    *(const edify_expr **)ctx = call;
    return 1;
}

START_TEST(literal_arguments_are_readable_computed_ones_are_not)
{
    edify_funcs *fns = core_funcs();
    edify_script *s = parse_ok(fns, "concat(\"/dev/block/by-name/boot\", word, \"a\\x00b\", "
                                    "a + b, sleep(1), (c), \"\")");
    const edify_expr *call = NULL;
    ck_assert_int_eq(edify_walk_calls(s, keep_first, &call), 1);
    ck_assert_str_eq(edify_call_name(s, call), "concat");
    ck_assert_int_eq(edify_call_argc(call), 7);
    size_t len;
    ck_assert_str_eq(edify_expr_literal(edify_call_arg(s, call, 0), &len),
                     "/dev/block/by-name/boot");
    ck_assert_uint_eq(len, 23);
    ck_assert_str_eq(edify_expr_literal(edify_call_arg(s, call, 1), NULL), "word");
    const char *blob = edify_expr_literal(edify_call_arg(s, call, 2), &len);
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(blob, "a\0b", 3);
    ck_assert_ptr_null(edify_expr_literal(edify_call_arg(s, call, 3), NULL)); /* a + b */
    ck_assert_ptr_null(edify_expr_literal(edify_call_arg(s, call, 4), NULL)); /* a call */
    ck_assert_str_eq(edify_expr_literal(edify_call_arg(s, call, 5), NULL), "c");
    ck_assert_str_eq(edify_expr_literal(edify_call_arg(s, call, 6), &len), "");
    ck_assert_uint_eq(len, 0);
    /* Out of range, and not a call. */
    ck_assert_ptr_null(edify_call_arg(s, call, 7));
    ck_assert_ptr_null(edify_call_arg(s, call, -1));
    const edify_expr *literal = edify_call_arg(s, call, 0);
    ck_assert_ptr_null(edify_call_name(s, literal));
    ck_assert_int_eq(edify_call_argc(literal), 0);
    edify_script_free(s);
    edify_funcs_free(fns);
}
END_TEST

START_TEST(unknown_functions_parse_for_inspection_and_refuse_to_run)
{
    edify_funcs *fns = core_funcs();
    const char *src = "msm.boot_update(\"main\"); sleep(); xiaomi.verify_modem()";
    /* Normally a syntax error ... */
    edify_diags diags = {0};
    ck_assert_ptr_null(edify_parse(src, strlen(src), "v", fns, &diags));
    ck_assert_uint_eq(diags.count, 2);
    edify_diags_free(&diags);
    /* ... for an inspecting tool a call like any other. */
    edify_funcs_accept_unknown(fns);
    edify_script *s = parse_ok(fns, src);
    seen all = {0};
    ck_assert_int_eq(edify_walk_calls(s, record, &all), 0);
    ck_assert_str_eq(all.text, "msm.boot_update/1@1:1 sleep/0@1:26 xiaomi.verify_modem/0@1:35");
    edify_state st = {.script = s};
    ck_assert_ptr_null(edify_run(&st));
    ck_assert_str_eq(st.fail_function, "msm.boot_update");
    ck_assert_ptr_nonnull(strstr(st.error.message, "unknown function"));
    edify_script_free(s);
    /* The count check knows nothing about an unknown name's arguments. */
    ck_assert_int_eq(edify_check(src, strlen(src), "v", fns, &diags), 1);
    ck_assert_str_eq(diags.items[0].message, "sleep: expects 1 argument, got 0");
    edify_diags_free(&diags);
    edify_funcs_free(fns);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("edify check");
    TCase *tc = tcase_create("check");
    tcase_add_test(tc, a_clean_script_has_no_errors);
    tcase_add_test(tc, wrong_counts_are_reported_at_each_call_in_source_order);
    tcase_add_test(tc, the_check_messages_match_the_evaluators);
    tcase_add_test(tc, syntax_errors_come_first_and_alone);
    tcase_add_test(tc, too_many_count_errors_end_with_a_note);
    tcase_add_test(tc, the_walker_visits_every_call_in_source_order);
    tcase_add_test(tc, literal_arguments_are_readable_computed_ones_are_not);
    tcase_add_test(tc, unknown_functions_parse_for_inspection_and_refuse_to_run);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

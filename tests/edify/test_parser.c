/* Unit tests of edify's parser: tree shape and precedence (seen through the
 * renderer), calls and names, error messages, positions and counts, and
 * hostile input (deep nesting, huge scripts, NUL bytes). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edify/internal.h"
#include "edify_test_util.h"
#include "tests/common/testutil.h"

static edify_funcs *core(void)
{
    edify_funcs *fns = edify_funcs_new();
    ck_assert_ptr_nonnull(fns);
    ck_assert_int_eq(edify_register_core(fns, NULL), 0);
    return fns;
}

/* The canonical rendering of a script that must parse. */
static void ck_shape(const char *src, const char *want)
{
    edify_funcs *fns = core();
    edify_diags d = {0};
    edify_script *s = edify_parse(src, strlen(src), "t", fns, &d);
    ck_assert_msg(s != NULL, "%s: %s", src, d.count ? d.items[0].message : "?");
    char out[512];
    edify_render(s, edify_node_at(s, s->root), out, sizeof out);
    ck_assert_str_eq(out, want);
    edify_script_free(s);
    edify_funcs_free(fns);
}

/* Parses a script that must fail; returns its diagnostics. */
static edify_diags errors_of_n(const char *src, size_t len)
{
    edify_funcs *fns = core();
    edify_diags d = {0};
    edify_script *s = edify_parse(src, len, "bad.edify", fns, &d);
    ck_assert_msg(s == NULL, "%.60s should not parse", src ? src : "(null)");
    ck_assert_uint_gt(d.count, 0);
    edify_funcs_free(fns);
    return d;
}

static edify_diags errors_of(const char *src)
{
    return errors_of_n(src, strlen(src));
}

static int has_message(const edify_diags *d, size_t i, const char *part)
{
    return i < d->count && strstr(d->items[i].message, part) != NULL;
}

START_TEST(precedence_follows_android)
{
    ck_shape("a + b == ab", "a + b == ab");
    ck_shape("a + (b == ab)", "a + (b == ab)");
    ck_shape("\"\" == \"\" && b", "\"\" == \"\" && b");
    ck_shape("a || b && c", "a || b && c");
    ck_shape("(a || b) && c", "(a || b) && c");
    ck_shape("!a + b", "!a + b");
    ck_shape("!(a + b)", "!(a + b)");
    ck_shape("a == b != c", "a == b != c");
    ck_shape("a == (b != c)", "a == (b != c)");
    ck_shape("a; b || c; d", "a; b || c; d");
    ck_shape("x + (a; b)", "x + (a; b)");
    ck_shape("if a then b; c else d endif + e", "if a then b; c else d endif + e");
    ck_shape("!if a then b endif", "!if a then b endif");
}
END_TEST

START_TEST(literals_render_bare_or_quoted)
{
    ck_shape("\"plain\" + \"two words\" + \"if\" + \"\"", "plain + \"two words\" + \"if\" + \"\"");
    ck_shape("\"q\\\"\\\\\\n\\t\\x01\\x00\"", "\"q\\\"\\\\\\n\\t\\x01\\x00\"");
    /* A lone backslash is a literal one, rendered as the escape \\. */
    ck_shape("\"/ __ \\/ \\x4\"", "\"/ __ \\\\/ \\\\x4\"");
}
END_TEST

START_TEST(calls_take_quoted_or_bare_names)
{
    ck_shape("concat(a, \"b\")", "concat(a, b)");
    ck_shape("\"concat\"(a, b)", "concat(a, b)");
    ck_shape("concat()", "concat()");
    ck_shape("concat(a; b, c)", "concat((a; b), c)");
}
END_TEST

START_TEST(semicolons_trail_and_repeat)
{
    ck_shape("a;", "a");
    ck_shape("a;;b;;", "a; b");
    ck_shape("(a;)", "a");
    ck_shape("if a; then b; else c; endif", "if a then b else c endif");
}
END_TEST

START_TEST(computed_function_names_are_syntax_errors)
{
    edify_diags d = errors_of("(\"con\" + \"cat\")(a, b)");
    ck_assert_uint_eq(d.count, 1);
    ck_assert_int_eq(d.items[0].column, 16);
    ck_assert(has_message(&d, 0, "found '('"));
    edify_diags_free(&d);
}
END_TEST

START_TEST(unknown_functions_fail_at_parse_time)
{
    edify_diags d = errors_of("foo(1);\nconcat(bar(2), foo(3))");
    ck_assert_uint_eq(d.count, 3);
    ck_assert(has_message(&d, 0, "unknown function 'foo'"));
    ck_assert_int_eq(d.items[1].line, 2);
    ck_assert_int_eq(d.items[1].column, 8);
    ck_assert(has_message(&d, 1, "'bar'"));
    ck_assert(has_message(&d, 2, "'foo'"));
    edify_diags_free(&d);
}
END_TEST

START_TEST(every_error_is_reported_with_position)
{
    edify_diags d = errors_of("a b;\nc d;\n(e f);\nok");
    ck_assert_uint_eq(d.count, 3);
    ck_assert_int_eq(d.items[0].line, 1);
    ck_assert_int_eq(d.items[0].column, 3);
    ck_assert(has_message(&d, 0, "expected an operator or ';', found word b"));
    ck_assert_int_eq(d.items[1].line, 2);
    ck_assert_int_eq(d.items[1].column, 3);
    ck_assert_int_eq(d.items[2].line, 3);
    ck_assert_int_eq(d.items[2].column, 4);
    ck_assert(has_message(&d, 2, "')' (for the '(' at 3:1)"));
    char line[600];
    edify_diag_format(&d, 0, line, sizeof line);
    ck_assert_str_eq(line, "bad.edify:1:3: expected an operator or ';', found word b "
                          "(is a ';' missing before it?)");
    edify_diags_free(&d);
}
END_TEST

START_TEST(errors_inside_calls_and_ifs_recover_locally)
{
    edify_diags d = errors_of("concat(a b, c d);\nif x y then z endif;\nconcat(,)");
    ck_assert_uint_eq(d.count, 5);
    ck_assert(has_message(&d, 0, "',' or ')' (for the call to concat at 1:1)"));
    ck_assert_int_eq(d.items[1].column, 15);
    ck_assert(has_message(&d, 2, "'then' (for the 'if' at 2:1)"));
    ck_assert_int_eq(d.items[3].line, 3);
    ck_assert_int_eq(d.items[3].column, 8);
    ck_assert(has_message(&d, 3, "expected an expression"));
    ck_assert_int_eq(d.items[4].column, 9);
    edify_diags_free(&d);
}
END_TEST

START_TEST(unterminated_constructs_say_what_is_missing)
{
    edify_diags d = errors_of("concat(a, b");
    ck_assert_uint_eq(d.count, 1);
    ck_assert(has_message(&d, 0, "(for the call to concat at 1:1), found end of script"));
    edify_diags_free(&d);
    d = errors_of("if a then b");
    ck_assert(has_message(&d, 0, "'else' or 'endif' (for the 'if' at 1:1), found end of script"));
    edify_diags_free(&d);
    d = errors_of("(a");
    ck_assert(has_message(&d, 0, "')' (for the '(' at 1:1)"));
    edify_diags_free(&d);
    d = errors_of("concat(a,");
    ck_assert(has_message(&d, 0, "expected an expression"));
    edify_diags_free(&d);
    d = errors_of("\"abc");
    ck_assert_uint_eq(d.count, 1);
    ck_assert(has_message(&d, 0, "unterminated string"));
    edify_diags_free(&d);
}
END_TEST

START_TEST(stray_closers_are_reported)
{
    edify_diags d = errors_of("a);\nb endif; c");
    ck_assert_uint_eq(d.count, 2);
    ck_assert(has_message(&d, 0, "found ')'"));
    ck_assert(has_message(&d, 1, "found 'endif'"));
    edify_diags_free(&d);
    d = errors_of(";a");
    ck_assert(has_message(&d, 0, "expected an expression"));
    edify_diags_free(&d);
}
END_TEST

START_TEST(a_lone_operator_character_is_one_error)
{
    edify_diags d = errors_of("a & b; c = d; e | f");
    ck_assert_uint_eq(d.count, 3);
    ck_assert(has_message(&d, 0, "expected '&&'"));
    ck_assert(has_message(&d, 1, "expected '=='"));
    ck_assert(has_message(&d, 2, "expected '||'"));
    edify_diags_free(&d);
}
END_TEST

START_TEST(empty_scripts_are_errors)
{
    edify_diags d = errors_of("  # nothing but a comment\n");
    ck_assert_uint_eq(d.count, 1);
    ck_assert(has_message(&d, 0, "empty"));
    edify_diags_free(&d);
    d = errors_of_n(NULL, 0);
    edify_diags_free(&d);
}
END_TEST

START_TEST(error_count_is_capped_with_a_note)
{
    size_t len;
    char *src = repeat("", "a b;", 5000, "", "", &len);
    edify_diags d = errors_of_n(src, len);
    ck_assert_uint_eq(d.count, EDIFY_MAX_DIAGS + 1);
    ck_assert(has_message(&d, EDIFY_MAX_DIAGS, "too many errors"));
    edify_diags_free(&d);
    free(src);
}
END_TEST

static void ck_too_deep(const char *open, const char *mid, const char *close)
{
    size_t len;
    char *src = repeat("", open, 100000, mid, close, &len);
    edify_diags d = errors_of_n(src, len);
    ck_assert_uint_eq(d.count, 1);
    ck_assert_msg(has_message(&d, 0, "nested deeper than 1000 levels"), "%s: %s", open,
                  d.items[0].message);
    edify_diags_free(&d);
    free(src);
}

START_TEST(deep_nesting_is_an_error_not_a_crash)
{
    ck_too_deep("(", "a", ")");
    ck_too_deep("if a then ", "b", " endif");
    ck_too_deep("concat(", "a", ")");
    ck_too_deep("!", "a", "");
    ck_too_deep("a == ", "a", "");
    ck_too_deep("(a; ", "a", ")");
    /* Unclosed: still one clear error. */
    ck_too_deep("(", "", "");
}
END_TEST

START_TEST(long_flat_chains_are_not_nesting)
{
    size_t len;
    char *src = repeat("a", " + b", 200000, "", "", &len);
    edify_funcs *fns = core();
    edify_diags d = {0};
    edify_script *s = edify_parse(src, len, "t", fns, &d);
    ck_assert_ptr_nonnull(s);
    edify_script_free(s);
    free(src);
    src = repeat("", "a; ", 200000, "", "", &len);
    s = edify_parse(src, len, "t", fns, &d);
    ck_assert_ptr_nonnull(s);
    edify_script_free(s);
    free(src);
    src = repeat("t", " && t || t", 200000, "", "", &len);
    s = edify_parse(src, len, "t", fns, &d);
    ck_assert_ptr_nonnull(s);
    edify_script_free(s);
    free(src);
    edify_funcs_free(fns);
}
END_TEST

START_TEST(nesting_just_within_the_limit_parses)
{
    size_t len;
    char *src = repeat("", "(", EDIFY_MAX_DEPTH - 1, "a", ")", &len);
    ck_shape(src, "a");
    free(src);
}
END_TEST

START_TEST(nul_bytes_in_a_script_are_reported)
{
    static const char src[] = "concat(a,\0b)\0;";
    edify_diags d = errors_of_n(src, sizeof src - 1);
    ck_assert_uint_eq(d.count, 2);
    ck_assert_int_eq(d.items[0].column, 10);
    ck_assert(has_message(&d, 0, "NUL byte"));
    ck_assert_int_eq(d.items[1].column, 13);
    edify_diags_free(&d);
}
END_TEST

START_TEST(a_100_mb_script_parses)
{
    const char piece[] = "concat(\"0123456789\", a, \"/system/bin/sh\");\n";
    size_t n = 100u * 1000 * 1000 / (sizeof piece - 1), len;
    char *src = repeat("", piece, n, "", "", &len);
    edify_funcs *fns = core();
    edify_diags d = {0};
    edify_script *s = edify_parse(src, len, "big", fns, &d);
    free(src);
    ck_assert_ptr_nonnull(s);
    edify_state st = {.script = s};
    edify_value *v = edify_run(&st);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v->data, "0123456789a/system/bin/sh");
    edify_value_free(v);
    edify_script_free(s);
    edify_funcs_free(fns);
}
END_TEST

START_TEST(a_100_mb_binary_file_is_rejected)
{
    size_t len = 100u * 1000 * 1000;
    char *src = malloc(len);
    ck_assert_ptr_nonnull(src);
    for (size_t i = 0; i < len; i++)
        src[i] = (char)((i * 2654435761u) >> 13);
    edify_diags d = errors_of_n(src, len);
    ck_assert_uint_le(d.count, EDIFY_MAX_DIAGS + 1);
    edify_diags_free(&d);
    free(src);
}
END_TEST

START_TEST(scripts_over_the_size_limit_are_refused_unread)
{
    /* The size is checked before any byte is read, so a short buffer with
     * an oversized length exercises the check without 256 MiB of memory. */
    static const char src[] = "a";
    edify_diags d = errors_of_n(src, (size_t)EDIFY_MAX_SCRIPT + 1);
    ck_assert_uint_eq(d.count, 1);
    ck_assert(has_message(&d, 0, "the limit is 268435455"));
    edify_diags_free(&d);
}
END_TEST

START_TEST(positions_are_kept_on_nodes)
{
    edify_funcs *fns = core();
    edify_diags d = {0};
    const char *src = "\n\n   concat(a,\n  b)";
    edify_script *s = edify_parse(src, strlen(src), "t", fns, &d);
    ck_assert_ptr_nonnull(s);
    edify_expr *root = edify_node_at(s, s->root);
    ck_assert_int_eq(edify_expr_line(root), 3);
    ck_assert_int_eq(edify_expr_column(root), 4);
    edify_expr *b = edify_node_at(s, edify_node_child(root, 1));
    ck_assert_int_eq(edify_expr_line(b), 4);
    ck_assert_int_eq(edify_expr_column(b), 3);
    edify_script_free(s);
    edify_funcs_free(fns);
}
END_TEST

START_TEST(a_parse_without_diags_still_fails_cleanly)
{
    edify_funcs *fns = core();
    ck_assert_ptr_null(edify_parse("a b", 3, NULL, fns, NULL));
    edify_script *s = edify_parse("a", 1, NULL, fns, NULL);
    ck_assert_ptr_nonnull(s);
    edify_script_free(s);
    edify_funcs_free(fns);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("edify parser");
    TCase *tc = tcase_create("parser");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, precedence_follows_android);
    tcase_add_test(tc, literals_render_bare_or_quoted);
    tcase_add_test(tc, calls_take_quoted_or_bare_names);
    tcase_add_test(tc, semicolons_trail_and_repeat);
    tcase_add_test(tc, computed_function_names_are_syntax_errors);
    tcase_add_test(tc, unknown_functions_fail_at_parse_time);
    tcase_add_test(tc, every_error_is_reported_with_position);
    tcase_add_test(tc, errors_inside_calls_and_ifs_recover_locally);
    tcase_add_test(tc, unterminated_constructs_say_what_is_missing);
    tcase_add_test(tc, stray_closers_are_reported);
    tcase_add_test(tc, a_lone_operator_character_is_one_error);
    tcase_add_test(tc, empty_scripts_are_errors);
    tcase_add_test(tc, error_count_is_capped_with_a_note);
    tcase_add_test(tc, deep_nesting_is_an_error_not_a_crash);
    tcase_add_test(tc, long_flat_chains_are_not_nesting);
    tcase_add_test(tc, nesting_just_within_the_limit_parses);
    tcase_add_test(tc, nul_bytes_in_a_script_are_reported);
    tcase_add_test(tc, a_100_mb_script_parses);
    tcase_add_test(tc, a_100_mb_binary_file_is_rejected);
    tcase_add_test(tc, scripts_over_the_size_limit_are_refused_unread);
    tcase_add_test(tc, positions_are_kept_on_nodes);
    tcase_add_test(tc, a_parse_without_diags_still_fails_cleanly);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

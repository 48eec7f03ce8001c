/* edify's evaluator.  Sequences, concatenations, && and || chains are
 * walked in loops; recursion follows only the tree's real nesting, which the
 * parser keeps within EDIFY_MAX_DEPTH. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edify/internal.h"

/* A call's argv lives on the stack up to this many arguments. */
#define SMALL_ARGC 8

static edify_value *fail_here(edify_state *st, const char *what, const edify_expr *e, int code,
                              const char *message)
{
    ota_error_set(&st->error, code, "%s", message);
    st->fail_function = what;
    st->fail_line = (int)e->line;
    st->fail_column = (int)e->column;
    return NULL;
}

static edify_value *out_of_memory(edify_state *st, const char *what, const edify_expr *e)
{
    return fail_here(st, what, e, OTA_ERR_NOMEM, "out of memory");
}

static edify_expr *child(const edify_state *st, const edify_expr *e, uint32_t i)
{
    return edify_node_at(st->script, edify_node_child(e, i));
}

static edify_value *eval_literal(edify_state *st, const edify_expr *e)
{
    size_t len = edify_node_count(e);
    edify_value *v = edify_node_kind(e) == EDIFY_K_BLOB ? edify_blob(edify_node_text(e), len)
                                                        : edify_string_n(edify_node_text(e), len);
    return v ? v : out_of_memory(st, "literal", e);
}

/* "expects 2 arguments, got 3": for a call with the wrong number of
 * arguments. */
static edify_value *bad_arg_count(edify_state *st, const edify_func_ref *f, const edify_expr *e,
                                  uint32_t argc)
{
    char want[64];
    edify_describe_arg_range(f->min_args, f->max_args, want, sizeof want);
    char message[128];
    snprintf(message, sizeof message, "expects %s, got %u", want, (unsigned)argc);
    return fail_here(st, f->name, e, OTA_ERR_ARGS, message);
}

static edify_value *eval_call(edify_state *st, const edify_expr *e)
{
    const edify_func_ref *f = &st->script->funcs[e->rest[0]];
    uint32_t argc = edify_node_count(e);
    if (!f->fn)
        return fail_here(st, f->name, e, OTA_ERR_UNSUPPORTED,
                         "unknown function (the script was parsed for inspection only)");
    if (argc < (uint32_t)f->min_args ||
        (f->max_args != EDIFY_VARARGS && argc > (uint32_t)f->max_args))
        return bad_arg_count(st, f, e, argc);
    edify_expr *small[SMALL_ARGC];
    edify_expr **argv = small;
    if (argc > SMALL_ARGC) {
        argv = malloc(argc * sizeof *argv);
        if (!argv)
            return out_of_memory(st, f->name, e);
    }
    for (uint32_t i = 0; i < argc; i++)
        argv[i] = child(st, e, i);
    const edify_call call = {f->name, (int)argc, argv};
    edify_value *v = f->fn(st, &call);
    if (argv != small)
        free(argv);
    /* The innermost failing builtin is the one named; a builtin that calls
     * edify_fail itself clears fail_function so that it is named. */
    if (!v && !st->fail_function) {
        if (st->error.code == OTA_OK)
            ota_error_set(&st->error, OTA_ERR_UNSUPPORTED, "failed without giving a reason");
        st->fail_function = f->name;
        st->fail_line = (int)e->line;
        st->fail_column = (int)e->column;
    }
    return v;
}

static edify_value *eval_seq(edify_state *st, const edify_expr *e)
{
    uint32_t n = edify_node_count(e);
    for (uint32_t i = 0; i + 1 < n; i++) {
        edify_value *v = edify_eval(st, child(st, e, i));
        if (!v)
            return NULL;
        edify_value_free(v);
    }
    return edify_eval(st, child(st, e, n - 1));
}

static edify_value *eval_concat(edify_state *st, const edify_expr *e)
{
    uint32_t n = edify_node_count(e);
    edify_value *small[SMALL_ARGC];
    edify_value **vals = small;
    if (n > SMALL_ARGC) {
        vals = malloc(n * sizeof *vals);
        if (!vals)
            return out_of_memory(st, "+", e);
    }
    edify_value *result = NULL;
    uint32_t got = 0;
    for (; got < n; got++) {
        vals[got] = edify_eval(st, child(st, e, got));
        if (!vals[got])
            goto done;
    }
    result = edify_concat_values(vals, n);
    if (!result)
        out_of_memory(st, "+", e);
done:
    edify_free_values(vals, (int)got);
    if (vals != small)
        free(vals);
    return result;
}

static edify_value *truth(edify_state *st, const edify_expr *e, int b)
{
    edify_value *v = edify_string(b ? "t" : "");
    return v ? v : out_of_memory(st, "operator", e);
}

static edify_value *eval_compare(edify_state *st, const edify_expr *e)
{
    edify_value *left = edify_eval(st, child(st, e, 0));
    if (!left)
        return NULL;
    edify_value *right = edify_eval(st, child(st, e, 1));
    if (!right) {
        edify_value_free(left);
        return NULL;
    }
    int equal = left->len == right->len && memcmp(left->data, right->data, left->len) == 0;
    edify_value_free(left);
    edify_value_free(right);
    return truth(st, e, edify_node_kind(e) == EDIFY_K_EQ ? equal : !equal);
}

/* && stops at the first false value, || at the first true one; either
 * returns the last value it evaluated. */
static edify_value *eval_logic(edify_state *st, const edify_expr *e)
{
    int stop_when = edify_node_kind(e) == EDIFY_K_OR;
    uint32_t n = edify_node_count(e);
    for (uint32_t i = 0;; i++) {
        edify_value *v = edify_eval(st, child(st, e, i));
        if (!v || i + 1 == n || edify_value_true(v) == stop_when)
            return v;
        edify_value_free(v);
    }
}

static edify_value *eval_not(edify_state *st, const edify_expr *e)
{
    edify_value *v = edify_eval(st, child(st, e, 0));
    if (!v)
        return NULL;
    int b = edify_value_true(v);
    edify_value_free(v);
    return truth(st, e, !b);
}

/* As Android's ifelse: without an else branch, a false condition is the
 * value (the empty string). */
static edify_value *eval_if(edify_state *st, const edify_expr *e)
{
    edify_value *cond = edify_eval(st, child(st, e, 0));
    if (!cond)
        return NULL;
    if (edify_value_true(cond)) {
        edify_value_free(cond);
        return edify_eval(st, child(st, e, 1));
    }
    if (edify_node_count(e) == 3) {
        edify_value_free(cond);
        return edify_eval(st, child(st, e, 2));
    }
    return cond;
}

edify_value *edify_eval(edify_state *st, edify_expr *expr)
{
    if (!st)
        return NULL;
    if (!st->script || !expr) {
        ota_error_set(&st->error, OTA_ERR_ARGS, "nothing to evaluate (no script or expression)");
        return NULL;
    }
    switch (edify_node_kind(expr)) {
    case EDIFY_K_STRING:
    case EDIFY_K_BLOB: return eval_literal(st, expr);
    case EDIFY_K_CALL: return eval_call(st, expr);
    case EDIFY_K_SEQ: return eval_seq(st, expr);
    case EDIFY_K_CONCAT: return eval_concat(st, expr);
    case EDIFY_K_EQ:
    case EDIFY_K_NE: return eval_compare(st, expr);
    case EDIFY_K_AND:
    case EDIFY_K_OR: return eval_logic(st, expr);
    case EDIFY_K_NOT: return eval_not(st, expr);
    case EDIFY_K_IF: return eval_if(st, expr);
    }
    return fail_here(st, "evaluator", expr, OTA_ERR_FORMAT, "corrupt expression node");
}

edify_value *edify_run(edify_state *st)
{
    if (!st)
        return NULL;
    ota_error_clear(&st->error);
    st->fail_function = NULL;
    st->fail_line = st->fail_column = 0;
    if (!st->script) {
        ota_error_set(&st->error, OTA_ERR_ARGS, "no script to run");
        return NULL;
    }
    return edify_eval(st, edify_node_at(st->script, st->script->root));
}

/* Evaluates argument number `index` (1-based, for the message); with
 * !allow_blobs, values holding NUL bytes are refused. */
static edify_value *eval_arg(edify_state *st, edify_expr *expr, int index, int allow_blobs)
{
    edify_value *v = edify_eval(st, expr);
    if (v && !allow_blobs && (v->type == EDIFY_BLOB || memchr(v->data, '\0', v->len))) {
        edify_value_free(v);
        return edify_fail(st, "argument %d is binary data (a blob); a string is expected", index);
    }
    return v;
}

int edify_eval_args(edify_state *st, int argc, edify_expr *const *argv,
                    edify_value **out, int allow_blobs)
{
    for (int i = 0; i < argc; i++) {
        out[i] = eval_arg(st, argv[i], i + 1, allow_blobs);
        if (!out[i]) {
            edify_free_values(out, i);
            return -1;
        }
    }
    return 0;
}

int edify_eval_strings(edify_state *st, int argc, edify_expr *const *argv, char **out)
{
    for (int i = 0; i < argc; i++) {
        if (st && st->script && argv[i] && edify_node_kind(argv[i]) == EDIFY_K_STRING) {
            /* A literal argument (the usual case): copy its text directly,
             * without a value around it. */
            size_t len = edify_node_count(argv[i]);
            out[i] = malloc(len + 1);
            if (!out[i]) {
                edify_free_strings(out, i);
                edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
                return -1;
            }
            memcpy(out[i], edify_node_text(argv[i]), len + 1);
            continue;
        }
        edify_value *v = eval_arg(st, argv[i], i + 1, 0);
        if (!v) {
            edify_free_strings(out, i);
            return -1;
        }
        out[i] = v->data; /* the value's string becomes the caller's */
        free(v);
    }
    return 0;
}

void edify_free_values(edify_value **vals, int n)
{
    for (int i = 0; vals && i < n; i++) {
        edify_value_free(vals[i]);
        vals[i] = NULL;
    }
}

void edify_free_strings(char **strs, int n)
{
    for (int i = 0; strs && i < n; i++) {
        free(strs[i]);
        strs[i] = NULL;
    }
}

edify_value *edify_fail_code(edify_state *st, int code, const char *fmt, ...)
{
    if (!st)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    ota_error_vset(&st->error, code, fmt, ap);
    va_end(ap);
    st->fail_function = NULL; /* the evaluator names the builtin that returns */
    return NULL;
}

edify_value *edify_fail(edify_state *st, const char *fmt, ...)
{
    if (!st)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    ota_error_vset(&st->error, OTA_ERR_ARGS, fmt, ap);
    va_end(ap);
    st->fail_function = NULL;
    return NULL;
}

edify_value *edify_fail_errno(edify_state *st, const char *fmt, ...)
{
    if (!st)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    ota_error_verrno(&st->error, fmt, ap);
    va_end(ap);
    st->fail_function = NULL;
    return NULL;
}

edify_value *edify_fail_error(edify_state *st, const ota_error *err)
{
    if (!err || err->code == OTA_OK)
        return edify_fail_code(st, OTA_ERR_UNSUPPORTED, "failed without giving a reason");
    return edify_fail_code(st, err->code, "%s", err->message);
}

int edify_expr_line(const edify_expr *expr)
{
    return expr ? (int)expr->line : 0;
}

int edify_expr_column(const edify_expr *expr)
{
    return expr ? (int)expr->column : 0;
}

void edify_failure_format(const edify_state *st, char *out, size_t outsz)
{
    if (!out || outsz == 0)
        return;
    if (!st) {
        out[0] = '\0';
        return;
    }
    const char *file = st->script && st->script->filename ? st->script->filename : "<script>";
    const char *reason = st->error.message[0] ? st->error.message : "failed";
    if (st->fail_function)
        snprintf(out, outsz, "%s:%d:%d: %s: %s", file, st->fail_line, st->fail_column,
                 st->fail_function, reason);
    else
        snprintf(out, outsz, "%s: %s", file, reason);
}

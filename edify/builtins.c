/* The core builtins of Android's edify (KitKat semantics): ifelse abort
 * assert concat is_substring stdout sleep less_than_int greater_than_int. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edify/internal.h"

static edify_value *truth(edify_state *st, int b)
{
    edify_value *v = edify_string(b ? "t" : "");
    return v ? v : edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
}

/* ifelse(cond, then [, else]): the same as `if cond then a [else b] endif`. */
static edify_value *fn_ifelse(edify_state *st, const edify_call *call)
{
    edify_value *cond = edify_eval(st, call->argv[0]);
    if (!cond)
        return NULL;
    if (edify_value_true(cond)) {
        edify_value_free(cond);
        return edify_eval(st, call->argv[1]);
    }
    if (call->argc == 3) {
        edify_value_free(cond);
        return edify_eval(st, call->argv[2]);
    }
    return cond;
}

/* abort([message]): fails the script, with the message when given. */
static edify_value *fn_abort(edify_state *st, const edify_call *call)
{
    if (call->argc == 0)
        return edify_fail_code(st, OTA_ERR_ABORTED, "called abort()");
    edify_value *msg = edify_eval(st, call->argv[0]);
    if (!msg)
        return NULL;
    if (msg->len == 0)
        edify_fail_code(st, OTA_ERR_ABORTED, "called abort()");
    else /* %.*s stops at a NUL byte inside a blob: fine for a message */
        edify_fail_code(st, OTA_ERR_ABORTED, "%.*s", msg->len > INT_MAX ? INT_MAX : (int)msg->len,
                        msg->data);
    edify_value_free(msg);
    return NULL;
}

/* Out of line: assert's own frame stays small while it evaluates its
 * (possibly deeply nested) arguments. */
static __attribute__((noinline)) edify_value *assert_failed(edify_state *st,
                                                            const edify_expr *cond)
{
    char text[512];
    edify_render(st->script, cond, text, sizeof text);
    return edify_fail_code(st, OTA_ERR_ABORTED, "assert failed: %s", text);
}

/* assert(cond...): each condition in turn must be true; the first false
 * one fails the script with its text. */
static edify_value *fn_assert(edify_state *st, const edify_call *call)
{
    for (int i = 0; i < call->argc; i++) {
        edify_value *v = edify_eval(st, call->argv[i]);
        if (!v)
            return NULL;
        int ok = edify_value_true(v);
        edify_value_free(v);
        if (!ok)
            return assert_failed(st, call->argv[i]);
    }
    return truth(st, 0);
}

/* concat(a, b, ...): the values joined; the same as a + b + ... */
static edify_value *fn_concat(edify_state *st, const edify_call *call)
{
    if (call->argc == 0)
        return truth(st, 0);
    edify_value **vals = calloc((size_t)call->argc, sizeof *vals);
    if (!vals)
        return edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
    edify_value *result = NULL;
    if (edify_eval_args(st, call->argc, call->argv, vals, 1) == 0) {
        result = edify_concat_values(vals, (size_t)call->argc);
        if (!result)
            edify_fail_code(st, OTA_ERR_NOMEM, "out of memory joining %d values", call->argc);
        edify_free_values(vals, call->argc);
    }
    free(vals);
    return result;
}

/* is_substring(needle, haystack): "t" when needle occurs in haystack. */
static edify_value *fn_is_substring(edify_state *st, const edify_call *call)
{
    edify_value *v[2];
    if (edify_eval_args(st, 2, call->argv, v, 1) < 0)
        return NULL;
    int found = v[0]->len == 0 || memmem(v[1]->data, v[1]->len, v[0]->data, v[0]->len) != NULL;
    edify_free_values(v, 2);
    return truth(st, found);
}

/* stdout(a, b, ...): writes the values to standard output; "" */
static edify_value *fn_stdout(edify_state *st, const edify_call *call)
{
    for (int i = 0; i < call->argc; i++) {
        edify_value *v = edify_eval(st, call->argv[i]);
        if (!v)
            return NULL;
        int failed = fwrite(v->data, 1, v->len, stdout) != v->len || fflush(stdout) != 0;
        edify_value_free(v);
        if (failed)
            return edify_fail_errno(st, "cannot write to standard output");
    }
    return truth(st, 0);
}

/* sleep(seconds): waits, then returns its argument. */
static edify_value *fn_sleep(edify_state *st, const edify_call *call)
{
    char *secs;
    if (edify_eval_strings(st, 1, call->argv, &secs) < 0)
        return NULL;
    char *end;
    errno = 0;
    long long n = strtoll(secs, &end, 10);
    if (secs[0] == '\0' || *end != '\0' || errno == ERANGE || n < 0 || n > INT_MAX) {
        edify_value *r = edify_fail(st, "\"%.64s\" is not a number of seconds", secs);
        free(secs);
        return r;
    }
    struct timespec left = {(time_t)n, 0};
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
    edify_value *v = edify_string_take(secs, strlen(secs));
    return v ? v : edify_fail_code(st, OTA_ERR_NOMEM, "out of memory");
}

/* As KitKat: a value that is not a decimal integer makes the comparison
 * false rather than failing the script (KitKat also printed a warning;
 * a library does not print). */
static int parse_int(const char *s, long long *out)
{
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return s[0] != '\0' && *end == '\0' && errno != ERANGE;
}

/* less_than_int(a, b) and greater_than_int(a, b): one function, told
 * apart by name. */
static edify_value *fn_compare_int(edify_state *st, const edify_call *call)
{
    int greater = strcmp(call->name, "greater_than_int") == 0;
    char *s[2];
    if (edify_eval_strings(st, 2, call->argv, s) < 0)
        return NULL;
    long long a, b;
    int result = parse_int(s[0], &a) && parse_int(s[1], &b) && (greater ? a > b : a < b);
    edify_free_strings(s, 2);
    return truth(st, result);
}

int edify_register_core(edify_funcs *fns, ota_error *err)
{
    static const edify_reg core[] = {
        {"ifelse", fn_ifelse, 2, 3},
        {"abort", fn_abort, 0, 1},
        {"assert", fn_assert, 1, EDIFY_VARARGS},
        {"concat", fn_concat, 0, EDIFY_VARARGS},
        {"is_substring", fn_is_substring, 2, 2},
        {"stdout", fn_stdout, 0, EDIFY_VARARGS},
        {"sleep", fn_sleep, 1, 1},
        {"less_than_int", fn_compare_int, 2, 2},
        {"greater_than_int", fn_compare_int, 2, 2},
        {NULL, NULL, 0, 0},
    };
    return edify_register_table(fns, core, err);
}

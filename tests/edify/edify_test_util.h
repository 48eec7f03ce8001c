/* Helpers shared by the edify unit tests: parse and run a script with the
 * core builtins (plus any the test registers), keeping the outcome. */
#ifndef TESTS_EDIFY_TEST_UTIL_H
#define TESTS_EDIFY_TEST_UTIL_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "edify/edify.h"

typedef struct run_result {
    int parsed;              /* 0: syntax errors (in diags) */
    edify_diags diags;
    edify_value *value;      /* NULL when the run failed */
    edify_state st;          /* failure details */
    char failure[2048];      /* edify_failure_format */
    char fail_function[128]; /* st.fail_function, copied before the script is freed */
} run_result;

/* Parses and runs len bytes of src with fns (core builtins when NULL). */
static inline run_result *run_n(const char *src, size_t len, edify_funcs *fns, void *cookie)
{
    run_result *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    edify_funcs *own = NULL;
    if (!fns) {
        own = fns = edify_funcs_new();
        ck_assert_ptr_nonnull(fns);
        ck_assert_int_eq(edify_register_core(fns, NULL), 0);
    }
    edify_script *s = edify_parse(src, len, "test.edify", fns, &r->diags);
    if (s) {
        r->parsed = 1;
        r->st.script = s;
        r->st.cookie = cookie;
        r->value = edify_run(&r->st);
        edify_failure_format(&r->st, r->failure, sizeof r->failure);
        if (r->st.fail_function)
            strncpy(r->fail_function, r->st.fail_function, sizeof r->fail_function - 1);
        r->st.fail_function = NULL; /* it pointed into the script */
        edify_script_free(s);
        r->st.script = NULL;
    }
    edify_funcs_free(own);
    return r;
}

static inline run_result *run(const char *src)
{
    return run_n(src, strlen(src), NULL, NULL);
}

static inline void run_free(run_result *r)
{
    edify_value_free(r->value);
    edify_diags_free(&r->diags);
    free(r);
}

/* The value of a script that must succeed, as a malloc'd string. */
static inline char *eval_ok(const char *src)
{
    run_result *r = run(src);
    ck_assert_msg(r->parsed, "syntax error in %s: %s", src,
                  r->diags.count ? r->diags.items[0].message : "?");
    ck_assert_msg(r->value != NULL, "%s failed: %s", src, r->failure);
    char *out = strdup(r->value->data);
    run_free(r);
    return out;
}

#define ck_assert_eval(src, expected)          \
    do {                                       \
        char *got_ = eval_ok(src);             \
        ck_assert_str_eq(got_, (expected));    \
        free(got_);                            \
    } while (0)

/* A script that must parse and then fail; returns the result to inspect. */
static inline run_result *eval_fails(const char *src)
{
    run_result *r = run(src);
    ck_assert_msg(r->parsed, "syntax error in %s", src);
    ck_assert_msg(r->value == NULL, "%s should fail but gave \"%s\"", src, r->value->data);
    return r;
}

/* Repeats piece n times, between head and tail (malloc'd, *len set). */
static inline char *repeat(const char *head, const char *piece, size_t n, const char *mid,
                           const char *tail, size_t *len)
{
    size_t hl = strlen(head), pl = strlen(piece), ml = strlen(mid), tl = strlen(tail);
    size_t total = hl + n * pl + ml + n * tl;
    char *s = malloc(total + 1);
    ck_assert_ptr_nonnull(s);
    char *p = s;
    memcpy(p, head, hl);
    p += hl;
    for (size_t i = 0; i < n; i++, p += pl)
        memcpy(p, piece, pl);
    memcpy(p, mid, ml);
    p += ml;
    for (size_t i = 0; i < n; i++, p += tl)
        memcpy(p, tail, tl);
    *p = '\0';
    *len = total;
    return s;
}

#endif

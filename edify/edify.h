/* edify: the language of Android's updater-script.
 *
 * A script is one expression.  Values are strings or blobs (binary, may hold
 * NUL bytes).  Functions are macros: a builtin receives its argument
 * expressions unevaluated and evaluates those it wants.  The library keeps
 * no global mutable state: functions live in an edify_funcs table passed to
 * the parser, and a caller's context rides in edify_state.cookie.
 *
 * Typical use:
 *     edify_funcs *fns = edify_funcs_new();
 *     edify_register_core(fns, &err);
 *     static const edify_reg mine[] = { {"mount", my_mount, 4, 5}, {NULL} };
 *     edify_register_table(fns, mine, &err);
 *     edify_diags diags = {0};
 *     edify_script *s = edify_parse(src, len, "updater-script", fns, &diags);
 *     if (!s) { print diags.items[i] ...; }
 *     edify_state st = { .script = s, .cookie = my_ctx };
 *     edify_value *v = edify_run(&st);
 *     if (!v) { st.error.message, st.fail_function, st.fail_line ... }
 */
#ifndef EDIFY_EDIFY_H
#define EDIFY_EDIFY_H

#include <stddef.h>

#include "otautil/error.h"

typedef enum edify_type { EDIFY_STRING, EDIFY_BLOB } edify_type;

typedef struct edify_value {
    edify_type type;
    size_t len;  /* bytes in data, not counting the trailing NUL */
    char *data;  /* always NUL-terminated (blobs too, for convenience) */
} edify_value;

edify_value *edify_string(const char *s);                 /* copies s */
edify_value *edify_string_n(const char *s, size_t len);   /* copies */
edify_value *edify_string_take(char *s, size_t len);      /* takes malloc'd s */
edify_value *edify_blob(const void *data, size_t len);    /* copies */
edify_value *edify_blob_take(void *data, size_t len);     /* takes malloc'd data (len+1 bytes, NUL at len) */
void edify_value_free(edify_value *v);
/* The empty string is false; every other value is true. */
int edify_value_true(const edify_value *v);

typedef struct edify_expr edify_expr;     /* a node of the parsed script */
typedef struct edify_script edify_script; /* a parsed script (owns its nodes) */
typedef struct edify_funcs edify_funcs;   /* name -> builtin table */
typedef struct edify_state edify_state;

/* One call of a builtin: the name it was called by (aliases sharing one
 * function tell themselves apart by it, as KitKat's DeleteFn does) and its
 * argc unevaluated argument expressions, which the builtin evaluates as it
 * needs them (edify_eval, edify_eval_strings ...). */
typedef struct edify_call {
    const char *name;
    int argc;
    edify_expr *const *argv;
} edify_call;

/* A builtin.  Returns a new value, or NULL after recording the failure with
 * edify_fail().  Registered from a table (edify_reg), it is called only
 * with an argument count inside its row's range. */
typedef edify_value *(*edify_fn)(edify_state *st, const edify_call *call);

edify_funcs *edify_funcs_new(void);
void edify_funcs_free(edify_funcs *fns);

/* A builtin's row in a family's table (the shape of Lua's luaL_Reg).  The
 * evaluator checks min_args <= argc <= max_args before it calls fn, so a
 * builtin never checks its argument count itself; max_args EDIFY_VARARGS
 * means no upper bound.  Aliases are rows sharing one fn, which tells them
 * apart by the name it is called with.  A table ends with a row whose name
 * is NULL. */
#define EDIFY_VARARGS (-1)
typedef struct edify_reg {
    const char *name;
    edify_fn fn;
    int min_args, max_args;
} edify_reg;

/* Adds (or replaces) every row of table.  Returns 0, or -1 at the first
 * row that cannot be added, with err naming it. */
int edify_register_table(edify_funcs *fns, const edify_reg *table, ota_error *err);
/* Adds or replaces one builtin that checks its own arguments (any count is
 * passed through).  Returns 0, -1 on allocation failure. */
int edify_register(edify_funcs *fns, const char *name, edify_fn fn);
/* ifelse abort assert concat is_substring stdout sleep less_than_int
 * greater_than_int.  Returns 0, or -1 with err set. */
int edify_register_core(edify_funcs *fns, ota_error *err);
edify_fn edify_lookup(const edify_funcs *fns, const char *name);
/* The whole row of a registered builtin (name owned by fns), or NULL. */
const edify_reg *edify_lookup_reg(const edify_funcs *fns, const char *name);
/* For tools that read a script without running it (ota_info): from now on
 * the parser accepts calls to names fns does not have, instead of
 * reporting "unknown function".  Such a call fails if the script is run. */
void edify_funcs_accept_unknown(edify_funcs *fns);

/* ---- parsing ----------------------------------------------------------- */

typedef struct edify_diag {
    int line, column;   /* 1-based */
    char message[256];  /* what was wrong and what was expected */
} edify_diag;

typedef struct edify_diags {
    edify_diag *items;  /* malloc'd; free with edify_diags_free */
    size_t count;
    const char *filename; /* copied from edify_parse's argument */
} edify_diags;

/* Parses src (len bytes; may contain NUL bytes, which are reported).
 * Returns NULL when there were errors; all of them are in diags (a limited
 * number, with a final note when more were suppressed).  Nesting deeper than
 * EDIFY_MAX_DEPTH is an error, not a stack overflow.  diags is overwritten
 * (may be NULL); on success it is left empty and needs no freeing.  src is
 * not referenced after the call returns.  Scripts up to 256 MiB. */
#define EDIFY_MAX_DEPTH 1000
/* At most this many errors are listed, plus a final "too many errors". */
#define EDIFY_MAX_DIAGS 100
edify_script *edify_parse(const char *src, size_t len, const char *filename,
                          const edify_funcs *fns, edify_diags *diags);
void edify_script_free(edify_script *script);
void edify_diags_free(edify_diags *diags);
/* Formats diag i as "FILE:LINE:COL: message" into out. */
void edify_diag_format(const edify_diags *diags, size_t i, char *out, size_t outsz);

/* ---- checking and inspecting without running ---------------------------- */

/* Parses src as edify_parse does and, when it parses, checks every call's
 * argument count against its builtin's range (edify_reg min_args/max_args):
 * a mistake Android finds only when the call runs.  Nothing is evaluated.
 * Returns the number of errors, all in diags (syntax errors, or else the
 * calls with a wrong count, as "NAME: expects 2 arguments, got 1" at the
 * call), 0 for a clean script, -1 when memory ran out. */
int edify_check(const char *src, size_t len, const char *filename, const edify_funcs *fns,
                edify_diags *diags);

/* Calls visit(ctx, script, call) for every call in the script, in source
 * order (a call before the calls in its arguments), whether or not it would
 * run.  A nonzero return from visit stops the walk and is returned;
 * otherwise 0. */
typedef int (*edify_visit_fn)(void *ctx, const edify_script *script, const edify_expr *call);
int edify_walk_calls(const edify_script *script, edify_visit_fn visit, void *ctx);
/* A call's builtin name (storage of the script), its argument count, and
 * its i-th argument expression (0-based; NULL when out of range). */
const char *edify_call_name(const edify_script *script, const edify_expr *call);
int edify_call_argc(const edify_expr *call);
const edify_expr *edify_call_arg(const edify_script *script, const edify_expr *call, int i);
/* The text of a literal (a quoted string or a bare word), with its length
 * in *len (may be NULL); NULL when expr is computed (a call, an operator). */
const char *edify_expr_literal(const edify_expr *expr, size_t *len);

/* ---- evaluation --------------------------------------------------------- */

struct edify_state {
    const edify_script *script; /* set by the caller */
    void *cookie;               /* the caller's context, for its builtins */
    /* Filled in on failure: */
    ota_error error;            /* reason and code (OTA_ERR_ABORTED for abort/assert) */
    const char *fail_function;  /* name of the failing builtin (storage of the script:
                                   valid until edify_script_free) */
    int fail_line, fail_column; /* script position of that call */
};

/* Evaluates the whole script.  Returns its value (caller frees) or NULL with
 * st->error / fail_* set. */
edify_value *edify_run(edify_state *st);

/* For builtins: evaluate one argument expression.  NULL on failure (the
 * failure is already recorded). */
edify_value *edify_eval(edify_state *st, edify_expr *expr);
/* Evaluates all argc arguments into out[] (values must be freed), requiring
 * each to be a string (no NUL bytes) unless allow_blobs. Returns 0 or -1. */
int edify_eval_args(edify_state *st, int argc, edify_expr *const *argv,
                    edify_value **out, int allow_blobs);
/* Evaluates all arguments to C strings (malloc'd; free each).  0 or -1. */
int edify_eval_strings(edify_state *st, int argc, edify_expr *const *argv, char **out);
void edify_free_values(edify_value **vals, int n);
void edify_free_strings(char **strs, int n);

/* Records a failure of the builtin currently running (its name and script
 * position are added by the evaluator when the builtin returns NULL) and
 * returns NULL, so builtins can `return edify_fail(st, "...")`.  The message
 * is the reason only; the evaluator does not prefix it.  edify_fail uses the
 * code OTA_ERR_ARGS (a builtin rejecting its arguments, the usual case);
 * edify_fail_code takes another code. */
edify_value *edify_fail(edify_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
edify_value *edify_fail_code(edify_state *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, taking the reason from an ota_error a library filled in. */
edify_value *edify_fail_error(edify_state *st, const ota_error *err);
/* Same, appending ": strerror(errno)" and taking the code from errno
 * (ENOSPC -> OTA_ERR_NOSPACE, ENOENT -> OTA_ERR_NOTFOUND, ... as
 * ota_error_errno does), so a full disk is reported as one. */
edify_value *edify_fail_errno(edify_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Position of an expression in the script (for messages). */
int edify_expr_line(const edify_expr *expr);
int edify_expr_column(const edify_expr *expr);

/* Formats a failed run as "FILE:LINE:COL: FUNCTION: REASON" (or
 * "FILE: REASON" when no builtin was running) into out. */
void edify_failure_format(const edify_state *st, char *out, size_t outsz);

#endif

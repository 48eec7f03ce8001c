/* Reading a parsed script without running it: the call walker, literal
 * access, and edify_check, which adds the argument-count check Android can
 * only make when a call runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edify/internal.h"

void edify_describe_arg_range(int lo, int hi, char *out, size_t outsz)
{
    if (hi == EDIFY_VARARGS)
        snprintf(out, outsz, "at least %d argument%s", lo, lo == 1 ? "" : "s");
    else if (lo == hi)
        snprintf(out, outsz, "%d argument%s", lo, lo == 1 ? "" : "s");
    else if (lo == 0)
        snprintf(out, outsz, "at most %d argument%s", hi, hi == 1 ? "" : "s");
    else if (hi == lo + 1)
        snprintf(out, outsz, "%d or %d arguments", lo, hi);
    else
        snprintf(out, outsz, "%d to %d arguments", lo, hi);
}

/* ---- walking ------------------------------------------------------------ */

const char *edify_call_name(const edify_script *script, const edify_expr *call)
{
    if (!script || !call || edify_node_kind(call) != EDIFY_K_CALL)
        return NULL;
    return script->funcs[call->rest[0]].name;
}

int edify_call_argc(const edify_expr *call)
{
    if (!call || edify_node_kind(call) != EDIFY_K_CALL)
        return 0;
    return (int)edify_node_count(call);
}

const edify_expr *edify_call_arg(const edify_script *script, const edify_expr *call, int i)
{
    if (!script || i < 0 || i >= edify_call_argc(call))
        return NULL;
    return edify_node_at(script, edify_node_child(call, (uint32_t)i));
}

const char *edify_expr_literal(const edify_expr *expr, size_t *len)
{
    if (!expr)
        return NULL;
    unsigned kind = edify_node_kind(expr);
    if (kind != EDIFY_K_STRING && kind != EDIFY_K_BLOB)
        return NULL;
    if (len)
        *len = edify_node_count(expr);
    return edify_node_text(expr);
}

/* Pre-order, so calls come in source order.  The recursion follows the
 * tree's real nesting, which the parser keeps within EDIFY_MAX_DEPTH. */
static int walk(const edify_script *script, const edify_expr *e, edify_visit_fn visit, void *ctx)
{
    unsigned kind = edify_node_kind(e);
    if (kind == EDIFY_K_STRING || kind == EDIFY_K_BLOB)
        return 0;
    if (kind == EDIFY_K_CALL) {
        int rc = visit(ctx, script, e);
        if (rc)
            return rc;
    }
    uint32_t n = edify_node_count(e);
    for (uint32_t i = 0; i < n; i++) {
        int rc = walk(script, edify_node_at(script, edify_node_child(e, i)), visit, ctx);
        if (rc)
            return rc;
    }
    return 0;
}

int edify_walk_calls(const edify_script *script, edify_visit_fn visit, void *ctx)
{
    if (!script || !visit)
        return 0;
    return walk(script, edify_node_at(script, script->root), visit, ctx);
}

/* ---- the argument-count check ------------------------------------------ */

typedef struct count_check {
    edify_diags *diags;
    size_t cap;
    int out_of_memory;
} count_check;

static int add_diag(count_check *c, int line, int column, const char *message)
{
    edify_diags *d = c->diags;
    if (d->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        edify_diag *items = realloc(d->items, cap * sizeof *items);
        if (!items) {
            c->out_of_memory = 1;
            return 1;
        }
        d->items = items;
        c->cap = cap;
    }
    edify_diag *item = &d->items[d->count++];
    item->line = line;
    item->column = column;
    snprintf(item->message, sizeof item->message, "%s", message);
    return 0;
}

static int check_call(void *ctx, const edify_script *script, const edify_expr *call)
{
    count_check *c = ctx;
    const edify_func_ref *f = &script->funcs[call->rest[0]];
    uint32_t argc = edify_node_count(call);
    if (!f->fn || (argc >= (uint32_t)f->min_args &&
                   (f->max_args == EDIFY_VARARGS || argc <= (uint32_t)f->max_args)))
        return 0;
    if (c->diags->count == EDIFY_MAX_DIAGS) {
        add_diag(c, (int)call->line, (int)call->column, "too many errors; stopping here");
        return 1;
    }
    char want[64], message[sizeof c->diags->items[0].message];
    edify_describe_arg_range(f->min_args, f->max_args, want, sizeof want);
    snprintf(message, sizeof message, "%.100s: expects %s, got %u", f->name, want, (unsigned)argc);
    return add_diag(c, (int)call->line, (int)call->column, message);
}

int edify_check(const char *src, size_t len, const char *filename, const edify_funcs *fns,
                edify_diags *diags)
{
    edify_diags local = {0};
    if (!diags)
        diags = &local;
    if (!filename)
        filename = "<script>";
    edify_script *script = edify_parse(src, len, filename, fns, diags);
    if (!script) {
        int n = diags->count > 0 ? (int)diags->count : -1;
        if (diags == &local)
            edify_diags_free(&local);
        return n;
    }
    count_check c = {diags, 0, 0};
    edify_walk_calls(script, check_call, &c);
    edify_script_free(script);
    int n = c.out_of_memory ? -1 : (int)diags->count;
    if (diags->count > 0 && !c.out_of_memory) {
        diags->filename = strdup(filename);
        if (!diags->filename)
            n = -1;
    }
    if (n < 0 || diags == &local)
        edify_diags_free(diags);
    return n;
}

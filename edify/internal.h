/* edify's private layout: how a parsed script is stored, shared by the
 * parser, the evaluator, the renderer and the core builtins.  Not part of
 * the public API (edify/edify.h).
 *
 * A script's nodes live in one array of 32-bit words, addressed by word
 * offsets, so a node costs a few words and no pointers: that keeps a parsed
 * million-statement script within a small multiple of its text size.
 * Children are always stored before their parent.  Every node starts with
 *     word 0: kind (low 4 bits) | count (high 28 bits)
 *     word 1: line, word 2: column (1-based, of the node's first token)
 * followed by
 *     literals: count bytes of text, a NUL, padding to a word;
 *     calls:    the function's index in the script's table, then count
 *               child offsets (the arguments);
 *     operators: count child offsets.
 */
#ifndef EDIFY_INTERNAL_H
#define EDIFY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "edify/edify.h"

enum edify_kind {
    EDIFY_K_STRING, /* literal without NUL bytes */
    EDIFY_K_BLOB,   /* literal holding NUL bytes (written as \x00) */
    EDIFY_K_CALL,
    EDIFY_K_SEQ,    /* a ; b ; c     -> value of the last */
    EDIFY_K_CONCAT, /* a + b + c */
    EDIFY_K_EQ,     /* a == b */
    EDIFY_K_NE,     /* a != b */
    EDIFY_K_AND,    /* a && b && c   -> the first false value or the last */
    EDIFY_K_OR,     /* a || b || c   -> the first true value or the last */
    EDIFY_K_NOT,    /* !a */
    EDIFY_K_IF,     /* if a then b [else c] endif */
};

#define EDIFY_KIND_BITS 4
#define EDIFY_COUNT_MAX ((UINT32_C(1) << (32 - EDIFY_KIND_BITS)) - 1)
/* Scripts are limited so that every literal length fits a node's count. */
#define EDIFY_MAX_SCRIPT ((size_t)EDIFY_COUNT_MAX)
#define EDIFY_NODE_WORDS 3 /* head, line, column */

struct edify_expr {
    uint32_t head;
    uint32_t line;
    uint32_t column;
    uint32_t rest[]; /* literal text, or [function index,] child offsets */
};

static inline unsigned edify_node_kind(const edify_expr *e)
{
    return e->head & ((1u << EDIFY_KIND_BITS) - 1);
}

static inline uint32_t edify_node_count(const edify_expr *e)
{
    return e->head >> EDIFY_KIND_BITS;
}

static inline const char *edify_node_text(const edify_expr *e)
{
    return (const char *)e->rest;
}

typedef struct edify_func_ref {
    edify_fn fn;
    char *name; /* owned by the script */
    int min_args, max_args; /* from the builtin's row (edify_reg) */
} edify_func_ref;

struct edify_script {
    uint32_t *words;   /* all nodes */
    size_t nwords;
    uint32_t root;     /* offset of the root node */
    edify_func_ref *funcs;
    size_t nfuncs;
    char *filename;
};

static inline edify_expr *edify_node_at(const edify_script *s, uint32_t off)
{
    return (edify_expr *)(s->words + off);
}

/* Offset of a call's or operator's i-th child. */
static inline uint32_t edify_node_child(const edify_expr *e, uint32_t i)
{
    return edify_node_kind(e) == EDIFY_K_CALL ? e->rest[1 + i] : e->rest[i];
}

/* Set by edify_funcs_accept_unknown: the parser binds unregistered names to
 * a function reference without a function (fn NULL), which the evaluator
 * refuses to call. */
int edify_funcs_accepts_unknown(const edify_funcs *fns);

/* "2 arguments", "2 or 3 arguments", "1 to 4 arguments", "at most 1
 * argument", "at least 1 argument": a builtin's argument range, for
 * "expects ..." messages (the evaluator's and edify_check's). */
void edify_describe_arg_range(int min_args, int max_args, char *out, size_t outsz);

/* Writes expr as edify source text into out (NUL-terminated, cut short with
 * "..." when it does not fit).  Used for "assert failed: EXPR". */
void edify_render(const edify_script *script, const edify_expr *expr,
                  char *out, size_t outsz);

/* The concatenation of n values, a blob when any of them is one.  NULL when
 * out of memory or the total length overflows. */
edify_value *edify_concat_values(edify_value *const *vals, size_t n);

#endif

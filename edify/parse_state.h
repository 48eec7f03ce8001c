/* The state of one edify_parse call and the services the grammar
 * (parser.c) builds on: diagnostics, the node array, the stack of pending
 * child offsets and the script's function table.  Private to the library. */
#ifndef EDIFY_PARSE_STATE_H
#define EDIFY_PARSE_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "edify/internal.h"
#include "edify/lexer.h"

/* A parsed subexpression, as the grammar passes it up. */
typedef struct pnode {
    uint32_t off;    /* node offset */
    uint32_t height; /* tree height below and including this node */
    uint32_t line, column;
} pnode;

typedef struct name_slot {
    uint32_t hash;
    uint32_t index; /* into funcs; UINT32_MAX: empty */
} name_slot;

typedef struct parser {
    edify_lexer lx;
    edify_token cur, next;
    int have_next;
    const edify_funcs *fns;
    /* output */
    uint32_t *words;
    size_t nwords, capwords;
    /* child offsets of the constructs being parsed, as a stack */
    uint32_t *pend;
    size_t npend, cappend;
    /* the script's function table and its name index */
    edify_func_ref *funcs;
    size_t nfuncs, capfuncs;
    name_slot *names;
    size_t capnames;
    char *namebuf;
    size_t capnamebuf;
    /* errors */
    edify_diags *diags;
    size_t ndiags, capdiags, nerrors;
    int stop; /* fatal: too many errors, too deep, out of memory */
    int depth;
} parser;

/* ---- diagnostics ------------------------------------------------------- */

/* Records an error; returns nonzero once parsing must stop (too many). */
int parse_error_at(parser *p, uint32_t line, uint32_t column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Records an error after which parsing stops (depth, size, memory). */
void parse_fatal(parser *p, uint32_t line, uint32_t column, const char *message);
void parse_out_of_memory(parser *p);
/* The lexer's error callback (ctx is the parser). */
int parse_lex_report(void *ctx, uint32_t line, uint32_t column, const char *message);

/* ---- nodes ------------------------------------------------------------- */

/* A new node with room for extra_words after its head; its offset.  After
 * a fatal error it returns 0, the placeholder node every script starts
 * with, so callers need no checks. */
uint32_t parse_node_new(parser *p, unsigned kind, uint32_t count, size_t extra_words,
                        uint32_t line, uint32_t column);
/* A literal node holding the value of a string or word token. */
uint32_t parse_literal_node(parser *p, const edify_token *tok);
/* Child offsets wait on a stack until their parent is built. */
int parse_grow_pending(parser *p);
static inline void parse_push_child(parser *p, uint32_t off)
{
    if (p->npend == p->cappend && parse_grow_pending(p) < 0)
        return;
    p->pend[p->npend++] = off;
}
/* A node of `kind` whose children are the pending offsets from `base` up
 * (after `prefix`, when has_prefix); pops them. */
uint32_t parse_node_from_pending(parser *p, unsigned kind, size_t base, uint32_t prefix,
                                 int has_prefix, uint32_t line, uint32_t column);

/* ---- functions --------------------------------------------------------- */

/* The index of the builtin called `name` (len bytes) in the script's table,
 * adding it on first use; UINT32_MAX, after reporting, for an unknown one. */
uint32_t parse_resolve_function(parser *p, const char *name, size_t len,
                                uint32_t line, uint32_t column);

void parse_state_free(parser *p);

#endif

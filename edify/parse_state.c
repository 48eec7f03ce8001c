/* Diagnostics, node storage and the function table of an edify parse
 * (see parse_state.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edify/parse_state.h"

/* ---- diagnostics ------------------------------------------------------------ */

static void add_diag(parser *p, uint32_t line, uint32_t column, const char *message)
{
    if (!p->diags)
        return;
    if (p->ndiags == p->capdiags) {
        size_t cap = p->capdiags ? p->capdiags * 2 : 8;
        edify_diag *items = realloc(p->diags->items, cap * sizeof *items);
        if (!items)
            return;
        p->diags->items = items;
        p->capdiags = cap;
    }
    edify_diag *d = &p->diags->items[p->ndiags++];
    d->line = (int)line;
    d->column = (int)column;
    snprintf(d->message, sizeof d->message, "%s", message);
    p->diags->count = p->ndiags;
}

int parse_error_at(parser *p, uint32_t line, uint32_t column, const char *fmt, ...)
{
    if (p->stop)
        return 1;
    char message[sizeof ((edify_diag *)0)->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    add_diag(p, line, column, message);
    if (++p->nerrors >= EDIFY_MAX_DIAGS) {
        add_diag(p, line, column, "too many errors; stopping here");
        p->stop = 1;
    }
    return p->stop;
}

int parse_lex_report(void *ctx, uint32_t line, uint32_t column, const char *message)
{
    return parse_error_at(ctx, line, column, "%s", message);
}

void parse_fatal(parser *p, uint32_t line, uint32_t column, const char *message)
{
    parse_error_at(p, line, column, "%s", message);
    p->stop = 1;
}

void parse_out_of_memory(parser *p)
{
    parse_fatal(p, p->cur.line, p->cur.column, "out of memory while parsing");
}

/* ---- node storage ------------------------------------------------------ */

/* Reserves n words; returns their offset, or 0 (the placeholder node every
 * script starts with) after a fatal error, so callers need no checks. */
static uint32_t reserve(parser *p, size_t n)
{
    if (p->stop)
        return 0;
    if (n > UINT32_MAX - p->nwords) {
        parse_fatal(p, p->cur.line, p->cur.column,
                    "script too large: its parsed form exceeds 16 GiB");
        return 0;
    }
    if (p->nwords + n > p->capwords) {
        size_t cap = p->capwords ? p->capwords : 1024;
        while (cap < p->nwords + n)
            cap *= 2;
        uint32_t *words = realloc(p->words, cap * sizeof *words);
        if (!words) {
            parse_out_of_memory(p);
            return 0;
        }
        p->words = words;
        p->capwords = cap;
    }
    uint32_t off = (uint32_t)p->nwords;
    p->nwords += n;
    return off;
}

uint32_t parse_node_new(parser *p, unsigned kind, uint32_t count, size_t extra_words,
                        uint32_t line, uint32_t column)
{
    uint32_t off = reserve(p, EDIFY_NODE_WORDS + extra_words);
    if (p->stop)
        return 0;
    edify_expr *e = (edify_expr *)(p->words + off);
    e->head = kind | (count << EDIFY_KIND_BITS);
    e->line = line;
    e->column = column;
    return off;
}

int parse_grow_pending(parser *p)
{
    size_t cap = p->cappend ? p->cappend * 2 : 256;
    uint32_t *pend = realloc(p->pend, cap * sizeof *pend);
    if (!pend) {
        parse_out_of_memory(p);
        return -1;
    }
    p->pend = pend;
    p->cappend = cap;
    return 0;
}

uint32_t parse_node_from_pending(parser *p, unsigned kind, size_t base, uint32_t prefix,
                                 int has_prefix, uint32_t line, uint32_t column)
{
    size_t n = p->npend - base;
    if (n > EDIFY_COUNT_MAX) {
        parse_fatal(p, line, column, "too many operands or arguments in one expression");
        return 0;
    }
    uint32_t off = parse_node_new(p, kind, (uint32_t)n, n + (has_prefix ? 1 : 0), line, column);
    if (!p->stop) {
        uint32_t *dst = p->words + off + EDIFY_NODE_WORDS;
        if (has_prefix)
            *dst++ = prefix;
        if (n)
            memcpy(dst, p->pend + base, n * sizeof *dst);
    }
    p->npend = base;
    return off;
}

uint32_t parse_literal_node(parser *p, const edify_token *tok)
{
    size_t len = tok->text_len;
    size_t words = (len + 1 + 3) / 4;
    uint32_t off = parse_node_new(p, EDIFY_K_STRING, (uint32_t)len, words, tok->line, tok->column);
    if (p->stop)
        return 0;
    char *text = (char *)(p->words + off + EDIFY_NODE_WORDS);
    /* Zero the padding so the node array has no uninitialized bytes. */
    p->words[off + EDIFY_NODE_WORDS + words - 1] = 0;
    edify_token_text(&p->lx, tok, text);
    if (tok->escaped && memchr(text, '\0', len))
        p->words[off] = EDIFY_K_BLOB | ((uint32_t)len << EDIFY_KIND_BITS);
    return off;
}

/* ---- the function table ------------------------------------------------ */

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int grow_names(parser *p)
{
    size_t cap = p->capnames ? p->capnames * 2 : 64;
    name_slot *names = malloc(cap * sizeof *names);
    if (!names)
        return -1;
    for (size_t i = 0; i < cap; i++)
        names[i].index = UINT32_MAX;
    for (size_t i = 0; i < p->capnames; i++) {
        if (p->names[i].index == UINT32_MAX)
            continue;
        size_t j = p->names[i].hash & (cap - 1);
        while (names[j].index != UINT32_MAX)
            j = (j + 1) & (cap - 1);
        names[j] = p->names[i];
    }
    free(p->names);
    p->names = names;
    p->capnames = cap;
    return 0;
}

uint32_t parse_resolve_function(parser *p, const char *name, size_t len,
                                uint32_t line, uint32_t column)
{
    if (2 * (p->nfuncs + 1) > p->capnames && grow_names(p) < 0) {
        parse_out_of_memory(p);
        return UINT32_MAX;
    }
    uint32_t h = hash_bytes(name, len);
    size_t j = h & (p->capnames - 1);
    for (; p->names[j].index != UINT32_MAX; j = (j + 1) & (p->capnames - 1)) {
        const char *known = p->funcs[p->names[j].index].name;
        if (p->names[j].hash == h && strlen(known) == len && memcmp(known, name, len) == 0)
            return p->names[j].index;
    }
    const edify_reg *row = memchr(name, '\0', len) ? NULL : edify_lookup_reg(p->fns, name);
    /* An inspecting caller takes any name: a row without a function. */
    const edify_reg unknown = {name, NULL, 0, EDIFY_VARARGS};
    if (!row && edify_funcs_accepts_unknown(p->fns) && !memchr(name, '\0', len))
        row = &unknown;
    if (!row) {
        char shown[64];
        size_t i, o = 0;
        for (i = 0; i < len && o < 40; i++)
            shown[o++] = (name[i] >= 0x20 && name[i] < 0x7f) ? name[i] : '?';
        shown[o] = '\0';
        parse_error_at(p, line, column, "unknown function '%s%s'", shown, i < len ? "..." : "");
        return UINT32_MAX;
    }
    if (p->nfuncs == p->capfuncs) {
        size_t cap = p->capfuncs ? p->capfuncs * 2 : 16;
        edify_func_ref *funcs = realloc(p->funcs, cap * sizeof *funcs);
        if (!funcs) {
            parse_out_of_memory(p);
            return UINT32_MAX;
        }
        p->funcs = funcs;
        p->capfuncs = cap;
    }
    char *copy = strdup(name);
    if (!copy) {
        parse_out_of_memory(p);
        return UINT32_MAX;
    }
    p->funcs[p->nfuncs].fn = row->fn;
    p->funcs[p->nfuncs].name = copy;
    p->funcs[p->nfuncs].min_args = row->min_args;
    p->funcs[p->nfuncs].max_args = row->max_args;
    p->names[j].hash = h;
    p->names[j].index = (uint32_t)p->nfuncs;
    return (uint32_t)p->nfuncs++;
}

/* ---- cleanup ----------------------------------------------------------- */

void parse_state_free(parser *p)
{
    free(p->words);
    free(p->pend);
    for (size_t i = 0; i < p->nfuncs; i++)
        free(p->funcs[i].name);
    free(p->funcs);
    free(p->names);
    free(p->namebuf);
}


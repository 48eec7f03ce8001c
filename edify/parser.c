/* edify's parser: recursive descent over the tokens of lexer.c, writing the
 * node array described in internal.h.
 *
 * Precedence, lowest first, as in Android's edify grammar:
 *     ;   ||   &&   == !=   +   !   (primaries: literals, calls, (...), if)
 * Chains of ; + && || become one node with n children, built in a loop, so
 * a million statements or terms cost no recursion.  Recursion happens only
 * for real nesting ((...), if, calls, which go through the depth check) and
 * the finished tree is never taller than EDIFY_MAX_DEPTH, which bounds the
 * evaluator's recursion too.
 *
 * Error recovery: a failing construct reports once and returns -1; the
 * innermost sequence skips to the next ';' or closing token at its own
 * nesting level and carries on, so later errors are found as well. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edify/parse_state.h"

static const unsigned TOP_LEVEL = 1u << EDIFY_T_EOF;
#define BIT(t) (1u << (t))

/* ---- tokens ------------------------------------------------------------ */

static void advance(parser *p)
{
    if (p->have_next) {
        p->cur = p->next;
        p->have_next = 0;
    } else {
        edify_lex_next(&p->lx, &p->cur);
    }
    if (p->stop)
        p->cur.type = EDIFY_T_EOF;
}

static edify_tok peek(parser *p)
{
    if (!p->have_next) {
        edify_lex_next(&p->lx, &p->next);
        p->have_next = 1;
    }
    return p->next.type;
}

static void describe_cur(parser *p, char *out, size_t outsz)
{
    edify_token_describe(&p->lx, &p->cur, out, outsz);
}

static int starts_expression(edify_tok t)
{
    return t == EDIFY_T_STRING || t == EDIFY_T_WORD || t == EDIFY_T_LPAREN ||
           t == EDIFY_T_NOT || t == EDIFY_T_IF;
}

/* Kept out of line so that the recursive functions' frames stay small. */
static __attribute__((noinline)) void report_too_deep(parser *p, uint32_t line, uint32_t column)
{
    char msg[128];
    snprintf(msg, sizeof msg, "expression nested deeper than %d levels", EDIFY_MAX_DEPTH);
    parse_fatal(p, line, column, msg);
}

/* Trees taller than EDIFY_MAX_DEPTH are refused: evaluating one would
 * recurse that deep. */
static int check_height(parser *p, const pnode *n)
{
    if (n->height > EDIFY_MAX_DEPTH) {
        report_too_deep(p, n->line, n->column);
        return -1;
    }
    return 0;
}

/* ---- grammar ----------------------------------------------------------- */

static int parse_or(parser *p, pnode *out);

/* What a sequence is nested in, for "expected ... (for the call to f at 1:1)". */
typedef struct opener {
    const char *what;         /* "the call to", "the '('", "the 'if'" */
    const edify_token *token; /* the opening token (a call's name) */
} opener;

/* Kept out of line so the recursive parse functions have small frames. */
static __attribute__((noinline)) void report_unexpected(parser *p, const char *expected,
                                                        unsigned closers, const opener *in)
{
    static const edify_tok order[] = {EDIFY_T_COMMA, EDIFY_T_RPAREN, EDIFY_T_THEN,
                                      EDIFY_T_ELSE, EDIFY_T_ENDIF};
    const char *names[5];
    size_t n = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (closers & BIT(order[i]))
            names[n++] = edify_tok_name(order[i]);
    char want[400], found[160];
    size_t used = (size_t)snprintf(want, sizeof want, "%s", expected);
    for (size_t i = 0; i < n && used < sizeof want; i++)
        used += (size_t)snprintf(want + used, sizeof want - used, "%s%s",
                                 i + 1 == n ? " or " : ", ", names[i]);
    if (in && used < sizeof want) {
        char opened[104] = "";
        if (in->token->type == EDIFY_T_STRING || in->token->type == EDIFY_T_WORD) {
            char desc[100];
            edify_token_describe(&p->lx, in->token, desc, sizeof desc);
            const char *space = strchr(desc, ' '); /* drop "word "/"string " */
            snprintf(opened, sizeof opened, " %s", space ? space + 1 : desc);
        }
        snprintf(want + used, sizeof want - used, " (for %s%s at %u:%u)", in->what, opened,
                 in->token->line, in->token->column);
    }
    describe_cur(p, found, sizeof found);
    /* The two usual slips get a hint: a forgotten ';' between statements,
     * and a computed function name. */
    const char *hint = "";
    if (p->cur.type == EDIFY_T_LPAREN)
        hint = " (a called function is named by a string or word)";
    else if (p->cur.type == EDIFY_T_STRING || p->cur.type == EDIFY_T_WORD ||
             p->cur.type == EDIFY_T_IF)
        hint = " (is a ';' missing before it?)";
    parse_error_at(p, p->cur.line, p->cur.column, "expected %s, found %s%s", want, found, hint);
}

static int parse_seq(parser *p, unsigned closers, const opener *in, pnode *out);
static int parse_primary(parser *p, pnode *out);

/* '!'* primary.  A run of '!' is counted, not recursed into. */
static int parse_unary(parser *p, pnode *out)
{
    uint32_t nots = 0, line = p->cur.line, column = p->cur.column;
    while (p->cur.type == EDIFY_T_NOT) {
        nots++;
        advance(p);
        if (nots > EDIFY_MAX_DEPTH) {
            pnode n = {0, nots, line, column};
            return check_height(p, &n);
        }
    }
    if (parse_primary(p, out) < 0)
        return -1;
    for (uint32_t i = 0; i < nots; i++) {
        parse_push_child(p, out->off);
        out->off = parse_node_from_pending(p, EDIFY_K_NOT, p->npend - 1, 0, 0, line, column);
        out->height++;
    }
    out->line = line;
    out->column = column;
    return check_height(p, out);
}

/* Binding strength of a binary operator token; 0 for anything else. */
enum { L_NONE, L_OR, L_AND, L_CMP, L_CONCAT };

static int binary_level(edify_tok t)
{
    switch (t) {
    case EDIFY_T_OR: return L_OR;
    case EDIFY_T_AND: return L_AND;
    case EDIFY_T_EQ:
    case EDIFY_T_NE: return L_CMP;
    case EDIFY_T_PLUS: return L_CONCAT;
    default: return L_NONE;
    }
}

/* Operators binding at least as tightly as min_level, by precedence
 * climbing: one call per operand instead of one per precedence level.
 * A run of one of the n-ary operators (|| && +) becomes a single node; ==
 * and != associate to the left: ((a == b) != c). */
static int parse_binary(parser *p, int min_level, pnode *out)
{
    if (parse_unary(p, out) < 0)
        return -1;
    for (;;) {
        edify_tok op = p->cur.type;
        int level = binary_level(op);
        if (level == L_NONE || level < min_level)
            return 0;
        pnode right;
        if (level == L_CMP) {
            advance(p);
            if (parse_binary(p, level + 1, &right) < 0)
                return -1;
            parse_push_child(p, out->off);
            parse_push_child(p, right.off);
            unsigned kind = op == EDIFY_T_EQ ? EDIFY_K_EQ : EDIFY_K_NE;
            out->off = parse_node_from_pending(p, kind, p->npend - 2, 0, 0, out->line,
                                               out->column);
            out->height = 1 + (right.height > out->height ? right.height : out->height);
        } else {
            size_t base = p->npend;
            uint32_t height = out->height;
            parse_push_child(p, out->off);
            while (p->cur.type == op) {
                advance(p);
                if (parse_binary(p, level + 1, &right) < 0)
                    return -1;
                parse_push_child(p, right.off);
                if (right.height > height)
                    height = right.height;
            }
            unsigned kind = level == L_OR ? EDIFY_K_OR : level == L_AND ? EDIFY_K_AND
                                                                         : EDIFY_K_CONCAT;
            out->off = parse_node_from_pending(p, kind, base, 0, 0, out->line, out->column);
            out->height = height + 1;
        }
        if (check_height(p, out) < 0)
            return -1;
    }
}

static int parse_or(parser *p, pnode *out)
{
    return parse_binary(p, L_OR, out);
}

/* Nesting of (...), if and calls: each level is a few C frames. */
static int enter(parser *p)
{
    if (++p->depth > EDIFY_MAX_DEPTH) {
        report_too_deep(p, p->cur.line, p->cur.column);
        return -1;
    }
    return 0;
}

static int leave(parser *p, int result)
{
    p->depth--;
    return result;
}

/* name ( [seq {, seq}] ) with cur on the name. */
static int parse_call(parser *p, pnode *out)
{
    edify_token name = p->cur;
    if (name.text_len + 1 > p->capnamebuf) {
        char *buf = realloc(p->namebuf, name.text_len + 1);
        if (!buf) {
            parse_out_of_memory(p);
            return -1;
        }
        p->namebuf = buf;
        p->capnamebuf = name.text_len + 1;
    }
    edify_token_text(&p->lx, &name, p->namebuf);
    uint32_t fn = parse_resolve_function(p, p->namebuf, name.text_len, name.line, name.column);
    opener in = {"the call to", &name};

    advance(p); /* the name */
    advance(p); /* ( */
    if (enter(p) < 0)
        return -1;
    size_t base = p->npend;
    uint32_t height = 0;
    if (p->cur.type == EDIFY_T_RPAREN) {
        advance(p);
    } else {
        for (;;) {
            pnode arg;
            if (parse_seq(p, BIT(EDIFY_T_COMMA) | BIT(EDIFY_T_RPAREN), &in, &arg) < 0)
                return leave(p, -1);
            parse_push_child(p, arg.off);
            if (arg.height > height)
                height = arg.height;
            edify_tok t = p->cur.type;
            advance(p);
            if (t == EDIFY_T_RPAREN)
                break;
        }
    }
    out->off = parse_node_from_pending(p, EDIFY_K_CALL, base, fn, 1, name.line, name.column);
    out->height = height + 1;
    out->line = name.line;
    out->column = name.column;
    return leave(p, check_height(p, out));
}

/* if seq then seq [else seq] endif, with cur on 'if'. */
static int parse_if(parser *p, pnode *out)
{
    edify_token if_token = p->cur;
    opener in = {"the 'if'", &if_token};
    advance(p);
    if (enter(p) < 0)
        return -1;
    size_t base = p->npend;
    pnode part;
    uint32_t height = 0;
    if (parse_seq(p, BIT(EDIFY_T_THEN), &in, &part) < 0)
        return leave(p, -1);
    parse_push_child(p, part.off);
    height = part.height;
    advance(p); /* then */
    if (parse_seq(p, BIT(EDIFY_T_ELSE) | BIT(EDIFY_T_ENDIF), &in, &part) < 0)
        return leave(p, -1);
    parse_push_child(p, part.off);
    if (part.height > height)
        height = part.height;
    if (p->cur.type == EDIFY_T_ELSE) {
        advance(p);
        if (parse_seq(p, BIT(EDIFY_T_ENDIF), &in, &part) < 0)
            return leave(p, -1);
        parse_push_child(p, part.off);
        if (part.height > height)
            height = part.height;
    }
    advance(p); /* endif */
    out->off = parse_node_from_pending(p, EDIFY_K_IF, base, 0, 0, if_token.line,
                                       if_token.column);
    out->height = height + 1;
    out->line = if_token.line;
    out->column = if_token.column;
    return leave(p, check_height(p, out));
}

/* ( seq ) with cur on '('. */
static int parse_paren(parser *p, pnode *out)
{
    edify_token paren = p->cur;
    opener in = {"the '('", &paren};
    advance(p);
    if (enter(p) < 0)
        return -1;
    if (parse_seq(p, BIT(EDIFY_T_RPAREN), &in, out) < 0)
        return leave(p, -1);
    advance(p);
    return leave(p, 0);
}

static __attribute__((noinline)) void report_no_expression(parser *p)
{
    char found[160];
    describe_cur(p, found, sizeof found);
    parse_error_at(p, p->cur.line, p->cur.column,
             "expected an expression (a string, a word, a call, '(', '!' or 'if'), found %s", found);
}

static int parse_primary(parser *p, pnode *out)
{
    switch (p->cur.type) {
    case EDIFY_T_STRING:
    case EDIFY_T_WORD:
        if (peek(p) == EDIFY_T_LPAREN)
            return parse_call(p, out);
        out->off = parse_literal_node(p, &p->cur);
        out->height = 1;
        out->line = p->cur.line;
        out->column = p->cur.column;
        advance(p);
        return 0;
    case EDIFY_T_LPAREN:
        return parse_paren(p, out);
    case EDIFY_T_IF:
        return parse_if(p, out);
    default:
        report_no_expression(p);
        return -1;
    }
}

/* Skips to where parsing can resume after an error: a ';' or a closing
 * token (')' ',' 'then' 'else' 'endif') at the current nesting level. */
static void synchronize(parser *p)
{
    int level = 0;
    for (;;) {
        switch (p->cur.type) {
        case EDIFY_T_EOF:
            return;
        case EDIFY_T_LPAREN:
        case EDIFY_T_IF:
            level++;
            break;
        case EDIFY_T_RPAREN:
        case EDIFY_T_ENDIF:
            if (level == 0)
                return;
            level--;
            break;
        case EDIFY_T_THEN:
        case EDIFY_T_ELSE:
        case EDIFY_T_COMMA:
        case EDIFY_T_SEMI:
            if (level == 0)
                return;
            break;
        default:
            break;
        }
        advance(p);
    }
}

/* After an error: on to the next ';' or closing token.  At the top level,
 * where nothing is open, closing tokens are strays and skipped too. */
static void recover(parser *p, unsigned closers)
{
    for (;;) {
        synchronize(p);
        if (closers != TOP_LEVEL || p->cur.type == EDIFY_T_EOF || p->cur.type == EDIFY_T_SEMI)
            return;
        advance(p);
    }
}

/* stmt {; stmt} [;] ending at one of `closers` (token-type bits).  Returns 0
 * with cur on a closer (errors inside may have been reported and recovered
 * from), -1 when no closer was found. */
static int parse_seq(parser *p, unsigned closers, const opener *in, pnode *out)
{
    size_t base = p->npend;
    uint32_t height = 0;
    int need_statement = 1, first = 1;
    *out = (pnode){0, 1, p->cur.line, p->cur.column};
    for (;;) {
        if (need_statement) {
            pnode stmt;
            size_t mine = p->npend;
            int ok = parse_or(p, &stmt) == 0;
            if (p->stop)
                return -1;
            if (ok) {
                parse_push_child(p, stmt.off);
                if (stmt.height > height)
                    height = stmt.height;
                if (first) {
                    out->line = stmt.line;
                    out->column = stmt.column;
                }
                first = 0;
                if (p->cur.type != EDIFY_T_SEMI && !(closers & BIT(p->cur.type))) {
                    report_unexpected(p, closers == TOP_LEVEL ? "an operator or ';'" : "an operator, ';'",
                                      closers, in);
                    ok = 0;
                }
            } else {
                p->npend = mine; /* whatever the failed statement left */
            }
            if (!ok)
                recover(p, closers);
            need_statement = 0;
        }
        if (p->stop)
            return -1;
        if (p->cur.type == EDIFY_T_SEMI) {
            while (p->cur.type == EDIFY_T_SEMI)
                advance(p);
            if (starts_expression(p->cur.type)) {
                need_statement = 1;
                continue;
            }
            if (closers & BIT(p->cur.type))
                break;
            report_unexpected(p, "an expression", closers == TOP_LEVEL ? 0 : closers, in);
            recover(p, closers);
            continue;
        }
        if (closers & BIT(p->cur.type))
            break;
        p->npend = base;
        return -1;
    }
    size_t n = p->npend - base;
    if (n == 1) {
        out->off = p->pend[base];
        out->height = height;
        p->npend = base;
    } else if (n > 1) {
        out->off = parse_node_from_pending(p, EDIFY_K_SEQ, base, 0, 0, out->line, out->column);
        out->height = height + 1;
    } else {
        p->npend = base; /* only failed statements: errors are reported */
    }
    return check_height(p, out);
}

/* ---- entry points ------------------------------------------------------ */

edify_script *edify_parse(const char *src, size_t len, const char *filename,
                          const edify_funcs *fns, edify_diags *diags)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.fns = fns;
    p.diags = diags;
    if (!filename)
        filename = "<script>";
    if (diags) {
        diags->items = NULL;
        diags->count = 0;
        diags->filename = NULL;
    }
    if (!src && len)
        len = 0;
    edify_lexer_init(&p.lx, src ? src : "", len, parse_lex_report, &p);

    if (len > EDIFY_MAX_SCRIPT) {
        char msg[128];
        snprintf(msg, sizeof msg, "script is %zu bytes; the limit is %zu", len, EDIFY_MAX_SCRIPT);
        parse_fatal(&p, 1, 1, msg);
    } else {
        /* Offset 0 is a placeholder (the empty string) that failed
         * allocations fall back to; a real parse never points at it. */
        uint32_t off = parse_node_new(&p, EDIFY_K_STRING, 0, 1, 1, 1);
        if (!p.stop)
            p.words[off + EDIFY_NODE_WORDS] = 0;
        advance(&p);
        if (p.cur.type == EDIFY_T_EOF && !p.stop)
            parse_error_at(&p, p.cur.line, p.cur.column,
                     "expected an expression, found end of script (the script is empty)");
    }
    pnode root = {0, 0, 0, 0};
    if (!p.stop && p.nerrors == 0)
        parse_seq(&p, TOP_LEVEL, NULL, &root);

    edify_script *script = NULL;
    if (p.nerrors == 0 && !p.stop) {
        script = calloc(1, sizeof *script);
        char *name = strdup(filename);
        if (!script || !name) {
            free(script);
            free(name);
            script = NULL;
            parse_out_of_memory(&p);
        } else {
            /* Give back the unused tail of the doubling growth. */
            uint32_t *words = realloc(p.words, p.nwords * sizeof *words);
            script->words = words ? words : p.words;
            script->nwords = p.nwords;
            script->root = root.off;
            script->funcs = p.funcs;
            script->nfuncs = p.nfuncs;
            script->filename = name;
            p.words = NULL;
            p.funcs = NULL;
            p.nfuncs = 0;
        }
    }
    if (!script && diags && p.ndiags > 0) {
        diags->filename = strdup(filename);
    } else if (!script && diags && p.ndiags == 0) {
        /* Failed without a message only when even that could not be stored. */
        diags->filename = NULL;
    }
    parse_state_free(&p);
    return script;
}

void edify_script_free(edify_script *script)
{
    if (!script)
        return;
    free(script->words);
    for (size_t i = 0; i < script->nfuncs; i++)
        free(script->funcs[i].name);
    free(script->funcs);
    free(script->filename);
    free(script);
}

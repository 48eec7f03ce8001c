/* Turns a parsed expression back into edify source text, for messages such
 * as "assert failed: getprop("ro.product.device") == "maguro"".  The script
 * text itself is not kept after parsing, so this is a canonical rendering:
 * same meaning, normalized spacing, parentheses only where needed. */
#include <stdio.h>
#include <string.h>

#include "edify/internal.h"
#include "edify/lexer.h"

typedef struct text_out {
    char *buf;
    size_t size, len;
    int full;
} text_out;

static void put(text_out *t, const char *s, size_t n)
{
    if (t->full)
        return;
    if (n >= t->size - t->len) {
        n = t->size - t->len - 1;
        t->full = 1;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void puts_(text_out *t, const char *s)
{
    put(t, s, strlen(s));
}

/* Binding strength: a child weaker than its context gets parentheses. */
enum { P_SEQ, P_OR, P_AND, P_CMP, P_CONCAT, P_NOT, P_PRIMARY };

static int strength(unsigned kind)
{
    switch (kind) {
    case EDIFY_K_SEQ: return P_SEQ;
    case EDIFY_K_OR: return P_OR;
    case EDIFY_K_AND: return P_AND;
    case EDIFY_K_EQ:
    case EDIFY_K_NE: return P_CMP;
    case EDIFY_K_CONCAT: return P_CONCAT;
    case EDIFY_K_NOT: return P_NOT;
    default: return P_PRIMARY;
    }
}

static int is_bare_word(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!edify_is_word_char((unsigned char)s[i]))
            return 0;
    static const char *const reserved[] = {"if", "then", "else", "endif"};
    for (size_t i = 0; i < 4; i++)
        if (strlen(reserved[i]) == n && memcmp(reserved[i], s, n) == 0)
            return 0;
    return 1;
}

static void put_literal(text_out *t, const char *s, size_t n)
{
    if (is_bare_word(s, n)) {
        put(t, s, n);
        return;
    }
    put(t, "\"", 1);
    for (size_t i = 0; i < n && !t->full; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(t, esc, 2);
        } else if (c == '\n') {
            put(t, "\\n", 2);
        } else if (c == '\t') {
            put(t, "\\t", 2);
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", c);
            put(t, esc, 4);
        } else {
            put(t, (const char *)&s[i], 1);
        }
    }
    put(t, "\"", 1);
}

static void render(text_out *t, const edify_script *s, const edify_expr *e, int context);

static void render_list(text_out *t, const edify_script *s, const edify_expr *e,
                        const char *sep, int context)
{
    uint32_t n = edify_node_count(e);
    for (uint32_t i = 0; i < n && !t->full; i++) {
        if (i)
            puts_(t, sep);
        render(t, s, edify_node_at(s, edify_node_child(e, i)), context);
    }
}

static void render(text_out *t, const edify_script *s, const edify_expr *e, int context)
{
    if (t->full)
        return;
    unsigned kind = edify_node_kind(e);
    int mine = strength(kind);
    if (mine < context)
        put(t, "(", 1);
    switch (kind) {
    case EDIFY_K_STRING:
    case EDIFY_K_BLOB:
        put_literal(t, edify_node_text(e), edify_node_count(e));
        break;
    case EDIFY_K_CALL: {
        const char *name = s->funcs[e->rest[0]].name;
        put_literal(t, name, strlen(name));
        put(t, "(", 1);
        render_list(t, s, e, ", ", P_OR);
        put(t, ")", 1);
        break;
    }
    case EDIFY_K_SEQ: render_list(t, s, e, "; ", P_OR); break;
    case EDIFY_K_OR: render_list(t, s, e, " || ", P_AND); break;
    case EDIFY_K_AND: render_list(t, s, e, " && ", P_CMP); break;
    case EDIFY_K_CONCAT: render_list(t, s, e, " + ", P_NOT); break;
    case EDIFY_K_EQ:
    case EDIFY_K_NE:
        render(t, s, edify_node_at(s, edify_node_child(e, 0)), P_CMP);
        puts_(t, kind == EDIFY_K_EQ ? " == " : " != ");
        render(t, s, edify_node_at(s, edify_node_child(e, 1)), P_CONCAT);
        break;
    case EDIFY_K_NOT:
        put(t, "!", 1);
        render(t, s, edify_node_at(s, edify_node_child(e, 0)), P_NOT);
        break;
    case EDIFY_K_IF:
        puts_(t, "if ");
        render(t, s, edify_node_at(s, edify_node_child(e, 0)), P_SEQ);
        puts_(t, " then ");
        render(t, s, edify_node_at(s, edify_node_child(e, 1)), P_SEQ);
        if (edify_node_count(e) == 3) {
            puts_(t, " else ");
            render(t, s, edify_node_at(s, edify_node_child(e, 2)), P_SEQ);
        }
        puts_(t, " endif");
        break;
    }
    if (mine < context)
        put(t, ")", 1);
}

void edify_render(const edify_script *script, const edify_expr *expr, char *out, size_t outsz)
{
    if (!out || outsz == 0)
        return;
    out[0] = '\0';
    if (!script || !expr || outsz < 4)
        return;
    text_out t = {out, outsz, 0, 0};
    render(&t, script, expr, P_SEQ);
    if (t.full)
        memcpy(out + outsz - 4, "...", 4);
}

/* edify's tokenizer (see lexer.h). */
#include "edify/lexer.h"

#include <stdio.h>
#include <string.h>

#define W1(c) [c] = 1
#define W10(a, b, c, d, e, f, g, h, i, j) \
    W1(a), W1(b), W1(c), W1(d), W1(e), W1(f), W1(g), W1(h), W1(i), W1(j)
const unsigned char edify_word_chars[256] = {
    W10('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'),
    W10('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'),
    W10('k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't'),
    W10('u', 'v', 'w', 'x', 'y', 'z', 'A', 'B', 'C', 'D'),
    W10('E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N'),
    W10('O', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X'),
    W1('Y'), W1('Z'), W1(':'), W1('_'), W1('/'), W1('.'),
};

/* Bytes that end a plain run inside a string literal. */
static const unsigned char string_stops[256] = {W1('"'), W1('\\'), W1('\n'), W1('\0')};
#undef W10
#undef W1

void edify_lexer_init(edify_lexer *lx, const char *src, size_t len,
                      edify_lex_report report, void *report_ctx)
{
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->len = len;
    lx->line = 1;
    lx->report = report;
    lx->report_ctx = report_ctx;
}

static uint32_t column_at(const edify_lexer *lx, size_t pos)
{
    return (uint32_t)(pos - lx->line_start + 1);
}

static void report_at(edify_lexer *lx, uint32_t line, uint32_t column, const char *message)
{
    if (!lx->halted && lx->report && lx->report(lx->report_ctx, line, column, message))
        lx->halted = 1;
}

static void report_here(edify_lexer *lx, size_t pos, const char *message)
{
    report_at(lx, lx->line, column_at(lx, pos), message);
}

static int hex_digit(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static int hex_value(unsigned char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* A byte as it should appear in a message: 'c' or 0xHH. */
static void describe_byte(unsigned char c, char *out, size_t outsz)
{
    if (c > 0x20 && c < 0x7f)
        snprintf(out, outsz, "'%c'", c);
    else
        snprintf(out, outsz, "byte 0x%02x", c);
}

/* Source bytes taken by the backslash at s[0] (avail bytes from it on):
 * 2 for \n \t \" \\, 4 for \xHH, and 1 for a backslash that starts no
 * escape, which stands for itself. */
static size_t escape_length(const char *s, size_t avail)
{
    unsigned char e = avail > 1 ? (unsigned char)s[1] : 0;
    if (e == 'n' || e == 't' || e == '"' || e == '\\')
        return 2;
    if (e == 'x' && avail > 3 && hex_digit((unsigned char)s[2]) && hex_digit((unsigned char)s[3]))
        return 4;
    return 1;
}

/* A string that runs to the end of the script.  When it holds a \" the
 * author most likely meant a backslash at the end of the string, which
 * (as in Android) escapes the closing quote instead: say so. */
static void report_unterminated(edify_lexer *lx, const edify_token *tok,
                                uint32_t quote_line, uint32_t quote_column)
{
    char msg[256];
    int used = snprintf(msg, sizeof msg, "unterminated string literal: expected a closing '\"' "
                                         "before the end of the script");
    if (quote_line && used > 0 && (size_t)used < sizeof msg)
        snprintf(msg + used, sizeof msg - (size_t)used,
                 " (the \\\" at %u:%u is an escaped quote; end a string with a backslash "
                 "as \\\\\")", quote_line, quote_column);
    report_at(lx, tok->line, tok->column, msg);
}

/* Lexes a quoted string starting at lx->pos (the opening quote). */
static void lex_string(edify_lexer *lx, edify_token *tok)
{
    const char *s = lx->src;
    size_t p = lx->pos + 1, n = lx->len, text = 0;
    uint32_t quote_line = 0, quote_column = 0; /* the first \" seen, for the hint */
    for (;;) {
        /* The common case: a run of plain bytes. */
        size_t run = p;
        while (p < n && !string_stops[(unsigned char)s[p]])
            p++;
        text += p - run;
        if (p >= n) {
            report_unterminated(lx, tok, quote_line, quote_column);
            break;
        }
        unsigned char c = (unsigned char)s[p];
        if (c == '"') {
            p++;
            break;
        }
        if (c == '\n') {
            p++;
            text++;
            lx->line++;
            lx->line_start = p;
            continue;
        }
        if (c == '\0') {
            report_here(lx, p, "NUL byte inside a string literal (write \\x00 for a zero byte)");
            p++;
            text++;
            continue;
        }
        /* A backslash.  As in Android's lexer, only \n \t \" \\ and \xHH
         * are escapes; any other backslash (ASCII art such as "/ __ \/"), a
         * \x without two hex digits, or one at the end of the script is a
         * literal backslash, and the byte after it is lexed as usual. */
        tok->escaped = 1;
        if (quote_line == 0 && p + 1 < n && s[p + 1] == '"') {
            quote_line = lx->line;
            quote_column = column_at(lx, p);
        }
        p += escape_length(s + p, n - p);
        text++;
    }
    tok->type = EDIFY_T_STRING;
    tok->len = p - lx->pos;
    tok->text_len = text;
    lx->pos = p;
}

static edify_tok keyword(const char *w, size_t len)
{
    switch (len) {
    case 2: return memcmp(w, "if", 2) == 0 ? EDIFY_T_IF : EDIFY_T_WORD;
    case 4:
        if (memcmp(w, "then", 4) == 0)
            return EDIFY_T_THEN;
        return memcmp(w, "else", 4) == 0 ? EDIFY_T_ELSE : EDIFY_T_WORD;
    case 5: return memcmp(w, "endif", 5) == 0 ? EDIFY_T_ENDIF : EDIFY_T_WORD;
    default: return EDIFY_T_WORD;
    }
}

/* Can byte c begin a token (or whitespace, or a comment)? */
static int starts_something(unsigned char c)
{
    return edify_is_word_char(c) || strchr(" \t\r\n\f\v#\"();,+=!&|", c) != NULL;
}

static void skip_space_and_comments(edify_lexer *lx)
{
    const char *s = lx->src;
    size_t p = lx->pos, n = lx->len;
    while (p < n) {
        char c = s[p];
        if (c == '\n') {
            p++;
            lx->line++;
            lx->line_start = p;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            p++;
        } else if (c == '#') {
            const char *nl = memchr(s + p, '\n', n - p);
            p = nl ? (size_t)(nl - s) : n;
        } else {
            break;
        }
    }
    lx->pos = p;
}

void edify_lex_next(edify_lexer *lx, edify_token *tok)
{
    const char *s = lx->src;
    char msg[160];
    for (;;) {
        skip_space_and_comments(lx);
        tok->escaped = 0;
        tok->text_len = 0;
        tok->start = lx->pos;
        tok->line = lx->line;
        tok->column = column_at(lx, lx->pos);
        if (lx->pos >= lx->len || lx->halted) {
            tok->type = EDIFY_T_EOF;
            return;
        }
        unsigned char c = (unsigned char)s[lx->pos];
        unsigned char c2 = lx->pos + 1 < lx->len ? (unsigned char)s[lx->pos + 1] : 0;
        tok->len = 1;
        switch (c) {
        case '(': tok->type = EDIFY_T_LPAREN; break;
        case ')': tok->type = EDIFY_T_RPAREN; break;
        case ',': tok->type = EDIFY_T_COMMA; break;
        case ';': tok->type = EDIFY_T_SEMI; break;
        case '+': tok->type = EDIFY_T_PLUS; break;
        case '!':
            tok->type = c2 == '=' ? EDIFY_T_NE : EDIFY_T_NOT;
            tok->len = c2 == '=' ? 2 : 1;
            break;
        case '"':
            lex_string(lx, tok);
            return;
        case '=': case '&': case '|':
            tok->type = c == '=' ? EDIFY_T_EQ : c == '&' ? EDIFY_T_AND : EDIFY_T_OR;
            if (c2 == c) {
                tok->len = 2;
                break;
            }
            /* Read a lone '=' as the '==' it most likely meant, so the
             * mistake is reported once rather than again by the parser. */
            snprintf(msg, sizeof msg, "unexpected '%c': expected '%c%c'", c, c, c);
            report_here(lx, lx->pos, msg);
            break;
        default:
            if (edify_is_word_char(c)) {
                size_t p = lx->pos + 1;
                while (p < lx->len && edify_is_word_char((unsigned char)s[p]))
                    p++;
                tok->len = p - lx->pos;
                tok->text_len = tok->len;
                tok->type = keyword(s + lx->pos, tok->len);
                lx->pos = p;
                return;
            }
            if (c == '\0') {
                snprintf(msg, sizeof msg, "NUL byte in the script");
            } else {
                char what[32];
                describe_byte(c, what, sizeof what);
                snprintf(msg, sizeof msg,
                         "unexpected %s: expected a string, a word, an operator or a parenthesis", what);
            }
            report_here(lx, lx->pos, msg);
            /* One report for a run of stray bytes (a UTF-8 character, binary junk). */
            lx->pos++;
            while (lx->pos < lx->len && !starts_something((unsigned char)s[lx->pos]))
                lx->pos++;
            continue;
        }
        lx->pos += tok->len;
        return;
    }
}

void edify_token_text(const edify_lexer *lx, const edify_token *tok, char *out)
{
    const char *s = lx->src + tok->start;
    if (tok->type != EDIFY_T_STRING) {
        memcpy(out, s, tok->text_len);
        out[tok->text_len] = '\0';
        return;
    }
    s++; /* the opening quote */
    if (!tok->escaped) {
        memcpy(out, s, tok->text_len);
        out[tok->text_len] = '\0';
        return;
    }
    const char *end = lx->src + tok->start + tok->len;
    size_t o = 0;
    while (o < tok->text_len && s < end) {
        if (*s != '\\') {
            out[o++] = *s++;
            continue;
        }
        size_t n = escape_length(s, (size_t)(end - s));
        switch (n == 1 ? '\\' : s[1]) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'x': out[o++] = (char)(hex_value((unsigned char)s[2]) * 16 + hex_value((unsigned char)s[3])); break;
        default: out[o++] = n == 1 ? '\\' : s[1]; break; /* \" \\ and lone backslashes */
        }
        s += n;
    }
    out[o] = '\0';
}

const char *edify_tok_name(edify_tok type)
{
    switch (type) {
    case EDIFY_T_EOF: return "end of script";
    case EDIFY_T_STRING: return "string";
    case EDIFY_T_WORD: return "word";
    case EDIFY_T_IF: return "'if'";
    case EDIFY_T_THEN: return "'then'";
    case EDIFY_T_ELSE: return "'else'";
    case EDIFY_T_ENDIF: return "'endif'";
    case EDIFY_T_LPAREN: return "'('";
    case EDIFY_T_RPAREN: return "')'";
    case EDIFY_T_COMMA: return "','";
    case EDIFY_T_SEMI: return "';'";
    case EDIFY_T_PLUS: return "'+'";
    case EDIFY_T_EQ: return "'=='";
    case EDIFY_T_NE: return "'!='";
    case EDIFY_T_AND: return "'&&'";
    case EDIFY_T_OR: return "'||'";
    case EDIFY_T_NOT: return "'!'";
    }
    return "token";
}

void edify_token_describe(const edify_lexer *lx, const edify_token *tok,
                          char *out, size_t outsz)
{
    if (tok->type != EDIFY_T_STRING && tok->type != EDIFY_T_WORD) {
        snprintf(out, outsz, "%s", edify_tok_name(tok->type));
        return;
    }
    /* Show up to 24 source bytes, printable ones only. */
    char shown[100];
    size_t o = 0, i;
    for (i = 0; i < tok->len && i < 24; i++) {
        unsigned char c = (unsigned char)lx->src[tok->start + i];
        if (c >= 0x20 && c < 0x7f) {
            shown[o++] = (char)c;
        } else {
            snprintf(shown + o, sizeof shown - o, "\\x%02x", c);
            o += 4;
        }
    }
    shown[o] = '\0';
    snprintf(out, outsz, "%s %s%s", edify_tok_name(tok->type), shown, i < tok->len ? "..." : "");
}

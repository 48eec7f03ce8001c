/* edify's tokenizer: turns script bytes into tokens one at a time, without
 * allocating.  Errors (bad characters, NUL bytes, unterminated strings) go
 * to a callback and lexing continues, so one pass finds all of them.
 * Private to the edify library (and its unit tests). */
#ifndef EDIFY_LEXER_H
#define EDIFY_LEXER_H

#include <stddef.h>
#include <stdint.h>

typedef enum edify_tok {
    EDIFY_T_EOF,
    EDIFY_T_STRING, /* "quoted" */
    EDIFY_T_WORD,   /* bare word: letters, digits, : _ / . */
    EDIFY_T_IF,
    EDIFY_T_THEN,
    EDIFY_T_ELSE,
    EDIFY_T_ENDIF,
    EDIFY_T_LPAREN,
    EDIFY_T_RPAREN,
    EDIFY_T_COMMA,
    EDIFY_T_SEMI,
    EDIFY_T_PLUS,
    EDIFY_T_EQ,
    EDIFY_T_NE,
    EDIFY_T_AND,
    EDIFY_T_OR,
    EDIFY_T_NOT,
} edify_tok;

typedef struct edify_token {
    edify_tok type;
    size_t start, len;     /* the token's bytes in the source (quotes included) */
    uint32_t line, column; /* of its first byte, 1-based */
    size_t text_len;       /* literal tokens: length of the value */
    int escaped;           /* quoted string with escapes: see edify_unescape */
} edify_token;

/* Receives one error; returns nonzero to stop lexing (the lexer then only
 * returns EDIFY_T_EOF). */
typedef int (*edify_lex_report)(void *ctx, uint32_t line, uint32_t column,
                                const char *message);

typedef struct edify_lexer {
    const char *src;
    size_t len, pos;
    uint32_t line;
    size_t line_start; /* offset of the current line's first byte */
    edify_lex_report report;
    void *report_ctx;
    int halted;
} edify_lexer;

void edify_lexer_init(edify_lexer *lx, const char *src, size_t len,
                      edify_lex_report report, void *report_ctx);
void edify_lex_next(edify_lexer *lx, edify_token *tok);

/* Writes the value of a literal token (tok->text_len bytes plus a NUL) to
 * out.  A backslash that starts no escape (\n \t \" \\ \xHH) stands for
 * itself, as in Android's lexer. */
void edify_token_text(const edify_lexer *lx, const edify_token *tok, char *out);

/* "word abc", "string \"a b\"", "')'", "end of script": for messages. */
void edify_token_describe(const edify_lexer *lx, const edify_token *tok,
                          char *out, size_t outsz);
const char *edify_tok_name(edify_tok type);

/* Bytes of bare words: letters, digits, : _ / . */
extern const unsigned char edify_word_chars[256];

static inline int edify_is_word_char(unsigned char c)
{
    return edify_word_chars[c];
}

#endif

/* Unit tests of edify's tokenizer: token kinds, bare words, escapes,
 * comments, positions, and the errors it reports while carrying on. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "edify/lexer.h"
#include "tests/common/testutil.h"

#define MAX_ERRORS 16

typedef struct lexed {
    edify_lexer lx;
    edify_token toks[64];
    size_t ntoks;
    struct { uint32_t line, column; char message[200]; } errors[MAX_ERRORS];
    size_t nerrors;
} lexed;

static int collect(void *ctx, uint32_t line, uint32_t column, const char *message)
{
    lexed *l = ctx;
    if (l->nerrors < MAX_ERRORS) {
        l->errors[l->nerrors].line = line;
        l->errors[l->nerrors].column = column;
        strncpy(l->errors[l->nerrors].message, message, sizeof l->errors[0].message - 1);
    }
    l->nerrors++;
    return 0;
}

static lexed *lex_n(const char *src, size_t len)
{
    lexed *l = calloc(1, sizeof *l);
    ck_assert_ptr_nonnull(l);
    edify_lexer_init(&l->lx, src, len, collect, l);
    do {
        ck_assert_uint_lt(l->ntoks, 64);
        edify_lex_next(&l->lx, &l->toks[l->ntoks]);
    } while (l->toks[l->ntoks++].type != EDIFY_T_EOF);
    return l;
}

static lexed *lex(const char *src)
{
    return lex_n(src, strlen(src));
}

static char *text_of(lexed *l, size_t i)
{
    char *out = malloc(l->toks[i].text_len + 1);
    ck_assert_ptr_nonnull(out);
    edify_token_text(&l->lx, &l->toks[i], out);
    return out;
}

START_TEST(every_token_kind)
{
    lexed *l = lex("if then else endif ( ) , ; + == != && || ! word \"str\"");
    static const edify_tok want[] = {
        EDIFY_T_IF, EDIFY_T_THEN, EDIFY_T_ELSE, EDIFY_T_ENDIF, EDIFY_T_LPAREN,
        EDIFY_T_RPAREN, EDIFY_T_COMMA, EDIFY_T_SEMI, EDIFY_T_PLUS, EDIFY_T_EQ,
        EDIFY_T_NE, EDIFY_T_AND, EDIFY_T_OR, EDIFY_T_NOT, EDIFY_T_WORD,
        EDIFY_T_STRING, EDIFY_T_EOF};
    ck_assert_uint_eq(l->ntoks, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < l->ntoks; i++)
        ck_assert_msg(l->toks[i].type == want[i], "token %zu is %s", i,
                      edify_tok_name(l->toks[i].type));
    ck_assert_uint_eq(l->nerrors, 0);
    free(l);
}
END_TEST

START_TEST(operators_need_no_spaces)
{
    lexed *l = lex("a==b!=!c&&d||e+f;");
    static const edify_tok want[] = {
        EDIFY_T_WORD, EDIFY_T_EQ, EDIFY_T_WORD, EDIFY_T_NE, EDIFY_T_NOT, EDIFY_T_WORD,
        EDIFY_T_AND, EDIFY_T_WORD, EDIFY_T_OR, EDIFY_T_WORD, EDIFY_T_PLUS, EDIFY_T_WORD,
        EDIFY_T_SEMI, EDIFY_T_EOF};
    ck_assert_uint_eq(l->ntoks, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < l->ntoks; i++)
        ck_assert_int_eq(l->toks[i].type, want[i]);
    free(l);
}
END_TEST

START_TEST(bare_words_take_letters_digits_and_path_characters)
{
    lexed *l = lex("/system/bin/sh:x_1.2 0755 If iff endif2");
    ck_assert_uint_eq(l->ntoks, 6);
    char *t = text_of(l, 0);
    ck_assert_str_eq(t, "/system/bin/sh:x_1.2");
    free(t);
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(l->toks[i].type, EDIFY_T_WORD); /* keywords are lower case, whole */
    free(l);
}
END_TEST

START_TEST(escapes_are_decoded)
{
    lexed *l = lex("\"a\\n\\t\\\"\\\\\\x41\\x7e\\x00z\"");
    ck_assert_uint_eq(l->nerrors, 0);
    ck_assert_int_eq(l->toks[0].type, EDIFY_T_STRING);
    ck_assert_int_eq(l->toks[0].escaped, 1);
    ck_assert_uint_eq(l->toks[0].text_len, 9);
    char *t = text_of(l, 0);
    ck_assert_mem_eq(t, "a\n\t\"\\A~\0z", 10);
    free(t);
    free(l);
}
END_TEST

START_TEST(strings_keep_comment_characters_and_newlines)
{
    lexed *l = lex("\"a # b\nc\" # a comment \"x\"\nd");
    ck_assert_uint_eq(l->ntoks, 3);
    char *t = text_of(l, 0);
    ck_assert_str_eq(t, "a # b\nc");
    free(t);
    ck_assert_int_eq(l->toks[1].type, EDIFY_T_WORD);
    ck_assert_uint_eq(l->toks[1].line, 3);
    ck_assert_uint_eq(l->toks[1].column, 1);
    free(l);
}
END_TEST

START_TEST(positions_count_lines_and_columns)
{
    lexed *l = lex("a\n  b\t c\r\n# x\n\n   (");
    ck_assert_uint_eq(l->toks[0].line, 1);
    ck_assert_uint_eq(l->toks[0].column, 1);
    ck_assert_uint_eq(l->toks[1].line, 2);
    ck_assert_uint_eq(l->toks[1].column, 3);
    ck_assert_uint_eq(l->toks[2].line, 2);
    ck_assert_uint_eq(l->toks[2].column, 6);
    ck_assert_uint_eq(l->toks[3].line, 5);
    ck_assert_uint_eq(l->toks[3].column, 4);
    ck_assert_uint_eq(l->nerrors, 0);
    free(l);
}
END_TEST

/* Asserts that src lexes as one string token, without errors, whose value
 * is want (want_len bytes), with text_len agreeing with the decoded text. */
static void ck_string_value(const char *src, const char *want, size_t want_len)
{
    lexed *l = lex(src);
    ck_assert_msg(l->nerrors == 0, "%s: %s", src, l->errors[0].message);
    ck_assert_int_eq(l->toks[0].type, EDIFY_T_STRING);
    ck_assert_int_eq(l->toks[1].type, EDIFY_T_EOF);
    ck_assert_uint_eq(l->toks[0].text_len, want_len);
    char *t = text_of(l, 0);
    ck_assert_msg(memcmp(t, want, want_len + 1) == 0, "%s lexed as [%s], want [%s]", src, t, want);
    free(t);
    free(l);
}

/* Android's lexer (flex) knows only \n \t \" \\ and \xHH; any other
 * backslash matches its catch-all rule as a single byte, so it stays in
 * the string and the byte after it is lexed as usual. */
START_TEST(a_backslash_starting_no_escape_is_literal_as_in_android)
{
    ck_string_value("\"a\\qb\"", "a\\qb", 4);
    ck_string_value("\"\\/\"", "\\/", 2);
    ck_string_value("\"\\ \"", "\\ ", 2);
    ck_string_value("\"\\r\\a\\0\"", "\\r\\a\\0", 6);
    /* The byte after it is lexed normally: here a real escape. */
    ck_string_value("\"\\q\\n\"", "\\q\n", 3);
    ck_string_value("\"\\\\\\q\"", "\\\\q", 3);
}
END_TEST

START_TEST(a_short_hex_escape_is_literal_as_in_android)
{
    ck_string_value("\"\\x4\"", "\\x4", 3);
    ck_string_value("\"\\xzz\"", "\\xzz", 4);
    ck_string_value("\"\\x\"", "\\x", 2);
    ck_string_value("\"\\X41\"", "\\X41", 4);
    ck_string_value("\"\\x4g\"", "\\x4g", 4);
    /* \x takes exactly two digits; a third is plain text. */
    ck_string_value("\"\\x414\"", "A4", 2);
    ck_string_value("\"\\x4\\x41\"", "\\x4A", 4);
}
END_TEST

START_TEST(a_backslash_before_a_newline_is_kept_with_the_newline)
{
    lexed *l = lex("\"a\\\nb\" c");
    ck_assert_uint_eq(l->nerrors, 0);
    char *t = text_of(l, 0);
    ck_assert_str_eq(t, "a\\\nb");
    ck_assert_uint_eq(strlen(t), l->toks[0].text_len);
    free(t);
    ck_assert_uint_eq(l->toks[1].line, 2);
    ck_assert_uint_eq(l->toks[1].column, 4);
    free(l);
}
END_TEST

/* Lines from updater-scripts of published ROM, kernel and mod packages:
 * banners drawn with backslashes, which Android prints as they are. */
START_TEST(real_world_ascii_art_lexes_as_android_prints_it)
{
    static const struct { const char *src, *printed; } lines[] = {
        {"\"  / __ \\/ __ \\ \"", "  / __ \\/ __ \\ "},
        {"\" |  __ \\ / __ \\|  \\/  |\"", " |  __ \\ / __ \\|  \\/  |"},
        {"\" | |__) | |  | | \\  / |\"", " | |__) | |  | | \\  / |"},
        {"\"  \\ \\ / / \"", "  \\ \\ / / "},
        {"\"   \\_\\_\\  \"", "   \\_\\_\\  "},
        {"\"(\\_/)\\n(='.'=)\"", "(\\_/)\n(='.'=)"},
        {"\"C:\\\\Users\\\\build\"", "C:\\Users\\build"},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        ck_string_value(lines[i].src, lines[i].printed, strlen(lines[i].printed));
    /* A whole statement: every token comes through, no errors. */
    lexed *l = lex("ui_print(\" |  __ \\ / __ \\|  \\/  |\");");
    ck_assert_uint_eq(l->nerrors, 0);
    ck_assert_uint_eq(l->ntoks, 6);
    ck_assert_int_eq(l->toks[2].type, EDIFY_T_STRING);
    ck_assert_int_eq(l->toks[4].type, EDIFY_T_SEMI);
    free(l);
}
END_TEST

START_TEST(a_backslash_before_the_closing_quote_escapes_it_as_in_android)
{
    /* "\" is a quote inside the string, so it continues. */
    ck_string_value("\"C:\\\" x\"", "C:\" x", 5);
    /* At the end of a script that leaves it open; the message says why. */
    lexed *l = lex("ui_print(\"  \\_/ \\\");\n");
    ck_assert_uint_eq(l->nerrors, 1);
    ck_assert_uint_eq(l->errors[0].line, 1);
    ck_assert_uint_eq(l->errors[0].column, 10);
    const char *m = l->errors[0].message;
    ck_assert_ptr_nonnull(strstr(m, "unterminated string"));
    ck_assert_ptr_nonnull(strstr(m, "the \\\" at 1:17 is an escaped quote"));
    free(l);
}
END_TEST

START_TEST(unterminated_string_is_reported_at_its_quote)
{
    lexed *l = lex("a\n  \"never closed\\\"\n more");
    ck_assert_uint_eq(l->nerrors, 1);
    ck_assert_uint_eq(l->errors[0].line, 2);
    ck_assert_uint_eq(l->errors[0].column, 3);
    ck_assert_ptr_nonnull(strstr(l->errors[0].message, "unterminated string"));
    ck_assert_int_eq(l->toks[1].type, EDIFY_T_STRING);
    ck_assert_int_eq(l->toks[2].type, EDIFY_T_EOF);
    free(l);
}
END_TEST

START_TEST(backslash_at_end_of_script_is_unterminated)
{
    lexed *l = lex("\"abc\\");
    ck_assert_uint_eq(l->nerrors, 1);
    ck_assert_ptr_nonnull(strstr(l->errors[0].message, "unterminated"));
    char *t = text_of(l, 0);
    ck_assert_uint_eq(strlen(t), l->toks[0].text_len);
    ck_assert_str_eq(t, "abc\\");
    free(t);
    free(l);
}
END_TEST

START_TEST(nul_bytes_are_reported)
{
    static const char src[] = "a\0b \"x\0y\"";
    lexed *l = lex_n(src, sizeof src - 1);
    ck_assert_uint_eq(l->nerrors, 2);
    ck_assert_uint_eq(l->errors[0].column, 2);
    ck_assert_ptr_nonnull(strstr(l->errors[0].message, "NUL byte"));
    ck_assert_uint_eq(l->errors[1].column, 7);
    ck_assert_int_eq(l->toks[0].type, EDIFY_T_WORD);
    ck_assert_int_eq(l->toks[1].type, EDIFY_T_WORD);
    ck_assert_int_eq(l->toks[2].type, EDIFY_T_STRING);
    free(l);
}
END_TEST

START_TEST(stray_characters_are_reported_once_per_run)
{
    lexed *l = lex("a @@@ b \xc3\xa9 c = d & e | f");
    ck_assert_uint_eq(l->nerrors, 5);
    ck_assert_uint_eq(l->errors[0].column, 3);
    ck_assert_ptr_nonnull(strstr(l->errors[0].message, "'@'"));
    ck_assert_ptr_nonnull(strstr(l->errors[1].message, "0xc3"));
    ck_assert_ptr_nonnull(strstr(l->errors[2].message, "expected '=='"));
    ck_assert_ptr_nonnull(strstr(l->errors[3].message, "expected '&&'"));
    ck_assert_ptr_nonnull(strstr(l->errors[4].message, "expected '||'"));
    /* Every word still came through. */
    size_t words = 0;
    for (size_t i = 0; i < l->ntoks; i++)
        words += l->toks[i].type == EDIFY_T_WORD;
    ck_assert_uint_eq(words, 6);
    free(l);
}
END_TEST

static int stop_at_first(void *ctx, uint32_t line, uint32_t column, const char *message)
{
    (void)line, (void)column, (void)message;
    ++*(int *)ctx;
    return 1;
}

START_TEST(a_halting_report_ends_the_token_stream)
{
    int calls = 0;
    edify_lexer lx;
    edify_token tok;
    edify_lexer_init(&lx, "@ a @ b", 7, stop_at_first, &calls);
    edify_lex_next(&lx, &tok);
    ck_assert_int_eq(tok.type, EDIFY_T_EOF);
    edify_lex_next(&lx, &tok);
    ck_assert_int_eq(tok.type, EDIFY_T_EOF);
    ck_assert_int_eq(calls, 1);
}
END_TEST

START_TEST(tokens_describe_themselves_for_messages)
{
    lexed *l = lex("word \"a\\tb\" ) \"0123456789012345678901234567\"");
    char d[100];
    edify_token_describe(&l->lx, &l->toks[0], d, sizeof d);
    ck_assert_str_eq(d, "word word");
    edify_token_describe(&l->lx, &l->toks[1], d, sizeof d);
    ck_assert_str_eq(d, "string \"a\\tb\"");
    edify_token_describe(&l->lx, &l->toks[2], d, sizeof d);
    ck_assert_str_eq(d, "')'");
    edify_token_describe(&l->lx, &l->toks[3], d, sizeof d);
    ck_assert_str_eq(d, "string \"01234567890123456789012...");
    edify_token_describe(&l->lx, &l->toks[4], d, sizeof d);
    ck_assert_str_eq(d, "end of script");
    free(l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("edify lexer");
    TCase *tc = tcase_create("lexer");
    tcase_add_test(tc, every_token_kind);
    tcase_add_test(tc, operators_need_no_spaces);
    tcase_add_test(tc, bare_words_take_letters_digits_and_path_characters);
    tcase_add_test(tc, escapes_are_decoded);
    tcase_add_test(tc, strings_keep_comment_characters_and_newlines);
    tcase_add_test(tc, positions_count_lines_and_columns);
    tcase_add_test(tc, a_backslash_starting_no_escape_is_literal_as_in_android);
    tcase_add_test(tc, a_short_hex_escape_is_literal_as_in_android);
    tcase_add_test(tc, a_backslash_before_a_newline_is_kept_with_the_newline);
    tcase_add_test(tc, real_world_ascii_art_lexes_as_android_prints_it);
    tcase_add_test(tc, a_backslash_before_the_closing_quote_escapes_it_as_in_android);
    tcase_add_test(tc, unterminated_string_is_reported_at_its_quote);
    tcase_add_test(tc, backslash_at_end_of_script_is_unterminated);
    tcase_add_test(tc, nul_bytes_are_reported);
    tcase_add_test(tc, stray_characters_are_reported_once_per_run);
    tcase_add_test(tc, a_halting_report_ends_the_token_stream);
    tcase_add_test(tc, tokens_describe_themselves_for_messages);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

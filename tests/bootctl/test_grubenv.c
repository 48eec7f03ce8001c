/* GRUB's environment block: parsing by GRUB's rules (lib/envblk.c),
 * writing blocks of the same size, escapes, and refusing broken blocks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootctl/grubenv.h"
#include "tests/common/testutil.h"

/* A block of size bytes: the signature, body, '#' padding. */
static char *block(const char *body, size_t size)
{
    char *b = malloc(size);
    ck_assert_ptr_nonnull(b);
    memset(b, '#', size);
    memcpy(b, GRUBENV_SIGNATURE, strlen(GRUBENV_SIGNATURE));
    memcpy(b + strlen(GRUBENV_SIGNATURE), body, strlen(body));
    return b;
}

START_TEST(variables_comments_and_escapes)
{
    char *b = block("ORDER=B A\n# a comment line\nA_OK=1\nmsg=two\\\nlines and \\\\ one\nempty=\n",
                    GRUBENV_SIZE);
    grubenv env = {0};
    ota_error err;
    ck_assert_int_eq(grubenv_parse(&env, b, GRUBENV_SIZE, "t", &err), 0);
    ck_assert_uint_eq(env.count, 4);
    ck_assert_str_eq(grubenv_get(&env, "ORDER"), "B A");
    ck_assert_str_eq(grubenv_get(&env, "A_OK"), "1");
    ck_assert_str_eq(grubenv_get(&env, "msg"), "two\nlines and \\ one");
    ck_assert_str_eq(grubenv_get(&env, "empty"), "");
    ck_assert_ptr_null(grubenv_get(&env, "B_OK"));
    /* Written back: comments are GRUB's to drop too (save_env keeps only
     * variables); the rest comes back byte for byte. */
    char out[GRUBENV_SIZE];
    ck_assert_int_eq(grubenv_format(&env, out, &err), 0);
    char *want = block("ORDER=B A\nA_OK=1\nmsg=two\\\nlines and \\\\ one\nempty=\n", GRUBENV_SIZE);
    ck_assert_mem_eq(out, want, GRUBENV_SIZE);
    grubenv_free(&env);
    free(b);
    free(want);
}
END_TEST

START_TEST(set_replace_delete_keep_order)
{
    grubenv env = {0};
    ota_error err;
    env.size = GRUBENV_SIZE;
    ck_assert_int_eq(grubenv_set(&env, "A", "1", &err), 0);
    ck_assert_int_eq(grubenv_set(&env, "B", "2", &err), 0);
    ck_assert_int_eq(grubenv_set(&env, "A", "3", &err), 0);
    ck_assert_int_eq(grubenv_set(&env, "C", NULL, &err), 0); /* deleting nothing */
    ck_assert_int_eq(grubenv_set(&env, "B", NULL, &err), 0);
    ck_assert_uint_eq(env.count, 1);
    ck_assert_str_eq(grubenv_get(&env, "A"), "3");
    ck_assert_int_eq(grubenv_set(&env, "x=y", "1", &err), -1);
    ck_assert_int_eq(grubenv_set(&env, "#x", "1", &err), -1);
    ck_assert_int_eq(grubenv_set(&env, "", "1", &err), -1);
    grubenv_free(&env);
}
END_TEST

START_TEST(broken_blocks_are_refused)
{
    static const struct {
        const char *body;
        const char *why;
    } cases[] = {
        {"A=1\nno equals sign\n", "a line without"},
        {"A=1\n=value\n", "a line without"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *b = block(cases[i].body, GRUBENV_SIZE);
        grubenv env = {0};
        ota_error err;
        ck_assert_int_eq(grubenv_parse(&env, b, GRUBENV_SIZE, "t", &err), -1);
        ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
        ck_assert_msg(strstr(err.message, cases[i].why), "%s", err.message);
        grubenv_free(&env);
        free(b);
    }
    /* A value running into the end of the block. */
    char *b = block("A=1\nB=", 40);
    memset(b + strlen(GRUBENV_SIGNATURE) + 6, 'x', 40 - strlen(GRUBENV_SIGNATURE) - 6);
    grubenv env = {0};
    ota_error err;
    ck_assert_int_eq(grubenv_parse(&env, b, 40, "t", &err), -1);
    ck_assert_msg(strstr(err.message, "past the end"), "%s", err.message);
    grubenv_free(&env);
    free(b);
    /* A NUL byte in a variable (GRUB would cut the name or value there). */
    b = block("A=1\nB=x\n", 64);
    b[strlen(GRUBENV_SIGNATURE) + 6] = '\0';
    ck_assert_int_eq(grubenv_parse(&env, b, 64, "t", &err), -1);
    ck_assert_msg(strstr(err.message, "NUL"), "%s", err.message);
    grubenv_free(&env);
    free(b);
    ck_assert_int_eq(grubenv_parse(&env, "# GRUB Env", 10, "t", &err), -1);
    ck_assert_msg(strstr(err.message, "signature"), "%s", err.message);
}
END_TEST

START_TEST(too_much_for_the_block_is_an_error_not_a_truncation)
{
    grubenv env = {0};
    ota_error err;
    env.size = GRUBENV_SIZE;
    char value[600];
    memset(value, 'v', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    ck_assert_int_eq(grubenv_set(&env, "one", value, &err), 0);
    ck_assert_int_eq(grubenv_set(&env, "two", value, &err), 0);
    char out[GRUBENV_SIZE];
    ck_assert_int_eq(grubenv_format(&env, out, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_NOSPACE);
    grubenv_free(&env);
}
END_TEST

START_TEST(save_replaces_the_file_whole_and_keeps_its_size)
{
    char dir[] = "/tmp/grubenv-test.XXXXXX", path[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/grubenv", dir);
    char *b = block("keep=me\n", 2048); /* an unusual size is kept */
    test_write_file(path, b, 2048);
    ck_assert_int_eq(chmod(path, 0600), 0);
    grubenv env = {0};
    ota_error err;
    ck_assert_int_eq(grubenv_load(&env, path, &err), 0);
    ck_assert_int_eq(grubenv_set(&env, "A_OK", "1", &err), 0);
    ck_assert_int_eq(grubenv_save(&env, path, &err), 0);
    grubenv_free(&env);
    size_t len;
    char *got = test_read_file(path, &len);
    ck_assert_uint_eq(len, 2048);
    char *want = block("keep=me\nA_OK=1\n", 2048);
    ck_assert_mem_eq(got, want, 2048);
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_uint_eq(sb.st_mode & 0777, 0600);
    /* No temporary file is left behind. */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(grubenv_load(&env, "/nonexistent/grubenv", &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_NOTFOUND);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(b);
    free(got);
    free(want);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grubenv");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, variables_comments_and_escapes);
    tcase_add_test(tc, set_replace_delete_keep_order);
    tcase_add_test(tc, broken_blocks_are_refused);
    tcase_add_test(tc, too_much_for_the_block_is_an_error_not_a_truncation);
    tcase_add_test(tc, save_replaces_the_file_whole_and_keeps_its_size);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}

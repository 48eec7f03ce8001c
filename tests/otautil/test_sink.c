/* Unit tests of buffers and file reading (otautil/sink.h). */
#include <check.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "otautil/sink.h"
#include "tests/common/testutil.h"

START_TEST(buffers_stay_nul_terminated)
{
    ota_buf b = {0};
    ck_assert_int_eq(ota_buf_append(&b, "abc", 3, NULL), 0);
    ck_assert_int_eq(ota_buf_append(&b, "", 0, NULL), 0);
    ck_assert_uint_eq(b.len, 3);
    ck_assert_str_eq((char *)b.data, "abc");
    ota_buf_free(&b);
    ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(lines_table)
{
    static const struct {
        const char *text, *joined; /* the lines, each followed by '|' */
    } cases[] = {
        {"", ""},
        {"a", "a|"},
        {"a\n", "a|"},
        {"a\nb", "a|b|"},
        {"\n\nx\n", "||x|"},
        {"crlf\r\n", "crlf\r|"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64] = "";
        size_t pos = 0, n;
        for (const char *l; (l = ota_next_line(cases[i].text, strlen(cases[i].text), &pos, &n));) {
            strncat(out, l, n);
            strcat(out, "|");
        }
        ck_assert_msg(strcmp(out, cases[i].joined) == 0, "\"%s\": %s", cases[i].text, out);
    }
}
END_TEST

START_TEST(decimal_table)
{
    static const struct {
        const char *text;
        int ok;
        uint64_t value;
    } cases[] = {
        {"0", 1, 0},
        {"1048576", 1, 1048576},
        {"18446744073709551615", 1, UINT64_MAX},
        {"18446744073709551616", 0, 0},
        {"", 0, 0},
        {"-1", 0, 0},
        {"+1", 0, 0},
        {" 1", 0, 0},
        {"1 ", 0, 0},
        {"0x10", 0, 0},
        {"1M", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = 7;
        int rc = ota_parse_decimal(cases[i].text, &v);
        ck_assert_msg(rc == (cases[i].ok ? 0 : -1), "\"%s\": %d", cases[i].text, rc);
        ck_assert_msg(v == (cases[i].ok ? cases[i].value : 7), "\"%s\": %llu", cases[i].text,
                      (unsigned long long)v);
    }
    ck_assert_int_eq(ota_parse_decimal(NULL, NULL), -1);
}
END_TEST

/* path (under a temporary folder), flags, max -> the bytes, or the code. */
START_TEST(read_file_table)
{
    char *dir = test_temp_dir("test_sink");
    char path[256];
    snprintf(path, sizeof path, "%s/small", dir);
    test_write_file(path, "0123456789", 10);
    snprintf(path, sizeof path, "%s/empty", dir);
    test_write_file(path, "", 0);
    snprintf(path, sizeof path, "%s/fifo", dir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    static const struct {
        const char *name;
        unsigned flags;
        size_t max;
        const char *content; /* NULL: refused with code */
        int code;
    } cases[] = {
        {"small", 0, 10, "0123456789", 0},
        {"small", OTA_READ_REGULAR, 100, "0123456789", 0},
        {"small", 0, 9, NULL, OTA_ERR_LIMIT},
        {"empty", OTA_READ_REGULAR, 0, "", 0},
        {"absent", 0, 100, NULL, OTA_ERR_NOTFOUND},
        {"fifo", OTA_READ_REGULAR, 100, NULL, OTA_ERR_FORMAT}, /* at once: no writer needed */
        {".", OTA_READ_REGULAR, 100, NULL, OTA_ERR_FORMAT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].name);
        ota_buf b = {0};
        ota_error err;
        int rc = ota_read_file(path, NULL, cases[i].max, cases[i].flags, &b, &err);
        if (cases[i].content) {
            ck_assert_msg(rc == 0, "%s: %s", cases[i].name, err.message);
            ck_assert_ptr_nonnull(b.data);
            ck_assert_str_eq((char *)b.data, cases[i].content);
        } else {
            ck_assert_msg(rc == -1, "%s was read", cases[i].name);
            ck_assert_msg(err.code == cases[i].code, "%s: %d %s", cases[i].name, err.code,
                          err.message);
            ck_assert_msg(strstr(err.message, dir) != NULL, "%s", err.message);
        }
        ota_buf_free(&b);
    }
    test_remove_tree(dir);
}
END_TEST

/* Without OTA_READ_REGULAR a pipe is read to its end, as a host tool reads
 * <(command). */
START_TEST(a_pipe_is_read_when_allowed)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(p[0]);
        for (int i = 0; i < 1000; i++)
            if (write(p[1], "line of text\n", 13) != 13)
                _exit(1);
        _exit(0);
    }
    close(p[1]);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    ota_buf b = {0};
    ota_error err;
    ck_assert_msg(ota_read_file(path, "pipe", 1 << 20, 0, &b, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(b.len, 13000);
    ota_buf_free(&b);
    close(p[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
}
END_TEST

/* Larger than one read chunk, with NUL bytes inside: read whole, exactly
 * at the limit too; one byte over is refused naming the file. */
START_TEST(whole_files_are_read_and_nul_terminated)
{
    char *dir = test_temp_dir("test_sink_big");
    char path[256], missing[256];
    snprintf(path, sizeof path, "%s/big", dir);
    snprintf(missing, sizeof missing, "%s/missing", dir);
    size_t len = 200000;
    char *data = malloc(len);
    ck_assert_ptr_nonnull(data);
    for (size_t i = 0; i < len; i++)
        data[i] = (char)(i * 7);
    test_write_file(path, data, len);
    ota_buf buf = {0};
    ota_error err;
    ck_assert_int_eq(ota_read_file(path, NULL, SIZE_MAX, 0, &buf, &err), 0);
    ck_assert_uint_eq(buf.len, len);
    ck_assert_mem_eq(buf.data, data, len);
    ck_assert_int_eq(buf.data[len], 0);
    ota_buf_free(&buf);
    ck_assert_int_eq(ota_read_file(path, NULL, len, OTA_READ_REGULAR, &buf, &err), 0);
    ck_assert_uint_eq(buf.len, len);
    ota_buf_free(&buf);

    ck_assert_int_eq(ota_read_file(path, "image", len - 1, 0, &buf, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_ptr_nonnull(strstr(err.message, "image"));
    ota_buf_free(&buf);
    ck_assert_int_eq(ota_read_file(missing, NULL, SIZE_MAX, 0, &buf, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "missing"));
    ota_buf_free(&buf);
    /* A folder cannot be read as a file, with or without the check. */
    ck_assert_int_eq(ota_read_file(dir, NULL, SIZE_MAX, 0, &buf, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, dir));
    ota_buf_free(&buf);
    free(data);
    test_remove_tree(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("buffers and files");
    TCase *tc = tcase_create("sink");
    tcase_add_test(tc, buffers_stay_nul_terminated);
    tcase_add_test(tc, lines_table);
    tcase_add_test(tc, decimal_table);
    tcase_add_test(tc, read_file_table);
    tcase_add_test(tc, a_pipe_is_read_when_allowed);
    tcase_add_test(tc, whole_files_are_read_and_nul_terminated);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Unit tests of the one property-file parser (otautil/props.h): one table
 * of inputs and what Android's property loader makes of them. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/props.h"
#include "tests/common/testutil.h"

/* One case: the text, then the expected properties as "key=value" strings
 * in order (NULL-terminated), and the skipped-line count and first line. */
typedef struct props_case {
    const char *name;
    const char *text;
    const char *expect[6];
    size_t skipped, first_skipped;
} props_case;

static const props_case cases[] = {
    {"plain", "a=1\nb=2\n", {"a=1", "b=2"}, 0, 0},
    {"no final newline", "a=1\nb=2", {"a=1", "b=2"}, 0, 0},
    {"comments and blank lines", "# build\n\n   \n  # indented\na=1\n", {"a=1"}, 0, 0},
    {"whitespace trimmed around key and value", " \t key \t= \v value x \r\n", {"key=value x"},
     0, 0},
    {"value keeps later '=' signs", "k=a=b=c\n", {"k=a=b=c"}, 0, 0},
    {"empty value", "k=\n", {"k="}, 0, 0},
    {"a line without '=' is skipped, not fatal", "a=1\nstray line\nro.product.device=x\n",
     {"a=1", "ro.product.device=x"}, 1, 2},
    {"a line with an empty key is skipped", "=v\nb=2\n=w\n", {"b=2"}, 2, 1},
    {"later definition wins, first position kept", "a=1\nb=2\na=3\n", {"a=3", "b=2"}, 0, 0},
    {"'#' inside a value is kept", "a=1 # not a comment\n", {"a=1 # not a comment"}, 0, 0},
    {"CRLF files", "a=1\r\nb=2\r\n", {"a=1", "b=2"}, 0, 0},
    {"import lines of newer init are skipped", "import /vendor/build.prop\nx=y\n", {"x=y"}, 1,
     1},
    {"empty file", "", {NULL}, 0, 0},
};

static void check_case(const props_case *c)
{
    ota_props p = {0};
    ota_error err;
    ck_assert_msg(ota_props_parse(&p, c->text, strlen(c->text), "t.prop", &err) == 0, "%s: %s",
                  c->name, err.message);
    size_t n = 0;
    while (n < 6 && c->expect[n])
        n++;
    ck_assert_msg(p.count == n, "%s: %zu properties, expected %zu", c->name, p.count, n);
    for (size_t i = 0; i < n; i++) {
        char kv[256];
        snprintf(kv, sizeof kv, "%s=%s", p.items[i].key, p.items[i].value);
        ck_assert_msg(strcmp(kv, c->expect[i]) == 0, "%s: item %zu is \"%s\", expected \"%s\"",
                      c->name, i, kv, c->expect[i]);
        ck_assert_ptr_eq(ota_props_get(&p, p.items[i].key), p.items[i].value);
    }
    ck_assert_msg(p.skipped_lines == c->skipped, "%s: %zu skipped", c->name, p.skipped_lines);
    ck_assert_msg(p.first_skipped == c->first_skipped, "%s: first skipped %zu", c->name,
                  p.first_skipped);
    ota_props_free(&p);
}

START_TEST(the_rule_table)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i]);
}
END_TEST

START_TEST(a_nul_byte_is_refused_with_its_line)
{
    static const char text[] = "a=1\nb=\0x\n";
    ota_props p = {0};
    ota_error err;
    ck_assert_int_eq(ota_props_parse(&p, text, sizeof text - 1, "bad.prop", &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
    ck_assert_str_eq(err.message, "bad.prop:2: NUL byte in a property file");
    ota_props_free(&p);
}
END_TEST

START_TEST(set_refuses_what_cannot_be_written_back)
{
    static const struct {
        const char *key, *value;
    } bad[] = {
        {"", "v"}, {"a=b", "v"}, {" a", "v"}, {"a ", "v"}, {"#a", "v"}, {"a\nb", "v"},
        {"a", "x\ny"}, {"a", " v"}, {"a", "v\t"},
    };
    ota_props p = {0};
    ota_error err;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(ota_props_set(&p, bad[i].key, bad[i].value, &err), -1);
        ck_assert_int_eq(err.code, OTA_ERR_ARGS);
    }
    ck_assert_uint_eq(p.count, 0);
    ck_assert_int_eq(ota_props_set(&p, "ro.build.id", "ABC 1", &err), 0);
    ck_assert_int_eq(ota_props_set(&p, "post-build", "a/b:1/c", &err), 0);
    ck_assert_int_eq(ota_props_set(&p, "ro.build.id", "DEF", &err), 0);
    ota_buf out = {0};
    ck_assert_int_eq(ota_props_format(&p, &out, &err), 0);
    ck_assert_int_eq(ota_buf_append(&out, "", 1, &err), 0);
    ck_assert_str_eq((char *)out.data, "ro.build.id=DEF\npost-build=a/b:1/c\n");
    ota_buf_free(&out);
    ota_props_free(&p);
}
END_TEST

START_TEST(many_keys_parse_and_format_back)
{
    ota_buf text = {0};
    ota_error err;
    enum { N = 50000 };
    for (int i = 0; i < N; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "key.%d = value %d\n", i, i);
        ck_assert_int_eq(ota_buf_append(&text, line, (size_t)n, &err), 0);
    }
    ota_props p = {0};
    ck_assert_int_eq(ota_props_parse(&p, (char *)text.data, text.len, "big", &err), 0);
    ck_assert_uint_eq(p.count, N);
    ck_assert_str_eq(ota_props_get(&p, "key.31337"), "value 31337");
    ota_buf again = {0};
    ck_assert_int_eq(ota_props_format(&p, &again, &err), 0);
    ota_props q = {0};
    ck_assert_int_eq(ota_props_parse(&q, (char *)again.data, again.len, "again", &err), 0);
    ck_assert_uint_eq(q.count, N);
    for (size_t i = 0; i < p.count; i++)
        ck_assert_str_eq(ota_props_get(&q, p.items[i].key), p.items[i].value);
    ota_props_free(&p);
    ota_props_free(&q);
    ota_buf_free(&text);
    ota_buf_free(&again);
}
END_TEST

START_TEST(load_reads_files_and_refuses_others)
{
    char dir[] = "/tmp/test_props.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256], fifo[256];
    snprintf(path, sizeof path, "%s/default.prop", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    test_write_file(path, "ro.product.device=demo\n", 23);
    ota_props p = {0};
    ota_error err;
    ck_assert_int_eq(ota_props_load(&p, path, 1024, &err), 0);
    ck_assert_str_eq(ota_props_get(&p, "ro.product.device"), "demo");
    ck_assert_int_eq(ota_props_load(&p, path, 10, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    snprintf(path, sizeof path, "%s/absent.prop", dir);
    ck_assert_int_eq(ota_props_load(&p, path, 1024, &err), 1);
    /* A FIFO would block a plain open forever. */
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(ota_props_load(&p, fifo, 1024, &err), -1);
    ck_assert_msg(strstr(err.message, "not a regular file") != NULL, "%s", err.message);
    ck_assert_int_eq(ota_props_load(&p, dir, 1024, &err), -1);
    unlink(fifo);
    snprintf(path, sizeof path, "%s/default.prop", dir);
    unlink(path);
    rmdir(dir);
    ota_props_free(&p);
}
END_TEST

/* The recovery's properties under a root: /default.prop wins over
 * /prop.default, a stray line is skipped and named, missing files are no
 * error. */
START_TEST(device_files_under_a_root)
{
    char root[] = "/tmp/test_props_root.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(root));
    char dflt[256], newer[256];
    snprintf(dflt, sizeof dflt, "%s/default.prop", root);
    snprintf(newer, sizeof newer, "%s/prop.default", root);
    static const char d[] = "ro.product.device=flo\nthis line has no equals sign\n"
                            "ro.build.date.utc=42\n";
    static const char n[] = "ro.product.device=older\nro.build.id=KTU84P\n";
    test_write_file(dflt, d, sizeof d - 1);
    test_write_file(newer, n, sizeof n - 1);
    ota_props p = {0};
    ota_buf notes = {0};
    ota_error err;
    ck_assert_int_eq(ota_props_load_device(&p, root, &notes, &err), 0);
    ck_assert_str_eq(ota_props_get(&p, "ro.product.device"), "flo");
    ck_assert_str_eq(ota_props_get(&p, "ro.build.id"), "KTU84P");
    ck_assert_str_eq(ota_props_get(&p, "ro.build.date.utc"), "42");
    ck_assert_int_eq(ota_buf_append(&notes, "", 1, &err), 0);
    ck_assert_str_eq((char *)notes.data,
                     "/default.prop:2: a line without '=' was skipped (1 such line)\n");
    ota_buf_free(&notes);
    ota_props_free(&p);
    unlink(dflt);
    unlink(newer);
    ck_assert_int_eq(ota_props_load_device(&p, root, NULL, &err), 0);
    ck_assert_uint_eq(p.count, 0);
    /* A property file that is a directory cannot be read. */
    ck_assert_int_eq(mkdir(dflt, 0755), 0);
    ck_assert_int_eq(ota_props_load_device(&p, root, NULL, &err), -1);
    ck_assert_msg(strstr(err.message, "/default.prop") != NULL, "%s", err.message);
    rmdir(dflt);
    rmdir(root);
    ota_props_free(&p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("property files");
    TCase *tc = tcase_create("props");
    tcase_add_test(tc, the_rule_table);
    tcase_add_test(tc, a_nul_byte_is_refused_with_its_line);
    tcase_add_test(tc, set_refuses_what_cannot_be_written_back);
    tcase_add_test(tc, many_keys_parse_and_format_back);
    tcase_add_test(tc, load_reads_files_and_refuses_others);
    tcase_add_test(tc, device_files_under_a_root);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}

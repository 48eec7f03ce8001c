/* The JAR manifest parser and writer: sections and their raw extents,
 * continuation lines, line endings, and refusal of malformed text. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/hash.h"
#include "otautil/manifest.h"
#include "tests/common/testutil.h"

static int parse(const char *text, ota_manifest *mf, ota_error *err)
{
    ota_error_clear(err);
    return ota_manifest_parse((const uint8_t *)text, strlen(text), "MANIFEST.MF", mf, err);
}

static void expect_error(const char *text, const char *reason)
{
    ota_manifest mf;
    ota_error err;
    ck_assert_int_eq(parse(text, &mf, &err), -1);
    ck_assert_msg(strstr(err.message, reason), "expected \"%s\" in: %s", reason, err.message);
    ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
}

START_TEST(sections_and_extents)
{
    const char *text = "Manifest-Version: 1.0\r\nCreated-By: me\r\n\r\n"
                       "Name: a\r\nSHA1-Digest: xyz\r\n\r\n"
                       "Name: dir/b\r\nSHA-256-Digest: abc\r\n\r\n";
    ota_manifest mf;
    ota_error err;
    ck_assert_msg(parse(text, &mf, &err) == 0, "%s", err.message);
    ck_assert_str_eq(ota_manifest_attr(&mf.main, "manifest-version"), "1.0");
    ck_assert_uint_eq(mf.count, 2);
    const ota_mf_section *b = ota_manifest_find(&mf, "dir/b");
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(ota_manifest_attr(b, "SHA-256-Digest"), "abc");
    const char *raw = "Name: dir/b\r\nSHA-256-Digest: abc\r\n\r\n";
    ck_assert_uint_eq(b->len, strlen(raw));
    ck_assert_int_eq(memcmp(text + b->offset, raw, b->len), 0);
    ck_assert_uint_eq(mf.main.offset, 0);
    ck_assert_uint_eq(mf.main.len, strlen("Manifest-Version: 1.0\r\nCreated-By: me\r\n\r\n"));
    ck_assert_ptr_null(ota_manifest_find(&mf, "c"));
    ck_assert_ptr_null(ota_manifest_find(&mf, "dir/"));
    ota_manifest_free(&mf);
}
END_TEST

/* The digest Android's signapk put in CERT.SF for section "a" of
 * otasigned_v1.zip's manifest: sections hash byte for byte. */
START_TEST(section_digest_matches_android)
{
    const char *text = "Manifest-Version: 1.0\r\nCreated-By: 1.0 (Android SignApk)\r\n\r\n"
                       "Name: a\r\nSHA1-Digest: 9XLTlvrpIGYocU+yzgD3LpTyJY8=\r\n\r\n";
    ota_manifest mf;
    ota_error err;
    ck_assert_int_eq(parse(text, &mf, &err), 0);
    const ota_mf_section *a = ota_manifest_find(&mf, "a");
    uint8_t md[OTA_SHA1_LEN], want[OTA_SHA1_LEN];
    ota_sha1(text + a->offset, a->len, md);
    ck_assert_int_eq(ota_base64_decode("ytq/gATfa7hWgBvjHyYmREw51/k=", want, sizeof want), 0);
    ck_assert_mem_eq(md, want, sizeof md);
    ota_manifest_free(&mf);
}
END_TEST

START_TEST(continuations_and_line_endings)
{
    const char *text = "Manifest-Version: 1.0\n\n"
                       "Name: a/very/long/na\r\n me/split\r over/lines\n"
                       "SHA1-Digest: x\r\n";
    ota_manifest mf;
    ota_error err;
    ck_assert_msg(parse(text, &mf, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(mf.count, 1);
    ck_assert_str_eq(mf.sections[0].name, "a/very/long/name/splitover/lines");
    /* the last section may end at the end of the text */
    ck_assert_uint_eq(mf.sections[0].offset + mf.sections[0].len, strlen(text));
    ota_manifest_free(&mf);
}
END_TEST

START_TEST(extra_blank_lines_between_sections)
{
    const char *text = "A: 1\r\n\r\n\r\n\r\nName: x\r\nB: 2\r\n\r\n\r\n";
    ota_manifest mf;
    ota_error err;
    ck_assert_msg(parse(text, &mf, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(mf.count, 1);
    ck_assert_str_eq(text + mf.sections[0].offset, "Name: x\r\nB: 2\r\n\r\n\r\n");
    ck_assert_uint_eq(mf.sections[0].len, strlen("Name: x\r\nB: 2\r\n\r\n"));
    ota_manifest_free(&mf);
}
END_TEST

START_TEST(malformed_text_is_refused)
{
    expect_error("Manifest-Version: 1.0\r\n\r\nName: a\r\nNo colon here\r\n", "line 4");
    expect_error("Manifest-Version: 1.0\r\n\r\nName: a\r\nNo colon here\r\n", "Key: value");
    expect_error("A:1\r\n", "no space after the colon");
    expect_error(" leading\r\n", "continuation line without");
    expect_error("A: 1\r\n\r\nSHA1-Digest: x\r\n\r\n", "does not start with a Name");
    expect_error("A: 1\r\n\r\nName: \r\n\r\n", "empty Name");
    expect_error("A: 1\r\n\r\nName: a\r\nX: 1\r\nx: 2\r\n", "appears twice");
    expect_error("A: 1\r\n\r\nName: a\r\n\r\nName: b\r\n\r\nName: a\r\n", "named twice");
    expect_error("A: 1\r\nB: 2", "does not end with a line break");
    expect_error("A: 1\r\n\r\nName: a\r\n: x\r\n", "Key: value");
    char key[100];
    memset(key, 'K', 80);
    strcpy(key + 80, ": v\n");
    expect_error(key, "longer than 70");
}
END_TEST

START_TEST(nul_and_huge_lines_are_refused)
{
    static const uint8_t nul[] = "A: 1\r\nB: \0\r\n";
    ota_manifest mf;
    ota_error err;
    ck_assert_int_eq(ota_manifest_parse(nul, sizeof nul - 1, "X", &mf, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "NUL"));
    size_t n = 200000;
    char *big = malloc(n + 8);
    memcpy(big, "A: ", 3);
    memset(big + 3, 'v', n);
    strcpy(big + 3 + n, "\n");
    ck_assert_int_eq(parse(big, &mf, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "64 KiB"));
    /* many continuation lines cannot grow a value without bound either */
    size_t lines = 4000, pos = 0;
    char *cont = malloc(lines * 40 + 16);
    pos += (size_t)sprintf(cont, "A: x\n");
    for (size_t i = 0; i < lines; i++)
        pos += (size_t)sprintf(cont + pos, " %s\n", "continuation-continuation-continuation");
    ck_assert_int_eq(parse(cont, &mf, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "64 KiB"));
    free(cont);
    free(big);
}
END_TEST

/* Unauthenticated text must cost time linear in its size: a 300 KB
 * manifest crafted with tens of thousands of distinct keys in one section
 * (each new key was compared with every earlier one) is refused by a fixed
 * cap on attributes per section, naming the section's line. */
START_TEST(attribute_flood_is_refused)
{
    /* keys compare without regard to case: one case only */
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    size_t cap = 300 * 1024, pos = 0;
    char *text = malloc(cap + 64);
    for (int main_section = 0; main_section < 2; main_section++) {
        pos = (size_t)sprintf(text, main_section ? "Manifest-Version: 1.0\r\n"
                                                 : "Manifest-Version: 1.0\r\n\r\nName: a\r\n");
        for (size_t i = 0; pos + 16 < cap; i++)
            pos += (size_t)sprintf(text + pos, "%c%c%c: \r\n", alphabet[i % 38],
                                   alphabet[i / 38 % 38], alphabet[i / 1444 % 38]);
        strcpy(text + pos, "\r\n");
        ota_manifest mf;
        ota_error err;
        ck_assert_int_eq(parse(text, &mf, &err), -1);
        ck_assert_msg(strstr(err.message, "more than 64 attributes"), "%s", err.message);
        ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    }
    free(text);
}
END_TEST

/* Many sections (a package of tens of thousands of files) parse, each found
 * by name; a value built of thousands of one-byte continuation lines up to
 * the 64 KiB limit parses too. */
START_TEST(many_sections_and_long_continuations_parse)
{
    size_t n = 30000, pos = 0;
    char *text = malloc(n * 32 + 64);
    pos = (size_t)sprintf(text, "Manifest-Version: 1.0\n\n");
    for (size_t i = 0; i < n; i++)
        pos += (size_t)sprintf(text + pos, "Name: %zx\n\n", i * 7919 % 1000003);
    ota_manifest mf;
    ota_error err;
    ck_assert_msg(parse(text, &mf, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(mf.count, n);
    ck_assert_ptr_nonnull(ota_manifest_find(&mf, "0"));
    ck_assert_str_eq(ota_manifest_find(&mf, "1eef")->name, "1eef");
    ota_manifest_free(&mf);
    free(text);

    size_t lines = 65535;
    text = malloc(lines * 3 + 16);
    pos = (size_t)sprintf(text, "A: x\n");
    for (size_t i = 0; i < lines; i++)
        pos += (size_t)sprintf(text + pos, " y\n");
    ck_assert_msg(parse(text, &mf, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(strlen(ota_manifest_attr(&mf.main, "A")), 65536);
    ota_manifest_free(&mf);
    strcpy(text + pos, " z\n");
    ck_assert_int_eq(parse(text, &mf, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "64 KiB"));
    free(text);
}
END_TEST

START_TEST(empty_manifest_has_only_a_main_section)
{
    ota_manifest mf;
    ota_error err;
    ck_assert_int_eq(parse("", &mf, &err), 0);
    ck_assert_uint_eq(mf.count, 0);
    ck_assert_uint_eq(mf.main.nattrs, 0);
    ck_assert_ptr_null(ota_manifest_find(&mf, "a"));
    ota_manifest_free(&mf);
}
END_TEST

/* What the writer wraps, the parser joins back. */
START_TEST(writer_wraps_at_72_bytes_and_round_trips)
{
    char name[301];
    for (int i = 0; i < 300; i++)
        name[i] = (char)('a' + i % 26);
    name[300] = '\0';
    ota_buf buf = {0};
    ota_error err;
    ck_assert_int_eq(ota_manifest_write_attr(&buf, "Manifest-Version", "1.0", &err), 0);
    ck_assert_int_eq(ota_buf_append(&buf, "\r\n", 2, &err), 0);
    ck_assert_int_eq(ota_manifest_write_attr(&buf, "Name", name, &err), 0);
    ck_assert_int_eq(ota_manifest_write_attr(&buf, "SHA-256-Digest", "abc", &err), 0);
    const char *p = (const char *)buf.data;
    for (const char *line = p; *line;) {
        const char *end = strstr(line, "\r\n");
        ck_assert_ptr_nonnull(end);
        ck_assert_int_le(end - line, 72);
        line = end + 2;
    }
    ota_manifest mf;
    ck_assert_int_eq(ota_manifest_parse(buf.data, buf.len, "W", &mf, &err), 0);
    ck_assert_str_eq(mf.sections[0].name, name);
    ck_assert_str_eq(ota_manifest_attr(&mf.sections[0], "sha-256-digest"), "abc");
    ota_manifest_free(&mf);
    ota_buf_free(&buf);
}
END_TEST

START_TEST(base64_is_strict)
{
    uint8_t in[32], out[32];
    char enc[64];
    for (size_t len = 1; len <= 32; len++) {
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)(i * 37 + len);
        ota_base64_encode(in, len, enc);
        ck_assert_int_eq(ota_base64_decode(enc, out, len), 0);
        ck_assert_mem_eq(in, out, len);
        ck_assert_int_eq(ota_base64_decode(enc, out, len + 1), -1);
    }
    ck_assert_int_eq(ota_base64_decode("ytq/gATfa7hWgBvjHyYmREw51/k=", out, 20), 0);
    ck_assert_int_eq(ota_base64_decode("ytq/gATfa7hWgBvjHyYmREw51/l=", out, 20), -1); /* stray bits */
    ck_assert_int_eq(ota_base64_decode("ytq/gATfa7hWgBvjHyYmREw51/k", out, 20), -1);
    ck_assert_int_eq(ota_base64_decode("ytq/gATfa7hWgBvjHyYmREw5=/k=", out, 20), -1);
    ck_assert_int_eq(ota_base64_decode("ytq/gATfa7hWgBvjHyYmREw51/k=\r", out, 20), -1);
    ck_assert_int_eq(ota_base64_decode("ytq/gATfa7hWgBvjHyYmREw5!/k=", out, 20), -1);
    ck_assert_int_eq(ota_base64_decode("", out, 0), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("otautil-manifest");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, sections_and_extents);
    tcase_add_test(tc, section_digest_matches_android);
    tcase_add_test(tc, continuations_and_line_endings);
    tcase_add_test(tc, extra_blank_lines_between_sections);
    tcase_add_test(tc, malformed_text_is_refused);
    tcase_add_test(tc, nul_and_huge_lines_are_refused);
    tcase_add_test(tc, attribute_flood_is_refused);
    tcase_add_test(tc, many_sections_and_long_continuations_parse);
    tcase_add_test(tc, empty_manifest_has_only_a_main_section);
    tcase_add_test(tc, writer_wraps_at_72_bytes_and_round_trips);
    tcase_add_test(tc, base64_is_strict);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? 1 : 0;
}

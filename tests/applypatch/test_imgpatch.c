/* Unit tests of imgpatch: Android's own IMGDIFF2 patches, and patches that
 * are truncated, corrupt or lie about their sizes (errors, never a crash). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "applypatch/applypatch.h"
#include "applypatch/imgdiff.h"
#include "applypatch/imgpatch.h"
#include "otautil/hash.h"
#include "otautil/sink.h"
#include "tests/common/testdata.h"
#include "tests/common/testutil.h"

#define RECOVERY_SHA1 "e1e9672394cdf82befe0528e1a075167f500d5c4"

static void load(const char *rel, uint8_t **data, size_t *len)
{
    char path[4200];
    ota_error err;
    ck_assert_msg(applypatch_read_file(test_data_path(rel, path, sizeof path), data, len, &err) == 0, "%s", err.message);
}

static void sha1_hex(const uint8_t *data, size_t len, char out[41])
{
    uint8_t d[OTA_SHA1_LEN];
    ota_sha1(data, len, d);
    ota_hex_encode(d, sizeof d, out);
}

/* Applies patch to src; returns imgpatch's result, output in *out. */
static int apply(const uint8_t *src, size_t src_len, const uint8_t *patch, size_t patch_len, const uint8_t *bonus,
                 size_t bonus_len, ota_buf *out, ota_error *err)
{
    memset(out, 0, sizeof *out);
    ota_error_clear(err);
    int rc = imgpatch_apply(src, src_len, patch, patch_len, bonus, bonus_len, ota_buf_sink, out, err);
    if (rc < 0)
        ck_assert_msg(err->message[0] != '\0', "failure without a message");
    return rc;
}

START_TEST(android_patch_with_bonus_inside)
{
    uint8_t *boot, *patch;
    size_t boot_len, patch_len;
    load("recovery/boot.img", &boot, &boot_len);
    load("recovery/recovery-from-boot-with-bonus.p", &patch, &patch_len);
    ota_buf out;
    ota_error err;
    ck_assert_msg(apply(boot, boot_len, patch, patch_len, NULL, 0, &out, &err) == 0, "%s", err.message);
    char hex[41];
    sha1_hex(out.data, out.len, hex);
    ck_assert_str_eq(hex, RECOVERY_SHA1);
    ota_buf_free(&out);
    free(boot);
    free(patch);
}
END_TEST

START_TEST(android_patch_with_bonus_file)
{
    uint8_t *boot, *patch, *bonus;
    size_t boot_len, patch_len, bonus_len;
    load("recovery/boot.img", &boot, &boot_len);
    load("recovery/recovery-from-boot.p", &patch, &patch_len);
    load("recovery/bonus.file", &bonus, &bonus_len);
    ota_buf out;
    ota_error err;
    ck_assert_msg(apply(boot, boot_len, patch, patch_len, bonus, bonus_len, &out, &err) == 0, "%s", err.message);
    char hex[41];
    sha1_hex(out.data, out.len, hex);
    ck_assert_str_eq(hex, RECOVERY_SHA1);
    ota_buf_free(&out);
    /* Without the bonus the expanded size cannot match: a clear error. */
    ck_assert_int_eq(apply(boot, boot_len, patch, patch_len, NULL, 0, &out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "chunk 1"));
    ck_assert_ptr_nonnull(strstr(err.message, "bonus"));
    ota_buf_free(&out);
    ck_assert_int_eq(imgpatch_uses_bonus(patch, patch_len), 1);
    ck_assert_int_eq(imgpatch_uses_bonus(patch, 20), 0);
    free(boot);
    free(patch);
    free(bonus);
}
END_TEST

START_TEST(android_patch_on_wrong_source_fails)
{
    uint8_t *boot, *patch;
    size_t boot_len, patch_len;
    load("recovery/boot.img", &boot, &boot_len);
    load("recovery/recovery-from-boot-with-bonus.p", &patch, &patch_len);
    boot[45066 + 100] ^= 0x55; /* inside the ramdisk's deflate stream */
    ota_buf out;
    ota_error err;
    int rc = apply(boot, boot_len, patch, patch_len, NULL, 0, &out, &err);
    if (rc == 0) { /* a flip can still inflate; then the output must differ */
        char hex[41];
        sha1_hex(out.data, out.len, hex);
        ck_assert_str_ne(hex, RECOVERY_SHA1);
    }
    ota_buf_free(&out);
    /* A source shorter than the chunks' ranges. */
    ck_assert_int_eq(apply(boot, 1000, patch, patch_len, NULL, 0, &out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "outside"));
    ota_buf_free(&out);
    free(boot);
    free(patch);
}
END_TEST

/* Every truncation of a real patch is an error, never a crash or a
 * silently short output. */
START_TEST(android_patch_truncated_everywhere)
{
    uint8_t *boot, *patch;
    size_t boot_len, patch_len;
    load("recovery/boot.img", &boot, &boot_len);
    load("recovery/recovery-from-boot-with-bonus.p", &patch, &patch_len);
    size_t step = 1;
    for (size_t len = 0; len < patch_len; len += step) {
        ota_buf out;
        ota_error err;
        ck_assert_msg(apply(boot, boot_len, patch, len, NULL, 0, &out, &err) == -1, "truncated at %zu applied", len);
        ota_buf_free(&out);
        if (len > 400)
            step = 997; /* past the headers, sample the bsdiff data */
    }
    free(boot);
    free(patch);
}
END_TEST

/* ---- crafted patches ------------------------------------------------------- */

typedef struct builder {
    uint8_t b[4096];
    size_t n;
} builder;

static void put32(builder *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p->b[p->n++] = (uint8_t)(v >> (8 * i));
}

static void put64(builder *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p, (uint32_t)(v >> 32));
}

static void start(builder *p, int32_t chunks)
{
    p->n = 0;
    memcpy(p->b, "IMGDIFF2", 8);
    p->n = 8;
    put32(p, (uint32_t)chunks);
}

static const uint8_t source[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static void expect_error(const builder *p, const char *needle)
{
    ota_buf out;
    ota_error err;
    ck_assert_int_eq(apply(source, sizeof source, p->b, p->n, NULL, 0, &out, &err), -1);
    ck_assert_msg(strstr(err.message, needle) != NULL, "message \"%s\" lacks \"%s\"", err.message, needle);
    ck_assert_uint_eq(out.len, 0); /* nothing is output before the table checks out */
    ota_buf_free(&out);
}

START_TEST(raw_chunks_and_empty_patch)
{
    builder p;
    start(&p, 2);
    put32(&p, IMGDIFF_CHUNK_RAW);
    put32(&p, 5);
    memcpy(p.b + p.n, "hello", 5);
    p.n += 5;
    put32(&p, IMGDIFF_CHUNK_RAW);
    put32(&p, 0);
    ota_buf out;
    ota_error err;
    ck_assert_int_eq(imgpatch_uses_bonus(p.b, p.n), 0);
    ck_assert_int_eq(apply(source, sizeof source, p.b, p.n, NULL, 0, &out, &err), 0);
    ck_assert_uint_eq(out.len, 5);
    ck_assert_mem_eq(out.data, "hello", 5);
    ota_buf_free(&out);
    start(&p, 0);
    ck_assert_int_eq(apply(NULL, 0, p.b, p.n, NULL, 0, &out, &err), 0);
    ck_assert_uint_eq(out.len, 0);
    ota_buf_free(&out);
}
END_TEST

START_TEST(bad_magic_and_counts)
{
    builder p;
    start(&p, 0);
    p.b[7] = '1'; /* IMGDIFF1 */
    expect_error(&p, "magic");
    start(&p, -1);
    expect_error(&p, "chunk count");
    start(&p, 0x7fffffff);
    expect_error(&p, "chunk count");
    start(&p, 1);
    expect_error(&p, "chunk count");
    p.n = 5;
    expect_error(&p, "truncated");
}
END_TEST

/* Many chunks: a hostile table is bounded, a large legal one is fast
 * (patch ends are found by sorting, not by pairwise search). */
START_TEST(chunk_table_limits)
{
    size_t n = (1u << 20) + 1, len = 12 + 8 * n;
    uint8_t *p = calloc(1, len);
    memcpy(p, "IMGDIFF2", 8);
    p[8] = (uint8_t)n, p[9] = (uint8_t)(n >> 8), p[10] = (uint8_t)(n >> 16);
    for (size_t i = 0; i < n; i++)
        p[12 + 8 * i] = IMGDIFF_CHUNK_RAW;
    ota_buf out;
    ota_error err;
    ck_assert_int_eq(apply(source, sizeof source, p, len, NULL, 0, &out, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_LIMIT);
    ota_buf_free(&out);
    free(p);
    /* 200000 normal chunks whose bsdiff data is bad: fails at the first. */
    n = 200000;
    len = 12 + 28 * n;
    p = calloc(1, len);
    memcpy(p, "IMGDIFF2", 8);
    p[8] = (uint8_t)n, p[9] = (uint8_t)(n >> 8), p[10] = (uint8_t)(n >> 16);
    for (size_t i = 0; i < n; i++) {
        uint8_t *h = p + 12 + 28 * i;
        size_t off = 12 + 28 * (n - 1 - i);
        for (int b = 0; b < 8; b++)
            h[20 + b] = (uint8_t)(off >> (8 * b));
    }
    ck_assert_int_eq(apply(source, sizeof source, p, len, NULL, 0, &out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "chunk 0"));
    ota_buf_free(&out);
    free(p);
}
END_TEST

START_TEST(lying_lengths)
{
    builder p;
    /* raw length past the end */
    start(&p, 1);
    put32(&p, IMGDIFF_CHUNK_RAW);
    put32(&p, 0xffffffffu);
    expect_error(&p, "past the patch end");
    /* normal chunk reaching outside the source, with overflow */
    start(&p, 1);
    put32(&p, IMGDIFF_CHUNK_NORMAL);
    put64(&p, UINT64_MAX - 3);
    put64(&p, 8);
    put64(&p, 12);
    expect_error(&p, "outside");
    start(&p, 1);
    put32(&p, IMGDIFF_CHUNK_NORMAL);
    put64(&p, 8);
    put64(&p, UINT64_MAX - 3);
    put64(&p, 12);
    expect_error(&p, "outside");
    /* patch offset past the end */
    start(&p, 1);
    put32(&p, IMGDIFF_CHUNK_NORMAL);
    put64(&p, 0);
    put64(&p, 8);
    put64(&p, 1u << 20);
    expect_error(&p, "patch offset");
    /* deflate chunk claiming an impossible expansion */
    start(&p, 1);
    put32(&p, IMGDIFF_CHUNK_DEFLATE);
    put64(&p, 0);
    put64(&p, 8);
    put64(&p, 12);
    put64(&p, 1ull << 62);
    put64(&p, 10);
    for (int i = 0; i < 5; i++)
        put32(&p, 0);
    /* the offset must be inside: point it at the header itself */
    ota_buf out;
    ota_error err;
    ck_assert_int_eq(apply(source, sizeof source, p.b, p.n, NULL, 0, &out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot expand"));
    ota_buf_free(&out);
    /* the retired gzip chunk type and unknown types */
    start(&p, 1);
    put32(&p, IMGDIFF_CHUNK_GZIP);
    put64(&p, 0);
    put64(&p, 0);
    put64(&p, 0);
    expect_error(&p, "IMGDIFF1");
    start(&p, 1);
    put32(&p, 77);
    put32(&p, 0);
    expect_error(&p, "unknown chunk type");
}
END_TEST

START_TEST(deflate_chunk_with_bad_source_or_params)
{
    /* source bytes that are not deflate data */
    builder p;
    start(&p, 1);
    put32(&p, IMGDIFF_CHUNK_DEFLATE);
    put64(&p, 0);
    put64(&p, 16);
    put64(&p, 12);
    put64(&p, 100);
    put64(&p, 10);
    put32(&p, 6);
    put32(&p, 8);
    put32(&p, (uint32_t)-15);
    put32(&p, 8);
    put32(&p, 0);
    ota_buf out;
    ota_error err;
    ck_assert_int_eq(apply(source, sizeof source, p.b, p.n, NULL, 0, &out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "chunk 0"));
    ota_buf_free(&out);
}
END_TEST

static int failing_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    (void)ctx;
    (void)data;
    (void)len;
    return ota_error_set(err, OTA_ERR_IO, "disk full (test sink)");
}

START_TEST(sink_failure_stops_the_patch)
{
    builder p;
    start(&p, 1);
    put32(&p, IMGDIFF_CHUNK_RAW);
    put32(&p, 3);
    memcpy(p.b + p.n, "abc", 3);
    p.n += 3;
    ota_error err;
    ck_assert_int_eq(imgpatch_apply(source, sizeof source, p.b, p.n, NULL, 0, failing_sink, NULL, &err), -1);
    ck_assert_str_eq(err.message, "disk full (test sink)");
}
END_TEST

/* A gzip member of some text, made with zlib. */
static size_t gzip_text(uint8_t *out, size_t cap, int variant)
{
    static const char *words[] = {"quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ", "\n"};
    uint8_t text[20000];
    uint32_t x = 1;
    for (size_t i = 0; i < sizeof text;) {
        x = x * 1103515245u + 12345u;
        for (const char *w = words[(x >> 16) % 8]; *w && i < sizeof text; w++)
            text[i++] = (uint8_t)*w;
    }
    if (variant)
        memcpy(text + 5000, "a small edit", 12);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = text;
    zs.avail_in = sizeof text;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    deflateEnd(&zs);
    return zs.total_out;
}

/* The target length of a deflate chunk, made wrong either way. */
START_TEST(deflate_chunk_target_length_lies)
{
    uint8_t a[30000], b[30000];
    size_t a_len = gzip_text(a, sizeof a, 0), b_len = gzip_text(b, sizeof b, 1);
    uint8_t *patch;
    size_t patch_len;
    ota_error err;
    ck_assert_msg(imgdiff_create(a, a_len, b, b_len, NULL, &patch, &patch_len, &err) == 0, "%s", err.message);
    /* chunk 0: the 10-byte gzip header (raw or normal); find chunk 1 */
    size_t pos = 12;
    int type0 = patch[pos];
    pos += type0 == IMGDIFF_CHUNK_RAW ? 8 + patch[pos + 4] : 28;
    ck_assert_int_eq(patch[pos], IMGDIFF_CHUNK_DEFLATE);
    uint8_t *target_len = patch + pos + 4 + 32;
    ota_buf out;
    ck_assert_int_eq(apply(a, a_len, patch, patch_len, NULL, 0, &out, &err), 0);
    ck_assert_uint_eq(out.len, b_len);
    ck_assert_mem_eq(out.data, b, b_len);
    ota_buf_free(&out);
    target_len[0]--;
    ck_assert_int_eq(apply(a, a_len, patch, patch_len, NULL, 0, &out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "more than the declared"));
    ck_assert_ptr_nonnull(strstr(err.message, "chunk 1"));
    ota_buf_free(&out);
    target_len[0] += 2;
    ck_assert_int_eq(apply(a, a_len, patch, patch_len, NULL, 0, &out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "header says"));
    ota_buf_free(&out);
    free(patch);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("imgpatch");
    TCase *tc = tcase_create("crafted");
    tcase_add_test(tc, raw_chunks_and_empty_patch);
    tcase_add_test(tc, bad_magic_and_counts);
    tcase_add_test(tc, lying_lengths);
    tcase_add_test(tc, chunk_table_limits);
    tcase_add_test(tc, deflate_chunk_target_length_lies);
    tcase_add_test(tc, deflate_chunk_with_bad_source_or_params);
    tcase_add_test(tc, sink_failure_stops_the_patch);
    suite_add_tcase(s, tc);
    int android = test_data_present("recovery/boot.img");
    if (android) {
        TCase *ta = tcase_create("android");
        tcase_add_test(ta, android_patch_with_bonus_inside);
        tcase_add_test(ta, android_patch_with_bonus_file);
        tcase_add_test(ta, android_patch_on_wrong_source_fails);
        tcase_add_test(ta, android_patch_truncated_everywhere);
        suite_add_tcase(s, ta);
    }
    int failed = test_run(s);
    return test_data_exit(failed, android, "the 4 cases on Android's patches");
}

/* Unit tests of BSDIFF40 apply on bad input: hand-made patches whose
 * control triples lie (negative or overflowing lengths, source ranges out
 * of bounds, streams too short), damaged headers and streams, and every
 * truncation and byte flip of a real patch.  Each must be a clear error
 * (or, for flips bzip2 cannot notice, a result of the declared size),
 * through both the in-memory and the bounded-memory path. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applypatch/bsdiff.h"
#include "applypatch/bspatch.h"
#include "applypatch/bsdiff_internal.h"
#include "otautil/sink.h"
#include "tests/common/testutil.h"

static void compress(ota_buf *out, const void *data, size_t len)
{
    ck_assert_int_eq(codec_compress(CODEC_BZ2, data, len, out, NULL), 0);
}

/* A patch from raw triples, diff and extra bytes; header fields as given. */
static ota_buf craft(const int64_t *triples, size_t n_triples, const void *diff,
                     size_t diff_len, const void *extra, size_t extra_len, int64_t new_size)
{
    ota_buf ctrl = {0}, d = {0}, e = {0}, p = {0};
    uint8_t *raw = malloc(24 * n_triples + 1);
    for (size_t i = 0; i < 3 * n_triples; i++)
        bsdiff_put_offset(raw + 8 * i, triples[i]);
    compress(&ctrl, raw, 24 * n_triples);
    compress(&d, diff, diff_len);
    compress(&e, extra, extra_len);
    uint8_t hdr[32];
    memcpy(hdr, "BSDIFF40", 8);
    bsdiff_put_offset(hdr + 8, (int64_t)ctrl.len);
    bsdiff_put_offset(hdr + 16, (int64_t)d.len);
    bsdiff_put_offset(hdr + 24, new_size);
    ck_assert_int_eq(ota_buf_append(&p, hdr, 32, NULL), 0);
    ck_assert_int_eq(ota_buf_append(&p, ctrl.data, ctrl.len, NULL), 0);
    ck_assert_int_eq(ota_buf_append(&p, d.data, d.len, NULL), 0);
    ck_assert_int_eq(ota_buf_append(&p, e.data, e.len, NULL), 0);
    ota_buf_free(&ctrl);
    ota_buf_free(&d);
    ota_buf_free(&e);
    free(raw);
    return p;
}

static int fd_with(const uint8_t *data, size_t len)
{
    char path[] = "/tmp/test_bspatch.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    if (len)
        ck_assert_int_eq(ota_write_all(fd, data, len, NULL), 0);
    return fd;
}

/* Applies through both paths; both must agree on success or failure.
 * Returns the result code; *out (if given) receives the in-memory output,
 * err the in-memory path's error. */
static int apply_both(const uint8_t *old, size_t old_len, const uint8_t *patch,
                      size_t patch_len, ota_buf *out, ota_error *err)
{
    ota_buf a = {0}, b = {0};
    ota_error_clear(err);
    int rc_mem = bspatch_mem(old, old_len, patch, patch_len, ota_buf_sink, &a, err);
    int old_fd = fd_with(old, old_len), patch_fd = fd_with(patch, patch_len);
    ota_error err_file;
    int rc_file = bspatch_file(old_fd, old_len, patch_fd, 0, ota_buf_sink, &b, &err_file);
    close(old_fd);
    close(patch_fd);
    ck_assert_int_eq(rc_mem, rc_file);
    if (rc_mem == 0) {
        ck_assert_uint_eq(a.len, b.len);
        ck_assert_int_eq(memcmp(a.data, b.data, a.len), 0);
    } else {
        ck_assert_int_ne(err->code, OTA_OK);
        ck_assert_int_ne(err_file.code, OTA_OK);
        ck_assert_str_eq(err->message, err_file.message);
    }
    if (out)
        *out = a;
    else
        ota_buf_free(&a);
    ota_buf_free(&b);
    return rc_mem;
}

static void expect_error(const uint8_t *old, size_t old_len, const ota_buf *patch,
                         const char *words)
{
    ota_error err;
    ck_assert_int_eq(apply_both(old, old_len, patch->data, patch->len, NULL, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, words) != NULL, "message \"%s\" lacks \"%s\"",
                  err.message, words);
}

static const uint8_t old8[8] = "abcdefgh";

START_TEST(crafted_patch_with_seeks_applies)
{
    /* Seek forward to 4; "ef" + 1 each, "XY" literal, seek back to 0;
     * "ab" unchanged. */
    int64_t t[] = {0, 0, 4, 2, 2, -6, 2, 0, 0};
    uint8_t diff[4] = {1, 1, 0, 0};
    ota_buf p = craft(t, 3, diff, 4, "XY", 2, 6);
    ota_buf out = {0};
    ota_error err;
    ck_assert_int_eq(apply_both(old8, 8, p.data, p.len, &out, &err), 0);
    ck_assert_uint_eq(out.len, 6);
    ck_assert_mem_eq(out.data, "fgXYab", 6);
    ota_buf_free(&out);
    ota_buf_free(&p);
}
END_TEST

START_TEST(wrong_magic_and_short_headers)
{
    ota_buf p = craft((int64_t[]){0, 1, 0}, 1, "", 0, "Z", 1, 1);
    p.data[7] = '1';
    expect_error(old8, 8, &p, "magic");
    ota_buf_free(&p);
    for (size_t n = 0; n < 32; n++) {
        ota_buf q = {0};
        ck_assert_int_eq(ota_buf_append(&q, "BSDIFF40\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                                            "\0\0\0\0",
                                        n, NULL), 0);
        expect_error(old8, 8, &q, "truncated");
        ota_buf_free(&q);
    }
}
END_TEST

START_TEST(header_lengths_negative_or_overflowing)
{
    ota_buf p = craft((int64_t[]){0, 1, 0}, 1, "", 0, "Z", 1, 1);
    bsdiff_put_offset(p.data + 24, -1);
    expect_error(old8, 8, &p, "negative");
    ck_assert_int_eq(bspatch_new_size(p.data, p.len, NULL), -1);
    bsdiff_put_offset(p.data + 24, 1);
    ck_assert_int_eq(bspatch_new_size(p.data, p.len, NULL), 1);
    bsdiff_put_offset(p.data + 8, INT64_MAX);
    bsdiff_put_offset(p.data + 16, INT64_MAX);
    expect_error(old8, 8, &p, "truncated");
    bsdiff_put_offset(p.data + 8, 1);
    bsdiff_put_offset(p.data + 16, INT64_MAX);
    expect_error(old8, 8, &p, "truncated");
    ota_buf_free(&p);
}
END_TEST

START_TEST(control_lengths_checked)
{
    ota_buf p;
    p = craft((int64_t[]){-1, 0, 0}, 1, "", 0, "", 0, 4);
    expect_error(old8, 8, &p, "negative");
    ota_buf_free(&p);
    p = craft((int64_t[]){0, -5, 0}, 1, "", 0, "", 0, 4);
    expect_error(old8, 8, &p, "negative");
    ota_buf_free(&p);
    p = craft((int64_t[]){5, 0, 0}, 1, "\0\0\0\0\0", 5, "", 0, 4);
    expect_error(old8, 8, &p, "past the new size");
    ota_buf_free(&p);
    p = craft((int64_t[]){2, INT64_MAX, 0}, 1, "\0\0", 2, "", 0, 4);
    expect_error(old8, 8, &p, "past the new size");
    ota_buf_free(&p);
}
END_TEST

START_TEST(source_ranges_checked)
{
    ota_buf p;
    /* 4 diff bytes from source offset 6 of 8. */
    p = craft((int64_t[]){0, 0, 6, 4, 0, 0}, 2, "\0\0\0\0", 4, "", 0, 4);
    expect_error(old8, 8, &p, "outside");
    ota_buf_free(&p);
    /* A seek before the start. */
    p = craft((int64_t[]){0, 1, -1, 1, 0, 0}, 2, "\0", 1, "Z", 1, 2);
    expect_error(old8, 8, &p, "outside");
    ota_buf_free(&p);
    /* Seeks that overflow the position. */
    p = craft((int64_t[]){0, 1, INT64_MAX, 0, 1, INT64_MAX}, 2, "", 0, "ZZ", 2, 3);
    expect_error(old8, 8, &p, "overflow");
    ota_buf_free(&p);
    /* Any diff byte from an empty source. */
    p = craft((int64_t[]){1, 0, 0}, 1, "\0", 1, "", 0, 1);
    expect_error(NULL, 0, &p, "outside");
    ota_buf_free(&p);
}
END_TEST

START_TEST(streams_too_short_or_too_long)
{
    ota_buf p;
    p = craft((int64_t[]){0, 2, 0}, 1, "", 0, "ZZ", 2, 3); /* control ends early */
    expect_error(old8, 8, &p, "control");
    ota_buf_free(&p);
    p = craft((int64_t[]){3, 0, 0}, 1, "\0\0", 2, "", 0, 3); /* diff short */
    expect_error(old8, 8, &p, "diff stream ends early");
    ota_buf_free(&p);
    p = craft((int64_t[]){0, 3, 0}, 1, "", 0, "ZZ", 2, 3); /* extra short */
    expect_error(old8, 8, &p, "extra stream ends early");
    ota_buf_free(&p);
    p = craft((int64_t[]){0, 2, 0}, 1, "", 0, "ZZZ", 3, 2); /* extra too long */
    expect_error(old8, 8, &p, "more data");
    ota_buf_free(&p);
    p = craft((int64_t[]){0, 2, 0}, 1, "", 0, "ZZ", 2, 2);
    memset(p.data + p.len - 20, 'x', 10); /* extra stream not bzip2 any more */
    expect_error(old8, 8, &p, "extra stream");
    ota_buf_free(&p);
}
END_TEST

static int failing_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    (void)ctx, (void)data, (void)len;
    return ota_error_set(err, OTA_ERR_NOSPACE, "sink is full");
}

START_TEST(sink_errors_stop_the_apply)
{
    ota_buf p = craft((int64_t[]){0, 2, 0}, 1, "", 0, "ZZ", 2, 2);
    ota_error err;
    ck_assert_int_eq(bspatch_mem(old8, 8, p.data, p.len, failing_sink, NULL, &err), -1);
    ck_assert_int_eq(err.code, OTA_ERR_NOSPACE);
    ota_buf_free(&p);
}
END_TEST

/* A real patch, then every prefix of it and every single-byte change. */
START_TEST(every_truncation_and_flip_is_safe)
{
    uint8_t old[3000], new_data[3200];
    for (size_t i = 0; i < sizeof old; i++)
        old[i] = (uint8_t)(i * 7 + (i >> 5));
    memcpy(new_data, old + 100, 2000);
    memset(new_data + 2000, 'q', 200);
    memcpy(new_data + 2200, old, 1000);
    new_data[50] ^= 0x40;
    uint8_t *patch;
    size_t patch_len;
    ck_assert_int_eq(bsdiff_create(old, sizeof old, new_data, sizeof new_data, &patch,
                                   &patch_len, NULL), 0);
    ota_error err;
    for (size_t n = 0; n < patch_len; n++)
        ck_assert_int_eq(apply_both(old, sizeof old, patch, n, NULL, &err), -1);
    ota_buf out = {0};
    ck_assert_int_eq(apply_both(old, sizeof old, patch, patch_len, &out, &err), 0);
    ck_assert_uint_eq(out.len, sizeof new_data);
    ck_assert_int_eq(memcmp(out.data, new_data, out.len), 0);
    ota_buf_free(&out);
    for (size_t i = 0; i < patch_len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            patch[i] ^= (uint8_t)(1u << bit);
            /* Either a clear error, or (a flip in a seek that is not used,
             * a sign bit of zero) a full-size result. */
            if (apply_both(old, sizeof old, patch, patch_len, &out, &err) == 0)
                ck_assert_uint_eq(out.len, sizeof new_data);
            ota_buf_free(&out);
            patch[i] ^= (uint8_t)(1u << bit);
        }
    }
    free(patch);
}
END_TEST

/* Targets of a megabyte and more have their diff stream decompressed on a
 * second thread; its errors must come out the same way. */
START_TEST(large_patches_fail_cleanly)
{
    size_t n = 3u << 19; /* 1.5 MB */
    uint8_t *old = malloc(n), *new_data = malloc(n);
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) { /* compressible but not trivial */
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        old[i] = (uint8_t)(x % 16 + i / 4096);
    }
    memcpy(new_data, old, n);
    for (size_t i = 0; i < n; i += 1000)
        new_data[i] ^= 0x55;
    uint8_t *patch;
    size_t patch_len;
    ck_assert_int_eq(bsdiff_create(old, n, new_data, n, &patch, &patch_len, NULL), 0);
    ota_error err;
    ota_buf out = {0};
    ck_assert_int_eq(apply_both(old, n, patch, patch_len, &out, &err), 0);
    ck_assert_uint_eq(out.len, n);
    ck_assert_int_eq(memcmp(out.data, new_data, n), 0);
    ota_buf_free(&out);
    for (size_t k = 1; k <= 40; k++) {
        size_t cut = patch_len * k / 41;
        ck_assert_int_eq(apply_both(old, n, patch, cut, NULL, &err), -1);
        size_t at = 32 + (patch_len - 32) * k / 41;
        patch[at] ^= 0x10;
        if (apply_both(old, n, patch, patch_len, &out, &err) == 0)
            ck_assert_uint_eq(out.len, n);
        ota_buf_free(&out);
        patch[at] ^= 0x10;
    }
    free(patch);

    /* The whole target from the diff stream, which is one byte short, or
     * one byte long. */
    uint8_t *zeros = calloc(n + 1, 1);
    ota_buf p = craft((int64_t[]){(int64_t)n, 0, 0}, 1, zeros, n - 1, "", 0, (int64_t)n);
    expect_error(old, n, &p, "diff stream ends early");
    ota_buf_free(&p);
    p = craft((int64_t[]){(int64_t)n, 0, 0}, 1, zeros, n + 1, "", 0, (int64_t)n);
    expect_error(old, n, &p, "diff stream holds more data");
    ota_buf_free(&p);
    /* A control error while the diff thread is still busy. */
    p = craft((int64_t[]){1000, 0, 0, 1000, 0, (int64_t)n}, 2, zeros, n, "", 0, (int64_t)n);
    expect_error(old, n, &p, "control");
    ota_buf_free(&p);
    free(zeros);
    free(old);
    free(new_data);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bspatch");
    TCase *tc = tcase_create("bad input");
    tcase_add_test(tc, crafted_patch_with_seeks_applies);
    tcase_add_test(tc, wrong_magic_and_short_headers);
    tcase_add_test(tc, header_lengths_negative_or_overflowing);
    tcase_add_test(tc, control_lengths_checked);
    tcase_add_test(tc, source_ranges_checked);
    tcase_add_test(tc, streams_too_short_or_too_long);
    tcase_add_test(tc, sink_errors_stop_the_apply);
    tcase_add_test(tc, every_truncation_and_flip_is_safe);
    tcase_add_test(tc, large_patches_fail_cleanly);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

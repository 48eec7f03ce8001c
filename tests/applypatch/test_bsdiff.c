/* Unit tests of BSDIFF40 generation: every patch bsdiff_create makes must
 * rebuild its target exactly through both apply paths (bspatch_mem and the
 * bounded-memory bspatch_file), on random and structured inputs, and the
 * match search must find the true longest match. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applypatch/bsdiff.h"
#include "applypatch/bspatch.h"
#include "applypatch/bsdiff_internal.h"
#include "otautil/sink.h"
#include "tests/common/testutil.h"

/* A small deterministic generator, so failures reproduce. */
static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}
static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

/* A file descriptor holding data, for the file-based apply. */
static int fd_with(const uint8_t *data, size_t len)
{
    char path[] = "/tmp/test_bsdiff.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    if (len)
        ck_assert_int_eq(ota_write_all(fd, data, len, NULL), 0);
    return fd;
}

/* Makes a patch, checks its header, applies it both ways, and compares. */
static size_t round_trip(const uint8_t *old, size_t old_len, const uint8_t *new_data,
                         size_t new_len)
{
    ota_error err;
    uint8_t *patch = NULL;
    size_t patch_len = 0;
    ck_assert_msg(bsdiff_create(old, old_len, new_data, new_len, &patch, &patch_len, &err) == 0,
                  "bsdiff_create: %s", err.message);
    ck_assert_uint_ge(patch_len, 32);
    ck_assert_mem_eq(patch, "BSDIFF40", 8);
    ck_assert_int_eq(bspatch_new_size(patch, patch_len, &err), (long long)new_len);

    ota_buf out = {0};
    ck_assert_msg(bspatch_mem(old, old_len, patch, patch_len, ota_buf_sink, &out, &err) == 0,
                  "bspatch_mem: %s", err.message);
    ck_assert_uint_eq(out.len, new_len);
    if (new_len)
        ck_assert_int_eq(memcmp(out.data, new_data, new_len), 0);
    ota_buf_free(&out);

    for (unsigned flags = 0; flags <= BSPATCH_SMALL_BZIP2; flags++) {
        int old_fd = fd_with(old, old_len), patch_fd = fd_with(patch, patch_len);
        ck_assert_msg(bspatch_file(old_fd, old_len, patch_fd, flags, ota_buf_sink, &out,
                                   &err) == 0,
                      "bspatch_file: %s", err.message);
        close(old_fd);
        close(patch_fd);
        ck_assert_uint_eq(out.len, new_len);
        if (new_len)
            ck_assert_int_eq(memcmp(out.data, new_data, new_len), 0);
        ota_buf_free(&out);
    }
    free(patch);
    return patch_len;
}

START_TEST(empty_files)
{
    round_trip(NULL, 0, NULL, 0);
    uint8_t b[100];
    fill_random(b, sizeof b);
    round_trip(NULL, 0, b, sizeof b);
    round_trip(b, sizeof b, NULL, 0);
}
END_TEST

START_TEST(one_byte_files)
{
    uint8_t a = 'a', b = 'b';
    round_trip(&a, 1, &a, 1);
    round_trip(&a, 1, &b, 1);
    round_trip(NULL, 0, &b, 1);
    round_trip(&a, 1, NULL, 0);
}
END_TEST

START_TEST(identical_files_make_small_patches)
{
    size_t n = 1 << 20;
    uint8_t *d = malloc(n);
    fill_random(d, n);
    size_t len = round_trip(d, n, d, n);
    /* One control triple, a diff of zeros, no extra: tiny once compressed. */
    ck_assert_uint_lt(len, 1000);
    free(d);
}
END_TEST

START_TEST(grow_only)
{
    size_t n = 200000;
    uint8_t *old = malloc(n), *new_data = malloc(2 * n);
    fill_random(old, n);
    memcpy(new_data, old, n);
    fill_random(new_data + n, n); /* appended */
    round_trip(old, n, new_data, 2 * n);
    /* Inserted in the middle. */
    memcpy(new_data, old, n / 2);
    fill_random(new_data + n / 2, 1000);
    memcpy(new_data + n / 2 + 1000, old + n / 2, n / 2);
    size_t len = round_trip(old, n, new_data, n + 1000);
    ck_assert_uint_lt(len, 4000);
    free(old);
    free(new_data);
}
END_TEST

START_TEST(shrink_only)
{
    size_t n = 200000;
    uint8_t *old = malloc(n), *new_data = malloc(n);
    fill_random(old, n);
    round_trip(old, n, old, n / 3); /* truncated */
    round_trip(old, n, old + n / 2, n / 2); /* head cut */
    memcpy(new_data, old, n / 4);
    memcpy(new_data + n / 4, old + n / 2, n / 2); /* middle cut */
    size_t len = round_trip(old, n, new_data, n / 4 + n / 2);
    ck_assert_uint_lt(len, 2000);
    free(old);
    free(new_data);
}
END_TEST

START_TEST(random_unrelated_files)
{
    for (int i = 0; i < 5; i++) {
        size_t a = rnd() % 5000, b = rnd() % 5000;
        uint8_t *old = malloc(a + 1), *new_data = malloc(b + 1);
        fill_random(old, a);
        fill_random(new_data, b);
        round_trip(old, a, new_data, b);
        free(old);
        free(new_data);
    }
}
END_TEST

/* Like a program between builds: mostly the same code, with scattered
 * byte edits (changed addresses), moved blocks, and a few new runs. */
START_TEST(structured_edits)
{
    size_t n = 1 << 20;
    uint8_t *old = malloc(n), *new_data = malloc(n + 4096);
    static const uint8_t opcodes[8] = {0x48, 0x89, 0xe5, 0x55, 0x41, 0x57, 0xc3, 0x90};
    for (size_t i = 0; i < n; i++) /* a low-entropy "instruction stream" */
        old[i] = (uint8_t)(opcodes[rnd() % 8] ^ (rnd() % 16 == 0 ? rnd() : 0));
    memcpy(new_data, old, n);
    for (int i = 0; i < 3000; i++) /* relocated addresses */
        new_data[rnd() % n] += 4;
    memmove(new_data + 100000, old + 500000, 65536); /* a moved function */
    fill_random(new_data + n, 4096);                 /* new code at the end */
    size_t len = round_trip(old, n, new_data, n + 4096);
    ck_assert_uint_lt(len, n / 4);
    free(old);
    free(new_data);
}
END_TEST

/* Long runs of one byte are the classic slow case of suffix searches; the
 * result must still be exact (and this must finish). */
START_TEST(long_runs)
{
    size_t n = 1 << 21;
    uint8_t *old = calloc(n, 1), *new_data = calloc(n, 1);
    for (int i = 0; i < 50; i++)
        new_data[rnd() % n] = (uint8_t)rnd();
    memset(new_data + n / 2, 0xff, 4096);
    round_trip(old, n, new_data, n);
    round_trip(new_data, n, old, n);
    free(old);
    free(new_data);
}
END_TEST

/* bsdiff_index_longest against a brute-force longest match. */
START_TEST(search_finds_longest_match)
{
    for (int round = 0; round < 40; round++) {
        size_t n = 1 + rnd() % 3000;
        unsigned alphabet = 1 + rnd() % (round < 20 ? 4 : 256);
        uint8_t *old = malloc(n);
        for (size_t i = 0; i < n; i++)
            old[i] = (uint8_t)(rnd() % alphabet);
        bsdiff_index ix;
        ck_assert_int_eq(bsdiff_index_build(&ix, old, n, NULL), 0);
        for (int q = 0; q < 200; q++) {
            uint8_t needle[64];
            size_t len = 1 + rnd() % sizeof needle;
            if (q % 2 && n > 1) { /* a piece of old, perhaps edited */
                size_t at = rnd() % n;
                len = len < n - at ? len : n - at;
                memcpy(needle, old + at, len);
                if (q % 4 == 1)
                    needle[rnd() % len] ^= 1;
            } else {
                for (size_t i = 0; i < len; i++)
                    needle[i] = (uint8_t)(rnd() % alphabet);
            }
            size_t best = 0;
            for (size_t s = 0; s < n; s++) {
                size_t l = 0;
                while (l < len && s + l < n && old[s + l] == needle[l])
                    l++;
                if (l > best)
                    best = l;
            }
            /* With and without context before the needle (which only
             * chooses among equally long matches). */
            uint8_t with_context[80];
            fill_random(with_context, 16);
            memcpy(with_context + 16, needle, len);
            bsdiff_match m;
            size_t got = bsdiff_index_longest(&ix, with_context + 16, len, &m);
            ck_assert_uint_eq(got, best);
            ck_assert_uint_le(m.pos + got, n);
            ck_assert_int_eq(memcmp(old + m.pos, needle, got), 0);
            for (size_t before = 0; before <= 16; before += 16) {
                size_t pos = bsdiff_index_best_of_equals(&ix, with_context + 16, before, len,
                                                         got, &m);
                ck_assert_uint_le(pos + got, n);
                ck_assert_int_eq(memcmp(old + pos, needle, got), 0);
            }
        }
        bsdiff_index_free(&ix);
        free(old);
    }
}
END_TEST

/* The parallel scan must give exactly the steps of one sequential scan,
 * however the target is split and however many threads run. */
START_TEST(segmented_scan_equals_sequential)
{
    size_t n = 300000;
    uint8_t *old = malloc(n), *new_data = malloc(n);
    for (size_t i = 0; i < n; i++)
        old[i] = (uint8_t)(rnd() % 4 == 0 ? rnd() : i / 64);
    for (size_t i = 0; i < n; i += 1 + rnd() % 5000) { /* blocks from elsewhere */
        size_t len = 1 + rnd() % 4000, from = rnd() % n;
        for (size_t j = 0; j < len && i + j < n; j++)
            new_data[i + j] = from + j < n ? old[from + j] : (uint8_t)rnd();
        if (i + len < n)
            new_data[i + len - 1] ^= (uint8_t)rnd();
    }
    bsdiff_index ix;
    ck_assert_int_eq(bsdiff_index_build(&ix, old, n, NULL), 0);
    bsdiff_steps one = {0};
    ck_assert_int_eq(bsdiff_scan(&ix, new_data, n, 1, 1, &one, NULL), 0);
    const int splits[][2] = {{2, 1}, {2, 2}, {7, 3}, {64, 2}, {1000, 4}};
    for (size_t c = 0; c < sizeof splits / sizeof splits[0]; c++) {
        bsdiff_steps many = {0};
        ck_assert_int_eq(bsdiff_scan(&ix, new_data, n, splits[c][0], splits[c][1], &many, NULL),
                         0);
        ck_assert_uint_eq(many.n, one.n);
        ck_assert_int_eq(memcmp(many.v, one.v, one.n * sizeof *one.v), 0);
        free(many.v);
    }
    ck_assert_uint_gt(one.n, 50); /* a real mix of steps, not one */
    /* The steps cover the target exactly. */
    int64_t covered = 0;
    for (size_t i = 0; i < one.n; i++)
        covered += one.v[i].diff_len + one.v[i].extra_len;
    ck_assert_int_eq(covered, (int64_t)n);
    free(one.v);
    bsdiff_index_free(&ix);
    free(old);
    free(new_data);
}
END_TEST

START_TEST(offsets_are_sign_magnitude)
{
    uint8_t b[8];
    bsdiff_put_offset(b, -1);
    ck_assert_mem_eq(b, "\x01\0\0\0\0\0\0\x80", 8);
    ck_assert_int_eq(bsdiff_get_offset(b), -1);
    bsdiff_put_offset(b, 0x0102030405060708ll);
    ck_assert_mem_eq(b, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
    ck_assert_int_eq(bsdiff_get_offset(b), 0x0102030405060708ll);
    ck_assert_int_eq(bsdiff_get_offset((const uint8_t *)"\0\0\0\0\0\0\0\x80"), 0);
    ck_assert_int_eq(bsdiff_get_offset((const uint8_t *)"\xff\xff\xff\xff\xff\xff\xff\xff"),
                     -INT64_MAX);
}
END_TEST

int main(void)
{
    rng_state = 12345;
    Suite *s = suite_create("bsdiff");
    TCase *tc = tcase_create("round trips");
    tcase_add_test(tc, empty_files);
    tcase_add_test(tc, one_byte_files);
    tcase_add_test(tc, identical_files_make_small_patches);
    tcase_add_test(tc, grow_only);
    tcase_add_test(tc, shrink_only);
    tcase_add_test(tc, random_unrelated_files);
    tcase_add_test(tc, structured_edits);
    tcase_add_test(tc, long_runs);
    tcase_add_test(tc, search_finds_longest_match);
    tcase_add_test(tc, segmented_scan_equals_sequential);
    tcase_add_test(tc, offsets_are_sign_magnitude);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

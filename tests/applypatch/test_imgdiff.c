/* Unit tests of imgdiff: round trips through imgpatch on images with gzip
 * members, zip archives and edge cases, the size win over plain bsdiff,
 * and the zlib level search. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "applypatch/applypatch.h"
#include "applypatch/bsdiff.h"
#include "applypatch/imgdiff.h"
#include "applypatch/imgpatch.h"
#include "otautil/sink.h"
#include "tests/common/testdata.h"
#include "otautil/zip.h"
#include "tests/common/testutil.h"

static void load(const char *rel, uint8_t **data, size_t *len)
{
    char path[4200];
    ota_error err;
    ck_assert_msg(applypatch_read_file(test_data_path(rel, path, sizeof path), data, len, &err) == 0, "%s", err.message);
}

/* Text-like bytes: words from a small vocabulary, so deflate has work. */
static uint8_t *words(size_t len, uint32_t seed)
{
    static const char *vocab[] = {"kernel ", "module ", "init ", "system ", "vendor ", "boot ", "ramdisk ",
                                  "property ", "service ", "android ", "recovery ", "\n"};
    uint8_t *out = malloc(len + 16);
    size_t n = 0;
    while (n < len) {
        seed = seed * 1103515245u + 12345u;
        const char *w = vocab[(seed >> 16) % 12];
        size_t wl = strlen(w);
        memcpy(out + n, w, wl);
        n += wl;
    }
    return out;
}

/* A gzip member of data (zlib's gzip wrapper), with an optional name. */
static size_t gzip_into(uint8_t *out, size_t cap, const uint8_t *data, size_t len, int level, int strategy,
                        const char *name)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, level, Z_DEFLATED, 31, 8, strategy), Z_OK);
    gz_header h;
    memset(&h, 0, sizeof h);
    if (name) {
        h.name = (Bytef *)name;
        h.os = 3;
        ck_assert_int_eq(deflateSetHeader(&zs, &h), Z_OK);
    }
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t n = zs.total_out;
    deflateEnd(&zs);
    return n;
}

/* An "image": a header, gzip members, a tail (like a boot image). */
static uint8_t *image(size_t *len, uint32_t seed, int change, int level, int strategy)
{
    size_t cap = 600000;
    uint8_t *img = malloc(cap);
    uint8_t *kernel = words(40000, 7);
    uint8_t *ramdisk = words(200000, 11);
    uint8_t *second = words(30000, 13);
    if (change) {
        memcpy(ramdisk + 5000, "CHANGED CONTENT", 15);
        memcpy(ramdisk + 150000, "more changes here", 17);
        memcpy(kernel + 100, "new kernel bits", 15);
        memcpy(second + 777, "another edit", 12);
    }
    size_t n = 0;
    memcpy(img, "ANDROID!", 8);
    n = 2048;
    memset(img + 8, (int)(seed & 0xff), n - 8);
    memcpy(img + n, kernel, 40000);
    n += 40000;
    n += gzip_into(img + n, cap - n, ramdisk, 200000, level, strategy, NULL);
    n += gzip_into(img + n, cap - n, second, 30000, level, strategy, change ? "second.cpio" : "second");
    memset(img + n, 0, 1000);
    n += 1000;
    free(kernel);
    free(ramdisk);
    free(second);
    *len = n;
    return img;
}

/* imgdiff then imgpatch; checks the target comes back; returns patch size. */
static size_t round_trip(const uint8_t *src, size_t src_len, const uint8_t *tgt, size_t tgt_len,
                         const imgdiff_opts *opts)
{
    uint8_t *patch = NULL;
    size_t patch_len = 0;
    ota_error err;
    ck_assert_msg(imgdiff_create(src, src_len, tgt, tgt_len, opts, &patch, &patch_len, &err) == 0, "%s",
                  err.message);
    ota_buf out = {0};
    ck_assert_msg(imgpatch_apply(src, src_len, patch, patch_len, opts ? opts->bonus : NULL,
                                 opts ? opts->bonus_len : 0, ota_buf_sink, &out, &err) == 0,
                  "%s", err.message);
    ck_assert_uint_eq(out.len, tgt_len);
    if (tgt_len)
        ck_assert_mem_eq(out.data, tgt, tgt_len);
    ota_buf_free(&out);
    free(patch);
    return patch_len;
}

static size_t bsdiff_size(const uint8_t *src, size_t src_len, const uint8_t *tgt, size_t tgt_len)
{
    uint8_t *patch = NULL;
    size_t patch_len = 0;
    ota_error err;
    ck_assert_msg(bsdiff_create(src, src_len, tgt, tgt_len, &patch, &patch_len, &err) == 0, "%s", err.message);
    free(patch);
    return patch_len;
}

START_TEST(image_with_gzip_members)
{
    size_t a_len, b_len;
    uint8_t *a = image(&a_len, 1, 0, 6, Z_DEFAULT_STRATEGY), *b = image(&b_len, 2, 1, 6, Z_DEFAULT_STRATEGY);
    size_t img = round_trip(a, a_len, b, b_len, NULL);
    size_t plain = bsdiff_size(a, a_len, b, b_len);
    ck_assert_msg(img * 2 <= plain, "imgdiff %zu bytes, bsdiff %zu: not at most half", img, plain);
    free(a);
    free(b);
}
END_TEST

START_TEST(image_levels_1_and_9)
{
    for (int level = 1; level <= 9; level += 8) {
        size_t a_len, b_len;
        uint8_t *a = image(&a_len, 1, 0, level, Z_DEFAULT_STRATEGY);
        uint8_t *b = image(&b_len, 2, 1, level, Z_DEFAULT_STRATEGY);
        size_t img = round_trip(a, a_len, b, b_len, NULL);
        ck_assert_msg(img * 2 <= bsdiff_size(a, a_len, b, b_len), "level %d: patch %zu too big", level, img);
        free(a);
        free(b);
    }
}
END_TEST

/* Deflate data zlib's default parameters cannot reproduce stays exact: it
 * goes into normal chunks instead. */
START_TEST(unreproducible_deflate_still_exact)
{
    size_t a_len, b_len;
    uint8_t *a = image(&a_len, 1, 0, 6, Z_FILTERED), *b = image(&b_len, 2, 1, 6, Z_HUFFMAN_ONLY);
    round_trip(a, a_len, b, b_len, NULL);
    free(a);
    free(b);
}
END_TEST

START_TEST(find_level)
{
    uint8_t *text = words(100000, 3);
    static uint8_t out[200000];
    for (int level = 1; level <= 9; level++) {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        ck_assert_int_eq(deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
        zs.next_in = text;
        zs.avail_in = 100000;
        zs.next_out = out;
        zs.avail_out = sizeof out;
        ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
        size_t n = zs.total_out;
        deflateEnd(&zs);
        int found = imgdiff_find_deflate_level(text, 100000, out, n);
        ck_assert_int_ge(found, 1);
        /* The found level makes the same bytes (levels may coincide). */
        uint8_t again[200000];
        uLongf again_len = sizeof again;
        memset(&zs, 0, sizeof zs);
        deflateInit2(&zs, found, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
        zs.next_in = text;
        zs.avail_in = 100000;
        zs.next_out = again;
        zs.avail_out = (uInt)again_len;
        deflate(&zs, Z_FINISH);
        ck_assert_uint_eq(zs.total_out, n);
        ck_assert_mem_eq(again, out, n);
        deflateEnd(&zs);
        /* One byte off: no level. */
        out[n / 2] ^= 1;
        ck_assert_int_eq(imgdiff_find_deflate_level(text, 100000, out, n), -1);
    }
    free(text);
}
END_TEST

START_TEST(edge_cases)
{
    static const uint8_t one[1] = {'x'}, other[1] = {'y'};
    size_t a_len;
    uint8_t *a = image(&a_len, 1, 0, 6, Z_DEFAULT_STRATEGY);
    round_trip(NULL, 0, NULL, 0, NULL);
    round_trip(one, 1, other, 1, NULL);
    round_trip(NULL, 0, a, a_len, NULL);
    round_trip(a, a_len, NULL, 0, NULL);
    round_trip(a, a_len, a, a_len, NULL);
    round_trip(a, a_len, a, a_len / 2, NULL); /* cut inside a gzip member */
    round_trip(a, 100000, a, a_len, NULL);
    free(a);
}
END_TEST

START_TEST(bonus_round_trip)
{
    size_t a_len, b_len;
    uint8_t *a = image(&a_len, 1, 0, 6, Z_DEFAULT_STRATEGY), *b = image(&b_len, 2, 1, 6, Z_DEFAULT_STRATEGY);
    uint8_t *bonus = words(50000, 99);
    imgdiff_opts opts = {.bonus = bonus, .bonus_len = 50000};
    round_trip(a, a_len, b, b_len, &opts);
    free(a);
    free(b);
    free(bonus);
}
END_TEST

/* Writes a zip of text entries (deflated by the project's zip writer);
 * `change` edits some entries, drops one and adds one. */
static uint8_t *text_zip(const char *dir, int change, size_t *len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.zip", dir, change ? "new" : "old");
    ota_error err;
    ota_zip_writer *w = ota_zip_writer_open(path, &err);
    ck_assert_msg(w != NULL, "%s", err.message);
    ota_zip_add_opts deflated = {.method = OTA_ZIP_DEFLATE, .level = 6};
    ota_zip_add_opts stored = {.method = OTA_ZIP_STORE};
    for (int i = 0; i < 12; i++) {
        if (change && i == 3)
            continue;
        char name[64];
        snprintf(name, sizeof name, "res/file%02d.txt", i);
        size_t n = 20000 + 3000 * (size_t)i;
        uint8_t *t = words(n, 100 + (uint32_t)i);
        if (change && i % 4 == 1)
            memcpy(t + n / 3, "EDITED", 6);
        ck_assert_msg(ota_zip_add_data(w, name, t, n, i == 5 ? &stored : &deflated, &err) == 0, "%s",
                      err.message);
        free(t);
    }
    if (change) {
        uint8_t *t = words(15000, 5000);
        ck_assert_int_eq(ota_zip_add_data(w, "res/added.txt", t, 15000, &deflated, &err), 0);
        free(t);
    }
    ck_assert_msg(ota_zip_writer_close(w, NULL, 0, &err) == 0, "%s", err.message);
    uint8_t *data;
    ck_assert_msg(applypatch_read_file(path, &data, len, &err) == 0, "%s", err.message);
    return data;
}

START_TEST(zip_of_text)
{
    const char *tmpdir = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/test_imgdiff.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    size_t a_len, b_len;
    uint8_t *a = text_zip(dir, 0, &a_len), *b = text_zip(dir, 1, &b_len);
    imgdiff_opts opts = {.zip_mode = 1};
    size_t img = round_trip(a, a_len, b, b_len, &opts);
    size_t plain = bsdiff_size(a, a_len, b, b_len);
    ck_assert_msg(img * 2 <= plain, "imgdiff -z %zu, bsdiff %zu: not at most half", img, plain);
    /* Without -z the same inputs still round-trip (no gzip members). */
    round_trip(a, a_len, b, b_len, NULL);
    free(a);
    free(b);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(zip_mode_needs_zips)
{
    uint8_t *patch;
    size_t patch_len;
    ota_error err;
    imgdiff_opts opts = {.zip_mode = 1};
    ck_assert_int_eq(imgdiff_create((const uint8_t *)"not a zip", 9, (const uint8_t *)"nope", 4, &opts, &patch,
                                    &patch_len, &err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err.message, "source"));
    ck_assert_ptr_nonnull(strstr(err.message, "zip"));
}
END_TEST

START_TEST(android_gzipped_files)
{
    uint8_t *a, *b;
    size_t a_len, b_len;
    load("recovery/gzipped_source", &a, &a_len);
    load("recovery/gzipped_target", &b, &b_len);
    size_t img = round_trip(a, a_len, b, b_len, NULL);
    size_t plain = bsdiff_size(a, a_len, b, b_len);
    ck_assert_msg(img * 2 <= plain, "imgdiff %zu, bsdiff %zu", img, plain);
    free(a);
    free(b);
}
END_TEST

START_TEST(android_zips)
{
    uint8_t *a, *b;
    size_t a_len, b_len;
    load("recovery/deflate_src.zip", &a, &a_len);
    load("recovery/deflate_tgt.zip", &b, &b_len);
    imgdiff_opts opts = {.zip_mode = 1};
    size_t img = round_trip(a, a_len, b, b_len, &opts);
    size_t plain = bsdiff_size(a, a_len, b, b_len);
    /* These entries are random bytes deflate could not shrink: expanding
     * them gains nothing, and the chunking must not cost much either. */
    ck_assert_msg(img * 4 <= plain * 5, "imgdiff -z %zu, bsdiff %zu", img, plain);
    free(a);
    free(b);
}
END_TEST

START_TEST(android_boot_to_recovery)
{
    uint8_t *a, *b, *bonus;
    size_t a_len, b_len, bonus_len;
    load("recovery/boot.img", &a, &a_len);
    load("recovery/recovery.img", &b, &b_len);
    load("recovery/bonus.file", &bonus, &bonus_len);
    size_t without = round_trip(a, a_len, b, b_len, NULL);
    imgdiff_opts opts = {.bonus = bonus, .bonus_len = bonus_len};
    size_t with = round_trip(a, a_len, b, b_len, &opts);
    /* The bonus holds the recovery's extra resources. */
    ck_assert_msg(with * 10 < without, "with bonus %zu, without %zu", with, without);
    free(a);
    free(b);
    free(bonus);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("imgdiff");
    TCase *tc = tcase_create("synthetic");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, image_with_gzip_members);
    tcase_add_test(tc, image_levels_1_and_9);
    tcase_add_test(tc, unreproducible_deflate_still_exact);
    tcase_add_test(tc, find_level);
    tcase_add_test(tc, edge_cases);
    tcase_add_test(tc, bonus_round_trip);
    tcase_add_test(tc, zip_mode_needs_zips);
    tcase_add_test(tc, zip_of_text);
    suite_add_tcase(s, tc);
    int android = test_data_present("recovery/gzipped_source");
    if (android) {
        TCase *ta = tcase_create("android");
        tcase_set_timeout(ta, 600);
        tcase_add_test(ta, android_gzipped_files);
        tcase_add_test(ta, android_zips);
        tcase_add_test(ta, android_boot_to_recovery);
        suite_add_tcase(s, ta);
    }
    int failed = test_run(s);
    return test_data_exit(failed, android, "the 3 cases on Android's images and zips");
}

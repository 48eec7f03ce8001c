/* The parallel diff pool: every patch rebuilds its target, gzip data gets
 * an imgdiff when that is smaller, an LZ4 kernel an IMGDIFFX patch, plain
 * data BSDF2 when its codecs beat bzip2, the result does not depend on the
 * number of threads, and a failure names the file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lz4hc.h>
#include <zlib.h>

#include "applypatch/lz4_stream.h"
#include "applypatch/patch_stream.h"
#include "releasetools/diff_pool.h"
#include "tests/common/testutil.h"

#define NJOBS 12

static uint8_t *srcs[NJOBS], *tgts[NJOBS];
static size_t lens[NJOBS], tlens[NJOBS];

static uint32_t next_rand(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* A gzip member of compressible text, made like gzip -9 makes it. */
static size_t gzip_text(const char *tag, int lines, uint8_t *out, size_t cap)
{
    char *text = malloc((size_t)lines * 40 + 1);
    size_t n = 0;
    for (int i = 0; i < lines; i++)
        n += (size_t)sprintf(text + n, "%s line %d of the ramdisk\n", tag, i);
    z_stream zs = {0};
    deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = (Bytef *)text;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t len = zs.total_out;
    deflateEnd(&zs);
    free(text);
    return len;
}

static void make_inputs(void)
{
    uint32_t seed = 7;
    for (int i = 0; i < NJOBS; i++) {
        size_t len = 1000 + (size_t)i * 7000;
        srcs[i] = malloc(len + 70000);
        tgts[i] = malloc(len + 70000);
        for (size_t k = 0; k < len; k++)
            srcs[i][k] = (uint8_t)next_rand(&seed);
        memcpy(tgts[i], srcs[i], len);
        for (int e = 0; e < 5; e++)
            tgts[i][next_rand(&seed) % len] ^= 0x5a;
        lens[i] = tlens[i] = len;
    }
    /* job 0: a "boot image": a header, then a gzip'd ramdisk that changes */
    memset(srcs[0], 'H', 512);
    memset(tgts[0], 'H', 512);
    lens[0] = 512 + gzip_text("old", 2000, srcs[0] + 512, 60000);
    tlens[0] = 512 + gzip_text("new", 2000, tgts[0] + 512, 60000);
    /* job 2: a "kernel": an LZ4 legacy stream of code-like data (runs
     * repeated from earlier) with small edits all over, as a rebuild
     * makes them */
    uint8_t *plain = malloc(50000);
    for (size_t k = 0; k < 50000;) {
        uint32_t r = next_rand(&seed);
        if (k > 2000 && r % 4) {
            size_t run = 4 + r % 29, from = k - 1 - (r >> 6) % 2000;
            for (size_t j = 0; j < run && k < 50000; j++)
                plain[k++] = plain[from + j];
        } else {
            plain[k++] = (uint8_t)r;
        }
    }
    for (int v = 0; v < 2; v++) {
        if (v)
            for (size_t k = 300; k < 50000; k += 400)
                plain[k] ^= 0x11;
        uint8_t *out = v ? tgts[2] : srcs[2];
        uint32_t magic = LZ4_LEGACY_MAGIC;
        memcpy(out, "KERNEL..", 8);
        memcpy(out + 8, &magic, 4);
        int c = LZ4_compress_HC((const char *)plain, (char *)out + 16, 50000, 60000, 9);
        ck_assert_int_gt(c, 0);
        uint32_t c32 = (uint32_t)c;
        memcpy(out + 12, &c32, 4);
        *(v ? &tlens[2] : &lens[2]) = 16 + (size_t)c;
    }
    free(plain);
}

static void run(rt_diff_job *jobs, int threads, enum rt_patch_formats formats)
{
    static const char *const names[NJOBS] = {"boot.img", "a", "b", "c", "d", "e",
                                             "f", "g", "h", "i", "j", "k"};
    memset(jobs, 0, NJOBS * sizeof *jobs);
    for (int i = 0; i < NJOBS; i++) {
        jobs[i].name = names[i];
        jobs[i].src_data = srcs[i];
        jobs[i].src_len = lens[i];
        jobs[i].tgt_data = tgts[i];
        jobs[i].tgt_len = tlens[i];
        jobs[i].weight = tlens[i];
    }
    ota_error err;
    ck_assert_msg(rt_diff_run(jobs, NJOBS, NULL, NULL, threads, formats, NULL, &err) == 0, "%s", err.message);
}

START_TEST(patches_rebuild_targets_whatever_the_threads)
{
    make_inputs();
    rt_diff_job one[NJOBS], many[NJOBS];
    run(one, 1, RT_PATCH_EXTENDED);
    run(many, 4, RT_PATCH_EXTENDED);
    for (int i = 0; i < NJOBS; i++) {
        ck_assert_uint_eq(one[i].patch_len, many[i].patch_len);
        ck_assert_mem_eq(one[i].patch, many[i].patch, one[i].patch_len);
        ck_assert_int_eq(one[i].is_imgdiff, many[i].is_imgdiff);
        ota_buf out = {0};
        patch_input s, p;
        patch_input_memory(&s, srcs[i], lens[i]);
        patch_input_memory(&p, many[i].patch, many[i].patch_len);
        ck_assert_int_eq(patch_apply(&s, &p, ota_buf_sink, &out, NULL, NULL), 0);
        ck_assert_uint_eq(out.len, tlens[i]);
        ck_assert_mem_eq(out.data, tgts[i], tlens[i]);
        ota_buf_free(&out);
    }
    /* the changed gzip member makes imgdiff win, IMGDIFF2 since zlib
     * remakes it; the LZ4 kernel's patch is IMGDIFFX; random data gets a
     * bsdiff, BSDIFF40 or BSDF2 */
    ck_assert_int_eq(many[0].is_imgdiff, 1);
    ck_assert_mem_eq(many[0].patch, "IMGDIFF2", 8);
    ck_assert_int_eq(many[2].is_imgdiff, 1);
    ck_assert_mem_eq(many[2].patch, "IMGDIFFX", 8);
    ck_assert_int_eq(many[1].is_imgdiff, 0);
    ck_assert(memcmp(many[1].patch, "BSDIFF40", 8) == 0 || memcmp(many[1].patch, "BSDF2", 5) == 0);
    rt_diff_jobs_free(one, NJOBS);
    rt_diff_jobs_free(many, NJOBS);
    for (int i = 0; i < NJOBS; i++) {
        free(srcs[i]);
        free(tgts[i]);
    }
}
END_TEST

/* For Android's own updater: only BSDIFF40 and IMGDIFF2 (bzip2 inside),
 * the LZ4 kernel included, and every patch still rebuilds its target. */
START_TEST(android_formats_only_when_asked)
{
    make_inputs();
    rt_diff_job jobs[NJOBS];
    run(jobs, 2, RT_PATCH_ANDROID);
    for (int i = 0; i < NJOBS; i++) {
        ck_assert_msg(memcmp(jobs[i].patch, "BSDIFF40", 8) == 0 ||
                          memcmp(jobs[i].patch, "IMGDIFF2", 8) == 0,
                      "%s: patch magic %.8s", jobs[i].name, (const char *)jobs[i].patch);
        ota_buf out = {0};
        patch_input s, p;
        patch_input_memory(&s, srcs[i], lens[i]);
        patch_input_memory(&p, jobs[i].patch, jobs[i].patch_len);
        ck_assert_int_eq(patch_apply(&s, &p, ota_buf_sink, &out, NULL, NULL), 0);
        ck_assert_uint_eq(out.len, tlens[i]);
        ck_assert_mem_eq(out.data, tgts[i], tlens[i]);
        ota_buf_free(&out);
    }
    rt_diff_jobs_free(jobs, NJOBS);
    for (int i = 0; i < NJOBS; i++) {
        free(srcs[i]);
        free(tgts[i]);
    }
}
END_TEST

START_TEST(missing_entry_names_the_file)
{
    rt_diff_job job = {.name = "system/lib/x.so", .src_entry = "SYSTEM/lib/x.so",
                       .tgt_data = (const uint8_t *)"abc", .tgt_len = 3, .weight = 3};
    ota_error err;
    ck_assert_int_eq(rt_diff_run(&job, 1, "/nonexistent/source.zip", NULL, 2, RT_PATCH_EXTENDED, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "system/lib/x.so"));
    ck_assert_ptr_nonnull(strstr(err.message, "source.zip"));
    rt_diff_jobs_free(&job, 1);
}
END_TEST

START_TEST(imgdiff_kind_needs_a_real_gzip_member)
{
    uint8_t buf[4096];
    memset(buf, 0, sizeof buf);
    ck_assert_int_eq(rt_imgdiff_kind(buf, sizeof buf), 0);
    buf[100] = 0x1f, buf[101] = 0x8b, buf[102] = 8; /* magic, but no stream */
    ck_assert_int_eq(rt_imgdiff_kind(buf, sizeof buf), 0);
    size_t n = gzip_text("x", 50, buf + 200, sizeof buf - 200);
    ck_assert_uint_gt(n, 0);
    ck_assert_int_eq(rt_imgdiff_kind(buf, sizeof buf), 1);
    ck_assert_int_eq(rt_imgdiff_kind((const uint8_t *)"PK\3\4rest", 8), 2);
    ck_assert_int_eq(rt_imgdiff_kind(buf, 2), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("releasetools-diff-pool");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, patches_rebuild_targets_whatever_the_threads);
    tcase_add_test(tc, android_formats_only_when_asked);
    tcase_add_test(tc, missing_entry_names_the_file);
    tcase_add_test(tc, imgdiff_kind_needs_a_real_gzip_member);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    return failed ? 1 : 0;
}

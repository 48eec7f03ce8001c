/* Unit tests of the bounded-memory apply API (applypatch/patch_stream.h):
 * every format through read callbacks (old data, patch, bonus) with the
 * new data written in pieces, the same result as the in-memory path;
 * expanded chunk sources read backwards through the bounded view; errors
 * named; and peak memory on large inputs (a gzip'd tarball, an LZ4
 * kernel) within PATCH_APPLY_BUDGET and far below what they expand to
 * (measured in a child process). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <lz4hc.h>

#include "applypatch/applypatch.h"
#include "applypatch/bsdiff.h"
#include "applypatch/imgdiff.h"
#include "applypatch/lz4_stream.h"
#include "applypatch/patch_stream.h"
#include "otautil/sink.h"
#include "tests/common/testdata.h"
#include "tests/common/testutil.h"

/* A callback input over memory that records how it is read (counters are
 * atomic: the patch may be read from two threads). */
typedef struct tracked {
    const uint8_t *data;
    uint64_t reads, bytes, backward;
    uint64_t last_end;
    pthread_t owner;
    uint64_t other_thread; /* reads made on a thread other than owner */
} tracked;

static int tracked_read(void *ctx, uint64_t off, void *buf, size_t len, ota_error *err)
{
    (void)err;
    tracked *t = ctx;
    memcpy(buf, t->data + off, len);
    __atomic_add_fetch(&t->reads, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&t->bytes, len, __ATOMIC_RELAXED);
    if (!pthread_equal(pthread_self(), t->owner)) {
        __atomic_add_fetch(&t->other_thread, 1, __ATOMIC_RELAXED);
        return 0;
    }
    if (off < t->last_end) /* the order of the caller's own reads */
        t->backward++;
    t->last_end = off + len;
    return 0;
}

static patch_input tracked_input(tracked *t, const void *data, size_t len)
{
    memset(t, 0, sizeof *t);
    t->data = data;
    t->owner = pthread_self();
    return (patch_input){.size = len, .read = tracked_read, .ctx = t};
}

/* A sink that checks the pieces are written in order, once each. */
typedef struct ordered_sink {
    ota_buf out;
    size_t pieces, largest;
} ordered_sink;

static int ordered_write(void *ctx, const void *data, size_t len, ota_error *err)
{
    ordered_sink *s = ctx;
    s->pieces++;
    if (len > s->largest)
        s->largest = len;
    return ota_buf_append(&s->out, data, len, err);
}

/* Applies through callbacks (bounded) and through memory; both must give
 * `want`.  Returns the callback run's old-data tracker. */
static tracked apply_both_ways(const uint8_t *old, size_t old_len, const uint8_t *patch, size_t patch_len,
                               const uint8_t *bonus, size_t bonus_len, const uint8_t *want, size_t want_len)
{
    tracked to, tp, tb;
    patch_input o = tracked_input(&to, old, old_len), p = tracked_input(&tp, patch, patch_len),
                b = tracked_input(&tb, bonus, bonus_len);
    patch_apply_opts opts = {.bonus = bonus ? &b : NULL};
    ordered_sink s = {{0}, 0, 0};
    ota_error err;
    ck_assert_msg(patch_apply(&o, &p, ordered_write, &s, &opts, &err) == 0, "bounded: %s", err.message);
    ck_assert_uint_eq(s.out.len, want_len);
    ck_assert_int_eq(memcmp(s.out.data, want, want_len), 0);
    ck_assert_uint_gt(tp.reads, 0);
    ota_buf_free(&s.out);

    patch_input mo, mp, mb;
    patch_input_memory(&mo, old, old_len);
    patch_input_memory(&mp, patch, patch_len);
    patch_input_memory(&mb, bonus, bonus_len);
    patch_apply_opts mopts = {.bonus = bonus ? &mb : NULL, .expand_limit = UINT64_MAX};
    ota_buf m = {0};
    ck_assert_msg(patch_apply(&mo, &mp, ota_buf_sink, &m, &mopts, &err) == 0, "memory: %s", err.message);
    ck_assert_uint_eq(m.len, want_len);
    ck_assert_int_eq(memcmp(m.data, want, want_len), 0);
    ota_buf_free(&m);
    return to;
}

static void load(const char *rel, uint8_t **data, size_t *len)
{
    char path[4200];
    ota_error err;
    ck_assert_msg(applypatch_read_file(test_data_path(rel, path, sizeof path), data, len, &err) == 0, "%s",
                  err.message);
}

START_TEST(android_patches_through_callbacks)
{
    if (!test_data_present("recovery/boot.img"))
        return;
    uint8_t *boot, *rec, *p1, *p2, *bonus, *old, *new_data, *p3;
    size_t boot_len, rec_len, p1_len, p2_len, bonus_len, old_len, new_len, p3_len;
    load("recovery/boot.img", &boot, &boot_len);
    load("recovery/recovery.img", &rec, &rec_len);
    load("recovery/recovery-from-boot-with-bonus.p", &p1, &p1_len);
    load("recovery/recovery-from-boot.p", &p2, &p2_len);
    load("recovery/bonus.file", &bonus, &bonus_len);
    load("applypatch/old.file", &old, &old_len);
    load("applypatch/new.file", &new_data, &new_len);
    load("applypatch/patch.bsdiff", &p3, &p3_len);
    apply_both_ways(boot, boot_len, p1, p1_len, NULL, 0, rec, rec_len);
    apply_both_ways(boot, boot_len, p2, p2_len, bonus, bonus_len, rec, rec_len);
    apply_both_ways(old, old_len, p3, p3_len, NULL, 0, new_data, new_len);
    free(boot), free(rec), free(p1), free(p2), free(bonus), free(old), free(new_data), free(p3);
}
END_TEST

/* Text-like bytes from a small vocabulary. */
static uint8_t *words(size_t len, uint32_t seed)
{
    static const char *vocab[] = {"kernel ", "module ", "init ", "system ", "vendor ", "boot ",
                                  "ramdisk ", "property ", "service ", "\n"};
    uint8_t *out = malloc(len + 16);
    for (size_t n = 0; n < len;) {
        seed = seed * 1103515245u + 12345u;
        const char *w = vocab[(seed >> 16) % 10];
        size_t wl = strlen(w);
        memcpy(out + n, w, wl);
        n += wl;
    }
    return out;
}

/* header + one gzip member (zlib level 6) of `plain` + a tail */
static uint8_t *gz_image(const uint8_t *plain, size_t plain_len, size_t *len)
{
    size_t cap = plain_len + plain_len / 2 + 4096;
    uint8_t *img = malloc(cap);
    memcpy(img, "HEADER--", 8);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)plain;
    zs.avail_in = (uInt)plain_len;
    zs.next_out = img + 8;
    zs.avail_out = (uInt)(cap - 16);
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t n = 8 + zs.total_out;
    deflateEnd(&zs);
    memcpy(img + n, "--TAIL--", 8);
    *len = n + 8;
    return img;
}

/* A target whose expanded halves are swapped: the patch reads the
 * expanded source far behind where it last read, so the bounded view
 * must restart its decoder from checkpoints. */
START_TEST(deflate_chunk_read_backwards_in_bounded_view)
{
    size_t n = 6u << 20; /* far more than the view's 1 MiB of history */
    uint8_t *a = words(n, 3), *b = malloc(n);
    memcpy(b, a + n / 2, n / 2);
    memcpy(b + n / 2, a, n / 2);
    memcpy(b + 1000, "an edit", 7);
    size_t src_len, tgt_len;
    uint8_t *src = gz_image(a, n, &src_len), *tgt = gz_image(b, n, &tgt_len);
    uint8_t *patch;
    size_t patch_len;
    ota_error err;
    ck_assert_msg(imgdiff_create(src, src_len, tgt, tgt_len, NULL, &patch, &patch_len, &err) == 0, "%s",
                  err.message);
    tracked t = apply_both_ways(src, src_len, patch, patch_len, NULL, 0, tgt, tgt_len);
    ck_assert_uint_gt(t.backward, 0); /* restarts happened */
    free(a), free(b), free(src), free(tgt), free(patch);
}
END_TEST

START_TEST(bsdf2_through_callbacks)
{
    size_t n = 3u << 20;
    uint8_t *a = words(n, 5), *b = malloc(n);
    memcpy(b, a, n);
    for (size_t i = 0; i < n; i += 4099)
        b[i] ^= 0x21;
    bsdiff_opts o = {.codecs = CODEC_SET_ALL};
    uint8_t *patch;
    size_t patch_len;
    ck_assert_int_eq(bsdiff_create_opts(a, n, b, n, &o, &patch, &patch_len, NULL), 0);
    ck_assert_mem_eq(patch, "BSDF2", 5);
    tracked t = apply_both_ways(a, n, patch, patch_len, NULL, 0, b, n);
    ck_assert_uint_le(t.bytes, 2 * (uint64_t)n); /* read where needed, not over and over */
    /* The diff stream is read ahead on a second thread, unless asked not to. */
    for (unsigned flags = 0; flags <= PATCH_ONE_THREAD; flags += PATCH_ONE_THREAD) {
        tracked to, tp;
        patch_input o = tracked_input(&to, a, n), p = tracked_input(&tp, patch, patch_len);
        patch_apply_opts opts = {.flags = flags};
        ota_buf out = {0};
        ota_error err;
        ck_assert_msg(patch_apply(&o, &p, ota_buf_sink, &out, &opts, &err) == 0, "%s", err.message);
        ck_assert_uint_eq(out.len, n);
        ota_buf_free(&out);
        if (flags & PATCH_ONE_THREAD)
            ck_assert_uint_eq(tp.other_thread, 0);
        else
            ck_assert_uint_gt(tp.other_thread, 0);
        ck_assert_uint_eq(to.other_thread, 0); /* old data: always the caller's thread */
    }
    free(a), free(b), free(patch);
}
END_TEST

static int failing_read(void *ctx, uint64_t off, void *buf, size_t len, ota_error *err)
{
    (void)ctx, (void)buf, (void)len;
    return ota_error_set(err, OTA_ERR_IO, "device gone at %llu", (unsigned long long)off);
}

START_TEST(errors_are_named)
{
    uint8_t old[64] = {0};
    patch_input o, p;
    patch_input_memory(&o, old, sizeof old);
    ota_error err;
    ota_buf out = {0};
    patch_input_memory(&p, "NOTAPATCH", 9);
    ck_assert_int_eq(patch_apply(&o, &p, ota_buf_sink, &out, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown patch format"));
    patch_input_memory(&p, "BSD", 3);
    ck_assert_int_eq(patch_apply(&o, &p, ota_buf_sink, &out, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown patch format"));
    /* a read callback's error reaches the caller, with its context */
    uint8_t *patch;
    size_t patch_len;
    ck_assert_int_eq(bsdiff_create(old, sizeof old, old, sizeof old, &patch, &patch_len, NULL), 0);
    patch_input_memory(&p, patch, patch_len);
    patch_input bad = {.size = sizeof old, .read = failing_read};
    ck_assert_int_eq(patch_apply(&bad, &p, ota_buf_sink, &out, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "device gone"));
    ck_assert_ptr_nonnull(strstr(err.message, "source"));
    bad.size = patch_len;
    ck_assert_int_eq(patch_apply(&o, &bad, ota_buf_sink, &out, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "device gone"));
    ck_assert_str_eq(patch_format((const uint8_t *)"IMGDIFFX", 8), "IMGDIFFX");
    ck_assert_str_eq(patch_format((const uint8_t *)"BSDF2\2\2\2", 8), "BSDF2");
    ck_assert_ptr_null(patch_format((const uint8_t *)"IMGDIFF1", 8));
    ota_buf_free(&out);
    free(patch);
}
END_TEST

/* ---- peak memory ---------------------------------------------------------- */

/* An LZ4 legacy stream (the kernel's container) of plain, at level 9. */
static uint8_t *lz4_legacy(const uint8_t *plain, size_t n, size_t *len)
{
    size_t cap = 4 + (size_t)LZ4_compressBound((int)n) + 4 * (n / LZ4_LEGACY_BLOCK + 1);
    uint8_t *out = malloc(cap);
    uint32_t magic = LZ4_LEGACY_MAGIC;
    memcpy(out, &magic, 4);
    size_t pos = 4;
    for (size_t at = 0; at < n; at += LZ4_LEGACY_BLOCK) {
        size_t blk = n - at < LZ4_LEGACY_BLOCK ? n - at : LZ4_LEGACY_BLOCK;
        int c = LZ4_compress_HC((const char *)plain + at, (char *)out + pos + 4, (int)blk, (int)(cap - pos - 4), 9);
        ck_assert_int_gt(c, 0);
        uint32_t c32 = (uint32_t)c;
        memcpy(out + pos, &c32, 4); /* little endian host, as the tests run */
        pos += 4 + (size_t)c;
    }
    *len = pos;
    return out;
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static int fd_write(void *ctx, const void *data, size_t len, ota_error *err)
{
    (void)ctx, (void)data, (void)len, (void)err;
    return 0; /* the output is checked by its digest elsewhere; here only memory counts */
}

/* The bounded apply of two files, run as a fresh process (this program
 * again, with --child-apply: a forked copy would carry the test's own heap
 * into its figures); exits 0 on success. */
static int child_apply(const char *old_path, const char *patch_path)
{
    FILE *fo = fopen(old_path, "rb"), *fp = fopen(patch_path, "rb");
    if (!fo || !fp)
        return 3;
    patch_input o, p;
    if (patch_input_fd(&o, fileno(fo), NULL) < 0 || patch_input_fd(&p, fileno(fp), NULL) < 0)
        return 4;
    ota_error err;
    int rc = patch_apply(&o, &p, fd_write, NULL, NULL, &err);
    if (rc < 0)
        fprintf(stderr, "child: %s\n", err.message);
    return rc == 0 ? 0 : 5;
}

/* Its peak RSS in kB (the whole process: program, libc and the apply). */
static long child_peak_kb(const char *old_path, const char *patch_path)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execl("/proc/self/exe", "test_patch_stream", "--child-apply", old_path, patch_path, (char *)NULL);
        _exit(6);
    }
    int status;
    struct rusage ru;
    ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed (%d)", status);
    return ru.ru_maxrss;
}

/* A 48 MiB expanded deflate chunk: the in-memory path holds it whole
 * (more than twice the budget); the bounded path stays inside the budget. */
START_TEST(bounded_apply_stays_within_budget)
{
    size_t n = 48u << 20;
    uint8_t *a = words(n, 9), *b = malloc(n);
    memcpy(b, a, n);
    for (size_t i = 0; i < n; i += 1u << 20)
        memcpy(b + i, "EDITED", 6);
    size_t src_len, tgt_len;
    uint8_t *src = gz_image(a, n, &src_len), *tgt = gz_image(b, n, &tgt_len);
    free(a);
    free(b);
    imgdiff_opts io = {.codecs = CODEC_SET_BZ2};
    uint8_t *patch;
    size_t patch_len;
    ota_error err;
    ck_assert_msg(imgdiff_create(src, src_len, tgt, tgt_len, &io, &patch, &patch_len, &err) == 0, "%s",
                  err.message);
    char old_path[] = "/tmp/test_patch_stream.old.XXXXXX", patch_path[] = "/tmp/test_patch_stream.p.XXXXXX";
    int fo = mkstemp(old_path), fp = mkstemp(patch_path);
    ck_assert_int_eq(ota_write_all(fo, src, src_len, NULL), 0);
    ck_assert_int_eq(ota_write_all(fp, patch, patch_len, NULL), 0);
    close(fo);
    close(fp);
    free(src), free(tgt), free(patch);
    long kb = child_peak_kb(old_path, patch_path);
    unlink(old_path);
    unlink(patch_path);
    printf("bounded apply of a %zu MiB expanded chunk: peak RSS %ld kB (budget %u kB)\n", n >> 20, kb,
           PATCH_APPLY_BUDGET >> 10);
#ifndef UNDER_ASAN
    ck_assert_int_le(kb, (long)(PATCH_APPLY_BUDGET >> 10));
    ck_assert_int_lt(kb, (long)(n >> 10) / 2);
#endif
}
END_TEST

/* An LZ4 kernel of 5 legacy blocks (40 MiB expanded): its bounded apply
 * holds one block and its compressed form, not the kernel. */
START_TEST(bounded_lz4_apply_stays_within_budget)
{
    size_t n = 5 * LZ4_LEGACY_BLOCK;
    uint8_t *a = words(n, 17), *b = malloc(n);
    memcpy(b, a, n);
    for (size_t i = 0; i < n; i += 99991)
        b[i] ^= 0x41;
    size_t la, lb;
    uint8_t *sa = lz4_legacy(a, n, &la), *sb = lz4_legacy(b, n, &lb);
    free(a);
    free(b);
    imgdiff_opts io = {.extended = 1, .codecs = CODEC_SET_XZ};
    uint8_t *patch;
    size_t patch_len;
    ota_error err;
    ck_assert_msg(imgdiff_create(sa, la, sb, lb, &io, &patch, &patch_len, &err) == 0, "%s", err.message);
    ck_assert_mem_eq(patch, "IMGDIFFX", 8);
    char old_path[] = "/tmp/test_patch_stream.old.XXXXXX", patch_path[] = "/tmp/test_patch_stream.p.XXXXXX";
    int fo = mkstemp(old_path), fp = mkstemp(patch_path);
    ck_assert_int_eq(ota_write_all(fo, sa, la, NULL), 0);
    ck_assert_int_eq(ota_write_all(fp, patch, patch_len, NULL), 0);
    close(fo);
    close(fp);
    free(sa), free(sb), free(patch);
    long kb = child_peak_kb(old_path, patch_path);
    unlink(old_path);
    unlink(patch_path);
    printf("bounded apply of a %zu MiB LZ4 kernel: peak RSS %ld kB (budget %u kB)\n", n >> 20, kb,
           PATCH_APPLY_BUDGET >> 10);
#ifndef UNDER_ASAN
    ck_assert_int_le(kb, (long)(PATCH_APPLY_BUDGET >> 10));
    ck_assert_int_lt(kb, (long)(n >> 10) * 2 / 3);
#endif
}
END_TEST

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--child-apply") == 0)
        return child_apply(argv[2], argv[3]);
    Suite *s = suite_create("patch_stream");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, android_patches_through_callbacks);
    tcase_add_test(tc, deflate_chunk_read_backwards_in_bounded_view);
    tcase_add_test(tc, bsdf2_through_callbacks);
    tcase_add_test(tc, errors_are_named);
    tcase_add_test(tc, bounded_apply_stays_within_budget);
    tcase_add_test(tc, bounded_lz4_apply_stays_within_budget);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}

/* Unit tests of the patch-stream codecs and the BSDF2 container: every
 * codec round-trips through the bounded reader (memory and callback
 * inputs, read in odd-sized pieces); the smallest codec is chosen per
 * stream; BSDF2 patches of every codec set rebuild their target through
 * both apply paths; and truncated, corrupt or over-sized streams are clear
 * errors naming the stream. */
#include <check.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "applypatch/bsdiff.h"
#include "applypatch/bspatch.h"
#include "applypatch/bsdiff_internal.h"
#include "applypatch/codec.h"
#include "otautil/sink.h"
#include "tests/common/testutil.h"

static const int all_codecs[] = {CODEC_BZ2, CODEC_BROTLI, CODEC_XZ, CODEC_ZSTD};
#define N_CODECS 4

static uint64_t rng_state = 1;
static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/* Text-like data: compressible, not trivial. */
static uint8_t *sample(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (rnd() % 7 == 0) ? (uint8_t)rnd() : (uint8_t)("abcdefgh"[i % 8]);
    return p;
}

/* A callback input over memory that counts its reads, so the tests can
 * tell the callback path ran. */
typedef struct counted {
    const uint8_t *data;
    int reads;
} counted;

static int counted_read(void *ctx, uint64_t off, void *buf, size_t len, ota_error *err)
{
    (void)err;
    counted *c = ctx;
    memcpy(buf, c->data + off, len);
    c->reads++;
    return 0;
}

/* Decompresses all of `comp` with a reader (memory or callback input) in
 * pieces of `piece` bytes and checks it equals plain; returns the reader's
 * result. */
static int decode_all(int id, const uint8_t *comp, size_t comp_len, int via_callback, size_t piece,
                      ota_buf *out, ota_error *err)
{
    patch_input in;
    counted c = {comp, 0};
    if (via_callback)
        in = (patch_input){.size = comp_len, .read = counted_read, .ctx = &c};
    else
        patch_input_memory(&in, comp, comp_len);
    codec_reader r;
    if (codec_reader_open(&r, id, "TEST", "data", &in, 0, comp_len, 7, 0, err) < 0)
        return -1;
    uint8_t buf[97];
    int rc = 0;
    for (;;) {
        size_t got;
        size_t want = piece < sizeof buf ? piece : sizeof buf;
        if ((rc = codec_reader_read_some(&r, buf, want, &got, err)) < 0 || got == 0)
            break;
        ck_assert_int_eq(ota_buf_append(out, buf, got, NULL), 0);
    }
    if (rc == 0)
        rc = codec_reader_expect_end(&r, err);
    codec_reader_close(&r);
    if (via_callback && comp_len > 7)
        ck_assert_int_gt(c.reads, 1);
    return rc;
}

START_TEST(every_codec_round_trips)
{
    size_t sizes[] = {0, 1, 100, 70000, 1u << 20};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint8_t *plain = sample(sizes[s]);
        for (int c = 0; c < N_CODECS; c++) {
            ota_buf comp = {0};
            ota_error err;
            ck_assert_int_eq(codec_compress(all_codecs[c], plain, sizes[s], &comp, &err), 0);
            for (int cb = 0; cb <= 1; cb++) {
                ota_buf out = {0};
                ck_assert_msg(decode_all(all_codecs[c], comp.data, comp.len, cb, 1 + (size_t)s * 23,
                                         &out, &err) == 0,
                              "%s size %zu: %s", codec_name(all_codecs[c]), sizes[s], err.message);
                ck_assert_uint_eq(out.len, sizes[s]);
                if (sizes[s])
                    ck_assert_int_eq(memcmp(out.data, plain, sizes[s]), 0);
                ota_buf_free(&out);
            }
            ota_buf_free(&comp);
        }
        free(plain);
    }
}
END_TEST

START_TEST(best_codec_is_the_smallest)
{
    size_t n = 200000;
    uint8_t *plain = sample(n);
    size_t sizes[N_CODECS];
    for (int c = 0; c < N_CODECS; c++) {
        ota_buf comp = {0};
        ck_assert_int_eq(codec_compress(all_codecs[c], plain, n, &comp, NULL), 0);
        sizes[c] = comp.len;
        ota_buf_free(&comp);
    }
    unsigned sets[] = {CODEC_SET_BZ2, CODEC_SET_ANDROID, CODEC_SET_ALL, CODEC_SET_XZ | CODEC_SET_ZSTD};
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        ota_buf comp = {0};
        int id = 0;
        ck_assert_int_eq(codec_compress_best(sets[s], plain, n, &comp, &id, NULL), 0);
        size_t want = SIZE_MAX;
        for (int c = 0; c < N_CODECS; c++)
            if ((sets[s] & codec_set_bit(all_codecs[c])) && sizes[c] < want)
                want = sizes[c];
        ck_assert_uint_eq(comp.len, want);
        ck_assert(sets[s] & codec_set_bit(id));
        ota_buf_free(&comp);
    }
    ota_error err;
    ota_buf comp = {0};
    int id;
    ck_assert_int_eq(codec_compress_best(0, plain, n, &comp, &id, &err), -1);
    free(plain);
}
END_TEST

START_TEST(codec_sets_parse)
{
    ck_assert_uint_eq(codec_set_parse("bz2"), CODEC_SET_BZ2);
    ck_assert_uint_eq(codec_set_parse("android"), CODEC_SET_ANDROID);
    ck_assert_uint_eq(codec_set_parse("all"), CODEC_SET_ALL);
    ck_assert_uint_eq(codec_set_parse("xz,zstd"), CODEC_SET_XZ | CODEC_SET_ZSTD);
    ck_assert_uint_eq(codec_set_parse("bz2,brotli,xz,zstd"), CODEC_SET_ALL);
    ck_assert_uint_eq(codec_set_parse(""), 0);
    ck_assert_uint_eq(codec_set_parse("gzip"), 0);
    ck_assert_uint_eq(codec_set_parse("xz,"), 0);
    ck_assert_uint_eq(codec_set_parse("xz,,bz2"), 0);
    ck_assert_str_eq(codec_name(CODEC_XZ), "xz");
    ck_assert_ptr_null(codec_name(0));
}
END_TEST

/* Every prefix of a compressed stream is an error (never a silent short
 * read), and so is a corrupted byte, for every codec. */
START_TEST(truncated_and_corrupt_streams_are_errors)
{
    size_t n = 5000;
    uint8_t *plain = sample(n);
    for (int c = 0; c < N_CODECS; c++) {
        ota_buf comp = {0};
        ck_assert_int_eq(codec_compress(all_codecs[c], plain, n, &comp, NULL), 0);
        for (size_t cut = 0; cut < comp.len; cut++) {
            ota_buf out = {0};
            ota_error err;
            int rc = decode_all(all_codecs[c], comp.data, cut, cut & 1, 50, &out, &err);
            /* An empty brotli range is Android's empty stream. */
            if (all_codecs[c] == CODEC_BROTLI && cut == 0)
                ck_assert_int_eq(rc, 0);
            else
                ck_assert_msg(rc == -1 && strstr(err.message, "data stream"),
                              "%s cut at %zu: rc %d", codec_name(all_codecs[c]), cut, rc);
            ota_buf_free(&out);
        }
        ota_buf bad = {0};
        ck_assert_int_eq(ota_buf_append(&bad, comp.data, comp.len, NULL), 0);
        for (size_t i = 0; i < bad.len; i += 1 + bad.len / 40) {
            bad.data[i] ^= 0x5a;
            ota_buf out = {0};
            ota_error err;
            /* Either an error, or (a byte no check covers) the right size. */
            if (decode_all(all_codecs[c], bad.data, bad.len, 0, 300, &out, &err) == 0)
                ck_assert_uint_eq(out.len, n);
            ota_buf_free(&out);
            bad.data[i] ^= 0x5a;
        }
        ota_buf_free(&bad);
        ota_buf_free(&comp);
    }
    free(plain);
}
END_TEST

/* A stream whose window is larger than the decoders allow is refused
 * before the decoder allocates it. */
START_TEST(oversized_windows_are_refused)
{
    size_t n = 1000;
    uint8_t *plain = sample(n);
    /* xz with a 64 MiB dictionary */
    lzma_options_lzma opt;
    ck_assert_int_eq(lzma_lzma_preset(&opt, 6), 0);
    opt.dict_size = 64u << 20;
    lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    uint8_t xz[4096];
    size_t xz_len = 0;
    ck_assert_int_eq(lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, NULL, plain, n, xz,
                                               &xz_len, sizeof xz),
                     LZMA_OK);
    ota_buf out = {0};
    ota_error err;
    ck_assert_int_eq(decode_all(CODEC_XZ, xz, xz_len, 0, 64, &out, &err), -1);
    ck_assert_msg(strstr(err.message, "dictionary"), "%s", err.message);
    ota_buf_free(&out);
    /* zstd with a 128 MiB window */
    /* (streamed with no size given, so zstd keeps the window asked for) */
    ZSTD_CCtx *c = ZSTD_createCCtx();
    ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 27)));
    uint8_t zs[4096];
    ZSTD_inBuffer zin = {plain, n, 0};
    ZSTD_outBuffer zout = {zs, sizeof zs, 0};
    ck_assert_uint_eq(ZSTD_compressStream2(c, &zout, &zin, ZSTD_e_continue), 0);
    ck_assert_uint_eq(ZSTD_compressStream2(c, &zout, &zin, ZSTD_e_end), 0);
    size_t zs_len = zout.pos;
    ZSTD_freeCCtx(c);
    ck_assert_int_eq(decode_all(CODEC_ZSTD, zs, zs_len, 0, 64, &out, &err), -1);
    ck_assert_msg(strstr(err.message, "zstd"), "%s", err.message);
    ota_buf_free(&out);
    free(plain);
}
END_TEST

static int fd_with(const uint8_t *data, size_t len)
{
    char path[] = "/tmp/test_codec.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    if (len)
        ck_assert_int_eq(ota_write_all(fd, data, len, NULL), 0);
    return fd;
}

/* Applies through memory and through files; both must succeed alike. */
static int apply_both(const uint8_t *old, size_t old_len, const uint8_t *patch, size_t patch_len,
                      ota_buf *out, ota_error *err)
{
    ota_buf b = {0};
    int rc = bspatch_mem(old, old_len, patch, patch_len, ota_buf_sink, out, err);
    int old_fd = fd_with(old, old_len), patch_fd = fd_with(patch, patch_len);
    ota_error err2;
    int rc2 = bspatch_file(old_fd, old_len, patch_fd, 0, ota_buf_sink, &b, &err2);
    close(old_fd);
    close(patch_fd);
    ck_assert_int_eq(rc, rc2);
    if (rc == 0) {
        ck_assert_uint_eq(out->len, b.len);
        ck_assert_int_eq(memcmp(out->data, b.data, b.len), 0);
    } else {
        ck_assert_str_eq(err->message, err2.message);
    }
    ota_buf_free(&b);
    return rc;
}

START_TEST(bsdf2_round_trips_with_every_codec_set)
{
    size_t n = 300000;
    uint8_t *old = sample(n), *new_data = malloc(n + 5000);
    memcpy(new_data, old, n / 2);
    for (size_t i = 0; i < 5000; i++)
        new_data[n / 2 + i] = (uint8_t)rnd();
    memcpy(new_data + n / 2 + 5000, old + n / 2, n / 2);
    for (size_t i = 0; i < n; i += 1000)
        new_data[i] += 3;
    unsigned sets[] = {CODEC_SET_BZ2,  CODEC_SET_BROTLI, CODEC_SET_XZ,
                       CODEC_SET_ZSTD, CODEC_SET_ANDROID, CODEC_SET_ALL};
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        bsdiff_opts o = {.codecs = sets[s]};
        uint8_t *patch;
        size_t patch_len;
        ota_error err;
        ck_assert_int_eq(bsdiff_create_opts(old, n, new_data, n + 5000, &o, &patch, &patch_len, &err), 0);
        if (sets[s] == CODEC_SET_BZ2) {
            ck_assert_mem_eq(patch, "BSDIFF40", 8);
        } else {
            ck_assert_mem_eq(patch, "BSDF2", 5);
            for (int i = 5; i < 8; i++)
                ck_assert(sets[s] & codec_set_bit(patch[i]));
        }
        ck_assert_int_eq(bspatch_new_size(patch, patch_len, NULL), (long long)(n + 5000));
        ota_buf out = {0};
        ck_assert_msg(apply_both(old, n, patch, patch_len, &out, &err) == 0, "%s", err.message);
        ck_assert_uint_eq(out.len, n + 5000);
        ck_assert_int_eq(memcmp(out.data, new_data, n + 5000), 0);
        ota_buf_free(&out);
        /* Every truncation fails cleanly. */
        for (size_t cut = 0; cut < patch_len; cut += 1 + patch_len / 200) {
            ck_assert_int_eq(apply_both(old, n, patch, cut, &out, &err), -1);
            ota_buf_free(&out); /* what was made before the error */
        }
        free(patch);
    }
    free(old);
    free(new_data);
}
END_TEST

START_TEST(bsdf2_header_codes_are_checked)
{
    uint8_t old[16] = "0123456789abcdef";
    bsdiff_opts o = {.codecs = CODEC_SET_BROTLI};
    uint8_t *patch;
    size_t patch_len;
    ck_assert_int_eq(bsdiff_create_opts(old, 16, old, 16, &o, &patch, &patch_len, NULL), 0);
    ck_assert_mem_eq(patch, "BSDF2\2\2\2", 8);
    ota_error err;
    ota_buf out = {0};
    /* 0 (Android's "no compression", which its reader refuses too), 3, 0xff */
    uint8_t bad[] = {0, 3, 0xff};
    for (size_t i = 0; i < sizeof bad; i++) {
        patch[6] = bad[i];
        ck_assert_int_eq(apply_both(old, 16, patch, patch_len, &out, &err), -1);
        ck_assert_msg(strstr(err.message, "diff stream has unknown compression type"), "%s",
                      err.message);
    }
    /* The wrong codec for the data: an error naming the stream. */
    patch[6] = CODEC_ZSTD;
    ck_assert_int_eq(apply_both(old, 16, patch, patch_len, &out, &err), -1);
    ck_assert_msg(strstr(err.message, "BSDF2 diff stream"), "%s", err.message);
    ota_buf_free(&out);
    free(patch);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("codecs");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, every_codec_round_trips);
    tcase_add_test(tc, best_codec_is_the_smallest);
    tcase_add_test(tc, codec_sets_parse);
    tcase_add_test(tc, truncated_and_corrupt_streams_are_errors);
    tcase_add_test(tc, oversized_windows_are_refused);
    tcase_add_test(tc, bsdf2_round_trips_with_every_codec_set);
    tcase_add_test(tc, bsdf2_header_codes_are_checked);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}

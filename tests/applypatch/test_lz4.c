/* Unit tests of LZ4 chunks: recognising legacy streams (the kernel's) and
 * frames in memory; finding the settings that remake them and remaking
 * them byte for byte; the bounded LZ4 decoder against liblz4's, read at
 * random through the view; imgdiff's IMGDIFFX patches round-tripping in
 * memory and bounded, IMGDIFF2 when no LZ4 chunk is used, the fallback for
 * a stream liblz4 cannot remake, and bad chunks and bad source data as
 * clear errors. */
#include <check.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lz4hc.h>
#include <stdlib.h>
#include <string.h>

#include "applypatch/expand_view.h"
#include "applypatch/imgdiff.h"
#include "applypatch/imgpatch.h"
#include "applypatch/imgpatch_internal.h"
#include "applypatch/lz4_stream.h"
#include "applypatch/patch_stream.h"
#include "applypatch/view_codecs.h"
#include "otautil/sink.h"
#include "tests/common/testutil.h"

static uint32_t rng = 12345;
static uint32_t rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* Code-like data: runs repeated from many distances, some noise, a zero
 * run. */
static uint8_t *data(size_t n, uint32_t seed)
{
    rng = seed;
    uint8_t *p = malloc(n + 64);
    for (size_t i = 0; i < n;) {
        uint32_t r = rnd();
        if (i > 70000 && r % 4) {
            size_t run = 4 + r % 29, from = i - 1 - (r >> 6) % 65000;
            for (size_t k = 0; k < run; k++)
                p[i + k] = p[from + k];
            i += run;
        } else {
            p[i++] = (uint8_t)r;
        }
    }
    if (n > 200000)
        memset(p + n / 3, 0, 100000);
    return p;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A legacy stream as lz4 -l makes it: 8 MiB blocks, each on its own. */
static uint8_t *legacy(const uint8_t *plain, size_t n, int level, size_t *len)
{
    size_t cap = 4 + n + n / 200 + 64 * (n / LZ4_LEGACY_BLOCK + 1) + 64;
    uint8_t *out = malloc(cap);
    put32(out, LZ4_LEGACY_MAGIC);
    size_t pos = 4;
    for (size_t at = 0; at < n; at += LZ4_LEGACY_BLOCK) {
        size_t b = n - at < LZ4_LEGACY_BLOCK ? n - at : LZ4_LEGACY_BLOCK;
        int c = level < 3 ? LZ4_compress_default((const char *)plain + at, (char *)out + pos + 4, (int)b,
                                                 (int)(cap - pos - 4))
                          : LZ4_compress_HC((const char *)plain + at, (char *)out + pos + 4, (int)b,
                                            (int)(cap - pos - 4), level);
        ck_assert_int_gt(c, 0);
        put32(out + pos, (uint32_t)c);
        pos += 4 + (size_t)c;
    }
    *len = pos;
    return out;
}

/* A frame as the lz4 tool makes it: one full block per update. */
static uint8_t *frame(const uint8_t *plain, size_t n, const LZ4F_preferences_t *prefs, size_t *len)
{
    LZ4F_cctx *c;
    ck_assert(!LZ4F_isError(LZ4F_createCompressionContext(&c, LZ4F_VERSION)));
    size_t bs = (size_t)1 << (8 + 2 * (prefs->frameInfo.blockSizeID ? prefs->frameInfo.blockSizeID : 4));
    size_t cap = LZ4F_compressBound(n, prefs) + LZ4F_HEADER_SIZE_MAX + 64;
    uint8_t *out = malloc(cap);
    size_t pos = LZ4F_compressBegin(c, out, cap, prefs);
    ck_assert(!LZ4F_isError(pos));
    for (size_t at = 0; at < n; at += bs) {
        size_t r = LZ4F_compressUpdate(c, out + pos, cap - pos, plain + at, n - at < bs ? n - at : bs, NULL);
        ck_assert(!LZ4F_isError(r));
        pos += r;
    }
    size_t r = LZ4F_compressEnd(c, out + pos, cap - pos, NULL);
    ck_assert(!LZ4F_isError(r));
    LZ4F_freeCompressionContext(c);
    *len = pos + r;
    return out;
}

/* Parses, finds settings, remakes: must equal.  (The settings found may
 * differ from the ones used when both give the same bytes.) */
static void check_remake(const uint8_t *plain, size_t n, const uint8_t *s, size_t s_len)
{
    size_t stream_len, plain_len;
    uint8_t *expanded;
    lz4_params p;
    ota_error err;
    /* trailing bytes after the stream are not part of it */
    uint8_t *padded = malloc(s_len + 7);
    memcpy(padded, s, s_len);
    memcpy(padded + s_len, "TRAILER", 7);
    ck_assert_int_eq(lz4_stream_parse(padded, s_len + 7, &stream_len, &expanded, &plain_len, &p, &err), 1);
    ck_assert_uint_eq(stream_len, s_len);
    ck_assert_uint_eq(plain_len, n);
    ck_assert_int_eq(memcmp(expanded, plain, n), 0);
    ck_assert_msg(lz4_find_params(plain, n, s, s_len, &p, &err) == 1, "no settings found");
    ota_buf out = {0};
    lz4_encoder *e = lz4_encoder_new(&p, n, ota_buf_sink, &out, &err);
    ck_assert_ptr_nonnull(e);
    for (size_t at = 0; at < n; at += 77777)
        ck_assert_int_eq(lz4_encoder_write(e, plain + at, n - at < 77777 ? n - at : 77777, &err), 0);
    ck_assert_int_eq(lz4_encoder_finish(e, &err), 0);
    lz4_encoder_free(e);
    ck_assert_uint_eq(out.len, s_len);
    ck_assert_int_eq(memcmp(out.data, s, s_len), 0);
    ota_buf_free(&out);
    free(expanded);
    free(padded);
}

START_TEST(legacy_streams_remade_exactly)
{
    size_t n = LZ4_LEGACY_BLOCK + 300000; /* two blocks, the second short */
    uint8_t *plain = data(n, 1);
    int levels[] = {9, 1, 12, 4};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        size_t len;
        uint8_t *s = legacy(plain, n, levels[i], &len);
        check_remake(plain, n, s, len);
        free(s);
    }
    free(plain);
}
END_TEST

START_TEST(frames_remade_exactly)
{
    size_t n = 700000;
    uint8_t *plain = data(n, 2);
    struct {
        int level, bsid, linked, csum, bsum, csize, favor;
    } cases[] = {
        {1, 4, 1, 1, 0, 0, 0}, {9, 5, 0, 0, 1, 1, 0}, {12, 6, 1, 1, 1, 1, 1}, {3, 7, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        LZ4F_preferences_t prefs;
        memset(&prefs, 0, sizeof prefs);
        prefs.compressionLevel = cases[i].level;
        prefs.frameInfo.blockSizeID = (LZ4F_blockSizeID_t)cases[i].bsid;
        prefs.frameInfo.blockMode = cases[i].linked ? LZ4F_blockLinked : LZ4F_blockIndependent;
        prefs.frameInfo.contentChecksumFlag = cases[i].csum ? LZ4F_contentChecksumEnabled : 0;
        prefs.frameInfo.blockChecksumFlag = cases[i].bsum ? LZ4F_blockChecksumEnabled : 0;
        prefs.frameInfo.contentSize = cases[i].csize ? n : 0;
        prefs.favorDecSpeed = (unsigned)cases[i].favor;
        prefs.autoFlush = 1;
        size_t len;
        uint8_t *s = frame(plain, n, &prefs, &len);
        check_remake(plain, n, s, len);
        free(s);
    }
    free(plain);
}
END_TEST

START_TEST(not_lz4_or_broken_is_not_a_stream)
{
    size_t n = 100000, len, sl, pl;
    uint8_t *plain = data(n, 3), *s = legacy(plain, n, 9, &len), *exp;
    lz4_params p;
    ck_assert_int_eq(lz4_stream_parse(plain, n, &sl, &exp, &pl, &p, NULL), 0);
    put32(s + 4, (uint32_t)len); /* the only block's size runs past the end */
    ck_assert_int_eq(lz4_stream_parse(s, len, &sl, &exp, &pl, &p, NULL), 0);
    ck_assert_int_eq(lz4_stream_parse(s, 6, &sl, &exp, &pl, &p, NULL), 0);
    free(s);
    free(plain);
    /* settings that a patch could carry but that are refused */
    lz4_params bad[] = {{3, 9, 0, 1}, {LZ4_KIND_LEGACY, 13, 0, 1000}, {LZ4_KIND_LEGACY, 9, 1, 1000},
                        {LZ4_KIND_LEGACY, 9, 0, 0}, {LZ4_KIND_FRAME, 9, 0, 0x0140 | 0x01}, {LZ4_KIND_FRAME, 9, 0, 0x30 | 0x2 << 8}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(lz4_params_check(&bad[i], NULL), -1);
}
END_TEST

/* The bounded decoder, read at random through the view (with checkpoints
 * inside 8 MiB blocks), must agree with the data everywhere. */
static void view_agrees(const uint8_t *plain, size_t n, const uint8_t *s, size_t len)
{
    patch_input in;
    patch_input_memory(&in, s, len);
    ota_error err;
    view_lz4 *d = view_lz4_new(&in, 0, len, &err);
    expand_view v;
    ck_assert_msg(expand_view_open(&v, &view_lz4_ops, d, n, NULL, 0, "test", &err) == 0, "%s", err.message);
    ck_assert_int_ge(v.n_cps, 4);
    uint8_t buf[5000];
    rng = 99;
    for (int k = 0; k < 400; k++) {
        uint64_t off = (uint64_t)rnd() * 64 % n;
        size_t l = 1 + rnd() % sizeof buf;
        if (off + l > n)
            l = (size_t)(n - off);
        ck_assert_int_eq(v.input.read(v.input.ctx, off, buf, l, &err), 0);
        ck_assert_msg(memcmp(buf, plain + off, l) == 0, "view differs at %llu", (unsigned long long)off);
    }
    expand_view_close(&v);
    view_lz4_free(d);
}

START_TEST(bounded_decoder_agrees_with_liblz4)
{
    size_t n = 2 * LZ4_LEGACY_BLOCK + 12345, len;
    uint8_t *plain = data(n, 4);
    uint8_t *s = legacy(plain, n, 9, &len);
    view_agrees(plain, n, s, len);
    free(s);
    LZ4F_preferences_t prefs;
    memset(&prefs, 0, sizeof prefs);
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockLinked;
    prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    prefs.compressionLevel = 1;
    s = frame(plain, 3000000, &prefs, &len);
    view_agrees(plain, 3000000, s, len);
    free(s);
    free(plain);
}
END_TEST

START_TEST(bad_source_data_is_an_error)
{
    size_t n = 300000, len;
    uint8_t *plain = data(n, 5), *s = legacy(plain, n, 9, &len);
    patch_input in;
    ota_error err;
    expand_view v;
    /* truncated, a wrong size claimed, a corrupt match offset */
    patch_input_memory(&in, s, len - 10);
    view_lz4 *d = view_lz4_new(&in, 0, len - 10, &err);
    ck_assert_int_eq(expand_view_open(&v, &view_lz4_ops, d, n, NULL, 0, "chunk 7", &err), -1);
    ck_assert_msg(strstr(err.message, "chunk 7"), "%s", err.message);
    view_lz4_free(d);
    patch_input_memory(&in, s, len);
    d = view_lz4_new(&in, 0, len, &err);
    ck_assert_int_eq(expand_view_open(&v, &view_lz4_ops, d, n + 1, NULL, 0, "chunk 7", &err), -1);
    ck_assert_msg(strstr(err.message, "expands to"), "%s", err.message);
    ck_assert_int_eq(expand_view_open(&v, &view_lz4_ops, d, n, NULL, UINT64_MAX, "chunk 7", &err), 0);
    expand_view_close(&v);
    view_lz4_free(d);
    for (size_t i = 8; i < len; i += len / 50) {
        s[i] ^= 0x33;
        d = view_lz4_new(&in, 0, len, &err);
        /* either a clear error, or (a flipped literal) data of the right size */
        if (expand_view_open(&v, &view_lz4_ops, d, n, NULL, 0, "chunk 7", &err) == 0)
            expand_view_close(&v);
        else
            ck_assert_msg(strstr(err.message, "chunk 7"), "%s", err.message);
        view_lz4_free(d);
        s[i] ^= 0x33;
    }
    free(s);
    free(plain);
}
END_TEST

/* A bzImage-like image: a setup header, an LZ4 legacy kernel, a tail. */
static uint8_t *image(const uint8_t *kernel, size_t n, size_t *len)
{
    size_t sl;
    uint8_t *s = legacy(kernel, n, 9, &sl);
    uint8_t *img = malloc(sl + 20000);
    for (size_t i = 0; i < 12000; i++)
        img[i] = (uint8_t)(i * 13);
    memcpy(img + 12000, s, sl);
    put32(img + 12000 + sl, (uint32_t)n);
    memset(img + 12004 + sl, 0x90, 3000);
    *len = 12000 + sl + 4 + 3000;
    free(s);
    return img;
}

static void apply_both(const uint8_t *src, size_t src_len, const uint8_t *patch, size_t patch_len,
                       const uint8_t *want, size_t want_len)
{
    ota_buf out = {0};
    ota_error err;
    ck_assert_msg(imgpatch_apply(src, src_len, patch, patch_len, NULL, 0, ota_buf_sink, &out, &err) == 0, "%s",
                  err.message);
    ck_assert_uint_eq(out.len, want_len);
    ck_assert_int_eq(memcmp(out.data, want, want_len), 0);
    ota_buf_free(&out);
    patch_input s, p;
    patch_input_memory(&s, src, src_len);
    patch_input_memory(&p, patch, patch_len);
    ck_assert_msg(patch_apply(&s, &p, ota_buf_sink, &out, NULL, &err) == 0, "bounded: %s", err.message);
    ck_assert_uint_eq(out.len, want_len);
    ck_assert_int_eq(memcmp(out.data, want, want_len), 0);
    ota_buf_free(&out);
}

START_TEST(imgdiff_patches_lz4_kernels)
{
    size_t n = LZ4_LEGACY_BLOCK + 500000;
    uint8_t *k1 = data(n, 6), *k2 = malloc(n + 4000);
    memcpy(k2, k1, 1000000);
    memset(k2 + 1000000, 'N', 4000); /* an insertion shifts the rest */
    memcpy(k2 + 1004000, k1 + 1000000, n - 1000000);
    for (size_t i = 2000000; i < n; i += 1000)
        k2[i] ^= 1; /* and small edits all over, as in a rebuilt kernel */
    size_t l1, l2;
    uint8_t *i1 = image(k1, n, &l1), *i2 = image(k2, n + 4000, &l2);
    ota_error err;
    uint8_t *plain_patch, *x_patch;
    size_t plain_len, x_len;
    imgdiff_opts o = {.codecs = CODEC_SET_ALL};
    ck_assert_int_eq(imgdiff_create(i1, l1, i2, l2, &o, &plain_patch, &plain_len, &err), 0);
    ck_assert_mem_eq(plain_patch, "IMGDIFF2", 8); /* no LZ4 chunk without extended */
    o.extended = 1;
    ck_assert_msg(imgdiff_create(i1, l1, i2, l2, &o, &x_patch, &x_len, &err) == 0, "%s", err.message);
    ck_assert_mem_eq(x_patch, "IMGDIFFX", 8);
    ck_assert_uint_lt(x_len, plain_len); /* the point of it */
    apply_both(i1, l1, x_patch, x_len, i2, l2);
    apply_both(i1, l1, plain_patch, plain_len, i2, l2);
    /* Android's readers and IMGDIFF2 refuse the LZ4 chunk type */
    memcpy(x_patch, "IMGDIFF2", 8);
    ota_buf out = {0};
    ck_assert_int_eq(imgpatch_apply(i1, l1, x_patch, x_len, NULL, 0, ota_buf_sink, &out, &err), -1);
    ck_assert_msg(strstr(err.message, "need an IMGDIFFX"), "%s", err.message);
    ota_buf_free(&out);
    free(x_patch);
    free(plain_patch);
    free(i1), free(i2), free(k1), free(k2);
}
END_TEST

/* A stream liblz4 cannot remake (literals only, valid LZ4 all the same)
 * is patched as plain bytes, and the patch stays IMGDIFF2. */
START_TEST(unremakable_stream_falls_back)
{
    size_t n = 140000;
    uint8_t *k1 = data(n, 7), *k2 = data(n, 7);
    k2[100] ^= 1;
    uint8_t *imgs[2];
    size_t lens[2];
    for (int v = 0; v < 2; v++) {
        const uint8_t *k = v ? k2 : k1;
        /* one sequence of n literals: token 0xf0, length bytes, the data */
        uint8_t *img = malloc(n + 1000);
        size_t pos = 0;
        memcpy(img, "HEAD", 4);
        pos = 4;
        put32(img + pos, LZ4_LEGACY_MAGIC);
        size_t block = 1 + (n - 15) / 255 + 1 + n;
        put32(img + pos + 4, (uint32_t)block);
        pos += 8;
        img[pos++] = 0xf0;
        size_t rest = n - 15;
        while (rest >= 255) {
            img[pos++] = 255;
            rest -= 255;
        }
        img[pos++] = (uint8_t)rest;
        memcpy(img + pos, k, n);
        pos += n;
        imgs[v] = img;
        lens[v] = pos;
    }
    imgdiff_opts o = {.extended = 1};
    uint8_t *patch;
    size_t patch_len;
    ota_error err;
    ck_assert_msg(imgdiff_create(imgs[0], lens[0], imgs[1], lens[1], &o, &patch, &patch_len, &err) == 0, "%s",
                  err.message);
    ck_assert_mem_eq(patch, "IMGDIFF2", 8);
    apply_both(imgs[0], lens[0], patch, patch_len, imgs[1], lens[1]);
    free(patch);
    free(imgs[0]), free(imgs[1]), free(k1), free(k2);
}
END_TEST

START_TEST(lying_lz4_chunks_are_errors)
{
    size_t n = 200000;
    uint8_t *k1 = data(n, 8), *k2 = data(n, 8);
    for (size_t i = 0; i < n; i += 5000)
        k2[i] ^= 0x10;
    size_t l1, l2;
    uint8_t *i1 = image(k1, n, &l1), *i2 = image(k2, n, &l2);
    imgdiff_opts o = {.extended = 1};
    uint8_t *patch;
    size_t patch_len;
    ck_assert_int_eq(imgdiff_create(i1, l1, i2, l2, &o, &patch, &patch_len, NULL), 0);
    /* find the LZ4 chunk's header */
    size_t pos = 12;
    for (int i = 0; patch[pos] != IMGDIFF_CHUNK_LZ4; i++) {
        ck_assert_int_lt(i, 3);
        pos += patch[pos] == IMGDIFF_CHUNK_RAW ? 8 + (patch[pos + 4] | patch[pos + 5] << 8) : 28;
    }
    uint8_t *h = patch + pos + 4;
    struct {
        size_t at;
        uint8_t flip;
        const char *words;
    } lies[] = {
        {40, 1, "the patch says"},           /* target length */
        {32, 1, "header says"},              /* expanded target length */
        {24, 1, "expands to"},               /* expanded source length */
        {52, 20, "unknown LZ4 settings"},    /* level */
        {48, 7, "unknown LZ4 container"},    /* kind */
    };
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
        h[lies[i].at] ^= lies[i].flip;
        ota_buf out = {0};
        ota_error err;
        ck_assert_int_eq(imgpatch_apply(i1, l1, patch, patch_len, NULL, 0, ota_buf_sink, &out, &err), -1);
        ck_assert_msg(strstr(err.message, "chunk 1") && strstr(err.message, lies[i].words), "%zu: %s", i,
                      err.message);
        ota_buf_free(&out);
        h[lies[i].at] ^= lies[i].flip;
    }
    /* legacy: the largest compressed block, claimed too small */
    uint8_t saved[4];
    memcpy(saved, h + 60, 4);
    put32(h + 60, 16);
    ota_buf out = {0};
    ota_error err;
    ck_assert_int_eq(imgpatch_apply(i1, l1, patch, patch_len, NULL, 0, ota_buf_sink, &out, &err), -1);
    ck_assert_msg(strstr(err.message, "largest block"), "%s", err.message);
    ota_buf_free(&out);
    memcpy(h + 60, saved, 4);
    ck_assert_int_eq(imgpatch_apply(i1, l1, patch, patch_len, NULL, 0, ota_buf_sink, &out, &err), 0);
    ota_buf_free(&out);
    free(patch);
    free(i1), free(i2), free(k1), free(k2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lz4");
    TCase *tc = tcase_create("lz4");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, legacy_streams_remade_exactly);
    tcase_add_test(tc, frames_remade_exactly);
    tcase_add_test(tc, not_lz4_or_broken_is_not_a_stream);
    tcase_add_test(tc, bounded_decoder_agrees_with_liblz4);
    tcase_add_test(tc, bad_source_data_is_an_error);
    tcase_add_test(tc, imgdiff_patches_lz4_kernels);
    tcase_add_test(tc, unremakable_stream_falls_back);
    tcase_add_test(tc, lying_lz4_chunks_are_errors);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}

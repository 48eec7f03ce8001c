/* Unit tests of re-encoded deflate ("puff", applypatch/puff.h): every
 * deflate stream zlib can make -- all levels and strategies, stored and
 * fixed blocks, flush points, odd padding bits -- goes to puff and back
 * byte for byte; streams puffing cannot keep are refused; malformed puffed
 * data is an error; the puffed view agrees everywhere with restart points
 * inside blocks; imgdiff makes IMGDIFFX re-encoded deflate chunks for
 * streams zlib cannot remake (gzip members and zip entries), which apply
 * in memory and bounded, and lying chunks are clear errors. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "applypatch/expand_view.h"
#include "applypatch/imgdiff.h"
#include "applypatch/imgpatch.h"
#include "applypatch/patch_stream.h"
#include "applypatch/puff.h"
#include "applypatch/view_codecs.h"
#include "otautil/sink.h"
#include "tests/common/testutil.h"

static uint32_t rng = 1;
static uint32_t rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* Text with repeats at many distances. */
static uint8_t *text(size_t n, uint32_t seed)
{
    static const char *w[] = {"alpha ", "beta ", "gamma ", "delta ", "epsilon ", "zeta ", "eta ", "theta\n"};
    rng = seed;
    uint8_t *p = malloc(n + 16);
    for (size_t i = 0; i < n;) {
        uint32_t r = rnd();
        if (r % 9 == 0) {
            p[i++] = (uint8_t)(r >> 8);
            continue;
        }
        const char *s = w[r % 8];
        for (; *s && i < n; s++)
            p[i++] = (uint8_t)*s;
    }
    return p;
}

/* Raw deflate of data with zlib's settings; flush_every > 0 adds a
 * Z_SYNC_FLUSH (an empty stored block) every so many bytes. */
static uint8_t *deflated(const uint8_t *data, size_t n, int level, int mem, int strategy, size_t flush_every,
                         size_t *len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, level, Z_DEFLATED, -15, mem, strategy), Z_OK);
    size_t cap = n + n / 10 + 1024;
    uint8_t *out = malloc(cap);
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    size_t at = 0;
    int rc;
    do {
        size_t piece = flush_every ? flush_every : n - at;
        if (piece > n - at)
            piece = n - at;
        zs.next_in = (Bytef *)data + at;
        zs.avail_in = (uInt)piece;
        at += piece;
        rc = deflate(&zs, at == n ? Z_FINISH : Z_SYNC_FLUSH);
    } while (rc == Z_OK && at < n);
    ck_assert_int_eq(rc, Z_STREAM_END);
    *len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

/* Puffs, checks the stream's length, huffs back: must be identical. */
static void round_trip(const uint8_t *d, size_t len)
{
    uint8_t *puffed;
    size_t plen, consumed;
    ota_error err;
    ck_assert_int_eq(puff_buffer(d, len, &puffed, &plen, &consumed, &err), 1);
    ck_assert_uint_eq(consumed, len);
    ota_buf out = {0};
    huffer *h = huffer_new(ota_buf_sink, &out, &err);
    for (size_t at = 0; at < plen; at += 333) /* in pieces, as bspatch gives them */
        ck_assert_msg(huffer_write(h, puffed + at, plen - at < 333 ? plen - at : 333, &err) == 0, "%s", err.message);
    ck_assert_msg(huffer_finish(h, &err) == 0, "%s", err.message);
    huffer_free(h);
    ck_assert_uint_eq(out.len, len);
    ck_assert_int_eq(memcmp(out.data, d, len), 0);
    ota_buf_free(&out);
    free(puffed);
}

START_TEST(every_zlib_setting_round_trips)
{
    size_t n = 150000;
    uint8_t *t = text(n, 3);
    int strategies[] = {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED};
    for (int level = 0; level <= 9; level++)
        for (size_t s = 0; s < sizeof strategies / sizeof strategies[0]; s++)
            for (int mem = 1; mem <= 9; mem += 8) {
                size_t len;
                uint8_t *d = deflated(t, n, level, mem, strategies[s], level == 5 ? 7000 : 0, &len);
                round_trip(d, len);
                free(d);
            }
    /* tiny and empty streams */
    for (size_t k = 0; k < 5; k++) {
        size_t len;
        uint8_t *d = deflated(t, k, 6, 8, Z_DEFAULT_STRATEGY, 0, &len);
        round_trip(d, len);
        free(d);
    }
    free(t);
}
END_TEST

START_TEST(padding_bits_are_kept)
{
    size_t n = 5000, len;
    uint8_t *t = text(n, 4);
    uint8_t *d = deflated(t, n, 0, 8, Z_DEFAULT_STRATEGY, 0, &len); /* stored blocks */
    /* the bits after a stored block's 3-bit header are ignored by
     * decoders: make them nonzero */
    d[0] |= 0xf8;
    round_trip(d, len);
    free(d);
    d = deflated(t, n, 6, 8, Z_FIXED, 0, &len);
    /* the final byte's unused high bits: set them all; inflate must still
     * accept it (it ignores them), and puffing must keep them */
    d[len - 1] |= 0x80;
    uint8_t back[6000];
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    inflateInit2(&zs, -15);
    zs.next_in = d;
    zs.avail_in = (uInt)len;
    zs.next_out = back;
    zs.avail_out = sizeof back;
    int rc = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    if (rc == Z_STREAM_END && zs.total_out == n)
        round_trip(d, len);
    free(d);
    free(t);
}
END_TEST

/* A fixed-Huffman block written bit by bit. */
typedef struct bits {
    uint8_t b[64];
    size_t n;
    int used;
} bits;

static void put(bits *w, uint32_t v, int n)
{
    for (int i = 0; i < n; i++) {
        if (w->used == 0)
            w->b[w->n++] = 0;
        w->b[w->n - 1] |= (uint8_t)(((v >> i) & 1) << w->used);
        w->used = (w->used + 1) % 8;
    }
}

/* A Huffman code of `len` bits, top bit first. */
static void put_code(bits *w, uint32_t code, int len)
{
    for (int i = len - 1; i >= 0; i--)
        put(w, (code >> i) & 1, 1);
}

/* 'a' then a match of 258 coded as 284 + 31: zlib inflates it, no
 * compressor writes it, puffing cannot keep it. */
static void odd_stream(bits *w)
{
    memset(w, 0, sizeof *w);
    put(w, 1, 1);                  /* final */
    put(w, 1, 2);                  /* fixed */
    put_code(w, 0x30 + 'a', 8);    /* literal 'a' (0-143: 0x30 + x, 8 bits) */
    put_code(w, 0xc0 + (284 - 280), 8); /* length code 284 (280-287: 0xc0 + x) */
    put(w, 31, 5);                 /* its extra bits: 227 + 31 = 258 */
    put_code(w, 0, 5);             /* distance code 0: distance 1 */
    put_code(w, 0, 7);             /* end of block (256: 7 zero bits) */
}

START_TEST(length_258_as_284_plus_31_is_refused)
{
    bits w;
    odd_stream(&w);
    uint8_t out[300];
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    inflateInit2(&zs, -15);
    zs.next_in = w.b;
    zs.avail_in = (uInt)w.n;
    zs.next_out = out;
    zs.avail_out = sizeof out;
    ck_assert_int_eq(inflate(&zs, Z_FINISH), Z_STREAM_END); /* valid deflate */
    ck_assert_uint_eq(zs.total_out, 259);
    inflateEnd(&zs);
    uint8_t *puffed;
    size_t plen, consumed;
    ck_assert_int_eq(puff_buffer(w.b, w.n, &puffed, &plen, &consumed, NULL), 0);
}
END_TEST

/* A gzip member imgdiff can neither remake with zlib nor re-encode: the
 * patch falls back to plain bytes (IMGDIFF2) and still applies. */
START_TEST(unkeepable_stream_falls_back)
{
    bits w;
    odd_stream(&w);
    uint8_t plain[259];
    memset(plain, 'a', sizeof plain);
    uint8_t *imgs[2];
    size_t lens[2];
    for (int v = 0; v < 2; v++) {
        /* the source: zlib's member of 259 'b's; the target: the odd one */
        uint8_t b[259];
        memset(b, 'b', sizeof b);
        size_t dlen = w.n;
        uint8_t *d = v ? NULL : deflated(b, sizeof b, 6, 8, Z_DEFAULT_STRATEGY, 0, &dlen);
        const uint8_t *body = v ? w.b : d, *content = v ? plain : b;
        uint8_t *img = malloc(dlen + 64);
        static const uint8_t gz[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3};
        memcpy(img, "HDR.", 4);
        memcpy(img + 4, gz, 10);
        memcpy(img + 14, body, dlen);
        uLong crc = crc32(0, content, 259);
        for (int i = 0; i < 4; i++) {
            img[14 + dlen + i] = (uint8_t)(crc >> (8 * i));
            img[18 + dlen + i] = (uint8_t)(259u >> (8 * i));
        }
        memcpy(img + 22 + dlen, ".END", 4);
        imgs[v] = img;
        lens[v] = 26 + dlen;
        free(d);
    }
    imgdiff_opts o = {.extended = 1, .codecs = CODEC_SET_ALL};
    uint8_t *patch;
    size_t patch_len;
    ota_error err;
    ck_assert_msg(imgdiff_create(imgs[0], lens[0], imgs[1], lens[1], &o, &patch, &patch_len, &err) == 0, "%s",
                  err.message);
    ck_assert_mem_eq(patch, "IMGDIFF2", 8);
    ota_buf out = {0};
    ck_assert_int_eq(imgpatch_apply(imgs[0], lens[0], patch, patch_len, NULL, 0, ota_buf_sink, &out, &err), 0);
    ck_assert_uint_eq(out.len, lens[1]);
    ck_assert_int_eq(memcmp(out.data, imgs[1], lens[1]), 0);
    ota_buf_free(&out);
    free(patch), free(imgs[0]), free(imgs[1]);
}
END_TEST

START_TEST(corrupt_deflate_is_refused)
{
    size_t n = 20000, len;
    uint8_t *t = text(n, 5), *d = deflated(t, n, 9, 8, Z_DEFAULT_STRATEGY, 0, &len);
    uint8_t *puffed;
    size_t plen, consumed;
    ck_assert_int_eq(puff_buffer(d, len / 2, &puffed, &plen, &consumed, NULL), 0); /* truncated */
    uint8_t bad = 0xff; /* block type 3 */
    ck_assert_int_eq(puff_buffer(&bad, 1, &puffed, &plen, &consumed, NULL), 0);
    ck_assert_int_eq(puff_buffer(d, 0, &puffed, &plen, &consumed, NULL), 0);
    free(d);
    free(t);
}
END_TEST

static int huff_all(const uint8_t *p, size_t n, ota_error *err)
{
    ota_buf out = {0};
    huffer *h = huffer_new(ota_buf_sink, &out, err);
    int rc = huffer_write(h, p, n, err) == 0 && huffer_finish(h, err) == 0 ? 0 : -1;
    huffer_free(h);
    ota_buf_free(&out);
    return rc;
}

START_TEST(malformed_puff_is_an_error)
{
    ota_error err;
    static const struct {
        const char *bytes;
        size_t n;
        const char *words;
    } cases[] = {
        {"\x07", 1, "block header"},               /* type 3 */
        {"\x05\x42", 2, "ends before"},            /* a run of 67 literals, cut short */
        {"\x05\xf0", 2, "record tag"},             /* unknown tag */
        {"\x05\xff", 2, "ends before"},            /* no final padding */
        {"\x05\xff\x00\x00", 4, "after the final block"},
        {"\x05\x80\x00\xff\xff", 5, "distance"},   /* distance 65536 */
        {"\x04\xff\xff\xff\xff", 5, "padding"},    /* stored: pad 0xff cannot fit */
        {"\x06\x20\x00\x00", 4, "dynamic header"}, /* HLIT - 257 = 32 */
        {"", 0, "ends before"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = huff_all((const uint8_t *)cases[i].bytes, cases[i].n, &err);
        ck_assert_msg(rc == -1 && strstr(err.message, cases[i].words), "%zu: %s", i, rc ? err.message : "ok");
    }
}
END_TEST

/* The puffed view, read at random (restarts inside blocks), agrees with
 * the whole puffed stream. */
START_TEST(puffed_view_agrees_everywhere)
{
    size_t n = 3000000, len;
    uint8_t *t = text(n, 6), *d = deflated(t, n, 9, 9, Z_DEFAULT_STRATEGY, 0, &len);
    uint8_t *puffed;
    size_t plen, consumed;
    ck_assert_int_eq(puff_buffer(d, len, &puffed, &plen, &consumed, NULL), 1);
    patch_input in;
    patch_input_memory(&in, d, len);
    ota_error err;
    puffer *p = puffer_new(&in, 0, len, &err);
    expand_view v;
    ck_assert_msg(expand_view_open(&v, &view_puff_ops, p, plen, NULL, 0, "t", &err) == 0, "%s", err.message);
    ck_assert_int_gt(v.n_cps, 100);
    uint8_t buf[3000];
    rng = 77;
    for (int k = 0; k < 2000; k++) {
        uint64_t off = rnd() % plen;
        size_t l = 1 + rnd() % sizeof buf;
        if (off + l > plen)
            l = (size_t)(plen - off);
        ck_assert_int_eq(v.input.read(v.input.ctx, off, buf, l, &err), 0);
        ck_assert_msg(memcmp(buf, puffed + off, l) == 0, "differs at %llu", (unsigned long long)off);
    }
    expand_view_close(&v);
    puffer_free(p);
    free(puffed), free(d), free(t);
}
END_TEST

/* gzip members made with settings zlib's level search does not try
 * (memLevel 9), like GNU gzip's: imgdiff re-encodes them. */
static uint8_t *gz_image(const uint8_t *plain, size_t n, size_t *len)
{
    size_t dlen;
    uint8_t *d = deflated(plain, n, 9, 9, Z_DEFAULT_STRATEGY, 0, &dlen);
    uint8_t *img = malloc(dlen + 1000);
    memcpy(img, "HEADER..", 8);
    static const uint8_t gz[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3};
    memcpy(img + 8, gz, 10);
    memcpy(img + 18, d, dlen);
    uLong crc = crc32(0, plain, (uInt)n);
    for (int i = 0; i < 4; i++) {
        img[18 + dlen + i] = (uint8_t)(crc >> (8 * i));
        img[22 + dlen + i] = (uint8_t)(n >> (8 * i));
    }
    memcpy(img + 26 + dlen, "..TAIL", 6);
    *len = 32 + dlen;
    free(d);
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

START_TEST(imgdiff_reencodes_what_zlib_cannot_remake)
{
    size_t n = 600000;
    uint8_t *a = text(n, 8), *b = text(n, 8);
    for (size_t i = 1000; i < n; i += 3000)
        memcpy(b + i, "EDIT", 4);
    size_t la, lb;
    uint8_t *ia = gz_image(a, n, &la), *ib = gz_image(b, n, &lb);
    uint8_t *p2, *px;
    size_t p2_len, px_len;
    ota_error err;
    imgdiff_opts o = {.codecs = CODEC_SET_ALL};
    ck_assert_int_eq(imgdiff_create(ia, la, ib, lb, &o, &p2, &p2_len, &err), 0);
    ck_assert_mem_eq(p2, "IMGDIFF2", 8);
    o.extended = 1;
    ck_assert_msg(imgdiff_create(ia, la, ib, lb, &o, &px, &px_len, &err) == 0, "%s", err.message);
    ck_assert_mem_eq(px, "IMGDIFFX", 8);
    ck_assert_uint_lt(px_len * 2, p2_len);
    apply_both(ia, la, px, px_len, ib, lb);
    apply_both(ia, la, p2, p2_len, ib, lb);
    /* lying chunk fields: chunk 1 is the re-encoded one */
    size_t pos = 12;
    pos += px[pos] == IMGDIFF_CHUNK_RAW ? 8 + px[pos + 4] : 28;
    ck_assert_int_eq(px[pos], IMGDIFF_CHUNK_PUFF);
    uint8_t *h = px + pos + 4;
    static const struct {
        size_t at;
        const char *words;
    } lies[] = {{40, "the patch says"}, {32, "declared"}, {24, "expands to"}, {8, "deflate"}};
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
        h[lies[i].at] ^= 1;
        ota_buf out = {0};
        ck_assert_int_eq(imgpatch_apply(ia, la, px, px_len, NULL, 0, ota_buf_sink, &out, &err), -1);
        ck_assert_msg(strstr(err.message, "chunk 1") && strstr(err.message, lies[i].words), "%zu: %s", i,
                      err.message);
        ota_buf_free(&out);
        h[lies[i].at] ^= 1;
    }
    /* an expanded length no deflate stream of that size can puff to is
     * refused from the table, before anything is allocated for it (found
     * by fuzz/imgpatch: 0xf8ffffff2c82 bytes) */
    uint8_t saved[8];
    memcpy(saved, h + 24, 8);
    h[29] = 0xf8;
    ota_buf out = {0};
    ck_assert_int_eq(imgpatch_apply(ia, la, px, px_len, NULL, 0, ota_buf_sink, &out, &err), -1);
    ck_assert_msg(strstr(err.message, "chunk 1") && strstr(err.message, "cannot puff to"), "%s",
                  err.message);
    ota_buf_free(&out);
    memcpy(h + 24, saved, 8);
    free(p2), free(px), free(ia), free(ib), free(a), free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("puff");
    TCase *tc = tcase_create("puff");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, every_zlib_setting_round_trips);
    tcase_add_test(tc, padding_bits_are_kept);
    tcase_add_test(tc, length_258_as_284_plus_31_is_refused);
    tcase_add_test(tc, unkeepable_stream_falls_back);
    tcase_add_test(tc, corrupt_deflate_is_refused);
    tcase_add_test(tc, malformed_puff_is_an_error);
    tcase_add_test(tc, puffed_view_agrees_everywhere);
    tcase_add_test(tc, imgdiff_reencodes_what_zlib_cannot_remake);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}

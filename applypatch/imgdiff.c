/* imgdiff: makes IMGDIFF2 and IMGDIFFX patches.  The target is cut into
 * chunks: each compressed stream that the device can remake exactly and
 * that has a counterpart in the source becomes a chunk of its own (its
 * expansion is diffed against the counterpart's expansion, which is where
 * the savings come from): deflate that zlib remakes (IMGDIFF2's deflate
 * chunks), and with opts->extended (IMGDIFFX) LZ4 streams liblz4 remakes
 * and any other deflate stream, re-encoded exactly (puff.h).
 * The bytes between them become normal chunks, diffed against the source
 * bytes between the counterparts.  A chunk whose diff is not smaller than
 * its bytes is stored raw.  The patch is IMGDIFFX only when it uses one of
 * IMGDIFFX's chunk types; otherwise it stays IMGDIFF2, for Android. */
#include "applypatch/imgdiff.h"
#include "applypatch/imgpatch.h"
#include "applypatch/imgdiff_internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "applypatch/bsdiff.h"
#include "applypatch/puff.h"

#define NORMAL_HEADER_LEN (4 + 24)
#define DEFLATE_HEADER_LEN (4 + 60)
#define RAW_HEADER_LEN (4 + 4)
#define LZ4_HEADER_LEN (4 + 64)
#define PUFF_HEADER_LEN (4 + 48)

typedef struct plan_chunk {
    int type;
    size_t tgt_off, tgt_len;           /* the target bytes the chunk makes */
    size_t src_off, src_len;           /* the source bytes it reads */
    const imgdiff_region *src_r, *tgt_r; /* deflate and LZ4 chunks */
    int level;
    lz4_params lz4;
    uint8_t *src_puff, *tgt_puff; /* re-encoded deflate chunks: the puffed streams */
    size_t src_puff_len, tgt_puff_len;
    int has_content; /* normal chunks: holds a stream that was not paired */
    uint8_t *diff;
    size_t diff_len;
} plan_chunk;

typedef struct plan {
    plan_chunk *v;
    size_t n, cap;
} plan;

static int plan_push(plan *p, const plan_chunk *c, ota_error *err)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        plan_chunk *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory planning chunks");
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = *c;
    return 0;
}

static void plan_free(plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].diff);
        free(p->v[i].src_puff);
        free(p->v[i].tgt_puff);
    }
    free(p->v);
}

/* Puffs a deflate stream that must be exactly `len` bytes, and checks the
 * puffed form turns back into exactly those bytes: 1 with *out, 0 when
 * not, -1 on allocation failure. */
static int puff_exactly(const uint8_t *deflated, size_t len, uint8_t **out, size_t *out_len, ota_error *err)
{
    size_t consumed;
    int r = puff_buffer(deflated, len, out, out_len, &consumed, err);
    if (r <= 0)
        return r;
    ota_compare cmp = {deflated, len, 0};
    ota_error why;
    huffer *h = huffer_new(ota_compare_sink, &cmp, &why);
    int ok = h && consumed == len && huffer_write(h, *out, *out_len, &why) == 0 && huffer_finish(h, &why) == 0 &&
             cmp.pos == len;
    huffer_free(h);
    if (!h && why.code == OTA_ERR_NOMEM)
        ok = ota_error_set(err, OTA_ERR_NOMEM, "%s", why.message);
    if (ok <= 0) {
        free(*out);
        *out = NULL;
    }
    return ok;
}

/* The number of regions of a kind, and the rank of one among them. */
static size_t count_kind(const imgdiff_regions *r, int kind, size_t upto)
{
    size_t n = 0;
    for (size_t i = 0; i < upto && i < r->n; i++)
        n += r->v[i].kind == kind;
    return n;
}

/* The source stream a target stream is diffed against, or NULL.  Zip
 * entries pair by name; gzip members and LZ4 streams with their own kind,
 * by position when both inputs have as many, else by the closest expanded
 * size. */
static const imgdiff_region *pair(const imgdiff_regions *src, const imgdiff_regions *tgt, size_t ti,
                                  int zip_mode)
{
    const imgdiff_region *t = &tgt->v[ti];
    if (zip_mode) {
        for (size_t i = 0; i < src->n; i++)
            if (strcmp(src->v[i].name, t->name) == 0)
                return &src->v[i];
        return NULL;
    }
    if (count_kind(src, t->kind, src->n) == count_kind(tgt, t->kind, tgt->n)) {
        size_t rank = count_kind(tgt, t->kind, ti);
        for (size_t i = 0; i < src->n; i++)
            if (src->v[i].kind == t->kind && rank-- == 0)
                return &src->v[i];
        return NULL;
    }
    const imgdiff_region *best = NULL;
    size_t best_gap = SIZE_MAX;
    for (size_t i = 0; i < src->n; i++) {
        if (src->v[i].kind != t->kind)
            continue;
        size_t a = src->v[i].plain_len, b = t->plain_len;
        size_t gap = a > b ? a - b : b - a;
        if (gap < best_gap) {
            best_gap = gap;
            best = &src->v[i];
        }
    }
    return best;
}

/* Cuts the target into normal and deflate chunks (in target order). */
static int build_plan(const imgdiff_regions *src, const imgdiff_regions *tgt, const uint8_t *src_data,
                      const uint8_t *tgt_data, size_t tgt_len, const imgdiff_opts *opts, plan *p,
                      ota_error *err)
{
    size_t pos = 0;
    int unpaired = 0; /* the gap since pos holds a stream with no partner */
    for (size_t i = 0; i < tgt->n; i++) {
        const imgdiff_region *t = &tgt->v[i];
        const imgdiff_region *s = pair(src, tgt, i, opts->zip_mode);
        if (!s) {
            unpaired = 1;
            continue;
        }
        /* An unchanged stream costs bsdiff nearly nothing as plain bytes,
         * and a chunk of its own would cost headers and empty bzip2
         * streams: leave it to the surrounding normal chunk. */
        if (s->len == t->len && memcmp(src_data + s->offset, tgt_data + t->offset, t->len) == 0)
            continue;
        plan_chunk d = {.tgt_off = t->offset, .tgt_len = t->len, .src_off = s->offset, .src_len = s->len,
                        .src_r = s, .tgt_r = t};
        if (t->kind == REGION_LZ4) {
            d.type = IMGDIFF_CHUNK_LZ4;
            d.lz4 = t->lz4;
            int found = lz4_find_params(t->plain, t->plain_len, tgt_data + t->offset, t->len, &d.lz4, err);
            if (found < 0)
                return -1;
            if (!found)
                continue; /* not reproducible on the device: plain bytes */
        } else {
            d.type = IMGDIFF_CHUNK_DEFLATE;
            d.level = imgdiff_find_deflate_level(t->plain, t->plain_len, tgt_data + t->offset, t->len);
            if (d.level < 0 && !opts->extended)
                continue; /* not reproducible on the device: plain bytes too */
            if (d.level < 0) {
                /* zlib cannot remake it: re-encode it exactly (puff) */
                d.type = IMGDIFF_CHUNK_PUFF;
                int r = puff_exactly(tgt_data + t->offset, t->len, &d.tgt_puff, &d.tgt_puff_len, err);
                if (r > 0) {
                    r = puff_exactly(src_data + s->offset, s->len, &d.src_puff, &d.src_puff_len, err);
                    if (r <= 0)
                        free(d.tgt_puff);
                }
                if (r < 0)
                    return -1;
                if (r == 0)
                    continue; /* not even that: plain bytes */
            }
        }
        if (t->offset > pos) {
            plan_chunk gap = {.type = IMGDIFF_CHUNK_NORMAL, .tgt_off = pos, .tgt_len = t->offset - pos,
                              .has_content = unpaired};
            if (plan_push(p, &gap, err) < 0)
                return -1;
        }
        if (plan_push(p, &d, err) < 0)
            return -1;
        pos = t->offset + t->len;
        unpaired = 0;
    }
    if (pos < tgt_len) {
        plan_chunk tail = {.type = IMGDIFF_CHUNK_NORMAL, .tgt_off = pos, .tgt_len = tgt_len - pos,
                           .has_content = unpaired};
        if (plan_push(p, &tail, err) < 0)
            return -1;
    }
    return 0;
}

/* A normal chunk reads the source between the counterparts of the deflate
 * chunks around it (kernel to kernel, zip headers to zip headers).  When
 * that range is empty or reversed (reordered entries), or the chunk holds a
 * whole stream that found no partner (a new zip entry, whose bytes may come
 * from anywhere), it reads the whole source. */
static void choose_normal_sources(plan *p, size_t src_len)
{
    for (size_t i = 0; i < p->n; i++) {
        plan_chunk *c = &p->v[i];
        if (c->type != IMGDIFF_CHUNK_NORMAL)
            continue;
        const imgdiff_region *before = i > 0 ? p->v[i - 1].src_r : NULL;
        const imgdiff_region *after = i + 1 < p->n ? p->v[i + 1].src_r : NULL;
        size_t lo = before ? before->offset + before->len : 0;
        size_t hi = after ? after->offset : src_len;
        if (lo < hi && !c->has_content) {
            c->src_off = lo;
            c->src_len = hi - lo;
        } else {
            c->src_off = 0;
            c->src_len = src_len;
        }
    }
}

/* Raw data costs its length plus 8 header bytes; a diff costs its length
 * plus the chunk header. */
static void store_raw_if_smaller(plan_chunk *c, size_t header_len)
{
    if (c->diff_len + header_len >= c->tgt_len + RAW_HEADER_LEN && c->tgt_len <= INT32_MAX) {
        free(c->diff);
        c->diff = NULL;
        c->diff_len = 0;
        c->type = IMGDIFF_CHUNK_RAW;
    }
}

static int diff_chunk(plan_chunk *c, size_t index, const uint8_t *src, const uint8_t *tgt,
                      const uint8_t *bonus, size_t bonus_len, const bsdiff_opts *bo, ota_error *err)
{
    static const uint8_t empty[1];
    if (c->type == IMGDIFF_CHUNK_NORMAL) {
        if (bsdiff_create_opts(c->src_len ? src + c->src_off : empty, c->src_len, tgt + c->tgt_off, c->tgt_len,
                               bo, &c->diff, &c->diff_len, err) < 0)
            return -1;
        store_raw_if_smaller(c, NORMAL_HEADER_LEN);
        return 0;
    }
    if (c->type == IMGDIFF_CHUNK_PUFF) {
        if (bsdiff_create_opts(c->src_puff, c->src_puff_len, c->tgt_puff, c->tgt_puff_len, bo, &c->diff,
                               &c->diff_len, err) < 0)
            return -1;
        store_raw_if_smaller(c, PUFF_HEADER_LEN);
        return 0;
    }
    /* Deflate and LZ4: diff the expansions; Android's reader appends the
     * bonus to the second chunk's expanded source when it is deflate. */
    const uint8_t *old = c->src_r->plain;
    size_t old_len = c->src_r->plain_len;
    uint8_t *joined = NULL;
    if (index == 1 && bonus_len && c->type == IMGDIFF_CHUNK_DEFLATE) {
        if (old_len > SIZE_MAX - bonus_len || !(joined = malloc(old_len + bonus_len)))
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory joining bonus data");
        memcpy(joined, old, old_len);
        memcpy(joined + old_len, bonus, bonus_len);
        old = joined;
        old_len += bonus_len;
    }
    int rc = bsdiff_create_opts(old_len ? old : empty, old_len, c->tgt_r->plain, c->tgt_r->plain_len, bo,
                                &c->diff, &c->diff_len, err);
    free(joined);
    if (rc < 0)
        return -1;
    store_raw_if_smaller(c, c->type == IMGDIFF_CHUNK_LZ4 ? LZ4_HEADER_LEN : DEFLATE_HEADER_LEN);
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static int write_patch(const plan *p, const uint8_t *tgt, size_t bonus_len, uint8_t **out, size_t *out_len,
                       ota_error *err)
{
    size_t header = IMGDIFF2_MAGIC_LEN + 4, total;
    int extended = 0;
    for (size_t i = 0; i < p->n; i++) {
        const plan_chunk *c = &p->v[i];
        header += c->type == IMGDIFF_CHUNK_NORMAL    ? NORMAL_HEADER_LEN
                  : c->type == IMGDIFF_CHUNK_DEFLATE ? DEFLATE_HEADER_LEN
                  : c->type == IMGDIFF_CHUNK_LZ4     ? LZ4_HEADER_LEN
                  : c->type == IMGDIFF_CHUNK_PUFF    ? PUFF_HEADER_LEN
                                                     : RAW_HEADER_LEN + c->tgt_len;
        extended |= c->type == IMGDIFF_CHUNK_LZ4 || c->type == IMGDIFF_CHUNK_PUFF;
    }
    total = header;
    for (size_t i = 0; i < p->n; i++)
        total += p->v[i].diff_len;
    if (p->n > INT32_MAX)
        return ota_error_set(err, OTA_ERR_LIMIT, "too many chunks (%zu) for IMGDIFF2", p->n);
    uint8_t *buf = malloc(total);
    if (!buf)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory for a %zu-byte patch", total);
    memcpy(buf, extended ? IMGDIFFX_MAGIC : IMGDIFF2_MAGIC, IMGDIFF2_MAGIC_LEN);
    put32(buf + 8, (uint32_t)p->n);
    size_t h = 12, d = header;
    for (size_t i = 0; i < p->n; i++) {
        const plan_chunk *c = &p->v[i];
        put32(buf + h, (uint32_t)c->type);
        h += 4;
        if (c->type == IMGDIFF_CHUNK_RAW) {
            put32(buf + h, (uint32_t)c->tgt_len);
            memcpy(buf + h + 4, tgt + c->tgt_off, c->tgt_len);
            h += 4 + c->tgt_len;
            continue;
        }
        put64(buf + h, c->src_off);
        put64(buf + h + 8, c->src_len);
        put64(buf + h + 16, d);
        if (c->type == IMGDIFF_CHUNK_DEFLATE) {
            put64(buf + h + 24, c->src_r->plain_len + (i == 1 ? bonus_len : 0));
            put64(buf + h + 32, c->tgt_r->plain_len);
            put32(buf + h + 40, (uint32_t)c->level);
            put32(buf + h + 44, Z_DEFLATED);
            put32(buf + h + 48, (uint32_t)-15);
            put32(buf + h + 52, 8);
            put32(buf + h + 56, Z_DEFAULT_STRATEGY);
            h += 60;
        } else if (c->type == IMGDIFF_CHUNK_LZ4) {
            put64(buf + h + 24, c->src_r->plain_len);
            put64(buf + h + 32, c->tgt_r->plain_len);
            put64(buf + h + 40, c->tgt_len);
            put32(buf + h + 48, c->lz4.kind);
            put32(buf + h + 52, c->lz4.level);
            put32(buf + h + 56, c->lz4.flags);
            put32(buf + h + 60, c->lz4.frame);
            h += 64;
        } else if (c->type == IMGDIFF_CHUNK_PUFF) {
            put64(buf + h + 24, c->src_puff_len);
            put64(buf + h + 32, c->tgt_puff_len);
            put64(buf + h + 40, c->tgt_len);
            h += 48;
        } else {
            h += 24;
        }
        memcpy(buf + d, c->diff, c->diff_len);
        d += c->diff_len;
    }
    *out = buf;
    *out_len = total;
    return 0;
}

/* gzip members, and (extended) LZ4 streams, in file order. */
static int find_streams(const uint8_t *data, size_t len, int extended, imgdiff_regions *out, ota_error *err)
{
    if (imgdiff_find_gzip(data, len, out, err) < 0)
        return -1;
    if (!extended)
        return 0;
    imgdiff_regions lz4 = {0};
    int rc = imgdiff_find_lz4(data, len, &lz4, err);
    if (rc == 0)
        rc = imgdiff_regions_merge(out, &lz4, err);
    imgdiff_regions_free(&lz4);
    return rc;
}

int imgdiff_create(const uint8_t *src, size_t src_len, const uint8_t *tgt, size_t tgt_len,
                   const imgdiff_opts *opts, uint8_t **patch, size_t *patch_len, ota_error *err)
{
    static const imgdiff_opts defaults;
    if (!opts)
        opts = &defaults;
    imgdiff_regions src_r = {0}, tgt_r = {0};
    plan p = {0};
    int rc = -1;
    if (opts->zip_mode) {
        if (imgdiff_find_zip(src, src_len, &src_r, err) < 0) {
            ota_error_prefix(err, "source");
            goto out;
        }
        if (imgdiff_find_zip(tgt, tgt_len, &tgt_r, err) < 0) {
            ota_error_prefix(err, "target");
            goto out;
        }
    } else if (find_streams(src, src_len, opts->extended, &src_r, err) < 0 ||
               find_streams(tgt, tgt_len, opts->extended, &tgt_r, err) < 0) {
        goto out;
    }
    if (build_plan(&src_r, &tgt_r, src, tgt, tgt_len, opts, &p, err) < 0)
        goto out;
    choose_normal_sources(&p, src_len);
    bsdiff_opts bo = {.codecs = opts->codecs};
    for (size_t i = 0; i < p.n; i++)
        if (diff_chunk(&p.v[i], i, src, tgt, opts->bonus, opts->bonus ? opts->bonus_len : 0, &bo, err) < 0) {
            ota_error_prefix(err, "chunk %zu", i);
            goto out;
        }
    /* The bonus only counts where it was used: a deflate chunk 1. */
    size_t bonus_len = p.n > 1 && p.v[1].type == IMGDIFF_CHUNK_DEFLATE && opts->bonus ? opts->bonus_len : 0;
    rc = write_patch(&p, tgt, bonus_len, patch, patch_len, err);
out:
    plan_free(&p);
    imgdiff_regions_free(&src_r);
    imgdiff_regions_free(&tgt_r);
    return rc;
}

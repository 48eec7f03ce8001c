/* For the block diff's unit tests only: applies a transfer list (version 3
 * or 4) to an image held in memory, the way Android's updater does, and
 * checks everything the list claims on the way: each source and target
 * SHA-1, each stash's SHA-1, the blocks written against the header's
 * total, the stash peak against the header's maximum, and that no stash is
 * left at the end.  The product's engine is the device side's
 * (blockimg/); this small one lets the generator's tests run on their own.
 * Included by one test program (static functions). */
#ifndef TESTS_RELEASETOOLS_BLOCKAPPLY_H
#define TESTS_RELEASETOOLS_BLOCKAPPLY_H

#include <brotli/decode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applypatch/bspatch.h"
#include "applypatch/imgpatch.h"
#include "blockimg/rangeset.h"
#include "otautil/hash.h"
#include "otautil/sink.h"

#define BA_BLOCK 4096u

typedef struct ba_stash {
    char id[41];
    uint8_t *data;
    uint64_t blocks;
} ba_stash;

typedef struct ba_state {
    uint8_t *img;
    uint64_t blocks;
    const uint8_t *newdata;
    size_t new_len, new_pos;
    const uint8_t *patches;
    size_t patches_len;
    ba_stash stashes[4096];
    size_t nstash;
    uint64_t stashed, peak, written;
    uint8_t *erased;   /* per block: erased (and not written since), or NULL */
    char *error;   /* what went wrong, for the test's message */
} ba_state;

static int ba_fail(ba_state *s, const char *fmt, const char *arg)
{
    if (!s->error) {
        s->error = malloc(2048);
        snprintf(s->error, 2048, fmt, arg);
    }
    return -1;
}

/* Decompresses a whole brotli stream. */
static int ba_unbrotli(const uint8_t *in, size_t len, ota_buf *out)
{
    BrotliDecoderState *d = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    size_t avail_in = len;
    const uint8_t *next_in = in;
    uint8_t chunk[65536];
    BrotliDecoderResult r;
    do {
        size_t avail_out = sizeof chunk;
        uint8_t *next_out = chunk;
        r = BrotliDecoderDecompressStream(d, &avail_in, &next_in, &avail_out, &next_out, NULL);
        if (ota_buf_append(out, chunk, sizeof chunk - avail_out, NULL) < 0)
            r = BROTLI_DECODER_RESULT_ERROR;
    } while (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT);
    BrotliDecoderDestroyInstance(d);
    return r == BROTLI_DECODER_RESULT_SUCCESS ? 0 : -1;
}

static int ba_set(ba_state *s, const char *text, bi_rangeset *rs)
{
    ota_error err;
    if (bi_rangeset_parse(rs, text, strlen(text), s->blocks, &err) < 0)
        return ba_fail(s, "bad range set: %s", err.message);
    return 0;
}

static void ba_read(ba_state *s, const bi_rangeset *r, uint8_t *buf)
{
    for (size_t i = 0; i < r->count; i++) {
        size_t n = (size_t)(r->ranges[i].end - r->ranges[i].begin) * BA_BLOCK;
        memcpy(buf, s->img + r->ranges[i].begin * BA_BLOCK, n);
        buf += n;
    }
}

static void ba_written(ba_state *s, const bi_rangeset *r)
{
    for (size_t i = 0; s->erased && i < r->count; i++)
        for (uint64_t b = r->ranges[i].begin; b < r->ranges[i].end; b++)
            s->erased[b] = 0;
}

static void ba_write(ba_state *s, const bi_rangeset *r, const uint8_t *buf)
{
    for (size_t i = 0; i < r->count; i++) {
        size_t n = (size_t)(r->ranges[i].end - r->ranges[i].begin) * BA_BLOCK;
        memcpy(s->img + r->ranges[i].begin * BA_BLOCK, buf, n);
        buf += n;
    }
    ba_written(s, r);
}

static void ba_sha1_hex(const uint8_t *data, size_t len, char out[41])
{
    uint8_t h[20];
    ota_sha1(data, len, h);
    ota_hex_encode(h, 20, out);
}

static ba_stash *ba_find(ba_state *s, const char *id)
{
    for (size_t i = 0; i < s->nstash; i++)
        if (strcmp(s->stashes[i].id, id) == 0)
            return &s->stashes[i];
    return NULL;
}

/* Places rs's blocks of `from` (in order) at the buffer positions locs. */
static void ba_place(uint8_t *buf, const bi_rangeset *locs, const uint8_t *from)
{
    for (size_t i = 0; i < locs->count; i++) {
        size_t n = (size_t)(locs->ranges[i].end - locs->ranges[i].begin) * BA_BLOCK;
        memcpy(buf + locs->ranges[i].begin * BA_BLOCK, from, n);
        from += n;
    }
}

/* The source of a move/diff: words[0..n) are "COUNT RANGES [LOCS] ID:LOCS..."
 * or "COUNT - ID:LOCS...".  Returns the buffer (malloc'd). */
static uint8_t *ba_source(ba_state *s, char **words, size_t n, uint64_t *blocks)
{
    if (n < 2) {
        ba_fail(s, "short source%s", "");
        return NULL;
    }
    uint64_t count = strtoull(words[0], NULL, 10);
    uint8_t *buf = calloc(count ? count : 1, BA_BLOCK);
    size_t w = 1;
    if (strcmp(words[1], "-") != 0) {
        bi_rangeset r;
        if (ba_set(s, words[1], &r) < 0)
            return NULL;
        uint8_t *tmp = malloc(r.blocks * BA_BLOCK + 1);
        ba_read(s, &r, tmp);
        if (n > 2 && strchr(words[2], ':') == NULL) {
            bi_rangeset locs;
            ota_error err;
            if (bi_rangeset_parse(&locs, words[2], strlen(words[2]), count, &err) < 0) {
                ba_fail(s, "bad locs: %s", err.message);
                return NULL;
            }
            ba_place(buf, &locs, tmp);
            bi_rangeset_free(&locs);
            w = 3;
        } else {
            memcpy(buf, tmp, r.blocks * BA_BLOCK);
            w = 2;
        }
        free(tmp);
        bi_rangeset_free(&r);
    } else {
        w = 2;
    }
    for (; w < n; w++) {
        char *colon = strchr(words[w], ':');
        if (!colon) {
            ba_fail(s, "bad stash reference %s", words[w]);
            return NULL;
        }
        *colon = '\0';
        ba_stash *st = ba_find(s, words[w]);
        if (!st) {
            ba_fail(s, "stash %s is not held", words[w]);
            return NULL;
        }
        bi_rangeset locs;
        ota_error err;
        if (bi_rangeset_parse(&locs, colon + 1, strlen(colon + 1), count, &err) < 0) {
            ba_fail(s, "bad stash locs: %s", err.message);
            return NULL;
        }
        ba_place(buf, &locs, st->data);
        bi_rangeset_free(&locs);
    }
    *blocks = count;
    return buf;
}

static int ba_patch_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    return ota_buf_append(ctx, data, len, err);
}

static int ba_run(ba_state *s, char **words, size_t n);

static int ba_command(ba_state *s, char *line)
{
    size_t cap = 2;
    for (const char *c = line; *c; c++)
        cap += *c == ' ';
    char **words = malloc(cap * sizeof *words);
    size_t n = 0;
    for (char *t = strtok(line, " "); t; t = strtok(NULL, " "))
        words[n++] = t;
    int rc = n < 2 ? ba_fail(s, "short command %s", line) : ba_run(s, words, n);
    free(words);
    return rc;
}

static int ba_run(ba_state *s, char **words, size_t n)
{
    bi_rangeset r = {0};
    const char *cmd = words[0];
    if (strcmp(cmd, "erase") == 0 || strcmp(cmd, "zero") == 0 || strcmp(cmd, "new") == 0) {
        if (ba_set(s, words[1], &r) < 0)
            return -1;
        for (size_t i = 0; i < r.count; i++) {
            uint8_t *p = s->img + r.ranges[i].begin * BA_BLOCK;
            size_t len = (size_t)(r.ranges[i].end - r.ranges[i].begin) * BA_BLOCK;
            if (cmd[0] == 'e') {
                /* as a loop device's discard: zeros (the test checks that
                 * no block of the target's care map is left erased) */
                memset(p, 0, len);
                if (s->erased)
                    for (uint64_t b = r.ranges[i].begin; b < r.ranges[i].end; b++)
                        s->erased[b] = 1;
            } else if (cmd[0] == 'z') {
                memset(p, 0, len);
            } else {
                if (s->new_pos + len > s->new_len)
                    return ba_fail(s, "new data runs out at %s", words[1]);
                memcpy(p, s->newdata + s->new_pos, len);
                s->new_pos += len;
            }
        }
        if (cmd[0] != 'e') {
            s->written += r.blocks;
            ba_written(s, &r);
        }
    } else if (strcmp(cmd, "stash") == 0) {
        if (n != 3 || ba_set(s, words[2], &r) < 0)
            return ba_fail(s, "bad stash %s", words[1]);
        if (s->nstash == sizeof s->stashes / sizeof s->stashes[0])
            return ba_fail(s, "more stashes than the applier holds%s", "");
        if (ba_find(s, words[1]))
            return ba_fail(s, "stash %s made twice", words[1]);
        ba_stash *st = &s->stashes[s->nstash++];
        snprintf(st->id, sizeof st->id, "%s", words[1]);
        st->blocks = r.blocks;
        st->data = malloc(r.blocks * BA_BLOCK);
        ba_read(s, &r, st->data);
        char h[41];
        ba_sha1_hex(st->data, r.blocks * BA_BLOCK, h);
        if (strcmp(h, st->id) != 0)
            return ba_fail(s, "stash %s: the blocks have another SHA-1", st->id);
        s->stashed += r.blocks;
        if (s->stashed > s->peak)
            s->peak = s->stashed;
    } else if (strcmp(cmd, "free") == 0) {
        ba_stash *st = ba_find(s, words[1]);
        if (!st)
            return ba_fail(s, "free of %s, not held", words[1]);
        s->stashed -= st->blocks;
        free(st->data);
        *st = s->stashes[--s->nstash];
    } else if (strcmp(cmd, "move") == 0 || strcmp(cmd, "bsdiff") == 0 ||
               strcmp(cmd, "imgdiff") == 0) {
        int move = cmd[0] == 'm';
        size_t at = move ? 2 : 5;
        if (n < at + 2 || ba_set(s, words[at], &r) < 0)
            return ba_fail(s, "bad %s", cmd);
        const char *tgt_sha1 = words[at - 1], *src_sha1 = move ? words[1] : words[3];
        uint64_t count;
        uint8_t *src = ba_source(s, words + at + 1, n - at - 1, &count);
        if (!src)
            return -1;
        char h[41];
        ba_sha1_hex(src, count * BA_BLOCK, h);
        if (strcmp(h, src_sha1) != 0) {
            free(src);
            return ba_fail(s, "source of %s has another SHA-1", words[at]);
        }
        ota_buf out = {0};
        if (move) {
            ota_buf_append(&out, src, count * BA_BLOCK, NULL);
        } else {
            size_t off = strtoull(words[1], NULL, 10), len = strtoull(words[2], NULL, 10);
            if (off + len > s->patches_len) {
                free(src);
                return ba_fail(s, "patch past the end at %s", words[1]);
            }
            ota_error err;
            int rc = cmd[0] == 'b'
                         ? bspatch_mem(src, count * BA_BLOCK, s->patches + off, len, ba_patch_sink,
                                       &out, &err)
                         : imgpatch_apply(src, count * BA_BLOCK, s->patches + off, len, NULL, 0,
                                          ba_patch_sink, &out, &err);
            if (rc < 0) {
                free(src);
                return ba_fail(s, "patch failed: %s", err.message);
            }
        }
        free(src);
        if (out.len != r.blocks * BA_BLOCK) {
            ota_buf_free(&out);
            return ba_fail(s, "%s makes the wrong number of bytes", cmd);
        }
        ba_sha1_hex(out.data, out.len, h);
        if (strcmp(h, tgt_sha1) != 0) {
            ota_buf_free(&out);
            return ba_fail(s, "%s result has another SHA-1", cmd);
        }
        ba_write(s, &r, out.data);
        ota_buf_free(&out);
        s->written += r.blocks;
    } else {
        return ba_fail(s, "unknown command %s", cmd);
    }
    bi_rangeset_free(&r);
    return 0;
}

/* Applies list (NUL-terminated, modified in place) to img (blocks long).
 * Returns 0, or -1 with s->error saying why. */
static int ba_apply(ba_state *s, char *list)
{
    char *save = NULL;
    char *lines[4];
    for (int i = 0; i < 4; i++) {
        lines[i] = strtok_r(i ? NULL : list, "\n", &save);
        if (!lines[i])
            return ba_fail(s, "short header%s", "");
    }
    int version = atoi(lines[0]);
    if (version != 3 && version != 4)
        return ba_fail(s, "version %s", lines[0]);
    uint64_t total = strtoull(lines[1], NULL, 10), max_stash = strtoull(lines[3], NULL, 10);
    char *line;
    size_t count = 0;
    char *rest[1 << 16];
    while ((line = strtok_r(NULL, "\n", &save)) != NULL && count < (1 << 16))
        rest[count++] = line;
    for (size_t i = 0; i < count; i++)
        if (ba_command(s, rest[i]) < 0)
            return -1;
    if (s->written != total)
        return ba_fail(s, "the header's total is not the blocks written%s", "");
    if (s->peak > max_stash)
        return ba_fail(s, "more blocks stashed than the header says%s", "");
    if (s->nstash)
        return ba_fail(s, "a stash is left at the end: %s", s->stashes[0].id);
    if (s->new_pos != s->new_len)
        return ba_fail(s, "new data left over%s", "");
    return 0;
}

#endif

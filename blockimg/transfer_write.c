#include "blockimg/transfer_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bi_tw_init(bi_transfer_writer *w, int version, ota_error *err)
{
    memset(w, 0, sizeof *w);
    if (version != 3 && version != 4)
        return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                             "transfer list version %d: only versions 3 and 4 are written",
                             version);
    w->version = version;
    return 0;
}

void bi_tw_free(bi_transfer_writer *w)
{
    ota_buf_free(&w->body);
    free(w->live);
    memset(w, 0, sizeof *w);
}

static int put(bi_transfer_writer *w, const char *text, ota_error *err)
{
    return ota_buf_append(&w->body, text, strlen(text), err);
}

static int put_set(bi_transfer_writer *w, const bi_rangeset *r, ota_error *err)
{
    return bi_rangeset_format(r, &w->body, err);
}

static int put_u64(bi_transfer_writer *w, uint64_t v, ota_error *err)
{
    char num[24];
    snprintf(num, sizeof num, "%llu", (unsigned long long)v);
    return put(w, num, err);
}

/* Sorted and merged: what every set given to the writer must be. */
static int check_normal(const bi_rangeset *r, const char *what, ota_error *err)
{
    for (size_t i = 1; i < r->count; i++)
        if (r->ranges[i].begin <= r->ranges[i - 1].end)
            return ota_error_set(err, OTA_ERR_ARGS, "%s: ranges not sorted and merged at %llu",
                                 what, (unsigned long long)r->ranges[i].begin);
    return 0;
}

static int check_id(const char *id, ota_error *err)
{
    size_t n = id ? strlen(id) : 0;
    if (n != 40 || strspn(id, "0123456789abcdef") != 40)
        return ota_error_set(err, OTA_ERR_ARGS, "\"%.50s\" is not a SHA-1 in lower-case hex",
                             id ? id : "");
    return 0;
}

/* "kind RANGES" per chunk of at most BI_TW_MAX_BLOCKS_PER_COMMAND blocks. */
static int split_command(bi_transfer_writer *w, const char *kind, const bi_rangeset *r,
                         ota_error *err)
{
    if (check_normal(r, kind, err) < 0)
        return -1;
    bi_rangeset piece = {0};
    size_t i = 0;
    uint64_t at = r->count ? r->ranges[0].begin : 0;
    int rc = 0;
    while (i < r->count && rc == 0) {
        bi_rangeset_free(&piece);
        uint64_t room = BI_TW_MAX_BLOCKS_PER_COMMAND;
        while (i < r->count && room > 0 && rc == 0) {
            uint64_t left = r->ranges[i].end - at;
            uint64_t take = left < room ? left : room;
            rc = bi_rangeset_append(&piece, at, at + take, err);
            room -= take;
            at += take;
            if (at == r->ranges[i].end && ++i < r->count)
                at = r->ranges[i].begin;
        }
        if (rc == 0 && (rc = put(w, kind, err)) == 0 && (rc = put(w, " ", err)) == 0 &&
            (rc = put_set(w, &piece, err)) == 0 && (rc = put(w, "\n", err)) == 0)
            w->total += piece.blocks;
    }
    bi_rangeset_free(&piece);
    return rc;
}

int bi_tw_erase(bi_transfer_writer *w, const bi_rangeset *r, ota_error *err)
{
    if (r->blocks == 0)
        return 0;
    if (check_normal(r, "erase", err) < 0 || put(w, "erase ", err) < 0 || put_set(w, r, err) < 0)
        return -1;
    return put(w, "\n", err);
}

int bi_tw_zero(bi_transfer_writer *w, const bi_rangeset *r, ota_error *err)
{
    return split_command(w, "zero", r, err);
}

int bi_tw_new(bi_transfer_writer *w, const bi_rangeset *r, ota_error *err)
{
    return split_command(w, "new", r, err);
}

static bi_tw_held *find_stash(bi_transfer_writer *w, const char *id)
{
    for (size_t i = 0; i < w->nlive; i++)
        if (strcmp(w->live[i].id, id) == 0)
            return &w->live[i];
    return NULL;
}

int bi_tw_stash(bi_transfer_writer *w, const char *id, const bi_rangeset *r, ota_error *err)
{
    if (check_id(id, err) < 0 || check_normal(r, "stash", err) < 0)
        return -1;
    if (r->blocks == 0)
        return ota_error_set(err, OTA_ERR_ARGS, "stash %s of no blocks", id);
    bi_tw_held *s = find_stash(w, id);
    if (s) {
        s->refs++;
        return 0;
    }
    if (w->nlive == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 16;
        bi_tw_held *n = realloc(w->live, ncap * sizeof *n);
        if (!n)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        w->live = n;
        w->cap = ncap;
    }
    s = &w->live[w->nlive++];
    memcpy(s->id, id, 41);
    s->blocks = r->blocks;
    s->refs = 1;
    w->stashed += r->blocks;
    if (w->stashed > w->max_stashed)
        w->max_stashed = w->stashed;
    if (put(w, "stash ", err) < 0 || put(w, id, err) < 0 || put(w, " ", err) < 0 ||
        put_set(w, r, err) < 0)
        return -1;
    return put(w, "\n", err);
}

/* Where the blocks of `part` (a subset of `whole`) are within the buffer
 * that holds whole's blocks in order: Android's RangeSet.map_within. */
static int map_within(const bi_rangeset *whole, const bi_rangeset *part, bi_rangeset *out,
                      ota_error *err)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    uint64_t offset = 0; /* of whole->ranges[i] in the buffer */
    for (size_t j = 0; j < part->count; j++) {
        const bi_range *p = &part->ranges[j];
        while (i < whole->count && whole->ranges[i].end <= p->begin) {
            offset += whole->ranges[i].end - whole->ranges[i].begin;
            i++;
        }
        if (i == whole->count || p->begin < whole->ranges[i].begin || p->end > whole->ranges[i].end) {
            bi_rangeset_free(out);
            return ota_error_set(err, OTA_ERR_ARGS, "blocks %llu-%llu are not in the source",
                                 (unsigned long long)p->begin, (unsigned long long)p->end - 1);
        }
        uint64_t at = offset + (p->begin - whole->ranges[i].begin);
        if (bi_rangeset_append(out, at, at + (p->end - p->begin), err) < 0) {
            bi_rangeset_free(out);
            return -1;
        }
    }
    return 0;
}

/* " COUNT RANGES [LOCS] [ID:LOCS ...]" or " COUNT - ID:LOCS ...". */
static int put_source(bi_transfer_writer *w, const bi_tw_source *src, ota_error *err)
{
    const bi_rangeset *all = src->ranges;
    if (check_normal(all, "source", err) < 0 || put(w, " ", err) < 0 ||
        put_u64(w, all->blocks, err) < 0)
        return -1;
    bi_rangeset direct = {0}, tmp = {0}, locs = {0};
    int rc = bi_rangeset_copy(&direct, all, err);
    uint64_t from_stash = 0;
    for (size_t k = 0; k < src->nstashes && rc == 0; k++) {
        if ((rc = check_normal(src->stashes[k].ranges, "stash", err)) == 0 &&
            (rc = bi_rangeset_subtract(&direct, src->stashes[k].ranges, &tmp, err)) == 0) {
            bi_rangeset_free(&direct);
            direct = tmp;
            memset(&tmp, 0, sizeof tmp);
            from_stash += src->stashes[k].ranges->blocks;
        }
    }
    if (rc == 0 && direct.blocks + from_stash != all->blocks)
        rc = ota_error_set(err, OTA_ERR_ARGS, "the stashes of a source overlap or leave it");
    if (rc == 0 && direct.blocks) {
        rc = put(w, " ", err) < 0 || put_set(w, &direct, err) < 0 ? -1 : 0;
        if (rc == 0 && src->nstashes)
            rc = map_within(all, &direct, &locs, err) < 0 || put(w, " ", err) < 0 ||
                         put_set(w, &locs, err) < 0
                     ? -1
                     : 0;
    } else if (rc == 0) {
        rc = put(w, " -", err);
    }
    for (size_t k = 0; k < src->nstashes && rc == 0; k++) {
        bi_rangeset_free(&locs);
        if (check_id(src->stashes[k].id, err) < 0 ||
            map_within(all, src->stashes[k].ranges, &locs, err) < 0 || put(w, " ", err) < 0 ||
            put(w, src->stashes[k].id, err) < 0 || put(w, ":", err) < 0 ||
            put_set(w, &locs, err) < 0)
            rc = -1;
    }
    bi_rangeset_free(&direct);
    bi_rangeset_free(&tmp);
    bi_rangeset_free(&locs);
    return rc;
}

/* A source overlapping its own target is stashed whole by the device
 * while the command runs. */
static void count_implicit_stash(bi_transfer_writer *w, const bi_rangeset *tgt,
                                 const bi_tw_source *src)
{
    if (!w->separate_source && bi_rangeset_overlaps(src->ranges, tgt) &&
        w->stashed + src->ranges->blocks > w->max_stashed)
        w->max_stashed = w->stashed + src->ranges->blocks;
}

/* After a command: each stash it read loses a reference. */
static int release_stashes(bi_transfer_writer *w, const bi_tw_source *src, ota_error *err)
{
    for (size_t k = 0; k < src->nstashes; k++) {
        bi_tw_held *s = find_stash(w, src->stashes[k].id);
        if (!s)
            return ota_error_set(err, OTA_ERR_ARGS, "stash %s is used but not held",
                                 src->stashes[k].id);
        if (--s->refs > 0)
            continue;
        if (put(w, "free ", err) < 0 || put(w, s->id, err) < 0 || put(w, "\n", err) < 0)
            return -1;
        w->stashed -= s->blocks;
        *s = w->live[--w->nlive];
    }
    return 0;
}

int bi_tw_move(bi_transfer_writer *w, const char *tgt_sha1, const bi_rangeset *tgt,
               const bi_tw_source *src, ota_error *err)
{
    if (check_id(tgt_sha1, err) < 0 || check_normal(tgt, "move target", err) < 0)
        return -1;
    if (tgt->blocks == 0 || src->ranges->blocks != tgt->blocks)
        return ota_error_set(err, OTA_ERR_ARGS, "move of %llu blocks to %llu blocks",
                             (unsigned long long)src->ranges->blocks,
                             (unsigned long long)tgt->blocks);
    if (!w->separate_source && bi_rangeset_equal(src->ranges, tgt) && src->nstashes == 0)
        return 0;
    count_implicit_stash(w, tgt, src);
    if (put(w, "move ", err) < 0 || put(w, tgt_sha1, err) < 0 || put(w, " ", err) < 0 ||
        put_set(w, tgt, err) < 0 || put_source(w, src, err) < 0 || put(w, "\n", err) < 0)
        return -1;
    w->total += tgt->blocks;
    return release_stashes(w, src, err);
}

int bi_tw_diff(bi_transfer_writer *w, const char *kind, uint64_t patch_start, uint64_t patch_len,
               const char *src_sha1, const char *tgt_sha1, const bi_rangeset *tgt,
               const bi_tw_source *src, ota_error *err)
{
    if (strcmp(kind, "bsdiff") != 0 && strcmp(kind, "imgdiff") != 0)
        return ota_error_set(err, OTA_ERR_ARGS, "\"%s\" is not a patch command", kind);
    if (check_id(src_sha1, err) < 0 || check_id(tgt_sha1, err) < 0 ||
        check_normal(tgt, kind, err) < 0)
        return -1;
    if (tgt->blocks == 0 || src->ranges->blocks == 0)
        return ota_error_set(err, OTA_ERR_ARGS, "%s with an empty source or target", kind);
    count_implicit_stash(w, tgt, src);
    if (put(w, kind, err) < 0 || put(w, " ", err) < 0 || put_u64(w, patch_start, err) < 0 ||
        put(w, " ", err) < 0 || put_u64(w, patch_len, err) < 0 || put(w, " ", err) < 0 ||
        put(w, src_sha1, err) < 0 || put(w, " ", err) < 0 || put(w, tgt_sha1, err) < 0 ||
        put(w, " ", err) < 0 || put_set(w, tgt, err) < 0 || put_source(w, src, err) < 0 ||
        put(w, "\n", err) < 0)
        return -1;
    w->total += tgt->blocks;
    return release_stashes(w, src, err);
}

int bi_tw_finish(bi_transfer_writer *w, ota_buf *out, ota_error *err)
{
    if (w->nlive)
        return ota_error_set(err, OTA_ERR_ARGS, "stash %s is never used", w->live[0].id);
    char head[96];
    int n = snprintf(head, sizeof head, "%d\n%llu\n0\n%llu\n", w->version,
                     (unsigned long long)w->total, (unsigned long long)w->max_stashed);
    if (ota_buf_append(out, head, (size_t)n, err) < 0)
        return -1;
    return w->body.len ? ota_buf_append(out, w->body.data, w->body.len, err) : 0;
}

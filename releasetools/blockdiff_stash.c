/* Keeping the stash within /cache (Android's ReviseStashSize).  The
 * sequence is replayed counting the blocks held in stashes (identical
 * stashes, by SHA-1, share their space, as on the device) and the implicit
 * stash of a transfer whose source overlaps its target; at the first point
 * over the limit, the transfer that needs the stash is turned into new data
 * (it then reads nothing), and the replay starts again. */
#include <stdlib.h>
#include <string.h>

#include "releasetools/blockdiff_internal.h"

typedef struct held {
    const char *sha1;
    uint64_t blocks;
    unsigned refs;
} held;

typedef struct replay {
    held *v;
    size_t n;
    uint64_t stashed;
} replay;

static held *find_held(replay *r, const char *sha1)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].sha1, sha1) == 0)
            return &r->v[i];
    return NULL;
}

static int reads(const bd_xf *x)
{
    return x->style == BD_DIFF || x->style == BD_MOVE;
}

static int overlaps(const bi_rangeset *a, const bi_rangeset *b)
{
    size_t i = 0, j = 0;
    while (i < a->count && j < b->count) {
        if (a->ranges[i].end <= b->ranges[j].begin)
            i++;
        else if (b->ranges[j].end <= a->ranges[i].begin)
            j++;
        else
            return 1;
    }
    return 0;
}

/* The transfer that reads stash `id`. */
static bd_xf *user_of(bd_state *st, size_t id)
{
    for (size_t i = 0; i < st->n; i++)
        for (size_t k = 0; k < st->xf[i].use_stash.n; k++)
            if (st->xf[i].use_stash.v[k].id == id)
                return &st->xf[i];
    return NULL;
}

int bd_convert_to_new(bd_state *st, bd_xf *x, ota_error *err)
{
    (void)err;
    for (size_t k = 0; k < x->use_stash.n; k++) {
        size_t id = x->use_stash.v[k].id;
        for (size_t i = 0; i < st->n; i++) {
            bd_stash_list *l = &st->xf[i].stash_before;
            for (size_t j = 0; j < l->n; j++) {
                if (l->v[j].id != id)
                    continue;
                bi_rangeset_free(&l->v[j].blocks);
                memmove(&l->v[j], &l->v[j + 1], (l->n - j - 1) * sizeof *l->v);
                l->n--;
                break;
            }
        }
    }
    bd_stash_list_free(&x->use_stash);
    bi_rangeset_free(&x->src);
    x->style = BD_NEW;
    x->has_patch = 0;
    return 0;
}

/* Replays the sequence; returns the transfer to turn into new data, or
 * NULL when the stash stays within the limit. */
static bd_xf *first_over_limit(bd_state *st, replay *r, int *failed, ota_error *err)
{
    r->n = 0;
    r->stashed = 0;
    for (size_t i = 0; i < st->n; i++) {
        bd_xf *x = &st->xf[st->seq[i]];
        for (size_t k = 0; k < x->stash_before.n; k++) {
            const bd_stash *s = &x->stash_before.v[k];
            held *h = find_held(r, s->sha1);
            if (h) {
                h->refs++;
                continue;
            }
            if (r->stashed + s->blocks.blocks > st->stash_limit) {
                bd_xf *u = user_of(st, s->id);
                if (!u) {
                    *failed = 1;
                    ota_error_set(err, OTA_ERR_ARGS, "internal error: stash without a user");
                }
                return u;
            }
            r->v[r->n++] = (held){s->sha1, s->blocks.blocks, 1};
            r->stashed += s->blocks.blocks;
        }
        if (reads(x) && overlaps(&x->src, &x->tgt) &&
            r->stashed + x->src.blocks > st->stash_limit)
            return x;
        for (size_t k = 0; k < x->use_stash.n; k++) {
            held *h = find_held(r, x->use_stash.v[k].sha1);
            if (h && --h->refs == 0) {
                r->stashed -= h->blocks;
                *h = r->v[--r->n];
            }
        }
    }
    return NULL;
}

int bd_limit_stash(bd_state *st, ota_error *err)
{
    /* every stash's SHA-1 (its id on the device) */
    char (*sha)[41] = calloc(st->next_stash_id + 1, sizeof *sha);
    size_t nstash = 0;
    if (!sha)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < st->n; i++) {
        bd_stash_list *l = &st->xf[i].stash_before;
        for (size_t k = 0; k < l->n; k++, nstash++)
            if (rt_block_image_sha1_hex(st->src, &l->v[k].blocks, sha[l->v[k].id], err) < 0) {
                free(sha);
                return -1;
            }
    }
    for (size_t i = 0; i < st->n; i++) {
        bd_stash_list *lists[2] = {&st->xf[i].stash_before, &st->xf[i].use_stash};
        for (int w = 0; w < 2; w++)
            for (size_t k = 0; k < lists[w]->n; k++)
                memcpy(lists[w]->v[k].sha1, sha[lists[w]->v[k].id], 41);
    }
    free(sha);
    replay r = {calloc(nstash + 1, sizeof *r.v), 0, 0};
    if (!r.v)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    int failed = 0;
    bd_xf *victim;
    while ((victim = first_over_limit(st, &r, &failed, err)) != NULL) {
        st->res->new_blocks_for_stash += victim->tgt.blocks;
        bd_convert_to_new(st, victim, err);
    }
    free(r.v);
    return failed ? -1 : 0;
}

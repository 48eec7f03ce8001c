/* The block diff's steps in order, and the helpers its files share. */
#include "releasetools/blockdiff.h"

#include <stdlib.h>
#include <string.h>

#include "releasetools/blockdiff_internal.h"

bd_xf *bd_add(bd_state *st, const char *name, bd_style style, ota_error *err)
{
    if (st->n == st->cap) {
        size_t ncap = st->cap ? st->cap * 2 : 256;
        bd_xf *v = realloc(st->xf, ncap * sizeof *v);
        if (!v)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory"), NULL;
        st->xf = v;
        st->cap = ncap;
    }
    bd_xf *x = &st->xf[st->n];
    memset(x, 0, sizeof *x);
    if (!(x->name = strdup(name)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory"), NULL;
    x->style = style;
    st->n++;
    return x;
}

int bd_stash_push(bd_stash_list *l, size_t id, const bi_rangeset *blocks, ota_error *err)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 4;
        bd_stash *v = realloc(l->v, ncap * sizeof *v);
        if (!v)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        l->v = v;
        l->cap = ncap;
    }
    bd_stash *s = &l->v[l->n];
    memset(s, 0, sizeof *s);
    s->id = id;
    if (bi_rangeset_copy(&s->blocks, blocks, err) < 0)
        return -1;
    l->n++;
    return 0;
}

void bd_stash_list_free(bd_stash_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        bi_rangeset_free(&l->v[i].blocks);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void free_state(bd_state *st)
{
    for (size_t i = 0; i < st->n; i++) {
        free(st->xf[i].name);
        bi_rangeset_free(&st->xf[i].tgt);
        bi_rangeset_free(&st->xf[i].src);
        bd_stash_list_free(&st->xf[i].stash_before);
        bd_stash_list_free(&st->xf[i].use_stash);
    }
    free(st->xf);
    free(st->seq);
    free(st->edges);
    if (st->spill)
        fclose(st->spill);
}

/* A full update: the care map's blocks in ascending order, runs of zeros
 * as `zero` and everything else as `new`, so the device writes the
 * partition front to back. */
static int full_transfers(bd_state *st, ota_error *err)
{
    const rt_block_domain *z = rt_block_image_find(st->tgt, "__ZERO");
    bi_rangeset none = {0};
    const bi_rangeset *zero = z ? &z->blocks : &none, *care = &st->tgt->care;
    size_t zi = 0;
    for (size_t ci = 0; ci < care->count; ci++) {
        uint64_t b = care->ranges[ci].begin, total = care->ranges[ci].end;
        while (b < total) {
            while (zi < zero->count && zero->ranges[zi].end <= b)
                zi++;
            int is_zero = zi < zero->count && zero->ranges[zi].begin <= b;
            uint64_t end = is_zero ? zero->ranges[zi].end
                                   : (zi < zero->count ? zero->ranges[zi].begin : total);
            if (end > total)
                end = total;
            bd_xf *x = bd_add(st, is_zero ? "__ZERO" : "data", is_zero ? BD_ZERO : BD_NEW, err);
            if (!x || bi_rangeset_append(&x->tgt, b, end, err) < 0)
                return -1;
            b = end;
        }
    }
    if (!(st->seq = malloc((st->n + 1) * sizeof *st->seq)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < st->n; i++)
        st->seq[i] = i;
    return 0;
}

int rt_blockdiff(const rt_block_image *tgt, const rt_block_image *src, const char *prefix,
                 const rt_blockdiff_opts *opts, rt_blockdiff_result *res, ota_error *err)
{
    memset(res, 0, sizeof *res);
    int version = opts->version ? opts->version : 4;
    if (version != 3 && version != 4)
        return ota_error_set(err, OTA_ERR_UNSUPPORTED,
                             "transfer list version %d: only versions 3 and 4 are written", version);
    uint64_t cache = opts->cache_size ? opts->cache_size : RT_BLOCKDIFF_DEFAULT_CACHE;
    double threshold = opts->stash_threshold > 0 ? opts->stash_threshold
                                                 : RT_BLOCKDIFF_STASH_THRESHOLD;
    bd_state st = {.tgt = tgt, .src = src, .opts = opts, .res = res};
    st.piece_blocks = (uint64_t)((double)cache * RT_BLOCKDIFF_PIECE_SHARE / RT_BLOCK_SIZE);
    if (st.piece_blocks > RT_BLOCKDIFF_MAX_PIECE_BLOCKS)
        st.piece_blocks = RT_BLOCKDIFF_MAX_PIECE_BLOCKS;
    if (st.piece_blocks < 1)
        st.piece_blocks = 1;
    st.stash_limit = (uint64_t)((double)cache * threshold / RT_BLOCK_SIZE);
    int rc;
    if (!src)
        rc = full_transfers(&st, err);
    else if (opts->ab)
        rc = bd_find_transfers(&st, err) < 0 || bd_make_patches(&st, err) < 0 ||
                     bd_order_ab(&st, err) < 0
                 ? -1
                 : 0;
    else
        rc = bd_find_transfers(&st, err) < 0 || bd_order(&st, err) < 0 ||
                     bd_limit_stash(&st, err) < 0 || bd_make_patches(&st, err) < 0
                 ? -1
                 : 0;
    if (rc == 0)
        rc = bd_write(&st, prefix, err);
    if (rc == 0)
        rc = bi_rangeset_copy(&res->target_blocks, &tgt->care, err);
    if (rc == 0)
        rc = rt_block_image_sha1_hex(tgt, &res->target_blocks, res->target_sha1, err);
    for (size_t i = 0; rc == 0 && i < st.n; i++)
        res->stashes += st.xf[i].stash_before.n;
    free_state(&st);
    if (rc < 0)
        rt_blockdiff_result_free(res);
    return rc;
}

void rt_blockdiff_result_free(rt_blockdiff_result *res)
{
    bi_rangeset_free(&res->touched_src);
    bi_rangeset_free(&res->target_blocks);
    memset(res, 0, sizeof *res);
}

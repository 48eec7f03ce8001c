/* Inside the block diff: the transfers and the steps that make and order
 * them (blockdiff_find.c, blockdiff_order.c, blockdiff_stash.c,
 * blockdiff_patch.c, blockdiff_write.c, blockdiff.c).  Not a public
 * interface of the room. */
#ifndef RELEASETOOLS_BLOCKDIFF_INTERNAL_H
#define RELEASETOOLS_BLOCKDIFF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "releasetools/blockdiff.h"

typedef enum bd_style {
    BD_ZERO,     /* target blocks that are zeros (writes those not zero already) */
    BD_NEW,      /* target blocks sent in the new data */
    BD_DIFF,     /* a pair whose bytes differ: becomes BD_BSDIFF or BD_IMGDIFF */
    BD_MOVE,     /* a pair with the same bytes in other blocks */
    BD_BSDIFF,
    BD_IMGDIFF,
} bd_style;

/* Source blocks kept aside for a later transfer: made before `def` runs,
 * read by `use`; `id` pairs the two. */
typedef struct bd_stash {
    size_t id;
    bi_rangeset blocks;
    char sha1[41];
} bd_stash;

typedef struct bd_stash_list {
    bd_stash *v;
    size_t n, cap;
} bd_stash_list;

typedef struct bd_xf {
    char *name;                /* "path" or "path-N" for a piece, for messages */
    bi_rangeset tgt, src;      /* sorted; src empty unless the transfer reads */
    char tgt_sha1[41], src_sha1[41];
    bd_style style;
    size_t order;              /* position in the sequence */
    bd_stash_list stash_before, use_stash;
    /* the patch, once made: where it is in the spill file */
    uint64_t spill_offset, patch_len;
    int has_patch;
} bd_xf;

typedef struct bd_edge {
    size_t before, after;      /* `before` reads blocks `after` writes */
    uint64_t weight;           /* how many */
} bd_edge;

typedef struct bd_state {
    const rt_block_image *tgt, *src;
    const rt_blockdiff_opts *opts;
    bd_xf *xf;
    size_t n, cap;
    size_t *seq;               /* the order: indices into xf */
    bd_edge *edges;
    size_t nedges, edges_cap;
    size_t next_stash_id;
    uint64_t piece_blocks;     /* most blocks a piece reads or writes */
    uint64_t stash_limit;      /* most blocks stashed at once */
    FILE *spill;               /* patches as they are made, in any order */
    rt_blockdiff_result *res;
} bd_state;

/* blockdiff_find.c: the transfers of an incremental (pairs, pieces, hashes). */
int bd_find_transfers(bd_state *st, ota_error *err);
/* blockdiff_order.c: the read-before-write graph and a sequence with few
 * violated edges; violated edges become stashes. */
int bd_order(bd_state *st, ota_error *err);
/* blockdiff_order.c, A/B: no graph (the source is never written): `new`
 * first, then zero, move and patches, each in target block order. */
int bd_order_ab(bd_state *st, ota_error *err);
/* blockdiff_stash.c: keeps the stash under the limit (turning transfers
 * into new data), and drops a transfer's stashes when it becomes new. */
int bd_limit_stash(bd_state *st, ota_error *err);
int bd_convert_to_new(bd_state *st, bd_xf *x, ota_error *err);
/* blockdiff_patch.c: the patches of every BD_DIFF transfer, on all cores,
 * into st->spill; those not worth it become new data. */
int bd_make_patches(bd_state *st, ota_error *err);
/* blockdiff_write.c: the three output files from the sequence. */
int bd_write(bd_state *st, const char *prefix, ota_error *err);

/* Helpers shared by those files. */
bd_xf *bd_add(bd_state *st, const char *name, bd_style style, ota_error *err);
int bd_stash_push(bd_stash_list *l, size_t id, const bi_rangeset *blocks, ota_error *err);
void bd_stash_list_free(bd_stash_list *l);

#endif

/* Checks of a whole transfer list against the partitions it will run on
 * (bi_transfer_check), made before the first write so that a broken list
 * touches nothing. */
#include "blockimg/transfer.h"

#include <stdlib.h>
#include <string.h>

typedef struct live_stashes {
    char (*ids)[BI_STASH_ID_MAX + 1];
    size_t n, cap;
} live_stashes;

static long find_id(const live_stashes *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->ids[i], id) == 0)
            return (long)i;
    return -1;
}

static int add_id(live_stashes *s, const char *id, ota_error *err)
{
    if (find_id(s, id) >= 0)
        return 0;
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        void *p = realloc(s->ids, ncap * sizeof *s->ids);
        if (!p)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        s->ids = p;
        s->cap = ncap;
    }
    strcpy(s->ids[s->n++], id);
    return 0;
}

static void drop_id(live_stashes *s, const char *id)
{
    long i = find_id(s, id);
    if (i >= 0)
        memcpy(s->ids[i], s->ids[--s->n], sizeof *s->ids);
}

static int inside(const bi_command *c, const bi_rangeset *rs, uint64_t blocks, const char *what,
                  const char *dev, ota_error *err)
{
    for (size_t i = 0; i < rs->count; i++)
        if (rs->ranges[i].end > blocks)
            return ota_error_set(err, OTA_ERR_FORMAT, "transfer list line %zu (%s): %s reach block "
                                 "%llu, past the end of the %s (%llu blocks)", c->line,
                                 bi_cmd_name(c->type), what, (unsigned long long)(rs->ranges[i].end - 1),
                                 dev, (unsigned long long)blocks);
    return 0;
}

static int writes(const bi_command *c)
{
    return c->type != BI_CMD_STASH && c->type != BI_CMD_FREE;
}

/* The line of the last command before `upto` that wrote block b. */
static size_t writer_of(const bi_transfer_list *tl, size_t upto, uint64_t b)
{
    for (size_t i = upto; i-- > 0;) {
        const bi_command *c = &tl->cmds[i];
        if (!writes(c))
            continue;
        for (size_t k = 0; k < c->target.count; k++)
            if (b >= c->target.ranges[k].begin && b < c->target.ranges[k].end)
                return c->line;
    }
    return 0;
}

static int read_after_write(const bi_transfer_list *tl, size_t ci, const uint8_t *written,
                            ota_error *err)
{
    const bi_command *c = &tl->cmds[ci];
    const bi_rangeset *rs = &c->src.ranges;
    for (size_t i = 0; i < rs->count; i++)
        for (uint64_t b = rs->ranges[i].begin; b < rs->ranges[i].end; b++)
            if (written[b / 8] & (1u << (b % 8)))
                return ota_error_set(err, OTA_ERR_FORMAT, "transfer list line %zu (%s): reads block "
                                     "%llu, which line %zu already wrote (a list must read every "
                                     "block before it writes it, or stash it)", c->line,
                                     bi_cmd_name(c->type), (unsigned long long)b,
                                     writer_of(tl, ci, b));
    return 0;
}

int bi_transfer_check(const bi_transfer_list *tl, uint64_t src_blocks, uint64_t tgt_blocks,
                      int same_device, ota_error *err)
{
    live_stashes live = {0};
    uint8_t *written = NULL;
    int rc = 0;
    if (same_device) {
        written = calloc(tgt_blocks / 8 + 1, 1);
        if (!written)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory checking the transfer list");
    }
    for (size_t ci = 0; rc == 0 && ci < tl->ncmds; ci++) {
        const bi_command *c = &tl->cmds[ci];
        if ((rc = inside(c, &c->target, tgt_blocks, "target ranges", "target partition", err)) < 0 ||
            (rc = inside(c, &c->src.ranges, src_blocks, "source ranges", "source partition", err)) < 0)
            break;
        for (size_t i = 0; rc == 0 && i < c->src.nstashes; i++)
            if (find_id(&live, c->src.stashes[i].id) < 0)
                rc = ota_error_set(err, OTA_ERR_FORMAT, "transfer list line %zu (%s): uses stash %s, "
                                   "which no earlier command stashed (or it was freed)", c->line,
                                   bi_cmd_name(c->type), c->src.stashes[i].id);
        if (rc == 0 && written)
            rc = read_after_write(tl, ci, written, err);
        if (rc < 0)
            break;
        if (c->type == BI_CMD_STASH)
            rc = add_id(&live, c->stash_id, err);
        else if (c->type == BI_CMD_FREE)
            drop_id(&live, c->stash_id);
        if (written && writes(c))
            for (size_t i = 0; i < c->target.count; i++)
                for (uint64_t b = c->target.ranges[i].begin; b < c->target.ranges[i].end; b++)
                    written[b / 8] |= (uint8_t)(1u << (b % 8));
    }
    free(live.ids);
    free(written);
    return rc;
}

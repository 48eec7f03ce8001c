/* What each command does, in update and in verify mode.  The flow of a
 * move/bsdiff/imgdiff in a v3+ list is Android's:
 *   1. target already has its SHA-1: done (a resumed run), skip;
 *   2. load the source (partition blocks and stashes); it must have its
 *      SHA-1 -- or, when the command overwrites its own source, a stash
 *      of that source saved by an earlier, interrupted run must;
 *   3. otherwise the partition is not what the list was made from: fail,
 *      naming the blocks;
 *   4. when the command overwrites its own source, stash the source
 *      first (so step 2 can recover it), write, drop that stash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockimg/engine_internal.h"

static int cmd_zero(bi_engine *e, const bi_command *c)
{
    if (bi_zero_ranges(e, &c->target) < 0)
        return -1;
    e->st->blocks_written += c->target.blocks;
    return 0;
}

static int cmd_erase(bi_engine *e, const bi_command *c)
{
    for (size_t i = 0; i < c->target.count; i++) {
        const bi_range *r = &c->target.ranges[i];
        int rc = e->tgt->ops->discard(e->tgt->ctx, r->begin * BI_BLOCK_SIZE,
                                      (r->end - r->begin) * BI_BLOCK_SIZE, e->err);
        if (rc < 0)
            return bi_fail_err(e);
        if (rc == 1) {
            bi_log(e, "%s cannot discard (not a block device, or no discard support): skipping erase",
                   e->tgt->name);
            return 0;
        }
    }
    return 0;
}

static int cmd_new(bi_engine *e, const bi_command *c)
{
    bi_writer w;
    bi_writer_init(&w, e, &c->target, NULL);
    while (w.done < w.total) {
        uint64_t left = w.total - w.done;
        long long n = bi_reader_read(e->o->new_data, e->chunk, left < BI_CHUNK ? (size_t)left : BI_CHUNK,
                                     e->err);
        if (n < 0)
            return bi_fail_err(e);
        if (n == 0)
            return bi_fail(e, OTA_ERR_FORMAT, "the new data ends %llu bytes short of this "
                           "command's %llu blocks", (unsigned long long)left,
                           (unsigned long long)c->target.blocks);
        if (bi_writer_put(&w, e->chunk, (size_t)n) < 0)
            return -1;
    }
    e->st->blocks_written += c->target.blocks;
    return 0;
}

static void note_bad_stash(bi_engine *e, const bi_command *c)
{
    bi_stash_note *n = bi_stash_note_get(e, c->stash_id, 1);
    if (!n)
        return;
    free(n->bad_ranges);
    n->bad_line = c->line;
    n->bad_ranges = bi_rangeset_to_string(&c->src.ranges);
    bi_log(e, "line %zu: blocks %s do not hash to stash id %s; not stashed (fatal only if a "
           "later command needs it and its target is not written yet)", c->line,
           n->bad_ranges ? n->bad_ranges : "?", c->stash_id);
}

static int cmd_stash(bi_engine *e, const bi_command *c)
{
    const char *id = c->stash_id;
    int hashed = e->tl->version >= 3;
    int virtual = e->verify || !e->same;
    uint8_t want[OTA_SHA1_LEN];
    if (hashed) {
        ota_hex_decode(id, want, sizeof want, NULL);
        /* Already stashed by an interrupted run: its source may be gone. */
        int good = bi_stash_file_good(e, id, NULL, NULL);
        if (good < 0)
            return -1;
        if (good) {
            bi_vstash_drop(e, id);
            bi_log(e, "line %zu: stash %s is already there", c->line, id);
            return 0;
        }
    }
    if (virtual) {
        if (hashed) {
            uint8_t sha[OTA_SHA1_LEN];
            if (bi_hash_ranges(e, e->src, &c->src.ranges, sha) < 0)
                return -1;
            if (memcmp(sha, want, sizeof sha) != 0) {
                note_bad_stash(e, c);
                return 0;
            }
        }
        return bi_vstash_put(e, id, &c->src.ranges);
    }
    bi_src s;
    if (bi_src_build(e, c, &s) < 0) {
        bi_src_free(&s);
        return -1;
    }
    int rc = bi_stash_write(e, id, &s, hashed ? want : NULL, 0);
    bi_src_free(&s);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        note_bad_stash(e, c);
        return 0;
    }
    bi_stash_note *n = bi_stash_note_get(e, id, 1);
    if (!n)
        return -1;
    n->written = 1;
    return 0;
}

/* The line of a later `stash` of the same ID, or 0. */
static size_t stashed_again(const bi_engine *e, const char *id)
{
    for (size_t i = e->ci + 1; i < e->tl->ncmds; i++)
        if (e->tl->cmds[i].type == BI_CMD_STASH && strcmp(e->tl->cmds[i].stash_id, id) == 0)
            return e->tl->cmds[i].line;
    return 0;
}

static int cmd_free(bi_engine *e, const bi_command *c)
{
    const char *id = c->stash_id;
    if (e->verify || !e->same) {
        bi_vstash_drop(e, id);
        return 0;
    }
    bi_stash_note *n = bi_stash_note_get(e, id, 0);
    /* Stash IDs are contents, so one ID may be stashed, freed and stashed
     * again.  A run that starts over without last_command found this file
     * already there instead of writing it; if it is stashed again later,
     * that later stash may no longer be able to read its source, so the
     * file stays (it is the right content whoever wrote it). */
    size_t again = stashed_again(e, id);
    if (!(n && n->written) && again) {
        bi_log(e, "line %zu: keeping stash %s for line %zu", c->line, id, again);
        return 0;
    }
    if (n)
        n->written = 0;
    return bi_stash_remove(e, id);
}

static char *ranges_text(const bi_rangeset *rs)
{
    char *s = bi_rangeset_to_string(rs);
    if (s && strlen(s) > 300)
        strcpy(s + 296, "...");
    return s;
}

/* The source is not there: say which blocks and stashes were read. */
static int source_mismatch(bi_engine *e, const bi_command *c, const bi_src *s,
                           const uint8_t sha[OTA_SHA1_LEN])
{
    char detail[600] = "";
    char want[2 * OTA_SHA1_LEN + 1], got[2 * OTA_SHA1_LEN + 1];
    ota_hex_encode(c->src_sha1, OTA_SHA1_LEN, want);
    if (s->missing) {
        bi_stash_note *n = bi_stash_note_get(e, s->missing_id, 0);
        if (n && n->bad_line)
            snprintf(detail, sizeof detail, "stash %s is not there: line %zu found other contents "
                     "in blocks %.300s", s->missing_id, n->bad_line, n->bad_ranges ? n->bad_ranges : "?");
        else
            snprintf(detail, sizeof detail, "stash %s is not there", s->missing_id);
        if (!c->has_hashes)
            return bi_fail(e, OTA_ERR_VERIFY, "%s", detail);
    } else {
        ota_hex_encode(sha, OTA_SHA1_LEN, got);
        char *r = ranges_text(&c->src.ranges);
        int k = snprintf(detail, sizeof detail, "source blocks %s%s have SHA-1 %s, the list expects %s",
                         c->src.ranges.count ? (r ? r : "?") : "(none)",
                         c->src.nstashes ? " with its stashes" : "", got, want);
        free(r);
        for (size_t i = 0; i < c->src.nstashes && k > 0 && (size_t)k < sizeof detail; i++) {
            bi_stash_note *n = bi_stash_note_get(e, c->src.stashes[i].id, 0);
            if (n && n->bad_line)
                k += snprintf(detail + k, sizeof detail - (size_t)k, "; stash %s from line %zu "
                              "(blocks %.200s) did not match either", n->id, n->bad_line,
                              n->bad_ranges ? n->bad_ranges : "?");
        }
    }
    if (!e->verify)
        e->st->unresumable = 1;
    return bi_fail(e, OTA_ERR_VERIFY, "the partition does not hold what this update was made "
                   "from: %s", detail);
}

static int run_patch(bi_engine *e, const bi_command *c, const uint8_t *src, size_t src_len,
                     bi_writer *w)
{
    if (!e->o->patch_data)
        return bi_fail(e, OTA_ERR_ARGS, "no patch data was given");
    if (c->patch_len > SIZE_MAX)
        return bi_fail(e, OTA_ERR_NOMEM, "patch too large");
    uint8_t *patch = malloc((size_t)c->patch_len);
    if (!patch)
        return bi_fail(e, OTA_ERR_NOMEM, "out of memory for a %llu-byte patch",
                       (unsigned long long)c->patch_len);
    bi_note_buffer(e, src_len + (size_t)c->patch_len);
    int rc = bi_patch_data_read(e->o->patch_data, c->patch_offset, patch, (size_t)c->patch_len, e->err);
    if (rc < 0)
        rc = bi_fail_err(e);
    else
        rc = bi_patch_apply(e, c, src, src_len, patch, (size_t)c->patch_len, w);
    free(patch);
    return rc;
}

/* Writes the command's result: the source itself (move) or the patched
 * source; a patch's output must fill the target exactly and, with
 * hashes, have the target's SHA-1. */
static int write_target(bi_engine *e, const bi_command *c, bi_src *s, const uint8_t *buf)
{
    int check = c->has_hashes && c->type != BI_CMD_MOVE;
    ota_hash h;
    if (check && ota_hash_init(&h, OTA_HASH_SHA1, e->err) < 0)
        return bi_fail_err(e);
    bi_writer w;
    bi_writer_init(&w, e, &c->target, check ? &h : NULL);
    size_t bytes = (size_t)(c->src.blocks * BI_BLOCK_SIZE);
    int rc;
    if (c->type == BI_CMD_MOVE)
        rc = buf ? bi_writer_put(&w, buf, bytes) : bi_src_copy(e, s, &w);
    else
        rc = run_patch(e, c, buf, bytes, &w);
    if (rc == 0 && w.done != w.total)
        rc = bi_fail(e, OTA_ERR_FORMAT, "%s made %llu bytes; the target is %llu blocks (%llu bytes)",
                     c->type == BI_CMD_MOVE ? "the move" : "the patch", (unsigned long long)w.done,
                     (unsigned long long)c->target.blocks, (unsigned long long)w.total);
    if (!check)
        return rc;
    uint8_t sha[OTA_SHA1_LEN];
    ota_hash_final(&h, sha);
    if (rc == 0 && memcmp(sha, c->tgt_sha1, sizeof sha) != 0) {
        char got[2 * OTA_SHA1_LEN + 1], want[2 * OTA_SHA1_LEN + 1];
        ota_hex_encode(sha, sizeof sha, got);
        ota_hex_encode(c->tgt_sha1, sizeof sha, want);
        rc = bi_fail(e, OTA_ERR_VERIFY, "the patch made SHA-1 %s, the list expects %s", got, want);
    }
    return rc;
}

static int cmd_transfer(bi_engine *e, const bi_command *c)
{
    int hashed = c->has_hashes;
    uint8_t sha[OTA_SHA1_LEN];
    if (hashed) {
        if (bi_hash_ranges(e, e->tgt, &c->target, sha) < 0)
            return -1;
        if (memcmp(sha, c->tgt_sha1, sizeof sha) == 0) {
            e->target_done = 1;
            e->st->commands_done_already++;
            e->st->blocks_written += c->target.blocks;
            bi_log(e, "line %zu: the target already has its contents: skipped", c->line);
            return 0;
        }
    }
    int overlap = e->same && bi_rangeset_overlaps(&c->src.ranges, &c->target);
    int in_mem = c->type != BI_CMD_MOVE || c->src.blocks * BI_BLOCK_SIZE <= BI_MOVE_IN_MEMORY ||
                 (overlap && !hashed);
    char srcid[2 * OTA_SHA1_LEN + 1];
    ota_hex_encode(c->src_sha1, OTA_SHA1_LEN, srcid);
    bi_src s;
    uint8_t *buf = NULL;
    int rc = -1, ok = 0, from_stash = 0, stash_made = 0;
    memset(sha, 0, sizeof sha);
    if (bi_src_build(e, c, &s) < 0)
        goto out;
    if (!s.missing) {
        if (in_mem ? bi_src_load(e, &s, &buf, sha) < 0 : hashed && bi_src_hash(e, &s, sha) < 0)
            goto out;
        ok = !hashed || memcmp(sha, c->src_sha1, sizeof sha) == 0;
    }
    if (!ok && hashed && overlap) {
        /* Cut off half-way before: the source was stashed before writing. */
        int fd;
        uint64_t n;
        int good = bi_stash_file_good(e, srcid, &fd, &n);
        if (good < 0)
            goto out;
        if (good && n != c->src.blocks) {
            close(fd);
            bi_fail(e, OTA_ERR_FORMAT, "stash %s holds %llu blocks, the source %llu", srcid,
                    (unsigned long long)n, (unsigned long long)c->src.blocks);
            goto out;
        }
        if (good) {
            free(buf);
            buf = NULL;
            if (bi_src_set_file(e, &s, fd, n) < 0 || (in_mem && bi_src_load(e, &s, &buf, sha) < 0))
                goto out;
            ok = from_stash = 1;
            bi_log(e, "line %zu: the source was overwritten by an interrupted run; using its stash",
                   c->line);
        }
    }
    if (!ok) {
        source_mismatch(e, c, &s, sha);
        goto out;
    }
    if (e->verify) {
        rc = 0;
        goto out;
    }
    if (hashed && overlap && !from_stash) {
        if (!bi_stash_exists(e, srcid)) {
            bi_src mem;
            memset(&mem, 0, sizeof mem);
            if (buf)
                bi_src_set_mem(&mem, buf, c->src.blocks);
            int w = bi_stash_write(e, srcid, buf ? &mem : &s, c->src_sha1, 1);
            bi_src_free(&mem);
            if (w == 1)
                bi_fail(e, OTA_ERR_IO, "the source changed while it was being stashed");
            if (w != 0)
                goto out;
            stash_made = 1;
        }
        if (!buf) {
            /* Streaming: copy from the stash, as the partition's copy is
             * about to be overwritten. */
            uint64_t n;
            int fd = bi_stash_open_file(e, srcid, &n);
            if (fd < 0) {
                if (fd == -1)
                    bi_fail(e, OTA_ERR_IO, "stash %s vanished", srcid);
                goto out;
            }
            if (bi_src_set_file(e, &s, fd, n) < 0)
                goto out;
        }
    }
    if (write_target(e, c, &s, buf) < 0)
        goto out;
    if (stash_made && bi_stash_remove(e, srcid) < 0)
        goto out;
    e->st->blocks_written += c->target.blocks;
    rc = 0;
out:
    free(buf);
    bi_src_free(&s);
    return rc;
}

int bi_cmd_run(bi_engine *e, const bi_command *c)
{
    switch (c->type) {
    case BI_CMD_ZERO:
        return cmd_zero(e, c);
    case BI_CMD_ERASE:
        return cmd_erase(e, c);
    case BI_CMD_NEW:
        return cmd_new(e, c);
    case BI_CMD_STASH:
        return cmd_stash(e, c);
    case BI_CMD_FREE:
        return cmd_free(e, c);
    case BI_CMD_MOVE:
    case BI_CMD_BSDIFF:
    case BI_CMD_IMGDIFF:
        return cmd_transfer(e, c);
    }
    return bi_fail(e, OTA_ERR_FORMAT, "unknown command");
}

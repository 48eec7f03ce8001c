/* bi_apply: checks the list against the devices, then runs its commands in
 * order, recording progress after each; see blockimg/engine.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockimg/engine_internal.h"

int bi_fail(bi_engine *e, int code, const char *fmt, ...)
{
    char reason[OTA_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (e->cmd)
        return ota_error_set(e->err, code, "transfer list line %zu (%s): %s", e->cmd->line,
                             bi_cmd_name(e->cmd->type), reason);
    return ota_error_set(e->err, code, "%s", reason);
}

int bi_fail_errno(bi_engine *e, const char *fmt, ...)
{
    int saved = errno;
    char reason[OTA_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return bi_fail(e, ota_error_code_from_errno(saved), "%s: %s", reason, strerror(saved));
}

int bi_fail_err(bi_engine *e)
{
    if (e->cmd)
        ota_error_prefix(e->err, "transfer list line %zu (%s)", e->cmd->line,
                         bi_cmd_name(e->cmd->type));
    return -1;
}

void bi_log(bi_engine *e, const char *fmt, ...)
{
    if (!e->o->log)
        return;
    char line[OTA_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    e->o->log(e->o->cb_ctx, line);
}

void bi_note_buffer(bi_engine *e, size_t bytes)
{
    if (bytes > e->st->max_buffer)
        e->st->max_buffer = bytes;
}

int bi_stash_dir_name(const char *base, const char *device_name, char *out, size_t outsz,
                      ota_error *err)
{
    uint8_t sha[OTA_SHA1_LEN];
    char hex[2 * OTA_SHA1_LEN + 1];
    ota_sha1(device_name, strlen(device_name), sha);
    ota_hex_encode(sha, sizeof sha, hex);
    int n = snprintf(out, outsz, "%s/%s", base, hex);
    if (n < 0 || (size_t)n >= outsz)
        return ota_error_set(err, OTA_ERR_LIMIT, "stash folder name too long");
    return 0;
}

static int has(const bi_transfer_list *tl, bi_cmd_type a, bi_cmd_type b)
{
    for (size_t i = 0; i < tl->ncmds; i++)
        if (tl->cmds[i].type == a || tl->cmds[i].type == b)
            return 1;
    return 0;
}

static int is_transfer(const bi_command *c)
{
    return c->type == BI_CMD_MOVE || c->type == BI_CMD_BSDIFF || c->type == BI_CMD_IMGDIFF;
}

static uint64_t written_by(const bi_command *c)
{
    return c->type == BI_CMD_ERASE || c->type == BI_CMD_STASH || c->type == BI_CMD_FREE
               ? 0 : c->target.blocks;
}

static int run(bi_engine *e)
{
    const bi_transfer_list *tl = e->tl;
    size_t saved = 0;
    int resume = bi_progress_load(e, &saved);
    if (resume)
        bi_log(e, "resuming: commands up to %zu finished before", saved);
    for (size_t ci = 0; ci < tl->ncmds; ci++) {
        const bi_command *c = &tl->cmds[ci];
        e->cmd = NULL;
        e->ci = ci;
        e->target_done = 0;
        if (e->verify && (c->type == BI_CMD_ERASE || c->type == BI_CMD_NEW || c->type == BI_CMD_ZERO))
            continue;
        /* Finished before; `new` runs again, its data being read in order. */
        if (!e->verify && resume && c->index <= saved && c->type != BI_CMD_NEW) {
            e->st->commands_resumed++;
            e->st->blocks_written += written_by(c);
            continue;
        }
        e->cmd = c;
        if (bi_cmd_run(e, c) < 0)
            return -1;
        e->st->commands_run++;
        if (e->verify && resume && c->index <= saved && is_transfer(c) && !e->target_done) {
            /* An update would skip this command: it must run again. */
            bi_log(e, "line %zu ran before but its target does not have its contents: every "
                   "command will run again", c->line);
            resume = 0;
            bi_progress_delete(e);
        }
        if (!e->verify) {
            if (e->tgt->ops->sync(e->tgt->ctx, e->err) < 0)
                return bi_fail_err(e);
            bi_progress_save(e, c);
            if (e->o->progress)
                e->o->progress(e->o->cb_ctx, e->st->blocks_written, tl->total_blocks);
        }
    }
    e->cmd = NULL;
    if (!e->verify && e->o->new_data && has(tl, BI_CMD_NEW, BI_CMD_NEW)) {
        /* Read to the end, so that the zip layer's checks of the entry
         * (CRC, signed digests) run before the update counts as done. */
        uint64_t left;
        if (bi_reader_drain(e->o->new_data, &left, e->err) < 0) {
            ota_error_prefix(e->err, "after the last command, reading the rest of the new data");
            return -1;
        }
        if (left)
            bi_log(e, "%llu bytes of new data were not used", (unsigned long long)left);
    }
    if (!e->verify && e->o->patch_data && bi_patch_data_finish(e->o->patch_data, e->err) < 0) {
        ota_error_prefix(e->err, "after the last command, reading the rest of the patch data");
        return -1;
    }
    return 0;
}

int bi_apply(const bi_transfer_list *tl, const bi_apply_opts *o, bi_apply_stats *stats,
             ota_error *err)
{
    bi_apply_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!o->target)
        return ota_error_set(err, OTA_ERR_ARGS, "no target device");
    bi_engine e = {
        .tl = tl, .o = o, .tgt = o->target, .src = o->source ? o->source : o->target,
        .verify = o->verify_only, .st = stats, .err = err, .stash_fd = -1,
    };
    e.same = e.src == e.tgt;
    if (tl->total_blocks == 0) {
        bi_log(&e, "the list writes no blocks: nothing to do");
        return 0;
    }
    if (bi_transfer_check(tl, e.src->size / BI_BLOCK_SIZE, e.tgt->size / BI_BLOCK_SIZE, e.same,
                          err) < 0)
        return -1;
    if (!e.verify && has(tl, BI_CMD_NEW, BI_CMD_NEW) && !o->new_data)
        return ota_error_set(err, OTA_ERR_ARGS, "the list has new commands but no new data was given");
    if (!e.verify && has(tl, BI_CMD_BSDIFF, BI_CMD_IMGDIFF) && !o->patch_data)
        return ota_error_set(err, OTA_ERR_ARGS, "the list has patches but no patch data was given");
    e.chunk = malloc(BI_CHUNK);
    if (!e.chunk)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    bi_note_buffer(&e, BI_CHUNK);
    int rc = bi_stash_begin(&e);
    if (rc == 0)
        rc = run(&e);
    if (rc == 0 && !e.verify) {
        bi_stash_end(&e, 1);
        bi_progress_delete(&e);
        bi_log(&e, "wrote %llu blocks, stashed %llu", (unsigned long long)stats->blocks_written,
               (unsigned long long)stats->blocks_stashed);
    } else if (rc < 0 && stats->unresumable) {
        /* The source is gone: nothing kept can finish this update. */
        bi_stash_end(&e, 1);
        bi_progress_delete(&e);
    }
    bi_stash_end(&e, 0);
    if (o->patch_data)
        stats->patch_restarts = bi_patch_data_restarts(o->patch_data);
    for (size_t i = 0; i < e.nvirt; i++)
        bi_rangeset_free(&e.virt[i].ranges);
    free(e.virt);
    for (size_t i = 0; i < e.nnotes; i++)
        free(e.notes[i].bad_ranges);
    free(e.notes);
    free(e.chunk);
    return rc;
}

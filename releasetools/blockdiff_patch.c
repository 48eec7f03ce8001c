/* The patches of a block update: every pair whose bytes differ is diffed in
 * the release tools' one diff pool (releasetools/diff_pool.h: bsdiff, and
 * imgdiff for data with zip or gzip members when that is smaller; the one
 * place where better patch formats will slot in), its inputs read from the
 * images only when a worker starts on it, each finished patch spilled to a
 * temporary file at once so that memory holds only the patches in the
 * making.  A patch that saves too little over sending the blocks whole
 * (RT_PATCH_THRESHOLD) makes its transfer `new` instead. */
#include <stdlib.h>
#include <string.h>

#include "releasetools/blockdiff_internal.h"
#include "releasetools/diff_pool.h"
#include "releasetools/ota_from_target_files.h"

typedef struct job_ctx {
    bd_state *st;
    bd_xf *x;
} job_ctx;

static int load_input(void *ctx, int target, uint8_t **data, size_t *len, ota_error *err)
{
    job_ctx *c = ctx;
    const bi_rangeset *r = target ? &c->x->tgt : &c->x->src;
    const rt_block_image *img = target ? c->st->tgt : c->st->src;
    size_t n = (size_t)r->blocks * RT_BLOCK_SIZE;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory reading %llu blocks",
                             (unsigned long long)r->blocks);
    if (rt_block_image_read(img, r, buf, err) < 0) {
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

/* Called under the pool's lock: appends the patch to the spill file. */
static int spill_patch(void *ctx, rt_diff_job *job, ota_error *err)
{
    job_ctx *c = ctx;
    FILE *f = c->st->spill;
    if (fseeko(f, 0, SEEK_END) < 0)
        return ota_error_errno(err, "cannot seek in the patch spill file");
    off_t at = ftello(f);
    if (at < 0 || fwrite(job->patch, 1, job->patch_len, f) != job->patch_len)
        return ota_error_errno(err, "cannot write the patch spill file");
    c->x->spill_offset = (uint64_t)at;
    c->x->patch_len = job->patch_len;
    c->x->has_patch = 1;
    c->x->style = job->is_imgdiff ? BD_IMGDIFF : BD_BSDIFF;
    free(job->patch);
    job->patch = NULL;
    return 0;
}

int bd_make_patches(bd_state *st, ota_error *err)
{
    size_t njobs = 0;
    for (size_t i = 0; i < st->n; i++)
        njobs += st->xf[i].style == BD_DIFF;
    if (njobs == 0)
        return 0;
    if (!(st->spill = tmpfile()))
        return ota_error_errno(err, "cannot create a temporary file for patches");
    rt_diff_job *jobs = calloc(njobs, sizeof *jobs);
    job_ctx *ctx = calloc(njobs, sizeof *ctx);
    if (!jobs || !ctx) {
        free(jobs);
        free(ctx);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < st->n; i++) {
        bd_xf *x = &st->xf[i];
        if (x->style != BD_DIFF)
            continue;
        ctx[k] = (job_ctx){st, x};
        jobs[k] = (rt_diff_job){.name = x->name,
                                .weight = x->tgt.blocks * RT_BLOCK_SIZE,
                                .load = load_input,
                                .done = spill_patch,
                                .ctx = &ctx[k]};
        k++;
    }
    int rc = rt_diff_run(jobs, njobs, NULL, NULL, st->opts->threads, st->opts->patch_formats,
                         &st->opts->progress, err);
    rt_diff_jobs_free(jobs, njobs);
    free(jobs);
    free(ctx);
    if (rc < 0)
        return -1;
    if (fflush(st->spill) != 0)
        return ota_error_errno(err, "cannot write the patch spill file");
    for (size_t i = 0; i < st->n; i++) {
        bd_xf *x = &st->xf[i];
        if (x->style == BD_DIFF)
            return ota_error_set(err, OTA_ERR_ARGS, "internal error: no patch for %s", x->name);
        if ((x->style == BD_BSDIFF || x->style == BD_IMGDIFF) &&
            (double)x->patch_len > RT_PATCH_THRESHOLD * (double)(x->tgt.blocks * RT_BLOCK_SIZE) &&
            bd_convert_to_new(st, x, err) < 0)
            return -1;
    }
    return 0;
}

/* The three files of a block update, from the ordered transfers: the
 * transfer list (through blockimg's writer), the patches copied from the
 * spill file in command order, and the target blocks of every `new`
 * command, in command order, plain or through brotli.  Also what the
 * script needs:
 * the source blocks the update reads (they are checked before anything is
 * written), and the SHA-1 of the whole target. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockimg/transfer_write.h"
#include "releasetools/blockdiff_internal.h"
#include "releasetools/brotli_file.h"

#define COPY_CHUNK (1u << 20)

static char *file_name(const char *prefix, const char *suffix)
{
    char *p = malloc(strlen(prefix) + strlen(suffix) + 1);
    if (p) {
        strcpy(p, prefix);
        strcat(p, suffix);
    }
    return p;
}

static int write_file(const char *path, const ota_buf *data, ota_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ota_error_errno(err, "cannot create %s", path);
    int rc = ota_write_all(fd, data->data, data->len, err);
    if (close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot write %s", path);
    return rc;
}

/* Appends bytes [offset, offset+len) of the spill file to fd. */
static int copy_patch(FILE *spill, uint64_t offset, uint64_t len, int fd, uint8_t *buf,
                      ota_error *err)
{
    int sfd = fileno(spill);
    while (len > 0) {
        size_t n = len > COPY_CHUNK ? COPY_CHUNK : (size_t)len;
        ssize_t r = pread(sfd, buf, n, (off_t)offset);
        if (r < 0)
            return ota_error_errno(err, "cannot read the patch spill file");
        if (r == 0)
            return ota_error_set(err, OTA_ERR_IO, "the patch spill file ends early");
        if (ota_write_all(fd, buf, (size_t)r, err) < 0)
            return -1;
        offset += (uint64_t)r;
        len -= (uint64_t)r;
    }
    return 0;
}

/* Where the new data goes: PREFIX.new.dat.br through brotli, or
 * PREFIX.new.dat as it is. */
typedef struct new_out {
    rt_brotli_file *br;
    int fd;
    uint64_t bytes;
} new_out;

static int new_open(new_out *o, const char *path, int brotli, ota_error *err)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    if (brotli)
        return (o->br = rt_brotli_create(path, RT_BLOCKDIFF_BROTLI_QUALITY, err)) ? 0 : -1;
    if ((o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
        return ota_error_errno(err, "cannot create %s", path);
    return 0;
}

static int new_write(new_out *o, const void *data, size_t len, ota_error *err)
{
    o->bytes += len;
    return o->br ? rt_brotli_write(o->br, data, len, err) : ota_write_all(o->fd, data, len, err);
}

/* Finishes the file; its size (compressed or not) into *size. */
static int new_close(new_out *o, const char *path, uint64_t *size, ota_error *err)
{
    if (o->br) {
        int rc = rt_brotli_close(o->br, size, err);
        o->br = NULL;
        return rc;
    }
    if (o->fd < 0)
        return 0;
    int rc = close(o->fd) < 0 ? ota_error_errno(err, "cannot write %s", path) : 0;
    o->fd = -1;
    *size = o->bytes;
    return rc;
}

/* The blocks of r from img into the new data, a chunk at a time. */
static int stream_blocks(const rt_block_image *img, const bi_rangeset *r, new_out *out,
                         uint8_t *buf, ota_error *err)
{
    const uint64_t per = COPY_CHUNK / RT_BLOCK_SIZE;
    bi_rangeset piece = {0};
    int rc = 0;
    for (size_t i = 0; i < r->count && rc == 0; i++)
        for (uint64_t b = r->ranges[i].begin; b < r->ranges[i].end && rc == 0;) {
            uint64_t n = r->ranges[i].end - b > per ? per : r->ranges[i].end - b;
            bi_rangeset_free(&piece);
            if ((rc = bi_rangeset_append(&piece, b, b + n, err)) == 0 &&
                (rc = rt_block_image_read(img, &piece, buf, err)) == 0)
                rc = new_write(out, buf, (size_t)n * RT_BLOCK_SIZE, err);
            b += n;
        }
    bi_rangeset_free(&piece);
    return rc;
}

static int add_touched(bi_rangeset *touched, const bi_rangeset *r, ota_error *err)
{
    bi_rangeset u = {0};
    if (bi_rangeset_union(touched, r, &u, err) < 0)
        return -1;
    bi_rangeset_free(touched);
    *touched = u;
    return 0;
}

/* The source blocks the update reads: what it stashes, moves elsewhere
 * (A/B: every move, from the other slot) and patches (Android's
 * touched_src_ranges). */
static int find_touched(bd_state *st, ota_error *err)
{
    bi_rangeset *t = &st->res->touched_src;
    for (size_t i = 0; i < st->n; i++) {
        const bd_xf *x = &st->xf[i];
        for (size_t k = 0; k < x->stash_before.n; k++)
            if (add_touched(t, &x->stash_before.v[k].blocks, err) < 0)
                return -1;
        int reads = x->style == BD_BSDIFF || x->style == BD_IMGDIFF ||
                    (x->style == BD_MOVE &&
                     (st->opts->ab || !bi_rangeset_equal(&x->src, &x->tgt)));
        if (reads && add_touched(t, &x->src, err) < 0)
            return -1;
    }
    return 0;
}

/* Blocks of the target partition outside its care map, erased (Android's
 * new_dontcare): before the transfers those the update does not read,
 * after them the rest. */
static int erase_dontcare(bd_state *st, bi_transfer_writer *w, int first, ota_error *err)
{
    bi_rangeset all = {0}, dontcare = {0}, part = {0};
    int rc = bi_rangeset_append(&all, 0, st->tgt->total_blocks, err) < 0 ||
                     bi_rangeset_subtract(&all, &st->tgt->care, &dontcare, err) < 0 ||
                     (first ? bi_rangeset_subtract(&dontcare, &st->res->touched_src, &part, err)
                            : bi_rangeset_intersect(&dontcare, &st->res->touched_src, &part, err)) < 0 ||
                     bi_tw_erase(w, &part, err) < 0
                 ? -1
                 : 0;
    bi_rangeset_free(&all);
    bi_rangeset_free(&dontcare);
    bi_rangeset_free(&part);
    return rc;
}

/* One transfer's commands: its stashes first, then itself. */
static int write_transfer(bd_state *st, bi_transfer_writer *w, bd_xf *x, int patch_fd,
                          uint64_t *patch_at, uint8_t *buf, ota_error *err)
{
    rt_blockdiff_result *res = st->res;
    for (size_t k = 0; k < x->stash_before.n; k++) {
        const bd_stash *s = &x->stash_before.v[k];
        if (bi_tw_stash(w, s->sha1, &s->blocks, err) < 0)
            return -1;
    }
    bi_tw_stash_ref *refs = calloc(x->use_stash.n + 1, sizeof *refs);
    if (!refs)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < x->use_stash.n; k++)
        refs[k] = (bi_tw_stash_ref){x->use_stash.v[k].sha1, &x->use_stash.v[k].blocks};
    bi_tw_source src = {&x->src, refs, x->use_stash.n};
    int rc = 0;
    switch (x->style) {
    case BD_NEW:
        rc = bi_tw_new(w, &x->tgt, err);
        res->blocks_new += x->tgt.blocks;
        break;
    case BD_ZERO:
        rc = bi_tw_zero(w, &x->tgt, err);
        res->blocks_zero += x->tgt.blocks;
        break;
    case BD_MOVE:
        rc = bi_tw_move(w, x->tgt_sha1, &x->tgt, &src, err);
        res->moves++;
        res->blocks_moved += x->tgt.blocks;
        break;
    case BD_BSDIFF:
    case BD_IMGDIFF:
        rc = copy_patch(st->spill, x->spill_offset, x->patch_len, patch_fd, buf, err);
        if (rc == 0)
            rc = bi_tw_diff(w, x->style == BD_IMGDIFF ? "imgdiff" : "bsdiff", *patch_at,
                            x->patch_len, x->src_sha1, x->tgt_sha1, &x->tgt, &src, err);
        *patch_at += x->patch_len;
        res->patch_bytes += x->patch_len;
        res->blocks_patched += x->tgt.blocks;
        if (x->style == BD_IMGDIFF)
            res->imgdiffs++;
        else
            res->bsdiffs++;
        break;
    default:
        rc = ota_error_set(err, OTA_ERR_ARGS, "internal error: %s has no command", x->name);
    }
    free(refs);
    if (rc < 0)
        ota_error_prefix(err, "%s", x->name);
    return rc;
}

int bd_write(bd_state *st, const char *prefix, ota_error *err)
{
    char *list_path = file_name(prefix, ".transfer.list");
    int brotli = st->opts->brotli;
    char *new_path = file_name(prefix, brotli ? ".new.dat.br" : ".new.dat");
    char *patch_path = file_name(prefix, ".patch.dat");
    uint8_t *buf = malloc(COPY_CHUNK);
    bi_transfer_writer w;
    ota_buf list = {0};
    int patch_fd = -1, rc = -1;
    new_out nd = {.fd = -1};
    if (!list_path || !new_path || !patch_path || !buf) {
        ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (bi_tw_init(&w, st->opts->version ? st->opts->version : 4, err) < 0)
        goto out;
    w.separate_source = st->opts->ab;
    if ((patch_fd = open(patch_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        ota_error_errno(err, "cannot create %s", patch_path);
        goto out_w;
    }
    if (find_touched(st, err) < 0 || erase_dontcare(st, &w, 1, err) < 0)
        goto out_w;
    uint64_t patch_at = 0;
    for (size_t i = 0; i < st->n; i++) {
        if (write_transfer(st, &w, &st->xf[st->seq[i]], patch_fd, &patch_at, buf, err) < 0)
            goto out_w;
        rt_progress_report(&st->opts->progress, "writing", i + 1, st->n * 2);
    }
    if (erase_dontcare(st, &w, 0, err) < 0)
        goto out_w;
    if (w.max_stashed > st->stash_limit) {
        ota_error_set(err, OTA_ERR_ARGS, "internal error: %llu blocks stashed, over the limit of %llu",
                      (unsigned long long)w.max_stashed, (unsigned long long)st->stash_limit);
        goto out_w;
    }
    st->res->max_stash_bytes = w.max_stashed * RT_BLOCK_SIZE;
    if (bi_tw_finish(&w, &list, err) < 0 || write_file(list_path, &list, err) < 0)
        goto out_w;
    if (new_open(&nd, new_path, brotli, err) < 0)
        goto out_w;
    for (size_t i = 0; i < st->n; i++) {
        bd_xf *x = &st->xf[st->seq[i]];
        if (x->style == BD_NEW && stream_blocks(st->tgt, &x->tgt, &nd, buf, err) < 0)
            goto out_w;
        rt_progress_report(&st->opts->progress, "writing", st->n + i + 1, st->n * 2);
    }
    rc = new_close(&nd, new_path, &st->res->new_data_bytes, err);
    if (rc == 0 && st->src)
        rc = rt_block_image_sha1_hex(st->src, &st->res->touched_src, st->res->touched_src_sha1, err);
out_w:
    bi_tw_free(&w);
out:
    if (nd.br || nd.fd >= 0) {
        uint64_t ignored;
        new_close(&nd, new_path, &ignored, NULL);
        unlink(new_path);
    }
    if (patch_fd >= 0 && close(patch_fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "cannot write %s", patch_path);
    ota_buf_free(&list);
    free(list_path);
    free(new_path);
    free(patch_path);
    free(buf);
    return rc;
}

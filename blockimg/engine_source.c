/* A command's source, assembled as a list of segments in buffer order:
 * runs of blocks on the source device or in stash files.  It is read as
 * one stream (to hash it, copy it, stash it) or loaded whole when the
 * patch code needs it in memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockimg/engine_internal.h"

static int push_seg(bi_engine *e, bi_src *s, bi_seg seg)
{
    if (s->nsegs == s->capsegs) {
        size_t ncap = s->capsegs ? s->capsegs * 2 : 16;
        bi_seg *p = realloc(s->segs, ncap * sizeof *p);
        if (!p)
            return bi_fail(e, OTA_ERR_NOMEM, "out of memory");
        s->segs = p;
        s->capsegs = ncap;
    }
    s->segs[s->nsegs++] = seg;
    return 0;
}

/* Blocks `from` (on the device when fd < 0, else in the file fd) go to
 * the buffer places `locs`, in order; locs NULL: places 0, 1, 2 ... */
static int place(bi_engine *e, bi_src *s, const bi_range *from, size_t nfrom, int fd,
                 const bi_rangeset *locs)
{
    size_t i = 0, j = 0;
    uint64_t fo = 0, lo = 0, next = 0;
    while (i < nfrom) {
        uint64_t fleft = from[i].end - from[i].begin - fo;
        uint64_t lbegin = next, lleft = fleft;
        if (locs) {
            if (j >= locs->count)
                return bi_fail(e, OTA_ERR_FORMAT, "a stash holds more blocks than its places");
            lbegin = locs->ranges[j].begin + lo;
            lleft = locs->ranges[j].end - locs->ranges[j].begin - lo;
        }
        uint64_t n = fleft < lleft ? fleft : lleft;
        if (push_seg(e, s, (bi_seg){.pos = lbegin, .blocks = n, .fd = fd, .at = from[i].begin + fo}) < 0)
            return -1;
        fo += n;
        lo += n;
        next += n;
        if (fo == from[i].end - from[i].begin) {
            i++;
            fo = 0;
        }
        if (locs && lo == locs->ranges[j].end - locs->ranges[j].begin) {
            j++;
            lo = 0;
        }
    }
    return 0;
}

static int by_pos(const void *a, const void *b)
{
    const bi_seg *x = a, *y = b;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int add_fd(bi_engine *e, bi_src *s, int fd)
{
    int *p = realloc(s->fds, (s->nfds + 1) * sizeof *p);
    if (!p) {
        close(fd);
        return bi_fail(e, OTA_ERR_NOMEM, "out of memory");
    }
    s->fds = p;
    s->fds[s->nfds++] = fd;
    return 0;
}

static int add_stash(bi_engine *e, bi_src *s, const bi_stash_ref *ref)
{
    const bi_rangeset *v = bi_vstash_get(e, ref->id);
    if (v) {
        if (v->blocks != ref->locs.blocks)
            return bi_fail(e, OTA_ERR_FORMAT, "stash %s holds %llu blocks; %llu are used",
                           ref->id, (unsigned long long)v->blocks,
                           (unsigned long long)ref->locs.blocks);
        return place(e, s, v->ranges, v->count, -1, &ref->locs);
    }
    uint64_t blocks;
    int fd = bi_stash_open_file(e, ref->id, &blocks);
    if (fd == -2)
        return -1;
    if (fd == -1) {
        if (!s->missing)
            strcpy(s->missing_id, ref->id);
        s->missing = 1;
        return 0;
    }
    if (add_fd(e, s, fd) < 0)
        return -1;
    if (blocks != ref->locs.blocks)
        return bi_fail(e, OTA_ERR_FORMAT, "stash file %s holds %llu blocks; %llu are used",
                       ref->id, (unsigned long long)blocks, (unsigned long long)ref->locs.blocks);
    bi_range whole = {0, blocks};
    return place(e, s, &whole, 1, fd, &ref->locs);
}

int bi_src_build(bi_engine *e, const bi_command *c, bi_src *s)
{
    memset(s, 0, sizeof *s);
    s->blocks = c->src.blocks;
    const bi_rangeset *r = &c->src.ranges;
    if (r->count && place(e, s, r->ranges, r->count, -1, c->src.locs.count ? &c->src.locs : NULL) < 0)
        return -1;
    for (size_t i = 0; i < c->src.nstashes; i++)
        if (add_stash(e, s, &c->src.stashes[i]) < 0)
            return -1;
    qsort(s->segs, s->nsegs, sizeof *s->segs, by_pos);
    return 0;
}

static void drop(bi_src *s)
{
    for (size_t i = 0; i < s->nfds; i++)
        close(s->fds[i]);
    free(s->fds);
    free(s->segs);
    s->fds = NULL;
    s->segs = NULL;
    s->nfds = s->nsegs = s->capsegs = 0;
    s->mem = NULL;
    s->missing = 0;
    s->seg = 0;
    s->seg_off = 0;
}

int bi_src_set_file(bi_engine *e, bi_src *s, int fd, uint64_t blocks)
{
    drop(s);
    s->blocks = blocks;
    if (add_fd(e, s, fd) < 0)
        return -1;
    return push_seg(e, s, (bi_seg){.pos = 0, .blocks = blocks, .fd = fd, .at = 0});
}

void bi_src_set_mem(bi_src *s, const uint8_t *mem, uint64_t blocks)
{
    drop(s);
    s->mem = mem;
    s->blocks = blocks;
}

void bi_src_free(bi_src *s)
{
    drop(s);
}

void bi_src_rewind(bi_src *s)
{
    s->seg = 0;
    s->seg_off = 0;
}

int bi_src_read(bi_engine *e, bi_src *s, void *buf, size_t len)
{
    uint8_t *p = buf;
    if (s->mem) {
        uint64_t at = (uint64_t)s->seg_off;
        if (len > s->blocks * BI_BLOCK_SIZE - at)
            return bi_fail(e, OTA_ERR_FORMAT, "read past the end of the source");
        memcpy(p, s->mem + at, len);
        s->seg_off += len;
        return 0;
    }
    while (len > 0) {
        if (s->seg >= s->nsegs)
            return bi_fail(e, OTA_ERR_FORMAT, "read past the end of the source");
        const bi_seg *g = &s->segs[s->seg];
        uint64_t room = g->blocks * BI_BLOCK_SIZE - s->seg_off;
        size_t n = len < room ? len : (size_t)room;
        uint64_t at = g->at * BI_BLOCK_SIZE + s->seg_off;
        if (g->fd < 0) {
            if (e->src->ops->read(e->src->ctx, at, p, n, e->err) < 0)
                return bi_fail_err(e);
        } else {
            size_t got = 0;
            while (got < n) {
                ssize_t r = pread(g->fd, p + got, n - got, (off_t)(at + got));
                if (r < 0 && errno == EINTR)
                    continue;
                if (r <= 0) {
                    if (r < 0)
                        ota_error_errno(e->err, "cannot read a stash file");
                    else
                        ota_error_set(e->err, OTA_ERR_IO, "a stash file is shorter than it was");
                    return bi_fail_err(e);
                }
                got += (size_t)r;
            }
        }
        p += n;
        len -= n;
        s->seg_off += n;
        if (s->seg_off == g->blocks * BI_BLOCK_SIZE) {
            s->seg++;
            s->seg_off = 0;
        }
    }
    return 0;
}

int bi_src_hash(bi_engine *e, bi_src *s, uint8_t out[OTA_SHA1_LEN])
{
    ota_hash h;
    if (ota_hash_init(&h, OTA_HASH_SHA1, e->err) < 0)
        return bi_fail_err(e);
    bi_src_rewind(s);
    uint64_t left = s->blocks * BI_BLOCK_SIZE;
    while (left > 0) {
        size_t n = left < BI_CHUNK ? (size_t)left : BI_CHUNK;
        if (bi_src_read(e, s, e->chunk, n) < 0) {
            ota_hash_abort(&h);
            return -1;
        }
        ota_hash_update(&h, e->chunk, n);
        left -= n;
    }
    ota_hash_final(&h, out);
    bi_src_rewind(s);
    return 0;
}

int bi_src_load(bi_engine *e, bi_src *s, uint8_t **buf, uint8_t out[OTA_SHA1_LEN])
{
    uint64_t bytes = s->blocks * BI_BLOCK_SIZE;
    if (bytes > SIZE_MAX)
        return bi_fail(e, OTA_ERR_NOMEM, "a source of %llu blocks does not fit in memory",
                       (unsigned long long)s->blocks);
    *buf = malloc(bytes ? (size_t)bytes : 1);
    if (!*buf)
        return bi_fail(e, OTA_ERR_NOMEM, "out of memory for %llu source blocks",
                       (unsigned long long)s->blocks);
    bi_note_buffer(e, (size_t)bytes);
    bi_src_rewind(s);
    if (bi_src_read(e, s, *buf, (size_t)bytes) < 0) {
        free(*buf);
        *buf = NULL;
        return -1;
    }
    bi_src_rewind(s);
    ota_sha1(*buf, (size_t)bytes, out);
    return 0;
}

int bi_src_copy(bi_engine *e, bi_src *s, bi_writer *w)
{
    bi_src_rewind(s);
    uint64_t left = s->blocks * BI_BLOCK_SIZE;
    while (left > 0) {
        size_t n = left < BI_CHUNK ? (size_t)left : BI_CHUNK;
        if (bi_src_read(e, s, e->chunk, n) < 0 || bi_writer_put(w, e->chunk, n) < 0)
            return -1;
        left -= n;
    }
    return 0;
}

/* Reading and writing the blocks of range sets on a device, a chunk at a
 * time. */
#include <stdlib.h>
#include <string.h>

#include "blockimg/engine_internal.h"

void bi_writer_init(bi_writer *w, bi_engine *e, const bi_rangeset *rs, ota_hash *hash)
{
    *w = (bi_writer){.e = e, .rs = rs, .total = rs->blocks * BI_BLOCK_SIZE, .hash = hash};
}

int bi_writer_put(bi_writer *w, const void *data, size_t len)
{
    bi_engine *e = w->e;
    const uint8_t *p = data;
    if (len > w->total - w->done)
        return bi_fail(e, OTA_ERR_FORMAT, "%llu bytes more than the target's %llu blocks",
                       (unsigned long long)(len - (w->total - w->done)),
                       (unsigned long long)w->rs->blocks);
    if (w->hash)
        ota_hash_update(w->hash, data, len);
    while (len > 0) {
        const bi_range *r = &w->rs->ranges[w->ri];
        uint64_t room = (r->end - r->begin) * BI_BLOCK_SIZE - w->off;
        size_t n = len < room ? len : (size_t)room;
        if (e->tgt->ops->write(e->tgt->ctx, r->begin * BI_BLOCK_SIZE + w->off, p, n, e->err) < 0)
            return bi_fail_err(e);
        p += n;
        len -= n;
        w->done += n;
        w->off += n;
        if (w->off == (r->end - r->begin) * BI_BLOCK_SIZE) {
            w->ri++;
            w->off = 0;
        }
    }
    return 0;
}

int bi_writer_sink(void *ctx, const void *data, size_t len, ota_error *err)
{
    bi_writer *w = ctx;
    (void)err; /* the writer reports into the engine's error */
    if (bi_writer_put(w, data, len) < 0) {
        w->failed = 1;
        return -1;
    }
    return 0;
}

/* Adds bytes [at, at + len) of dev to h, through buf (BI_CHUNK bytes). */
static int hash_extent(const bi_dev *dev, ota_hash *h, uint64_t at, uint64_t len, uint8_t *buf,
                       ota_error *err)
{
    while (len > 0) {
        size_t n = len < BI_CHUNK ? (size_t)len : BI_CHUNK;
        if (dev->ops->read(dev->ctx, at, buf, n, err) < 0)
            return -1;
        ota_hash_update(h, buf, n);
        at += n;
        len -= n;
    }
    return 0;
}

/* The blocks of rs, or (rs NULL) the first `bytes` bytes of dev. */
static int hash_dev(const bi_dev *dev, const bi_rangeset *rs, uint64_t bytes, ota_hash_alg alg,
                    uint8_t *buf, uint8_t *out, ota_error *err)
{
    ota_hash h;
    if (ota_hash_init(&h, alg, err) < 0)
        return -1;
    int rc = 0;
    if (!rs)
        rc = hash_extent(dev, &h, 0, bytes, buf, err);
    for (size_t i = 0; rs && rc == 0 && i < rs->count; i++)
        rc = hash_extent(dev, &h, rs->ranges[i].begin * BI_BLOCK_SIZE,
                         (rs->ranges[i].end - rs->ranges[i].begin) * BI_BLOCK_SIZE, buf, err);
    if (rc < 0) {
        ota_hash_abort(&h);
        return -1;
    }
    ota_hash_final(&h, out);
    return 0;
}

int bi_hash_ranges(bi_engine *e, const bi_dev *dev, const bi_rangeset *rs, uint8_t out[OTA_SHA1_LEN])
{
    if (hash_dev(dev, rs, 0, OTA_HASH_SHA1, e->chunk, out, e->err) < 0)
        return bi_fail_err(e);
    return 0;
}

static int hash_alloc(const bi_dev *dev, const bi_rangeset *rs, uint64_t bytes, ota_hash_alg alg,
                      uint8_t *out, ota_error *err)
{
    uint8_t *buf = malloc(BI_CHUNK);
    if (!buf)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    int rc = hash_dev(dev, rs, bytes, alg, buf, out, err);
    free(buf);
    return rc;
}

int bi_range_hash(const bi_dev *dev, const bi_rangeset *rs, ota_hash_alg alg, uint8_t *out,
                  ota_error *err)
{
    for (size_t i = 0; i < rs->count; i++)
        if (rs->ranges[i].end > dev->size / BI_BLOCK_SIZE)
            return ota_error_set(err, OTA_ERR_ARGS, "block %llu is past the end of %s (%llu blocks)",
                                 (unsigned long long)(rs->ranges[i].end - 1), dev->name,
                                 (unsigned long long)(dev->size / BI_BLOCK_SIZE));
    return hash_alloc(dev, rs, 0, alg, out, err);
}

int bi_range_sha1(const bi_dev *dev, const bi_rangeset *rs, uint8_t out[OTA_SHA1_LEN],
                  ota_error *err)
{
    return bi_range_hash(dev, rs, OTA_HASH_SHA1, out, err);
}

int bi_dev_hash_prefix(const bi_dev *dev, uint64_t bytes, ota_hash_alg alg, uint8_t *out,
                       ota_error *err)
{
    if (bytes > dev->size)
        return ota_error_set(err, OTA_ERR_ARGS, "%s holds %llu bytes, fewer than %llu",
                             dev->name, (unsigned long long)dev->size, (unsigned long long)bytes);
    return hash_alloc(dev, NULL, bytes, alg, out, err);
}

int bi_zero_ranges(bi_engine *e, const bi_rangeset *rs)
{
    memset(e->chunk, 0, BI_CHUNK);
    bi_writer w;
    bi_writer_init(&w, e, rs, NULL);
    while (w.done < w.total) {
        uint64_t left = w.total - w.done;
        if (bi_writer_put(&w, e->chunk, left < BI_CHUNK ? (size_t)left : BI_CHUNK) < 0)
            return -1;
    }
    return 0;
}

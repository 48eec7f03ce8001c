/* The partitions a transfer list reads and writes, behind a small table of
 * operations, so that the engine runs the same on a block device, a plain
 * file, or a wrapper that a test puts around either (to fail the N-th
 * write, say) -- no test-only path in the engine itself.
 *
 * bi_fd_dev is the real one: a block device or a regular file by path. */
#ifndef BLOCKIMG_DEVICE_H
#define BLOCKIMG_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "otautil/error.h"

typedef struct bi_dev_ops {
    /* Exactly len bytes at offset (short reads and EINTR handled inside). */
    int (*read)(void *ctx, uint64_t offset, void *buf, size_t len, ota_error *err);
    int (*write)(void *ctx, uint64_t offset, const void *buf, size_t len, ota_error *err);
    /* Discards [offset, offset + len): 0 done, 1 when this device cannot
     * discard (a plain file, or a device without discard support): the
     * caller skips it, as Android's erase does.  -1 on error. */
    int (*discard)(void *ctx, uint64_t offset, uint64_t len, ota_error *err);
    /* Makes every write so far durable (fsync). */
    int (*sync)(void *ctx, ota_error *err);
} bi_dev_ops;

typedef struct bi_dev {
    const bi_dev_ops *ops;
    void *ctx;
    uint64_t size;    /* bytes */
    const char *name; /* for messages */
} bi_dev;

/* A block device or regular file opened by path. */
typedef struct bi_fd_dev {
    bi_dev dev;  /* ctx points back to this struct */
    int fd;
    int is_blkdev;
    char *path;
} bi_fd_dev;

/* Opens path read-write (or read-only) and fills d; the size is the
 * device's (BLKGETSIZE64) or the file's.  shown (may be NULL: path) names
 * it in messages. */
int bi_fd_dev_open(bi_fd_dev *d, const char *path, const char *shown, int writable,
                   ota_error *err);
void bi_fd_dev_close(bi_fd_dev *d);

#endif

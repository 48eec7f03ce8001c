/* bi_fd_dev: a partition (block device) or an image file, by path. */
#include "blockimg/device.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int fd_read(void *ctx, uint64_t offset, void *buf, size_t len, ota_error *err)
{
    bi_fd_dev *d = ctx;
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(d->fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ota_error_errno(err, "cannot read %s at byte %llu", d->dev.name,
                                   (unsigned long long)offset);
        if (n == 0)
            return ota_error_set(err, OTA_ERR_IO, "cannot read %s at byte %llu: past its end",
                                 d->dev.name, (unsigned long long)offset);
        p += n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static int fd_write(void *ctx, uint64_t offset, const void *buf, size_t len, ota_error *err)
{
    bi_fd_dev *d = ctx;
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(d->fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ota_error_errno(err, "cannot write %s at byte %llu", d->dev.name,
                                   (unsigned long long)offset);
        p += n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static int fd_discard(void *ctx, uint64_t offset, uint64_t len, ota_error *err)
{
    bi_fd_dev *d = ctx;
    if (!d->is_blkdev)
        return 1;
    uint64_t range[2] = {offset, len};
    if (ioctl(d->fd, BLKDISCARD, &range) == 0)
        return 0;
    /* A device without discard support erases nothing, as on Android. */
    if (errno == EOPNOTSUPP || errno == ENOTTY)
        return 1;
    return ota_error_errno(err, "BLKDISCARD of %s bytes %llu+%llu failed", d->dev.name,
                           (unsigned long long)offset, (unsigned long long)len);
}

static int fd_sync(void *ctx, ota_error *err)
{
    bi_fd_dev *d = ctx;
    if (fsync(d->fd) < 0)
        return ota_error_errno(err, "fsync of %s failed", d->dev.name);
    return 0;
}

static const bi_dev_ops fd_ops = {fd_read, fd_write, fd_discard, fd_sync};

int bi_fd_dev_open(bi_fd_dev *d, const char *path, const char *shown, int writable,
                   ota_error *err)
{
    memset(d, 0, sizeof *d);
    d->fd = -1;
    d->path = strdup(shown ? shown : path);
    if (!d->path)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    d->dev = (bi_dev){.ops = &fd_ops, .ctx = d, .name = d->path};
    d->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (d->fd < 0) {
        ota_error_errno(err, "cannot open %s", d->path);
        bi_fd_dev_close(d);
        return -1;
    }
    struct stat sb;
    if (fstat(d->fd, &sb) < 0) {
        ota_error_errno(err, "cannot stat %s", d->path);
        bi_fd_dev_close(d);
        return -1;
    }
    if (S_ISBLK(sb.st_mode)) {
        d->is_blkdev = 1;
        if (ioctl(d->fd, BLKGETSIZE64, &d->dev.size) < 0) {
            ota_error_errno(err, "cannot get the size of %s (BLKGETSIZE64)", d->path);
            bi_fd_dev_close(d);
            return -1;
        }
    } else if (S_ISREG(sb.st_mode)) {
        d->dev.size = (uint64_t)sb.st_size;
    } else {
        ota_error_set(err, OTA_ERR_ARGS, "%s is not a block device or a regular file", d->path);
        bi_fd_dev_close(d);
        return -1;
    }
    return 0;
}

void bi_fd_dev_close(bi_fd_dev *d)
{
    if (d->fd >= 0)
        close(d->fd);
    free(d->path);
    d->fd = -1;
    d->path = NULL;
}

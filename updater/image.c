/* Writing an image to a partition and proving it is there: written with
 * direct I/O in large aligned chunks (no second copy through the page
 * cache, so as fast as dd or faster), flushed, then read back from the
 * device, again bypassing the cache, and compared.  Devices or files that
 * refuse direct I/O get the same through the page cache, dropped before the
 * read-back. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/mkfs.h"
#include "updater/builtins.h"

#define IMG_CHUNK (4u << 20)
#define IMG_ALIGN 4096

static int src_read(const upd_image *img, uint64_t off, uint8_t *buf, size_t len, ota_error *err)
{
    if (img->mem) {
        memcpy(buf, img->mem + off, len);
        return 0;
    }
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(img->fd, buf + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ota_error_errno(err, "reading %s failed", img->shown);
        if (n == 0)
            return ota_error_set(err, OTA_ERR_IO, "%s shrank while being written", img->shown);
        got += (size_t)n;
    }
    return 0;
}

static int pio_all(int fd, int write, uint8_t *buf, size_t len, uint64_t off, const char *shown,
                   ota_error *err)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write ? pwrite(fd, buf + done, len - done, (off_t)(off + done))
                          : pread(fd, buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ota_error_errno(err, "%s %s at offset %" PRIu64 " failed",
                                   write ? "writing" : "reading back", shown, off + done);
        if (n == 0)
            return ota_error_set(err, OTA_ERR_IO, "%s %s stopped at offset %" PRIu64,
                                 write ? "writing" : "reading back", shown, off + done);
        done += (size_t)n;
    }
    return 0;
}

/* The device's logical block size: the unit direct I/O works in. */
static size_t block_size(int fd)
{
    int bs = 0;
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISBLK(sb.st_mode) && ioctl(fd, BLKSSZGET, &bs) == 0 && bs > 0 &&
        bs <= IMG_ALIGN && (IMG_ALIGN % bs) == 0)
        return (size_t)bs;
    return IMG_ALIGN;
}

static int write_all_chunks(int fd, const upd_image *img, size_t bs, uint8_t *buf,
                            const char *shown, ota_error *err)
{
    uint64_t whole = img->size / bs * bs;
    for (uint64_t off = 0; off < whole; off += IMG_CHUNK) {
        size_t n = whole - off < IMG_CHUNK ? (size_t)(whole - off) : IMG_CHUNK;
        if (src_read(img, off, buf, n, err) < 0 || pio_all(fd, 1, buf, n, off, shown, err) < 0)
            return -1;
    }
    size_t tail = (size_t)(img->size - whole);
    if (tail) {
        /* The last block keeps the device's bytes after the image. */
        if (pio_all(fd, 0, buf, bs, whole, shown, err) < 0 ||
            src_read(img, whole, buf, tail, err) < 0 || pio_all(fd, 1, buf, bs, whole, shown, err) < 0)
            return -1;
    }
    if (fsync(fd) < 0)
        return ota_error_errno(err, "fsync of %s failed", shown);
    return 0;
}

static int verify_all_chunks(int fd, const upd_image *img, size_t bs, uint8_t *buf,
                             uint8_t *want, const char *shown, ota_error *err)
{
    for (uint64_t off = 0; off < img->size; off += IMG_CHUNK) {
        size_t n = img->size - off < IMG_CHUNK ? (size_t)(img->size - off) : IMG_CHUNK;
        size_t rounded = (n + bs - 1) / bs * bs;
        const uint8_t *expect = img->mem ? img->mem + off : want;
        if (pio_all(fd, 0, buf, rounded, off, shown, err) < 0 ||
            (!img->mem && src_read(img, off, want, n, err) < 0))
            return -1;
        if (memcmp(buf, expect, n) != 0)
            return ota_error_set(err, OTA_ERR_VERIFY, "%s does not read back what was written "
                                 "(a difference within offsets %" PRIu64 "..%" PRIu64 ")",
                                 shown, off, off + n);
    }
    return 0;
}

/* Opens dev for direct I/O when the device (or the filesystem holding a
 * file) supports it, else for ordinary I/O; *direct says which. */
static int open_target(const char *dev, const char *shown, uint8_t *probe, int *direct,
                       ota_error *err)
{
    int fd = open(dev, O_RDWR | O_CLOEXEC | O_DIRECT);
    if (fd >= 0) {
        /* Some drivers accept O_DIRECT at open and refuse the I/O itself. */
        if (pread(fd, probe, IMG_ALIGN, 0) >= 0) {
            *direct = 1;
            return fd;
        }
        close(fd);
    }
    *direct = 0;
    fd = open(dev, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open %s", shown);
    return fd;
}

int upd_image_write(const upd_image *img, const char *dev, const char *shown, ota_error *err)
{
    uint8_t *buf = NULL, *want = NULL;
    if (posix_memalign((void **)&buf, IMG_ALIGN, IMG_CHUNK) != 0)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    if (!img->mem && posix_memalign((void **)&want, IMG_ALIGN, IMG_CHUNK) != 0) {
        free(buf);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    int direct, rc = -1;
    int fd = open_target(dev, shown, buf, &direct, err);
    if (fd < 0)
        goto out;
    uint64_t dev_size;
    if (ota_fd_size(fd, &dev_size, err) < 0) {
        ota_error_prefix(err, "%s", shown);
        goto out;
    }
    if (img->size > dev_size) {
        ota_error_set(err, OTA_ERR_NOSPACE, "%s (%" PRIu64 " bytes) does not fit on %s (%" PRIu64
                      " bytes); nothing was written", img->shown, img->size, shown, dev_size);
        goto out;
    }
    size_t bs = direct ? block_size(fd) : 1;
    if (write_all_chunks(fd, img, bs, buf, shown, err) < 0)
        goto out;
    if (!direct && upd_flush_device(fd, shown, err) < 0)
        goto out;
    rc = verify_all_chunks(fd, img, bs, buf, want, shown, err);
out:
    free(buf);
    free(want);
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = ota_error_errno(err, "closing %s failed", shown);
    return rc;
}

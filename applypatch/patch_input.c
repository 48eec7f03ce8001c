/* Random-access inputs of the patch engine: memory, a file descriptor
 * read with pread(2), or the caller's own callback. */
#include "applypatch/patch_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

void patch_input_memory(patch_input *in, const void *data, size_t len)
{
    static const uint8_t empty[1];
    memset(in, 0, sizeof *in);
    in->size = len;
    in->data = data ? data : empty;
}

static int fd_read(void *ctx, uint64_t offset, void *buf, size_t len, ota_error *err)
{
    int fd = (int)(intptr_t)ctx;
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t got = pread(fd, p, len, (off_t)offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return ota_error_errno(err, "read at offset %llu failed", (unsigned long long)offset);
        if (got == 0)
            return ota_error_set(err, OTA_ERR_IO, "file ends at offset %llu, earlier than its size",
                                 (unsigned long long)offset);
        p += got;
        offset += (uint64_t)got;
        len -= (size_t)got;
    }
    return 0;
}

int patch_input_fd(patch_input *in, int fd, ota_error *err)
{
    memset(in, 0, sizeof *in);
    struct stat st;
    if (fstat(fd, &st) < 0)
        return ota_error_errno(err, "cannot stat");
    uint64_t size = (uint64_t)st.st_size;
    if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &size) < 0)
        return ota_error_errno(err, "cannot get the size of the block device");
    in->size = size;
    in->read = fd_read;
    in->ctx = (void *)(intptr_t)fd;
    return 0;
}

int patch_input_read(const patch_input *in, uint64_t offset, void *buf, size_t len,
                     ota_error *err)
{
    if (offset > in->size || len > in->size - offset)
        return ota_error_set(err, OTA_ERR_FORMAT, "read of %zu bytes at %llu is past the end (%llu)",
                             len, (unsigned long long)offset, (unsigned long long)in->size);
    if (len == 0)
        return 0;
    if (in->data) {
        memcpy(buf, in->data + offset, len);
        return 0;
    }
    return in->read(in->ctx, offset, buf, len, err);
}

static int slice_read(void *ctx, uint64_t offset, void *buf, size_t len, ota_error *err)
{
    patch_slice *s = ctx;
    return s->parent->read(s->parent->ctx, s->offset + offset, buf, len, err);
}

int patch_slice_init(patch_slice *s, const patch_input *parent, uint64_t offset, uint64_t len,
                     ota_error *err)
{
    memset(s, 0, sizeof *s);
    if (offset > parent->size || len > parent->size - offset)
        return ota_error_set(err, OTA_ERR_FORMAT, "range %llu+%llu is outside the %llu-byte input",
                             (unsigned long long)offset, (unsigned long long)len,
                             (unsigned long long)parent->size);
    s->parent = parent;
    s->offset = offset;
    if (parent->data) {
        patch_input_memory(&s->input, parent->data + offset, (size_t)len);
        return 0;
    }
    s->input = (patch_input){.size = len, .read = slice_read, .ctx = s};
    return 0;
}

#include "otautil/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ota_buf_append(ota_buf *buf, const void *data, size_t len, ota_error *err)
{
    if (len > SIZE_MAX - buf->len - 1)
        return ota_error_set(err, OTA_ERR_LIMIT, "buffer would exceed the address space");
    if (buf->len + len + 1 > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 4096;
        while (cap < buf->len + len + 1)
            cap = cap > SIZE_MAX / 2 ? buf->len + len + 1 : cap * 2;
        unsigned char *p = realloc(buf->data, cap);
        if (!p)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory growing a buffer to %zu bytes", cap);
        buf->data = p;
        buf->cap = cap;
    }
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0'; /* always NUL-terminated, for text users */
    return 0;
}

int ota_buf_sink(void *buf, const void *data, size_t len, ota_error *err)
{
    return ota_buf_append(buf, data, len, err);
}

void ota_buf_free(ota_buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

int ota_write_all(int fd, const void *data, size_t len, ota_error *err)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ota_error_errno(err, "write failed");
        if (n == 0)
            return ota_error_set(err, OTA_ERR_NOSPACE, "write failed: device is full");
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int ota_fd_sink(void *fd_ptr, const void *data, size_t len, ota_error *err)
{
    return ota_write_all(*(int *)fd_ptr, data, len, err);
}

long long ota_read_all(int fd, void *data, size_t len, ota_error *err)
{
    unsigned char *p = data;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ota_error_errno(err, "read failed");
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (long long)got;
}

int ota_read_file(const char *path, size_t max_size, ota_buf *out, ota_error *err)
{
    ota_buf_free(out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ota_error_errno(err, "cannot open %s", path);
    unsigned char chunk[65536];
    int rc = ota_buf_append(out, "", 0, err); /* an empty file is "" too */
    while (rc == 0) {
        long long got = ota_read_all(fd, chunk, sizeof chunk, err);
        if (got == 0)
            break;
        if (got < 0) {
            ota_error_prefix(err, "reading %s", path);
            rc = -1;
        } else if (max_size && out->len + (size_t)got > max_size) {
            rc = ota_error_set(err, OTA_ERR_LIMIT, "%s is larger than %zu bytes", path, max_size);
        } else {
            rc = ota_buf_append(out, chunk, (size_t)got, err);
        }
    }
    close(fd);
    if (rc < 0)
        ota_buf_free(out);
    return rc;
}

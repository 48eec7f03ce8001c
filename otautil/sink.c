#include "otautil/sink.h"

#include <errno.h>
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

int ota_compare_sink(void *compare, const void *data, size_t len, ota_error *err)
{
    ota_compare *c = compare;
    if (len > c->len - c->pos || (len && memcmp(c->want + c->pos, data, len) != 0))
        return ota_error_set(err, OTA_ERR_VERIFY, "differs at or after byte %zu", c->pos);
    c->pos += len;
    return 0;
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

#include "otautil/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otautil/safe_file.h"

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

const char *ota_next_line(const char *text, size_t len, size_t *pos, size_t *n)
{
    if (*pos >= len)
        return NULL;
    const char *start = text + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    *n = nl ? (size_t)(nl - start) : len - *pos;
    *pos += *n + (nl ? 1 : 0);
    return start;
}

int ota_parse_decimal(const char *text, uint64_t *out)
{
    if (!text || *text < '0' || *text > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
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

int ota_read_file(const char *path, const char *what, size_t max, unsigned flags, ota_buf *out,
                  ota_error *err)
{
    int regular = (flags & OTA_READ_REGULAR) != 0;
    const char *sep = what ? " " : "";
    what = what ? what : "";
    /* What the device reads goes through the one regular-file check
     * (otautil/safe_file.h): a FIFO, socket or device is refused at once. */
    int fd = regular ? ota_open_regular(path, what[0] ? what : "file", NULL, err)
                     : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return regular ? -1 : ota_error_errno(err, "cannot open %s%s%s", what, sep, path);
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) < 0) {
        ota_error_errno(err, "cannot stat %s%s%s", what, sep, path);
    } else if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
        ota_error_set(err, OTA_ERR_LIMIT, "%s%s%s is larger than %zu bytes", what, sep, path,
                      max);
    } else if (ota_buf_append(out, "", 0, err) == 0) {
        size_t start = out->len;
        rc = 0;
        for (;;) {
            char chunk[65536];
            long long n = ota_read_all(fd, chunk, sizeof chunk, err);
            if (n < 0) {
                rc = -1;
                ota_error_prefix(err, "cannot read %s%s%s", what, sep, path);
                break;
            }
            if (n == 0)
                break;
            /* A file that grew meanwhile is refused rather than cut. */
            if (out->len - start + (size_t)n > max) {
                rc = ota_error_set(err, OTA_ERR_LIMIT, "%s%s%s is larger than %zu bytes", what,
                                   sep, path, max);
                break;
            }
            if (ota_buf_append(out, chunk, (size_t)n, err) < 0) {
                rc = -1;
                break;
            }
        }
    }
    close(fd);
    return rc;
}

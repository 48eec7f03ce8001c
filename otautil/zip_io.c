/* minizip's file functions over a file descriptor the writer owns:
 * positioned I/O, so the writer can patch the file itself after zipClose,
 * and a write buffer, because minizip writes each header field with its own
 * call.  (The reader does not go through minizip; see zip_read.c.) */
#include "otautil/zip_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZIP_IO_WBUF (256 * 1024)

void zip_io_init(struct zip_io *io, int fd)
{
    memset(io, 0, sizeof *io);
    io->fd = fd;
}

int zip_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            errno = ENODATA; /* the file is shorter than it was */
            return -1;
        }
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

static int pwrite_full(int fd, const unsigned char *p, size_t len, uint64_t off)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            errno = ENOSPC;
            return -1;
        }
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

static void note_error(struct zip_io *io)
{
    if (!io->error)
        io->error = errno ? errno : EIO;
}

int zip_io_flush(struct zip_io *io)
{
    if (io->wlen == 0)
        return io->error ? -1 : 0;
    if (pwrite_full(io->fd, io->wbuf, io->wlen, io->woff) < 0)
        note_error(io);
    io->wlen = 0;
    return io->error ? -1 : 0;
}

int zip_io_patch(struct zip_io *io, uint64_t off, const void *data, size_t len)
{
    if (io->wlen && off >= io->woff && off + len <= io->woff + io->wlen) {
        memcpy(io->wbuf + (off - io->woff), data, len);
        return io->error ? -1 : 0;
    }
    if (zip_io_flush(io) < 0)
        return -1;
    if (pwrite_full(io->fd, data, len, off) < 0) {
        note_error(io);
        return -1;
    }
    return 0;
}

void zip_io_release(struct zip_io *io)
{
    free(io->wbuf);
    io->wbuf = NULL;
    io->wlen = 0;
}

static voidpf io_open(voidpf opaque, const void *name, int mode)
{
    (void)opaque;
    (void)mode;
    return (voidpf)name; /* the struct zip_io the caller passed as the name */
}

static uLong io_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
    (void)opaque;
    struct zip_io *io = stream;
    if (zip_io_flush(io) < 0)
        return 0;
    uLong done = 0;
    while (done < size) {
        ssize_t n = pread(io->fd, (char *)buf + done, size - done, (off_t)io->pos);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            note_error(io);
            break;
        }
        if (n == 0)
            break; /* minizip treats a short count as an error itself */
        done += (uLong)n;
        io->pos += (uint64_t)n;
    }
    return done;
}

static uLong io_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
    (void)opaque;
    struct zip_io *io = stream;
    if (io->error)
        return 0;
    /* Patches inside the pending buffer (minizip rewriting a local header
     * it has just written) are applied there. */
    if (io->wlen && io->pos >= io->woff && io->pos + size <= io->woff + io->wlen) {
        memcpy(io->wbuf + (io->pos - io->woff), buf, size);
        io->pos += size;
        return size;
    }
    if (io->wlen && io->pos != io->woff + io->wlen && zip_io_flush(io) < 0)
        return 0;
    if (!io->wbuf) {
        io->wbuf = malloc(ZIP_IO_WBUF);
        if (!io->wbuf) {
            io->error = ENOMEM;
            return 0;
        }
    }
    if (io->wlen + size > ZIP_IO_WBUF && zip_io_flush(io) < 0)
        return 0;
    if (size >= ZIP_IO_WBUF) {
        if (pwrite_full(io->fd, buf, size, io->pos) < 0) {
            note_error(io);
            return 0;
        }
    } else {
        if (io->wlen == 0)
            io->woff = io->pos;
        memcpy(io->wbuf + io->wlen, buf, size);
        io->wlen += size;
    }
    io->pos += size;
    return size;
}

static ZPOS64_T io_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((struct zip_io *)stream)->pos;
}

static long io_seek(voidpf opaque, voidpf stream, ZPOS64_T offset, int origin)
{
    (void)opaque;
    struct zip_io *io = stream;
    uint64_t base;
    switch (origin) {
    case ZLIB_FILEFUNC_SEEK_SET:
        base = 0;
        break;
    case ZLIB_FILEFUNC_SEEK_CUR:
        base = io->pos;
        break;
    case ZLIB_FILEFUNC_SEEK_END: {
        off_t end = lseek(io->fd, 0, SEEK_END);
        if (end < 0) {
            note_error(io);
            return -1;
        }
        base = (uint64_t)end;
        if (io->wlen && io->woff + io->wlen > base)
            base = io->woff + io->wlen;
        break;
    }
    default:
        return -1;
    }
    if (offset > INT64_MAX - base)
        return -1;
    io->pos = base + offset;
    return 0;
}

static int io_close(voidpf opaque, voidpf stream)
{
    (void)opaque;
    /* The owner closes the fd; only pending writes matter here. */
    return zip_io_flush(stream) < 0 ? -1 : 0;
}

static int io_error(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((struct zip_io *)stream)->error != 0;
}

void zip_io_functions(zlib_filefunc64_def *def)
{
    memset(def, 0, sizeof *def);
    def->zopen64_file = io_open;
    def->zread_file = io_read;
    def->zwrite_file = io_write;
    def->ztell64_file = io_tell;
    def->zseek64_file = io_seek;
    def->zclose_file = io_close;
    def->zerror_file = io_error;
}
